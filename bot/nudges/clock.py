"""The clock process: run the due nudges every few minutes, on APScheduler.

Exactly one clock process should run (APScheduler's job stores must not be shared),
but correctness never depends on it: the database's unique claim decides who sends.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.interval import IntervalTrigger
from prometheus_client import start_http_server

from bot import metrics
from bot.nudges.installations import EveryInstallation
from bot.nudges.runner import NudgeRunner, RunSummary
from storage import Store

log = logging.getLogger(__name__)

EVENT_IDS_KEPT_FOR = timedelta(days=7)  # Slack retries within minutes; a week is plenty


def tick(
    runner: NudgeRunner | EveryInstallation,
    now: datetime | None = None,
    *,
    forget_workspaces_after: timedelta = timedelta(days=30),
) -> None:
    """One clock tick: tell people about changed levels, send what is due (per installation in
    multi-workspace mode), forget old Slack event ids, and delete the data of workspaces that
    left longer ago than the grace period."""
    now = now or datetime.now(timezone.utc)
    try:
        runner.send_change_notes(now)  # in multi-workspace mode, each workspace's with its own token
    except Exception:  # the prompts go out whatever happened to the notes
        log.exception("clock: could not check for ladder changes")
    count_prompts(runner.run_due(now))
    forgotten = runner.store.forget_events_before(now - EVENT_IDS_KEPT_FOR)
    if forgotten:
        log.info("clock: forgot %d handled Slack event ids older than %s", forgotten, EVENT_IDS_KEPT_FOR)
    forget_departed_workspaces(runner.store, now, forget_workspaces_after, runner.installed_teams())
    runner.store.forget_expired_oauth_states(now)


def forget_departed_workspaces(store: Store, now: datetime, grace: timedelta, installed: set[str]) -> list[str]:
    """Delete every row of each workspace that uninstalled more than `grace` before `now`;
    one that is `installed` again (a reinstall the OAuth page did not see, or a new
    SLACK_BOT_TOKEN for it) keeps its data."""
    teams = []
    for team_id in store.departed_before(now - grace):
        if team_id in installed:
            store.workspace_returned(team_id)
            log.info("workspace %s is installed again: its data is kept", team_id)
        else:
            teams.append(team_id)
    for team_id in teams:
        deleted = store.forget_workspace(team_id)
        log.info(
            "workspace %s left over %s ago: deleted %s",
            team_id,
            grace,
            ", ".join(f"{count} {table}" for table, count in deleted.items()) or "nothing",
        )
    return teams


def count_prompts(summary: RunSummary) -> None:
    for outcome in metrics.PROMPT_OUTCOMES:
        metrics.PROMPTS.labels(outcome).inc(getattr(summary, outcome))


def run_clock(
    runner: NudgeRunner | EveryInstallation,
    every_minutes: int = 5,
    metrics_port: int = 0,
    *,
    forget_workspaces_after: timedelta = timedelta(days=30),
) -> None:
    if metrics_port:
        start_http_server(metrics_port)  # GET /metrics on every path of this port, from a daemon thread
        log.info("clock: metrics on port %d", metrics_port)
    scheduler = BlockingScheduler(timezone=timezone.utc)
    scheduler.add_job(
        tick,
        IntervalTrigger(minutes=every_minutes),
        args=(runner,),
        kwargs={"forget_workspaces_after": forget_workspaces_after},
        id="run-due-nudges",
        next_run_time=datetime.now(timezone.utc),  # catch up at start, not in five minutes
        max_instances=1,
        coalesce=True,  # after a long pause, one catch-up run, not a burst
        misfire_grace_time=3600,  # APScheduler's default of 1 s would silently skip runs
    )
    log.info("clock: running due nudges every %d minutes", every_minutes)
    scheduler.start()
