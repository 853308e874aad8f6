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
    clock = subprocess.Popen(
        [sys.executable, "-m", "bot", "clock", "--every", "60"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
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


def _sample(body: str, name: str, **labels: str) -> float:
    """The value of one series in a Prometheus text exposition (0 when absent)."""
    for line in body.splitlines():
        series, _, value = line.rpartition(" ")
        if series.startswith(name + "{") and all(f'{k}="{v}"' in series for k, v in labels.items()):
            return float(value)
    return 0.0


def test_the_web_server_counts_requests_answers_and_429s_across_its_workers(bot, slack, fake_slack):
    from tests.test_slack_app import ask

    before = _get_when_up(bot.url + "/metrics", bot.process)
    fake_slack.fail_next("response_url", status=429, retry_after=1)
    for _ in range(4):  # two workers: some of these land on each
        ask(slack, fake_slack, "L3")

    def grew(name: str, **labels: str) -> float:
        return _sample(after, name, **labels) - _sample(before, name, **labels)

    deadline = time.monotonic() + 10  # an answer is counted just after Slack has it
    after = _get_when_up(bot.url + "/metrics", bot.process)
    while grew("ladderbot_answer_seconds_count", kind="slash_command") < 4 and time.monotonic() < deadline:
        time.sleep(0.05)
        after = _get_when_up(bot.url + "/metrics", bot.process)
    assert grew("ladderbot_requests_total", kind="slash_command") == 4
    assert grew("ladderbot_answers_total", kind="slash_command", outcome="ok") == 4
    assert grew("ladderbot_answer_seconds_count", kind="slash_command") == 4
    assert grew("ladderbot_slack_rate_limited_total", method="response_url") == 1


def test_content_reloads_and_their_problems_are_counted(tmp_path):
    import shutil

    from bot.content import Content

    def reloads(outcome: str) -> float:
        return REGISTRY.get_sample_value("ladderbot_content_reloads_total", {"outcome": outcome}) or 0.0

    folder = tmp_path / "content"
    shutil.copytree(ROOT / "ladder_content", folder)
    content = Content(folder, check_every=0)
    ok, kept = reloads("ok"), reloads("kept_last_good")
    content.reload()
    (folder / "support" / "broken.md").write_bytes(b"\x00binary")
    content.reload()
    assert (reloads("ok") - ok, reloads("kept_last_good") - kept) == (1, 1)
    assert REGISTRY.get_sample_value("ladderbot_content_problems", {"severity": "error"}) >= 1
