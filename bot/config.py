"""Configuration, read once from the environment into one settings object.

A missing or malformed setting raises `ConfigError` whose message is one line naming
the variable; the CLI prints that line and exits, never a traceback.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from storage.db import is_valid_url, redact_url

DEFAULT_SLACK_API_URL = "https://slack.com/api/"
DEFAULT_DATABASE_URL = "sqlite:///data/ladderbot.db"
BUNDLED_CONTENT = Path(__file__).resolve().parent.parent / "ladder_content"


class ConfigError(ValueError):
    """A setting is missing or malformed; the message names it."""


@dataclass(frozen=True)
class Settings:
    content_dir: Path
    database_url: str = DEFAULT_DATABASE_URL
    slack_api_url: str = DEFAULT_SLACK_API_URL
    slack_bot_token: str | None = None
    slack_signing_secret: str | None = None
    slack_app_token: str | None = None
    source_url: str = ""  # where the content folder is browsable, for "source" links
    port: int = 3000

    def __repr__(self) -> str:
        # Never let a token reach a log line through a repr.
        return (f"Settings(content_dir={self.content_dir!s}, slack_api_url={redact_url(self.slack_api_url)}, "
                f"database_url={redact_url(self.database_url)}, tokens=<hidden>)")


def load_settings(env: Mapping[str, str] | None = None, *, content_dir: str | None = None,
                  require: tuple[str, ...] = ()) -> Settings:
    """Read settings; `require` names variables this command cannot run without."""
    env = os.environ if env is None else env
    for name in require:
        if not env.get(name, "").strip():
            raise ConfigError(f"{name} is not set: {_HINTS.get(name, 'set it in the environment')}")
    settings = Settings(
        content_dir=_content_dir(content_dir or env.get("LADDER_CONTENT_DIR")),
        database_url=env.get("DATABASE_URL", "").strip() or DEFAULT_DATABASE_URL,
        slack_api_url=_api_url(env.get("SLACK_API_URL", "").strip() or DEFAULT_SLACK_API_URL),
        slack_bot_token=_token(env, "SLACK_BOT_TOKEN", "xoxb-"),
        slack_signing_secret=_secret(env, "SLACK_SIGNING_SECRET"),
        slack_app_token=_token(env, "SLACK_APP_TOKEN", "xapp-"),
        source_url=env.get("LADDER_SOURCE_URL", "").strip().rstrip("/"),
        port=_port(env.get("PORT", "").strip() or "3000"),
    )
    _check_database_url(settings.database_url)
    return settings


_HINTS = {
    "SLACK_BOT_TOKEN": "the Bot User OAuth Token (xoxb-...) from your app's OAuth & Permissions page",
    "SLACK_SIGNING_SECRET": "the Signing Secret from your app's Basic Information page",
    "SLACK_APP_TOKEN": "an app-level token (xapp-...) with connections:write, for Socket Mode",
}


def _content_dir(value: str | None) -> Path:
    if value:
        path = Path(value).expanduser()
        if not path.is_dir():
            raise ConfigError(f"LADDER_CONTENT_DIR / --content: {value} is not a folder")
        return path
    local = Path("ladder_content")
    return local if local.is_dir() else BUNDLED_CONTENT


def _api_url(value: str) -> str:
    parsed = urlparse(value)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise ConfigError(f"SLACK_API_URL must be an http(s) URL such as {DEFAULT_SLACK_API_URL}, got {redact_url(value)!r}")
    return value if value.endswith("/") else value + "/"


def _token(env: Mapping[str, str], name: str, prefix: str) -> str | None:
    value = env.get(name, "").strip()
    if not value:
        return None
    if not value.startswith(prefix) or re.search(r"\s", value):
        # Nothing of the value is shown: even a wrong token may be a real one for something else.
        raise ConfigError(f"{name} must start with {prefix!r} and hold no spaces; the value set does not (it is not shown)")
    return value


def _secret(env: Mapping[str, str], name: str) -> str | None:
    value = env.get(name, "").strip()
    if value and not re.fullmatch(r"[A-Za-z0-9]{8,}", value):
        raise ConfigError(f"{name} looks malformed: a signing secret is letters and digits only")
    return value or None


def _port(value: str) -> int:
    if not value.isdigit() or not 0 < int(value) < 65536:
        raise ConfigError(f"PORT must be a number between 1 and 65535, got {value!r}")
    return int(value)


def _check_database_url(url: str) -> None:
    if not re.match(r"^(sqlite|postgres(ql)?)(\+\w+)?://", url):
        raise ConfigError("DATABASE_URL must be a sqlite:/// or postgresql:// URL")
    if not is_valid_url(url):
        # Not echoed, even redacted: a URL that does not parse cannot be redacted reliably.
        raise ConfigError("DATABASE_URL is not a valid URL: check the host and port, and percent-encode "
                          "special characters in the user name and password")
