"""The terminal: what a person reads after `ladderbot ask`."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from bot.cli import cli

ROOT = Path(__file__).resolve().parent.parent


def ask(*args: str) -> str:
    result = CliRunner().invoke(cli, ["ask", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_compare_prints_a_readable_diff():
    out = ask("what separates L2 from L3?")
    assert "L2: Cloud Engineer → L3: Senior Software Engineer" in out
    assert "I am [-becoming-] proficient with virtualization" in out
    assert "+ New: I can confidently step outside my own comfort zone" in out
    assert "Impact radius: Self plus some team members → Peers (2-5)" in out


def test_lookup_shows_sections_and_examples_on_request():
    plain = ask("L3", "senior", "software")
    assert "L3: Senior Software Engineer" in plain and "🦉 Domain expertise" in plain
    assert "I can design and implement infrastructure as code." in plain
    assert "I led a small improvement project" not in plain
    assert "I led a small improvement project" in ask("--examples", "L3 senior software")


def test_ambiguous_and_unknown_answers():
    assert "Several levels match “L4”" in ask("L4")
    out = ask("L9")
    assert "I couldn't find a level called “L9”" in out and "Nearest levels" in out


def test_content_dir_option_and_env(tmp_path):
    (tmp_path / "L1-x.md").write_text("# L1: Apprentice\n\n## Craft\n\n- I learn daily.\n")
    result = CliRunner().invoke(cli, ["--content", str(tmp_path), "ask", "L1"])
    assert "L1: Apprentice" in result.output
    result = CliRunner().invoke(cli, ["ask", "L1"], env={"LADDER_CONTENT_DIR": str(tmp_path)})
    assert "L1: Apprentice" in result.output
    missing = CliRunner().invoke(cli, ["--content", str(tmp_path / "nope"), "ask", "L1"])
    assert missing.exit_code == 2 and "is not a folder" in missing.output
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "notes.md").write_text("# Meeting notes\n\nNothing here.\n")
    empty = CliRunner().invoke(cli, ["--content", str(tmp_path / "empty"), "ask", "L1"])
    assert empty.exit_code == 1 and "no level found" in empty.output and "content check" in empty.output


def test_installed_console_script_answers_from_any_folder(tmp_path):
    exe = shutil.which("ladderbot", path=os.path.dirname(sys.executable)) or shutil.which("ladderbot")
    assert exe, "the ladderbot console script is not installed"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "LADDER_"))}
    out = subprocess.run(
        [exe, "ask", "what separates L2 from L3?"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr
    assert "Traceback" not in out.stderr
    assert "L2: Cloud Engineer → L3: Senior Software Engineer" in out.stdout
