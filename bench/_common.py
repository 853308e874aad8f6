"""Small helpers shared by the benchmarks in bench/ (not a benchmark itself).

Percentiles, plain-text tables, PASS/FAIL lines, free ports, waiting for an HTTP
server. The benchmarks run as ``.venv/bin/python -m bench.NAME`` from the repository root.
"""

from __future__ import annotations

import math
import resource
import socket
import time
import urllib.request
from collections.abc import Iterable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def percentile(values: Sequence[float], pct: float) -> float:
    """Linear-interpolated percentile (numpy's default method); pct in 0..100."""
    if not values:
        return float("nan")
    data = sorted(values)
    if len(data) == 1:
        return data[0]
    pos = (len(data) - 1) * pct / 100.0
    low, high = math.floor(pos), math.ceil(pos)
    return data[low] + (data[high] - data[low]) * (pos - low)


def summary_ms(values_s: Sequence[float]) -> dict[str, float]:
    """p50/p90/p99/max in milliseconds of a list of durations in seconds."""
    ms = [v * 1000.0 for v in values_s]
    return {
        "n": len(ms),
        "p50": percentile(ms, 50),
        "p90": percentile(ms, 90),
        "p99": percentile(ms, 99),
        "max": max(ms) if ms else float("nan"),
        "mean": sum(ms) / len(ms) if ms else float("nan"),
    }


def table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A left-aligned first column, right-aligned others, floats with 3 decimals."""

    def fmt(value: object) -> str:
        if isinstance(value, float):
            return "nan" if math.isnan(value) else f"{value:,.3f}"
        if isinstance(value, int):
            return f"{value:,}"
        return str(value)

    body = [[fmt(v) for v in row] for row in rows]
    widths = [max(len(str(h)), *(len(r[i]) for r in body)) if body else len(str(h)) for i, h in enumerate(headers)]
    lines = [
        "  ".join(
            str(h).ljust(w) if i == 0 else str(h).rjust(w) for i, (h, w) in enumerate(zip(headers, widths, strict=True))
        )
    ]
    lines.append("  ".join("-" * w for w in widths))
    for row in body:
        lines.append(
            "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True)))
        )
    return "\n".join(lines)


class Verdicts:
    """Collects targets; prints one PASS/FAIL line each."""

    def __init__(self) -> None:
        self.results: list[tuple[str, bool, str]] = []

    def check(self, name: str, ok: bool, detail: str) -> bool:
        self.results.append((name, bool(ok), detail))
        return ok

    def print(self) -> int:
        print()
        for name, ok, detail in self.results:
            print(f"{'PASS' if ok else 'FAIL'}: {name} ({detail})")
        return 0 if all(ok for _, ok, _ in self.results) else 1


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http_ready(url: str, process, log_path: Path | None = None, timeout: float = 60.0) -> None:
    """Poll GET url until 200; fail early if the subprocess exits."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log = log_path.read_text(errors="replace")[-4000:] if log_path else ""
            raise RuntimeError(f"server exited with {process.returncode}:\n{log}")
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not become ready in {timeout}s")


def max_rss_mib(who: int = resource.RUSAGE_SELF) -> float:
    """ru_maxrss (KiB on Linux) in MiB."""
    return resource.getrusage(who).ru_maxrss / 1024.0
