"""One way to make a Web API client: pointed at SLACK_API_URL, retrying what Slack asks to be retried."""

from __future__ import annotations

from slack_sdk import WebClient

from bot.config import Settings
from bot.slackkit.pacing import Pacer
from bot.slackkit.retries import retry_handlers


def make_client(
    settings: Settings, *, resend_on_doubt: bool = True, pacer: Pacer | None = None, token: str | None = None
) -> WebClient:
    """A WebClient for SLACK_API_URL that retries what Slack asks to be retried.
    The nudge runner passes resend_on_doubt=False: it finds out itself whether Slack
    accepted a message, through the message's metadata, instead of posting it twice."""
    return WebClient(
        token=token or settings.slack_bot_token,
        base_url=settings.slack_api_url,
        timeout=10,
        retry_handlers=retry_handlers(resend_on_doubt=resend_on_doubt, pacer=pacer),
    )
