"""Kill -9 a nudge run at random points, again and again: afterwards every due prompt
has been sent exactly once. A message Slack accepted but the killed run never recorded
is found again through its message metadata instead of being sent twice."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
from collections import Counter
from contextlib import nullcontext
from datetime import datetime, timedelta, timezone

import pytest

import storage
from tests.conftest import ROOT, bot_env
from tests.storage_fixtures import PG_ENV, fresh_postgres_database, nudge_statuses

PEOPLE = 60
KILLS = 6
MAX_PER_RUN = 8  # prompts a run may deliver before it is killed
START = datetime(2026, 11, 23, 10, 5, tzinfo=timezone.utc)  # a Monday, 10:05 in London
LEASE = timedelta(minutes=11)  # the runner's lease is 10 minutes: each new run takes over the killed one's claims


@pytest.mark.e2e
@pytest.mark.parametrize(
    "backend",
    [
        "sqlite",
        pytest.param(
            "postgresql",
            marks=[pytest.mark.postgres, pytest.mark.skipif(not os.environ.get(PG_ENV), reason=f"needs {PG_ENV}")],
        ),
    ],
)
def test_killed_runs_never_lose_or_duplicate_a_prompt(backend, fake_slack, tmp_path):
    rng = random.Random(20261123)
    database = (
        nullcontext(f"sqlite:///{tmp_path / 'crash.db'}")
        if backend == "sqlite"
        else fresh_postgres_database("ladderbot_crash")
    )
    with database as url:
        storage.upgrade(url)
        store = storage.Store(url)
        for i in range(PEOPLE):
            store.update_person(
                "T0TEST",
                f"U{i:03d}",
                target_level_id="cloud-engineering/l3-senior-software-engineer",
                current_level_id="cloud-engineering/l2-cloud-engineer",
            )
        env = bot_env(fake_slack, url, LOG_LEVEL="WARNING")
        kills, recovered = 0, 0
        for attempt in range(KILLS):
            for _ in range(
                PEOPLE
            ):  # every answer comes late, so a kill finds prompts Slack kept but the run never heard of
                fake_slack.hang_next("chat.postMessage", 0.03)
            # Kill at a point chosen by prompts delivered, not by the clock: the run is always mid-way,
            # however slow the machine. Each run delivers at most MAX_PER_RUN new prompts before its
            # kill, so PEOPLE > KILLS * MAX_PER_RUN leaves every run something to send.
            kill_after = len(fake_slack.accepted("chat.postMessage")) + rng.randint(1, MAX_PER_RUN)
            at = (START + attempt * LEASE).isoformat()
            process = subprocess.Popen(
                [sys.executable, "-m", "bot", "nudges", "run-due", "--at", at],
                env=env,
                cwd=ROOT,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                text=True,
            )
            fake_slack.wait_for("chat.postMessage", count=kill_after, timeout=120, accepted=True)
            if process.poll() is None:
                os.kill(process.pid, signal.SIGKILL)
                kills += 1
            recovered += _recovered(process.communicate()[0])
        final = subprocess.run(
            [sys.executable, "-m", "bot", "nudges", "run-due", "--at", (START + KILLS * LEASE).isoformat()],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert final.returncode == 0, final.stderr
        recovered += _recovered(final.stdout)
        sent = Counter(c.args["channel"] for c in fake_slack.accepted("chat.postMessage"))
        duplicates = {user: n for user, n in sent.items() if n > 1}
        lost = [f"U{i:03d}" for i in range(PEOPLE) if sent[f"U{i:03d}"] == 0]
        print(
            f"{backend}: {kills} runs killed; {len(sent)} people prompted, {len(duplicates)} duplicates, {len(lost)} lost; "
            f"{recovered} accepted by Slack but unrecorded when killed, found by their metadata"
        )
        assert kills == KILLS, "a run finished before it could be killed"
        assert lost == [] and duplicates == {}
        assert nudge_statuses(store, "T0TEST", [f"U{i:03d}" for i in range(PEOPLE)])["sent"] == PEOPLE
        store.dispose()


def _recovered(summary: str) -> int:
    """'... found already delivered by an interrupted run' in a run's summary line."""
    if "found already delivered" not in summary:
        return 0
    return int(summary.split("not due, ")[1].split(" of them")[0])
