"""Build the Bolt app: one WebClient pointed at SLACK_API_URL, listeners registered per kind."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Callable

from slack_bolt import App
from slack_sdk import WebClient

from bot.config import ConfigError, Settings, StartupError
from bot.content import Content
from bot.slack import errors
from bot.slack.dedupe import EventDedupe
from bot.slack.pacing import Pacer
from bot.slack.retries import retry_handlers
from bot.slack.listeners import actions, commands, events, views
from bot.workpool import WorkPool
import storage
from storage import DatabaseUnavailable, Store
from storage.urls import redact_url

log = logging.getLogger(__name__)


@dataclass
class Deps:
    """What listeners need; built once per process."""

    settings: Settings
    content: Content
    store: Store
    now: Callable[[], datetime] = field(default=lambda: datetime.now(timezone.utc))
    work: WorkPool = field(init=False)  # where answers are built, after the ack
    dedupe: EventDedupe = field(init=False)

    def __post_init__(self) -> None:
        self.work = WorkPool(self.settings.answer_threads, self.settings.answer_queue, name="answer")
        self.dedupe = EventDedupe(self.store)


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
        # Listeners run on the request thread, only to queue the work on deps.work and ack:
        # the ack never waits for a thread that waits on Slack (see bot/slack/handoff.py).
        process_before_response=True,
        logger=logging.getLogger("bot.slack.bolt"),
    )
    commands.register(app, deps)
    events.register(app, deps)
    actions.register(app, deps)
    views.register(app, deps)
    app.error(_report_off_the_request_thread(deps))
    return app


def _report_off_the_request_thread(deps: Deps) -> Callable[..., None]:
    """A listener that failed before its ack: telling the person calls Slack, so that waits
    for the pool like any answer (or, when it is full, only the log hears of it)."""

    def report(error: Exception, body: dict, client: WebClient) -> None:
        if not deps.work.submit(lambda: errors.handler(error, body, client)):
            log.error("%s failed (not told: busy): %r", errors.describe(body), error, exc_info=error)

    return report


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
