"""A workspace's own ladder: LADDER_CONTENT_DIR/<team_id>/ is that workspace's content, kept
out of the shared ladder; the content check and reload handle both."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.content import Content, Contents, fingerprint, request_reload
from bot.ladder.loader import load_ladder
from tests.conftest import bot_env, run_cli
from tests.fakes.in_process import CONTENT, InProcessBot
from tests.fakes.slack_requests import TEAM


@pytest.fixture
def folders(tmp_path) -> tuple[Path, Path]:
    """A shared ladder (the bundled one) and, for TEAM, a ladder of its own: support only."""
    shared = tmp_path / "content"
    shutil.copytree(CONTENT, shared)
    own = shared / TEAM / "support"
    own.mkdir(parents=True)
    shutil.copy(CONTENT / "support" / "L2-devops-support-engineer.md", own)
    return shared, shared / TEAM


def test_a_workspace_folder_is_not_part_of_the_shared_ladder(folders):
    shared, own = folders
    assert len(load_ladder(shared).ladder) == len(load_ladder(CONTENT).ladder)
    assert len(load_ladder(own).ladder) == 1
    before = fingerprint(shared)
    (own / "support" / "L2-devops-support-engineer.md").write_text("# changed\n")
    assert fingerprint(shared) == before  # an edit there reloads that workspace's ladder only


def test_each_workspace_is_answered_from_its_own_ladder_or_the_shared_one(folders, fake_slack, tmp_path):
    shared, own = folders
    bot = InProcessBot(fake_slack, f"sqlite:///{tmp_path / 'ladderbot.db'}")
    bot.deps.content = Content(shared)
    bot.deps.contents = Contents(bot.deps.content)
    try:

        def answer(team: str) -> str:
            bot.team = team
            url = fake_slack.new_response_url()
            assert bot.command("L4 cloud architect", response_url=url).status == 200
            bot.wait()
            return next(c for c in fake_slack.calls("response_url") if c.path.endswith(url.rsplit("/", 1)[1])).text

        assert "Cloud Architect" in answer("T0OTHER1")  # no folder of its own: the shared ladder
        assert "Cloud Architect" not in answer(TEAM)  # its own ladder has support levels only
        assert bot.deps.contents.for_team(TEAM).directory == own
    finally:
        bot.close()


def test_content_check_and_reload_cover_every_workspace_ladder(folders, fake_slack):
    shared, own = folders
    env = bot_env(fake_slack, "sqlite:///unused.db", LADDER_CONTENT_DIR=str(shared))
    checked = run_cli(env, "content", "check")
    assert checked.returncode == 0, checked.stderr
    assert f"workspace {TEAM}'s own ladder" in checked.stdout and "1 levels in 1 tracks" in checked.stdout

    (own / "ladder.toml").write_text("[[[ not toml\n")  # a broken manifest: an error, not a warning
    assert run_cli(env, "content", "check").returncode == 1
    reloaded = run_cli(env, "content", "reload")
    assert reloaded.returncode == 1 and str(own) in reloaded.stderr  # not reloaded: the workspace's ladder is broken
    (own / "ladder.toml").unlink()

    request_reload(shared)
    assert (shared / ".reload").exists() and (own / ".reload").exists()
