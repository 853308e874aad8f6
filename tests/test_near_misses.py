"""Inputs that look like a shape the loader knows but are not it: each heuristic of the
reader must leave them alone. The folders under tests/fixtures/near-misses/ are written for
these tests; the expected levels and counts are read off them by hand."""

from pathlib import Path

import pytest

from bot.ladder.answers import Answerer, LevelAnswer
from bot.ladder.loader import load_ladder

NEAR_MISSES = Path(__file__).parent / "fixtures" / "near-misses"

# folder -> track -> levels in rank order: (name, {category (parents › child): criteria})
EXPECTED = {
    # "## Getting to Senior" and "## Staff meetings" among levels are not levels
    "ranked": {
        "Engineering": [("Engineer", {"Delivery": 2}), ("Senior Engineer", {"Delivery": 2})],
    },
    # "## L2 → L3: what changes" names two codes: a section of the page, not levels
    "coded": {
        "General": [
            (
                "Senior Engineer",
                {"Delivery": 2, "L2 → L3: what changes": 1, "L3 → L4: what's next": 1},
            )
        ],
    },
    # criteria written as links to their explanation stay criteria
    "links": {
        "General": [
            ("L2: Engineer", {"Technical": 2}),
            ("L3: Senior Engineer", {"Technical": 2, "People": 2}),
        ],
    },
    # a compact matrix of short phrases is still a table of levels
    "compact": {
        "Design": [
            ("Junior Designer", {"Scope": 1, "Autonomy": 1, "Craft": 1}),
            ("Designer", {"Scope": 1, "Autonomy": 1, "Craft": 1}),
            ("Senior Designer", {"Scope": 1, "Autonomy": 1, "Craft": 1}),
        ],
    },
    # numbered roles of one file stay that file's one track
    "onefile": {
        "Design": [
            ("Product Designer 1", {"Craft": 1}),
            ("Product Designer 2", {"Craft": 1}),
            ("Senior Product Designer 1", {"Craft": 1}),
        ],
    },
    # ... and a file each, when they differ only by a seniority word
    "roles": {
        "General": [
            ("Product Designer 1", {"Craft": 2}),
            ("Product Designer 2", {"Craft": 2}),
            ("Senior Product Designer 1", {"Craft": 2}),
            ("Senior Product Designer 2", {"Craft": 2}),
        ],
    },
    # front-matter titles that name no role, but pages with criteria, are levels
    "dreyfus": {
        "General": [("Expert", {"Delivery": 2}), ("Novice", {"Delivery": 2}), ("Practitioner", {"Delivery": 2})],
    },
    # "**Context:** I give..." is a criterion, however its label reads
    "ctx": {"General": [("L3: Senior Engineer", {"Communication": 3})]},
    # labelled bullets become criteria, but an "Experience" line after them stays metadata
    "meta": {"General": [("L3: Senior Engineer", {"Expectations": 3})]},
    # "**Craft: Technical excellence**" is a category with a subtitle, not metadata
    "boldcat": {
        "General": [("L3: Senior Engineer", {"Craft: Technical excellence": 2, "People: Mentoring and growth": 2})]
    },
    # a first `####` does not flatten the `##` / `###` tree that follows
    "slip": {
        "General": [
            (
                "L3: Senior Engineer",
                {
                    "At a glance": 0,
                    "Technical": 0,
                    "Technical › Code": 1,
                    "Technical › Operations": 1,
                    "People": 0,
                    "People › Mentoring": 1,
                },
            )
        ],
    },
    # Roman numerals past V rank by their number
    "six": {"General": [("Engineer IV", {"Craft": 1}), ("Engineer V", {"Craft": 1}), ("Engineer VI", {"Craft": 1})]},
    # a layout wrapper "with-sidebar" holds the page, it is no menu
    "html": {"General": [("Senior Engineer", {"Delivery": 2})]},
    # a level's criteria kept in its front matter
    "fm": {"Senior Engineer": [("Senior Engineer", {"Expectations": 2})]},
    # a folder named in CamelCase that ends in no role keeps its name
    "camel": {
        "DevRel": [("L2: Developer Advocate", {"Content": 1}), ("L3: Senior Developer Advocate", {"Content": 1})]
    },
}


def _shape(ladder) -> dict:
    return {
        track.name: [
            (level.name, {s.full_name: len(s.competencies) for s in level.sections})
            for level in sorted(track.levels, key=lambda l: l.rank)
        ]
        for track in ladder.tracks.values()
    }


@pytest.mark.parametrize("folder", sorted(EXPECTED))
def test_a_near_miss_reads_as_what_it_is(folder):
    assert _shape(load_ladder(NEAR_MISSES / folder).ladder) == EXPECTED[folder]


def test_paragraphs_under_examples_are_examples_and_a_placeholder_is_no_criterion():
    levels = {l.code: l for l in load_ladder(NEAR_MISSES / "paras").ladder.levels}
    engineer = levels["L2"]
    assert engineer.competency_count == 2 and engineer.example_count == 1
    principal = levels["L5"]
    assert principal.competency_count == 0 and len(principal.notes) == 2


def test_a_level_whose_only_category_holds_a_note_says_it_lists_no_criteria():
    answer = Answerer(load_ladder(NEAR_MISSES / "emptynote").ladder).ask("qa manager")
    assert isinstance(answer, LevelAnswer) and "lists no criteria yet" in answer.empty_note


def test_an_experience_line_after_labelled_bullets_stays_the_levels_metadata():
    [level] = load_ladder(NEAR_MISSES / "meta").ladder.levels
    assert [(m.label, m.value) for m in level.metadata] == [("Experience", "Typically 5 or more years")]


def _all_ladders():
    fixtures = Path(__file__).parent / "fixtures"
    yield Path(__file__).parent.parent / "ladder_content"
    yield from sorted(p for p in (fixtures / "ladders").iterdir() if p.is_dir())
    yield from sorted(p for p in NEAR_MISSES.iterdir() if p.is_dir())


@pytest.mark.parametrize("root", list(_all_ladders()), ids=lambda p: p.name)
def test_every_suggested_query_opens_its_own_level(root):
    """Buttons and hints offer `level_query(level)`: typed back, it must open that very
    level, never a choice, a search or another level (a hint that leads nowhere is a loop)."""
    from bot.ladder.answers import level_query

    answerer = Answerer(load_ladder(root).ladder)
    for level in answerer.ladder.levels:
        answer = answerer.answer(answerer.parse(level_query(level)))
        assert isinstance(answer, LevelAnswer) and answer.level.id == level.id, (level_query(level), answer)


@pytest.mark.parametrize("root", list(_all_ladders()), ids=lambda p: p.name)
def test_every_example_question_gets_a_real_answer(root):
    """Help and "try for example" offer these: each must answer (a level, a comparison or
    search hits), never a choice, a "not found" or an empty search."""
    from bot.ladder.answers import CompareAnswer, SearchAnswer

    answerer = Answerer(load_ladder(root).ladder)
    for question in answerer.example_questions():
        answer = answerer.ask(question)
        assert isinstance(answer, (LevelAnswer, CompareAnswer, SearchAnswer)), (question, answer)
        assert not isinstance(answer, SearchAnswer) or answer.hits, question


def test_a_title_the_ladder_lacks_is_not_found_with_the_levels_nearest_in_rank(tmp_path):
    from bot.ladder.answers import NotFoundAnswer

    for name, text in [
        ("engineer", "I ship small features."),
        ("senior-engineer", "I ship whole services."),
        ("staff-engineer", "I shape several teams' systems."),
    ]:
        (tmp_path / f"{name}.md").write_text(f"# {name.replace('-', ' ').title()}\n\n## Delivery\n\n- {text}\n")
    answerer = Answerer(load_ladder(tmp_path).ladder)
    absent = answerer.ask("Distinguished Engineer")  # not the Engineer level its words contain
    assert isinstance(absent, NotFoundAnswer)
    assert absent.suggestions[0].label.startswith("Staff Engineer")
    typo = answerer.ask("Senoir Engineer")
    assert isinstance(typo, LevelAnswer) and typo.level.title == "Senior Engineer"


def test_a_statement_repeated_up_a_track_is_one_search_hit_naming_the_run(tmp_path):
    (tmp_path / "Developer.md").write_text(
        "# Developer\n\n"
        + "".join(
            f"## D{n} - Developer {n}\n\n* **Mentors**: mentors others to grow their careers\n"
            f"* **Builds**: builds features of size {n}\n\n"
            for n in (4, 5, 6)
        )
    )
    from bot.ladder.answers import SearchAnswer

    answer = Answerer(load_ladder(tmp_path).ladder).ask("how do I get better at mentoring?")
    assert isinstance(answer, SearchAnswer)
    [hit] = [h for h in answer.hits if "mentors others" in h.competency.text]
    assert hit.where == "D4–D6" and hit.level.code == "D4"


@pytest.mark.parametrize(
    "question, kind",
    [
        ("security engineer", "search"),  # a topic that ends in a job word stays a search
        ("onboarding a new engineer", "search"),
        ("mentoring junior engineers", "search"),
        ("seniority", "search"),  # a word of its own, not a misspelt "senior"
        ("supporting", "search"),
        ("staff engineer", "not found"),  # no level says "staff"
        ("sr software engineer", "L3"),
        ("Sr. Software Engineer", "L3"),
        ("senoir software engineer", "L3"),
    ],
)
def test_questions_on_the_customers_ladder_keep_their_kind(question, kind):
    from bot.ladder.answers import NotFoundAnswer, SearchAnswer

    answer = Answerer(load_ladder(Path(__file__).parent.parent / "ladder_content").ladder).ask(question)
    if kind == "search":
        assert isinstance(answer, SearchAnswer) and answer.hits, answer
    elif kind == "not found":
        assert isinstance(answer, NotFoundAnswer), answer
    else:
        assert isinstance(answer, LevelAnswer) and answer.level.code == kind, answer


def test_a_statement_at_two_levels_apart_names_both_not_a_run(tmp_path):
    from bot.ladder.answers import SearchAnswer

    for code, extra in [
        ("L1", "I document on-call runbooks."),
        ("L2", "I plan releases."),
        ("L3", "I document on-call runbooks."),
    ]:
        (tmp_path / f"{code}.md").write_text(
            f"# {code}: Engineer\n\n## Operations\n\n- {extra}\n- I ship {code} work.\n"
        )
    answer = Answerer(load_ladder(tmp_path).ladder).ask("runbooks")
    assert isinstance(answer, SearchAnswer)
    assert [h.where for h in answer.hits if "runbooks" in h.competency.text] == ["L1, L3"]


def test_a_collapsed_section_of_an_html_page_is_read(tmp_path):
    (tmp_path / "senior-designer.html").write_text(
        "<h1>Senior Designer</h1><h2>Collaboration</h2>"
        '<div class="collapse-body" hidden><ul><li>I run design critiques.</li></ul></div>'
        '<h2>Impact</h2><div style="display: none"><ul><li>I shape a product area.</li></ul></div>'
    )
    [level] = load_ladder(tmp_path).ladder.levels
    assert {s.name: len(s.competencies) for s in level.sections} == {"Collaboration": 1, "Impact": 1}
