"""Delivery: the send pace recovers after 429s, notices are not lost, answers are not
posted twice, and shared text carries no one's markdown or pings."""

from __future__ import annotations

import re

import pytest

from bot.slackkit.pacing import Pacer
from tests.test_slack_app import mrkdwn_texts

# --- the pacer ------------------------------------------------------------------------------


class FakeTime:
    """A clock that moves only when someone sleeps or time is passed on purpose."""

    def __init__(self) -> None:
        self.now = 0.0

    def sleep(self, seconds: float) -> None:
        self.now += seconds

    def pacer(self) -> Pacer:
        return Pacer(clock=lambda: self.now, sleep=self.sleep)


def _send(pacer: Pacer, time: FakeTime, count: int, every: float = 0.0) -> float:
    """`count` sends Slack accepts, as fast as the pacer lets them go; the seconds they took."""
    started = time.now
    for _ in range(count):
        pacer.wait()
        pacer.accepted()
        time.now += every
    return time.now - started


def _learn_100_a_second(pacer: Pacer, time: FakeTime) -> float:
    _send(pacer, time, 100, every=0.01)  # unpaced until Slack first says 429
    pacer.limited(retry_after=1.0)
    return pacer.rate


def test_sporadic_429s_lower_the_pace_a_little_and_a_quiet_period_gives_it_back():
    time = FakeTime()
    pacer = time.pacer()
    learned = _learn_100_a_second(pacer, time)
    assert learned == pytest.approx(97, rel=0.02)
    for _ in range(5):  # a 429 now and then, each soon after the last pause
        _send(pacer, time, 5)
        pacer.limited(retry_after=1.0)
    slowed = pacer.rate
    assert learned * 0.8 < slowed < learned  # a little slower, not a crawl (it used to fall to ~5/s)
    _send(pacer, time, 50)
    assert pacer.rate == pytest.approx(learned)  # a quiet half second later, back to the learned pace
    assert _send(pacer, time, 200) == pytest.approx(200 / learned, rel=0.01)  # and sends go out at it
    time.now += 60
    assert pacer.rate == pytest.approx(learned)  # never above the pace Slack has taken: no probing the limit


def test_a_429_among_the_first_sends_is_not_taken_for_the_limit():
    time = FakeTime()
    pacer = time.pacer()
    _send(pacer, time, 3, every=0.001)
    pacer.limited(retry_after=1.0)  # three sends in 3 ms say nothing about what Slack takes
    assert pacer.rate is None  # (it used to set the pace to 3 a second, for good)
    assert _send(pacer, time, 100) == pytest.approx(1.0)  # waits out the Retry-After, then unpaced


def test_a_429_while_the_senders_were_slow_is_not_taken_for_the_limit():
    time = FakeTime()
    pacer = time.pacer()
    learned = _learn_100_a_second(pacer, time)
    time.now += 1.0  # the Retry-After
    _send(pacer, time, 6, every=1 / 6)  # a second in which the senders waited on the database
    pacer.limited(retry_after=1.0)  # and a sporadic 429
    assert pacer.rate == pytest.approx(learned * 0.97, rel=0.01)  # not 6 a second (it used to be, for good)
    time.now += 2.0
    assert pacer.rate == pytest.approx(learned)


def test_429s_of_sends_already_in_flight_slow_the_pace_once():
    time = FakeTime()
    pacer = time.pacer()
    learned = _learn_100_a_second(pacer, time)
    time.now += 1.0
    _send(pacer, time, 10)
    for _ in range(4):  # four threads' sends, all answered 429 by the same limit
        pacer.limited(retry_after=1.0)
    assert pacer.rate == pytest.approx(learned * 0.97, rel=0.01)


# --- the fake Slack's switches used here ----------------------------------------------------


def test_fake_slack_can_keep_a_message_and_still_answer_500(fake_slack):
    from slack_sdk import WebClient
    from slack_sdk.errors import SlackApiError

    client = WebClient(base_url=fake_slack.api_url, token="xoxb-test")
    fake_slack.fail_next("chat.postMessage", status=500, keep=True)
    with pytest.raises(SlackApiError):
        client.chat_postMessage(channel="C1", text="hello")
    assert [m["text"] for m in fake_slack.messages("C1")] == ["hello"]


def test_fake_slack_random_429s_are_seeded():
    from slack_sdk import WebClient
    from slack_sdk.errors import SlackApiError

    from tests.fakes.fake_slack import FakeSlack

    def statuses(seed):
        with FakeSlack() as fake:
            fake.random_429s("chat.postMessage", 0.3, seed=seed)
            client = WebClient(base_url=fake.api_url, token="xoxb-test")
            for i in range(40):
                try:
                    client.chat_postMessage(channel="C1", text=str(i))
                except SlackApiError:
                    pass
            return [(c.status, c.retry_after) for c in fake.calls("chat.postMessage")]

    first = statuses(7)
    assert first == statuses(7) and 5 < sum(1 for s, _ in first if s == 429) < 20
    assert all(after == 1.0 for s, after in first if s == 429)


# --- answers to mentions and direct messages ----------------------------------------------


def _wait_until(condition, what: str, timeout: float = 15) -> None:
    import time

    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def _answers(fake, channel: str) -> list[dict]:
    """What the channel shows (each test has its own channel; the fake stores only the bot's posts)."""
    return fake.messages(channel)


@pytest.mark.e2e
@pytest.mark.parametrize("where", ["mention", "direct message"])
def test_an_answer_slack_kept_but_answered_500_is_not_posted_twice(bot, slack, fake_slack, where):
    ts = "1700000123.000100"
    fake_slack.fail_next("chat.postMessage", status=500, keep=True)
    if where == "mention":
        channel = "C12"
        slack.mention("L3 senior software", channel=channel, ts=ts)
    else:
        channel = "DU12"
        slack.event(
            {
                "type": "message",
                "channel_type": "im",
                "channel": channel,
                "user": "U12",
                "text": "L3 senior software",
                "ts": ts,
            }
        )
    found = f"answer to {channel}/{ts} part 1 was already delivered; not posting it again"
    _wait_until(lambda: found in bot.log() or len(_answers(fake_slack, channel)) > 1, "the retry's decision")
    [answer] = _answers(fake_slack, channel)  # once, not twice
    assert "L3: Senior Software Engineer" in answer["text"]
    assert [c.status for c in fake_slack.calls("chat.postMessage")] == [500]


@pytest.mark.e2e
def test_an_answer_refused_with_500_is_posted_once_on_retry(bot, slack, fake_slack):
    fake_slack.fail_next("chat.postMessage", status=500)  # refused: nothing kept
    slack.mention("L3 senior software", channel="C13", ts="1700000124.000100")
    fake_slack.wait_for("chat.postMessage", count=2, timeout=15)
    [answer] = _answers(fake_slack, "C13")
    assert answer["thread_ts"] == "1700000124.000100" and "L3: Senior Software Engineer" in answer["text"]
    assert fake_slack.calls("conversations.replies")  # looked before posting again


# --- text shared in a channel ---------------------------------------------------------------


def _responses(fake, url: str, count: int) -> list:
    path = url.split("127.0.0.1", 1)[1].split("/", 1)[1]
    posts = lambda: [c for c in fake.calls("response_url") if c.path.endswith(path)]  # noqa: E731
    _wait_until(lambda: len(posts()) >= count, f"{count} posts to {url}")
    return posts()


TYPED = "*mentoring* _growth_ `code` ~strike~ <http://evil.example|click here> <!channel> <!here> <@U123> @here"


@pytest.mark.e2e
def test_a_shared_answer_shows_the_query_as_typed_without_its_markdown_or_pings(slack, fake_slack):
    from tests.fakes.slack_requests import buttons

    url = fake_slack.new_response_url()
    slack.command(TYPED, response_url=url, user="U21")
    [reply] = _responses(fake_slack, url, 1)
    share = fake_slack.new_response_url()
    slack.click(buttons(reply.args["blocks"])["Share in channel"], response_url=share, user="U21")
    shared = next(p for p in _responses(fake_slack, share, 2) if p.args.get("response_type") == "in_channel")
    texts = mrkdwn_texts(shared.args)
    assert "Competencies about “∗mentoring∗ ˍgrowthˍ ˋcodeˋ ∼strike∼" in shared.args["text"]  # readable, not formatted
    for marked in ("*mentoring*", "_growth_", "`code`", "~strike~", "<http", "<!channel>", "<!here>", "<@U123>"):
        assert not any(marked in t for t in texts), marked
    assert not any("@here" in t for t in texts)  # a word joiner: never a broadcast, even where clients link it
    assert [t for t in texts if "<@" in t] == ["Shared by <@U21>"]  # the only mention is ours, of the sharer
    assert not shared.args.get("link_names") and shared.args.get("parse") != "full"
    assert any(re.search(r"\n_L\d: [^_]+ · [^_]+_$", t) for t in texts)  # the ladder's own formatting stays


@pytest.mark.e2e
def test_an_answer_whose_fate_cannot_be_checked_is_not_resent_blind(bot, slack, fake_slack):
    fake_slack.fail_next("chat.postMessage", status=500)
    fake_slack.fail_next("conversations.replies", error="missing_scope")  # an install without channels:history
    slack.mention("L3 senior software", user="U14", channel="C14", ts="1700000125.000100")
    [told] = fake_slack.wait_for("chat.postEphemeral", timeout=15)
    assert told.args["user"] == "U14" and "Slack didn't accept my answer just now" in told.text
    assert _answers(fake_slack, "C14") == [] and len(fake_slack.calls("chat.postMessage")) == 1
