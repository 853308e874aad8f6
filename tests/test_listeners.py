"""Each kind of listener, in process, as bolt-python tests itself: signed requests handed to
`app.dispatch`, what the fake Slack receives checked once the work pool is idle."""

from __future__ import annotations

import json

import pytest

from bot.slack import profile_blocks as pb
from tests.fakes.fake_slack import Call, readable_text
from tests.fakes.in_process import InProcessBot
from tests.fakes.slack_requests import TEAM, buttons

ANSWERS = ("chat.postMessage", "chat.postEphemeral", "response_url", "views.publish")


@pytest.fixture
def bot(fake_slack, tmp_path):
    running = InProcessBot(fake_slack, f"sqlite:///{tmp_path / 'ladderbot.db'}")
    yield running
    running.close()


def sent(fake_slack) -> list[Call]:
    """Every answer Slack received, in order."""
    return [c for c in fake_slack.calls() if c.method in ANSWERS]


def only(fake_slack, method: str) -> Call:
    calls = sent(fake_slack)
    assert [c.method for c in calls] == [method], calls
    return calls[0]


# --- one test per kind of listener --------------------------------------------------------


def test_slash_command_answers_through_the_response_url(bot, fake_slack):
    url = fake_slack.new_response_url()
    assert bot.command("L3", response_url=url).status == 200
    bot.wait()
    reply = only(fake_slack, "response_url")
    assert reply.args["response_type"] == "ephemeral" and "L3: Senior Software Engineer" in reply.text


@pytest.mark.parametrize("text", ["help", "nudges", "nudges time never", "me"])
def test_help_usage_and_hints_use_the_command_as_installed(bot, fake_slack, text):
    url = fake_slack.new_response_url()
    assert bot.command(text, response_url=url, command="/ladder-dev").status == 200
    bot.wait()
    answer = only(fake_slack, "response_url").text
    assert "/ladder-dev " in answer
    assert "/ladder " not in answer and "/ladder`" not in answer


def test_mention_is_answered_in_a_thread_under_it(bot, fake_slack):
    assert bot.mention("L3", channel="C7", ts="1700000000.000100").status == 200
    bot.wait()
    reply = only(fake_slack, "chat.postMessage")
    assert (reply.args["channel"], reply.args["thread_ts"]) == ("C7", "1700000000.000100")
    assert "L3: Senior Software Engineer" in reply.text


def test_direct_message_is_answered_in_the_dm(bot, fake_slack):
    assert bot.direct_message("L3", user="U5").status == 200
    bot.wait()
    reply = only(fake_slack, "chat.postMessage")
    assert reply.args["channel"] == "DU5" and not reply.args.get("thread_ts")
    assert "L3: Senior Software Engineer" in reply.text


def test_other_messages_are_acked_and_left_alone(bot, fake_slack):
    edit = {"type": "message", "subtype": "message_changed", "channel_type": "im", "channel": "DU5", "ts": "1.1"}
    assert bot.event(edit).status == 200
    assert (
        bot.event(
            {"type": "message", "channel_type": "channel", "channel": "C1", "user": "U5", "text": "L3", "ts": "1.2"}
        ).status
        == 200
    )
    bot.wait()
    assert sent(fake_slack) == []


def test_app_home_opened_publishes_that_persons_home(bot, fake_slack):
    assert bot.event({"type": "app_home_opened", "user": "U6", "channel": "DU6", "tab": "home"}).status == 200
    bot.wait()
    home = only(fake_slack, "views.publish")
    assert home.args["user_id"] == "U6" and home.args["view"]["type"] == "home"
    assert "Your career ladder" in readable_text(home)


def test_block_action_replaces_the_ephemeral_answer(bot, fake_slack):
    url = fake_slack.new_response_url()
    bot.command("L3", response_url=url)
    bot.wait()
    examples = buttons(only(fake_slack, "response_url").args["blocks"])["Show examples"]
    fake_slack.clear()
    click_url = fake_slack.new_response_url()
    assert bot.click(examples, response_url=click_url).status == 200
    bot.wait()
    reply = only(fake_slack, "response_url")
    assert reply.args["replace_original"] is True and "I led a small improvement project" in reply.text


def test_view_submission_saves_levels_and_refreshes_the_home(bot, fake_slack):
    chosen = {
        "current": {"level": {"selected_option": {"value": "cloud-engineering/l2-cloud-engineer"}}},
        "target": {"level": {"selected_option": {"value": "cloud-engineering/l3-senior-software-engineer"}}},
    }
    assert bot.submit_view({"type": "modal", "callback_id": pb.LEVELS_MODAL}, chosen, user="U8").status == 200
    bot.wait()
    home = only(fake_slack, "views.publish")
    assert home.args["user_id"] == "U8" and "L3: Senior Software Engineer" in readable_text(home)
    person = bot.deps.store.get_person(TEAM, "U8")
    assert person is not None and person.target_level_id == "cloud-engineering/l3-senior-software-engineer"


def test_an_empty_reflection_keeps_the_modal_open_with_a_reason(bot, fake_slack):
    values = {"reflection": {"text": {"value": "   "}}}
    response = bot.submit_view({"type": "modal", "callback_id": pb.REFLECTION_MODAL, "private_metadata": "1"}, values)
    assert response.status == 200
    assert json.loads(response.body) == {
        "response_action": "errors",
        "errors": {"reflection": "Write a few words first."},
    }
    bot.wait()
    assert sent(fake_slack) == []


# --- where replies go -------------------------------------------------------------------


def test_a_private_answer_asked_for_in_a_channel_is_ephemeral_to_the_asker(bot, fake_slack):
    assert bot.mention("me", user="U9", channel="C9", ts="1700000000.000200").status == 200
    bot.wait()
    reply = only(fake_slack, "chat.postEphemeral")
    assert (reply.args["channel"], reply.args["user"], reply.args["thread_ts"]) == ("C9", "U9", "1700000000.000200")
    assert "You haven't set your levels yet" in reply.text


def test_a_private_answer_asked_for_in_the_dm_is_posted_there(bot, fake_slack):
    assert bot.direct_message("me", user="U9").status == 200
    bot.wait()
    reply = only(fake_slack, "chat.postMessage")
    assert reply.args["channel"] == "DU9" and "You haven't set your levels yet" in reply.text


def test_a_private_click_on_a_channel_message_answers_only_the_clicker(bot, fake_slack):
    journal = {
        "type": "button",
        "action_id": pb.FORGET_CANCEL,
        "value": "cancel",
        "text": {"type": "plain_text", "text": "x"},
    }
    url = fake_slack.new_response_url()
    assert bot.click(journal, user="U10", channel="C10", response_url=url, ephemeral=False).status == 200
    bot.wait()
    reply = only(fake_slack, "response_url")
    assert reply.args["response_type"] == "ephemeral" and "Nothing was deleted" in reply.text


def test_a_private_click_without_a_response_url_is_ephemeral_in_the_channel(bot, fake_slack):
    cancel = {
        "type": "button",
        "action_id": pb.FORGET_CANCEL,
        "value": "cancel",
        "text": {"type": "plain_text", "text": "x"},
    }
    assert (
        bot.click(
            cancel,
            user="U10",
            channel="C10",
            response_url="",
            ephemeral=False,
            message={"ts": "5.5", "thread_ts": "5.0"},
        ).status
        == 200
    )
    bot.wait()
    reply = only(fake_slack, "chat.postEphemeral")
    assert (reply.args["channel"], reply.args["user"], reply.args["thread_ts"]) == ("C10", "U10", "5.0")


def test_a_public_click_without_a_response_url_follows_in_the_thread(bot, fake_slack):
    l3 = {"type": "button", "action_id": "ladder_query_0", "value": "L3", "text": {"type": "plain_text", "text": "L3"}}
    assert bot.click(l3, channel="C11", response_url="", ephemeral=False, message={"ts": "6.6"}).status == 200
    bot.wait()
    reply = only(fake_slack, "chat.postMessage")
    assert (reply.args["channel"], reply.args["thread_ts"]) == ("C11", "6.6")


@pytest.mark.parametrize("where", ["command", "mention", "dm"])
def test_an_error_is_told_to_the_person_where_they_asked(bot, fake_slack, monkeypatch, where):
    def broken(text):
        raise RuntimeError("boom")

    monkeypatch.setattr(bot.deps.content.answerer, "parse", broken)
    url = fake_slack.new_response_url()
    if where == "command":
        bot.command("L3", response_url=url)
    elif where == "mention":
        bot.mention("L3", user="U12", channel="C12", ts="7.7")
    else:
        bot.direct_message("L3", user="U12", thread_ts="8.0")
    bot.wait()
    method = {"command": "response_url", "mention": "chat.postEphemeral", "dm": "chat.postMessage"}[where]
    reply = only(fake_slack, method)
    assert "Something went wrong on my side" in reply.text and "boom" not in reply.text
    if where == "mention":
        assert (reply.args["channel"], reply.args["user"], reply.args["thread_ts"]) == ("C12", "U12", "7.7")
    if where == "dm":
        assert (reply.args["channel"], reply.args["thread_ts"]) == ("DU12", "8.0")


def test_a_dm_and_the_app_home_name_the_command_as_the_workspace_installed_it(fake_slack, tmp_path):
    bot = InProcessBot(fake_slack, f"sqlite:///{tmp_path / 'ladderbot.db'}", slash_command="/ladder-dev")
    try:
        assert bot.direct_message("help").status == 200
        bot.event({"type": "app_home_opened", "user": "U1", "tab": "home", "channel": "DU1"})
        bot.wait()
        dm = next(c for c in sent(fake_slack) if c.method == "chat.postMessage")
        home = next(c for c in sent(fake_slack) if c.method == "views.publish")
        for text in (dm.text, readable_text(home.args["view"])):
            assert "/ladder-dev " in text and "/ladder " not in text
    finally:
        bot.close()


def test_the_installed_command_is_a_setting_that_names_a_bad_value():
    from bot.config import ConfigError, load_settings

    assert load_settings({"LADDER_SLASH_COMMAND": "/ladder-dev"}).slash_command == "/ladder-dev"
    assert load_settings({}).slash_command == "/ladder"
    with pytest.raises(ConfigError, match="LADDER_SLASH_COMMAND"):
        load_settings({"LADDER_SLASH_COMMAND": "ladder dev"})
