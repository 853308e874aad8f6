"""Ack on the request thread at once; build and send the answer on the bounded work pool.

Nothing that waits on Slack or the database runs before the ack, so a slow Slack, a
429, or a locked database never makes Slack show a person "didn't respond".
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from slack_bolt import Ack, BoltResponse
from slack_sdk import WebClient

from bot import metrics
from bot.slack import errors

if TYPE_CHECKING:
    from bot.slack.deps import Deps

log = logging.getLogger(__name__)

BUSY_TEXT = ":hourglass_flowing_sand: ladderbot is busy right now. Please try again in a moment."


Work = Callable[[], "str | None"]  # returns how it went, when that is not plain "ok"


def command(ack: Ack, deps: Deps, body: dict, client: WebClient, work: Work) -> None:
    """A slash command: acked empty when its answer is queued, acked with BUSY_TEXT
    (which the person sees) when the pool is full."""
    if later(deps, body, client, work):
        ack()
    else:
        ack(text=BUSY_TEXT, response_type="ephemeral")


def interaction(ack: Ack, deps: Deps, body: dict, client: WebClient, work: Work) -> BoltResponse | None:
    """A click or modal submission: acked when queued, else `busy()`."""
    if not later(deps, body, client, work):
        return busy()
    ack()
    return None


def event(deps: Deps, body: dict, client: WebClient, work: Work) -> BoltResponse | None:
    """An event (Bolt acks it when the listener returns None), skipped in the pool if
    Slack already delivered it; `busy()` when the pool is full."""

    def once() -> str | None:
        event_id = body.get("event_id")
        if event_id and not deps.dedupe.first_time(body.get("team_id") or "", event_id):
            log.info("event %s already handled; skipping the retry", event_id)
            return "duplicate"
        return work()

    return None if later(deps, body, client, once) else busy()


def request_kind(body: dict) -> str:
    """A small, fixed vocabulary for logs and metric labels: "slash_command", "app_mention",
    "block_actions"..."""
    if body.get("command"):
        return "slash_command"
    if body.get("type") == "event_callback":
        return str((body.get("event") or {}).get("type") or "event")
    return str(body.get("type") or "request")


def busy() -> BoltResponse:
    """No ack, for an event, click or modal when the pool is full. Slack then resends the
    event later (after about 1 and 5 minutes), marks the click as failed, or keeps the
    modal open with what was typed, saying it could not be submitted: nothing is lost."""
    return BoltResponse(status=503, body="busy")


def later(deps: Deps, body: dict, client: WebClient, work: Work) -> bool:
    """Queue `work`; its errors reach the person as any listener's would. False when full."""
    kind = request_kind(body)
    metrics.REQUESTS.labels(kind).inc()
    queued = time.monotonic()

    def job() -> None:
        outcome = "ok"
        try:
            outcome = work() or outcome
        except Exception as error:  # noqa: BLE001 - reported to the person and the log
            outcome = "error"
            errors.handler(error, body, client)
        finally:
            took = time.monotonic() - queued
            metrics.ANSWERS.labels(kind, outcome).inc()
            metrics.ANSWER_SECONDS.labels(kind).observe(took)
            log.info("%s %s done in %d ms: %s", kind, body.get("event_id") or "", took * 1000, outcome)

    accepted = deps.work.submit(job)
    if not accepted:
        metrics.ANSWERS.labels(kind, "busy").inc()
        log.warning(
            "busy (%d answers running, %d waiting): turned away a %s",
            deps.work.threads,
            deps.work.queue_limit,
            errors.describe(body),
        )
    return accepted
