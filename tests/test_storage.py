"""Storage layer tests, run on SQLite and (with LADDERBOT_TEST_DATABASE_URL) PostgreSQL."""

from __future__ import annotations

import os
import sqlite3
import threading
import traceback
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

import storage
from storage import DatabaseUnavailable, Nudge, StorageError, Store
from storage.installations import SLACK_METADATA
from storage.migrate import downgrade
from storage.models import Base, PersonRow
from tests.storage_fixtures import PG_ENV, fresh_postgres_database, nudge_statuses

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=timezone.utc)
LEASE = timedelta(minutes=10)
TEAM = "T0001"
ALICE = "UALICE0001"
BOB = "UBOB000002"


def competency(key: str = "cloud/l3/ownership", **overrides: object) -> dict[str, object]:
    values = {
        "level_id": "cloud-engineering/l3-senior-software-engineer",
        "competency_key": key,
        "competency_text": "Owns services end to end",
        "section_name": "Delivery",
        "example_text": "Ran the on-call rotation",
        "question": "When did you last own something end to end?",
    }
    values.update(overrides)
    return values


def claim(store: Store, user_id: str = ALICE, period: str = "2026-11", *, worker: str = "w1",
          now: datetime = T0, key: str = "cloud/l3/ownership", team_id: str = TEAM) -> Nudge | None:  # fmt: skip
    store.update_person(team_id, user_id)  # nudges are only claimed for people the bot knows
    return store.claim_nudge(team_id, user_id, period, worker=worker, now=now, lease=LEASE, **competency(key))


def backend(url: str) -> str:
    return sa.make_url(url).get_backend_name()


@contextmanager
def empty_database(url: str, tmp_path) -> Iterator[str]:
    """A second, empty database on the same backend as ``url``."""
    if backend(url) == "sqlite":
        yield f"sqlite:///{tmp_path / 'scratch.db'}"
    else:
        with fresh_postgres_database("ladderbot_scratch") as scratch:
            yield scratch


def schema_snapshot(url: str) -> dict[str, object]:
    """Everything the inspector reports about our tables, in comparable form."""
    engine = storage.make_engine(url)
    try:
        inspector = sa.inspect(engine)
        snapshot: dict[str, object] = {}
        for table in Base.metadata.tables:
            snapshot[table] = {
                "columns": [(c["name"], str(c["type"]), c["nullable"]) for c in inspector.get_columns(table)],
                "pk": inspector.get_pk_constraint(table),
                "unique": sorted(
                    (u["name"], tuple(u["column_names"])) for u in inspector.get_unique_constraints(table)
                ),
                "indexes": sorted(
                    (i["name"], tuple(i["column_names"]), i["unique"]) for i in inspector.get_indexes(table)
                ),
                "checks": sorted(c["name"] for c in inspector.get_check_constraints(table)),
                "fks": sorted(
                    (f["name"], tuple(f["constrained_columns"]), f["referred_table"], f["options"].get("ondelete"))
                    for f in inspector.get_foreign_keys(table)
                ),
            }
        return snapshot
    finally:
        engine.dispose()


# -- migrations and engine


def test_migrations_match_models(database_url: str) -> None:
    assert storage.current_revision(database_url) == storage.head_revision() == "0004"
    engine = storage.make_engine(database_url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True, "compare_server_default": True})
            assert compare_metadata(context, [Base.metadata, SLACK_METADATA]) == []
    finally:
        engine.dispose()


def test_migrated_schema_equals_create_all(database_url: str, tmp_path) -> None:
    # compare_metadata ignores CHECK constraints and some names; the inspector does not.
    with empty_database(database_url, tmp_path) as scratch:
        engine = storage.make_engine(scratch)
        Base.metadata.create_all(engine)
        engine.dispose()
        assert schema_snapshot(database_url) == schema_snapshot(scratch)


def test_downgrade_and_upgrade_again(database_url: str, tmp_path) -> None:
    with empty_database(database_url, tmp_path) as scratch:
        assert storage.current_revision(scratch) is None
        storage.upgrade(scratch)
        storage.upgrade(scratch)  # idempotent
        downgrade(scratch, "base")
        assert storage.current_revision(scratch) is None
        engine = storage.make_engine(scratch)
        assert set(sa.inspect(engine).get_table_names()) <= {"alembic_version"}
        engine.dispose()
        storage.upgrade(scratch)
        assert storage.current_revision(scratch) == "0004"


@pytest.mark.parametrize(
    "url", ["postgres://u:pw@db.example:5432/app", "postgresql://u:pw@db.example/app", "postgresql+psycopg://u@h/app"]
)
def test_make_engine_uses_psycopg_for_heroku_urls(url: str) -> None:
    engine = storage.make_engine(url)
    assert engine.url.drivername == "postgresql+psycopg"
    assert engine.pool._pre_ping
    engine.dispose()


def test_sqlite_engine_settings(tmp_path) -> None:
    engine = storage.make_engine(f"sqlite:///{tmp_path / 'nested' / 'deeper' / 'bot.db'}")
    assert (tmp_path / "nested" / "deeper").is_dir()
    with engine.connect() as conn:
        pragma = lambda name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()  # noqa: E731
        assert (pragma("journal_mode"), pragma("foreign_keys"), pragma("busy_timeout")) == ("wal", 1, 15000)
    engine.dispose()


def test_default_url_is_relative_data_folder(tmp_path, monkeypatch) -> None:
    assert storage.DEFAULT_DATABASE_URL == "sqlite:///data/ladderbot.db"
    monkeypatch.chdir(tmp_path)
    s = Store()
    storage.prepare(storage.DEFAULT_DATABASE_URL)  # a starting process migrates its SQLite file
    assert s.get_person(TEAM, ALICE) is None
    assert (tmp_path / "data" / "ladderbot.db").exists()
    s.dispose()


# -- unreachable database


@pytest.mark.parametrize("scheme", ["postgresql+psycopg", "postgres"])
def test_unreachable_database_raises_database_unavailable(scheme: str) -> None:
    url = f"{scheme}://postgres:s3cret-pw@127.0.0.1:1/none"
    s = Store(url)  # lazy: constructing does not connect
    for call in (lambda: s.get_person(TEAM, ALICE), lambda: s.claim_event(TEAM, "Ev1")):
        with pytest.raises(DatabaseUnavailable) as info:
            call()
        assert isinstance(info.value, StorageError)
        assert "s3cret-pw" not in str(info.value)
        assert "s3cret-pw" not in "".join(traceback.format_exception(info.value))
        assert "127.0.0.1:1" in str(info.value)
    s.dispose()
    with pytest.raises(DatabaseUnavailable) as info:
        storage.upgrade(url)
    assert "s3cret-pw" not in str(info.value)


def test_unusable_sqlite_path_raises_database_unavailable(tmp_path) -> None:
    (tmp_path / "a-file").write_text("not a folder")
    with pytest.raises(DatabaseUnavailable):
        Store(f"sqlite:///{tmp_path / 'a-file' / 'bot.db'}")


def test_locked_sqlite_raises_database_unavailable(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(storage.db, "SQLITE_BUSY_TIMEOUT_MS", 50)
    url = f"sqlite:///{tmp_path / 'bot.db'}"
    storage.upgrade(url)
    blocker = sqlite3.connect(tmp_path / "bot.db", isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")  # another process holding the write lock
    s = Store(url)
    with pytest.raises(DatabaseUnavailable, match="locked"):
        s.claim_event(TEAM, "Ev1")
    blocker.rollback()
    blocker.close()
    assert s.claim_event(TEAM, "Ev1") is True
    s.dispose()


# -- Slack retries


def test_claim_event_only_once(store: Store) -> None:
    assert store.claim_event(TEAM, "Ev01", now=T0) is True
    assert store.claim_event(TEAM, "Ev01", now=T0) is False
    assert store.claim_event("T0002", "Ev01", now=T0) is True
    assert store.claim_event(TEAM, "Ev02", now=T0 + timedelta(hours=2)) is True
    assert store.forget_events_before(T0 + timedelta(hours=1)) == 2
    assert store.claim_event(TEAM, "Ev01") is True  # forgotten, so new again
    assert store.claim_event(TEAM, "Ev02") is False


# -- people


def test_update_person_upserts(store: Store) -> None:
    assert store.get_person(TEAM, ALICE) is None
    created = store.update_person(TEAM, ALICE)
    assert (created.cadence, created.local_time, created.weekdays, created.tz) == (
        "monthly", "10:00", "mon,tue,wed,thu,fri", "UTC",
    )  # fmt: skip
    assert (created.ignored_streak, created.target_level_id, created.paused_until) == (0, None, None)
    assert created.created_at.tzinfo is timezone.utc

    paris_noon = datetime(2026, 12, 1, 12, 0, tzinfo=timezone(timedelta(hours=1)))
    updated = store.update_person(
        TEAM, ALICE, target_level_id="cloud-engineering/l4-staff", cadence="weekly",
        weekdays="Fri, mon", tz="Europe/Paris", paused_until=paris_noon, ignored_streak=2,
    )  # fmt: skip
    assert updated.id == created.id and updated.created_at == created.created_at
    assert updated.updated_at >= created.updated_at
    assert (updated.cadence, updated.weekdays, updated.tz, updated.ignored_streak) == (
        "weekly",
        "mon,fri",
        "Europe/Paris",
        2,
    )
    assert updated.paused_until == paris_noon and updated.paused_until.tzinfo is timezone.utc
    assert store.get_person(TEAM, ALICE) == updated
    assert store.update_person(TEAM, ALICE, paused_until=None).paused_until is None


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"nickname": "al"}, TypeError),
        ({"cadence": "daily"}, ValueError),
        ({"local_time": "9:00"}, ValueError),
        ({"weekdays": "mon,funday"}, ValueError),
        ({"tz": "Mars/Olympus"}, ValueError),
        ({"paused_until": datetime(2026, 1, 1)}, ValueError),  # naive
        ({"ignored_streak": -1}, ValueError),
    ],
)
def test_update_person_rejects_bad_fields(store: Store, fields: dict[str, object], error: type[Exception]) -> None:
    with pytest.raises(error):
        store.update_person(TEAM, ALICE, **fields)
    assert store.get_person(TEAM, ALICE) is None


def test_people_due_candidates_streams_in_keyset_batches(store: Store, database_url: str) -> None:
    def row(i: int) -> dict[str, object]:
        return {
            "team_id": TEAM, "user_id": f"U{i:06d}", "created_at": T0, "updated_at": T0,
            "target_level_id": None if i % 5 == 0 else "eng/l3", "cadence": "off" if i % 7 == 0 else "monthly",
        }  # fmt: skip

    engine = storage.make_engine(database_url)
    with engine.begin() as conn:
        conn.execute(sa.insert(PersonRow), [row(i) for i in range(1, 1201)])
    engine.dispose()
    expected = [f"U{i:06d}" for i in range(1, 1201) if i % 5 and i % 7]

    candidates = store.people_due_candidates(batch_size=100)
    first = [next(candidates) for _ in range(100)]
    # Between batches no transaction is open (SQLite would block this write for
    # the busy timeout) and later batches are read afresh.
    store.update_person(TEAM, "ULATE", target_level_id="eng/l4")
    rest = list(candidates)
    people = first + rest
    assert [p.user_id for p in people] == expected + ["ULATE"]
    assert [p.id for p in people] == sorted(p.id for p in people)
    assert len(list(store.people_due_candidates(batch_size=len(expected) + 1))) == len(expected) + 1
    with pytest.raises(ValueError):
        store.people_due_candidates(batch_size=0)


# -- nudges


def test_claim_nudge_once_per_period(store: Store) -> None:
    now = datetime(2026, 11, 2, 14, 30, tzinfo=timezone(timedelta(hours=5, minutes=30)))
    first = claim(store, now=now)
    assert first is not None
    assert (first.status, first.claimed_by, first.attempts, first.period) == ("claimed", "w1", 1, "2026-11")
    assert first.claimed_at == now and first.claimed_at.tzinfo is timezone.utc
    assert first.competency_text == "Owns services end to end" and first.example_text == "Ran the on-call rotation"
    assert claim(store, worker="w2", now=T0 + LEASE / 2) is None
    assert claim(store, period="2026-12", now=T0) is not None
    assert claim(store, user_id=BOB) is not None
    assert nudge_statuses(store, TEAM, [ALICE, BOB]) == {"claimed": 3}
    with pytest.raises(ValueError):
        store.claim_nudge(TEAM, ALICE, "2027-01", worker="w", now=T0.replace(tzinfo=None), lease=LEASE, **competency())


def test_stale_claim_is_taken_over_once(store: Store) -> None:
    original = claim(store, worker="crashed", key="original-key")
    assert original is not None
    assert claim(store, worker="w2", now=T0 + LEASE) is None  # lease not yet over

    later = T0 + LEASE + timedelta(seconds=1)
    taken = claim(store, worker="w2", now=later, key="another-key")
    assert taken is not None and taken.id == original.id
    assert (taken.claimed_by, taken.claimed_at, taken.attempts) == ("w2", later, 2)
    assert taken.competency_key == "original-key"  # the row's content is kept
    assert claim(store, worker="w3", now=later) is None
    # The crashed sender wakes up: its claim is gone, so it cannot record anything.
    assert (
        store.finish_claims(
            [(original.id, "sent", {"channel_id": "D1", "message_ts": "1.1"})], worker="crashed", now=later
        )
        == 0
    )
    assert store.get_nudge(TEAM, ALICE, original.id).status == "claimed"


def test_retry_is_taken_over_and_failed_is_final(store: Store) -> None:
    first = claim(store)
    assert store.finish_claims([(first.id, "retry", {"error": "ratelimited"})], worker="w1", now=T0) == 1
    retry = store.get_nudge(TEAM, ALICE, first.id)
    assert (retry.status, retry.error) == ("retry", "ratelimited")
    again = claim(store, worker="w2", now=T0 + timedelta(seconds=5))
    assert again is not None and (again.id, again.attempts, again.claimed_by) == (first.id, 2, "w2")
    assert store.mark_nudge_failed(again.id, error="user_not_found", now=T0, worker="w2") is True
    assert store.get_nudge(TEAM, ALICE, first.id).status == "failed"
    assert claim(store, worker="w3", now=T0 + 10 * LEASE) is None


def test_mark_sent_only_from_claimed(store: Store) -> None:
    nudge = claim(store)
    sent_at = T0 + timedelta(seconds=2)
    assert (
        store.finish_claims(
            [(nudge.id, "sent", {"channel_id": "D123", "message_ts": "1730.0001"})], worker="w1", now=sent_at
        )
        == 1
    )
    found = store.nudge_for_message(TEAM, "D123", "1730.0001")
    assert found is not None and found.id == nudge.id
    assert (found.status, found.sent_at, found.channel_id) == ("sent", sent_at, "D123")
    assert store.nudge_for_message("T0002", "D123", "1730.0001") is None
    assert (
        store.finish_claims([(nudge.id, "sent", {"channel_id": "D123", "message_ts": "9.9"})], worker="w1", now=sent_at)
        == 0
    )
    assert store.finish_claims([(nudge.id, "retry", {"error": "late"})], worker="w1", now=sent_at) == 0
    assert claim(store, worker="w2", now=T0 + 10 * LEASE) is None  # sent: never again this period
    assert store.get_nudge(TEAM, ALICE, nudge.id).message_ts == "1730.0001"


def _race(n: int, call) -> list[object]:
    barrier = threading.Barrier(n)

    def run(i: int) -> object:
        barrier.wait(timeout=10)
        return call(i)

    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(run, range(n)))


@pytest.mark.parametrize("scenario", ["new", "retry", "stale"])
def test_racing_claims_have_exactly_one_winner(store: Store, scenario: str) -> None:
    racers, rounds = 8, 20
    for r in range(rounds):
        user = f"URACE{r:03d}"
        if scenario != "new":
            setup = claim(store, user, worker="setup")
            if scenario == "retry":
                store.finish_claims([(setup.id, "retry", {"error": "timeout"})], worker="setup", now=T0)
        now = T0 + 2 * LEASE
        results = _race(racers, lambda i, user=user, now=now: claim(store, user, worker=f"w{i}", now=now))
        winners = [n for n in results if n is not None]
        assert len(winners) == 1, f"round {r}: {len(winners)} winners"
        assert winners[0].attempts == (1 if scenario == "new" else 2)
        assert store.get_nudge(TEAM, user, winners[0].id).claimed_by == winners[0].claimed_by
    assert sum(nudge_statuses(store, TEAM, [f"URACE{r:03d}" for r in range(rounds)]).values()) == rounds


def test_nudge_history_and_recent_nudges(store: Store) -> None:
    for month, key in [("2026-09", "a"), ("2026-10", "b"), ("2026-11", "c")]:
        claim(store, period=month, key=key)
    claim(store, period="2026-12", key="other-level")
    store.update_person(TEAM, ALICE)
    store.claim_nudge(TEAM, ALICE, "2027-01", worker="w", now=T0, lease=LEASE, **competency("x", level_id="eng/l4"))
    claim(store, user_id=BOB, key="bobs")
    level = competency()["level_id"]
    history = store.nudge_history([(TEAM, ALICE), (TEAM, BOB), (TEAM, "U-nobody")])
    assert {n.competency_key for n in history[(TEAM, ALICE)] if n.level_id == level} == {"a", "b", "c", "other-level"}
    assert [n.period for n in history[(TEAM, ALICE)]] == ["2027-01", "2026-12", "2026-11", "2026-10", "2026-09"]
    assert [n.competency_key for n in history[(TEAM, BOB)]] == ["bobs"] and history[(TEAM, "U-nobody")] == []
    assert [n.period for n in store.recent_nudges(TEAM, ALICE, limit=3)] == ["2027-01", "2026-12", "2026-11"]


# -- owner scoping and reflections


def test_owner_scoping_with_another_users_ids(store: Store) -> None:
    nudge = claim(store, ALICE)
    note = store.add_reflection(TEAM, ALICE, "Led the migration", source="command", now=T0)
    claim(store, BOB)

    assert store.get_nudge(TEAM, BOB, nudge.id) is None
    assert store.get_nudge("T0002", ALICE, nudge.id) is None  # same user id, other workspace
    assert store.set_nudge_status(TEAM, BOB, nudge.id, "skipped", now=T0) is None
    assert store.get_nudge(TEAM, ALICE, nudge.id).status == "claimed"
    assert store.delete_reflection(TEAM, BOB, note.id) is False
    assert store.reflections_for(TEAM, ALICE) == [note]

    snoozed = store.set_nudge_status(TEAM, ALICE, nudge.id, "snoozed", now=T0 + timedelta(hours=1))
    assert (snoozed.status, snoozed.responded_at) == ("snoozed", T0 + timedelta(hours=1))
    with pytest.raises(ValueError):
        store.set_nudge_status(TEAM, ALICE, nudge.id, "exploded", now=T0)
    assert store.delete_reflection(TEAM, ALICE, note.id) is True
    assert store.reflections_for(TEAM, ALICE) == []


def test_add_reflection_answers_own_nudge_only(store: Store) -> None:
    nudge = claim(store, ALICE, key="ownership")
    bobs = claim(store, BOB)
    with pytest.raises(ValueError):
        store.add_reflection(TEAM, ALICE, "Not mine", source="thread", nudge_id=bobs.id)
    assert store.get_nudge(TEAM, BOB, bobs.id).status == "claimed"
    assert store.reflections_for(TEAM, ALICE) == []

    answered_at = T0 + timedelta(days=1)
    note = store.add_reflection(
        TEAM, ALICE, "Ran the incident review", source="thread", nudge_id=nudge.id,
        competency_key="ignored", now=answered_at,
    )  # fmt: skip
    assert (note.nudge_id, note.competency_key, note.level_id) == (nudge.id, "ownership", nudge.level_id)
    assert note.competency_text == nudge.competency_text and note.created_at == answered_at
    answered = store.get_nudge(TEAM, ALICE, nudge.id)
    assert (answered.status, answered.responded_at) == ("answered", answered_at)

    store.add_reflection(TEAM, ALICE, "A second reply", source="thread", nudge_id=nudge.id, now=answered_at + LEASE)
    assert store.get_nudge(TEAM, ALICE, nudge.id).responded_at == answered_at  # first reaction kept
    free = store.add_reflection(TEAM, ALICE, "Free note", source="modal", level_id="eng/l4", competency_key="k")
    assert [r.text for r in store.reflections_for(TEAM, ALICE)] == [
        "Free note",
        "A second reply",
        "Ran the incident review",
    ]
    assert store.reflections_for(TEAM, ALICE, limit=1) == [free]
    with pytest.raises(ValueError):
        store.add_reflection(TEAM, ALICE, "x", source="email")
    with pytest.raises(ValueError):
        store.add_reflection(TEAM, ALICE, "   ", source="modal")


def test_forget_person_leaves_no_trace(store: Store, database_url: str) -> None:
    for user in (ALICE, BOB):
        store.update_person(TEAM, user, target_level_id="eng/l3")
        first = claim(store, user, period="2026-10")
        claim(store, user, period="2026-11")
        store.add_reflection(TEAM, user, f"note by {user}", source="thread", nudge_id=first.id)
        store.add_reflection(TEAM, user, "free note", source="command")
    store.claim_event(TEAM, "Ev1")
    # The growth loop: Alice assessed herself, shared with Bob, and is Carol's manager too.
    carol, dan = "UCAROL0003", "UDAN000004"
    store.update_person(TEAM, carol)
    store.update_person(TEAM, dan)
    for person, manager in ((ALICE, BOB), (carol, ALICE), (dan, carol)):
        invitation = store.invite_manager(TEAM, person, manager, now=T0)
        store.answer_invitation(TEAM, manager, invitation.id, accept=True, now=T0)
    assessment = store.add_assessment(TEAM, ALICE, "eng/l3", {"k1": "met", "k2": "partly"}, {"k2": "half"}, now=T0)
    store.share_assessment(TEAM, ALICE, assessment.id, now=T0)
    store.share_reflection(TEAM, ALICE, store.reflections_for(TEAM, ALICE)[0].id, now=T0)
    store.share_reflection(TEAM, carol, store.add_reflection(TEAM, carol, "to Alice", source="modal").id, now=T0)
    store.share_reflection(TEAM, dan, store.add_reflection(TEAM, dan, "to Carol", source="modal").id, now=T0)
    store.add_assessment(TEAM, dan, "eng/l3", {"k1": "met"}, now=T0)
    store.claim_change_notice(TEAM, ALICE, "eng/l3", "change-1", now=T0)
    store.claim_change_notice(TEAM, dan, "eng/l3", "change-1", now=T0)
    store.save_level_snapshots([("eng/l3", "fp", "{}")], now=T0)

    assert store.forget_person(TEAM, ALICE) == {
        "people": 1,
        "change_notices": 1,
        "shares": 3,
        "assessment_ratings": 2,
        "assessments": 1,
        "manager_links": 2,
        "reflections": 2,
        "nudges": 2,
    }

    engine = storage.make_engine(database_url)
    with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            text_columns = [c for c in table.c if isinstance(c.type, sa.String)]
            mentions = sa.or_(*(c.contains(ALICE) for c in text_columns))
            assert conn.execute(sa.select(sa.func.count()).select_from(table).where(mentions)).scalar() == 0, table.name
        # Tables without a user column: only what is about the others is left.
        assert conn.execute(sa.text("SELECT count(*) FROM assessment_ratings")).scalar() == 1
    engine.dispose()
    assert store.get_person(TEAM, BOB) is not None
    assert len(store.reflections_for(TEAM, BOB)) == 2 and len(store.recent_nudges(TEAM, BOB)) == 2
    assert len(store.team_view(TEAM, carol)[0].shared) == 1 and store.level_snapshots()["eng/l3"].fingerprint == "fp"
    assert not set(store.forget_person(TEAM, ALICE).values()) - {0}


def test_prepare_migrates_sqlite_and_only_checks_a_shared_postgresql(tmp_path, caplog) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    storage.prepare(url)
    assert storage.current_revision(url) == storage.head_revision()
    (tmp_path / "a-file").write_text("")
    storage.prepare(f"sqlite:///{tmp_path / 'a-file' / 'x.db'}")  # unusable: logged, ladder answers still work
    assert "ladder answers work" in caplog.text
    if os.environ.get(PG_ENV):
        with fresh_postgres_database("ladderbot_prepare") as empty:
            with pytest.raises(storage.SchemaOutOfDate, match="ladderbot db upgrade"):
                storage.prepare(empty)
            assert storage.current_revision(empty) is None  # never migrated by a starting process
