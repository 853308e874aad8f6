"""Faults from Slack, the database and the content folder: a clear answer, nothing lost."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, text

import storage
from bot.cli import cli
from bot.content import Content
from tests.conftest import RunningBot, bot_env, run_cli
from tests.fakes.slack_requests import buttons
from tests.storage_fixtures import PG_ENV, fresh_postgres_database, nudge_statuses
from tests.test_slack_app import ask, press, responses

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "ladder_content"
needs_postgres = pytest.mark.skipif(not os.environ.get(PG_ENV), reason=f"needs {PG_ENV}")


# --- Slack --------------------------------------------------------------------------------


@pytest.mark.e2e
def test_a_rate_limited_response_url_is_retried(slack, fake_slack):
    fake_slack.fail_next("response_url", status=429, retry_after=1)
    url = fake_slack.new_response_url()
    slack.command("L2 support", response_url=url)
    posts = responses(fake_slack, url, count=2)
    assert [p.status for p in posts] == [429, 200]
    assert "L2: DevOps Support Engineer" in posts[1].text


@pytest.mark.e2e
def test_a_failing_response_url_falls_back_to_an_ephemeral_message(slack, fake_slack):
    fake_slack.fail_next("response_url", status=500, times=6)  # the answer and the error notice both fail
    url = fake_slack.new_response_url()
    slack.command("L3", response_url=url, user="U21", channel="C21")
    notice = fake_slack.wait_for("chat.postEphemeral", timeout=20)[0]
    assert notice.args["user"] == "U21" and notice.args["channel"] == "C21"
    assert "reference `" in notice.text


@pytest.mark.e2e
@pytest.mark.parametrize("fault", ["reset", "500"])
def test_connection_resets_and_server_errors_while_answering_reach_the_person(slack, fake_slack, fault):
    for _ in range(3):  # the first try and both retries
        fake_slack.reset_next("chat.postMessage") if fault == "reset" else fake_slack.fail_next(
            "chat.postMessage", status=500
        )
    slack.mention("L3", user="U22", channel="C22")
    notice = fake_slack.wait_for("chat.postEphemeral", timeout=20)[0]
    assert "Please try again in a minute" in notice.text and "Traceback" not in notice.text


def test_nudges_survive_a_429_storm(store, fake_slack):
    from datetime import datetime, timezone

    from bot.config import Settings
    from bot.nudges.runner import NudgeRunner
    from bot.slackkit.client import make_client
    from tests.fakes.slack_requests import BOT_TOKEN

    for i in range(6):
        store.update_person("T0TEST", f"U3{i}", target_level_id="cloud-engineering/l3-senior-software-engineer")
    fake_slack.rate_limit("chat.postMessage", 3)
    settings = Settings(content_dir=CONTENT, slack_api_url=fake_slack.api_url, slack_bot_token=BOT_TOKEN)
    runner = NudgeRunner(store, Content(CONTENT), make_client(settings, resend_on_doubt=False), threads=6)
    now = datetime(2026, 11, 23, 12, 0, tzinfo=timezone.utc)
    first = runner.run_due(now)
    later = runner.run_due(now.replace(hour=13))  # whatever a storm left for later goes out then
    assert first.sent + later.sent == 6
    accepted = [c.args["channel"] for c in fake_slack.accepted("chat.postMessage")]
    assert sorted(accepted) == [f"U3{i}" for i in range(6)]  # each once
    assert nudge_statuses(store, "T0TEST", [f"U3{i}" for i in range(6)])["sent"] == 6


# --- the database -------------------------------------------------------------------------


@pytest.fixture
def bot_without_database(fake_slack, tmp_path):
    unreachable = "postgresql+psycopg://ladderbot:secret-pw@127.0.0.1:1/ladderbot"
    # One web process: without the database, each process can only remember its own events.
    running = RunningBot(bot_env(fake_slack, unreachable, WEB_CONCURRENCY="1"), tmp_path / "bot.log")
    try:
        running.wait_ready()
        yield running
    finally:
        running.stop()


@pytest.mark.e2e
def test_a_database_that_is_down_gets_a_clear_answer_and_ladder_questions_still_work(bot_without_database, fake_slack):
    bot = bot_without_database
    assert "L3: Senior Software Engineer" in ask(bot.slack, fake_slack, "L3").text
    url = fake_slack.new_response_url()
    bot.slack.command("target L3", response_url=url, user="U40")
    notice = responses(fake_slack, url)[0].text
    assert "I can't reach my database just now" in notice and "reference `" in notice
    bot.slack.mention("L2 support", channel="C40")  # events are answered without the dedupe
    assert "L2: DevOps Support Engineer" in fake_slack.wait_for("chat.postMessage")[0].text
    assert "secret-pw" not in bot.log()


def test_run_due_with_the_database_down_says_so_in_one_line(fake_slack, tmp_path):
    result = run_cli(bot_env(fake_slack, "postgresql+psycopg://u:secret-pw@127.0.0.1:1/x"), "nudges", "run-due")
    assert result.returncode == 1
    assert "nothing sent: database unavailable" in result.stderr
    assert "Traceback" not in result.stderr and "secret-pw" not in result.stderr + result.stdout


@pytest.mark.e2e
@pytest.mark.postgres
@needs_postgres
def test_connections_killed_mid_flight_recover_by_themselves(fake_slack, tmp_path):
    with fresh_postgres_database("ladderbot_faults") as url:
        storage.upgrade(url)
        bot = RunningBot(bot_env(fake_slack, url), tmp_path / "bot.log")
        try:
            bot.wait_ready()
            assert "Your target is now" in ask(bot.slack, fake_slack, "target L3", user="U50").text
            admin = create_engine(os.environ[PG_ENV], isolation_level="AUTOCOMMIT")
            with admin.connect() as connection:
                killed = connection.execute(
                    text(
                        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = :db AND pid <> pg_backend_pid()"
                    ),
                    {"db": url.rsplit("/", 1)[1]},
                ).scalar()
            admin.dispose()
            assert killed >= 1
            for _ in range(3):  # every worker's pool meets a dead connection, and pre-ping replaces it
                assert "L3: Senior Software Engineer" in ask(bot.slack, fake_slack, "me", user="U50").text
        finally:
            bot.stop()


# --- content ----------------------------------------------------------------------------


def _broken_folder(root: Path) -> Path:
    shutil.copytree(CONTENT, root)
    (root / "support" / "empty.md").write_text("")
    (root / "support" / "no-heading.md").write_text("Just notes\n\n- a list\n")
    (root / "support" / "binary.md").write_bytes(b"\x00\x01\x02PNG")
    shutil.copy(root / "support" / "L2-devops-support-engineer.md", root / "support" / "L2-copy.md")
    (root / "support" / "L5-bad-bytes.md").write_bytes(
        "# L5: Staff\n\n## Craft\n\n- I ship \xff things.\n".encode("latin-1")
    )
    outside = root.parent / "outside.md"
    outside.write_text("# L9: Outside\n\n## X\n\n- I leak.\n")
    os.symlink(outside, root / "support" / "L9-link.md")
    return root


def test_content_check_names_every_problem(tmp_path):
    result = CliRunner().invoke(cli, ["content", "check", str(_broken_folder(tmp_path / "content"))])
    assert result.exit_code == 1
    for expected in (
        "empty.md: empty file",
        "no-heading.md: no level heading",
        "binary.md: binary file",
        "L2-devops-support-engineer.md: duplicate of L2: DevOps Support Engineer",
        "L5-bad-bytes.md: invalid UTF-8",
        "L9-link.md: links outside the content folder",
    ):
        assert expected in result.output, expected


@pytest.mark.e2e
def test_the_bot_starts_on_a_broken_folder_and_serves_what_is_valid(fake_slack, tmp_path):
    folder = _broken_folder(tmp_path / "content")
    bot = RunningBot(
        bot_env(fake_slack, f"sqlite:///{tmp_path / 'b.db'}", LADDER_CONTENT_DIR=str(folder)), tmp_path / "bot.log"
    )
    try:
        bot.wait_ready()
        assert "L2: DevOps Support Engineer" in ask(bot.slack, fake_slack, "l2 support").text
        assert "L5: Staff" in ask(bot.slack, fake_slack, "L5").text
        assert "L9" not in ask(bot.slack, fake_slack, "L9 outside").text.split("called")[0]
    finally:
        bot.stop()


def test_content_reloads_without_a_restart_and_a_bad_reload_keeps_the_last_good_index(tmp_path):
    folder = tmp_path / "content"
    shutil.copytree(CONTENT, folder)
    content = Content(folder, check_every=0.05)
    assert len(content.answerer.ladder) == 5
    (folder / "support" / "L3-senior-support.md").write_text(
        "# L3: Senior Support Engineer\n\n## Impact\n\n- I lead escalations.\n"
    )
    assert _eventually(lambda: len(content.answerer.ladder) == 6)
    (folder / "support" / "broken.md").write_bytes(b"\x00binary")
    (folder / "cloud-engineering" / "L2-cloud-engineer.md").unlink()
    time.sleep(0.1)
    assert content.answerer is not None  # asking for it notices the change
    assert _eventually(lambda: content.last_result is not None and content.last_result.errors)
    assert len(content.answerer.ladder) == 6  # still the last good index
    assert content.answerer.ladder.get("cloud-engineering/l2-cloud-engineer") is not None


def test_content_reload_command_checks_then_signals_running_bots(tmp_path):
    folder = tmp_path / "content"
    shutil.copytree(CONTENT, folder)
    ok = CliRunner().invoke(cli, ["content", "reload", str(folder)])
    assert ok.exit_code == 0 and "5 levels checked" in ok.output
    assert (folder / ".reload").exists()
    (folder / "bad.md").write_text("")
    refused = CliRunner().invoke(cli, ["content", "reload", str(folder)])
    assert refused.exit_code == 1 and "running bots keep serving their current content" in refused.output


def _eventually(condition, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


# --- privacy ------------------------------------------------------------------------------


@pytest.mark.e2e
def test_nobody_can_delete_or_read_another_persons_reflection(bot, slack, fake_slack):
    store = storage.Store(bot.database_url)
    mine = store.add_reflection("T0TEST", "U60", "My private thought", source="command")
    store.dispose()
    refused = press(
        slack, fake_slack, {"type": "button", "action_id": "me_delete_reflection", "value": str(mine.id)}, user="U61"
    )
    assert "isn't in your journal" in refused.text and "My private thought" not in refused.text
    journal = ask(slack, fake_slack, "journal", user="U60")
    assert "My private thought" in journal.text
    assert (
        "Deleted that reflection"
        in press(slack, fake_slack, buttons(journal.args["blocks"])["Delete"], user="U60").text
    )
    assert "My private thought" not in ask(slack, fake_slack, "journal", user="U60").text


@pytest.mark.e2e
def test_without_the_database_a_first_delivery_is_answered_and_retries_are_not(bot_without_database, fake_slack):
    bot = bot_without_database
    event = {"type": "app_mention", "user": "U41", "text": "<@U0BOT> L3", "channel": "C41", "ts": "1700000009.000100"}
    bot.slack.event(event, event_id="EvNODB0001")
    for attempt in (1, 2):
        bot.slack.event(event, event_id="EvNODB0001", headers={"X-Slack-Retry-Num": str(attempt)})
    fake_slack.wait_for("chat.postMessage")
    bot.wait_for_log("event EvNODB0001 already handled", count=2)
    assert len([c for c in fake_slack.calls("chat.postMessage") if c.args["channel"] == "C41"]) == 1


def test_a_malformed_source_link_is_left_out_not_sent(tmp_path):
    from bot.ladder.answers import Answerer
    from bot.ladder.loader import load_ladder
    from bot.slack.blocks import render
    from tests.fakes.slack_requests import buttons

    (tmp_path / "L1 my level.md").write_text("---\nurl: javascript:alert(1)\n---\n# L1: One\n\n## A\n\n- I do.\n")
    (tmp_path / "L2 my level.md").write_text("# L2: Two\n\n## A\n\n- I do more.\n")
    answerer = Answerer(load_ladder(tmp_path).ladder)
    one = render(answerer.ask("L1"), source_url="https://wiki.example/ladder")[0]
    assert "Source document" not in buttons(one.blocks)
    two = render(answerer.ask("L2"), source_url="https://wiki.example/ladder")[0]
    assert buttons(two.blocks)["Source document"]["url"] == "https://wiki.example/ladder/L2%20my%20level.md"
