"""Every shape a company keeps its ladder in loads with nothing to edit: every level
found, ranked right, and every criterion counted under its own category.

The fixtures under tests/fixtures/ladders/ are written for these tests (no published
ladder's text); the expected counts below are counted by hand from them."""

import io
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import cli
from bot.ladder.answers import Answerer, CompareAnswer, LevelAnswer
from bot.ladder.loader import load_ladder

LADDERS = Path(__file__).parent / "fixtures" / "ladders"

# track -> levels in rank order: (name, criteria, {category (parents › child): criteria})
EXPECTED = {
    "per-level": {
        "Data": [  # no codes, seniority words would mislead: the pages' own `weight:` orders them
            ("Data Analyst", 1, {"Analysis": 1}),
            ("Analytics Partner", 1, {"Analysis": 1}),
            ("Lead Data Analyst", 1, {"Analysis": 1}),
        ],
        "Management": [
            ("M1: Engineering Manager", 3, {"People": 2, "Delivery": 1}),
            ("M2: Senior Engineering Manager", 3, {"People": 1, "Delivery": 2}),
        ],
        "Software Engineering": [
            ("L1.0: Graduate Engineer", 6, {"Craft": 3, "Craft › Execution": 2, "Collaboration": 1}),
            ("L2: Software Engineer", 5, {"Craft": 0, "Craft › Code": 2, "Craft › Operations": 1, "Collaboration": 2}),
            (
                "L3: Senior Software Engineer",
                4,
                {
                    "Craft": 2,
                    "Leadership": 0,
                    "Leadership › Mentoring": 1,
                    "Leadership › Mentoring › Growing others": 1,
                },
            ),
            ("L4: Staff Engineer", 3, {"Strategy": 1, "Influence": 2}),
        ],
        "SRE": [
            ("SRE1: Site Reliability Engineer", 3, {"Operations": 2, "Automation": 1}),
            ("SRE2: Senior Site Reliability Engineer", 4, {"Operations": 3, "Automation": 1}),
        ],
    },
    "one-file": {
        "Platform Engineering": [
            ("IC1: Apprentice", 2, {"Delivery": 2}),
            ("IC2: Engineer", 3, {"Delivery": 2, "Teamwork": 1}),
            ("IC3a: Senior Engineer", 3, {"Delivery": 1, "Teamwork": 2}),
        ],
        "Product": [
            ("Product Manager", 2, {"Discovery": 1, "Delivery": 1}),
            ("Senior Product Manager", 2, {"Discovery": 2}),
            ("Principal Product Manager", 1, {"Strategy": 1}),
        ],
    },
    "tables": {
        "Data Engineering": [
            (
                "Junior",
                3,
                {
                    "Craft": 0,
                    "Craft › Pipelines": 1,
                    "Craft › Data quality": 1,
                    "Collaboration": 0,
                    "Collaboration › Stakeholders": 1,
                },
            ),
            (
                "Mid",
                4,
                {
                    "Craft": 0,
                    "Craft › Pipelines": 1,
                    "Craft › Data quality": 2,
                    "Collaboration": 0,
                    "Collaboration › Stakeholders": 1,
                },
            ),
            (
                "Senior",
                3,
                {
                    "Craft": 0,
                    "Craft › Pipelines": 1,
                    "Craft › Data quality": 1,
                    "Collaboration": 0,
                    "Collaboration › Stakeholders": 1,
                },
            ),
            ("Staff", 2, {"Craft": 0, "Craft › Pipelines": 1, "Collaboration": 0, "Collaboration › Stakeholders": 1}),
        ],
        "Design": [  # levels as rows, categories as columns
            ("Junior Designer", 2, {"Craft": 1, "Collaboration": 1}),
            ("Designer", 3, {"Craft": 2, "Collaboration": 1}),
            ("Senior Designer", 1, {"Craft": 1}),
        ],
        "Quality Assurance": [
            ("L1: Quality Assurance", 3, {"Testing": 2, "Automation": 1}),
            ("L2: Quality Assurance", 2, {"Testing": 1, "Automation": 1}),
        ],
    },
    "structured": {
        "Backend": [
            ("E3: Backend Engineer", 3, {"Technical": 2, "Communication": 1}),
            ("E4: Senior Backend Engineer", 3, {"Technical": 2, "Communication": 1}),
        ],
        "Mobile": [
            ("E3: Mobile Engineer", 1, {"Expectations": 1}),
            ("E4: Senior Mobile Engineer", 2, {"Expectations": 2}),
        ],
        "Platform": [  # a JSON list of levels, one object each
            ("L1: Associate Platform Engineer", 2, {"Craft": 1, "Team": 1}),
            ("L2: Platform Engineer", 2, {"Expectations": 2}),
        ],
        "Security": [
            ("P1: Security", 2, {"Threat modelling": 1, "Incident handling": 1}),
            ("P2: Security", 3, {"Threat modelling": 2, "Incident handling": 1}),
        ],
        "Support Matrix": [
            ("S1: Support Engineer", 2, {"Troubleshooting": 1, "Customers": 1}),
            ("S2: Senior Support Engineer", 3, {"Troubleshooting": 2, "Customers": 1}),
        ],
        "Frontend": [  # a progression framework's front matter: topics, each with `content:` per level
            ("L1: Frontend", 2, {"Craft": 2}),
            ("L2: Frontend", 3, {"Craft": 2, "Collaboration": 1}),
            ("L3: Frontend", 2, {"Craft": 1, "Collaboration": 1}),
        ],
    },
    "grouped": {  # "## Management" above "### M1" levels; "**People**" lines as categories
        "Individual Contributor": [
            ("IC1: Associate Engineer", 3, {"Technical skills": 2, "Communication": 1}),
            ("IC2: Engineer", 3, {"Technical skills": 1, "Communication": 2}),
            ("L3: Senior Engineer", 1, {"Technical skills": 1}),  # front matter "level: 3"
        ],
        "Management": [
            ("M1: Team Manager", 1, {"People": 1}),
            ("M2: Senior Team Manager", 2, {"People": 1, "Planning": 1}),
        ],
    },
    "by-competency": {  # a file per competency, each listing the levels: merged, the file is the category
        "Backend": [
            ("L1: Backend", 2, {"Communication": 1, "Craft": 1}),  # named by code alone: titled by the track
            ("L2: Backend", 4, {"Communication": 2, "Craft": 0, "Craft › Testing": 1, "Craft › Design": 1}),
            ("L3: Backend", 2, {"Communication": 1, "Craft": 1}),
        ],
    },
    "html": {
        "Ops": [  # headings and lists written in HTML inside markdown
            ("L1: Trainee Operator", 1, {"Runbooks": 1}),
            ("L2: Operator", 3, {"Runbooks": 2, "Handover": 1}),
        ],
        "Design": [
            ("Junior Designer", 4, {"Craft": 3, "Research": 1}),
            ("Senior Designer", 3, {"Craft": 2, "Research": 0, "Research › Planning": 1}),
        ],
    },
    "exported": {  # pages exported from a document editor: a menu of roles, tables for categories
        "Support (IC)": [
            (
                "IC2: Support Engineer",
                10,
                {
                    "Scope": 2,
                    "Collaborative Reach": 1,
                    "Impact Levers": 2,
                    "Results": 0,
                    "Results › Impact": 2,
                    "Results › Ownership": 1,
                    "Craft": 0,
                    "Craft › Troubleshooting": 2,
                },
            ),
            (
                "IC4: Support Engineer",
                8,
                {
                    "Scope": 1,
                    "Collaborative Reach": 2,
                    "Impact Levers": 1,
                    "Results": 0,
                    "Results › Impact": 1,
                    "Results › Ownership": 2,
                    "Craft": 0,
                    "Craft › Troubleshooting": 1,
                },
            ),
        ],
        "Support (M)": [
            (
                "M1: Support Manager",
                5,
                {"Scope": 1, "Collaborative Reach": 1, "Impact Levers": 1, "Talent": 0, "Talent › Hiring": 2},
            )
        ],
    },
}


def _shape(ladder) -> dict:
    return {
        track.name: [
            (level.name, level.competency_count, {s.full_name: len(s.competencies) for s in level.sections})
            for level in sorted(track.levels, key=lambda l: l.rank)
        ]
        for track in ladder.tracks.values()
    }


@pytest.mark.parametrize("shape", sorted(EXPECTED))
def test_every_level_is_found_ranked_and_counted(shape):
    result = load_ladder(LADDERS / shape)
    assert result.errors == []
    assert _shape(result.ladder) == EXPECTED[shape]
    for track in result.ladder.tracks.values():  # ranks strictly rise in the expected order
        ranks = [level.rank for level in sorted(track.levels, key=lambda l: l.rank)]
        assert len(set(ranks)) == len(ranks)


_STATEMENT = re.compile(r"\bI [^.<|\n]*\.")


@pytest.mark.parametrize("shape", sorted(EXPECTED))
def test_no_criterion_in_a_level_file_is_lost(shape):
    """Every "I ..." sentence of every file that was read is a criterion or an example."""
    result = load_ladder(LADDERS / shape)
    not_read = {p.path for p in result.skipped + result.problems}
    said = set()
    for level in result.ladder.levels:
        for section in level.sections:
            said.update(c.text for c in section.competencies)
            said.update(e for c in section.competencies for e in c.examples)
            said.update(section.examples)
        said.update((*level.notes, level.tagline))
    everything = " ".join(sorted(said))
    root = LADDERS / shape
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        if path.relative_to(root).as_posix() in not_read:
            continue
        text = re.sub(r"<script.*?</script>", "", path.read_text(), flags=re.S)
        for sentence in _STATEMENT.findall(text):
            assert sentence in everything, f"{path.name}: {sentence!r} was lost"


def test_folders_name_department_and_track_and_keep_acronyms():
    ladder = load_ladder(LADDERS / "per-level").ladder
    software = ladder.tracks["engineering-software-engineering"]
    assert (software.name, software.levels[0].department) == ("Software Engineering", "Engineering")
    assert ladder.tracks["engineering-sre"].name == "SRE"


def test_a_numbered_folder_names_the_department():
    ladder = load_ladder(LADDERS / "grouped").ladder
    assert {t.levels[0].department for t in ladder.tracks.values()} == {"Engineering"}


def test_files_that_are_not_levels_are_skipped_with_a_note():
    result = load_ladder(LADDERS / "per-level")
    skipped = {p.path for p in result.skipped}
    assert skipped == {"README.md", "FAQ.md", "LICENSE", "Engineering/_index.md"}
    # "K8: How to migrate" is no level, and says why, but is no error either.
    k8 = next(p for p in result.problems if "K8" in p.path)
    assert k8.severity == "warning" and "no level code" in k8.message


def test_a_goals_heading_among_levels_is_not_a_level():
    levels = load_ladder(LADDERS / "one-file").ladder.levels
    assert not any("FY24" in l.name or "Goals" in l.title for l in levels)
    assert not any("deploy tool" in c.text for l in levels for s in l.sections for c in s.competencies)


def test_nested_bullets_and_examples_keep_their_place():
    graduate = next(l for l in load_ladder(LADDERS / "per-level").ladder.levels if l.code == "L1.0")
    craft = graduate.section("craft")
    assert [(c.depth, c.text) for c in craft.competencies][-2:] == [
        (0, "I test my own changes."),
        (1, "I add a unit test for each bug I fix."),
    ]
    assert (
        graduate.section("collaboration").competencies[0].text == "I share what I learned in the team channel."
    )  # was "- [ ] I ..."
    senior_backend = next(
        l for l in load_ladder(LADDERS / "structured").ladder.levels if l.title == "Senior Backend Engineer"
    )
    fast = next(c for s in senior_backend.sections for c in s.competencies if "fast" in c.text)
    assert fast.examples == ("I cut the p99 of search in half.",)


@pytest.mark.parametrize(
    "shape, question, expected",
    [
        ("per-level", "L1.0", "L1.0: Graduate Engineer"),
        ("per-level", "SSE", "L3: Senior Software Engineer"),
        ("per-level", "senior software engineer", "L3: Senior Software Engineer"),
        ("per-level", "SRE2", "SRE2: Senior Site Reliability Engineer"),
        ("one-file", "IC 3a", "IC3a: Senior Engineer"),
        ("one-file", "ic1", "IC1: Apprentice"),
        ("one-file", "senior product manager", "Senior Product Manager"),
        ("structured", "E4 mobile", "E4: Senior Mobile Engineer"),
        ("html", "junior designer", "Junior Designer"),
        ("exported", "IC4", "IC4: Support Engineer"),
        ("exported", "m1", "M1: Support Manager"),
    ],
)
def test_ask_by_code_or_by_name(shape, question, expected):
    answer = Answerer(load_ladder(LADDERS / shape).ladder).ask(question)
    assert isinstance(answer, LevelAnswer) and answer.level.name == expected


def test_parallel_tracks_compare_lower_rank_first():
    answerer = Answerer(load_ladder(LADDERS / "per-level").ladder)
    answer = answerer.ask("compare M2 and L1.0")
    assert isinstance(answer, CompareAnswer)
    assert (answer.comparison.lower.code, answer.comparison.higher.code) == ("L1.0", "M2")


def test_content_check_lists_skipped_files_and_criteria_per_level():
    result = CliRunner().invoke(cli, ["content", "check", str(LADDERS / "per-level")])
    assert result.exit_code == 0, result.output
    assert "11 levels in 4 tracks" in result.output
    assert re.search(r"L1\.0: Graduate Engineer\s+6 competencies", result.output)
    assert "skipped: LICENSE: not a level" in result.output


def test_manifest_names_tracks_orders_levels_and_makes_the_ladder_cumulative():
    result = load_ladder(LADDERS / "manifest")
    assert result.errors == []
    track = result.ladder.tracks["product-development-web-engineering"]
    assert (track.name, track.levels[0].department) == ("Web Engineering", "Product Development")
    assert [l.title for l in track.levels] == ["Engineer", "Tech Lead", "Senior Engineer"]  # the manifest's order
    assert not any("not published" in c.text for l in result.ladder.levels for s in l.sections for c in s.competencies)
    lead = next(l for l in track.levels if l.title == "Tech Lead")
    assert lead.source_url == "https://docs.example.com/ladder/team/tech-lead.md"
    answerer = Answerer(result.ladder)
    assert answerer.ask("TL").level.title == "Tech Lead"
    comparison = answerer.ask("compare engineer and tech lead").comparison
    assert comparison.dropped_label == "Still expected"
    assert [c.text for s in comparison.sections for c in s.dropped] == ["I fix bugs in my area."]


def test_default_compare_wording_is_not_repeated():
    comparison = Answerer(load_ladder(LADDERS / "per-level").ladder).ask("what separates L2 from L3?").comparison
    assert comparison.dropped_label == "Not repeated at L3"
    output = CliRunner().invoke(cli, ["--content", str(LADDERS / "per-level"), "ask", "L2 vs L3"]).output
    assert "Not repeated at L3:" in output and "No longer listed" not in output


def test_a_broken_manifest_is_an_error_and_the_ladder_still_loads(tmp_path):
    import shutil

    root = tmp_path / "ladder"
    shutil.copytree(LADDERS / "manifest", root)
    (root / "ladder.toml").write_text("cumulative = maybe\n")
    result = CliRunner().invoke(cli, ["content", "check", str(root)])
    assert result.exit_code == 1
    assert "ladder.toml: broken manifest" in result.output
    assert "Senior Engineer" in result.output


def test_content_init_prints_what_it_found_and_writes_a_manifest_that_loads_the_same(tmp_path):
    import shutil

    root = tmp_path / "ladder"
    shutil.copytree(LADDERS / "per-level", root)
    before = _shape(load_ladder(root).ladder)
    result = CliRunner().invoke(cli, ["content", "init", str(root)])
    assert result.exit_code == 0, result.output
    assert "11 levels in 4 tracks" in result.output and "skipped: FAQ.md" in result.output
    manifest = (root / "ladder.toml").read_text()
    assert 'levels = ["L1.0", "L2", "L3", "L4"]' in manifest
    assert _shape(load_ladder(root).ladder) == before
    again = CliRunner().invoke(cli, ["content", "init", str(root)])
    assert "already exists; not overwritten" in again.output


def test_slack_and_terminal_show_sub_categories_nested_criteria_and_notes():
    from bot.slack.blocks import render

    answerer = Answerer(load_ladder(LADDERS / "per-level").ladder)
    messages = render(answerer.ask("L3 senior software engineer"))
    text = str([m.blocks for m in messages] if hasattr(messages[0], "blocks") else messages)
    assert "Leadership › Mentoring › Growing others" in text and "I help one person prepare" in text
    graduate = str(render(answerer.ask("L1.0")))
    assert "    ◦ I add a unit test for each bug I fix." in graduate and "Craft › Execution" in graduate
    output = CliRunner().invoke(cli, ["--content", str(LADDERS / "per-level"), "ask", "L2"]).output
    assert "  Code\n    • I write readable code" in output
    assert "Notes: this level is where most people spend two years." in output


@pytest.mark.parametrize(
    "file_name, text, name",
    [
        ("senior-engineer.md", "# Expectations for this role\n\n## Craft\n\n- I do.\n", "Senior Engineer"),
        ("L3.md", "# Overview\n\n## Craft\n\n- I do.\n", "L3"),
        ("04-staff-engineer", "## Craft\n\n- I do.\n", "Staff Engineer"),
        ("whatever.md", "# L4 Engineering Manager\n\n## People\n\n- I do.\n", "L4: Engineering Manager"),
    ],
)
def test_the_file_name_names_the_level_when_the_heading_does_not(file_name, text, name):
    from bot.ladder.parser import parse_level

    assert parse_level(text, source=file_name).name == name


def test_the_manifest_may_be_yaml(tmp_path):
    import shutil

    root = tmp_path / "ladder"
    shutil.copytree(LADDERS / "manifest", root)
    (root / "ladder.toml").unlink()
    (root / "ladder.yml").write_text(
        "cumulative: false\ntracks:\n  - name: Web\n    files: [team/**]\n"
        "    levels: [Senior Engineer, Engineer, Tech Lead]\naliases:\n  Senior Engineer: [SE]\n"
    )
    result = load_ladder(root)
    assert result.errors == []
    web = result.ladder.tracks["web"]
    assert [l.title for l in web.levels] == ["Senior Engineer", "Engineer", "Tech Lead"]
    assert Answerer(result.ladder).ask("SE").level.title == "Senior Engineer"
    assert any(l.title == "Staff Engineer" for l in result.ladder.levels)  # no exclude this time


def test_search_finds_a_sub_category_by_its_parent():
    answer = Answerer(load_ladder(LADDERS / "per-level").ladder).ask("leadership")
    assert "Leadership › Mentoring › Growing others" in [hit.section.full_name for hit in answer.hits]


def test_managers_beside_engineers_without_codes_are_a_parallel_track(tmp_path):
    titles = [
        "Software Engineer",
        "Senior Software Engineer",
        "Staff Engineer",
        "Engineering Manager",
        "Senior Engineering Manager",
        "Director of Engineering",
    ]
    (tmp_path / "web").mkdir()
    for title in titles:
        (tmp_path / "web" / f"{title.lower().replace(' ', '-')}.md").write_text(
            f"# {title}\n\n## Craft\n\n- I do it.\n"
        )
    ladder = load_ladder(tmp_path).ladder
    assert [[l.title for l in t.levels] for t in ladder.tracks.values()] == [titles[:3], titles[3:]]
    comparison = Answerer(ladder).ask("compare director of engineering and senior software engineer").comparison
    assert (comparison.lower.title, comparison.higher.title) == ("Senior Software Engineer", "Director of Engineering")


def test_a_site_generator_folder_layout(tmp_path):
    """Jekyll keeps data in _data/ and builds pages into _site/; a built HTML copy of a
    markdown level is the same level, not a duplicate error."""
    (tmp_path / "docs" / "eng").mkdir(parents=True)
    (tmp_path / "site" / "eng").mkdir(parents=True)
    (tmp_path / "_data").mkdir()
    (tmp_path / "_site").mkdir()
    (tmp_path / "docs" / "eng" / "senior.md").write_text("# Senior Engineer\n\n## Craft\n\n- I lead.\n")
    (tmp_path / "site" / "eng" / "senior.html").write_text(
        "<h1>Senior Engineer</h1><h2>Craft</h2><ul><li>I lead.</li></ul>"
    )
    (tmp_path / "_site" / "senior.html").write_text("<h1>Senior Engineer</h1><ul><li>I lead.</li></ul>")
    (tmp_path / "_data" / "platform.yml").write_text(
        "levels:\n  - {title: Staff Engineer, level: L6, competencies: [I guide teams.]}\n"
        "  - {title: Principal Engineer, level: L7, competencies: [I set direction.]}\n"
    )
    result = load_ladder(tmp_path)
    assert result.errors == []
    assert sorted(l.name for l in result.ladder.levels) == [
        "L6: Staff Engineer",
        "L7: Principal Engineer",
        "Senior Engineer",
    ]
    assert any(p.path == "site/eng/senior.html" for p in result.skipped)


def test_files_that_are_tracks_are_not_merged_as_competencies(tmp_path):
    (tmp_path / "tracks").mkdir()
    for track in ("Backend", "Frontend"):
        (tmp_path / "tracks" / f"{track.lower()}.md").write_text(
            f"# {track}\n\n## L1: {track} Engineer\n\n- I do.\n\n## L2: Senior {track} Engineer\n\n- I lead.\n"
        )
    ladder = load_ladder(tmp_path).ladder
    assert sorted(t.name for t in ladder.tracks.values()) == ["Backend", "Frontend"]
    assert len(ladder) == 4


def test_examples_of_a_criterion_show_under_it_when_asked():
    from bot.slack.blocks import render

    answerer = Answerer(load_ladder(LADDERS / "structured").ladder)
    with_examples = str(render(answerer.ask("E4 backend", examples=True)))
    assert "I keep services fast under load.\\n    › _I cut the p99 of search in half._" in with_examples
    assert "I cut the p99" not in str(render(answerer.ask("E4 backend")))
    output = (
        CliRunner().invoke(cli, ["--content", str(LADDERS / "structured"), "ask", "E4 backend", "--examples"]).output
    )
    assert "› I cut the p99 of search in half." in output


@pytest.mark.parametrize(
    "heading, code, title",
    [
        ("L3: Senior Software Engineer", "L3", "Senior Software Engineer"),
        ("L4 Engineering Manager", "L4", "Engineering Manager"),
        ("L1.0: Graduate Engineer", "L1.0", "Graduate Engineer"),
        ("Apprentice (IC 1)", "IC1", "Apprentice"),
        ("IC 3a: Senior Engineer", "IC3a", "Senior Engineer"),
        ("E4", "E4", "E4"),
        ("P2 - Product Manager", "P2", "Product Manager"),
        ("M1: Manager", "M1", "Manager"),
        ("SE2: Engineer", "SE2", "Engineer"),
        ("Level 3 - Mid", "L3", "Mid"),
        ("Senior Engineer — L5", "L5", "Senior Engineer"),
        ("L3: Senior {#senior}", "L3", "Senior"),
        ("Senior Software Engineer (SSE)", "", "Senior Software Engineer"),
        ("2. Staff Engineer", "", "Staff Engineer"),
        ("QE1 - Quality Engineer 1", "QE1", "Quality Engineer 1"),  # a code spelling its title's initials
        ("QAE2: QA Engineer", "QAE2", "QA Engineer"),
    ],
)
def test_level_headings_in_any_code_scheme(heading, code, title):
    from bot.ladder.codes import read_heading, read_title

    found = read_heading(heading) or read_title(heading)
    assert (found.code, found.title) == (code, title)


@pytest.mark.parametrize(
    "heading",
    [
        "FY24: Goals",
        "K8: How to migrate",
        "Q3 planning",
        "Working with your manager",
        "Domain expertise",
        "v8.2.0",
        "2024 review",
        "KT1 - Knowledge Transfer",  # initials, but of no role
        "QE1 - Query Editor",
    ],
)
def test_no_false_levels(heading):
    from bot.ladder.codes import read_heading, read_title

    assert read_heading(heading) is None and read_title(heading) is None


_LINES = [
    "# L3: Senior",
    "## Craft",
    "### Sub",
    "- I do.",
    "  - I nest.",
    "- Execution:",
    "**Bold**",
    "**Label:** I x.",
    "| a | Junior | Senior |",
    "|---|---|---|",
    "| c | I a. | I b. |",
    "<table><tr><td>x</td></tr></table>",
    "> quote",
    "",
    "---",
    "title: x",
    "<details><summary>Examples</summary>",
    "</details>",
    "***Sec",
    "**L2: X",
    "## Senior Engineer",
    "<h2>Y</h2><ul><li>I z.</li></ul>",
]


def test_any_arrangement_of_ladder_markdown_reads_or_is_refused_plainly():
    """Whatever the lines, the reader gives levels or says the file is not one: never a crash."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from bot.ladder.parser import NotALevelDocument, parse_levels

    @settings(max_examples=300, deadline=None)
    @given(
        st.lists(st.sampled_from(_LINES), max_size=25),
        st.sampled_from(["a.md", "L3-x.md", "senior-engineer", "README.md"]),
    )
    def read(lines, name):
        try:
            for level in parse_levels("\n".join(lines), source=f"t/{name}", folder_track="t"):
                assert level.title and level.track
        except NotALevelDocument:
            pass

    read()


def test_any_data_file_reads_or_is_refused_plainly():
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from bot.ladder.structured import NotALadderData, levels_from_data

    keys = st.sampled_from(
        [
            "levels",
            "topics",
            "title",
            "name",
            "code",
            "level",
            "competencies",
            "criteria",
            "examples",
            "job_families",
            "track",
            "description",
            "L1",
            "L2",
            "Senior",
            "x",
        ]
    )
    data = st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=10) | keys,
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=4),
        max_leaves=30,
    )

    @settings(max_examples=300, deadline=None)
    @given(data)
    def read(value):
        try:
            levels_from_data(value, source="x/y.yml", folder_track="x")
        except NotALadderData:
            pass

    read()


@pytest.mark.parametrize("shape", sorted([*EXPECTED, "manifest"]))
def test_content_check_passes_on_every_shape(shape):
    result = CliRunner().invoke(cli, ["content", "check", str(LADDERS / shape)])
    assert result.exit_code == 0, result.output
    assert "competencies" in result.output and "error" not in result.output


def test_table_files_with_the_same_columns_stay_tracks_of_their_own(tmp_path):
    (tmp_path / "matrices").mkdir()
    for track in ("Backend", "Frontend"):
        (tmp_path / "matrices" / f"{track.lower()}.md").write_text(
            f"# {track}\n\n| Area | Junior | Senior |\n|---|---|---|\n| Craft | I learn {track}. | I teach {track}. |\n"
        )
    ladder = load_ladder(tmp_path).ladder
    assert sorted(t.name for t in ladder.tracks.values()) == ["Backend", "Frontend"]
    frontend = next(t for t in ladder.tracks.values() if t.name == "Frontend")
    assert [l.name for l in frontend.levels] == ["Junior", "Senior"]


def test_an_exported_page_reads_its_title_tagline_and_column_categories_not_its_menu():
    """A document editor's export: the side menu (a `<div id="toc">` of role headings) names
    no level, the title is a `<div id="doc-title">`, the tagline is split into bold-italic
    runs, and a table whose header names categories gives each column's bullets to its own."""
    result = load_ladder(LADDERS / "exported")
    assert {level.name for level in result.ladder.levels} == {
        "IC2: Support Engineer",
        "IC4: Support Engineer",
        "M1: Support Manager",
    }
    assert [p.path for p in result.problems] == []
    ic2 = next(level for level in result.ladder.levels if level.code == "IC2")
    assert ic2.tagline == "I resolve customer issues on my own within one product area"
    scope = next(s for s in ic2.sections if s.name == "Scope")
    assert scope.notes == ("What I own and how much ambiguity I handle",)
    assert [c.text for c in scope.competencies] == [
        "I own the tickets of one product area from first reply to close",
        "I work out unclear reports without waiting for a perfect description",
    ]
    hidden = "IC2 Support Engineer"  # a `display:none` element repeats the title at the end
    assert all(hidden not in note for section in ic2.sections for note in section.notes)
    assert [p.message for p in result.skipped if p.path == "docs/support.md"] == [
        "a section page of the site (front matter only), not a level; skipped"
    ]


def test_a_level_per_row_takes_its_title_and_tagline_from_their_columns(tmp_path):
    (tmp_path / "README.md").write_text(
        "# Our ladder\n\n## Levels\n\n"
        "| Level | Title | Focus | Description |\n|---|---|---|---|\n"
        "| L1 | IC1 Associate Analyst | Learning | Learns our tools and finishes scoped tasks with help. |\n"
        "| L2 | IC2 Analyst | Independence | Finishes standard analyses alone. Reviews peers' queries. |\n"
        "| L3 | IC3 Senior Analyst | Ownership | Owns a reporting area and mentors analysts. |\n"
    )
    answerer = Answerer(load_ladder(tmp_path).ladder)
    assert [level.name for level in answerer.ladder.levels] == [
        "L1: Associate Analyst",
        "L2: Analyst",
        "L3: Senior Analyst",
    ]
    senior = answerer.ask("IC3")  # the code in the Title column is another name for the level
    assert isinstance(senior, LevelAnswer) and senior.level.code == "L3"
    assert senior.level.tagline == "Ownership"
    assert [c.text for s in senior.level.sections for c in s.competencies] == [
        "Owns a reporting area and mentors analysts."
    ]


def test_headings_with_a_seniority_word_but_no_role_noun_are_levels_beside_others(tmp_path):
    (tmp_path / "QA.md").write_text(
        "# QA roles\n\n"
        "## Graduate QA\n\n#### Testing\n- I run the test plans I am given.\n\n"
        "## QA Engineer\n\n#### Testing\n- I write test plans for my team's features.\n\n"
        "## Senior QA\n\n#### Testing\n- I review the test plans of others.\n\n"
        "## QA Manager\n\n#### People\n- I hire and grow testers.\n"
    )
    result = load_ladder(tmp_path)
    assert [(l.name, l.competency_count) for l in result.ladder.levels] == [
        ("Graduate QA", 1),
        ("QA Engineer", 1),
        ("Senior QA", 1),
        ("QA Manager", 1),
    ]


@pytest.mark.parametrize(
    "question, name",
    [
        ("Designer I", "Designer I"),
        ("designer 1", "Designer I"),
        ("Designer II", "Designer II"),
        ("designer iii", "Designer III"),
    ],
)
def test_a_roman_numeral_in_a_title_names_one_level(tmp_path, question, name):
    (tmp_path / "design.md").write_text(
        "# Design ladder\n\n"
        "## Designer I\n\n### Craft\n- I make mockups with guidance.\n\n"
        "## Designer II\n\n### Craft\n- I make mockups on my own.\n\n"
        "## Designer III\n\n### Craft\n- I lead the mockup reviews.\n"
    )
    answerer = Answerer(load_ladder(tmp_path).ladder)
    answer = answerer.ask(question)
    assert isinstance(answer, LevelAnswer) and answer.level.name == name
    compared = answerer.ask("what separates designer i from designer ii?")
    assert isinstance(compared, CompareAnswer)
    assert (compared.comparison.lower.name, compared.comparison.higher.name) == ("Designer I", "Designer II")
    assert not isinstance(answerer.ask("how do i make better mockups?"), LevelAnswer)  # "i" the pronoun


def test_levels_written_in_paragraphs_take_them_as_criteria_and_the_file_names_the_track(tmp_path):
    (tmp_path / "career-ladder-for-SDK-engineers.md").write_text(
        "# SDK Engineer I\n\n"
        "Fixes reported bugs in one SDK with help.\n\n"
        "Writes samples that show one feature at a time.\n\n"
        "__Experience: Usually none needed.__\n\n"
        "# SDK Engineer II\n\n"
        "Owns the release of one SDK.\n\n"
        "Reviews samples written by others.\n\n"
        "Answers developer questions in the forum.\n\n"
        "__Experience: Usually two years or more.__\n"
    )
    result = load_ladder(tmp_path)
    assert result.problems == []
    [track] = result.ladder.tracks.values()
    assert track.name == "SDK Engineers"
    first, second = track.levels
    assert [c.text for s in first.sections for c in s.competencies] == [
        "Fixes reported bugs in one SDK with help.",
        "Writes samples that show one feature at a time.",
    ]
    assert second.competency_count == 3
    assert [(m.label, m.value) for m in second.metadata] == [("Experience", "Usually two years or more.")]


def test_one_paragraph_describes_a_level_and_is_no_criterion(tmp_path):
    (tmp_path / "ladder.md").write_text(
        "## Engineer\n\nMost people join here.\n\n### Craft\n- I ship small changes.\n\n"
        "## Senior Engineer\n\nLeads a team's technical work.\n\n### Craft\n- I shape the design of a system.\n"
    )
    levels = load_ladder(tmp_path).ladder.levels
    assert [(l.notes, l.competency_count) for l in levels] == [
        (("Most people join here.",), 1),
        (("Leads a team's technical work.",), 1),
    ]


def test_a_site_page_whose_title_names_no_role_is_skipped_with_a_note(tmp_path):
    docs = tmp_path / "content" / "docs"
    docs.mkdir(parents=True)
    (docs / "introduction.md").write_text(
        "---\ntitle: Getting to know the framework\nweight: 1\n---\n\n## Why we have it\n\n- To make growth fair.\n"
    )
    (docs / "tester.md").write_text(
        "---\ntitle: Software Development Engineer in Test\nweight: 2\n---\n\n## Craft\n\n- I automate our checks.\n"
    )
    result = load_ladder(tmp_path)
    assert [level.name for level in result.ladder.levels] == ["Software Development Engineer in Test"]
    [note] = [p for p in result.skipped if p.path.endswith("introduction.md")]
    assert note.severity == "note" and "names no role or level" in note.message


@pytest.mark.parametrize(
    "closing", ["", "\n# Other pages\n\n* [Overview](README.md)\n* [Frontend Engineer](Frontend-Engineer.md)\n"]
)
def test_coded_sections_under_a_role_title_with_labelled_bullets_are_levels(tmp_path, closing):
    """The engineering-ladders shape: `# Role`, then `## XX1 - Role 1` sections whose bullets
    are all `**Verb**: what it means`, and maybe a closing list of links to other pages."""
    (tmp_path / "Backend-Engineer.md").write_text(
        "# Backend Engineer\n\n* [Backend Engineer 2](Backend-Engineer.md#be2)\n\nWhat each level asks of you.\n\n"
        "## BE1 - Backend Engineer 1\n\n* **Adopts**: uses the team's tools and patterns\n"
        "* **Learns**: asks for review early and often\n\n"
        "## BE2 - Backend Engineer 2\n\n* **Specializes**: becomes the go-to person for one service\n"
        "* **Supports**: mentors newer engineers through reviews\n" + closing
    )
    answerer = Answerer(load_ladder(tmp_path).ladder)
    levels = answerer.ladder.levels
    assert [(l.code, l.competency_count) for l in levels] == [("BE1", 2), ("BE2", 2)]
    assert [c.text for s in levels[1].sections for c in s.competencies] == [
        "Specializes: becomes the go-to person for one service",
        "Supports: mentors newer engineers through reviews",
    ]
    [hit, *_] = answerer.index.search("mentoring")
    assert hit.level.code == "BE2"


def test_a_companys_own_level_names_win_and_pages_about_two_levels_are_none(tmp_path):
    levels = tmp_path / "docs" / "levels"
    levels.mkdir(parents=True)
    for number, title, category in [(1, "Junior", "Delivery"), (2, "Expert", "Delivery"), (3, "Senior L1", "Delivery")]:
        (levels / f"0{number} {title}.md").write_text(
            f"---\nlevel: {number}\ntitle: {title}\ntrack: technical\n---\n\n## {category}\n\n"
            f"**tldr;** what {title.lower()} delivery looks like.\n\n* **Scope**: work of level {number}\n"
            f"* **Quality**: checks of level {number}\n"
        )
    (tmp_path / "docs" / "senior-l1-vs-senior-l2.md").write_text(
        "# Senior L1 vs Senior L2: where we draw the line\n\n| | Senior L1 | Senior L2 |\n|---|---|---|\n"
        "| Scope | A feature | A product area |\n"
    )
    (tmp_path / "docs" / "grades.md").write_text(
        "# Grades\n\n| Track | Grade | Min | Max |\n|---|---|---|---|\n"
        "| Engineer | Junior | 0% | 40% |\n| Engineer | Senior | 40% | 80% |\n| Engineer | Staff | 80% | 100% |\n"
    )
    result = load_ladder(tmp_path)
    answerer = Answerer(result.ladder)
    assert [(l.name, l.track) for l in answerer.ladder.levels] == [
        ("L1: Junior", "Technical"),
        ("L2: Expert", "Technical"),
        ("L3: Senior L1", "Technical"),
    ]
    senior = answerer.ask("Senior L1")  # the level's own name, though "L1" is also a code
    assert isinstance(senior, LevelAnswer) and senior.level.code == "L3"
    in_slack = answerer.answer(answerer.parse("Senior L1"))  # the path a Slack reply takes
    assert isinstance(in_slack, LevelAnswer) and in_slack.level.code == "L3"
    delivery = senior.level.sections[0]
    assert delivery.notes == ("what senior l1 delivery looks like.",)  # a tldr is a note, no criterion
    assert [c.text for c in delivery.competencies] == ["Scope: work of level 3", "Quality: checks of level 3"]
    said = {p.path: p.message for p in result.skipped + result.problems}
    assert "compares levels" in said["docs/senior-l1-vs-senior-l2.md"]
    assert said["docs/grades.md"].endswith("skipped")  # a lookup of grades, no level


def test_compare_follows_categories_whose_names_change_from_level_to_level(tmp_path):
    answer = _compared(
        tmp_path,
        "# Engineering\n\n## Engineer\n\n#### I write good code.\n"
        "- I am becoming proficient with my tools and the building blocks of our team.\n"
        "- I write code with testability and errors in mind.\n\n#### I help my team.\n- I pair with others when asked.\n\n"
        "## Senior Engineer\n\n#### I am trusted to ship features.\n"
        "- I am proficient with my tools and the building blocks of our team.\n"
        "- I consistently write code with testability and errors in mind.\n\n"
        "#### I lift my team.\n- I mentor two engineers every quarter and review their designs.\n",
        "what separates engineer from senior engineer?",
    )
    assert answer.comparison.counts == {"new": 1, "changed": 2, "dropped": 1, "unchanged": 0}
    [carried] = [s for s in answer.comparison.sections if s.changed]
    assert carried.name == "I am trusted to ship features."


def test_a_category_heading_that_slips_a_level_up_stays_a_sibling(tmp_path):
    (tmp_path / "roles.md").write_text(
        "# Roles\n\n## Engineer\n\n#### I code.\n- I write tests.\n\n#### I ship.\n- I release weekly.\n\n"
        "### I am adaptable.\n- I learn new tools.\n\n#### I give back.\n- I mentor a newcomer.\n\n"
        "## Senior Engineer\n\n#### I code.\n- I design systems.\n"
    )
    level, _senior = load_ladder(tmp_path).ladder.levels
    assert [(s.full_name, len(s.competencies)) for s in level.sections] == [
        ("I code.", 1),
        ("I ship.", 1),
        ("I am adaptable.", 1),
        ("I give back.", 1),
    ]


def test_a_level_with_no_criteria_says_so_in_the_terminal_and_in_slack(tmp_path):
    from rich.console import Console

    from bot.render_text import print_answer
    from bot.slack.blocks import level_blocks

    (tmp_path / "qa.md").write_text("# QA\n\n## QA Engineer\n\n#### Testing\n- I write test plans.\n\n## QA Manager\n")
    answer = Answerer(load_ladder(tmp_path).ladder).ask("qa manager")
    assert isinstance(answer, LevelAnswer) and answer.level.name == "QA Manager"
    console = Console(width=200, record=True, file=io.StringIO())
    print_answer(answer, console)
    assert "lists no criteria yet" in console.export_text()
    assert "lists no criteria yet" in json.dumps(level_blocks(answer, shareable=False, source_url=""))


def test_a_ladder_in_another_script_is_searched_and_compared_by_its_own_words(tmp_path):
    (tmp_path / "ladder.md").write_text(
        "# Engineering\n\n## L1: Engineer\n\n### Craft\n- 테스트 계획 작성\n- 코드 리뷰 참여\n\n"
        "## L2: Senior Engineer\n\n### Craft\n- 테스트 계획 작성\n- 신입 엔지니어에게 멘토링 제공\n"
    )
    answerer = Answerer(load_ladder(tmp_path).ladder)
    [hit] = answerer.index.search("멘토링")
    assert hit.competency.text == "신입 엔지니어에게 멘토링 제공"
    compared = answerer.ask("what separates L1 from L2?")
    assert isinstance(compared, CompareAnswer)
    assert compared.comparison.counts == {"new": 1, "changed": 0, "dropped": 1, "unchanged": 1}


def test_numbered_roles_in_one_folder_are_a_track_each(tmp_path):
    folder = tmp_path / "data_science"
    folder.mkdir()
    for title, text in [
        ("Data Scientist 3", "I build models with guidance."),
        ("Data Scientist 4", "I choose the modelling approach for a product area."),
        ("Tech Lead 5", "I lead the technical direction of a team."),
        ("Tech Lead 6", "I lead the technical direction of several teams."),
    ]:
        (folder / f"{title}.md").write_text(f"### Craft\n- {text}\n")
    ladder = load_ladder(tmp_path).ladder
    assert {t.name: [l.title for l in t.levels] for t in ladder.tracks.values()} == {
        "Data Scientist": ["Data Scientist 3", "Data Scientist 4"],
        "Tech Lead": ["Tech Lead 5", "Tech Lead 6"],
    }


def test_a_progression_frameworks_example_criteria_keep_their_examples():
    ladder = load_ladder(LADDERS / "structured").ladder
    first = next(l for l in ladder.levels if l.track == "Frontend" and l.code == "L1")
    assert first.department == "Progression"
    shown = next(c for s in first.sections for c in s.competencies if c.examples)
    assert (shown.text, shown.examples) == (
        "Uses the shared component library",
        ("Reused the date picker instead of writing a new one",),
    )


def test_a_word_is_found_inside_a_japanese_sentence(tmp_path):
    (tmp_path / "ladder.md").write_text(
        "# Engineering\n\n## L1: Engineer\n\n### Craft\n- テスト計画を作成する\n\n"
        "## L2: Senior Engineer\n\n### Craft\n- 新しいメンバーにメンタリングを行う\n"
    )
    answerer = Answerer(load_ladder(tmp_path).ladder)
    [hit, *_] = answerer.index.search("メンタリング")
    assert hit.competency.text == "新しいメンバーにメンタリングを行う"


def test_a_frameworks_level_prefix_names_its_codes_and_blank_criteria_leave_no_category(tmp_path):
    (tmp_path / "qa.md").write_text(
        '---\ntitle: "Quality Analyst Framework"\nlevelPrefix: "Q"\nlevels: 2\ntopics:\n'
        '  - name: "impact"\n    title: "Impact"\n    content:\n      - level: 1\n        criteria:\n          - ""\n'
        '      - level: 2\n        criteria:\n          - "Finds the defects that matter before release"\n'
        '  - name: "craft"\n    title: "Craft"\n    content:\n      - level: 1\n        criteria:\n'
        '          - "Writes a test plan from a ticket"\n      - level: 2\n        criteria:\n'
        '          - "Automates the regression suite of a product"\n---\n'
    )
    answerer = Answerer(load_ladder(tmp_path).ladder)
    assert [(l.name, [s.name for s in l.sections]) for l in answerer.ladder.levels] == [
        ("Q1: Quality Analyst", ["Craft"]),
        ("Q2: Quality Analyst", ["Impact", "Craft"]),
    ]
    second = answerer.ask("Q2")
    assert isinstance(second, LevelAnswer) and second.level.code == "Q2"


def test_a_camel_case_file_names_its_track_and_a_levels_chart_is_no_text(tmp_path):
    (tmp_path / "TechLead.md").write_text(
        "# Tech Lead\n\n## TL4 - Tech Lead 4\n\n![Tech Lead 4](/charts/tl4.png)\n\n"
        "* **Adopts**: uses the team's tools\n* **Leads**: runs the design reviews\n\n"
        "## TL5 - Tech Lead 5\n\n![Tech Lead 5](/charts/tl5.png)\n\n"
        "* **Adopts**: picks the team's tools\n* **Leads**: leads the reviews of several teams\n"
    )
    ladder = load_ladder(tmp_path).ladder
    [track] = ladder.tracks.values()
    assert track.name == "Tech Lead"
    assert all(not note.startswith("!") for level in ladder.levels for note in level.notes)
    assert [l.notes for l in ladder.levels] == [(), ()]


def test_a_department_with_sub_departments_and_roles_reads_both(tmp_path):
    (tmp_path / "roles.json").write_text(
        json.dumps(
            {
                "departments": [
                    {
                        "name": "Engineering",
                        "departments": [
                            {
                                "name": "Workplace IT",
                                "roles": [
                                    {
                                        "name": "IT Analyst",
                                        "levels": [{"title": "IT Analyst", "criteria": ["I fix laptops."]}],
                                    }
                                ],
                            }
                        ],
                        "roles": [
                            {
                                "name": "Software Engineer",
                                "levels": [
                                    {"title": "Software Engineer", "criteria": ["I ship features."]},
                                    {"title": "Senior Software Engineer", "criteria": ["I ship services."]},
                                ],
                            }
                        ],
                    }
                ]
            }
        )
    )
    ladder = load_ladder(tmp_path).ladder
    assert sorted(t.name for t in ladder.tracks.values()) == ["IT Analyst", "Software Engineer"]


def test_a_spreadsheet_or_pdf_beside_the_ladder_is_named_as_not_read(tmp_path):
    (tmp_path / "L1-engineer.md").write_text("# L1: Engineer\n\n## Craft\n\n- I write tests.\n")
    (tmp_path / "matrix.csv").write_text("Category,Junior,Senior\nCraft,learns,teaches\n")
    (tmp_path / "ladder.pdf").write_bytes(b"%PDF-1.4")
    result = load_ladder(tmp_path)
    notes = {p.path: p.message for p in result.skipped}
    assert "is not read" in notes["matrix.csv"] and "is not read" in notes["ladder.pdf"]
    assert [l.name for l in result.ladder.levels] == ["L1: Engineer"]


def test_skill_area_files_whose_sections_are_bare_seniorities_merge_into_levels(tmp_path):
    folder = tmp_path / "matrix"
    folder.mkdir()
    for area, verb in [("Test Planning", "plan"), ("Test Design", "design"), ("Reporting", "report")]:
        (folder / f"{area.lower().replace(' ', '-')}.md").write_text(
            f"# {area}\nWhat this area covers.\n\n"
            f"## Trainee\n- Can {verb} with help\n\n## Junior\n- Can {verb} alone\n\n"
            f"## Middle\n- Can {verb} for the team\n\n## Senior\n- Can {verb} for several teams\n"
        )
    levels = load_ladder(tmp_path).ladder.levels
    assert [(l.title, [s.name for s in l.sections]) for l in levels] == [
        (title, ["Reporting", "Test Design", "Test Planning"]) for title in ("Trainee", "Junior", "Middle", "Senior")
    ]


def test_an_experience_line_after_the_criteria_is_about_the_level(tmp_path):
    answer = _compared(
        tmp_path,
        "# Contributor I\n\n* Fixes small bugs in one project.\n* Writes clear issue reports.\n\n"
        "_Experience: Typically requires 2 years of experience._\n\n"
        "# Contributor II\n\n* Fixes bugs across projects.\n* Reviews the pull requests of others.\n\n"
        "_Experience: Typically requires 4 years of experience._\n",
        "what separates contributor i from contributor ii?",
    )
    assert [(m.label, m.before, m.after) for m in answer.comparison.metadata] == [
        ("Experience", "Typically requires 2 years of experience.", "Typically requires 4 years of experience.")
    ]


def test_a_persona_page_named_and_ordered_in_front_matter_is_a_level_with_its_headings_as_categories(tmp_path):
    personas = tmp_path / "personas"
    personas.mkdir()
    for order, name in [(1, "Explorer"), (2, "Artisan")]:
        (personas / f"{name.lower()}.md").write_text(
            f"---\nname: {name}\norder: {order}\n---\n\n# Delivery\n\n## Expectations\n\n- Ships work as an {name}.\n\n"
            f"# Consulting\n\n## Expectations\n\n- Advises clients as an {name}.\n"
        )
    levels = load_ladder(tmp_path).ladder.levels
    assert [(l.title, [s.full_name for s in l.sections]) for l in levels] == [
        (name, ["Delivery", "Delivery › Expectations", "Consulting", "Consulting › Expectations"])
        for name in ("Explorer", "Artisan")
    ]


def _compared(tmp_path, text: str, question: str) -> CompareAnswer:
    """The comparison a question gets from a one-file ladder of `text`."""
    (tmp_path / "ladder.md").write_text(text)
    answer = Answerer(load_ladder(tmp_path).ladder).ask(question)
    assert isinstance(answer, CompareAnswer), answer
    return answer
