"""End to end: ladderbot in HTTP mode, signed requests in, what Slack receives out."""

from __future__ import annotations

import json
import time
import urllib.request

import pytest

from tests.conftest import RunningBot, bot_env
from tests.fakes.fake_slack import readable_text
from tests.fakes.slack_requests import BOT_TOKEN, SIGNING_SECRET, buttons

pytestmark = pytest.mark.e2e


def responses(fake, url: str, count: int = 1):
    """What was posted to one response_url (a slash command's or a button's)."""
    path = url.split("127.0.0.1", 1)[1].split("/", 1)[1]
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        found = [c for c in fake.calls("response_url") if c.path.endswith(path)]
        if len(found) >= count:
            return found
        time.sleep(0.02)
    raise AssertionError(f"expected {count} posts to {url}, got {fake.calls('response_url')}")


def ask(slack, fake, text: str, user: str = "U1"):
    url = fake.new_response_url()
    assert slack.command(text, response_url=url, user=user).status == 200
    return responses(fake, url)[0]


def press(slack, fake, button: dict, **kwargs):
    """Click a button as a person would, and return the first answer to it."""
    url = fake.new_response_url()
    assert slack.click(button, response_url=url, **kwargs).status == 200
    return responses(fake, url)[0]


def within_limits(call) -> None:
    blocks = call.args.get("blocks") or []
    assert len(blocks) <= 50
    for block in blocks:
        if block["type"] == "header":
            assert len(block["text"]["text"]) <= 150
        if block.get("text"):
            assert len(block["text"]["text"]) <= 3000


def test_health_check(bot):
    with urllib.request.urlopen(bot.url + "/healthz") as response:
        assert response.status == 200 and json.loads(response.read())["levels"] == 5


def test_help_lists_what_it_can_do(slack, fake_slack):
    for text in ("", "help"):
        reply = ask(slack, fake_slack, text)
        assert reply.args["response_type"] == "ephemeral"
        assert "/ladder what separates L2 from L3?" in reply.text
        assert "/ladder target L3 cloud" in reply.text


def test_lookup_is_readable_block_kit_with_follow_ups(slack, fake_slack):
    reply = ask(slack, fake_slack, "L3 senior software")
    within_limits(reply)
    assert reply.args["response_type"] == "ephemeral"
    text = reply.text
    assert "L3: Senior Software Engineer" in text
    assert "I am a highly sought-after member of an Octopus team" in text
    assert "Planning horizon: Current and next cycle" in text
    assert "🦉 Domain expertise" in text and "• I can design and implement infrastructure as code." in text
    assert "I led a small improvement project" not in text  # examples wait behind a button
    found = buttons(reply.args["blocks"])
    assert {
        "Show examples",
        "Compare with Cloud Architect",
        "Compare with Lead Cloud Engineer",
        "Compare with previous level",
        "Share in channel",
        "Source document",
    } <= set(found)
    assert found["Source document"]["url"].endswith("/cloud-engineering/L3-senior-software-engineer.md")


def test_show_examples_replaces_the_answer(slack, fake_slack):
    reply = ask(slack, fake_slack, "L3")
    updated = press(slack, fake_slack, buttons(reply.args["blocks"])["Show examples"])
    assert updated.args["replace_original"] is True
    assert "I led a small improvement project for Octopus Cloud" in updated.text


def test_compare_with_previous_level_shows_the_real_difference(slack, fake_slack):
    reply = ask(slack, fake_slack, "L3")
    text = press(slack, fake_slack, buttons(reply.args["blocks"])["Compare with previous level"]).text
    assert "L2: Cloud Engineer → L3: Senior Software Engineer" in text
    assert "I am ~becoming~ proficient with virtualization" in text
    assert "Impact radius*: Self plus some team members → Peers (2-5)" in text


def test_compare_question_answers_section_by_section(slack, fake_slack):
    reply = ask(slack, fake_slack, "what separates L2 from L3?")
    within_limits(reply)
    text = reply.text
    for section in (
        "🦉 Domain expertise",
        "🌱 Teaching and Mentoring",
        "🧭 Culture and Leadership",
        "🏆 Customer Success",
    ):
        assert section in text
    assert "New at L3" in text and "Changes in degree" in text and "Not repeated at L3" in text


def test_share_in_channel_posts_for_everyone_and_removes_the_private_copy(slack, fake_slack):
    reply = ask(slack, fake_slack, "cloud architect", user="U2")
    url = fake_slack.new_response_url()
    slack.click(buttons(reply.args["blocks"])["Share in channel"], response_url=url, user="U2")
    posts = responses(fake_slack, url, count=2)
    shared = next(p for p in posts if p.args.get("response_type") == "in_channel")
    assert "L4: Cloud Architect" in shared.text and "Shared by <@U2>" in shared.text
    assert "Share in channel" not in shared.text
    assert any(p.args.get("delete_original") for p in posts)


def test_ambiguous_query_offers_buttons_that_answer(slack, fake_slack):
    reply = ask(slack, fake_slack, "L4")
    assert "Several levels match" in reply.text
    options = buttons(reply.args["blocks"])
    assert set(options) == {"L4: Cloud Architect (Cloud Engineering)", "L4: Lead Cloud Engineer (Cloud Engineering)"}
    assert (
        "I coordinate projects that require input from multiple teams"
        in press(slack, fake_slack, options["L4: Lead Cloud Engineer (Cloud Engineering)"]).text
    )


def test_unknown_level_says_so_and_suggests(slack, fake_slack):
    text = ask(slack, fake_slack, "L9 wizard").text
    assert "I couldn't find a level called “L9 wizard”" in text
    assert "Nearest levels" in text


def test_search_finds_mentoring(slack, fake_slack):
    text = ask(slack, fake_slack, "how do I get better at mentoring?").text
    assert "Competencies about “how do I get better at mentoring”" in text
    assert "I train and mentor others on virtualization and effective use of containers." in text


def test_mention_answers_in_a_thread(slack, fake_slack):
    slack.mention("what separates L2 from L3?", channel="C42", ts="1700000000.000100")
    posted = fake_slack.wait_for("chat.postMessage")[0]
    assert posted.args["channel"] == "C42" and posted.args["thread_ts"] == "1700000000.000100"
    assert "L2: Cloud Engineer → L3: Senior Software Engineer" in posted.text
    within_limits(posted)


def test_natural_phrasing_in_a_direct_message(slack, fake_slack):
    slack.direct_message("show me L4 cloud architect", user="U7")
    posted = fake_slack.wait_for("chat.postMessage")[0]
    assert posted.args["channel"] == "DU7" and not posted.args.get("thread_ts")
    assert "L4: Cloud Architect" in posted.text


def mrkdwn_texts(args: dict) -> list[str]:
    """Every string Slack parses for mentions: the message text and mrkdwn text objects
    (plain_text, as in headers and buttons, is shown as typed and never pings)."""
    found = [args.get("text") or ""]

    def walk(node):
        if isinstance(node, dict):
            if node.get("type") == "mrkdwn":
                found.append(node.get("text", ""))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(args.get("blocks") or [])
    return found


def test_user_text_never_pings_the_channel(slack, fake_slack):
    reply = ask(slack, fake_slack, "<!channel> <@U123> & <https://evil|click>")
    assert not any("<!" in t or "<@" in t or "<https://evil" in t for t in mrkdwn_texts(reply.args))
    assert any("channel" in t for t in mrkdwn_texts(reply.args))  # shown as typed, pinging nobody
    slack.mention("how do I <!here> mentor", channel="C5")
    posted = fake_slack.wait_for("chat.postMessage")[0]
    assert not any("<!" in t for t in mrkdwn_texts(posted.args))
    assert any("here" in t for t in mrkdwn_texts(posted.args))
    assert not posted.args.get("link_names") and posted.args.get("parse") != "full"


def test_slack_retries_of_an_event_are_answered_once(bot, slack, fake_slack):
    event = {
        "type": "app_mention",
        "user": "U3",
        "text": "<@U0BOT> L2 support",
        "channel": "C3",
        "ts": "1700000001.000200",
    }
    slack.event(event, event_id="EvRETRY0001")
    fake_slack.wait_for("chat.postMessage")
    for attempt in (1, 2, 3):
        assert (
            slack.event(
                event,
                event_id="EvRETRY0001",
                headers={"X-Slack-Retry-Num": str(attempt), "X-Slack-Retry-Reason": "http_timeout"},
            ).status
            == 200
        )
    slack.mention("L2 support", channel="C3", event_id="EvOTHER0001")  # a different event still gets its answer
    bot.wait_for_log("event EvRETRY0001 already handled", count=3)
    bot.wait_for_log("app_mention EvOTHER0001 done")
    assert len(fake_slack.wait_for("chat.postMessage", count=2)) == 2


def test_retries_are_deduplicated_across_processes(bot, fake_slack, tmp_path):
    """A second web process on the same database knows the event was handled."""
    folder = tmp_path
    url = f"sqlite:///{folder / 'shared.db'}"
    first = RunningBot(bot_env(fake_slack, url), folder / "first.log")
    first.wait_ready()
    event = {"type": "app_mention", "user": "U4", "text": "<@U0BOT> L3", "channel": "C4", "ts": "1700000002.000300"}
    try:
        first.slack.event(event, event_id="EvRESTART001")
        fake_slack.wait_for("chat.postMessage")
    finally:
        first.stop()
    second = RunningBot(bot_env(fake_slack, url), folder / "second.log")
    try:
        second.wait_ready()
        assert second.slack.event(event, event_id="EvRESTART001", headers={"X-Slack-Retry-Num": "1"}).status == 200
        second.slack.mention("L2 support", channel="C4")
        fake_slack.wait_for("chat.postMessage", count=2)
        second.wait_for_log("event EvRESTART001 already handled")
        assert [c.args["channel"] for c in fake_slack.calls("chat.postMessage")].count("C4") == 2
    finally:
        second.stop()


@pytest.mark.parametrize("forgery", ["bad signature", "old timestamp", "no signature"])
def test_forged_or_stale_requests_are_refused(slack, fake_slack, forgery):
    url = fake_slack.new_response_url()
    if forgery == "bad signature":
        result = slack.command("L3", response_url=url, signature="v0=" + "0" * 64)
    elif forgery == "old timestamp":
        result = slack.command("L3", response_url=url, timestamp=int(time.time()) - 6 * 60)
    else:
        result = slack.command("L3", response_url=url, signature="")
    assert result.status == 401  # refused before any work was queued: nothing can follow
    assert fake_slack.calls("response_url") == []


def test_the_ack_does_not_wait_for_slow_work(slack, fake_slack):
    fake_slack.hang_next("response_url", 4)
    url = fake_slack.new_response_url()
    started = time.monotonic()
    assert slack.command("L3", response_url=url).status == 200
    assert time.monotonic() - started < 2.5, "the command was not acknowledged before the answer was sent"
    responses(fake_slack, url)


def test_a_slack_error_reaches_the_person_with_a_reference(bot, slack, fake_slack):
    fake_slack.fail_next("chat.postMessage", status=500, times=3)
    slack.mention("L3", user="U9", channel="C9")
    warning = fake_slack.wait_for("chat.postEphemeral", timeout=15)[0]
    assert warning.args["user"] == "U9" and warning.args["channel"] == "C9"
    assert "Slack didn't accept my answer just now" in warning.text
    reference = warning.text.split("reference `")[1].split("`")[0]
    deadline = time.monotonic() + 5
    while f"ref {reference}" not in bot.log() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert f"ref {reference}" in bot.log() and "Traceback" in bot.log()
    assert "Traceback" not in warning.text


def test_tokens_and_secrets_never_reach_the_log(bot, slack, fake_slack):
    ask(slack, fake_slack, "L3")
    slack.mention("L2 support", channel="C11")
    fake_slack.wait_for("chat.postMessage")
    log = bot.log()
    assert "chat.postMessage" in log or "chat_postMessage" in log or "Sending a request" in log  # DEBUG is on
    assert BOT_TOKEN not in log and BOT_TOKEN.split("-", 1)[1] not in log
    assert SIGNING_SECRET not in log


def test_app_home_shows_the_ladder(slack, fake_slack):
    slack.event({"type": "app_home_opened", "user": "U12", "channel": "DU12", "tab": "home"})
    view = fake_slack.wait_for("views.publish")[0]
    assert view.args["user_id"] == "U12"
    text = readable_text(view.args["view"])
    assert "Your career ladder" in text and "Cloud Engineering" in text and "L4: Cloud Architect" in text
