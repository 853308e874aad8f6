"""Build the Bolt app from Deps (bot/slack/deps.py): one WebClient for SLACK_API_URL
(bot/slackkit/client.py), the listeners of bot/slack/listeners/, one error handler."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from bot.config import StartupError
from bot.slack import errors, listeners, oauth
from bot.slack.deps import Deps
from bot.slackkit.client import make_client
from storage.urls import redact_url

log = logging.getLogger(__name__)


def create_app(deps: Deps, *, socket_mode: bool = False) -> App:
    """One workspace with SLACK_BOT_TOKEN, or any number through Slack's OAuth flow when
    SLACK_CLIENT_ID and SLACK_CLIENT_SECRET are set (bot/slack/oauth.py)."""
    multi: dict[str, Any] = (
        {"oauth_settings": oauth.settings_for(deps)} if deps.settings.oauth and not socket_mode else {}
    )
    app = App(
        # Bolt copies this client's base_url and retry handlers into its per-request clients.
        client=make_client(deps.settings),
        signing_secret=deps.settings.slack_signing_secret,
        request_verification_enabled=not socket_mode,
        # Listeners run on the request thread, only to queue the work on deps.work and ack:
        # the ack never waits for a thread that waits on Slack (see bot/slack/handoff.py).
        process_before_response=True,
        logger=logging.getLogger("bot.slack.bolt"),
        **multi,
    )
    listeners.register(app, deps)
    app.error(_report_off_the_request_thread(deps))
    return app


def _report_off_the_request_thread(deps: Deps) -> Callable[..., None]:
    """A listener that failed before its ack: telling the person calls Slack, so that waits
    for the pool like any answer (or, when it is full, only the log hears of it)."""

    def report(error: Exception, body: dict, client: WebClient) -> None:
        if not deps.work.submit(lambda: errors.handler(error, body, client)):
            log.error("%s failed (not told: busy): %r", errors.describe(body), error, exc_info=error)

    return report


def start_app(deps: Deps, *, socket_mode: bool = False) -> App:
    """create_app, with a failed auth.test (a bad token, Slack unreachable) said in one line."""
    try:
        return create_app(deps, socket_mode=socket_mode)
    except Exception as error:  # noqa: BLE001 - auth.test failed: say why in one line
        if deps.settings.oauth:
            raise StartupError(
                f"the Slack app could not be set up for OAuth installs: {str(error).splitlines()[0]}"
            ) from None
        reason = getattr(getattr(error, "response", None), "data", None) or str(error).splitlines()[0]
        raise StartupError(
            f"SLACK_BOT_TOKEN could not be verified with Slack at {redact_url(deps.settings.slack_api_url)}: {reason}"
        ) from None
