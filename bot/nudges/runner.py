"""Send every growth prompt that is due, exactly once.

The database decides who sends: a prompt is claimed (UNIQUE team, user, period) before
it goes to Slack and marked sent only when Slack accepted it. A claim left behind by a
crashed run is taken over after its lease; before sending again, the DM's history is
searched for the message (it carries the nudge id as message metadata), so a message
Slack accepted but the database never recorded is not sent twice.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import islice

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.content import Content
from bot.nudges import schedule
from bot.nudges.choose import Prompt, choose_prompt
from bot.slack import profile_blocks as pb
from storage import Nudge, Person, StorageError, Store

log = logging.getLogger(__name__)

METADATA_EVENT = "ladder_nudge"
IGNORED_BEFORE_PAUSE = 3
INDEFINITELY = timedelta(days=3650)
TZ_FRESH_FOR = timedelta(hours=24)  # people travel: ask Slack for their zone at least daily
# Slack errors that will not go away by trying again: record, skip, move on.
PERMANENT_ERRORS = {"user_not_found", "account_inactive", "user_disabled", "cannot_dm_bot", "channel_not_found",
                    "is_archived", "user_is_bot", "invalid_user", "messages_tab_disabled"}
# Errors about our own token: no prompt can go out, so stop the run and say why.
FATAL_ERRORS = {"invalid_auth", "not_authed", "token_revoked", "token_expired", "account_inactive_bot",
                "missing_scope", "not_allowed_token_type"}


@dataclass
class RunSummary:
    sent: int = 0
    skipped: int = 0
    failed: int = 0
    waiting: int = 0  # people with prompts on, but none due right now
    recovered: int = 0  # sent by an interrupted run, found in Slack, recorded, not resent
    stopped: str = ""  # why the run stopped early, if it did

    def add(self, outcome: str) -> None:
        if outcome == "recovered":
            self.recovered += 1
            outcome = "sent"
        setattr(self, outcome, getattr(self, outcome) + 1)

    def line(self) -> str:
        recovered = f", {self.recovered} of them found already delivered by an interrupted run" if self.recovered else ""
        stopped = f"; stopped early: Slack said {self.stopped}, check SLACK_BOT_TOKEN" if self.stopped else ""
        return (f"nudges: {self.sent} sent, {self.skipped} skipped, {self.failed} failed "
                f"({self.waiting} not due{recovered}){stopped}")


class NudgeRunner:
    def __init__(self, store: Store, content: Content, client: WebClient, *, worker: str | None = None,
                 lease: timedelta = timedelta(minutes=10), threads: int = 4, batch_size: int = 500) -> None:
        self.store = store
        self.content = content
        self.client = client
        self.worker = worker or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.lease = lease
        self.threads = threads
        self.batch_size = batch_size
        self._stop_reason = ""

    def run_due(self, now: datetime) -> RunSummary:
        summary = RunSummary()
        self._stop_reason = ""
        people = self.store.people_due_candidates(self.batch_size)
        with ThreadPoolExecutor(max_workers=self.threads, thread_name_prefix="nudge") as pool:
            while batch := list(islice(people, self.batch_size)):
                todo = self._unsettled(batch, now)
                summary.waiting += len(batch) - len(todo)
                for outcome in pool.map(lambda person: self._nudge_safely(person, now), todo):
                    summary.add(outcome)
                if self._stop_reason:
                    break
        summary.stopped = self._stop_reason
        (log.error if summary.stopped else log.info)(summary.line())
        return summary

    def _unsettled(self, batch: list[Person], now: datetime) -> list[Person]:
        """This period's prompt not sent yet, and due by the clock, or due for a look at
        their time zone (someone who moved east may be due already)."""
        wanting = [p for p in batch if schedule.wants_prompts(p, now) and (schedule.is_due_now(p, now) or _tz_stale(p, now))]
        keys = {p.id: (p.team_id, p.user_id, schedule.current_period(p, now)) for p in wanting}
        settled = self.store.settled_periods(keys.values(), now=now, lease=self.lease)
        return [p for p in wanting if keys[p.id] not in settled]

    def _nudge_safely(self, person: Person, now: datetime) -> str:
        try:
            return self._nudge(person, now)
        except Exception:  # noqa: BLE001 - one person's failure never stops the run
            log.exception("nudge for %s/%s failed", person.team_id, person.user_id)
            return "failed"

    def _nudge(self, person: Person, now: datetime) -> str:
        if self._stop_reason:
            return "failed"  # our token is refused: nothing can go out in this run
        person, active = self._refresh_from_slack(person, now)
        if not active:
            return self._record_unreachable(person, now)
        if not schedule.is_due_now(person, now):
            return "waiting"  # their fresh time zone says not yet
        ladder = self.content.answerer.ladder
        target = ladder.get(person.target_level_id)
        if target is None:
            log.warning("%s/%s: target level %s is not in the ladder any more; no prompt sent",
                        person.team_id, person.user_id, person.target_level_id)
            return "skipped"
        period = schedule.current_period(person, now)
        prompt = self._snoozed_prompt(person, target.id, period)
        if prompt is None:
            used = self.store.used_competency_keys(person.team_id, person.user_id, target.id)
            prompt = choose_prompt(ladder.get(person.current_level_id), target, used, seed=period)
        if prompt is None:
            return "skipped"
        nudge = self.store.claim_nudge(person.team_id, person.user_id, period, worker=self.worker, now=now,
                                       lease=self.lease, **prompt.__dict__)
        if nudge is None:
            return "skipped"  # another process has it
        if nudge.attempts == 1 and self._ignored_too_often(person, nudge, now):
            return "skipped"
        return self._deliver(nudge, target.name, now)

    def _snoozed_prompt(self, person: Person, level_id: str, period: str) -> Prompt | None:
        """"Snooze a week" brings the same competency back in the next prompt."""
        latest = next(iter(self.store.recent_nudges(person.team_id, person.user_id, 1)), None)
        if latest is None or latest.status != "snoozed" or latest.period == period or latest.level_id != level_id:
            return None
        return Prompt(latest.level_id, latest.competency_key, latest.competency_text, latest.section_name,
                      latest.example_text, latest.question)

    def _deliver(self, nudge: Nudge, level_name: str, now: datetime) -> str:
        if nudge.attempts > 1:
            delivered = self._already_delivered(nudge, now)
            if delivered is None:
                return self._failed(nudge, "could not check whether an earlier run delivered it", now)
            if delivered:
                return "recovered"
        try:
            response = self.client.chat_postMessage(
                channel=nudge.user_id, text=f"A growth prompt for {level_name}",
                blocks=pb.nudge_blocks(nudge, level_name), unfurl_links=False,
                metadata={"event_type": METADATA_EVENT, "event_payload": {"nudge_id": nudge.id, "period": nudge.period}},
            )
        except SlackApiError as error:
            return self._failed(nudge, error.response.get("error") or f"HTTP {error.response.status_code}", now)
        except (OSError, TimeoutError) as error:  # connection reset, timeout: Slack may be back next run
            return self._failed(nudge, f"{type(error).__name__}: {error}", now)
        self.store.mark_nudge_sent(nudge.id, channel_id=response["channel"], message_ts=response["ts"], now=now,
                                   worker=self.worker)
        return "sent"

    def _failed(self, nudge: Nudge, error: str, now: datetime) -> str:
        """Permanent errors close the period; anything else is retried by the next run,
        for as long as the period lasts (a Slack outage never costs anyone their prompt)."""
        if error in PERMANENT_ERRORS:
            self.store.mark_nudge_failed(nudge.id, error=error, now=now, worker=self.worker)
            log.warning("nudge %s for %s: %s; not retrying", nudge.id, nudge.user_id, error)
            return "skipped"
        if error in FATAL_ERRORS:
            self._stop_reason = error
        self.store.mark_nudge_retry(nudge.id, error=error, now=now, worker=self.worker)
        log.warning("nudge %s for %s: %s; will retry next run", nudge.id, nudge.user_id, error)
        return "failed"

    def _already_delivered(self, nudge: Nudge, now: datetime) -> bool | None:
        """An earlier attempt may have reached Slack without being recorded (a crash, a
        reset after Slack accepted it): look for the nudge id in the DM's message metadata,
        since the period began. None when Slack could not be asked: never send blind."""
        since = datetime.combine(schedule.period_start(nudge.period) - timedelta(days=1), datetime.min.time(), now.tzinfo)
        try:
            channel = self.client.conversations_open(users=nudge.user_id)["channel"]["id"]
            pages = self.client.conversations_history(channel=channel, oldest=str(since.timestamp()),
                                                      include_all_metadata=True, limit=200)
            for page in pages:  # slack-sdk follows the cursor
                for message in page.get("messages", []):
                    payload = (message.get("metadata") or {}).get("event_payload") or {}
                    if payload.get("nudge_id") == nudge.id:
                        self.store.mark_nudge_sent(nudge.id, channel_id=channel, message_ts=message["ts"], now=now,
                                                   worker=self.worker)
                        log.info("nudge %s was delivered by an earlier attempt; recorded it instead of resending", nudge.id)
                        return True
        except (SlackApiError, OSError) as error:
            log.warning("nudge %s: could not check the DM history (%s); retrying later", nudge.id, error)
            return None
        return False

    def _refresh_from_slack(self, person: Person, now: datetime) -> tuple[Person, bool]:
        """Their time zone can change when they travel; a deactivated person gets nothing."""
        try:
            user = self.client.users_info(user=person.user_id)["user"]
        except SlackApiError as error:
            if error.response.get("error") in PERMANENT_ERRORS:
                return person, False
            log.warning("users.info for %s failed (%s); using the stored time zone", person.user_id, error)
            return person, True
        except OSError as error:
            log.warning("users.info for %s failed (%s); using the stored time zone", person.user_id, error)
            return person, True
        if user.get("deleted"):
            return person, False
        tz = user.get("tz") or person.tz
        if tz != person.tz or _tz_stale(person, now):
            try:
                person = self.store.update_person(person.team_id, person.user_id, tz=tz, tz_refreshed_at=now)
            except (ValueError, StorageError) as error:
                log.warning("could not store time zone %r for %s: %s", tz, person.user_id, error)
        return person, True

    def _record_unreachable(self, person: Person, now: datetime) -> str:
        """A deactivated or missing person: recorded once for the period, then left alone."""
        period = schedule.current_period(person, now)
        nudge = self.store.claim_nudge(person.team_id, person.user_id, period, worker=self.worker, now=now,
                                       lease=self.lease, level_id=person.target_level_id or "", competency_key="",
                                       competency_text="", section_name="", example_text=None, question="")
        if nudge is not None:
            self.store.mark_nudge_failed(nudge.id, error="user deactivated or not found", now=now, worker=self.worker)
        return "skipped"

    def _ignored_too_often(self, person: Person, nudge: Nudge, now: datetime) -> bool:
        """Three prompts in a row without a reply, skip or snooze: pause, and say so once.
        Counted on a period's first claim only, so the unique claim makes it once per period."""
        previous = next((n for n in self.store.recent_nudges(person.team_id, person.user_id, 2) if n.id != nudge.id), None)
        streak = person.ignored_streak + 1 if previous is not None and previous.status == "sent" else 0
        if streak < IGNORED_BEFORE_PAUSE:
            if streak != person.ignored_streak:
                self.store.update_person(person.team_id, person.user_id, ignored_streak=streak)
            return False
        self.store.update_person(person.team_id, person.user_id, ignored_streak=streak, paused_until=now + INDEFINITELY)
        self.store.set_nudge_status(person.team_id, person.user_id, nudge.id, "skipped", now=now)
        self.client.chat_postMessage(channel=person.user_id, text="I've paused your growth prompts",
                                     blocks=pb.paused_blocks())
        return True


def _tz_stale(person: Person, now: datetime) -> bool:
    return person.tz_refreshed_at is None or now - person.tz_refreshed_at > TZ_FRESH_FOR
