"""Any error reaches the person as one friendly line with a reference id, and the
log as the full record under the same id."""

from __future__ import annotations

import logging
import secrets

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.slack import replies
from bot.slackkit.retries import ResponseUrlError
from storage import DatabaseUnavailable

log = logging.getLogger(__name__)


def new_reference() -> str:
    return secrets.token_hex(3).upper()


def friendly_text(error: BaseException, reference: str) -> str:
    if isinstance(error, DatabaseUnavailable):
        cause = "I can't reach my database just now, so I couldn't save or read your settings"
    elif isinstance(error, (SlackApiError, ResponseUrlError)):
        cause = "Slack didn't accept my answer just now"
    else:
        cause = "Something went wrong on my side"
    return f":warning: {cause}. Please try again in a minute. (reference `{reference}`)"


def handler(error: Exception, body: dict, client: WebClient) -> None:
    """Bolt's global error handler: log, then tell the person where they asked."""
    reference = new_reference()
    log.error("ref %s: %s failed: %r", reference, describe(body), error, exc_info=error)
    replies.tell(body, client, friendly_text(error, reference))


def describe(body: dict) -> str:
    kind = body.get("type") or ("slash_command" if body.get("command") else "request")
    detail = body.get("command") or (body.get("event") or {}).get("type") or ""
    return f"{kind} {detail}".strip()
