"""Send every growth prompt that is due, exactly once.

The database decides who sends: a prompt is claimed (UNIQUE team, user, period) before
it goes to Slack and marked sent only when Slack accepted it. A claim left behind by a
crashed run is taken over after its lease; before sending again, the DM's history is
searched for the message (it carries the nudge id as message metadata), so a message
Slack accepted but the database never recorded is not sent twice.

People are handled in batches, in phases: what the batch needs is read in bulk, time
zones are refreshed (users.list when many are stale), prompts are claimed in one
transaction, sent from a few threads sharing one rate-limit pacer, and their outcomes
recorded in one statement.
"""

from __future__ import annotations

import logging
import os
import socket
import time
import uuid
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from itertools import islice

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import schedule
from bot.config import Settings
from bot.content import Content
from bot.growth.due import ReassessPolicy
from bot.nudges.change_notes import send_change_notes
from bot.nudges.choose import Prompt, PromptChooser
from bot.slackkit import prompt_blocks
from bot.slackkit.pacing import Pacer
from storage import Assessment, Nudge, Person, StorageError, Store

log = logging.getLogger(__name__)

REASSESS_KEY = "reassess"  # a period's message that offers a re-assessment instead of a prompt
METADATA_EVENT = "ladder_nudge"
IGNORED_BEFORE_PAUSE = 3
INDEFINITELY = timedelta(days=3650)
TZ_FRESH_FOR = timedelta(hours=24)  # people travel: ask Slack for their zone at least daily
BULK_DIRECTORY_FROM = 50  # this many stale time zones in a batch: one users.list beats many users.info
SEND_CHUNK = 50  # claims are renewed this many at a time, just before they are sent
# Slack errors that will not go away by trying again: record, skip, move on.
PERMANENT_ERRORS = {
    "user_not_found",
    "account_inactive",
    "user_disabled",
    "cannot_dm_bot",
    "channel_not_found",
    "is_archived",
    "user_is_bot",
    "invalid_user",
    "messages_tab_disabled",
}
# Errors about our own token: no prompt can go out, so stop the run and say why.
FATAL_ERRORS = {
    "invalid_auth",
    "not_authed",
    "token_revoked",
    "token_expired",
    "account_inactive_bot",
    "missing_scope",
    "not_allowed_token_type",
}


class _HistoryUnavailable(Exception):
    """Slack could not say whether an earlier attempt delivered a prompt."""


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
        recovered = (
            f", {self.recovered} of them found already delivered by an interrupted run" if self.recovered else ""
        )
        stopped = f"; stopped early: Slack said {self.stopped}, check SLACK_BOT_TOKEN" if self.stopped else ""
        return (
            f"nudges: {self.sent} sent, {self.skipped} skipped, {self.failed} failed "
            f"({self.waiting} not due{recovered}){stopped}"
        )


@dataclass
class _Delivery:
    """A claimed prompt on its way to Slack, and what became of it."""

    nudge: Nudge
    level_name: str
    pause_notice: bool = False  # "I've paused your prompts" instead of the prompt
    reassess: bool = False  # "time to re-assess" instead of the prompt
    outcome: str = "failed"  # for the summary
    status: str = "retry"  # for the database: sent, retry, failed, or skipped (a pause notice)
    fields: dict = field(default_factory=dict)

    def done(self, outcome: str, status: str, **fields: str) -> None:
        self.outcome, self.status, self.fields = outcome, status, fields


class NudgeRunner:
    def __init__(
        self,
        store: Store,
        content: Content,
        client: WebClient,
        *,
        worker: str | None = None,
        lease: timedelta = timedelta(minutes=10),
        threads: int = 4,
        batch_size: int = 500,
        pacer: Pacer | None = None,
    ) -> None:
        self.store = store
        self.content = content
        self.client = client
        self.worker = worker or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.lease = lease
        self.threads = threads
        self.batch_size = batch_size
        self.pacer = pacer or Pacer()
        self._stop_reason = ""
        self._claim_check: Callable[[int], bool] = lambda _nudge_id: False  # set for the span of run_due
        self._chooser = PromptChooser()
        self._directory: dict[str, dict] | None = None
        self._started = time.monotonic()
        self.reassess = _reassess_policy()

    @classmethod
    def from_settings(
        cls, store: Store, content: Content, settings: Settings, *, token: str | None = None, **options
    ) -> NudgeRunner:
        """The runner production uses: a client that never resends on doubt (the metadata
        check does that safely) and sending threads that share one rate-limit pacer.
        `token`: an installation's bot token (multi-workspace mode) instead of SLACK_BOT_TOKEN."""
        from bot.slackkit.client import make_client

        pacer = Pacer()
        client = make_client(settings, resend_on_doubt=False, pacer=pacer, token=token)
        return cls(store, content, client, pacer=pacer, **options)

    def installed_teams(self) -> set[str]:
        """The workspace our token belongs to, as Slack says now; none if it is refused."""
        try:
            return {self.client.auth_test()["team_id"]}
        except (SlackApiError, OSError) as error:
            log.warning("auth.test failed (%s); no workspace counts as installed", error)
            return set()

    def send_change_notes(self, now: datetime) -> int:
        """Ladder-change notes (bot/nudges/change_notes.py), with this runner's client."""
        return send_change_notes(self.store, self.content, lambda _team: self.client, now)

    def run_due(self, now: datetime, *, team_ids: list[str] | None = None) -> RunSummary:
        """A pipeline: while one batch is being sent, the next is prepared (database reads,
        time zones, claims) and the previous one recorded, so Slack is never kept waiting
        on the database. `team_ids`: only these workspaces' people (one installation's)."""
        summary = RunSummary()
        self._stop_reason = ""
        self._chooser = PromptChooser()  # the ladder may have been reloaded since the last run
        self._directory = None
        self._started = time.monotonic()
        self.pacer.reset()
        people = self.store.people_due_candidates(self.batch_size, team_ids=team_ids)
        with (
            self.store.claim_checks(self.worker) as self._claim_check,
            ThreadPoolExecutor(self.threads, thread_name_prefix="nudge") as senders,
            ThreadPoolExecutor(1, thread_name_prefix="nudge-prepare") as preparer,
            ThreadPoolExecutor(1, thread_name_prefix="nudge-record") as recorder,
        ):

            def prepare_next() -> Future:
                return preparer.submit(self._prepare_batch, list(islice(people, self.batch_size)), now, senders)

            upcoming = prepare_next()
            records = []
            while (prepared := upcoming.result()) is not None:
                upcoming = prepare_next()
                waiting, outcomes, deliveries = prepared
                summary.waiting += waiting
                sent = self._send(deliveries, now, senders)
                records.append(recorder.submit(self._record, sent, now))
                for outcome in outcomes + [d.outcome for d in deliveries]:
                    summary.add(outcome)
                if self._stop_reason:
                    self._release(upcoming.result(), now)  # claimed but never to be sent in this run
                    break
            for record in records:
                record.result()  # _record logs its own failures; this only waits for them
        summary.stopped = self._stop_reason
        (log.error if summary.stopped else log.info)(summary.line())
        return summary

    def _clock(self, now: datetime) -> datetime:
        """The run's instant (`--at` or the real now) moved on by the time the run has taken,
        so leases stay honest however long sending takes."""
        return now + timedelta(seconds=time.monotonic() - self._started)

    def _send(self, deliveries: list[_Delivery], now: datetime, senders: ThreadPoolExecutor) -> list[_Delivery]:
        """Send in chunks, renewing each chunk's claims first: a claim that another runner
        took over meanwhile (its lease ran out while earlier batches were sent) is left to it."""
        sent = []
        for start in range(0, len(deliveries), SEND_CHUNK):
            chunk = deliveries[start : start + SEND_CHUNK]
            try:
                renewed = self.store.renew_claims([d.nudge.id for d in chunk], worker=self.worker, now=self._clock(now))
            except Exception as error:  # noqa: BLE001 - no renewal, no send: the claims will be retried
                log.error("could not renew %d claims (%s); not sending them now", len(chunk), error)
                renewed = set()
            for delivery in chunk:
                if delivery.nudge.id not in renewed:
                    delivery.done("skipped", "")  # another runner has it, or we could not tell
            mine = [d for d in chunk if d.nudge.id in renewed]
            list(senders.map(lambda d: self._deliver(d, now), mine))
            sent += mine
        return sent

    def _prepare_batch(
        self, batch: list[Person], now: datetime, pool: ThreadPoolExecutor
    ) -> tuple[int, list[str], list[_Delivery]] | None:
        if not batch:
            return None
        todo = self._unsettled(batch, now)
        outcomes, deliveries = self._claim_batch(todo, now, pool)
        return len(batch) - len(todo), outcomes, deliveries

    def _release(self, prepared: tuple[int, list[str], list[_Delivery]] | None, now: datetime) -> None:
        if prepared:
            for delivery in prepared[2]:
                delivery.done("failed", "retry", error=f"run stopped: {self._stop_reason}")
            self._record(prepared[2], now)

    def _unsettled(self, batch: list[Person], now: datetime) -> list[Person]:
        """This period's prompt not sent yet, and due by the clock, or due for a look at
        their time zone (someone who moved east may be due already)."""
        wanting = [
            p for p in batch if schedule.wants_prompts(p, now) and (schedule.is_due_now(p, now) or _tz_stale(p, now))
        ]
        keys = {p.id: (p.team_id, p.user_id, schedule.current_period(p, now)) for p in wanting}
        settled = self.store.settled_periods(keys.values(), now=now, lease=self.lease)
        return [p for p in wanting if keys[p.id] not in settled]

    # --- one batch, in phases ---------------------------------------------------------

    def _claim_batch(
        self, people: list[Person], now: datetime, pool: ThreadPoolExecutor
    ) -> tuple[list[str], list[_Delivery]]:
        """Everything before sending: reads, time zones, prompts, claims (one transaction)."""
        if not people:
            return [], []
        try:
            history = self.store.nudge_history((p.team_id, p.user_id) for p in people)
            assessed = self.store.latest_assessments(
                (p.team_id, p.user_id, p.target_level_id) for p in people if p.target_level_id
            )
            refreshed = self._refresh_time_zones(people, now, pool)
            outcomes, requests = self._prompts(refreshed, history, now, assessed)
            claims = self.store.claim_nudges(requests, worker=self.worker, now=self._clock(now), lease=self.lease)
        except Exception as error:
            log.error(
                "nudge batch of %d people not sent: %s",
                len(people),
                error,
                exc_info=not isinstance(error, StorageError),
            )
            return ["failed"] * len(people), []
        outcomes += ["skipped"] * (len(requests) - len(claims))  # another process has those
        by_person = {(p.team_id, p.user_id): p for p, _ in refreshed}
        deliveries = []
        for nudge in claims:
            person = by_person[(nudge.team_id, nudge.user_id)]
            level = self.content.answerer.ladder.get(nudge.level_id)
            pause = self._pause_due(person, nudge, history)
            deliveries.append(
                _Delivery(
                    nudge,
                    level.name if level else nudge.level_id,
                    pause_notice=pause,
                    reassess=nudge.competency_key == REASSESS_KEY,
                )
            )
        return outcomes, deliveries

    def _pause_due(self, person: Person, nudge: Nudge, history: dict) -> bool:
        """The three-ignored-prompts rule: this period's message is the pause notice. A
        streak already at the limit is a notice not delivered yet (the person is paused
        only once it is). If checking fails, send the prompt anyway."""
        if person.ignored_streak >= IGNORED_BEFORE_PAUSE:
            return True
        if nudge.attempts > 1:
            return False  # the first claim of the period counted the streak
        try:
            return self._ignored_too_often(person, nudge, history.get((nudge.team_id, nudge.user_id), []))
        except Exception:
            log.exception("could not check %s/%s for ignored prompts; sending", person.team_id, person.user_id)
            return False

    def _refresh_time_zones(
        self, people: list[Person], now: datetime, pool: ThreadPoolExecutor
    ) -> list[tuple[Person, bool]]:
        """Each person as Slack describes them now, and whether they can be reached."""
        if self._directory is None and sum(1 for p in people if _tz_stale(p, now)) >= BULK_DIRECTORY_FROM:
            self._directory = self._load_directory()
        refreshed = list(pool.map(self._from_slack, people))
        changed = [
            (p.id, tz) for p, (tz, _) in zip(people, refreshed, strict=True) if tz and (tz != p.tz or _tz_stale(p, now))
        ]
        try:
            self.store.set_time_zones(changed, now=now)
        except StorageError as error:  # the zones stay as they were; they are asked again next run
            log.warning("could not store %d time zones: %s", len(changed), error)
        return [(replace(p, tz=tz or p.tz), active) for p, (tz, active) in zip(people, refreshed, strict=True)]

    def _prompts(
        self,
        refreshed: list[tuple[Person, bool]],
        history: dict[tuple[str, str], list[Nudge]],
        now: datetime,
        assessed: dict[tuple[str, str, str], Assessment],
    ) -> tuple[list[str], list[dict]]:
        """The prompt each due person should get, as claim requests; outcomes for the rest."""
        outcomes, requests = [], []
        ladder = self.content.answerer.ladder
        for person, active in refreshed:
            if not active:
                outcomes.append(self._record_unreachable(person, now))
                continue
            if not schedule.is_due_now(person, now):
                outcomes.append("waiting")  # their fresh time zone says not yet
                continue
            target = ladder.get(person.target_level_id)
            if target is None:
                log.warning(
                    "%s/%s: target level %s is not in the ladder any more; no prompt sent",
                    person.team_id,
                    person.user_id,
                    person.target_level_id,
                )
                outcomes.append("skipped")
                continue
            period = schedule.current_period(person, now)
            past = history.get((person.team_id, person.user_id), [])
            assessment = assessed.get((person.team_id, person.user_id, target.id))
            prompt = (
                self._reassessment(assessment, past, target.id, now)
                or self._snoozed_prompt(past, target.id, period)
                or self._chooser.choose(
                    ladder.get(person.current_level_id),
                    target,
                    {n.competency_key for n in past if n.level_id == target.id},
                    seed=period,
                    ratings={r.criterion_key: r.rating for r in assessment.ratings} if assessment else None,
                )
            )
            if prompt is None:
                outcomes.append("skipped")
                continue
            requests.append({"team_id": person.team_id, "user_id": person.user_id, "period": period, **prompt.__dict__})
        return outcomes, requests

    def _record(self, deliveries: list[_Delivery], now: datetime) -> None:
        """All outcomes in one statement. If this fails after Slack took the messages, the
        claims go stale and the next run finds the messages by their metadata."""
        ordered = sorted(
            (d for d in deliveries if d.status), key=lambda d: (d.nudge.team_id, d.nudge.user_id, d.nudge.period)
        )
        try:  # in key order, like claims, so two processes never lock rows in opposite orders
            recorded = self.store.finish_claims(
                [(d.nudge.id, d.status, d.fields) for d in ordered], worker=self.worker, now=now
            )
            if recorded < len(ordered):
                self._unsend_forgotten([d for d in ordered if d.status == "sent"])
        except Exception as error:
            log.error(
                "could not record %d nudge outcomes (%s); the next run will reconcile them",
                len(ordered),
                error,
                exc_info=not isinstance(error, StorageError),
            )

    def _unsend_forgotten(self, sent: list[_Delivery]) -> None:
        """Deletion wins even over a prompt already in flight: someone forgotten while Slack
        was taking their prompt has no nudge row left (forget_person deleted it), so the
        message is deleted too. A claim merely taken over keeps its row and is left alone."""
        gone = {d.nudge.id for d in sent} - self.store.existing_nudges(d.nudge.id for d in sent)
        for delivery in (d for d in sent if d.nudge.id in gone):
            try:
                self.client.chat_delete(channel=delivery.fields["channel_id"], ts=delivery.fields["message_ts"])
                log.info("nudge %s: its person was forgotten while it was sent; message deleted", delivery.nudge.id)
            except (SlackApiError, OSError) as error:
                log.warning(
                    "nudge %s: its person was forgotten, but deleting the message failed (%s)", delivery.nudge.id, error
                )

    # --- sending ----------------------------------------------------------------------

    def _deliver(self, delivery: _Delivery, now: datetime) -> None:
        if self._stop_reason:
            return  # our token is refused: nothing can go out in this run (the claim is retried)
        nudge = delivery.nudge
        try:
            try:
                found = self._already_delivered(nudge, now) if nudge.attempts > 1 else None
            except _HistoryUnavailable:
                return delivery.done("failed", "retry", error="could not check whether an earlier run delivered it")
            if found:
                channel, ts = found
                return self._delivered(delivery, channel, ts, now, recovered=True)
            self.pacer.wait()
            if not self._still_held(nudge):
                return delivery.done("skipped", "")  # forgotten (or taken over) since the claim: not ours to send
            self._delivered(delivery, *self._post(delivery), now, recovered=False)
        except SlackApiError as error:
            self._failed(delivery, error.response.get("error") or f"HTTP {error.response.status_code}")
        except Exception as error:  # noqa: BLE001 - a reset, a timeout: Slack may be back next run
            log.warning("nudge %s for %s: %s: %s", nudge.id, nudge.user_id, type(error).__name__, error)
            delivery.done("failed", "retry", error=f"{type(error).__name__}: {error}"[:500])

    def _still_held(self, nudge: Nudge) -> bool:
        """The re-check at send: `forget me` deletes the person's nudges, so a claim that is
        gone means they asked to be forgotten after it was made. One indexed read per prompt,
        right before it goes out, keeps that window to milliseconds."""
        try:
            return self._claim_check(nudge.id)
        except StorageError as error:
            log.warning("nudge %s: could not re-check the claim (%s); not sending it now", nudge.id, error)
            return False

    def _post(self, delivery: _Delivery) -> tuple[str, str]:
        """The prompt (or the pause notice), carrying the nudge id so that a retry can find
        it in the DM instead of posting it twice."""
        nudge = delivery.nudge
        if delivery.pause_notice:
            text, blocks = "I've paused your growth prompts", prompt_blocks.paused_blocks()
        elif delivery.reassess:
            text = f"Time to re-assess yourself against {delivery.level_name}"
            blocks = prompt_blocks.reassess_blocks(nudge, delivery.level_name)
        else:
            text, blocks = (
                f"A growth prompt for {delivery.level_name}",
                prompt_blocks.nudge_blocks(nudge, delivery.level_name),
            )
        response = self.client.chat_postMessage(
            channel=nudge.user_id,
            text=text,
            blocks=blocks,
            unfurl_links=False,
            metadata={"event_type": METADATA_EVENT, "event_payload": {"nudge_id": nudge.id, "period": nudge.period}},
        )
        self.pacer.accepted()
        return response["channel"], response["ts"]

    def _delivered(self, delivery: _Delivery, channel: str, ts: str, now: datetime, *, recovered: bool) -> None:
        nudge = delivery.nudge
        if delivery.pause_notice:
            # Paused only now that they have been told; if this fails, the next run finds
            # the notice in the DM and pauses them then.
            self.store.update_person(nudge.team_id, nudge.user_id, create=False, paused_until=now + INDEFINITELY)
            return delivery.done("skipped", "skipped", channel_id=channel, message_ts=ts)
        delivery.done("recovered" if recovered else "sent", "sent", channel_id=channel, message_ts=ts)

    def _failed(self, delivery: _Delivery, error: str) -> None:
        """Permanent errors close the period; anything else is retried by the next run,
        for as long as the period lasts (a Slack outage never costs anyone their prompt)."""
        nudge = delivery.nudge
        if error in PERMANENT_ERRORS:
            log.warning("nudge %s for %s: %s; not retrying", nudge.id, nudge.user_id, error)
            return delivery.done("skipped", "failed", error=error)
        if error in FATAL_ERRORS:
            self._stop_reason = error
        log.warning("nudge %s for %s: %s; will retry next run", nudge.id, nudge.user_id, error)
        delivery.done("failed", "retry", error=error)

    def _already_delivered(self, nudge: Nudge, now: datetime) -> tuple[str, str] | None:
        """An earlier attempt may have reached Slack without being recorded (a crash, a
        reset after Slack accepted it): look for the nudge id in the DM's message metadata,
        since the period began. (channel, ts) if found, None if not; _HistoryUnavailable
        when Slack could not be asked: never send blind."""
        since = datetime.combine(
            schedule.period_start(nudge.period) - timedelta(days=1), datetime.min.time(), now.tzinfo
        )
        try:
            channel = self.client.conversations_open(users=nudge.user_id)["channel"]["id"]
            pages = self.client.conversations_history(
                channel=channel, oldest=str(since.timestamp()), include_all_metadata=True, limit=200
            )
            for page in pages:  # slack-sdk follows the cursor
                for message in page.get("messages", []):
                    payload = (message.get("metadata") or {}).get("event_payload") or {}
                    if payload.get("nudge_id") == nudge.id:
                        log.info(
                            "nudge %s was delivered by an earlier attempt; recording it instead of resending", nudge.id
                        )
                        return channel, message["ts"]
        except (SlackApiError, OSError) as error:
            log.warning("nudge %s: could not check the DM history (%s); retrying later", nudge.id, error)
            raise _HistoryUnavailable from error
        return None

    # --- people -----------------------------------------------------------------------

    def _load_directory(self) -> dict[str, dict]:
        """Everyone's profile via users.list, 200 a call; {} if Slack will not say."""
        directory: dict[str, dict] = {}
        try:
            for page in self.client.users_list(limit=200):
                directory.update((member["id"], member) for member in page.get("members", []))
        except (SlackApiError, OSError) as error:
            log.warning("users.list failed (%s); asking users.info person by person", error)
        return directory

    def _from_slack(self, person: Person) -> tuple[str | None, bool]:
        """(time zone, reachable) as Slack says now; (None, True) if Slack could not say."""
        user = (self._directory or {}).get(person.user_id)
        if user is None:
            try:
                user = self.client.users_info(user=person.user_id)["user"]
            except SlackApiError as error:
                if error.response.get("error") in PERMANENT_ERRORS:
                    return None, False
                log.warning("users.info for %s failed (%s); using the stored time zone", person.user_id, error)
                return None, True
            except OSError as error:
                log.warning("users.info for %s failed (%s); using the stored time zone", person.user_id, error)
                return None, True
        if user.get("deleted"):
            return None, False
        return user.get("tz") or None, True

    def _reassessment(
        self, latest: Assessment | None, history: list[Nudge], level_id: str, now: datetime
    ) -> Prompt | None:
        """Once a re-assessment is due, the next period's message offers it instead of a
        prompt; once only: prompts follow until the person re-assesses and it is due again."""
        due = self.reassess.due_at(latest)
        if due is None or now < due:
            return None
        if any(n.competency_key == REASSESS_KEY and n.level_id == level_id and n.claimed_at >= due for n in history):
            return None
        return Prompt(level_id, REASSESS_KEY, "A re-assessment of the target level", "", None, "")

    def _snoozed_prompt(self, history: list[Nudge], level_id: str, period: str) -> Prompt | None:
        """ "Snooze a week" brings the same competency back in the next prompt."""
        latest = history[0] if history else None
        if latest is None or latest.status != "snoozed" or latest.period == period or latest.level_id != level_id:
            return None
        return Prompt(
            latest.level_id,
            latest.competency_key,
            latest.competency_text,
            latest.section_name,
            latest.example_text,
            latest.question,
        )

    def _record_unreachable(self, person: Person, now: datetime) -> str:
        """A deactivated or missing person: recorded once for the period, then left alone."""
        period = schedule.current_period(person, now)
        nudge = self.store.claim_nudge(
            person.team_id,
            person.user_id,
            period,
            worker=self.worker,
            now=now,
            lease=self.lease,
            level_id=person.target_level_id or "",
            competency_key="",
            competency_text="",
            section_name="",
            example_text=None,
            question="",
        )
        if nudge is not None:
            self.store.mark_nudge_failed(nudge.id, error="user deactivated or not found", now=now, worker=self.worker)
        return "skipped"

    def _ignored_too_often(self, person: Person, nudge: Nudge, history: list[Nudge]) -> bool:
        """Three prompts in a row without a reply, skip or snooze: time to pause, and say so.
        Counted on a period's first claim only, so the unique claim makes it once per period."""
        previous = next((n for n in history if n.id != nudge.id), None)
        streak = person.ignored_streak + 1 if previous is not None and previous.status == "sent" else 0
        if streak != person.ignored_streak:
            # create=False: never bring back someone forgotten meanwhile
            self.store.update_person(person.team_id, person.user_id, create=False, ignored_streak=streak)
        return streak >= IGNORED_BEFORE_PAUSE


def _reassess_policy() -> ReassessPolicy:
    try:
        return ReassessPolicy.from_env()
    except ValueError as error:  # a typo in the setting must not stop the prompts
        log.error("%s; offering a re-assessment every %d months", error, ReassessPolicy().months)
        return ReassessPolicy()


def _tz_stale(person: Person, now: datetime) -> bool:
    return person.tz_refreshed_at is None or now - person.tz_refreshed_at > TZ_FRESH_FOR
