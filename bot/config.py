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

from storage.urls import DEFAULT_DATABASE_URL, is_valid_url, redact_url

DEFAULT_SLACK_API_URL = "https://slack.com/api/"
# slack-sdk's Socket Mode client drops a connection after five pings without a pong:
# 1.5 s notices a silently dead one in under 8 s (Bolt's default of 10 s takes 50).
DEFAULT_SOCKET_PING_INTERVAL = 1.5
BUNDLED_CONTENT = Path(__file__).resolve().parent.parent / "ladder_content"


class ConfigError(ValueError):
    """A setting is missing or malformed; the message names it."""


class StartupError(RuntimeError):
    """The app cannot start; the message is one line for the person starting it."""


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
    # What one web process takes on at once (README "Limits"): answers are built on
    # answer_threads threads with at most answer_queue waiting; beyond that, "busy".
    answer_threads: int = 8
    answer_queue: int = 64
    max_body_bytes: int = 1_048_576  # Slack's requests are a few KB; a modal's state well under 1 MB
    request_timeout: int = 10  # seconds for a whole HTTP request; Slack gives up after 3
    socket_ping_interval: float = DEFAULT_SOCKET_PING_INTERVAL  # seconds, Socket Mode only
    # The slash command as the workspace installed it: hints in answers to buttons, DMs and the
    # App Home name it (a slash command's own answers use the one typed).
    slash_command: str = "/ladder"
    # Multi-workspace mode (README "Installing in many workspaces"): Slack's OAuth flow.
    slack_client_id: str | None = None
    slack_client_secret: str | None = None
    forget_workspace_after_days: int = 30  # after an uninstall; a reinstall within it keeps the data

    @property
    def oauth(self) -> bool:
        """Multi-workspace mode: every token comes from the installation store."""
        return bool(self.slack_client_id and self.slack_client_secret)

    @property
    def secrets(self) -> tuple[str, ...]:
        """What logs must never show (bot/logs.py scrubs them from every line)."""
        candidates = (self.slack_bot_token, self.slack_signing_secret, self.slack_app_token, self.slack_client_secret)
        return tuple(s for s in candidates if s)

    def __repr__(self) -> str:
        # Never let a token reach a log line through a repr.
        return (
            f"Settings(content_dir={self.content_dir!s}, slack_api_url={redact_url(self.slack_api_url)}, "
            f"database_url={redact_url(self.database_url)}, tokens=<hidden>)"
        )


def load_settings(
    env: Mapping[str, str] | None = None, *, content_dir: str | None = None, require: tuple[str, ...] = ()
) -> Settings:
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
        answer_threads=_positive(env, "LADDERBOT_ANSWER_THREADS", 8, minimum=1),
        answer_queue=_positive(env, "LADDERBOT_ANSWER_QUEUE", 64, minimum=0),
        max_body_bytes=_positive(env, "LADDERBOT_MAX_BODY_BYTES", 1_048_576, minimum=1024),
        request_timeout=_positive(env, "LADDERBOT_REQUEST_TIMEOUT", 10, minimum=1),
        socket_ping_interval=_ping_interval(env.get("SLACK_SOCKET_PING_INTERVAL", "").strip()),
        slash_command=_slash_command(env.get("LADDER_SLASH_COMMAND", "").strip()),
        slack_client_id=env.get("SLACK_CLIENT_ID", "").strip() or None,
        slack_client_secret=_secret(env, "SLACK_CLIENT_SECRET"),
        forget_workspace_after_days=_positive(env, "LADDERBOT_FORGET_WORKSPACE_AFTER_DAYS", 30, minimum=0),
    )
    _check_database_url(settings.database_url)
    return settings


_HINTS = {
    "SLACK_BOT_TOKEN": "the Bot User OAuth Token (xoxb-...) from your app's OAuth & Permissions page",
    "SLACK_SIGNING_SECRET": "the Signing Secret from your app's Basic Information page",
    "SLACK_APP_TOKEN": "an app-level token (xapp-...) with connections:write, for Socket Mode",
    "SLACK_CLIENT_SECRET": "the Client Secret from your app's Basic Information page",
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
        raise ConfigError(
            f"SLACK_API_URL must be an http(s) URL such as {DEFAULT_SLACK_API_URL}, got {redact_url(value)!r}"
        )
    return value if value.endswith("/") else value + "/"


def _token(env: Mapping[str, str], name: str, prefix: str) -> str | None:
    value = env.get(name, "").strip()
    if not value:
        return None
    if not value.startswith(prefix) or re.search(r"\s", value):
        # Nothing of the value is shown: even a wrong token may be a real one for something else.
        raise ConfigError(
            f"{name} must start with {prefix!r} and hold no spaces; the value set does not (it is not shown)"
        )
    return value


def _secret(env: Mapping[str, str], name: str) -> str | None:
    value = env.get(name, "").strip()
    if value and not re.fullmatch(r"[A-Za-z0-9]{8,}", value):
        raise ConfigError(f"{name} looks malformed: a Slack secret is letters and digits only")
    return value or None


def _port(value: str) -> int:
    if not value.isdigit() or not 0 < int(value) < 65536:
        raise ConfigError(f"PORT must be a number between 1 and 65535, got {value!r}")
    return int(value)


def _positive(env: Mapping[str, str], name: str, default: int, *, minimum: int) -> int:
    value = env.get(name, "").strip()
    if not value:
        return default
    if not value.isdigit() or int(value) < minimum:
        raise ConfigError(f"{name} must be a whole number of at least {minimum}, got {value!r}")
    return int(value)


def _slash_command(value: str) -> str:
    if not value:
        return "/ladder"
    if not re.fullmatch(r"/[a-z0-9_-]{1,31}", value):
        raise ConfigError(f"LADDER_SLASH_COMMAND must be a slash command such as /ladder-dev, got {value!r}")
    return value


def _ping_interval(value: str) -> float:
    if not value:
        return DEFAULT_SOCKET_PING_INTERVAL
    try:
        seconds = float(value)
    except ValueError:
        seconds = 0.0
    if not 0.5 <= seconds <= 30:
        raise ConfigError(f"SLACK_SOCKET_PING_INTERVAL must be seconds between 0.5 and 30, got {value!r}")
    return seconds


def _check_database_url(url: str) -> None:
    if not re.match(r"^(sqlite|postgres(ql)?)(\+\w+)?://", url):
        raise ConfigError("DATABASE_URL must be a sqlite:/// or postgresql:// URL")
    if not is_valid_url(url):
        # Not echoed, even redacted: a URL that does not parse cannot be redacted reliably.
        raise ConfigError(
            "DATABASE_URL is not a valid URL: check the host and port, and percent-encode "
            "special characters in the user name and password"
        )
