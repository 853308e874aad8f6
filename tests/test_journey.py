"""A person's whole journey, end to end through HTTP and the command line:
target -> run-due -> DM -> threaded reply -> journal -> export -> forget."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest
from sqlalchemy import create_engine, inspect, text

import storage
from tests.conftest import ROOT, bot_env, run_cli
from tests.fakes.fake_slack import readable_text
from tests.fakes.slack_requests import buttons
from tests.storage_fixtures import PG_ENV, fresh_postgres_database
from tests.test_slack_app import ask, press

pytestmark = pytest.mark.e2e
MONDAY_10_05_LONDON = "2026-11-23T10:05:00+00:00"


def run_due(bot, at: str) -> str:
    result = run_cli(bot.env, "nudges", "run-due", "--at", at)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout.startswith("nudges: ")
    return result.stdout.strip()


def wait_for_message(fake, user: str, text: str, timeout: float = 10):
    """Wait for one message to this person (in their DM) that says `text`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for call in fake.accepted("chat.postMessage"):
            if call.args["channel"] in (user, "D" + user) and text in call.text:
                return call
        time.sleep(0.02)
    raise AssertionError(
        f"no message to {user} saying {text!r}: {[c.text[:80] for c in fake.calls('chat.postMessage')]}"
    )


def prompts_to(fake, user: str) -> list:
    """The prompts one person received (the session's bot has other people too)."""
    return [c for c in fake.accepted("chat.postMessage") if c.args["channel"] == user]


def rows_mentioning(database_url: str, user: str) -> dict[str, int]:
    engine = create_engine(database_url)
    found = {}
    with engine.connect() as connection:
        for table in inspect(engine).get_table_names():
            columns = [c["name"] for c in inspect(engine).get_columns(table)]
            if "user_id" in columns:
                count = connection.execute(
                    text(f"SELECT count(*) FROM {table} WHERE user_id = :u"), {"u": user}
                ).scalar()
                found[table] = count
    engine.dispose()
    return found


def test_target_prompt_reflect_journal_export_forget(bot, slack, fake_slack):
    user = "U500"
    assert "Your current level is now L2: Cloud Engineer" in ask(slack, fake_slack, "level L2 cloud", user=user).text
    reply = ask(slack, fake_slack, "target L3 cloud", user=user).text
    assert "Your target is now L3: Senior Software Engineer (Cloud Engineering)" in reply
    assert "1 level(s) up; 15 new competencies, 4 that grow in degree" in reply
    profile = ask(slack, fake_slack, "me", user=user).text
    assert "Next prompt:" in profile and "monthly, 10:00 on weekdays" in profile

    run_due(bot, "2026-11-23T09:55:00+00:00")
    assert prompts_to(fake_slack, user) == []  # 09:55 in London: not yet
    run_due(bot, MONDAY_10_05_LONDON)
    run_due(bot, "2026-11-23T11:00:00+00:00")  # never twice in a period
    [prompt] = prompts_to(fake_slack, user)
    assert "A growth prompt for L3: Senior Software Engineer" in prompt.text

    slack.direct_message("I paired with Sam on the Terraform modules", user=user, thread_ts=prompt.response["ts"])
    thanks = wait_for_message(fake_slack, user, "saved to your private journal")
    assert thanks.args["thread_ts"] == prompt.response["ts"] and "saved to your private journal" in thanks.text

    journal = ask(slack, fake_slack, "journal", user=user)
    assert journal.args["response_type"] == "ephemeral"
    assert "I paired with Sam on the Terraform modules" in journal.text
    assert "I paired with Sam" not in ask(slack, fake_slack, "journal", user="U501").text  # another person

    assert "sent your journal (1 reflections)" in ask(slack, fake_slack, "export", user=user).text
    [(filename, content)] = fake_slack.uploaded_files()
    markdown = content.decode()
    assert filename.startswith("ladder-journal-") and filename.endswith(".md")
    assert markdown.startswith("# My reflection journal for L3: Senior Software Engineer")
    competency = markdown.split("\n## ", 1)[1].split("\n", 1)[0]
    assert competency in prompt.text and "> I paired with Sam on the Terraform modules" in markdown
    upload = fake_slack.calls("files.completeUploadExternal")[0]
    assert upload.args["channel_id"] == "D" + user  # to their own DM, nowhere else

    confirm = ask(slack, fake_slack, "forget me", user=user)
    assert "deletes everything I keep about you" in confirm.text
    assert (
        "Nothing about you is left"
        in press(slack, fake_slack, buttons(confirm.args["blocks"])["Delete everything"], user=user).text
    )
    assert set(rows_mentioning(bot.database_url, user).values()) == {0}
    assert "Your journal is empty" in ask(slack, fake_slack, "journal", user=user).text


def test_reflection_through_the_modal_and_prompt_buttons(bot, slack, fake_slack):
    user = "U600"
    ask(slack, fake_slack, "target L4 architect", user=user)
    run_due(bot, MONDAY_10_05_LONDON)
    [prompt] = prompts_to(fake_slack, user)
    found = buttons(prompt.args["blocks"])

    slack.click(found["Write a reflection"], user=user, ephemeral=False, channel="D" + user)
    modal = fake_slack.wait_for("views.open")[0].args["view"]
    assert modal["callback_id"] == "me_reflection_modal"
    empty = slack.submit_view(modal, {"reflection": {"text": {"type": "plain_text_input", "value": "  "}}}, user=user)
    assert '"response_action": "errors"' in empty.body or '"response_action":"errors"' in empty.body
    stolen = slack.submit_view(
        modal, {"reflection": {"text": {"type": "plain_text_input", "value": "mine now"}}}, user="U601"
    )
    assert "isn't yours" in stolen.body
    ok = slack.submit_view(
        modal, {"reflection": {"text": {"type": "plain_text_input", "value": "Wrote the ADR"}}}, user=user
    )
    assert ok.status == 200 and "errors" not in ok.body
    wait_for_message(fake_slack, user, "your reflection is saved")
    assert "Wrote the ADR" in ask(slack, fake_slack, "journal", user=user).text
    assert "Wrote the ADR" not in ask(slack, fake_slack, "journal", user="U601").text

    assert "isn't yours" in press(slack, fake_slack, found["Skip this one"], user="U601").text  # someone else's prompt
    assert "You've already answered this prompt" in press(slack, fake_slack, found["Snooze a week"], user=user).text
    assert "Paused until" not in ask(slack, fake_slack, "me", user=user).text
    assert "no more growth prompts" in press(slack, fake_slack, found["Stop these"], user=user).text
    assert "Prompts:* off" in ask(slack, fake_slack, "me", user=user).text


def test_snooze_pauses_and_says_when(bot, slack, fake_slack):
    user = "U650"
    ask(slack, fake_slack, "target L2 cloud", user=user)
    run_due(bot, MONDAY_10_05_LONDON)
    [prompt] = prompts_to(fake_slack, user)
    assert (
        "then this one comes back first"
        in press(slack, fake_slack, buttons(prompt.args["blocks"])["Snooze a week"], user=user).text
    )
    assert "Paused until" in ask(slack, fake_slack, "me", user=user).text


def test_settings_commands_answer_clearly(slack, fake_slack):
    user = "U700"
    assert "Growth prompts are now *weekly*" in ask(slack, fake_slack, "nudges weekly", user=user).text
    assert "09:30" in ask(slack, fake_slack, "nudges time 09:30 mon-fri", user=user).text
    assert "Choose how often" in ask(slack, fake_slack, "nudges daily", user=user).text
    assert "Paused for 14 days" in ask(slack, fake_slack, "pause 2w", user=user).text
    assert "Prompts resumed" in ask(slack, fake_slack, "resume", user=user).text
    picker = ask(slack, fake_slack, "target L4", user=user)
    assert "Which level do you mean" in picker.text
    assert (
        "Your target is now L4: Cloud Architect"
        in press(
            slack, fake_slack, buttons(picker.args["blocks"])["L4: Cloud Architect (Cloud Engineering)"], user=user
        ).text
    )


def test_profile_asked_in_a_channel_is_shown_only_to_the_asker(bot, slack, fake_slack):
    ask(slack, fake_slack, "target L3", user="U800")
    slack.mention("me", user="U800", channel="C800", event_id="EvPROFILE800")
    private = fake_slack.wait_for("chat.postEphemeral")[0]
    assert private.args["user"] == "U800" and "Target level" in private.text
    bot.wait_for_log("app_mention EvPROFILE800 done")
    assert not [c for c in fake_slack.calls("chat.postMessage") if c.args.get("channel") == "C800"]


@pytest.mark.postgres
@pytest.mark.skipif(not os.environ.get(PG_ENV), reason=f"needs {PG_ENV}")
def test_two_clock_processes_on_postgresql_send_each_prompt_once(fake_slack, tmp_path):
    with fresh_postgres_database("ladderbot_clock") as url:
        storage.upgrade(url)
        store = storage.Store(url)
        for i in range(40):
            store.update_person("T0TEST", f"U9{i:03d}", target_level_id="cloud-engineering/l3-senior-software-engineer")
        store.dispose()
        env = bot_env(fake_slack, url)
        command = [sys.executable, "-m", "bot", "nudges", "run-due", "--at", MONDAY_10_05_LONDON]
        processes = [
            subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(2)
        ]
        outputs = [p.communicate(timeout=120) for p in processes]
        assert all(p.returncode == 0 for p in processes), outputs
        sent = [int(out.split("nudges: ")[1].split(" sent")[0]) for out, _ in outputs]
        assert sum(sent) == 40, outputs
        channels = [c.args["channel"] for c in fake_slack.accepted("chat.postMessage")]
        assert sorted(channels) == sorted(f"U9{i:03d}" for i in range(40))


def test_the_clock_process_sends_due_prompts_as_it_starts(fake_slack, tmp_path):
    url = f"sqlite:///{tmp_path / 'clock.db'}"
    storage.upgrade(url)
    store = storage.Store(url)
    store.update_person(
        "T0TEST",
        "U990",
        target_level_id="cloud-engineering/l3-senior-software-engineer",
        local_time="00:00",
        weekdays="mon,tue,wed,thu,fri,sat,sun",
    )  # due whenever the test runs
    store.dispose()
    clock = subprocess.Popen(
        [sys.executable, "-m", "bot", "clock"],
        env=bot_env(fake_slack, url),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        prompt = fake_slack.wait_for("chat.postMessage", timeout=30)[0]
        assert prompt.args["channel"] == "U990" and "A growth prompt" in prompt.text
    finally:
        clock.terminate()
        output = clock.communicate(timeout=15)[0]
    assert "clock: running due nudges every 5 minutes" in output and "Traceback" not in output


def test_what_slack_encodes_is_stored_and_shown_as_the_person_wrote_it(bot, slack, fake_slack):
    user = "U660"
    ask(slack, fake_slack, "target L2 support", user=user)
    run_due(bot, MONDAY_10_05_LONDON)
    [prompt] = prompts_to(fake_slack, user)
    # Slack sends "R&D <3 https://x.io" like this:
    slack.direct_message("R&amp;D &lt;3 <https://x.io|our wiki>", user=user, thread_ts=prompt.response["ts"])
    wait_for_message(fake_slack, user, "saved to your private journal")
    journal = ask(slack, fake_slack, "journal", user=user)
    assert "R&amp;D &lt;3 our wiki (https://x.io)" in journal.text  # escaped once, for mrkdwn
    ask(slack, fake_slack, "export", user=user)
    markdown = fake_slack.uploaded_files()[-1][1].decode()
    assert "> R&D <3 our wiki (https://x.io)" in markdown  # the file has what they wrote


def test_app_home_shows_my_levels_gap_and_reflections_to_me_only(bot, slack, fake_slack):
    user = "U880"
    ask(slack, fake_slack, "level L2 cloud", user=user)
    ask(slack, fake_slack, "target L3 cloud", user=user)
    store = storage.Store(bot.database_url)
    store.add_reflection("T0TEST", user, "Ran the incident review for the DNS outage", source="command")
    store.dispose()
    slack.event({"type": "app_home_opened", "user": user, "channel": "D" + user, "tab": "home"})
    mine = fake_slack.wait_for("views.publish")[0]
    text = readable_text(mine.args["view"])
    assert mine.args["user_id"] == user
    for expected in (
        "Current level:* L2: Cloud Engineer",
        "Target level:* L3: Senior Software Engineer",
        "15 new competencies",
        "Next prompt:",
        "Ran the incident review for the DNS outage",
    ):
        assert expected in text, expected
    assert {"Set my levels", "Export my journal"} <= set(buttons(mine.args["view"]["blocks"]))
    fake_slack.clear()
    slack.event({"type": "app_home_opened", "user": "U881", "channel": "DU881", "tab": "home"})
    theirs = readable_text(fake_slack.wait_for("views.publish")[0].args["view"])
    assert "DNS outage" not in theirs and "You haven't set your levels yet" in theirs


def test_choosing_a_cadence_on_app_home_turns_prompts_on_afresh(bot, slack, fake_slack):
    user = "U890"
    store = storage.Store(bot.database_url)
    store.update_person(
        "T0TEST", user, target_level_id="cloud-engineering/l3-senior-software-engineer", cadence="off", ignored_streak=2
    )
    menu = {"type": "static_select", "action_id": "me_cadence", "selected_option": {"value": "weekly"}}
    assert slack.click(menu, user=user, response_url=fake_slack.new_response_url()).status == 200
    deadline = time.monotonic() + 10
    while store.get_person("T0TEST", user).cadence != "weekly" and time.monotonic() < deadline:
        time.sleep(0.05)
    person = store.get_person("T0TEST", user)
    store.dispose()
    assert (person.cadence, person.ignored_streak) == ("weekly", 0)
