"""Shared fixtures: the fake Slack, a running ladderbot, and the storage backends."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.fakes.fake_slack import FakeSlack
from tests.fakes.slack_requests import BOT_TOKEN, SIGNING_SECRET, SlackRequests
from tests.storage_fixtures import database_url, store  # noqa: F401 (fixtures)

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def fake_slack_server():
    with FakeSlack() as fake:
        yield fake


@pytest.fixture
def fake_slack(fake_slack_server):
    fake_slack_server.reset()
    yield fake_slack_server
    assert not fake_slack_server.errors, fake_slack_server.errors


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RunningBot:
    """`ladderbot serve --http` in a subprocess, as production runs it."""

    def __init__(self, env: dict, log_path: Path, args: tuple[str, ...] = ()) -> None:
        self.env = env
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self._log = open(log_path, "wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot", "serve", "--http", "--host", "127.0.0.1", "--port", str(self.port), *args],
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
        )
        self.slack = SlackRequests(self.url)

    @property
    def database_url(self) -> str:
        return self.env["DATABASE_URL"]

    def wait_ready(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"ladderbot exited with {self.process.returncode}:\n{self.log()}")
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=1) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.1)
        raise AssertionError(f"ladderbot did not become ready:\n{self.log()}")

    def log(self) -> str:
        self._log.flush()
        return self.log_path.read_text(errors="replace")

    def wait_for_log(self, text: str, count: int = 1, timeout: float = 15) -> None:
        """Until the log says `text` `count` times: how a test knows a request was done with."""
        deadline = time.monotonic() + timeout
        while self.log().count(text) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"the log never said {text!r} {count} time(s):\n{self.log()[-3000:]}")
            time.sleep(0.05)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self._log.close()


def bot_env(fake: FakeSlack, database: str, **extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "LADDER_", "DATABASE_URL"))}
    env.update(
        {
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": fake.api_url,
            "DATABASE_URL": database,
            "WEB_CONCURRENCY": "2",
            "LOG_LEVEL": "DEBUG",
            "PYTHONUNBUFFERED": "1",
            **extra,
        }
    )
    return env


@pytest.fixture(scope="session")
def bot(fake_slack_server, tmp_path_factory):
    """One ladderbot for the session's end-to-end tests (each test uses its own user ids)."""
    folder = tmp_path_factory.mktemp("bot")
    running = RunningBot(
        bot_env(
            fake_slack_server,
            f"sqlite:///{folder / 'ladderbot.db'}",
            LADDER_SOURCE_URL="https://github.example/acme/ladder/blob/main",
        ),
        folder / "bot.log",
    )
    try:
        running.wait_ready()
        yield running
    finally:
        running.stop()


@pytest.fixture
def slack(bot, fake_slack) -> SlackRequests:
    return bot.slack


def run_cli(env: dict, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    """Run `ladderbot ARGS` as a separate process, as the Procfile's clock would."""
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout
    )
