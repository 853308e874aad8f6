"""Acks never wait for Slack or the database, and what a client can cost the server is bounded."""

from __future__ import annotations

import itertools
import json
import socket
import sqlite3
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from slack_bolt.adapter.socket_mode.internals import run_bolt_app
from slack_sdk.socket_mode.request import SocketModeRequest

import storage
from bot.config import Settings
from bot.content import Content
from bot.slack.app import create_app
from bot.slack.blocks import ACTION_QUERY
from bot.slack.deps import Deps
from bot.slack.handoff import BUSY_TEXT
from bot.workpool import WorkPool
from tests.conftest import ROOT, RunningBot, bot_env
from tests.fakes.slack_requests import BOT_TOKEN, TEAM

pytestmark = pytest.mark.e2e

SLACK_METHODS = (
    "response_url",
    "chat.postMessage",
    "chat.postEphemeral",
    "views.publish",
    "users.info",
    "conversations.open",
)


@pytest.fixture
def start_bot(fake_slack, tmp_path):
    """Start a ladderbot of the test's own, with extra settings; stopped after the test."""
    started: list[RunningBot] = []

    def start(**extra: str) -> RunningBot:
        running = RunningBot(
            bot_env(fake_slack, f"sqlite:///{tmp_path / 'ladderbot.db'}", **extra), tmp_path / f"bot{len(started)}.log"
        )
        started.append(running)
        running.wait_ready()
        return running

    yield start
    for running in started:
        running.stop()


def timed(call):
    started = time.monotonic()
    result = call()
    return result, time.monotonic() - started


def test_a_hundred_commands_are_acked_at_once_while_slack_hangs(start_bot, fake_slack):
    # Per process: 4 answers at a time and 4 waiting; the rest are told to try again.
    bot = start_bot(LADDERBOT_ANSWER_THREADS="4", LADDERBOT_ANSWER_QUEUE="4")
    for method in SLACK_METHODS:
        fake_slack.slow_down(method, 5)
    urls = [fake_slack.new_response_url() for _ in range(100)]
    with ThreadPoolExecutor(max_workers=100) as clients:
        results = list(clients.map(lambda url: timed(lambda: bot.slack.command("L3", response_url=url)), urls))

    assert [result.status for result, _ in results] == [200] * 100
    slowest = max(elapsed for _, elapsed in results)
    assert slowest < 1.0, f"an ack took {slowest:.2f} s while Slack hung"
    busy = [result for result, _ in results if result.body]
    assert all(json.loads(result.body) == {"text": BUSY_TEXT, "response_type": "ephemeral"} for result in busy)
    accepted = 100 - len(busy)
    assert 8 <= accepted <= 16  # each of the 2 processes takes 4 running + 4 waiting, at most
    answers = fake_slack.wait_for("response_url", count=accepted, timeout=30)
    assert all("L3: Senior Software Engineer" in answer.text for answer in answers)


def test_a_locked_database_does_not_hold_the_event_ack(start_bot, fake_slack, tmp_path):
    bot = start_bot(WEB_CONCURRENCY="1")
    event = {
        "type": "app_mention",
        "user": "U21",
        "text": "<@U0BOT> L2 support",
        "channel": "C21",
        "ts": "1700000021.000100",
    }
    locker = sqlite3.connect(tmp_path / "ladderbot.db", isolation_level=None)
    locker.execute("BEGIN EXCLUSIVE")  # another process holds the write lock (for 15 s and more)
    try:
        result, elapsed = timed(lambda: bot.slack.event(event, event_id="EvLOCKED001"))
        assert result.status == 200 and elapsed < 1.0, f"acked {result.status} after {elapsed:.2f} s"
        posted = fake_slack.wait_for("chat.postMessage", timeout=10)
        assert posted[0].args["channel"] == "C21" and "L2" in posted[0].text
        # Slack's retry is still recognised, by this process's memory of the event id.
        retry = bot.slack.event(event, event_id="EvLOCKED001", headers={"X-Slack-Retry-Num": "1"})
        assert retry.status == 200
        wait_for_log(bot, "event EvLOCKED001 already handled")
        assert "dedupe unavailable" in bot.log()
        assert len(fake_slack.calls("chat.postMessage")) == 1
    finally:
        locker.execute("ROLLBACK")
        locker.close()


def wait_for_log(bot: RunningBot, text: str, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while text not in bot.log():
        assert time.monotonic() < deadline, f"{text!r} not in the log:\n{bot.log()[-3000:]}"
        time.sleep(0.05)


def raw_request(bot: RunningBot, head: str, body: bytes = b"") -> socket.socket:
    conn = socket.create_connection(("127.0.0.1", bot.port), timeout=10)
    conn.sendall(head.replace("\n", "\r\n").encode() + b"\r\n" + body)
    return conn


def status_line(conn: socket.socket) -> str:
    return conn.recv(4096).split(b"\r\n", 1)[0].decode()


def healthz_answers(bot: RunningBot, timeout: float) -> bool:
    with urllib.request.urlopen(bot.url + "/healthz", timeout=timeout) as response:
        return response.status == 200


def test_huge_bodies_are_refused_before_they_are_read(start_bot, fake_slack):
    bot = start_bot()
    declared = [
        raw_request(
            bot,
            "POST /slack/events HTTP/1.1\nHost: x\nContent-Type: application/json\nContent-Length: 100000000\n",
            b"{" + b" " * 262_144,
        )
        for _ in range(16)
    ]
    chunk = b" " * 65_536
    chunked = raw_request(bot, "POST /slack/events HTTP/1.1\nHost: x\nTransfer-Encoding: chunked\n")
    try:
        assert [status_line(conn) for conn in declared] == ["HTTP/1.1 413 Content Too Large"] * 16
        for _ in range(17):  # 1.06 MB, one chunk at a time: the answer comes once the cap is passed
            chunked.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        assert status_line(chunked) == "HTTP/1.1 413 Content Too Large"
        assert healthz_answers(bot, timeout=5)
    finally:
        for conn in [*declared, chunked]:
            conn.close()


def test_slow_clients_are_cut_and_health_checks_still_answer(start_bot, fake_slack):
    bot = start_bot(LADDERBOT_REQUEST_TIMEOUT="1")
    stop = threading.Event()
    cut: list[bool] = []

    def trickle(n: int) -> None:
        conn = socket.create_connection(("127.0.0.1", bot.port), timeout=10)
        # Half send their headers, half their body, one byte at a time for as long as the server listens.
        head = b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n"
        slow = iter((head if n % 2 else b"") + b"{" + b" " * 999)
        if n % 2 == 0:
            conn.sendall(head)
        try:
            while not stop.is_set():
                conn.sendall(bytes([next(slow)]))
                stop.wait(0.5)
        except OSError:
            cut.append(True)  # the server closed the connection
        finally:
            conn.close()

    tricklers = [threading.Thread(target=trickle, args=(n,)) for n in range(20)]  # more than the 2 x 8 HTTP threads
    for thread in tricklers:
        thread.start()
    try:
        time.sleep(0.5)  # let them take the threads first
        assert healthz_answers(bot, timeout=15)
        for thread in tricklers:
            thread.join(timeout=15)
        assert len(cut) == 20
    finally:
        stop.set()
        for thread in tricklers:
            thread.join()


@pytest.mark.parametrize(
    "body, content_type, signed, status",
    [
        ("payload=%7Bnot+json", "application/x-www-form-urlencoded", False, 401),
        ("payload=%7Bnot+json", "application/x-www-form-urlencoded", True, 400),
        ('{"type": "event_callback", "event": ', "application/json", True, 400),
        ("[1, 2]", "application/json", True, 400),
        (b"payload=\xff\xfe".decode("latin-1"), "application/x-www-form-urlencoded", False, 400),
    ],
)
def test_malformed_bodies_get_a_clear_4xx_and_no_traceback(bot, fake_slack, body, content_type, signed, status):
    logged = len(bot.log())
    raw = body.encode("latin-1")
    ts = str(int(time.time()))
    signature = bot.slack.verifier.generate_signature(timestamp=ts, body=body) if signed else "v0=" + "0" * 64
    request = urllib.request.Request(
        bot.slack.url,
        data=raw,
        method="POST",
        headers={"Content-Type": content_type, "X-Slack-Request-Timestamp": ts, "X-Slack-Signature": signature},
    )
    try:
        urllib.request.urlopen(request, timeout=10)
        answered = 200
    except urllib.error.HTTPError as error:
        answered = error.code
    assert answered == status
    new_log = bot.log()[logged:]
    assert "Traceback" not in new_log and " ERROR " not in new_log


def test_slacks_certificate_check_is_still_answered(slack, fake_slack):
    assert slack.post("ssl_check=1&token=legacy", "application/x-www-form-urlencoded", signature="").status == 200


def test_a_timestamp_that_is_not_a_number_is_refused(slack, fake_slack):
    assert (
        slack.command("L3", response_url=fake_slack.new_response_url(), timestamp="soon", signature="v0=0").status
        == 401
    )


def test_the_pool_refuses_beyond_its_queue_and_drains_on_stop():
    pool = WorkPool(threads=1, queue_limit=1)
    release = threading.Event()
    done: list[int] = []

    def job(n: int):
        return lambda: (release.wait(10), done.append(n))

    assert pool.submit(job(1)) and pool.submit(job(2))
    assert not pool.submit(job(3))  # one running, one waiting: full
    release.set()
    assert pool.drain(timeout=10) == 0
    assert sorted(done) == [1, 2]
    assert not pool.submit(job(4))  # stopped


def in_process_app(fake_slack, tmp_path, **settings):
    """The app `ladderbot serve` builds for Socket Mode, and a way to hand it what Slack would send."""
    content = ROOT / "ladder_content"
    url = f"sqlite:///{tmp_path / 'in-process.db'}"
    storage.upgrade(url)
    deps = Deps(
        settings=Settings(content_dir=content, slack_api_url=fake_slack.api_url, slack_bot_token=BOT_TOKEN, **settings),
        content=Content(content),
        store=storage.Store(url),
    )
    app = create_app(deps, socket_mode=True)

    def deliver(kind: str, payload: dict, **extra):
        return run_bolt_app(app, SocketModeRequest(kind, f"env-{next(_envelopes)}", payload, **extra))

    return deps, deliver


_envelopes = itertools.count(1)


def slash_command(fake_slack, text: str = "L3") -> dict:
    return {
        "team_id": TEAM,
        "user_id": "U31",
        "channel_id": "C31",
        "command": "/ladder",
        "text": text,
        "response_url": fake_slack.new_response_url(),
        "trigger_id": "t31",
    }


def mention_event(event_id: str, text: str = "L2 support") -> dict:
    return {
        "team_id": TEAM,
        "type": "event_callback",
        "event_id": event_id,
        "authorizations": [{"team_id": TEAM, "user_id": "U0BOT", "is_bot": True}],
        "event": {
            "type": "app_mention",
            "user": "U31",
            "text": f"<@U0BOT> {text}",
            "channel": "C31",
            "ts": "1700000031.000100",
        },
    }


def test_socket_mode_acks_over_the_websocket_before_slack_answers(fake_slack, tmp_path):
    """Socket Mode runs the same app: the ack (the envelope reply) does not wait for Slack either."""
    deps, deliver = in_process_app(fake_slack, tmp_path)
    fake_slack.slow_down("response_url", 3)
    fake_slack.slow_down("chat.postMessage", 3)
    try:
        for kind, payload in (
            ("slash_commands", slash_command(fake_slack)),
            ("events_api", mention_event("EvSOCKET1")),
        ):
            response, elapsed = timed(lambda kind=kind, payload=payload: deliver(kind, payload))
            assert response.status == 200 and elapsed < 1.0, f"{kind}: {response.status} after {elapsed:.2f} s"
        assert "L3: Senior Software Engineer" in fake_slack.wait_for("response_url", timeout=10)[0].text
        assert fake_slack.wait_for("chat.postMessage", timeout=10)[0].args["channel"] == "C31"
    finally:
        deps.work.drain(timeout=10)


def test_a_full_pool_says_busy_to_commands_and_leaves_events_and_clicks_unacked(fake_slack, tmp_path):
    deps, deliver = in_process_app(fake_slack, tmp_path, answer_threads=1, answer_queue=0)
    release = threading.Event()
    assert deps.work.submit(lambda: release.wait(10))  # the only thread is taken
    try:
        command = deliver("slash_commands", slash_command(fake_slack))
        assert command.status == 200 and json.loads(command.body) == {"text": BUSY_TEXT, "response_type": "ephemeral"}
        assert deliver("events_api", mention_event("EvBUSY1")).status == 503  # Slack resends it later
        click = {
            "type": "block_actions",
            "team": {"id": TEAM},
            "user": {"id": "U31", "team_id": TEAM},
            "response_url": fake_slack.new_response_url(),
            "trigger_id": "t32",
            "container": {"type": "message", "is_ephemeral": True},
            "channel": {"id": "C31"},
            "actions": [{"action_id": f"{ACTION_QUERY}0", "value": "L3", "type": "button", "block_id": "b"}],
        }
        assert deliver("interactive", click).status == 503  # Slack marks the click as failed
    finally:
        release.set()
    assert deps.work.wait_idle(timeout=10) == 0
    # Slack's retry of the event turned away is answered: it was never taken, so it is no duplicate.
    assert deliver("events_api", mention_event("EvBUSY1"), retry_attempt=1, retry_reason="http_error").status == 200
    assert fake_slack.wait_for("chat.postMessage", timeout=10)[0].args["channel"] == "C31"
    deps.work.drain(timeout=10)


def test_answers_accepted_before_a_sigterm_are_still_sent(start_bot, fake_slack):
    bot = start_bot(WEB_CONCURRENCY="1", LADDERBOT_ANSWER_THREADS="1")
    fake_slack.slow_down("response_url", 1)
    urls = [fake_slack.new_response_url() for _ in range(3)]
    for url in urls:  # one answer running, two waiting for the only thread
        assert bot.slack.command("L3", response_url=url).status == 200
    bot.process.terminate()
    assert bot.process.wait(timeout=15) == 0
    sent = {call.path.rsplit("/", 1)[-1] for call in fake_slack.calls("response_url")}
    assert sent == {url.rsplit("/", 1)[-1] for url in urls}
    assert "unfinished" not in bot.log()


def test_the_limits_are_settings_and_a_bad_one_is_named():
    from bot.config import ConfigError, load_settings

    settings = load_settings(
        {
            "LADDERBOT_ANSWER_THREADS": "16",
            "LADDERBOT_ANSWER_QUEUE": "0",
            "LADDERBOT_MAX_BODY_BYTES": "65536",
            "LADDERBOT_REQUEST_TIMEOUT": "5",
        }
    )
    assert (settings.answer_threads, settings.answer_queue, settings.max_body_bytes, settings.request_timeout) == (
        16,
        0,
        65536,
        5,
    )
    with pytest.raises(ConfigError, match="LADDERBOT_ANSWER_THREADS must be a whole number of at least 1, got '0'"):
        load_settings({"LADDERBOT_ANSWER_THREADS": "0"})
    with pytest.raises(ConfigError, match="LADDERBOT_MAX_BODY_BYTES"):
        load_settings({"LADDERBOT_MAX_BODY_BYTES": "1MB"})
