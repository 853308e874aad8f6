"""Any error reaches the person as one friendly line with a reference id, and the
log as the full record under the same id."""

from __future__ import annotations

import logging
import secrets

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.slack.retries import ResponseUrlError, post_to_response_url

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
    tell_person(body, client, friendly_text(error, reference))


def tell_person(body: dict, client: WebClient, text: str) -> None:
    """Reply through the response_url if there is one, else (or if that fails too)
    ephemerally in the channel."""
    if body.get("response_url"):
        try:
            post_to_response_url(body["response_url"], text=text, response_type="ephemeral", replace_original=False)
            return
        except Exception:  # noqa: BLE001 - try the other way
            log.warning("could not answer through the response_url; trying an ephemeral message")
    event = body.get("event") or {}
    user = event.get("user") or body.get("user_id") or (body.get("user") or {}).get("id")
    channel = event.get("channel") or body.get("channel_id") or (body.get("channel") or {}).get("id")
    try:
        if channel and user:
            if channel.startswith("D"):
                client.chat_postMessage(channel=channel, text=text, thread_ts=event.get("thread_ts"))
            else:
                client.chat_postEphemeral(channel=channel, user=user, text=text, thread_ts=event.get("thread_ts") or event.get("ts"))
    except Exception:  # noqa: BLE001 - the error is already logged; this is best effort
        log.warning("could not tell the person about the error", exc_info=True)


def describe(body: dict) -> str:
    kind = body.get("type") or ("slash_command" if body.get("command") else "request")
    detail = body.get("command") or (body.get("event") or {}).get("type") or ""
    return f"{kind} {detail}".strip()
