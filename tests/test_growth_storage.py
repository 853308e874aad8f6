"""Storage of the growth loop (assessments, manager links, shares, change notes, counts),
on SQLite and (with LADDERBOT_TEST_DATABASE_URL) PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

import storage
from storage import ShareCopy, Store

T0 = datetime(2026, 8, 3, 9, 0, tzinfo=timezone.utc)
TEAM = "T0001"
ALICE, BOB, MIA, MAX = "UALICE0001", "UBOB000002", "UMIA000003", "UMAX000004"
L3 = "cloud-engineering/l3"


def linked(store: Store, person: str = ALICE, manager: str = MIA) -> storage.ManagerLink:
    invitation = store.invite_manager(TEAM, person, manager, now=T0)
    link = store.answer_invitation(TEAM, manager, invitation.id, accept=True, now=T0)
    assert link is not None and link.status == "accepted"
    return link


# -- assessments


def test_a_reassessment_keeps_the_history_and_reads_latest_then_previous(store: Store) -> None:
    first = store.add_assessment(TEAM, ALICE, L3, {"k1": "not_yet", "k2": "partly"}, {"k2": " half way "}, now=T0)
    second = store.add_assessment(TEAM, ALICE, L3, {"k1": "partly", "k2": "met"}, now=T0 + timedelta(days=90))
    store.add_assessment(TEAM, BOB, L3, {"k1": "met"}, now=T0)
    store.add_assessment(TEAM, ALICE, "other/level", {"k9": "met"}, now=T0 + timedelta(days=99))

    latest, previous = store.assessments_for(TEAM, ALICE, L3)
    assert (latest, previous) == (second, first)
    assert previous.rating_of("k2") == storage.Rating("k2", "partly", "half way")
    assert latest.rating_of("k1").rating == "partly" and latest.created_at == T0 + timedelta(days=90)
    assert len(store.assessments_for(TEAM, ALICE, L3, limit=None)) == 2
    assert store.get_assessment(TEAM, ALICE, first.id) == first
    assert store.get_assessment(TEAM, BOB, first.id) is None  # someone else's id
    assert store.latest_assessments([(TEAM, ALICE, L3), (TEAM, BOB, L3), (TEAM, MAX, L3)]) == {
        (TEAM, ALICE, L3): second,
        (TEAM, BOB, L3): store.assessments_for(TEAM, BOB, L3)[0],
    }


@pytest.mark.parametrize(
    "ratings, notes",
    [
        ({}, None),
        ({"k1": "great"}, None),
        ({"k1": "met"}, {"k2": "note for nothing"}),
        ({"k1": "met"}, {"k1": "x" * 3001}),
        ({"": "met"}, None),
    ],
)
def test_bad_assessments_are_refused_and_nothing_is_stored(store: Store, ratings, notes) -> None:
    with pytest.raises(ValueError):
        store.add_assessment(TEAM, ALICE, L3, ratings, notes, now=T0)
    assert store.assessments_for(TEAM, ALICE, L3) == []


# -- manager links


def test_a_link_exists_only_once_accepted_and_either_side_can_end_it(store: Store) -> None:
    invitation = store.invite_manager(TEAM, ALICE, MIA, now=T0)
    assert invitation.status == "pending" and store.manager_link(TEAM, ALICE) is None
    assert store.invite_manager(TEAM, ALICE, MIA, now=T0) == invitation  # asking twice changes nothing
    assert store.invitations_for(TEAM, MIA) == [invitation]
    assert store.answer_invitation(TEAM, MAX, invitation.id, accept=True) is None  # not addressed to Max
    link = store.answer_invitation(TEAM, MIA, invitation.id, accept=True, now=T0)
    assert store.manager_link(TEAM, ALICE) == link and store.people_of(TEAM, MIA) == [link]
    assert store.answer_invitation(TEAM, MIA, invitation.id, accept=False) is None  # answered already

    assert store.end_manager_link(TEAM, MAX, link.id) is None  # neither side
    ended = store.end_manager_link(TEAM, MIA, link.id, now=T0)  # the manager ends it
    assert ended.status == "ended" and store.manager_link(TEAM, ALICE) is None and store.people_of(TEAM, MIA) == []
    again = linked(store)
    assert store.end_manager_link(TEAM, ALICE, again.id).status == "ended"  # the person ends it


def test_one_active_manager_per_person_and_many_people_per_manager(store: Store) -> None:
    first = linked(store, ALICE, MIA)
    linked(store, BOB, MIA)
    assert [link.user_id for link in store.people_of(TEAM, MIA)] == [ALICE, BOB]
    second = linked(store, ALICE, MAX)  # accepting a new manager ends the old link
    assert store.manager_link(TEAM, ALICE) == second
    assert first.id not in {link.id for link in store.people_of(TEAM, MIA)}  # that link ended
    assert [link.user_id for link in store.people_of(TEAM, MIA)] == [BOB]
    with pytest.raises(ValueError):
        store.invite_manager(TEAM, ALICE, ALICE)


def test_the_database_refuses_two_accepted_links_for_one_person(store: Store, database_url: str) -> None:
    linked(store, ALICE, MIA)
    engine = storage.make_engine(database_url)
    try:
        with pytest.raises(sa.exc.IntegrityError), engine.begin() as conn:
            conn.execute(
                sa.text(
                    "INSERT INTO manager_links (team_id, user_id, manager_id, status, created_at) "
                    "VALUES (:t, :u, :m, 'accepted', :now)"
                ),
                {"t": TEAM, "u": ALICE, "m": MAX, "now": T0},
            )
    finally:
        engine.dispose()


def test_a_new_invitation_withdraws_the_unanswered_one(store: Store) -> None:
    to_mia = store.invite_manager(TEAM, ALICE, MIA, now=T0)
    to_max = store.invite_manager(TEAM, ALICE, MAX, now=T0)
    assert store.pending_invitation(TEAM, ALICE) == to_max and store.invitations_for(TEAM, MIA) == []
    assert store.answer_invitation(TEAM, MIA, to_mia.id, accept=True) is None
    declined = store.answer_invitation(TEAM, MAX, to_max.id, accept=False, now=T0)
    assert declined.status == "declined" and store.manager_link(TEAM, ALICE) is None


# -- shares


def test_a_manager_sees_only_what_was_shared_and_only_while_linked(store: Store) -> None:
    store.update_person(TEAM, ALICE, current_level_id="l2", target_level_id=L3)
    shared = store.add_reflection(TEAM, ALICE, "Led the incident review", source="modal")
    store.add_reflection(TEAM, ALICE, "Private: I was nervous", source="modal")
    assessment = store.add_assessment(TEAM, ALICE, L3, {"k1": "met"}, now=T0)
    assert store.share_reflection(TEAM, ALICE, shared.id) is None  # no manager yet: nothing is shared
    link = linked(store)

    by_reflection = store.share_reflection(TEAM, ALICE, shared.id, now=T0)
    assert store.share_reflection(TEAM, ALICE, shared.id, now=T0 + timedelta(hours=1)) == by_reflection
    by_assessment = store.share_assessment(TEAM, ALICE, assessment.id, now=T0 + timedelta(hours=2))
    packet = store.share_packet(TEAM, ALICE, L3, now=T0 + timedelta(hours=3))
    assert (by_reflection.manager_id, by_reflection.link_id, packet.level_id) == (MIA, link.id, L3)
    assert store.shares_by(TEAM, ALICE) == [packet, by_assessment, by_reflection]

    [member] = store.team_view(TEAM, MIA)
    assert (member.user_id, member.current_level_id, member.target_level_id) == (ALICE, "l2", L3)
    assert [(i.share.kind, i.reflection, i.assessment) for i in member.shared] == [
        ("packet", None, None),
        ("assessment", None, assessment),
        ("reflection", shared, None),
    ]
    assert "Private" not in repr(store.team_view(TEAM, MIA))
    assert store.team_view(TEAM, MAX) == []  # another manager sees nothing of it

    store.end_manager_link(TEAM, ALICE, link.id)
    assert store.team_view(TEAM, MIA) == []
    linked(store)  # linked again: the new link starts with nothing shared
    assert [m.shared for m in store.team_view(TEAM, MIA)] == [()]
    assert len(store.shares_by(TEAM, ALICE)) == 3  # the person still sees what they shared and when


def test_someone_elses_item_cannot_be_shared(store: Store) -> None:
    linked(store, ALICE, MIA)
    bobs = store.add_reflection(TEAM, BOB, "Bob's note", source="modal")
    bobs_assessment = store.add_assessment(TEAM, BOB, L3, {"k1": "met"})
    assert store.share_reflection(TEAM, ALICE, bobs.id) is None
    assert store.share_assessment(TEAM, ALICE, bobs_assessment.id) is None
    assert store.team_view(TEAM, MIA)[0].shared == ()


def test_deleting_a_shared_reflection_unshares_it(store: Store) -> None:
    linked(store)
    note = store.add_reflection(TEAM, ALICE, "A note", source="modal")
    store.share_reflection(TEAM, ALICE, note.id)
    assert store.delete_reflection(TEAM, ALICE, note.id)
    assert store.shares_by(TEAM, ALICE) == [] and store.team_view(TEAM, MIA)[0].shared == ()


# -- ladder-change bookkeeping


def test_level_snapshots_are_replaced_and_change_notices_claimed_once(store: Store) -> None:
    assert store.level_snapshots() == {}
    store.save_level_snapshots([(L3, "fp1", "{}"), ("l2", "fp2", "[]")], now=T0)
    store.save_level_snapshots([(L3, "fp3", '{"a": 1}')], now=T0 + timedelta(days=1))
    snapshots = store.level_snapshots()
    assert (snapshots[L3].fingerprint, snapshots[L3].content, snapshots["l2"].fingerprint) == ("fp3", '{"a": 1}', "fp2")

    store.update_person(TEAM, ALICE, current_level_id=L3)
    store.update_person(TEAM, BOB, target_level_id=L3)
    store.update_person(TEAM, MAX, current_level_id="l9", target_level_id="l10")
    assert [p.user_id for p in store.people_at_levels([L3])] == [ALICE, BOB]
    assert store.claim_change_notice(TEAM, ALICE, L3, "change-1")
    assert not store.claim_change_notice(TEAM, ALICE, L3, "change-1")
    assert store.claim_change_notice(TEAM, ALICE, L3, "change-2")
    assert not store.claim_change_notice(TEAM, MIA, L3, "change-1")  # unknown (or forgotten) person


# -- counts


def test_workspace_stats_count_per_level_and_month_without_ids(store: Store) -> None:
    for user, current, target in [(ALICE, "l2", L3), (BOB, "l2", L3), (MAX, L3, None), (MIA, None, None)]:
        store.update_person(TEAM, user, current_level_id=current, target_level_id=target)
    store.update_person("TOTHER", ALICE, current_level_id="l2")  # another workspace
    lease = timedelta(minutes=5)
    fields = dict(
        level_id=L3, competency_key="k", competency_text="x", section_name="s", example_text=None, question="?"
    )
    for user, period, sent in [
        (ALICE, "2026-10", datetime(2026, 10, 31, 23, 0, tzinfo=timezone.utc)),
        (BOB, "2026-10", datetime(2026, 10, 5, tzinfo=timezone.utc)),
        (ALICE, "2026-11", datetime(2026, 11, 2, tzinfo=timezone.utc)),
    ]:
        nudge = store.claim_nudge(TEAM, user, period, worker="w", now=sent, lease=lease, **fields)
        store.finish_claims([(nudge.id, "sent", {"channel_id": "D1", "message_ts": "1.0"})], worker="w", now=sent)
        if user == ALICE:
            store.add_reflection(TEAM, user, "answer", source="thread", nudge_id=nudge.id)
    store.claim_nudge(TEAM, BOB, "2026-11", worker="w", now=T0, lease=lease, **fields)  # claimed, never sent
    store.add_assessment(TEAM, ALICE, L3, {"k": "met"})
    store.add_assessment(TEAM, ALICE, L3, {"k": "met"})

    stats = store.workspace_stats(TEAM)
    assert (stats.people, stats.with_current, stats.with_target) == (4, 3, 2)
    assert stats.levels == (storage.LevelCount(L3, 1, 2), storage.LevelCount("l2", 2, 0))
    assert stats.prompts == (storage.MonthCount("2026-10", 2, 1), storage.MonthCount("2026-11", 1, 1))
    assert (stats.reflections, stats.assessments, stats.assessed_people) == (2, 2, 1)
    assert ALICE not in repr(stats) and store.workspace_stats("TNOBODY").people == 0


def test_upgrading_a_0001_database_keeps_its_rows_and_downgrading_drops_only_the_new_tables(
    database_url: str, tmp_path
) -> None:
    from storage.migrate import downgrade
    from tests.test_storage import empty_database

    with empty_database(database_url, tmp_path) as scratch:
        storage.upgrade(scratch, "0001")
        db = Store(scratch)
        try:
            db.update_person(TEAM, ALICE, target_level_id=L3)
            storage.upgrade(scratch)
            assert db.get_person(TEAM, ALICE).target_level_id == L3
            db.add_assessment(TEAM, ALICE, L3, {"k1": "met"})
            db.dispose()
            downgrade(scratch, "0001")
            tables = set(sa.inspect(db._engine).get_table_names())
            assert "assessments" not in tables and "people" in tables
            assert db.get_person(TEAM, ALICE) is not None
        finally:
            db.dispose()


def test_a_copy_is_recorded_only_while_its_share_stands_and_is_taken_back_once(store: Store) -> None:
    reflection = store.add_reflection(TEAM, ALICE, "I ran the game day", source="command")
    link = store.invite_manager(TEAM, ALICE, MIA)
    store.answer_invitation(TEAM, MIA, link.id, accept=True)
    share = store.share_reflection(TEAM, ALICE, reflection.id)
    assert share is not None
    assert store.record_share_copy(share.id, "DMIA", ts="1.000100") is True
    ended = store.end_manager_link(TEAM, ALICE, link.id)
    assert ended is not None and ended.status == "ended"
    assert store.take_back_copies(TEAM, link_id=link.id) == [ShareCopy("DMIA", "1.000100", None)]
    assert store.take_back_copies(TEAM, link_id=link.id) == []  # handed out once
    # A copy that arrives after its link ended is not recorded: its sender deletes it at once.
    assert store.record_share_copy(share.id, "DMIA", ts="1.000200") is False
    assert store.take_back_copies(TEAM, person_id=ALICE) == []
