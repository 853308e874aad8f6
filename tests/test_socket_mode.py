"""Socket Mode, in process and end to end: envelopes in over a WebSocket, acks back with their
envelope_id, answers out to the fake Slack; and a connection the network silently drops is
replaced within 15 seconds."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from bot.config import ConfigError, load_settings
from bot.slack.app import create_app
from bot.slack.deps import build_deps
from bot.slack.socket_mode import socket_mode_handler
from tests.conftest import ROOT, bot_env
from tests.fakes.fake_slack import RESPONSE_URL, Call, FakeSlack
from tests.fakes.fake_socket_mode import FakeSocketMode
from tests.fakes.slack_requests import BOT_TOKEN, TEAM, buttons

APP_TOKEN = "xapp-1-A0TEST-1234567890-0123456789abcdef"
RECOVERY_BOUND = 15.0  # seconds, what the reliability issue asks for


@dataclass
class SocketModeBot:
    """`ladderbot serve` (Socket Mode) in a subprocess, with its fake Slack and Socket Mode server."""

    process: subprocess.Popen
    log_path: Path
    slack: FakeSlack
    socket_mode: FakeSocketMode

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_connected(self, count: int = 1, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while len(self.socket_mode.sessions) < count:
            if self.process.poll() is not None:
                raise AssertionError(f"ladderbot exited with {self.process.returncode}:\n{self.log()}")
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"ladderbot opened {len(self.socket_mode.sessions)} of {count} "
                    f"Socket Mode connection(s) in {timeout}s:\n{self.log()}"
                )
            try:
                self.socket_mode.wait_connected(count, timeout=0.5)
            except AssertionError:
                pass  # not yet: check the process is still alive, then wait on


def connected_to(fake: FakeSlack, socket_mode: FakeSocketMode) -> None:
    """The fake Web API hands out the fake Socket Mode server's URLs, as Slack hands out its own."""
    fake.on("apps.connections.open", lambda args: {"url": socket_mode.new_url()})


@pytest.fixture
def socket_bot(tmp_path) -> Iterator[SocketModeBot]:
    with FakeSlack() as fake, FakeSocketMode() as socket_mode:
        connected_to(fake, socket_mode)
        env = bot_env(fake, f"sqlite:///{tmp_path / 'ladderbot.db'}", SLACK_APP_TOKEN=APP_TOKEN)
        del env["SLACK_SIGNING_SECRET"]  # Socket Mode needs none
        log_path = tmp_path / "bot.log"
        with open(log_path, "wb") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "bot", "serve"], env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT
            )
        running = SocketModeBot(process, log_path, fake, socket_mode)
        try:
            running.wait_connected()
            yield running
        finally:
            if process.poll() is None:  # a graceful stop waits out the client's 3 s read; it has a test of its own
                process.kill()
            process.wait(timeout=15)
        assert not fake.errors and not socket_mode.errors, (fake.errors, socket_mode.errors)
        assert APP_TOKEN not in running.log() and BOT_TOKEN not in running.log()


def slash_command(fake: FakeSlack, text: str, user: str = "U1") -> dict:
    """A slash_commands envelope's payload: the form Slack would POST, as a dict."""
    return {
        "token": "legacy",
        "team_id": TEAM,
        "team_domain": "test",
        "channel_id": "C1",
        "channel_name": "general",
        "user_id": user,
        "user_name": user.lower(),
        "command": "/ladder",
        "text": text,
        "api_app_id": "A0TEST",
        "is_enterprise_install": "false",
        "response_url": fake.new_response_url(),
        "trigger_id": "trigger-1",
    }


def button_click(fake: FakeSlack, button: dict, user: str = "U1") -> dict:
    """An interactive envelope's payload: a person clicking a button of an ephemeral answer."""
    return {
        "type": "block_actions",
        "team": {"id": TEAM, "domain": "test"},
        "user": {"id": user, "team_id": TEAM},
        "api_app_id": "A0TEST",
        "trigger_id": "trigger-2",
        "response_url": fake.new_response_url(),
        "container": {"type": "message", "is_ephemeral": True, "channel_id": "C1"},
        "channel": {"id": "C1"},
        "message": {"ts": "1.000", "type": "message"},
        "actions": [{**button, "block_id": "b", "action_ts": f"{time.time():.6f}"}],
    }


def first_call(fake: FakeSlack, method: str, wanted: Callable[[Call], bool], timeout: float = 10) -> Call:
    """The first call of ``method`` that ``wanted`` accepts, waiting for it call by call."""
    deadline = time.monotonic() + timeout
    while True:
        calls = fake.calls(method)
        found = [c for c in calls if wanted(c)]
        if found:
            return found[0]
        fake.wait_for(method, len(calls) + 1, timeout=max(0.0, deadline - time.monotonic()))


def posted_to(fake: FakeSlack, response_url: str) -> Call:
    """The first answer posted to one response_url."""
    path = urlsplit(response_url).path
    return first_call(fake, RESPONSE_URL, lambda call: call.path == path)


def mention(*, channel: str, event_id: str, text: str = "L2 support", user: str = "U1") -> dict:
    """An events_api envelope's payload: the event_callback Slack would POST."""
    ts = f"{time.time():.6f}"
    return {
        "token": "legacy",
        "team_id": TEAM,
        "api_app_id": "A0TEST",
        "type": "event_callback",
        "event": {
            "type": "app_mention",
            "user": user,
            "text": f"<@U0BOT> {text}",
            "channel": channel,
            "ts": ts,
            "event_ts": ts,
        },
        "event_id": event_id,
        "event_time": int(time.time()),
        "authorizations": [{"team_id": TEAM, "user_id": "U0BOT", "is_bot": True}],
    }


def mentioned_and_answered(bot: SocketModeBot, event: dict) -> float:
    """Send a mention on the latest connection, see it answered in its thread; return when it was acked."""
    bot.socket_mode.wait_ack(bot.socket_mode.send("events_api", event), timeout=10)
    acked = time.monotonic()
    channel, ts = event["event"]["channel"], event["event"]["ts"]
    answer = first_call(bot.slack, "chat.postMessage", lambda call: call.args["channel"] == channel)
    assert answer.args["thread_ts"] == ts and "L2" in answer.text
    return acked


def answers_in(fake: FakeSlack, channel: str) -> list[Call]:
    return [c for c in fake.calls("chat.postMessage") if c.args["channel"] == channel]


# -- end to end: `ladderbot serve` -------------------------------------------


@pytest.mark.e2e
def test_serve_answers_a_command_a_button_and_a_mention_over_socket_mode(socket_bot):
    slack, socket_mode = socket_bot.slack, socket_bot.socket_mode
    assert slack.wait_for("apps.connections.open")[0].token == APP_TOKEN

    command = slash_command(slack, "L3")
    envelope_id = socket_mode.send("slash_commands", command, accepts_response_payload=True)
    assert socket_mode.wait_ack(envelope_id)["envelope_id"] == envelope_id
    answer = posted_to(slack, command["response_url"])
    assert "L3: Senior Software Engineer" in answer.text and answer.args["response_type"] == "ephemeral"

    click = button_click(slack, buttons(answer.args["blocks"])["Show examples"])
    socket_mode.wait_ack(socket_mode.send("interactive", click, accepts_response_payload=True))
    updated = posted_to(slack, click["response_url"])
    assert updated.args["replace_original"] is True
    assert "I led a small improvement project for Octopus Cloud" in updated.text

    mentioned_and_answered(socket_bot, mention(channel="C42", event_id="EvSOCKET0001"))
    # LOG_LEVEL is DEBUG here, and the Socket Mode client dumps every envelope at DEBUG:
    # what people write must not reach the log that way.
    assert '"envelope_id"' not in socket_bot.log() and "<@U0BOT> L2 support" not in socket_bot.log()


@pytest.mark.e2e
def test_serve_reconnects_when_slack_asks_it_to_and_answers_a_redelivered_event_once(socket_bot):
    first = mention(channel="C43", event_id="EvSOCKET0002")
    mentioned_and_answered(socket_bot, first)

    socket_bot.socket_mode.ask_to_reconnect()  # Slack refreshes connections every few hours
    socket_bot.wait_connected(2)
    assert len(socket_bot.slack.wait_for("apps.connections.open", 2)) == 2
    # Slack redelivers what it thinks was not handled, on the new connection, without HTTP's retry headers.
    redelivered = socket_bot.socket_mode.send("events_api", first, retry_attempt=1, retry_reason="timeout")
    socket_bot.socket_mode.wait_ack(redelivered)
    mentioned_and_answered(socket_bot, mention(channel="C47", event_id="EvSOCKET0006"))  # handled after it
    assert len(answers_in(socket_bot.slack, "C43")) == 1


@pytest.mark.e2e
def test_serve_replaces_a_silently_dropped_connection_within_15_seconds(socket_bot):
    mentioned_and_answered(socket_bot, mention(channel="C44", event_id="EvSOCKET0003"))  # the link works, pings flow

    dropped = time.monotonic()
    socket_bot.socket_mode.blackhole()  # no close frame, no FIN, no RST: nothing arrives any more
    socket_bot.wait_connected(2, timeout=60)
    assert len(socket_bot.slack.wait_for("apps.connections.open", 2)) == 2
    recovered = mentioned_and_answered(socket_bot, mention(channel="C45", event_id="EvSOCKET0004")) - dropped
    print(f"\nSocket Mode: silently dropped connection replaced, new envelope acked after {recovered:.1f} s")
    assert recovered < RECOVERY_BOUND, f"took {recovered:.1f} s\n{socket_bot.log()}"

    socket_bot.socket_mode.reset()  # a peer that crashed: TCP RST, again no close frame
    socket_bot.wait_connected(3, timeout=30)
    mentioned_and_answered(socket_bot, mention(channel="C46", event_id="EvSOCKET0005"))


# -- in process: the handler ladderbot builds ---------------------------------


def test_the_handler_acks_envelopes_and_answers_in_process(tmp_path):
    with FakeSlack() as fake, FakeSocketMode() as socket_mode:
        connected_to(fake, socket_mode)
        settings = load_settings(
            {
                "SLACK_BOT_TOKEN": BOT_TOKEN,
                "SLACK_APP_TOKEN": APP_TOKEN,
                "SLACK_API_URL": fake.api_url,
                "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite'}",
            }
        )
        handler = socket_mode_handler(create_app(build_deps(settings), socket_mode=True), settings)
        handler.connect()
        try:
            socket_mode.wait_connected()
            command = slash_command(fake, "help")
            envelope_id = socket_mode.send("slash_commands", command, accepts_response_payload=True)
            socket_mode.wait_ack(envelope_id)
            assert "/ladder" in fake.wait_for("response_url", timeout=10)[0].text
        finally:
            handler.close()
        assert not fake.errors and not socket_mode.errors


def test_the_ping_interval_is_a_setting_with_a_fast_default():
    assert load_settings({}).socket_ping_interval == 1.5
    assert load_settings({"SLACK_SOCKET_PING_INTERVAL": "5"}).socket_ping_interval == 5.0
    for bad in ("0", "0.1", "soon", "nan", "120"):
        with pytest.raises(ConfigError, match="SLACK_SOCKET_PING_INTERVAL"):
            load_settings({"SLACK_SOCKET_PING_INTERVAL": bad})


@pytest.mark.e2e
def test_serve_with_an_app_token_slack_rejects_says_so_in_one_line(tmp_path):
    with FakeSlack() as fake:
        fake.on("apps.connections.open", lambda args: {"url": "ws://127.0.0.1:9/never-reached"})
        fake.set_valid_tokens([BOT_TOKEN])  # the app token is revoked
        env = bot_env(fake, f"sqlite:///{tmp_path / 'ladderbot.db'}", SLACK_APP_TOKEN=APP_TOKEN)
        done = subprocess.run(
            [sys.executable, "-m", "bot", "serve"], env=env, cwd=ROOT, capture_output=True, text=True, timeout=60
        )
    assert done.returncode == 2
    last_line = done.stderr.strip().splitlines()[-1]
    assert last_line.startswith("ladderbot: SLACK_APP_TOKEN could not open a Socket Mode connection")
    assert last_line.endswith(": invalid_auth") and "Traceback" not in done.stderr and APP_TOKEN not in done.stderr


@pytest.mark.e2e
def test_serve_finishes_the_answers_it_acked_when_told_to_stop(socket_bot):
    slack, socket_mode = socket_bot.slack, socket_bot.socket_mode
    slack.slow_down(RESPONSE_URL, 2)  # each answer takes 2 s to reach Slack
    commands = [slash_command(slack, "L3", user=f"U9{i}") for i in range(10)]  # more than the pool's threads
    for command in commands:
        socket_mode.wait_ack(socket_mode.send("slash_commands", command, accepts_response_payload=True))
    socket_bot.process.send_signal(signal.SIGTERM)
    assert socket_bot.process.wait(timeout=20) == 0, socket_bot.log()
    answered = {call.path for call in slack.calls(RESPONSE_URL)}
    assert answered == {urlsplit(c["response_url"]).path for c in commands}  # even those still queued at SIGTERM
