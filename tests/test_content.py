"""The five customer documents, damaged and clean, read into the same levels."""

from pathlib import Path

import pytest

from bot.ladder.loader import load_ladder
from bot.ladder.parser import NotALevelDocument, parse_level
from bot.ladder.repair import repair_text

ROOT = Path(__file__).resolve().parent.parent
CLEAN = ROOT / "ladder_content"
DAMAGED = ROOT / "tests" / "fixtures" / "damaged-seeds"

# Counted by hand from the source documents: (competencies, examples) per section.
EXPECTED = {
    "000_578b76252c9150ea.txt": (
        "cloud-engineering/L2-cloud-engineer.md",
        "L2",
        "Cloud Engineer",
        [
            ("Domain expertise", 7, 3),
            ("Teaching and Mentoring", 2, 2),
            ("Culture and Leadership", 4, 3),
            ("Customer Success", 3, 2),
        ],
    ),
    "001_9bd1e614a5b3b4f5.txt": (
        "cloud-engineering/L4-lead-cloud-engineer.md",
        "L4",
        "Lead Cloud Engineer",
        [
            ("Domain Expertise", 11, 4),
            ("Teaching and Mentoring", 4, 5),
            ("Culture and Leadership", 7, 5),
            ("Customer Success", 6, 4),
        ],
    ),
    "002_a5a52b6e3c63942d.txt": (
        "cloud-engineering/L4-cloud-architect.md",
        "L4",
        "Cloud Architect",
        [
            ("Domain expertise", 7, 4),
            ("Teaching and Mentoring", 5, 7),
            ("Culture and Leadership", 10, 10),
            ("Customer Success", 5, 3),
        ],
    ),
    "003_c92e966ed7907b94.txt": (
        "cloud-engineering/L3-senior-software-engineer.md",
        "L3",
        "Senior Software Engineer",
        [
            ("Domain expertise", 8, 3),
            ("Teaching and Mentoring", 2, 3),
            ("Culture and Leadership", 6, 4),
            ("Customer Success", 4, 3),
        ],
    ),
    "004_12678042e653fbc4.txt": (
        "support/L2-devops-support-engineer.md",
        "L2",
        "DevOps Support Engineer",
        [
            ("Impact", 3, 0),
            ("I deliver high-quality support consistently and independently", 5, 0),
            ("I build depth and share what I learn", 4, 0),
            ("I strengthen the team and how we work", 4, 0),
            ("What success looks like", 0, 6),
        ],
    ),
}


def _parse(path: Path, folder: str | None = None):
    return parse_level(repair_text(path.read_text(encoding="utf-8")), source=path.name, folder_track=folder)


@pytest.mark.parametrize("seed", sorted(EXPECTED))
@pytest.mark.parametrize("form", ["damaged", "clean"])
def test_counts_per_section_match_the_source(seed, form):
    clean_path, code, title, sections = EXPECTED[seed]
    level = _parse(DAMAGED / seed) if form == "damaged" else _parse(CLEAN / clean_path)
    assert (level.code, level.title) == (code, title)
    assert [(s.name, len(s.competencies), len(s.examples)) for s in level.sections] == sections


@pytest.mark.parametrize("seed", sorted(EXPECTED))
def test_damaged_original_and_clean_copy_read_identically(seed):
    clean_path = EXPECTED[seed][0]
    assert _content(_parse(DAMAGED / seed)) == _content(_parse(CLEAN / clean_path))


def test_mojibake_is_repaired_in_headings_and_text():
    lead = _parse(DAMAGED / "001_9bd1e614a5b3b4f5.txt")
    assert [s.emoji for s in lead.sections] == ["🦉", "🌱", "🧭", "🏆"]
    assert "I guided my team’s decision-making" in " ".join(lead.section("domain-expertise").examples)
    every_text = repr(lead)
    assert "\uf8ff" not in every_text and "‚Äô" not in every_text and "ü¶" not in every_text


def test_section_keys_are_normalised_and_emoji_free():
    lead = _parse(DAMAGED / "001_9bd1e614a5b3b4f5.txt")
    cloud = _parse(DAMAGED / "000_578b76252c9150ea.txt")
    assert lead.sections[0].name == "Domain Expertise" and cloud.sections[0].name == "Domain expertise"
    assert lead.sections[0].key == cloud.sections[0].key == "domain-expertise"


def test_metadata_as_list_items_and_as_bold_lines():
    as_list = _parse(DAMAGED / "000_578b76252c9150ea.txt")
    as_lines = _parse(DAMAGED / "001_9bd1e614a5b3b4f5.txt")
    for level in (as_list, as_lines):
        assert [m.key for m in level.metadata] == [
            "planning_horizon",
            "impact_radius",
            "evaluation",
            "responsibility_and_direction_needed",
        ]
    assert as_lines.meta("planning_horizon") == "6-12 months"
    assert as_lines.meta("impact_radius") == "Team (5-15)"
    assert as_list.meta("evaluation") == "Manager"


def test_tagline_is_the_blockquote_without_emphasis_marks():
    level = _parse(DAMAGED / "003_c92e966ed7907b94.txt")
    assert level.tagline == (
        "I am a highly sought-after member of an Octopus team with a proven record "
        "of shipping high-quality changes to production."
    )


def test_examples_glued_to_summary_are_examples_not_competencies():
    level = _parse(DAMAGED / "003_c92e966ed7907b94.txt")
    domain = level.section("domain-expertise")
    assert domain.examples[0].startswith("I led a small improvement project")
    assert not any(c.text.startswith("I led a small") for c in domain.competencies)


def test_multiline_competency_is_one_statement():
    architect = _parse(DAMAGED / "002_a5a52b6e3c63942d.txt")
    last = architect.section("domain-expertise").competencies[-1].text
    assert last.endswith(
        "E.g. infrastructure, identity management, security, scalability, concurrency, and maintainability."
    )


def test_links_are_kept_as_references():
    lead = _parse(DAMAGED / "001_9bd1e614a5b3b4f5.txt")
    targets = {r.target: r.is_external for r in lead.references}
    assert targets == {
        "../Software-Engineering/L3-Senior-Software-Engineer.md": False,
        "https://github.com/OctopusDeploy/People/blob/main/Leadership.md": True,
    }
    net = next(c for c in lead.sections[0].competencies if ".NET" in c.text)
    assert "[" not in net.text and net.references[0].text == "L3 Senior Software Engineer"


def test_support_layout_keeps_its_intro_and_examples():
    support = _parse(DAMAGED / "004_12678042e653fbc4.txt")
    success = support.section("what-success-looks-like")
    assert success.notes[0].startswith("At this level, success means")
    assert success.examples[-1].startswith("Contribute positively to the team’s reliability")
    assert "I’m able to troubleshoot" in support.tagline


def test_track_from_folder_front_matter_and_title():
    result = load_ladder(CLEAN)
    by_title = {l.title: l for l in result.ladder.levels}
    assert by_title["Senior Software Engineer"].track == "Cloud Engineering"  # front matter
    assert by_title["Senior Software Engineer"].aliases == ("Senior Cloud Engineer", "Cloud Engineer L3")
    assert by_title["Cloud Architect"].track == "Cloud Engineering"  # folder
    assert by_title["DevOps Support Engineer"].track == "Support"
    flat = {l.title: l.track for l in load_ladder(DAMAGED).ladder.levels}  # no folders: from the title
    assert flat["DevOps Support Engineer"] == "Support" and flat["Cloud Architect"] == "Cloud Engineering"


def test_two_levels_share_a_rank_in_one_track():
    ladder = load_ladder(CLEAN).ladder
    fours = [l.title for l in ladder.tracks["cloud-engineering"].levels if l.rank == 4]
    assert sorted(fours) == ["Cloud Architect", "Lead Cloud Engineer"]


def test_level_code_from_front_matter_or_file_name():
    text = "---\nlevel: IC5\ntrack: Platform\n---\n# Staff Engineer\n\n## Scope\n\n- I set direction.\n"
    level = parse_level(text, source="whatever.md")
    assert (level.code, level.rank, level.title, level.track) == ("IC5", 5, "Staff Engineer", "Platform")
    from_name = parse_level("# Principal Engineer\n\n## Scope\n\n- I shape strategy.\n", source="L6-principal.md")
    assert from_name.code == "L6"
    with pytest.raises(NotALevelDocument):
        parse_level("Just some notes\n\n- a list\n", source="notes.md")


def test_criteria_with_and_without_inline_markup_read_as_plain_text():
    # Plain criteria skip inline parsing; marked-up ones are parsed: both must read as a person would.
    level = parse_level(
        "# L2: Engineer\n\n## Craft\n\n"
        "- I write clear  \n  docs that\nlast\n"
        "- I fix &amp; ship\n"
        "- I ship \\*always\\*\n"
        "- I use `make` and **bold** _words_\n"
        "- I [mentor](L1.md) peers <br> daily\n"
        "- I keep 100% - no less: 2 > 1\n"
    )
    texts = [c.text for c in level.sections[0].competencies]
    assert texts == [
        "I write clear docs that last",
        "I fix & ship",
        "I ship *always*",
        "I use make and bold words",
        "I mentor peers daily",
        "I keep 100% - no less: 2 > 1",
    ]
    assert [r.target for r in level.references] == ["L1.md"]


def _content(level) -> tuple:
    """What a document says, without where it came from: equal for a damaged original and
    its repaired copy."""
    return (level.code, level.title, level.tagline, level.metadata, level.sections)
