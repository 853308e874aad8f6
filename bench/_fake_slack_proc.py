"""tests/fake_slack.FakeSlack in its own process, driven over stdin/stdout (JSON lines).

Used by bench/nudge_run.py so that the fake's CPU time is not counted as the bot's.
On start it prints ``{"api_url": ...}``; then each JSON line on stdin is a command,
answered by one JSON line on stdout:

* ``{"cmd": "reset"}``: forget calls, state and limits;
* ``{"cmd": "rate", "method": M, "per_second": N}``: 429 + Retry-After beyond N/s;
* ``{"cmd": "random429", "method": M, "p": P, "retry_after": S, "seed": N}``: 429 + Retry-After S
  for each call with probability P (seeded), whatever the rate;
* ``{"cmd": "members", "user_ids": [...]}``: workspace members users.list returns;
* ``{"cmd": "cpu"}``: this process's CPU seconds (user + system) and ru_maxrss;
* ``{"cmd": "stats", "method": M}``: per-status counts of M's calls, accepted calls
  per channel, accepted calls per tenth of their time span, the seconds covered by the
  Retry-After of its 429s (overlaps counted once), and the fake's own errors;
* ``{"cmd": "quit"}``.
"""

from __future__ import annotations

import json
import resource
import sys
from collections import Counter

from tests.fakes.fake_slack import FakeSlack


def _cpu() -> dict:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {"cpu_s": usage.ru_utime + usage.ru_stime, "maxrss_mib": usage.ru_maxrss / 1024.0}


def _blocked_seconds(calls) -> float:
    """Seconds during which some 429's Retry-After told every sender to wait."""
    windows = sorted((c.at, c.at + c.retry_after) for c in calls if c.status == 429 and c.retry_after)
    total, end = 0.0, float("-inf")
    for start, stop in windows:
        if stop > end:
            total += stop - max(start, end)
            end = stop
    return total


def main() -> None:
    with FakeSlack() as fake:
        print(json.dumps({"api_url": fake.api_url}), flush=True)
        for line in sys.stdin:
            request = json.loads(line)
            cmd = request["cmd"]
            if cmd == "quit":
                print(json.dumps({"ok": True}), flush=True)
                break
            if cmd == "reset":
                fake.reset()
                reply: dict = {"ok": True}
            elif cmd == "rate":
                fake.rate_limit(request["method"], request["per_second"])
                reply = {"ok": True}
            elif cmd == "random429":
                fake.random_429s(
                    request["method"],
                    request["p"],
                    retry_after=request.get("retry_after", 1),
                    seed=request.get("seed", 0),
                )
                reply = {"ok": True}
            elif cmd == "members":
                supported = hasattr(fake, "add_members")  # older fakes have no users.list roster
                if supported:
                    fake.add_members(request["user_ids"])
                reply = {"ok": True, "supported": supported}
            elif cmd == "cpu":
                reply = _cpu()
            elif cmd == "stats":
                calls = fake.calls(request["method"])
                statuses = Counter(str(c.status) for c in calls)
                per_channel = Counter(str(c.args.get("channel")) for c in calls if not c.failed)
                all_methods = Counter(c.method for c in fake.calls())
                accepted_at = sorted(c.at for c in calls if not c.failed)
                # Accepted calls in each tenth of the span between the first and last: shows slow-downs.
                span = (accepted_at[-1] - accepted_at[0]) if len(accepted_at) > 1 else 0.0
                deciles = [0] * 10
                for at in accepted_at:
                    deciles[min(9, int((at - accepted_at[0]) / span * 10)) if span else 0] += 1
                reply = {
                    "statuses": statuses,
                    "accepted_per_channel": per_channel,
                    "methods": all_methods,
                    "span_s": span,
                    "deciles": deciles,
                    "blocked_s": _blocked_seconds(calls),
                    "errors": [repr(e) for e in fake.errors[:5]],
                    **_cpu(),
                }
            else:
                reply = {"error": f"unknown command {cmd!r}"}
            print(json.dumps(reply), flush=True)


if __name__ == "__main__":
    main()
