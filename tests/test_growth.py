"""The growth loop's domain (bot/growth): progress, prompt order, re-assessment timing, the
promotion packet, ladder-change notes and stats. Store-backed tests run on both backends."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from bot.growth.changes import (
    ChangeNotes,
    describe,
    detect_change,
    level_fingerprint,
    notes_enabled,
)
from bot.growth.criteria import criteria_of
from bot.growth.due import ReassessPolicy, add_months
from bot.growth.packet import packet_markdown
from bot.growth.progress import progress, what_moved
from bot.growth.stats import admins_from_env, bucket, may_see_stats, stats_report
from bot.ladder.loader import load_ladder
from bot.ladder.model import Competency, Level, Section, slugify
from bot.nudges.choose import PromptChooser, competency_key
from storage import Assessment, LevelCount, MonthCount, Rating, Store, WorkspaceStats

T0 = datetime(2026, 8, 3, 9, 0, tzinfo=timezone.utc)
TEAM = "T0001"
ALICE, BOB, CAROL = "UALICE0001", "UBOB000002", "UCAROL0003"
LADDER = load_ladder(Path(__file__).resolve().parent.parent / "ladder_content").ladder
L2, L3 = "cloud-engineering/l2-cloud-engineer", "cloud-engineering/l3-senior-software-engineer"


def make_level(level_id: str = "eng/l3", rank: int = 3, **categories: list[str]) -> Level:
    sections = tuple(
        Section(name.replace("_", " "), slugify(name), competencies=tuple(Competency(t) for t in texts))
        for name, texts in categories.items()
    )
    return Level(
        id=level_id,
        code=f"L{rank}",
        rank=rank,
        title="Senior Engineer",
        track="Eng",
        track_key="eng",
        sections=sections,
    )


LEVEL = make_level(
    Domain_expertise=["I design systems", "I review designs", "I mentor on design"],
    Delivery=["I ship weekly", "I own on-call"],
)
KEYS = {c.text: c.key for c in criteria_of(LEVEL)}


def assessment(
    ratings: dict[str, str], notes: dict[str, str] | None = None, *, when: datetime = T0, level: Level = LEVEL
) -> Assessment:
    keys = {c.text: c.key for c in criteria_of(level)}
    return Assessment(
        1,
        TEAM,
        ALICE,
        level.id,
        when,
        tuple(Rating(keys.get(text, text), rating, (notes or {}).get(text)) for text, rating in ratings.items()),
    )


# -- progress and what moved


def test_progress_per_category_counts_met_and_ignores_criteria_the_level_no_longer_has() -> None:
    latest = assessment(
        {
            "I design systems": "met",
            "I review designs": "partly",
            "I ship weekly": "met",
            "a criterion reworded since": "met",
        }
    )
    lines = progress(LEVEL, latest)
    assert [line.summary for line in lines] == ["Domain expertise: 1 of 3 met", "Delivery: 1 of 2 met"]
    assert (lines[0].partly, lines[0].unrated, lines[1].unrated) == (1, 1, 1)
    assert [line.summary for line in progress(LEVEL, None)] == ["Domain expertise: 0 of 3 met", "Delivery: 0 of 2 met"]


def test_what_moved_since_the_previous_assessment() -> None:
    previous = assessment({"I design systems": "not_yet", "I review designs": "met", "I ship weekly": "met"})
    latest = assessment(
        {"I design systems": "partly", "I review designs": "partly", "I ship weekly": "met", "I own on-call": "met"}
    )
    moves = what_moved(LEVEL, latest, previous)
    assert [m.summary for m in moves] == [
        "I design systems: Not yet → Partly",
        "I review designs: Met → Partly",
        "I own on-call: Not assessed → Met",
    ]
    assert [m.up for m in moves] == [True, False, True]
    assert what_moved(LEVEL, latest, None) == []


# -- prompt order


def _prompts(chooser: PromptChooser, current: Level | None, target: Level, ratings: dict[str, str] | None) -> list[str]:
    used: set[str] = set()
    seen = []
    for _ in range(target.competency_count):
        prompt = chooser.choose(current, target, used, ratings=ratings)
        seen.append(prompt.competency_text)
        used.add(prompt.competency_key)
    return seen


def test_prompts_ask_not_yet_and_partly_first_and_met_only_after_the_rest() -> None:
    current, target = LADDER.get(L2), LADDER.get(L3)
    plain = _prompts(PromptChooser(), current, target, None)
    met, partly, not_yet = plain[0], plain[1], plain[-1]  # the usual first two, and the usual last
    keys = {c.text: c.key for c in criteria_of(target)}
    ratings = {keys[met]: "met", keys[partly]: "partly", keys[not_yet]: "not_yet"}
    ordered = _prompts(PromptChooser(), current, target, ratings)
    assert ordered[:2] == [partly, not_yet]
    assert ordered[-1] == met
    assert ordered[2:-1] == [t for t in plain if t not in (met, partly, not_yet)]  # unrated: the usual order


def test_without_an_assessment_the_prompt_order_is_unchanged() -> None:
    current, target = LADDER.get(L2), LADDER.get(L3)
    chooser = PromptChooser()
    assert _prompts(chooser, current, target, {}) == _prompts(chooser, current, target, None)


# -- re-assessment


def test_a_reassessment_is_due_every_quarter_by_default() -> None:
    latest = assessment({"I ship weekly": "met"}, when=datetime(2026, 11, 30, 8, 0, tzinfo=timezone.utc))
    policy = ReassessPolicy.from_env({})
    assert policy.due_at(latest) == datetime(2027, 2, 28, 8, 0, tzinfo=timezone.utc)
    assert not policy.is_due(latest, datetime(2027, 2, 28, 7, 59, tzinfo=timezone.utc))
    assert policy.is_due(latest, datetime(2027, 2, 28, 8, 0, tzinfo=timezone.utc))
    assert not policy.is_due(None, datetime(2030, 1, 1, tzinfo=timezone.utc))  # never assessed: prompts go on


def test_the_reassessment_interval_is_configurable() -> None:
    latest = assessment({"I ship weekly": "met"})
    assert ReassessPolicy.from_env({"LADDERBOT_REASSESS_MONTHS": "6"}).due_at(latest) == add_months(T0, 6)
    assert not ReassessPolicy.from_env({"LADDERBOT_REASSESS_MONTHS": "off"}).is_due(latest, T0 + timedelta(days=3650))
    with pytest.raises(ValueError, match="LADDERBOT_REASSESS_MONTHS"):
        ReassessPolicy.from_env({"LADDERBOT_REASSESS_MONTHS": "quarterly"})
    assert add_months(datetime(2026, 1, 31, tzinfo=timezone.utc), 1).day == 28
    assert add_months(datetime(2026, 11, 15, tzinfo=timezone.utc), 3) == datetime(2027, 2, 15, tzinfo=timezone.utc)


# -- the promotion packet


def test_the_packet_has_each_criterion_with_rating_note_dated_reflections_and_gaps(store: Store) -> None:
    store.update_person(TEAM, ALICE, target_level_id=LEVEL.id)
    section = LEVEL.sections[0]
    nudge = store.claim_nudge(
        TEAM,
        ALICE,
        "2026-07",
        worker="w",
        now=T0,
        lease=timedelta(minutes=5),
        level_id=LEVEL.id,
        competency_key=competency_key(section, section.competencies[1]),
        competency_text=section.competencies[1].text,
        section_name=section.name,
        example_text=None,
        question="?",
    )
    store.add_reflection(
        TEAM,
        ALICE,
        "Reviewed the queue design\n\nwith Bob",
        source="thread",
        nudge_id=nudge.id,
        now=datetime(2026, 7, 14, tzinfo=timezone.utc),
    )
    store.add_reflection(
        TEAM, ALICE, "Gardening thoughts", source="command", now=datetime(2026, 7, 20, tzinfo=timezone.utc)
    )
    store.add_reflection(TEAM, BOB, "Bob's own", source="command")
    rated = store.add_assessment(
        TEAM,
        ALICE,
        LEVEL.id,
        {KEYS["I design systems"]: "met", KEYS["I review designs"]: "partly"},
        {KEYS["I review designs"]: "Need to\nlead one"},
        now=T0,
    )

    text = packet_markdown(
        LEVEL, rated, store.reflections_for(TEAM, ALICE), now=datetime(2026, 8, 10, tzinfo=timezone.utc)
    )

    assert text.startswith("# Promotion packet: L3: Senior Engineer (Eng)\n")
    assert "_Prepared 10 August 2026. Self-assessment of 03 August 2026: 1 of 5 criteria met._" in text
    domain = text.split("## Domain expertise")[1].split("## Delivery")[0]
    assert "_1 of 3 met._" in domain
    assert (
        "### ◐ I review designs\n\n**Self-assessment:** Partly — Need to lead one\n\n**Reflections**\n\n"
        "**14 Jul 2026**\n\n> Reviewed the queue design\n>\n> with Bob\n" in domain
    )
    assert "### ✅ I design systems\n\n**Self-assessment:** Met\n\n_No reflections on this yet._" in domain
    assert "### Gaps left\n\n- I review designs (partly)\n- I mentor on design (not assessed)\n" in domain
    assert text.split("## Other reflections")[1].count("Gardening thoughts") == 1 and "Bob's own" not in text
    assert "No self-assessment against L3: Senior Engineer yet" in packet_markdown(LEVEL, None, [], now=T0)


# -- ladder-change notes


CHANGED = make_level(
    Domain_expertise=["I design large systems", "I review designs", "I run the architecture guild"],
    Delivery=["I ship weekly", "I own on-call"],
)


def test_a_change_is_described_as_added_removed_and_reworded() -> None:
    change = detect_change(LEVEL, CHANGED, "fp")
    assert change.summary == "1 added, 1 removed, 1 reworded"
    assert describe(change).splitlines() == [
        "L3: Senior Engineer (Eng) changed: 1 added, 1 removed, 1 reworded.",
        "",
        "Domain expertise",
        "  + New: I run the architecture guild",
        "  ~ Changes: I design {+large+} systems",
        "  - No longer listed: I mentor on design",
    ]


def test_a_reorder_or_a_criterion_moving_category_is_not_a_change() -> None:
    reordered = make_level(
        Domain_expertise=["I mentor on design", "I review designs", "I design systems"],
        Delivery=["I own on-call", "I ship weekly"],
    )
    moved = make_level(
        Domain_expertise=["I design systems", "I review designs"],
        Delivery=["I ship weekly", "I own on-call", "I mentor on design"],
    )
    assert level_fingerprint(reordered) != level_fingerprint(LEVEL)
    assert detect_change(LEVEL, reordered) is None and detect_change(LEVEL, moved) is None


def test_change_notes_go_once_to_people_at_that_level_and_never_on_first_load(store: Store) -> None:
    other = make_level("eng/l2", 2, Delivery=["I ship"])
    store.update_person(TEAM, ALICE, current_level_id=LEVEL.id, target_level_id=LEVEL.id)
    store.update_person(TEAM, BOB, current_level_id=other.id, target_level_id=LEVEL.id)
    store.update_person(TEAM, CAROL, current_level_id=other.id)

    assert ChangeNotes(store, enabled=True).check([LEVEL, other], now=T0) == []  # first load
    assert ChangeNotes(store, enabled=True).check([LEVEL, other], now=T0) == []  # a restart, nothing changed
    notes = ChangeNotes(store, enabled=True).check([CHANGED, other], now=T0)
    assert [(n.user_id, n.roles, n.change.level.id) for n in notes] == [
        (ALICE, ("current", "target"), LEVEL.id),
        (BOB, ("target",), LEVEL.id),
    ]
    sender = ChangeNotes(store, enabled=True)
    assert [sender.claim(n) for n in notes] == [True, True]
    assert [ChangeNotes(store, enabled=True).claim(n) for n in notes] == [False, False]  # another process
    assert ChangeNotes(store, enabled=True).check([CHANGED, other], now=T0) == []  # restart after the change


def test_change_notes_can_be_turned_off_without_replaying_later(store: Store) -> None:
    store.update_person(TEAM, ALICE, target_level_id=LEVEL.id)
    assert notes_enabled({"LADDERBOT_CHANGE_NOTES": "off"}) is False and notes_enabled({}) is True
    with pytest.raises(ValueError, match="LADDERBOT_CHANGE_NOTES"):
        notes_enabled({"LADDERBOT_CHANGE_NOTES": "sometimes"})
    ChangeNotes(store, enabled=False).check([LEVEL])
    assert ChangeNotes(store, enabled=False).check([CHANGED]) == []
    assert ChangeNotes(store, enabled=True).check([CHANGED]) == []  # turned on again: the old change is not replayed


def test_a_change_made_while_the_bot_was_down_is_noticed_after_the_restart(store: Store) -> None:
    store.update_person(TEAM, ALICE, target_level_id=LEVEL.id)
    ChangeNotes(store, enabled=True).check([LEVEL])
    # A new process knows the old version only from the database.
    [note] = ChangeNotes(store, enabled=True).check([CHANGED])
    assert note.change.added == (("Domain expertise", "I run the architecture guild"),)


# -- stats


def test_stats_hide_small_counts_and_name_levels() -> None:
    stats = WorkspaceStats(
        people=12,
        with_current=9,
        with_target=4,
        levels=(LevelCount("eng/l3", 7, 3), LevelCount("gone/l9", 0, 5)),
        prompts=(MonthCount("2026-10", 40, 4),),
        reflections=5,
        assessments=0,
        assessed_people=0,
    )
    report = stats_report(stats, {"eng/l3": "L3: Senior Engineer"}.get)
    assert (report.people, report.with_current, report.with_target) == ("12", "9", "<5")
    assert [(line.level, line.current, line.target) for line in report.levels] == [
        ("L3: Senior Engineer", "7", "<5"),
        ("gone/l9", "<5", "5"),
    ]
    assert [(m.month, m.sent, m.answered) for m in report.prompts] == [("2026-10", "40", "<5")]
    assert (report.reflections, report.assessments) == ("5", "<5")
    assert [bucket(n) for n in (0, 4, 5)] == ["<5", "<5", "5"]


def test_only_admins_owners_and_listed_people_may_see_stats() -> None:
    admins = admins_from_env({"LADDERBOT_ADMINS": "U1, U2  U3"})
    assert admins == {"U1", "U2", "U3"}
    assert may_see_stats("U2", {}, admins)
    assert may_see_stats("U9", {"is_admin": True}, frozenset())
    assert may_see_stats("U9", {"is_owner": True}, frozenset())
    assert not may_see_stats("U9", {"is_admin": False, "is_restricted": True}, admins)


# -- the nudge run uses the self-assessment


def test_a_nudge_run_skips_what_the_person_marked_met(store: Store, fake_slack) -> None:
    from bot.config import Settings
    from bot.content import Content
    from bot.nudges.runner import NudgeRunner
    from tests.fakes.slack_requests import BOT_TOKEN

    content = Path(__file__).resolve().parent.parent / "ladder_content"
    settings = Settings(content_dir=content, slack_api_url=fake_slack.api_url, slack_bot_token=BOT_TOKEN)
    runner = NudgeRunner.from_settings(store, Content(content), settings, lease=timedelta(minutes=10))
    monday_noon = datetime(2026, 11, 23, 12, 0, tzinfo=timezone.utc)
    usual = PromptChooser().choose(LADDER.get(L2), LADDER.get(L3), set(), seed="2026-11")
    for user in ("U1", "U2"):
        store.update_person(TEAM, user, current_level_id=L2, target_level_id=L3, tz="Europe/London")
    store.add_assessment(TEAM, "U2", L3, {usual.competency_key: "met"}, now=T0)

    assert runner.run_due(monday_noon).sent == 2
    sent = {n.user_id: n.competency_key for u in ("U1", "U2") for n in store.recent_nudges(TEAM, u)}
    assert sent["U1"] == usual.competency_key  # no assessment: the usual first prompt
    assert sent["U2"] != usual.competency_key
    [dm] = [c for c in fake_slack.accepted("chat.postMessage") if c.args["channel"] == "U2"]
    assert usual.competency_text not in dm.text


# -- the calls the Slack layer makes


def test_progress_view_after_two_assessments_and_a_stale_form_is_refused(store: Store) -> None:
    from bot.growth.service import (
        StaleAssessment,
        build_packet,
        progress_view,
        save_assessment,
    )

    save_assessment(store, TEAM, ALICE, LEVEL, {KEYS["I design systems"]: "partly"}, now=T0)
    save_assessment(
        store,
        TEAM,
        ALICE,
        LEVEL,
        {KEYS["I design systems"]: "met", KEYS["I ship weekly"]: "met"},
        {KEYS["I ship weekly"]: "every Friday"},
        now=T0 + timedelta(days=30),
    )
    with pytest.raises(StaleAssessment):
        save_assessment(store, TEAM, ALICE, LEVEL, {"no-such-criterion": "met"})
    policy = ReassessPolicy(3)
    view = progress_view(store, TEAM, ALICE, LEVEL, now=T0 + timedelta(days=60), policy=policy)
    assert [c.summary for c in view.categories] == ["Domain expertise: 1 of 3 met", "Delivery: 1 of 2 met"]
    assert [m.summary for m in view.moved] == ["I design systems: Partly → Met", "I ship weekly: Not assessed → Met"]
    assert not view.reassess_due and view.next_due == add_months(T0 + timedelta(days=30), 3)
    assert progress_view(store, TEAM, ALICE, LEVEL, now=T0 + timedelta(days=130), policy=policy).reassess_due
    assert "**Self-assessment:** Met — every Friday" in build_packet(store, TEAM, ALICE, LEVEL, now=T0)
    assert progress_view(store, TEAM, BOB, LEVEL, now=T0, policy=policy).latest is None


def test_mark_as_met_from_a_prompt_is_a_new_assessment_that_keeps_the_rest(store: Store) -> None:
    from bot.growth.service import StaleAssessment, mark_met, progress_view

    store.add_assessment(
        TEAM,
        ALICE,
        LEVEL.id,
        {KEYS["I design systems"]: "partly", KEYS["I ship weekly"]: "not_yet", "dropped-criterion": "met"},
        {KEYS["I design systems"]: "almost"},
        now=T0,
    )
    mark_met(store, TEAM, ALICE, LEVEL, KEYS["I design systems"], now=T0 + timedelta(days=1))
    view = progress_view(store, TEAM, ALICE, LEVEL, now=T0, policy=ReassessPolicy(3))
    assert [m.summary for m in view.moved] == ["I design systems: Partly → Met"]
    assert view.latest.rating_of(KEYS["I design systems"]) == Rating(KEYS["I design systems"], "met", "almost")
    assert view.latest.rating_of(KEYS["I ship weekly"]).rating == "not_yet"
    with pytest.raises(StaleAssessment):
        mark_met(store, TEAM, ALICE, LEVEL, "no-such-criterion")
    assert mark_met(store, TEAM, BOB, LEVEL, KEYS["I own on-call"]).ratings == (
        Rating(KEYS["I own on-call"], "met", None),
    )
