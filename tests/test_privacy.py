"""Forgetting and privacy: `forget me` wins over a nudge run, a forgotten person's old
buttons do nothing, logs never hold reflection text, private answers stay private,
and database URLs never show their secrets."""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from bot.config import Settings
from bot.content import Content
from bot.nudges.runner import NudgeRunner
from tests.fakes.slack_requests import BOT_TOKEN

CONTENT = Path(__file__).resolve().parent.parent / "ladder_content"
TEAM = "T0TEST"
L2 = "cloud-engineering/l2-cloud-engineer"
L3 = "cloud-engineering/l3-senior-software-engineer"
MONDAY_NOON_UTC = datetime(2026, 11, 23, 12, 0, tzinfo=timezone.utc)


def _people(store, count: int) -> list[str]:
    users = [f"U{i:03d}" for i in range(count)]
    for user in users:
        store.update_person(TEAM, user, target_level_id=L3, current_level_id=L2, tz="Europe/London")
    return users


def _runner(store, fake_slack, **options) -> NudgeRunner:
    settings = Settings(content_dir=CONTENT, slack_api_url=fake_slack.api_url, slack_bot_token=BOT_TOKEN)
    return NudgeRunner.from_settings(store, Content(CONTENT), settings, lease=timedelta(minutes=10), **options)


def _posted_to(fake_slack, user: str) -> list:
    return [c for c in fake_slack.accepted("chat.postMessage") if c.args["channel"] == user]


def _assert_forgotten(store, fake_slack, users) -> None:
    for user in users:
        assert fake_slack.messages("D" + user) == [], f"a prompt is left in {user}'s DM"
        assert store.get_person(TEAM, user) is None
        assert store.recent_nudges(TEAM, user) == [], f"a nudges row is left for {user}"


# --- 5. forget me during a nudge run ------------------------------------------------------


def test_forget_me_after_the_run_read_people_but_before_it_claimed(store, fake_slack, monkeypatch):
    users = _people(store, 20)
    forgotten, kept = users[::2], users[1::2]
    claim_nudges = store.claim_nudges

    def forget_then_claim(*args, **kwargs):  # the run has read everyone; now they say "forget me"
        for user in forgotten:
            store.forget_person(TEAM, user)
        return claim_nudges(*args, **kwargs)

    monkeypatch.setattr(store, "claim_nudges", forget_then_claim)
    summary = _runner(store, fake_slack).run_due(MONDAY_NOON_UTC)
    assert summary.sent == len(kept)
    assert all(_posted_to(fake_slack, user) == [] for user in forgotten)
    _assert_forgotten(store, fake_slack, forgotten)
    assert all(len(_posted_to(fake_slack, user)) == 1 for user in kept)


def test_forget_me_while_the_run_is_sending(store, fake_slack):
    """The first prompt's recipient and half of the others are forgotten while Slack takes
    that first prompt: nobody forgotten gets one, and the one in flight is deleted again."""
    users = _people(store, 12)
    kept = set(users[1::2])
    post = fake_slack._chat_post_message
    forgotten: list[str] = []

    def forget_during_first_post(args):
        answer = post(args)
        if not forgotten:
            forgotten.extend(u for u in users if u not in kept or u == args["channel"])
            for user in forgotten:
                store.forget_person(TEAM, user)
        return answer

    fake_slack.on("chat.postMessage", forget_during_first_post)
    _runner(store, fake_slack, threads=1).run_due(MONDAY_NOON_UTC)
    first = fake_slack.accepted("chat.postMessage")[0].args["channel"]
    assert [c.args["channel"] for c in fake_slack.accepted("chat.postMessage")].count(first) == 1
    assert all(_posted_to(fake_slack, user) == [] for user in forgotten if user != first)
    [deleted] = fake_slack.accepted("chat.delete")
    assert deleted.args["channel"] == "D" + first
    _assert_forgotten(store, fake_slack, forgotten)
    assert all(len(_posted_to(fake_slack, user)) == 1 for user in kept - {first})


def test_forget_me_waits_for_a_claim_in_progress(store, database_url, monkeypatch):
    """The race itself, on PostgreSQL: `forget me` arrives while a claim's transaction has
    found the person and not yet inserted. (SQLite runs write transactions one at a time.)"""
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite serialises write transactions (BEGIN IMMEDIATE): no interleaving to test")
    from sqlalchemy import create_engine, text

    from storage import Store

    [user] = _people(store, 1)
    still_known = Store._still_known
    forget = threading.Thread(target=store.forget_person, args=(TEAM, user))
    observer = create_engine(database_url)

    def known_then_forgotten(session, people):
        known = still_known(session, people)
        forget.start()
        deadline = time.monotonic() + 30
        with observer.connect() as connection:  # until the forget waits on our lock (or is done)
            while (
                forget.is_alive()
                and time.monotonic() < deadline
                and not connection.execute(
                    text(
                        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                        " AND wait_event_type = 'Lock'"
                    )
                ).scalar()
            ):
                time.sleep(0.01)
        return known

    monkeypatch.setattr(Store, "_still_known", staticmethod(known_then_forgotten))
    request = {
        "team_id": TEAM,
        "user_id": user,
        "period": "2026-11",
        "level_id": L3,
        "competency_key": "k",
        "competency_text": "c",
        "section_name": "s",
        "example_text": None,
        "question": "q?",
    }
    store.claim_nudges([request], worker="w", now=MONDAY_NOON_UTC, lease=timedelta(minutes=10))
    forget.join(30)
    observer.dispose()
    assert not forget.is_alive()
    assert store.get_person(TEAM, user) is None and store.recent_nudges(TEAM, user) == []


# --- 6. after forget me: the App Home, and old buttons --------------------------------------


@pytest.mark.e2e
def test_forget_me_refreshes_the_app_home_and_old_buttons_bring_nobody_back(bot, slack, fake_slack):
    import storage
    from tests.fakes.fake_slack import readable_text
    from tests.fakes.slack_requests import buttons
    from tests.test_journey import rows_mentioning, wait_for_message
    from tests.test_slack_app import ask, press

    user = "U700"
    store = storage.Store(bot.database_url)
    store.update_person(TEAM, user, target_level_id=L3, paused_until=MONDAY_NOON_UTC + timedelta(days=3650))
    store.add_reflection(TEAM, user, "Ran the incident review for the DNS outage", source="command")
    store.dispose()
    slack.event({"type": "app_home_opened", "user": user, "channel": "D" + user, "tab": "home"})
    home = fake_slack.wait_for("views.publish")[0].args["view"]
    assert "DNS outage" in readable_text(home)
    resume = buttons(home["blocks"])["Resume prompts"]
    fake_slack.clear()

    confirm = ask(slack, fake_slack, "forget me", user=user)
    press(slack, fake_slack, buttons(confirm.args["blocks"])["Delete everything"], user=user)
    [published] = fake_slack.wait_for("views.publish")
    assert published.args["user_id"] == user
    assert "DNS outage" not in readable_text(published.args["view"])
    assert "Resume prompts" not in buttons(published.args["view"]["blocks"])

    slack.click(resume, user=user, channel="D" + user, ephemeral=False)  # e.g. under the paused notice in their DM
    wait_for_message(fake_slack, user, "I don't keep anything about you")
    assert set(rows_mentioning(bot.database_url, user).values()) == {0}


# --- 7. reflection text never in logs; a failed save is never silent; NUL bytes ------------

_REFUSE_SQLITE = (
    "CREATE TRIGGER IF NOT EXISTS refuse_fail_me BEFORE INSERT ON reflections "
    "WHEN NEW.text LIKE '%FAIL-ME%' BEGIN SELECT RAISE(ABORT, 'refused by a test trigger'); END"
)
# A real constraint on PostgreSQL: its error's DETAIL quotes the whole failing row.
_REFUSE_POSTGRES = ("ALTER TABLE reflections ADD CONSTRAINT refuse_fail_me CHECK (text NOT LIKE '%FAIL-ME%')",)


PRIVATE_WORDS = "FAIL-ME my manager ignored my promotion case"  # a constant: tracebacks quote source lines


def _refuse_reflections(database_url: str) -> None:
    """The database refuses to store any reflection that says FAIL-ME."""
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    with engine.begin() as connection:
        for statement in _REFUSE_POSTGRES if engine.dialect.name == "postgresql" else (_REFUSE_SQLITE,):
            connection.execute(text(statement))
    engine.dispose()


def _accept_reflections(database_url: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url)
    with engine.begin() as connection:
        connection.execute(
            text(
                "ALTER TABLE reflections DROP CONSTRAINT IF EXISTS refuse_fail_me"
                if engine.dialect.name == "postgresql"
                else "DROP TRIGGER IF EXISTS refuse_fail_me"
            )
        )
    engine.dispose()


def test_a_failed_save_logs_no_reflection_text(store, database_url, caplog):
    import logging
    import traceback

    store.update_person(TEAM, "U1")
    _refuse_reflections(database_url)
    try:
        with pytest.raises(Exception) as failure:
            store.add_reflection(TEAM, "U1", PRIVATE_WORDS, source="command")
    finally:
        _accept_reflections(database_url)
    logging.getLogger("test").error("saving failed: %s", failure.value, exc_info=failure.value)
    logged = caplog.text + "".join(traceback.format_exception(failure.value))
    assert "refused by a test trigger" in logged or "refuse_fail_me" in logged  # the cause is there ...
    assert "promotion case" not in logged  # ... the words are not


def test_a_nul_byte_in_a_reflection_is_stored_without_it(store):
    saved = store.add_reflection(TEAM, "U1", "before\x00after", source="command")
    assert saved.text == "beforeafter" and store.reflections_for(TEAM, "U1")[0].text == "beforeafter"
    with pytest.raises(ValueError):
        store.add_reflection(TEAM, "U1", "\x00 \x00", source="command")


@pytest.mark.e2e
def test_a_reflection_that_cannot_be_saved_keeps_the_modal_open_and_says_so(bot, slack, fake_slack):
    import json
    import re

    import storage
    from bot.slack import profile_blocks as pb

    user = "U710"
    store = storage.Store(bot.database_url)
    store.update_person(TEAM, user, target_level_id=L3)
    nudge = store.claim_nudge(
        TEAM,
        user,
        "2026-11",
        worker="t",
        now=MONDAY_NOON_UTC,
        lease=timedelta(minutes=10),
        level_id=L3,
        competency_key="k",
        competency_text="c",
        section_name="s",
        example_text=None,
        question="q?",
    )
    store.dispose()
    modal = pb.reflection_modal(nudge)
    _refuse_reflections(bot.database_url)
    try:
        typed = {"reflection": {"text": {"type": "plain_text_input", "value": PRIVATE_WORDS}}}
        answer = slack.submit_view(modal, typed, user=user)
    finally:
        _accept_reflections(bot.database_url)
    body = json.loads(answer.body)
    assert answer.status == 200 and body["response_action"] == "errors"  # the modal, and the text in it, stay
    assert "I couldn't save this just now" in body["errors"]["reflection"]
    reference = re.search(r"reference (\w+)", body["errors"]["reflection"]).group(1)
    records = re.split(r"\n(?=\d{4}-\d\d-\d\d )", bot.log())  # one log record each, tracebacks included
    [error] = [r for r in records if f"ref {reference}" in r]
    assert " ERROR " in error and "refused by a test trigger" in error
    assert "promotion case" not in "\n".join(r for r in records if " DEBUG " not in r.split("\n", 1)[0])
    store = storage.Store(bot.database_url)
    assert store.reflections_for(TEAM, user) == []
    store.dispose()


# --- 8. private answers go only to the person ----------------------------------------------


@pytest.mark.e2e
def test_a_private_answer_without_a_response_url_never_goes_to_the_channel(bot, slack, fake_slack):
    import storage
    from bot.slack.blocks import ACTION_QUERY

    user, channel = "U720", "C720"
    store = storage.Store(bot.database_url)
    store.add_reflection(TEAM, user, "I mentored the new hire through their first on-call", source="command")
    store.dispose()
    journal_button = {"type": "button", "action_id": f"{ACTION_QUERY}_0", "value": "journal"}
    assert slack.click(journal_button, user=user, channel=channel, ephemeral=False).status == 200  # no response_url
    [answer] = fake_slack.wait_for("chat.postEphemeral")
    assert (answer.args["channel"], answer.args["user"]) == (channel, user)
    assert "mentored the new hire" in answer.text
    assert [c for c in fake_slack.calls("chat.postMessage") if c.args["channel"] == channel] == []


# --- 9. URLs never show their secrets; configuration errors are one line ----------------------

QUERY_SECRET = "Q-SECRET-4711"
USER_SECRET = "U-SECRET-0815"
DOWN_URL = f"postgresql+psycopg://ladderbot:{USER_SECRET}@127.0.0.1:1/ladderbot?sslmode=disable&password={QUERY_SECRET}"


def test_redact_url_hides_the_userinfo_password_and_secret_query_values():
    from bot.logs import redact
    from storage.urls import redact_url

    assert (
        redact_url(DOWN_URL) == "postgresql+psycopg://ladderbot:***@127.0.0.1:1/ladderbot?sslmode=disable&password=***"
    )
    assert redact_url("sqlite:///data/ladderbot.db") == "sqlite:///data/ladderbot.db"
    assert (
        redact_url("postgresql://u:p@ss/w@h/db?sslpassword=x&token=y")
        == "postgresql://u:***@h/db?sslpassword=***&token=***"
    )
    logged = redact(f"could not reach ({DOWN_URL}): refused")
    assert QUERY_SECRET not in logged and USER_SECRET not in logged and logged.endswith("password=***): refused")


@pytest.mark.parametrize("command", [("nudges", "run-due"), ("db", "upgrade"), ("db", "forget", "T0TEST", "U1")])
def test_commands_never_print_a_database_secret_or_a_traceback(fake_slack, command):
    from tests.conftest import bot_env, run_cli

    result = run_cli(bot_env(fake_slack, DOWN_URL), *command)
    output = result.stdout + result.stderr
    assert result.returncode == 1 and "database unavailable" in result.stderr
    assert "password=***" in result.stderr and "Traceback" not in output
    assert QUERY_SECRET not in output and USER_SECRET not in output


def test_a_malformed_database_url_is_one_line_without_echoing_it(fake_slack):
    from tests.conftest import bot_env, run_cli

    result = run_cli(
        bot_env(fake_slack, f"postgresql://u:{USER_SECRET}@db.example:not-a-port/x"), "db", "forget", "T", "U"
    )
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert (
        result.stderr.strip().splitlines() == [result.stderr.strip()]
        and "DATABASE_URL is not a valid URL" in result.stderr
    )
    assert USER_SECRET not in result.stderr


def test_a_wrong_token_is_never_partly_shown():
    from click.testing import CliRunner

    from bot.cli import cli

    result = CliRunner().invoke(cli, ["nudges", "run-due"], env={"SLACK_BOT_TOKEN": "xoxp-7731-personal-token"})
    assert result.exit_code == 2 and "SLACK_BOT_TOKEN must start with 'xoxb-'" in result.output
    assert "xoxp" not in result.output and "7731" not in result.output


@pytest.mark.e2e
def test_startup_with_the_database_down_logs_no_secret(fake_slack, tmp_path):
    from tests.conftest import RunningBot, bot_env

    running = RunningBot(bot_env(fake_slack, DOWN_URL, LOG_LEVEL="INFO"), tmp_path / "bot.log")
    try:
        running.wait_ready()
        log = running.log()
    finally:
        running.stop()
    assert "database unavailable (postgresql+psycopg://ladderbot:***@127.0.0.1:1/ladderbot?" in log
    assert QUERY_SECRET not in log and USER_SECRET not in log


def test_db_forget_refreshes_the_app_home_too(fake_slack, tmp_path):
    import storage
    from tests.conftest import bot_env, run_cli
    from tests.fakes.fake_slack import readable_text

    url = f"sqlite:///{tmp_path / 'ladderbot.db'}"
    storage.upgrade(url)
    store = storage.Store(url)
    store.update_person(TEAM, "U730", target_level_id=L3)
    store.add_reflection(TEAM, "U730", "Ran the incident review for the DNS outage", source="command")
    store.dispose()
    result = run_cli(bot_env(fake_slack, url), "db", "forget", TEAM, "U730")
    assert result.returncode == 0 and "1 reflections" in result.stdout and "App Home is refreshed" in result.stdout
    [published] = fake_slack.calls("views.publish")
    assert published.args["user_id"] == "U730" and "DNS outage" not in readable_text(published.args["view"])


def test_db_forget_deletes_the_copies_shared_with_a_manager(fake_slack, tmp_path):
    import storage
    from tests.conftest import bot_env, run_cli

    url = f"sqlite:///{tmp_path / 'ladderbot.db'}"
    storage.upgrade(url)
    store = storage.Store(url)
    reflection = store.add_reflection(TEAM, "U730", "Ran the incident review", source="command")
    link = store.invite_manager(TEAM, "U730", "U731")
    store.answer_invitation(TEAM, "U731", link.id, accept=True)
    share = store.share_reflection(TEAM, "U730", reflection.id)
    assert share is not None
    store.record_share_copy(share.id, "DU731", ts="1700000000.000100")
    store.dispose()
    result = run_cli(bot_env(fake_slack, url), "db", "forget", TEAM, "U730")
    assert result.returncode == 0 and "1 shares" in result.stdout
    [deleted] = fake_slack.calls("chat.delete")
    assert (deleted.args["channel"], deleted.args["ts"]) == ("DU731", "1700000000.000100")
