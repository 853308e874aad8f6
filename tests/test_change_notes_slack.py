"""Ladder-change notes from the clock process: a content change DMs exactly the people at
that level, once; not on the first load, not after a restart, and not when turned off."""

from __future__ import annotations

import shutil
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from bot.config import Settings
from bot.content import Content
from bot.nudges.clock import tick
from bot.nudges.runner import NudgeRunner
from tests.fakes.fake_slack import readable_text
from tests.fakes.slack_requests import BOT_TOKEN, TEAM

ROOT = Path(__file__).resolve().parent.parent
L2, L3 = "cloud-engineering/l2-cloud-engineer", "cloud-engineering/l3-senior-software-engineer"
L3_FILE = "cloud-engineering/L3-senior-software-engineer.md"
OLD = "- I can design and implement infrastructure as code."
NEW = "- I can design, implement and review infrastructure as code."
# A Sunday: nobody is due a prompt, so every DM in these tests is a change note.
SUNDAY = datetime(2026, 11, 22, 12, 0, tzinfo=timezone.utc)


@pytest.fixture
def content_dir(tmp_path):
    folder = tmp_path / "ladder"
    shutil.copytree(ROOT / "ladder_content", folder)
    return folder


def _runner(store, fake_slack, folder: Path) -> NudgeRunner:
    settings = Settings(content_dir=folder, slack_api_url=fake_slack.api_url, slack_bot_token=BOT_TOKEN)
    return NudgeRunner.from_settings(store, Content(folder, check_every=0), settings, lease=timedelta(minutes=10))


def _notes(fake_slack) -> dict[str, list[str]]:
    by_user: dict[str, list[str]] = {}
    for call in fake_slack.accepted("chat.postMessage"):
        by_user.setdefault(call.args["channel"], []).append(readable_text(call))
    return by_user


def _people(store) -> None:
    store.update_person(TEAM, "U60", current_level_id=L3, cadence="off")
    store.update_person(TEAM, "U61", current_level_id=L2, target_level_id=L3, cadence="off")
    store.update_person(TEAM, "U62", current_level_id=L2, cadence="off")


def _reword(folder: Path) -> None:
    path = folder / L3_FILE
    text = path.read_text()
    assert OLD in text
    path.write_text(text.replace(OLD, NEW))


def test_a_content_change_notifies_the_people_at_that_level_once(store, fake_slack, content_dir, monkeypatch):
    monkeypatch.delenv("LADDERBOT_CHANGE_NOTES", raising=False)
    _people(store)
    runner = _runner(store, fake_slack, content_dir)
    tick(runner, SUNDAY)  # the first load: versions kept, nobody told
    tick(_runner(store, fake_slack, content_dir), SUNDAY)  # a restart: nothing changed
    assert _notes(fake_slack) == {}

    _reword(content_dir)
    runner.content.reload()
    tick(runner, SUNDAY + timedelta(minutes=5))
    tick(runner, SUNDAY + timedelta(minutes=10))
    tick(_runner(store, fake_slack, content_dir), SUNDAY + timedelta(minutes=15))  # restarted after the change
    notes = _notes(fake_slack)
    assert sorted(notes) == ["U60", "U61"] and all(len(n) == 1 for n in notes.values())
    assert "L3: Senior Software Engineer changed" in notes["U60"][0]
    assert "~implement~" in notes["U60"][0] or "review" in notes["U60"][0]
    assert "your current level" in notes["U60"][0] and "your target level" in notes["U61"][0]


@pytest.mark.parametrize("switch", ["env", "manifest"])
def test_change_notes_can_be_turned_off(store, fake_slack, content_dir, monkeypatch, switch):
    monkeypatch.delenv("LADDERBOT_CHANGE_NOTES", raising=False)
    if switch == "env":
        monkeypatch.setenv("LADDERBOT_CHANGE_NOTES", "off")
    else:
        (content_dir / "ladder.toml").write_text("change_notes = false\n")
    _people(store)
    runner = _runner(store, fake_slack, content_dir)
    tick(runner, SUNDAY)
    _reword(content_dir)
    runner.content.reload()
    tick(runner, SUNDAY + timedelta(minutes=5))
    assert _notes(fake_slack) == {}
    assert runner.store.level_snapshots()[L3].content.count("review infrastructure") == 1  # kept: nothing replays later
