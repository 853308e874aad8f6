"""How long `ladderbot ask` takes from a cold process, beside `python -c pass` in the same run.

Most of a terminal answer's wall time is start-up: importing the domain, loading the ladder.
The CLI's question commands import neither Slack nor SQLAlchemy, so they should cost little
more than the interpreter itself. Run from the repository root:

    .venv/bin/python -m bench.cli_startup [--runs 15]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

from bench._common import ROOT, Verdicts, table

COMMANDS = {
    "python -c pass": [sys.executable, "-c", "pass"],
    "ladderbot --version": [sys.executable, "-m", "bot", "--version"],
    "ladderbot ask L3": [sys.executable, "-m", "bot", "ask", "L3"],
    "ladderbot ask 'what separates L2 from L3?'": [sys.executable, "-m", "bot", "ask", "what separates L2 from L3?"],
    "ladderbot content check": [sys.executable, "-m", "bot", "content", "check"],
}


def time_command(argv: list[str], runs: int) -> list[float]:
    subprocess.run(argv, cwd=ROOT, capture_output=True, check=True)  # warm the OS file cache
    durations = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(argv, cwd=ROOT, capture_output=True, check=True)
        durations.append(time.perf_counter() - started)
    return durations


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    # Interleave nothing: each command's runs back to back, all in this one run of the script.
    medians = {name: statistics.median(time_command(argv, args.runs)) for name, argv in COMMANDS.items()}
    floor = medians["python -c pass"]
    print(
        table(
            ["command", "median ms", "x python -c pass"],
            [(name, median * 1000, median / floor) for name, median in medians.items()],
        )
    )
    verdicts = Verdicts()
    ask = medians["ladderbot ask L3"]
    verdicts.check("ladderbot ask L3 starts in under a second", ask < 1.0, f"{ask * 1000:.0f} ms")
    return verdicts.print()


if __name__ == "__main__":
    sys.exit(main())
