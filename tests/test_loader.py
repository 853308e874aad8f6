"""A folder with broken files still loads what is valid and names each problem."""

import os
from pathlib import Path

from click.testing import CliRunner

from bot.cli import cli
from bot.ladder.loader import load_ladder
from bot.ladder.repair import repair_text

GOOD = "# L2: Engineer\n\n> I learn.\n\n## Craft\n\n- I write tests.\n- I review code.\n"


def _folder(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    (root / "eng").mkdir(parents=True)
    (root / "eng" / "L2-engineer.md").write_text(GOOD)
    (root / "eng" / "empty.md").write_text("   \n")
    (root / "eng" / "notes.md").write_text("Some notes without a heading\n\n- a\n")
    (root / "eng" / "image.md").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    (root / "eng" / "L2-copy.md").write_text(GOOD)
    (root / "eng" / "L3-latin1.md").write_bytes("# L3: Señor Engineer\n\n## Craft\n\n- I ship café.\n".encode("latin-1"))
    (root / "eng" / "README.md").write_text("# About this folder\n")
    secret = tmp_path / "outside.md"
    secret.write_text("# L9: Outside\n\n## X\n\n- I leak.\n")
    os.symlink(secret, root / "eng" / "L9-outside.md")
    return root


def test_broken_files_are_reported_and_the_rest_loads(tmp_path):
    result = load_ladder(_folder(tmp_path))
    assert [l.name for l in result.ladder.levels] == ["L2: Engineer", "L3: Se�or Engineer"]
    problems = {p.path: (p.severity, p.message) for p in result.problems}
    assert problems["eng/empty.md"] == ("error", "empty file")
    assert "no level heading" in problems["eng/notes.md"][1]
    assert problems["eng/image.md"] == ("error", "binary file, not markdown")
    # Files load in name order, so the later of two identical levels is the duplicate.
    assert problems["eng/L2-engineer.md"] == ("error", "duplicate of L2: Engineer in eng/L2-copy.md; skipped")
    assert problems["eng/L9-outside.md"][1] == "links outside the content folder; skipped"
    assert problems["eng/L3-latin1.md"] == ("warning", "invalid UTF-8; damaged characters replaced")
    assert "eng/README.md" not in problems


def test_missing_folder_is_a_problem_not_a_crash(tmp_path):
    result = load_ladder(tmp_path / "nope")
    assert len(result.ladder) == 0 and "not found" in result.errors[0].message


def test_content_check_lists_levels_and_fails_on_errors(tmp_path):
    runner = CliRunner()
    broken = runner.invoke(cli, ["content", "check", str(_folder(tmp_path))])
    assert broken.exit_code == 1
    assert "L2: Engineer" in broken.output and "empty.md: empty file" in broken.output
    clean = runner.invoke(cli, ["content", "check", str(Path(__file__).parent.parent / "ladder_content")])
    assert clean.exit_code == 0, clean.output
    assert "5 levels in 2 tracks" in clean.output
    assert "L4: Cloud Architect" in clean.output and "27 competencies" in clean.output


def test_repair_leaves_good_text_alone_and_is_idempotent():
    good = "Café, naïve, “quoted”, I’m, 🦉 emoji, — dash"
    assert repair_text(good) == good
    damaged = "## \uf8ffü¶â Domain expertise and team‚Äôs work"
    once = repair_text(damaged)
    assert once == "## 🦉 Domain expertise and team’s work"
    assert repair_text(once) == once
