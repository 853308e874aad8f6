"""The storage API used by the Slack listeners and the nudge runner.

Every method runs in its own short transaction and returns frozen records
(``Person``, ``Nudge``, ``Reflection``); no session or ORM object leaves this
module. Datetimes in and out are timezone-aware UTC.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import fields
from datetime import datetime, timedelta, timezone
from typing import Any, Literal, TypeVar, overload
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import (
    Connection,
    Engine,
    Table,
    and_,
    bindparam,
    delete,
    func,
    insert,
    not_,
    or_,
    select,
    tuple_,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from .db import make_engine, rows_changed, translate_errors
from .growth import GrowthStore, person_scope
from .models import (
    NUDGE_STATUSES,
    REFLECTION_SOURCES,
    Base,
    NudgeRow,
    PersonRow,
    ProcessedEventRow,
    ReflectionRow,
)
from .records import CADENCES, WEEKDAYS, Nudge, Person, Reflection
from .urls import DEFAULT_DATABASE_URL
from .workspaces import WorkspaceStore

log = logging.getLogger("ladderbot.storage")

_EVENTS: Table = ProcessedEventRow.__table__  # type: ignore[assignment]
_PEOPLE: Table = PersonRow.__table__  # type: ignore[assignment]
_NUDGES: Table = NudgeRow.__table__  # type: ignore[assignment]
_REFLECTIONS: Table = ReflectionRow.__table__  # type: ignore[assignment]

# Both backends speak INSERT ... ON CONFLICT DO NOTHING, which turns a unique
# violation into "0 rows" without aborting the transaction.
_UPSERT_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}

# Statuses that mean the person reacted to the nudge.
_RESPONSE_STATUSES = {"answered", "skipped", "snoozed"}
_LOCAL_TIME = re.compile(r"([01]\d|2[0-3]):[0-5]\d")

R = TypeVar("R")


def _to(record: type[R], row: Any) -> R:
    values = row._mapping
    return record(**{f.name: values[f.name] for f in fields(record)})  # type: ignore[arg-type]


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


def _utc(value: datetime, name: str = "datetime") -> datetime:
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise ValueError(f"{name} must be a timezone-aware datetime, got {value!r}")
    return value.astimezone(timezone.utc)


def _one_of(value: str, allowed: tuple[str, ...], name: str) -> str:
    if value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(allowed)}; got {value!r}")
    return value


# -- person field validators: each returns the value to store or raises ValueError


def _opt_str(value: Any) -> str | None:
    if value is not None and not isinstance(value, str):
        raise ValueError(f"expected a string or None, got {value!r}")
    return value or None


def _cadence(value: Any) -> str:
    return _one_of(value, CADENCES, "cadence")


def _local_time(value: Any) -> str:
    if not isinstance(value, str) or not _LOCAL_TIME.fullmatch(value):
        raise ValueError(f"local_time must look like 'HH:MM', got {value!r}")
    return value


def _weekdays(value: Any) -> str:
    days = {d.strip().lower() for d in str(value).split(",") if d.strip()}
    if not days or not days <= set(WEEKDAYS):
        raise ValueError(f"weekdays must be a comma-separated list of {','.join(WEEKDAYS)}; got {value!r}")
    return ",".join(d for d in WEEKDAYS if d in days)


def _tz(value: Any) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise ValueError(f"tz must be an IANA time zone name, got {value!r}") from None
    return value


def _opt_utc(value: Any) -> datetime | None:
    return None if value is None else _utc(value)


def _streak(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError(f"ignored_streak must be an int >= 0, got {value!r}")
    return value


_PERSON_FIELDS: dict[str, Callable[[Any], Any]] = {
    "current_level_id": _opt_str,
    "target_level_id": _opt_str,
    "cadence": _cadence,
    "local_time": _local_time,
    "weekdays": _weekdays,
    "tz": _tz,
    "tz_refreshed_at": _opt_utc,
    "paused_until": _opt_utc,
    "ignored_streak": _streak,
}


def _person_values(updates: dict[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(updates) - set(_PERSON_FIELDS))
    if unknown:
        raise TypeError(f"update_person() got unknown field(s): {', '.join(unknown)}")
    return {name: _PERSON_FIELDS[name](value) for name, value in updates.items()}


def _owned(table: Table, team_id: str, user_id: str):
    return and_(table.c.team_id == team_id, table.c.user_id == user_id)


class Store(GrowthStore, WorkspaceStore):
    """Thread-safe facade over one database; share one instance per process."""

    def __init__(self, url: str | None = None, *, engine: Engine | None = None) -> None:
        if url is not None and engine is not None:
            raise TypeError("pass either url or engine, not both")
        self._engine = engine if engine is not None else make_engine(url or DEFAULT_DATABASE_URL)
        dialect = self._engine.dialect.name
        if dialect not in _UPSERT_INSERTS:
            raise ValueError(f"unsupported database backend {dialect!r} (use sqlite or postgresql)")
        self._insert = _UPSERT_INSERTS[dialect]
        self._sessions = sessionmaker(self._engine, expire_on_commit=False)

    @contextmanager
    def _session(self) -> Iterator[Session]:
        with translate_errors(self._engine.url), self._sessions() as session:
            yield session

    def dispose(self) -> None:
        self._engine.dispose()

    # -- Slack retries

    def claim_event(self, team_id: str, event_id: str, *, now: datetime | None = None) -> bool:
        """True the first time (team_id, event_id) is seen, in any process."""
        received = _utc(now, "now") if now is not None else _utcnow()
        stmt = self._insert(_EVENTS).values(team_id=team_id, event_id=event_id, received_at=received)
        # RETURNING rather than rowcount: rowcount is only reliable for UPDATE/DELETE.
        stmt = stmt.on_conflict_do_nothing().returning(_EVENTS.c.event_id)
        with self._session() as s, s.begin():
            return s.execute(stmt).first() is not None

    def forget_events_before(self, cutoff: datetime) -> int:
        stmt = delete(_EVENTS).where(_EVENTS.c.received_at < _utc(cutoff, "cutoff"))
        with self._session() as s, s.begin():
            return rows_changed(s.execute(stmt))

    # -- people

    def get_person(self, team_id: str, user_id: str) -> Person | None:
        with self._session() as s, s.begin():
            row = s.execute(select(_PEOPLE).where(_owned(_PEOPLE, team_id, user_id))).one_or_none()
        return _to(Person, row) if row is not None else None

    @overload
    def update_person(self, team_id: str, user_id: str, *, create: Literal[True] = ..., **updates: Any) -> Person: ...
    @overload
    def update_person(self, team_id: str, user_id: str, *, create: bool, **updates: Any) -> Person | None: ...

    def update_person(self, team_id: str, user_id: str, *, create: bool = True, **updates: Any) -> Person | None:
        """Create the person if needed, then apply ``updates`` (known fields only).

        ``create=False`` only changes an existing person and returns None if there is none:
        for buttons and runs that act on someone who may have asked to be forgotten since.
        """
        values = _person_values(updates)
        now = _utcnow()
        create_row = self._insert(_PEOPLE).values(team_id=team_id, user_id=user_id, created_at=now, updated_at=now)
        change = (
            update(_PEOPLE)
            .where(_owned(_PEOPLE, team_id, user_id))
            .values(**values, updated_at=now)
            .returning(*_PEOPLE.c)
        )
        with self._session() as s, s.begin():
            # Insert-if-missing then update: two processes creating the same
            # person at once both end up updating the single row.
            if create:
                s.execute(create_row.on_conflict_do_nothing(index_elements=["team_id", "user_id"]))
            row = s.execute(change).one_or_none()
        return _to(Person, row) if row is not None else None

    def people_due_candidates(
        self, batch_size: int = 500, *, team_ids: Iterable[str] | None = None
    ) -> Iterator[Person]:
        """People with a target level and a cadence, by id, fetched batch by batch; only
        those of `team_ids` when given (one installation's workspaces, in multi-workspace mode).

        Keyset pagination, one short transaction per batch, and no transaction
        open while the caller works on a batch.
        """
        if batch_size < 1:
            raise ValueError("batch_size must be >= 1")
        return self._due_batches(batch_size, None if team_ids is None else sorted(set(team_ids)))

    def _due_batches(self, batch_size: int, team_ids: list[str] | None) -> Iterator[Person]:
        after = 0
        while True:
            batch = self._due_batch(after, batch_size, team_ids)
            yield from batch
            if len(batch) < batch_size:
                return
            after = batch[-1].id

    def _due_batch(self, after: int, batch_size: int, team_ids: list[str] | None) -> list[Person]:
        stmt = (
            select(_PEOPLE)
            .where(_PEOPLE.c.id > after, _PEOPLE.c.target_level_id.is_not(None), _PEOPLE.c.cadence != "off")
            .order_by(_PEOPLE.c.id)
            .limit(batch_size)
        )
        if team_ids is not None:
            stmt = stmt.where(_PEOPLE.c.team_id.in_(team_ids))
        with self._session() as s, s.begin():
            return [_to(Person, row) for row in s.execute(stmt)]

    # -- nudges

    def claim_nudge(
        self, team_id: str, user_id: str, period: str, *, worker: str, now: datetime, lease: timedelta, **prompt: Any
    ) -> Nudge | None:
        """Claim the right to send this person's nudge for ``period``; None if someone else
        has it. One case of claim_nudges: ``prompt`` holds its keyword fields (level_id,
        competency_key, competency_text, section_name, example_text, question)."""
        won = self.claim_nudges(
            [{"team_id": team_id, "user_id": user_id, "period": period, **prompt}], worker=worker, now=now, lease=lease
        )
        return won[0] if won else None

    def claim_nudges(
        self, requests: list[dict[str, Any]], *, worker: str, now: datetime, lease: timedelta
    ) -> list[Nudge]:
        """Claim the right to send these nudges, in one transaction; returns those this worker won.

        A new row wins through the UNIQUE (team_id, user_id, period) key. An existing row is
        taken over only if it is 'retry' or a 'claimed' row whose lease ran out, by a
        conditional UPDATE that re-checks those conditions, so of two racing processes at
        most one gets a row back. `requests` are dicts of team_id, user_id, period, level_id,
        competency_key, competency_text, section_name, example_text and question."""
        now = _utc(now, "now")
        if lease <= timedelta(0):
            raise ValueError("lease must be positive")
        if not requests:
            return []
        claim = {"status": "claimed", "claimed_by": worker, "claimed_at": now}
        # One order for every process, so concurrent batches lock rows in the same order.
        rows = [
            {**r, "attempts": 1, **claim}
            for r in sorted(requests, key=lambda r: (r["team_id"], r["user_id"], r["period"]))
        ]
        create = (
            self._insert(_NUDGES)
            .on_conflict_do_nothing(index_elements=["team_id", "user_id", "period"])
            .returning(*_NUDGES.c)
        )
        with self._session() as s, s.begin():
            known = self._still_known(s, {(r["team_id"], r["user_id"]) for r in rows})
            rows = [r for r in rows if (r["team_id"], r["user_id"]) in known]  # the rest were forgotten meanwhile
            if not rows:
                return []
            won = [_to(Nudge, row) for row in s.execute(create, rows)]
            taken = {(n.team_id, n.user_id, n.period) for n in won}
            for r in rows:
                if (r["team_id"], r["user_id"], r["period"]) in taken:
                    continue
                row = s.execute(
                    update(_NUDGES)
                    .where(
                        _owned(_NUDGES, r["team_id"], r["user_id"]),
                        _NUDGES.c.period == r["period"],
                        self._claimable(now, lease),
                    )
                    .values(attempts=_NUDGES.c.attempts + 1, **claim)
                    .returning(*_NUDGES.c)
                ).one_or_none()
                if row is not None:
                    won.append(_to(Nudge, row))
        return won

    @staticmethod
    def _still_known(s: Session, people: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
        """Of these (team_id, user_id), those whose people row still exists, checked inside the
        claim's transaction so that `forget me` wins over a run that read them earlier.

        Why this is enough on both backends, without a tombstone or a foreign key: forget_person
        deletes the people row first. On PostgreSQL, FOR KEY SHARE makes that DELETE wait until
        this claim commits (its later DELETE of nudges then sees and removes the new rows), or
        makes this claim wait for the forget and then see the row gone. On SQLite every write
        transaction starts with BEGIN IMMEDIATE, so claim and forget simply run one after the
        other. (A foreign key nudges -> people ON DELETE CASCADE would also hold, but one
        forgotten person would then abort a whole batch's INSERT, and SQLite would need the
        nudges table rebuilt.) KEY SHARE, not SHARE: ordinary updates of people go on.
        """
        keys = list(set(people))
        if not keys:
            return set()
        stmt = (
            select(_PEOPLE.c.team_id, _PEOPLE.c.user_id)
            .where(tuple_(_PEOPLE.c.team_id, _PEOPLE.c.user_id).in_(keys))
            .order_by(_PEOPLE.c.team_id, _PEOPLE.c.user_id)  # one lock order for every process
            .with_for_update(read=True, key_share=True)
        )
        return {tuple(row) for row in s.execute(stmt)}

    @contextmanager
    def claim_checks(self, worker: str) -> Iterator[Callable[[int], bool]]:
        """For the span of a run: a function telling whether a nudge is still claimed by this
        worker, called right before each prompt is sent. `forget me` deletes the person's
        nudges, so a claim that vanished means they asked to be forgotten (or another runner
        took it over): either way it must not be sent.

        It runs once per prompt, so each sending thread keeps one connection for the run
        (autocommit on PostgreSQL: one round trip, no pool checkout, ping or BEGIN/COMMIT);
        through the pool and a session the check cost as much CPU as the rest of a send."""
        stmt = select(_NUDGES.c.id).where(
            _NUDGES.c.id == bindparam("nid"), _NUDGES.c.claimed_by == worker, _NUDGES.c.status == "claimed"
        )
        local = threading.local()
        opened: list[Connection] = []
        lock = threading.Lock()

        def connection() -> Connection:
            if getattr(local, "connection", None) is None:
                conn = self._engine.connect()
                if self._engine.dialect.name == "postgresql":
                    conn = conn.execution_options(isolation_level="AUTOCOMMIT")
                local.connection = conn
                with lock:
                    opened.append(conn)
            return local.connection

        def still_held(nudge_id: int) -> bool:
            conn = connection()
            try:
                with translate_errors(self._engine.url):
                    held = conn.execute(stmt, {"nid": nudge_id}).first() is not None
                    conn.commit()  # SQLite: ends the read's transaction; PostgreSQL: nothing to end
                    return held
            except Exception:
                local.connection = None  # a broken connection is not reused; the caller decides
                conn.invalidate()
                raise

        try:
            yield still_held
        finally:
            for conn in opened:
                conn.close()

    def existing_nudges(self, nudge_ids: Iterable[int]) -> set[int]:
        """Of these nudge ids, those whose row still exists."""
        ids = list(nudge_ids)
        if not ids:
            return set()
        with self._session() as s, s.begin():
            return set(s.scalars(select(_NUDGES.c.id).where(_NUDGES.c.id.in_(ids))))

    def renew_claims(self, nudge_ids: list[int], *, worker: str, now: datetime) -> set[int]:
        """Refresh the lease of claims this worker still holds, right before sending them.
        Returns the ids renewed: a claim missing from it was taken over, and must not be sent."""
        if not nudge_ids:
            return set()
        stmt = (
            update(_NUDGES)
            .where(_NUDGES.c.id.in_(nudge_ids), _NUDGES.c.claimed_by == worker, _NUDGES.c.status == "claimed")
            .values(claimed_at=_utc(now, "now"))
            .returning(_NUDGES.c.id)
        )
        with self._session() as s, s.begin():
            return set(s.scalars(stmt))

    def finish_claims(self, outcomes: list[tuple[int, str, dict[str, Any]]], *, worker: str, now: datetime) -> int:
        """Record many claims' outcomes in one statement: (nudge_id, status, fields) with
        status 'sent' (fields: channel_id, message_ts), 'retry' or 'failed' (fields: error).
        As with mark_nudge_failed, only this worker's live claims change. Returns rows changed."""
        if not outcomes:
            return 0
        now = _utc(now, "now")
        params = [
            {
                "nid": nudge_id,
                "new_status": status,
                "worker": worker,
                "new_sent_at": now if status == "sent" else None,
                "new_channel": fields.get("channel_id"),
                "new_ts": fields.get("message_ts"),
                "new_error": fields.get("error") if status != "sent" else None,
            }
            for nudge_id, status, fields in outcomes
        ]
        stmt = (
            update(_NUDGES)
            .where(
                _NUDGES.c.id == bindparam("nid"),
                _NUDGES.c.status == "claimed",
                _NUDGES.c.claimed_by == bindparam("worker"),
            )
            .values(
                status=bindparam("new_status"),
                sent_at=bindparam("new_sent_at"),
                channel_id=bindparam("new_channel"),
                message_ts=bindparam("new_ts"),
                error=bindparam("new_error"),
            )
        )
        with self._session() as s, s.begin():
            changed = rows_changed(s.execute(stmt, params))
        if changed != len(params):
            log.warning(
                "%d of %d nudge outcomes not recorded: their claims were taken over", len(params) - changed, len(params)
            )
        return changed

    def set_time_zones(self, changes: list[tuple[int, str]], *, now: datetime) -> None:
        """Store many people's time zones at once (as Slack reported them), by person id."""
        valid = []
        for person_id, tz in changes:
            try:
                valid.append({"pid": person_id, "new_tz": _tz(tz)})
            except ValueError:
                log.warning("ignoring time zone %r from Slack for person %s", tz, person_id)
        if valid:
            stmt = (
                update(_PEOPLE)
                .where(_PEOPLE.c.id == bindparam("pid"))
                .values(tz=bindparam("new_tz"), tz_refreshed_at=_utc(now, "now"))
            )
            with self._session() as s, s.begin():
                s.execute(stmt, valid)

    @staticmethod
    def _claimable(now: datetime, lease: timedelta):
        stale = and_(_NUDGES.c.status == "claimed", _NUDGES.c.claimed_at < now - lease)
        return or_(_NUDGES.c.status == "retry", stale)

    def mark_nudge_failed(self, nudge_id: int, *, error: str, now: datetime, worker: str | None = None) -> bool:
        """A permanent failure: nobody sends this person a nudge for this period.

        ``now`` is only validated: the nudges table has no column for it.
        """
        _utc(now, "now")
        return self._finish_claim(nudge_id, worker, status="failed", error=error)

    def _finish_claim(self, nudge_id: int, worker: str | None, **values: Any) -> bool:
        # Only the holder of a live claim may record the outcome; a sender whose
        # lease was taken over must not overwrite the new claimer's row.
        where = [_NUDGES.c.id == nudge_id, _NUDGES.c.status == "claimed"]
        if worker is not None:
            where.append(_NUDGES.c.claimed_by == worker)
        with self._session() as s, s.begin():
            changed = rows_changed(s.execute(update(_NUDGES).where(*where).values(**values))) == 1
        if not changed:
            log.warning("nudge %s is no longer claimed%s; %s not recorded", nudge_id,
                        f" by {worker}" if worker else "", values["status"])  # fmt: skip
        return changed

    def set_nudge_status(
        self, team_id: str, user_id: str, nudge_id: int, status: str, *, now: datetime
    ) -> Nudge | None:
        """Change the status of one of this person's nudges; None if it is not theirs."""
        values: dict[str, Any] = {"status": _one_of(status, NUDGE_STATUSES, "status")}
        if status in _RESPONSE_STATUSES:
            # Keep the first reaction time.
            values["responded_at"] = func.coalesce(_NUDGES.c.responded_at, _utc(now, "now"))
        stmt = (
            update(_NUDGES)
            .where(_NUDGES.c.id == nudge_id, _owned(_NUDGES, team_id, user_id))
            .values(**values)
            .returning(*_NUDGES.c)
        )
        with self._session() as s, s.begin():
            row = s.execute(stmt).one_or_none()
        return _to(Nudge, row) if row is not None else None

    def get_nudge(self, team_id: str, user_id: str, nudge_id: int) -> Nudge | None:
        return self._one_nudge(_NUDGES.c.id == nudge_id, _owned(_NUDGES, team_id, user_id))

    def nudge_for_message(self, team_id: str, channel_id: str, message_ts: str) -> Nudge | None:
        return self._one_nudge(
            _NUDGES.c.team_id == team_id, _NUDGES.c.channel_id == channel_id, _NUDGES.c.message_ts == message_ts
        )

    def _one_nudge(self, *where: Any) -> Nudge | None:
        with self._session() as s, s.begin():
            row = s.execute(select(_NUDGES).where(*where).order_by(_NUDGES.c.id).limit(1)).one_or_none()
        return _to(Nudge, row) if row is not None else None

    def settled_periods(
        self, keys: Iterable[tuple[str, str, str]], *, now: datetime, lease: timedelta
    ) -> set[tuple[str, str, str]]:
        """Of these (team_id, user_id, period) keys, those whose nudge needs no sending:
        one batch query, so a run skips everyone already nudged this period."""
        keys = list(keys)
        if not keys:
            return set()
        key = tuple_(_NUDGES.c.team_id, _NUDGES.c.user_id, _NUDGES.c.period)
        stmt = select(_NUDGES.c.team_id, _NUDGES.c.user_id, _NUDGES.c.period).where(
            key.in_(keys), not_(self._claimable(_utc(now, "now"), lease))
        )
        with self._session() as s, s.begin():
            return {tuple(row) for row in s.execute(stmt)}

    def nudge_history(self, people: Iterable[tuple[str, str]]) -> dict[tuple[str, str], list[Nudge]]:
        """Every nudge of each (team_id, user_id), newest first, in one query: what a
        nudge run needs to know about a batch of people (used competencies, the last
        prompts and whether they were answered)."""
        keys = list(set(people))
        if not keys:
            return {}
        stmt = (
            select(_NUDGES).where(tuple_(_NUDGES.c.team_id, _NUDGES.c.user_id).in_(keys)).order_by(_NUDGES.c.id.desc())
        )
        history: dict[tuple[str, str], list[Nudge]] = {key: [] for key in keys}
        for nudge in self._nudges(stmt):
            history[(nudge.team_id, nudge.user_id)].append(nudge)
        return history

    def recent_nudges(self, team_id: str, user_id: str, limit: int = 10) -> list[Nudge]:
        """Newest (last created) first."""
        stmt = select(_NUDGES).where(_owned(_NUDGES, team_id, user_id)).order_by(_NUDGES.c.id.desc()).limit(limit)
        return self._nudges(stmt)

    def _nudges(self, stmt: Any) -> list[Nudge]:
        with self._session() as s, s.begin():
            return [_to(Nudge, row) for row in s.execute(stmt)]

    # -- reflections

    def add_reflection(
        self,
        team_id: str,
        user_id: str,
        text: str,
        *,
        source: str,
        nudge_id: int | None = None,
        level_id: str | None = None,
        competency_key: str | None = None,
        competency_text: str | None = None,
        now: datetime | None = None,
    ) -> Reflection:
        """Store a reflection; with ``nudge_id`` (this person's only) it answers that nudge.

        The nudge's competency fields win over the ones passed in.
        """
        if isinstance(text, str):
            text = text.replace("\x00", "")  # PostgreSQL refuses NUL in text; SQLite would keep it
        if not isinstance(text, str) or not text.strip():
            raise ValueError("reflection text must not be empty")
        created = _utc(now, "now") if now is not None else _utcnow()
        values = {
            "team_id": team_id, "user_id": user_id, "text": text, "created_at": created,
            "source": _one_of(source, REFLECTION_SOURCES, "source"), "nudge_id": nudge_id,
            "level_id": level_id, "competency_key": competency_key, "competency_text": competency_text,
        }  # fmt: skip
        with self._session() as s, s.begin():
            if nudge_id is not None:
                values.update(self._answer_nudge(s, team_id, user_id, nudge_id, created))
            row = s.execute(insert(_REFLECTIONS).values(values).returning(*_REFLECTIONS.c)).one()
        return _to(Reflection, row)

    @staticmethod
    def _answer_nudge(s: Session, team_id: str, user_id: str, nudge_id: int, now: datetime) -> dict[str, Any]:
        competency = (_NUDGES.c.level_id, _NUDGES.c.competency_key, _NUDGES.c.competency_text)
        stmt = (
            update(_NUDGES)
            .where(_NUDGES.c.id == nudge_id, _owned(_NUDGES, team_id, user_id))
            .values(status="answered", responded_at=func.coalesce(_NUDGES.c.responded_at, now))
            .returning(*competency)
        )
        row = s.execute(stmt).one_or_none()
        if row is None:
            # Same message whether the nudge is missing or someone else's.
            raise ValueError(f"nudge {nudge_id} is not one of this person's nudges")
        return dict(row._mapping)

    def reflections_for(self, team_id: str, user_id: str, limit: int | None = None) -> list[Reflection]:
        """Newest first."""
        stmt = (
            select(_REFLECTIONS)
            .where(_owned(_REFLECTIONS, team_id, user_id))
            .order_by(_REFLECTIONS.c.created_at.desc(), _REFLECTIONS.c.id.desc())
            .limit(limit)
        )
        with self._session() as s, s.begin():
            return [_to(Reflection, row) for row in s.execute(stmt)]

    def get_reflection(self, team_id: str, user_id: str, reflection_id: int) -> Reflection | None:
        stmt = select(_REFLECTIONS).where(_REFLECTIONS.c.id == reflection_id, _owned(_REFLECTIONS, team_id, user_id))
        with self._session() as s, s.begin():
            row = s.execute(stmt).one_or_none()
        return _to(Reflection, row) if row is not None else None

    def delete_reflection(self, team_id: str, user_id: str, reflection_id: int) -> bool:
        stmt = delete(_REFLECTIONS).where(_REFLECTIONS.c.id == reflection_id, _owned(_REFLECTIONS, team_id, user_id))
        with self._session() as s, s.begin():
            return rows_changed(s.execute(stmt)) == 1

    def forget_person(self, team_id: str, user_id: str) -> dict[str, int]:
        """Delete every row about this person; returns deleted rows per table.

        Walks the metadata rather than a fixed list so a table added later with a user_id
        (or manager_id) column is forgotten too, and so are rows that hang from such a table
        (see person_scope): their manager links and the shares addressed to them as a
        manager included. The people row goes first: a nudge claim in progress holds a lock
        on it (see _still_known), so this waits for that claim and then deletes its nudges
        too. Then children before parents.
        """
        counts: dict[str, int] = {}
        tables = [_PEOPLE, *(t for t in reversed(Base.metadata.sorted_tables) if t is not _PEOPLE)]
        with self._session() as s, s.begin():
            for table in tables:
                scope = person_scope(table, team_id, user_id)
                if scope is not None:
                    counts[table.name] = rows_changed(s.execute(delete(table).where(scope)))
        return counts
