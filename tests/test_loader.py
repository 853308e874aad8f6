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
    (root / "eng" / "L3-latin1.md").write_bytes(
        "# L3: Señor Engineer\n\n## Craft\n\n- I ship café.\n".encode("latin-1")
    )
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
    assert problems["eng/L2-engineer.md"] == ("warning", "duplicate of L2: Engineer in eng/L2-copy.md; skipped")
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


def _bomb_front_matter(target: str) -> str:
    """A few hundred bytes of nested YAML aliases that expand to 9**9 strings."""
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(8):
        prev, name = chr(97 + i), chr(98 + i)
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    return "---\n" + "\n".join(lines) + f"\n{target}: *i\n---\n"


def test_yaml_alias_bomb_in_front_matter_is_refused_with_a_clear_problem(tmp_path):
    root = tmp_path / "content"
    (root / "eng").mkdir(parents=True)
    (root / "eng" / "L2-engineer.md").write_text(GOOD)
    (root / "eng" / "L3-bomb.md").write_text(_bomb_front_matter("unused") + GOOD.replace("L2", "L3"))
    result = load_ladder(root)
    assert [l.code for l in result.ladder.levels] == ["L2"]
    problem = next(p for p in result.problems if p.path == "eng/L3-bomb.md")
    assert problem.severity == "error" and "anchors and aliases" in problem.message


def test_too_many_criteria_in_one_level_is_a_clear_problem(tmp_path):
    root = tmp_path / "content"
    (root / "eng").mkdir(parents=True)
    bullets = "".join(f"- I do thing {i}.\n" for i in range(2_500))
    (root / "eng" / "L2-huge.md").write_text("# L2: Engineer\n\n## Craft\n\n" + bullets)
    result = load_ladder(root)
    assert len(result.ladder) == 0
    assert "too many criteria" in result.errors[0].message


def _with_symlink_loops(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    (root / "eng").mkdir(parents=True, exist_ok=True)
    (root / "eng" / "L2-engineer.md").write_text(GOOD)
    os.symlink("loop.md", root / "eng" / "loop.md")  # points at itself
    os.symlink("../eng", root / "eng" / "again")  # a folder that contains itself
    return root


def test_symlink_loop_is_reported_like_any_bad_file(tmp_path):
    root = _with_symlink_loops(tmp_path)
    result = CliRunner().invoke(cli, ["content", "check", str(root)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "L2: Engineer" in result.output
    assert "eng/loop.md: a broken symbolic link" in result.output


def test_a_reload_survives_a_symlink_loop_and_any_exception(tmp_path, monkeypatch, caplog):
    import bot.content
    from bot.content import Content

    root = tmp_path / "content"
    (root / "eng").mkdir(parents=True)
    (root / "eng" / "L2-engineer.md").write_text(GOOD)
    content = Content(root, check_every=0)
    _with_symlink_loops(tmp_path)
    (root / "eng" / "L3-senior.md").write_text(GOOD.replace("L2: Engineer", "L3: Senior Engineer"))
    result = content.reload()
    assert any("symbolic link" in p.message for p in result.problems)
    os.unlink(root / "eng" / "loop.md")

    def broken(_directory):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(bot.content, "load_ladder", broken)
    assert content.reload() is None  # no exception escapes the reload thread
    assert "content reload of" in caplog.text and "disk on fire" in caplog.text
    monkeypatch.undo()
    content.reload()
    assert [l.code for l in content.answerer.ladder.levels] == ["L2", "L3"]


def test_a_file_no_reader_foresaw_costs_that_file_only(tmp_path):
    root = tmp_path / "content"
    (root / "eng").mkdir(parents=True)
    (root / "eng" / "L2-engineer.md").write_text(GOOD)
    (root / "eng" / "deep.json").write_text("[" * 100_000 + "]" * 100_000)  # nested past Python's recursion limit
    result = CliRunner().invoke(cli, ["content", "check", str(root)])
    assert "L2: Engineer" in result.output
    assert "eng/deep.json: could not be read as a ladder document (RecursionError)" in result.output
