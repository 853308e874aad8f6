"""Log output: text by default, JSON lines with LOG_FORMAT=json, secrets scrubbed from both."""

from __future__ import annotations

import json
import logging

import pytest

from bot.logs import configure_logging

TOKEN = "xoxb-1234567890-abcdefghijkl"


@pytest.fixture
def restore_logging():
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:], root.level = handlers, level


def _log_a_failure() -> None:
    try:
        raise RuntimeError(f"Slack refused {TOKEN}")
    except RuntimeError:
        logging.getLogger("bot.test").exception("sending failed with token %s", TOKEN)


def test_json_logs_are_one_object_a_line_with_secrets_scrubbed(capsys, restore_logging):
    configure_logging(["s3cretsigning"], level="INFO", log_format="json")
    logging.getLogger("bot.test").info("signed with %s", "s3cretsigning")
    _log_a_failure()
    lines = capsys.readouterr().err.strip().splitlines()
    entries = [json.loads(line) for line in lines]
    assert [e["level"] for e in entries] == ["INFO", "ERROR"]
    assert entries[0]["logger"] == "bot.test" and entries[0]["message"] == "signed with [redacted]"
    assert "RuntimeError" in entries[1]["exception"] and "Traceback" in entries[1]["exception"]
    assert TOKEN not in "\n".join(lines) and "s3cretsigning" not in "\n".join(lines)


def test_text_logs_by_default(capsys, restore_logging, monkeypatch):
    monkeypatch.delenv("LOG_FORMAT", raising=False)
    configure_logging([], level="INFO")
    _log_a_failure()
    err = capsys.readouterr().err
    assert "ERROR bot.test: sending failed with token [redacted token]" in err and TOKEN not in err
    with pytest.raises(json.JSONDecodeError):
        json.loads(err.splitlines()[0])
