"""Logging for every ladderbot process, with secrets scrubbed from whatever is logged."""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Iterable

from storage.urls import redact_url

# Slack tokens, whatever their kind, and URLs (their passwords and secret query values).
_TOKEN = re.compile(r"\b(?:xox[a-z]|xapp)-[A-Za-z0-9-]+")
# Greedy up to whitespace or quotes: a password with an unescaped ')' is hidden too.
_URL = re.compile(r"\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s'\"<>]+")


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    text = _URL.sub(_redacted_url, _TOKEN.sub("[redacted token]", text))
    for secret in secrets:
        if secret:
            text = text.replace(secret, "[redacted]")
    return text


def _redacted_url(found: re.Match[str]) -> str:
    url = found.group().rstrip(").,:;")  # punctuation around a URL in a sentence stays readable
    return redact_url(url) + found.group()[len(url) :]


class RedactingFormatter(logging.Formatter):
    """Scrubs the finished line, tracebacks included, so no code path can leak a token."""

    def __init__(self, fmt: str, secrets: Iterable[str]) -> None:
        super().__init__(fmt)
        self._secrets = tuple(s for s in secrets if s)

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record), self._secrets)


class JsonFormatter(RedactingFormatter):
    """One JSON object a line (LOG_FORMAT=json), for log collectors; scrubbed like the text lines."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__("%(message)s", secrets)

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return redact(json.dumps(entry, ensure_ascii=False), self._secrets)


def configure_logging(secrets: Iterable[str] = (), level: str | None = None, log_format: str | None = None) -> None:
    handler = logging.StreamHandler()
    if (log_format or os.environ.get("LOG_FORMAT", "")).strip().lower() == "json":
        handler.setFormatter(JsonFormatter(secrets))
    else:
        handler.setFormatter(RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s", secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel((level or os.environ.get("LOG_LEVEL") or "INFO").upper())
    # markdown-it logs every parser rule on every line at DEBUG: noise that slows loading to a crawl.
    logging.getLogger("markdown_it").setLevel(logging.WARNING)
