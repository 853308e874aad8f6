"""Prometheus metrics, as an operator scrapes them."""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.request

from prometheus_client import REGISTRY

from tests.conftest import ROOT, bot_env, free_port
from tests.test_nudges import MONDAY_NOON_UTC, _person, runner  # noqa: F401 (fixture)


def _prompts(outcome: str) -> float:
    return REGISTRY.get_sample_value("ladderbot_prompts_total", {"outcome": outcome}) or 0.0


def test_a_clock_tick_counts_the_prompts_it_sent(store, runner, fake_slack):  # noqa: F811
    from bot.nudges.clock import tick

    _person(store, "U1")
    _person(store, "U2", target_level_id="no-such/level")
    sent, skipped = _prompts("sent"), _prompts("skipped")
    tick(runner, MONDAY_NOON_UTC)
    assert (_prompts("sent") - sent, _prompts("skipped") - skipped) == (1, 1)


def test_the_clock_serves_its_metrics(fake_slack, tmp_path):
    port = free_port()
    env = bot_env(fake_slack, f"sqlite:///{tmp_path / 'clock.db'}", METRICS_PORT=str(port))
    clock = subprocess.Popen([sys.executable, "-m", "bot", "clock", "--every", "60"], env=env, cwd=ROOT,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        body = _get_when_up(f"http://127.0.0.1:{port}/metrics", clock)
        assert 'ladderbot_prompts_total{outcome="sent"}' in body
    finally:
        clock.terminate()
        clock.wait(timeout=15)


def _get_when_up(url: str, process: subprocess.Popen, timeout: float = 30) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stderr.read().decode() if process.stderr else ""
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.read().decode()
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"{url} never answered")
