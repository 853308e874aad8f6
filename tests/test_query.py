"""One parser turns any text into a typed intent, and never raises."""

from datetime import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.ladder.query import (
    Compare,
    Export,
    Forget,
    Help,
    Journal,
    LevelRef,
    Lookup,
    Pause,
    Resume,
    Search,
    SetCadence,
    SetCurrent,
    SetSchedule,
    SetTarget,
    ShowProfile,
    Usage,
    parse_query,
)

VOCABULARY = {"senior", "software", "engineer", "cloud", "architect", "lead", "devops", "support", "engineering"}


@pytest.mark.parametrize(
    "text, expected",
    [
        ("L3 senior software", Lookup(LevelRef("L3", "senior software"))),
        ("L3", Lookup(LevelRef("L3", ""))),
        ("l2 support", Lookup(LevelRef("L2", "support"))),
        ("level 3", Lookup(LevelRef("L3", ""))),
        ("senior cloud engineer", Lookup(LevelRef(None, "senior cloud engineer"))),
        ("cloud architect", Lookup(LevelRef(None, "cloud architect"))),
        ("show me L4 cloud architect", Lookup(LevelRef("L4", "cloud architect"))),
        ("L2 support --examples", Lookup(LevelRef("L2", "support"), examples=True)),
        ("what separates L2 from L3?", Compare(LevelRef("L2", ""), LevelRef("L3", ""))),
        ("L2 vs L3 cloud", Compare(LevelRef("L2", ""), LevelRef("L3", "cloud"))),
        ("compare L3 and L4 architect", Compare(LevelRef("L3", ""), LevelRef("L4", "architect"))),
        (
            "compare lead cloud engineer and cloud architect",
            Compare(LevelRef(None, "lead cloud engineer"), LevelRef(None, "cloud architect")),
        ),
        (
            "what separates QA/QE Engineer from QA/QE Manager?",  # a "/" inside titles
            Compare(LevelRef(None, "qa qe engineer"), LevelRef(None, "qa qe manager")),
        ),
        (
            "difference between senior engineer/staff engineer",
            Compare(LevelRef(None, "senior engineer"), LevelRef(None, "staff engineer")),
        ),
        ("designer i vs designer ii", Compare(LevelRef(None, "designer 1"), LevelRef(None, "designer 2"))),
        (
            "what separates cloud L4 from support L4?",  # track words before each code are its own
            Compare(LevelRef("L4", "cloud"), LevelRef("L4", "support")),
        ),
        ("how do I get better at mentoring?", Search("how do I get better at mentoring")),
        ("how do I grow at mentoring", Search("how do I grow at mentoring")),
        ("mentoring", Search("mentoring")),
        ("", Help()),
        ("help", Help()),
        ("<@U0BOT> what separates L2 from L3?", Compare(LevelRef("L2", ""), LevelRef("L3", ""))),
    ],
)
def test_ladder_questions(text, expected):
    assert parse_query(text, VOCABULARY) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("target L3 cloud", SetTarget(LevelRef("L3", "cloud"))),
        ("level L2 cloud", SetCurrent(LevelRef("L2", "cloud"))),
        ("current L2", SetCurrent(LevelRef("L2", ""))),
        ("me", ShowProfile()),
        ("nudges weekly", SetCadence("weekly")),
        ("nudges off", SetCadence("off")),
        ("nudges time 09:30 mon-fri", SetSchedule(time(9, 30), ("mon", "tue", "wed", "thu", "fri"))),
        ("nudges time 4pm tue,thu", SetSchedule(time(16, 0), ("tue", "thu"))),
        ("pause 2w", Pause(14)),
        ("pause 10 days", Pause(10)),
        ("resume", Resume()),
        ("journal", Journal()),
        ("export", Export()),
        ("forget me", Forget()),
    ],
)
def test_personal_commands(text, expected):
    assert parse_query(text, VOCABULARY) == expected


@pytest.mark.parametrize(
    "text, command",
    [
        ("target", "target"),
        ("nudges daily", "nudges"),
        ("nudges time 25:00", "nudges time"),
        ("nudges time 09:30 someday", "nudges time"),
        ("pause forever", "pause"),
        ("pause 0d", "pause"),
        ("forget", "forget"),
    ],
)
def test_garbled_commands_say_how_to_write_them(text, command):
    intent = parse_query(text, VOCABULARY)
    assert isinstance(intent, Usage) and intent.command == command and "/ladder" in intent.message


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=300))
def test_no_text_makes_the_parser_raise(text):
    parse_query(text, VOCABULARY)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "L2",
                "L3",
                "vs",
                "and",
                "compare",
                "from",
                "to",
                "nudges",
                "time",
                "pause",
                "target",
                "level",
                "cloud",
                "->",
                "?",
                "9:30",
                "mon-fri",
                "2w",
                "<!channel>",
                "ß",
            ]
        ),
        max_size=12,
    )
)
def test_no_combination_of_keywords_makes_the_parser_raise(words):
    parse_query(" ".join(words), VOCABULARY)


def test_very_long_input_is_cut_not_refused():
    intent = parse_query("mentoring " * 5000, VOCABULARY)
    assert isinstance(intent, Search) and len(intent.text) <= 500
