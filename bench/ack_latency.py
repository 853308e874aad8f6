"""Slash-command ack latency: ladderbot over HTTP vs a bare Bolt app on the same stack.

Run from the repository root::

    .venv/bin/python -m bench.ack_latency [--requests 500] [--warmup 50] [--workers 2]
                                          [--log-level INFO] [--profile DIR]

Starts, as subprocesses with the same gunicorn settings (``serve_http``: gthread,
8 threads, WEB_CONCURRENCY workers):

* A: ``python -m bot serve --http`` (ladderbot, SQLite database in a temp dir),
* B: ``bench/_bare_app.py`` (``App(...)`` whose ``/ladder`` handler only ``ack("ok")``),

both talking to one FakeSlack running in this process. After a warm-up, it sends
``--requests`` signed ``/ladder L3 senior software`` commands to each, interleaved
(A, B, A, B, ...), one at a time from one client, each server on its own reused
keep-alive ``http.client.HTTPConnection``. The clock runs from just before the
request is written to the end of the response body (the ack); signing is done
before the clock starts. ladderbot's answers to the response_url are counted to
show the work after the ack really happened.

``--profile DIR`` attaches ``py-spy record --subprocesses`` to ladderbot's gunicorn
master for the measured phase and writes a speedscope profile and a flame graph.

Then the slow-Slack case (``--slow-seconds 0`` skips it): every Slack call, the
response_url included, is answered only after ``--slow-seconds`` (default 5), and
``--slow-requests`` commands (default 100) go to ladderbot at once from as many
clients (``--slow-concurrency``, default 100), each on a new connection. It reports
the ack latency of each, how many acks said "busy, try again" (the answer pool and
its queue were full), and whether every accepted command's answer reached Slack.

Targets: ladderbot p99 <= 1.5x bare p99, and ladderbot p99 < 100 ms; under a slow
Slack every command acked with HTTP 200 in under 1 s, and every accepted answer sent.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from slack_sdk.signature import SignatureVerifier

from bench._common import ROOT, Verdicts, free_port, summary_ms, table, wait_http_ready
from tests.fakes.fake_slack import FakeSlack
from tests.fakes.slack_requests import BOT_TOKEN, SIGNING_SECRET, TEAM

COMMAND_TEXT = "L3 senior software"
MAX_RATIO = 1.5
MAX_P99_MS = 100.0
MAX_SLOW_ACK_MS = 1000.0
SLACK_METHODS = ("response_url", "chat.postMessage", "chat.postEphemeral", "views.publish", "users.info")
_ids = itertools.count(1)


class Server:
    """One HTTP server subprocess and a keep-alive connection to it."""

    def __init__(self, name: str, argv: list[str], env: dict, log_path: Path) -> None:
        self.name = name
        self.port = free_port()
        self.log_path = log_path
        self._log = open(log_path, "wb")
        self.process = subprocess.Popen(
            [*argv, "--host", "127.0.0.1", "--port", str(self.port)],
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
        )
        self.conn: http.client.HTTPConnection | None = None
        self.reconnects = 0
        self.statuses: dict[int, int] = {}

    def wait_ready(self) -> None:
        wait_http_ready(f"http://127.0.0.1:{self.port}/healthz", self.process, self.log_path)

    def post(self, body: bytes, headers: dict[str, str]) -> float:
        """Send one request on the kept-alive connection; return seconds to the full response."""
        for attempt in range(2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
                self.conn.connect()
                if attempt or self.statuses:
                    self.reconnects += 1
            started = time.perf_counter()
            try:
                self.conn.request("POST", "/slack/events", body=body, headers=headers)
                response = self.conn.getresponse()
                response.read()
            except (http.client.RemoteDisconnected, ConnectionError, http.client.BadStatusLine):
                # The server closed an idle keep-alive connection: reconnect and resend once.
                self.conn.close()
                self.conn = None
                continue
            elapsed = time.perf_counter() - started
            self.statuses[response.status] = self.statuses.get(response.status, 0) + 1
            if response.getheader("Connection", "").lower() == "close":
                self.conn.close()
                self.conn = None
            return elapsed
        raise RuntimeError(f"{self.name}: request failed twice")

    def stop(self) -> None:
        if self.conn is not None:
            self.conn.close()
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._log.close()


def signed_command(verifier: SignatureVerifier, text: str, response_url: str) -> tuple[bytes, dict[str, str]]:
    """A /ladder slash command signed exactly as Slack does (see tests/fakes/slack_requests.py)."""
    form = {
        "token": "legacy",
        "team_id": TEAM,
        "team_domain": "test",
        "channel_id": "C1",
        "channel_name": "general",
        "user_id": "U1",
        "user_name": "u1",
        "command": "/ladder",
        "text": text,
        "api_app_id": "A0TEST",
        "response_url": response_url,
        "trigger_id": f"trigger-{next(_ids)}",
    }
    body = urllib.parse.urlencode(form)
    ts = str(int(time.time()))
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": verifier.generate_signature(timestamp=ts, body=body),
    }
    return body.encode(), headers


@dataclass
class SlowSlackResult:
    acks: list[float]  # seconds, one per command
    statuses: dict[int, int]
    busy: int
    accepted: int
    answered: int
    last_answer_s: float  # from the first command sent to the last answer reaching Slack


def one_command(port: int, body: bytes, headers: dict[str, str], timeout: float) -> tuple[float, int, bool]:
    """POST one command on a new connection: (seconds to the ack, status, acked with a message)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    started = time.perf_counter()
    try:
        conn.request("POST", "/slack/events", body=body, headers=headers)
        response = conn.getresponse()
        payload = response.read()
        return time.perf_counter() - started, response.status, bool(payload)
    except (OSError, http.client.HTTPException):  # a timeout is an OSError
        return time.perf_counter() - started, 0, False  # no ack at all
    finally:
        conn.close()


def slow_slack(server: Server, fake: FakeSlack, verifier: SignatureVerifier, args) -> SlowSlackResult:
    """Every Slack call hangs; many commands at once; acks timed, answers counted."""
    for method in SLACK_METHODS:
        fake.slow_down(method, args.slow_seconds)
    before = len(fake.calls("response_url"))
    commands = [signed_command(verifier, args.text, fake.new_response_url()) for _ in range(args.slow_requests)]
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=args.slow_concurrency) as clients:
        results = list(clients.map(lambda c: one_command(server.port, *c, timeout=30), commands))
    statuses: dict[int, int] = {}
    for _, status, _ in results:
        statuses[status] = statuses.get(status, 0) + 1
    busy = sum(1 for _, status, said in results if status == 200 and said)
    accepted = sum(1 for _, status, said in results if status == 200 and not said)
    # An accepted answer may wait for several rounds of slow calls: give it time.
    deadline = 60 + args.slow_seconds * (accepted + 1)
    try:
        fake.wait_for("response_url", before + accepted, timeout=deadline)
    except AssertionError:
        pass
    answers = fake.calls("response_url")[before:]
    last = max((c.at for c in answers), default=started) - started
    for method in SLACK_METHODS:
        fake.slow_down(method, 0)
    return SlowSlackResult([r[0] for r in results], statuses, busy, accepted, len(answers), last)


def start_profiler(pid: int, out_dir: Path) -> list[subprocess.Popen]:
    py_spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    out_dir.mkdir(parents=True, exist_ok=True)
    procs = []
    for fmt, name in (("speedscope", "ladderbot_ack.speedscope.json"), ("flamegraph", "ladderbot_ack.svg")):
        procs.append(
            subprocess.Popen(
                [
                    py_spy,
                    "record",
                    "--subprocesses",
                    "--idle",
                    "--threads",
                    "-r",
                    "250",
                    "-f",
                    fmt,
                    "-o",
                    str(out_dir / name),
                    "--pid",
                    str(pid),
                ],
                stdout=subprocess.DEVNULL,
                stderr=open(out_dir / f"py-spy-{fmt}.log", "wb"),
            )
        )
    time.sleep(1.5)  # let py-spy attach before the measured phase
    return procs


def stop_profiler(procs: list[subprocess.Popen]) -> None:
    for proc in procs:
        proc.send_signal(signal.SIGINT)
    for proc in procs:
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()


def main() -> int:
    parser = argparse.ArgumentParser(description="Slash-command ack latency, ladderbot vs bare Bolt.")
    parser.add_argument("--requests", type=int, default=500, help="measured requests per app (default 500)")
    parser.add_argument("--warmup", type=int, default=50, help="unmeasured requests per app first (default 50)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers for both apps (default 2)")
    parser.add_argument("--log-level", default="INFO", help="LOG_LEVEL for both apps (default INFO)")
    parser.add_argument("--text", default=COMMAND_TEXT, help=f"slash command text (default {COMMAND_TEXT!r})")
    parser.add_argument("--profile", metavar="DIR", help="py-spy record ladderbot's workers into DIR")
    parser.add_argument(
        "--slow-seconds",
        type=float,
        default=5.0,
        help="slow-Slack case: every Slack call hangs this long (default 5; 0 skips the case)",
    )
    parser.add_argument("--slow-requests", type=int, default=100, help="slow-Slack case: commands (default 100)")
    parser.add_argument(
        "--slow-concurrency", type=int, default=100, help="slow-Slack case: clients sending at once (default 100)"
    )
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="ladderbot-ack-"))
    verifier = SignatureVerifier(SIGNING_SECRET)
    servers: list[Server] = []
    slow: SlowSlackResult | None = None
    with FakeSlack() as fake:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "LADDER_", "DATABASE_URL"))}
        env.update(
            SLACK_BOT_TOKEN=BOT_TOKEN,
            SLACK_SIGNING_SECRET=SIGNING_SECRET,
            SLACK_API_URL=fake.api_url,
            DATABASE_URL=f"sqlite:///{tmp / 'ladderbot.db'}",
            WEB_CONCURRENCY=str(args.workers),
            LOG_LEVEL=args.log_level,
            PYTHONUNBUFFERED="1",
        )
        try:
            ladderbot = Server(
                "ladderbot",
                [sys.executable, "-m", "bot", "serve", "--http", "--workers", str(args.workers)],
                env,
                tmp / "ladderbot.log",
            )
            servers.append(ladderbot)
            bare = Server(
                "bare bolt",
                [sys.executable, "-m", "bench._bare_app", "--workers", str(args.workers)],
                env,
                tmp / "bare.log",
            )
            servers.append(bare)
            for server in servers:
                server.wait_ready()

            def one_round(measure: dict[str, list[float]] | None) -> None:
                for server in servers:
                    body, headers = signed_command(verifier, args.text, fake.new_response_url())
                    elapsed = server.post(body, headers)
                    if measure is not None:
                        measure[server.name].append(elapsed)

            for _ in range(args.warmup):
                one_round(None)
            # Let the warm-up's post-ack work (answers to response_url) finish.
            fake.wait_for("response_url", args.warmup, timeout=30)
            before = len(fake.accepted("response_url"))

            profilers = start_profiler(ladderbot.process.pid, Path(args.profile)) if args.profile else []
            timings: dict[str, list[float]] = {s.name: [] for s in servers}
            started = time.perf_counter()
            for _ in range(args.requests):
                one_round(timings)
            measured_for = time.perf_counter() - started
            try:
                fake.wait_for("response_url", before + args.requests, timeout=60)
            except AssertionError:
                pass
            if profilers:
                stop_profiler(profilers)
            answered = len(fake.accepted("response_url")) - before
            slow = slow_slack(ladderbot, fake, verifier, args) if args.slow_seconds > 0 else None
        finally:
            for server in servers:
                server.stop()
        fake_errors = list(fake.errors)

    stats = {name: summary_ms(values) for name, values in timings.items()}
    a, b = stats["ladderbot"], stats["bare bolt"]
    print(
        f"ack latency: {args.requests} signed '/ladder {args.text}' per app, interleaved, keep-alive; "
        f"{args.workers} gunicorn gthread workers each; LOG_LEVEL={args.log_level}; "
        f"measured phase {measured_for:.1f} s"
    )
    print(
        table(
            ["app", "n", "p50 ms", "p90 ms", "p99 ms", "max ms", "mean ms"],
            [[name, s["n"], s["p50"], s["p90"], s["p99"], s["max"], s["mean"]] for name, s in stats.items()],
        )
    )
    ratio = a["p99"] / b["p99"]
    print(f"\np99 ratio ladderbot / bare = {ratio:.2f}   (p50 ratio {a['p50'] / b['p50']:.2f})")
    for server in servers:
        print(f"{server.name}: HTTP statuses {server.statuses}, reconnects {server.reconnects}")
    print(f"ladderbot answers posted to response_url after the acks: {answered}/{args.requests}")
    if fake_errors:
        print(f"fake Slack errors: {fake_errors[:3]}")
    if args.profile:
        print(f"profiles: {args.profile}/ladderbot_ack.speedscope.json, {args.profile}/ladderbot_ack.svg")
    print(f"logs: {tmp}")

    if slow is not None:
        ack = summary_ms(slow.acks)
        print(
            f"\nslow Slack: every Slack call answered after {args.slow_seconds:g} s; {args.slow_requests} "
            f"'/ladder {args.text}' from {args.slow_concurrency} clients at once, to ladderbot"
        )
        print(
            table(
                ["acks", "n", "p50 ms", "p90 ms", "p99 ms", "max ms", "mean ms"],
                [["ladderbot", ack["n"], ack["p50"], ack["p90"], ack["p99"], ack["max"], ack["mean"]]],
            )
        )
        print(
            f"HTTP statuses {slow.statuses}; acked 'busy, try again': {slow.busy}; accepted: {slow.accepted}; "
            f"answers that reached Slack: {slow.answered}, the last {slow.last_answer_s:.1f} s after the first command"
        )

    verdicts = Verdicts()
    verdicts.check(
        f"ladderbot p99 <= {MAX_RATIO}x bare p99",
        ratio <= MAX_RATIO,
        f"{a['p99']:.1f} ms vs {b['p99']:.1f} ms = {ratio:.2f}x",
    )
    verdicts.check(f"ladderbot p99 < {MAX_P99_MS:.0f} ms", a["p99"] < MAX_P99_MS, f"{a['p99']:.1f} ms")
    all_ok = all(s.statuses.keys() == {200} for s in servers)
    verdicts.check("every request acked with HTTP 200", all_ok, "; ".join(f"{s.name} {s.statuses}" for s in servers))
    if slow is not None:
        ack = summary_ms(slow.acks)
        verdicts.check(
            f"slow Slack: every ack < {MAX_SLOW_ACK_MS:.0f} ms",
            ack["max"] < MAX_SLOW_ACK_MS,
            f"max {ack['max']:.1f} ms, p99 {ack['p99']:.1f} ms",
        )
        verdicts.check(
            "slow Slack: every command acked with HTTP 200", slow.statuses.keys() == {200}, str(slow.statuses)
        )
        verdicts.check(
            "slow Slack: every accepted command answered",
            slow.answered >= slow.accepted,
            f"{slow.answered}/{slow.accepted}",
        )
    return verdicts.print()


if __name__ == "__main__":
    sys.exit(main())
