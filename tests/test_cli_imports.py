"""The terminal's question commands start fast: they import neither Slack nor the database."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import ROOT

HEAVY = ("slack_bolt", "slack_sdk", "sqlalchemy", "alembic", "gunicorn", "apscheduler")

# Run in a fresh interpreter: this test process has imported everything already.
PROBE = f"""
import json, sys
from click.testing import CliRunner
from bot.cli import cli
result = CliRunner().invoke(cli, sys.argv[1:])
print(json.dumps({{"exit": result.exit_code, "output": result.output,
                  "heavy": sorted(m for m in sys.modules if m.split(".")[0] in {HEAVY!r})}}))
"""


@pytest.mark.parametrize(
    "args", [["ask", "L3"], ["ask", "what separates L2 from L3?"], ["content", "check"], ["--help"]]
)
def test_terminal_commands_import_neither_slack_nor_the_database(args):
    probe = subprocess.run([sys.executable, "-c", PROBE, *args], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert probe.returncode == 0, probe.stderr
    outcome = json.loads(probe.stdout.splitlines()[-1])
    assert outcome["exit"] == 0, outcome["output"]
    assert outcome["heavy"] == []
