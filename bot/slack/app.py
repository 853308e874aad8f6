"""Build the Bolt app: one WebClient pointed at SLACK_API_URL, listeners registered per kind."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Callable

from slack_bolt import App, BoltRequest, BoltResponse
from slack_sdk import WebClient

from bot.config import ConfigError, Settings
from bot.content import Content
from bot.slack import errors
from bot.slack.pacing import Pacer
from bot.slack.retries import retry_handlers
from bot.slack.listeners import actions, commands, events, views
import storage
from storage import DatabaseUnavailable, StorageError, Store
from storage.db import redact_url

log = logging.getLogger(__name__)


@dataclass
class Deps:
    """What listeners need; built once per process."""

    settings: Settings
    content: Content
    store: Store
    now: Callable[[], datetime] = field(default=lambda: datetime.now(timezone.utc))


def make_client(settings: Settings, *, resend_on_doubt: bool = True, pacer: Pacer | None = None) -> WebClient:
    """A WebClient for SLACK_API_URL that retries what Slack asks to be retried.
    The nudge runner passes resend_on_doubt=False: it finds out itself whether Slack
    accepted a message, through the message's metadata, instead of posting it twice."""
    return WebClient(
        token=settings.slack_bot_token,
        base_url=settings.slack_api_url,
        timeout=10,
        retry_handlers=retry_handlers(resend_on_doubt=resend_on_doubt, pacer=pacer),
    )


def create_app(deps: Deps, *, socket_mode: bool = False) -> App:
    # Bolt copies this client's base_url and retry handlers into its per-request clients.
    app = App(
        client=make_client(deps.settings),
        signing_secret=deps.settings.slack_signing_secret,
        request_verification_enabled=not socket_mode,
        process_before_response=False,  # ack first; the work runs after, in Bolt's thread pool
        logger=logging.getLogger("bot.slack.bolt"),
    )
    app.middleware(_skip_retried_events(deps))
    commands.register(app, deps)
    events.register(app, deps)
    actions.register(app, deps)
    views.register(app, deps)
    app.error(errors.handler)
    return app


def _skip_retried_events(deps: Deps):
    """Slack resends an event it thinks was slow, with the same event_id (Socket Mode
    drops the retry headers): the database remembers which ones we have taken."""

    def skip_retried_events(body: dict, request: BoltRequest, next: Callable[[], BoltResponse]) -> BoltResponse | None:
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if event_id:
            try:
                first_time = deps.store.claim_event(body.get("team_id") or "", event_id)
            except StorageError as error:
                # Without the database: answer a first delivery (better twice than never), but
                # not Slack's retries of it, which a slow database would otherwise multiply.
                first_time = not request.headers.get("x-slack-retry-num")
                log.warning("event %s: dedupe unavailable (%s); %s", event_id, error,
                            "handling it anyway" if first_time else "skipping Slack's retry")
            if not first_time:
                log.info("event %s already handled; skipping the retry", event_id)
                return BoltResponse(status=200, body="")
        return next()

    return skip_retried_events


class StartupError(RuntimeError):
    """The app cannot start; the message is one line for the person starting it."""


def build_deps(settings: Settings) -> Deps:
    content = Content(settings.content_dir)
    store = Store(settings.database_url)
    prepare_database(settings.database_url)
    return Deps(settings=settings, content=content, store=store)


def prepare_database(url: str) -> None:
    """SQLite migrates itself; a shared PostgreSQL is migrated by `ladderbot db upgrade`
    (the Procfile's release step), never by several web processes at once."""
    try:
        if url.startswith("sqlite"):
            storage.upgrade(url)
        elif storage.current_revision(url) != storage.head_revision():
            raise ConfigError("DATABASE_URL: the database schema is not up to date; run `ladderbot db upgrade`")
    except DatabaseUnavailable as error:
        # Ladder answers need no database: start anyway and say what will not work.
        log.error("%s; ladder answers work, profiles and prompts will fail until it is back", error)


def start_app(deps: Deps, *, socket_mode: bool = False) -> App:
    try:
        return create_app(deps, socket_mode=socket_mode)
    except Exception as error:  # noqa: BLE001 - auth.test failed: say why in one line
        reason = getattr(getattr(error, "response", None), "data", None) or str(error).splitlines()[0]
        raise StartupError(f"SLACK_BOT_TOKEN could not be verified with Slack at {redact_url(deps.settings.slack_api_url)}: "
                           f"{reason}") from None
