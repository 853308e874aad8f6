"""Growth-prompt run at scale: NudgeRunner.run_due for N people against a rate-limited Slack.

Run from the repository root::

    .venv/bin/python -m bench.nudge_run [--db sqlite|postgres|both] [--people 10000]
                                        [--rate 500] [--threads T] [--profile DIR [--gil|--wall]]
                                        [--case limit|sporadic|all] [--sporadic-people 1000]
                                        [--sporadic-p 0.02]

For each database (default: SQLite, then PostgreSQL 15 on 127.0.0.1:5432, user
postgres, a scratch database ``ladderbot_bench_<random>`` created and dropped here):

1. migrates a fresh database and gives ``--people`` people a target level (and mostly
   a current level one rung below) with ``store.update_person``, all due: default
   schedule (weekdays 10:00, tz UTC until users.info says Europe/London) and the run
   is at 2026-11-23T12:00:00+00:00, a Monday;
2. starts FakeSlack in a separate process (bench/_fake_slack_proc.py) with
   ``rate_limit("chat.postMessage", --rate)``, so the fake's CPU is measured apart; the
   people are workspace members its users.list returns (``--no-roster``: they are not,
   so a runner that reads users.list falls back to users.info per person);
3. runs ``NudgeRunner.from_settings(store, Content(bundled ladder), settings).run_due(now)``
   in this process, built as ``ladderbot nudges run-due`` builds it (429s paced through
   one shared Pacer), and measures
   wall time, this process's CPU (``time.process_time``), the fake's and the
   PostgreSQL server's (from /proc, reported apart), peak RSS
   (sampled from /proc every 20 ms during the run);
4. counts, from the fake's record of accepted chat.postMessage calls, duplicates
   (people with more than one) and lost (people with none).

The floor is ``people / rate`` seconds: Slack's limit, the fastest any sender can go.
``--profile DIR`` attaches ``py-spy record --threads`` (``--gil`` too with ``--gil``) to this
process for the run phase only (it slows the run down: read shares, not times).

Targets per database: wall <= 1.1x floor, < 2 ms CPU per nudge, 0 duplicates, 0 lost.

The "sporadic 429s" case (``--case sporadic``; ``all``, the default, runs both) sends to
``--sporadic-people`` people twice against the same rate limit: once as above, and once
with the fake also answering each ``chat.postMessage`` 429 + Retry-After 1 s with
probability ``--sporadic-p`` (seeded), whatever the rate. Honouring Retry-After, nobody
sends while a 429's window is open, so that run's floor is ``people / rate`` plus the
seconds the 429s' Retry-After windows covered (overlaps counted once), measured by the
fake in the same run. Target: wall <= 1.2x that floor (a pacer that only ever slows
down falls to a few sends a second and misses it by far), 0 duplicates, 0 lost.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

import storage
from bench._common import ROOT, Verdicts, table
from bot.config import BUNDLED_CONTENT, Settings
from bot.content import Content
from bot.nudges.runner import NudgeRunner
from tests.fakes.slack_requests import BOT_TOKEN, TEAM

RUN_AT = datetime(2026, 11, 23, 12, 0, tzinfo=timezone.utc)  # a Monday, 12:00 in London
MAX_FLOOR_RATIO = 1.1
MAX_SPORADIC_RATIO = 1.2
SPORADIC_RETRY_AFTER = 1
MAX_CPU_MS = 2.0
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
PAGE = os.sysconf("SC_PAGE_SIZE")


class FakeSlackProcess:
    """bench/_fake_slack_proc.py as a child process."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bench._fake_slack_proc"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        self.api_url = self._read()["api_url"]

    def _read(self) -> dict:
        line = self.process.stdout.readline()  # type: ignore[union-attr]
        if not line:
            raise RuntimeError("fake Slack process exited")
        return json.loads(line)

    def ask(self, **command) -> dict:
        self.process.stdin.write(json.dumps(command) + "\n")  # type: ignore[union-attr]
        self.process.stdin.flush()  # type: ignore[union-attr]
        return self._read()

    def stop(self) -> None:
        try:
            self.ask(cmd="quit")
        except (OSError, RuntimeError):
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def postgres_cpu_s(database: str) -> float:
    """CPU seconds (user + system) of the PostgreSQL processes serving ``database`` (its
    backends and autovacuum workers, by their process titles) plus the server's shared
    background processes (WAL writer, checkpointer, ...), from /proc; other databases' excluded."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/stat") as f:
                stat = f.read()
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                title = f.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        name, fields = stat[stat.index("(") + 1 : stat.rindex(")")], stat[stat.rindex(")") + 2 :].split()
        if not name.startswith("postgres") or not title.startswith("postgres:"):
            continue
        is_backend = "(" in title or "autovacuum worker" in title  # "postgres: user db host(port) state"
        if database in title or not is_backend:
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / tick


class RssSampler(threading.Thread):
    """Peak resident set size of this process, sampled from /proc/self/statm."""

    def __init__(self, every: float = 0.02) -> None:
        super().__init__(daemon=True, name="rss-sampler")
        self.every = every
        self.peak = self.now()
        self._halt = threading.Event()

    @staticmethod
    def now() -> int:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * PAGE

    def run(self) -> None:
        while not self._halt.wait(self.every):
            self.peak = max(self.peak, self.now())

    def stop(self) -> int:
        self._halt.set()
        self.join()
        self.peak = max(self.peak, self.now())
        return self.peak


def level_pairs(content: Content) -> list[tuple[str | None, str]]:
    """(current, target) pairs: each level as a target, from one rung below when there is one."""
    pairs: list[tuple[str | None, str]] = []
    for track in content.answerer.ladder.tracks.values():
        for target in track.levels:
            below = [l for l in track.levels if l.rank < target.rank]
            pairs.append((below[-1].id if below else None, target.id))
    return pairs


def create_postgres() -> tuple[str, str]:
    import psycopg

    name = f"ladderbot_bench_{secrets.token_hex(4)}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return name, f"postgresql://postgres@127.0.0.1:5432/{name}"


def drop_postgres(name: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,))
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


def start_profiler(out_dir: Path, label: str, gil: bool, wall: bool = False) -> subprocess.Popen:
    """py-spy (one recorder, speedscope format) on this process, all threads: on-CPU samples
    only, or only the GIL holder's (gil), or idle ones too (wall)."""
    py_spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    out_dir.mkdir(parents=True, exist_ok=True)
    suffix = "_gil" if gil else "_wall" if wall else ""
    argv = [
        py_spy,
        "record",
        "--threads",
        "-r",
        "100",
        "-f",
        "speedscope",
        "-o",
        str(out_dir / f"nudge_{label}{suffix}.speedscope.json"),
        "--pid",
        str(os.getpid()),
    ]
    if gil:
        argv.insert(2, "--gil")  # only the thread holding the GIL: what serialises the run
    elif wall:
        argv.insert(2, "--idle")  # waiting threads too: where the wall-clock time goes
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=open(out_dir / f"py-spy-{label}{suffix}.log", "wb"))
    time.sleep(1.5)
    return proc


def stop_profiler(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(timeout=120)
    except subprocess.TimeoutExpired:
        proc.kill()


def make_runner(store, content: Content, settings: Settings, options: dict) -> NudgeRunner:
    """The runner as `ladderbot nudges run-due` builds it (shared pacer, no resend on doubt)."""
    return NudgeRunner.from_settings(store, content, settings, **options)


def run_one(
    db: str, args: argparse.Namespace, fake: FakeSlackProcess, content: Content, people: int, p429: float = 0.0
) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix="ladderbot-nudge-"))
    pg_name = None
    if db == "sqlite":
        url = f"sqlite:///{tmp / 'ladderbot.db'}"
    else:
        pg_name, url = create_postgres()
    try:
        storage.upgrade(url)
        store = storage.Store(url)
        pairs = level_pairs(content)
        seeded = time.perf_counter()
        users = [f"U{i:08d}" for i in range(people)]
        for i, user in enumerate(users):
            current, target = pairs[i % len(pairs)]
            store.update_person(TEAM, user, target_level_id=target, current_level_id=current)
        seed_s = time.perf_counter() - seeded

        fake.ask(cmd="reset")
        fake.ask(cmd="rate", method="chat.postMessage", per_second=args.rate)
        if p429:
            fake.ask(cmd="random429", method="chat.postMessage", p=p429, retry_after=SPORADIC_RETRY_AFTER, seed=1)
        roster = False
        if not args.no_roster:  # like real Slack, users.list knows every member of the workspace
            roster = fake.ask(cmd="members", user_ids=users).get("supported", False)
        settings = Settings(
            content_dir=BUNDLED_CONTENT, database_url=url, slack_api_url=fake.api_url, slack_bot_token=BOT_TOKEN
        )
        extra = {"threads": args.threads} if args.threads else {}
        runner = make_runner(store, content, settings, extra)

        profiler = start_profiler(Path(args.profile), db, args.gil, args.wall) if args.profile else None
        fake_before = fake.ask(cmd="cpu")["cpu_s"]
        pg_before = postgres_cpu_s(pg_name) if pg_name else 0.0
        rss_before = RssSampler.now()
        sampler = RssSampler()
        sampler.start()
        cpu_started = time.process_time()
        times_started = os.times()
        started = time.perf_counter()
        summary = runner.run_due(RUN_AT)
        wall = time.perf_counter() - started
        pacer_rate = getattr(getattr(runner, "pacer", None), "rate", None)  # what a client-side pacer learned
        cpu = time.process_time() - cpu_started
        sys_cpu = os.times().system - times_started.system
        peak = sampler.stop()
        if profiler is not None:
            stop_profiler(profiler)
        pg_cpu = (
            (postgres_cpu_s(pg_name) - pg_before) if pg_name else 0.0
        )  # before dispose(): the pool's backends are still alive
        stats = fake.ask(cmd="stats", method="chat.postMessage")
        fake_cpu = stats["cpu_s"] - fake_before
        per_channel = stats["accepted_per_channel"]
        counts = [per_channel.get(u, 0) for u in users]
        history = store.nudge_history((TEAM, user) for user in users)
        sent_in_db = sum(1 for nudges in history.values() for nudge in nudges if nudge.status == "sent")
        store.dispose()
        return {
            "db": db,
            "people": people,
            "p429": p429,
            "blocked_s": stats["blocked_s"],
            "roster": roster,
            "pacer_rate": pacer_rate,
            "seed_s": seed_s,
            "summary": summary.line(),
            "sent": summary.sent,
            "sent_in_db": sent_in_db,
            "accepted": sum(counts),
            "wall": wall,
            # With sporadic 429s, the time their Retry-After kept everyone out is part of the floor.
            "floor": people / args.rate + (stats["blocked_s"] if p429 else 0.0),
            "cpu_ms": cpu * 1000 / max(1, summary.sent),
            "fake_cpu_ms": fake_cpu * 1000 / max(1, summary.sent),
            "cpu_s": cpu,
            "sys_s": sys_cpu,
            "fake_cpu_s": fake_cpu,
            "pg_cpu_s": pg_cpu if db == "postgres" else 0.0,
            "rss_before": rss_before / 2**20,
            "rss_peak": peak / 2**20,
            "duplicates": sum(1 for c in counts if c > 1),
            "lost": sum(1 for c in counts if c == 0),
            "statuses": stats["statuses"],
            "deciles": stats["deciles"],
            "span_s": stats["span_s"],
            "methods": stats["methods"],
            "fake_errors": stats["errors"],
        }
    finally:
        if pg_name:
            drop_postgres(pg_name)
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description="NudgeRunner.run_due at scale against a rate-limited fake Slack.")
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--people", type=int, default=10_000, help="people due (default 10000)")
    parser.add_argument("--rate", type=float, default=500.0, help="chat.postMessage calls/s allowed (default 500)")
    parser.add_argument("--threads", type=int, default=0, help="NudgeRunner threads (default: the product's)")
    parser.add_argument(
        "--no-roster",
        action="store_true",
        help="don't list the people as workspace members in users.list (forces users.info fallbacks)",
    )
    parser.add_argument("--profile", metavar="DIR", help="py-spy record this process during each run into DIR")
    parser.add_argument("--gil", action="store_true", help="with --profile: sample only the GIL holder")
    parser.add_argument("--wall", action="store_true", help="with --profile: sample idle threads too")
    parser.add_argument(
        "--case",
        choices=("limit", "sporadic", "all"),
        default="all",
        help="limit: --people against the rate limit; sporadic: random 429s too; all: both",
    )
    parser.add_argument("--sporadic-people", type=int, default=1_000, help="people due in the sporadic case (1000)")
    parser.add_argument("--sporadic-p", type=float, default=0.02, help="chance of a 429 per call in that case (0.02)")
    args = parser.parse_args()

    import logging

    logging.basicConfig(level=logging.ERROR)  # the runner logs a warning per failed nudge; keep the table readable
    content = Content(BUNDLED_CONTENT)
    fake = FakeSlackProcess()
    results, sporadic = [], []
    try:
        for db in ("sqlite", "postgres") if args.db == "both" else (args.db,):
            if args.case in ("limit", "all"):
                print(f"[{db}] seeding {args.people:,} people and running ...", flush=True)
                results.append(run_one(db, args, fake, content, args.people))
                r = results[-1]
                print(f"[{db}] {r['summary']}; seeded in {r['seed_s']:.1f} s; run {r['wall']:.1f} s", flush=True)
            if args.case in ("sporadic", "all"):
                for p429 in (0.0, args.sporadic_p):
                    print(f"[{db}] {args.sporadic_people:,} people, random 429s at p={p429:g} ...", flush=True)
                    sporadic.append(run_one(db, args, fake, content, args.sporadic_people, p429))
                    r = sporadic[-1]
                    print(f"[{db}] {r['summary']}; run {r['wall']:.1f} s", flush=True)
    finally:
        fake.stop()

    verdicts = Verdicts()
    if results:
        _report_limit(args, results, verdicts)
    if sporadic:
        _report_sporadic(args, sporadic, verdicts)
    return verdicts.print()


def _report_limit(args: argparse.Namespace, results: list[dict], verdicts: Verdicts) -> None:
    threads = args.threads or NudgeRunner.__init__.__kwdefaults__["threads"]
    print(
        f"\nnudge run: {args.people:,} people due at {RUN_AT.isoformat()}, chat.postMessage limited to "
        f"{args.rate:g}/s, NudgeRunner threads={threads}, fake Slack in its own process, "
        f"users.list lists them: {'yes' if results and results[0]['roster'] else 'no'}"
    )
    print(
        table(
            [
                "db",
                "sent",
                "wall s",
                "floor s",
                "wall/floor",
                "CPU ms/nudge",
                "fake CPU ms/nudge",
                "RSS before MiB",
                "RSS peak MiB",
                "duplicates",
                "lost",
            ],
            [
                [
                    r["db"],
                    r["sent"],
                    r["wall"],
                    r["floor"],
                    r["wall"] / r["floor"],
                    r["cpu_ms"],
                    r["fake_cpu_ms"],
                    r["rss_before"],
                    r["rss_peak"],
                    r["duplicates"],
                    r["lost"],
                ]
                for r in results
            ],
        )
    )
    for r in results:
        print(
            f"{r['db']}: {r['summary']}; 'sent' rows in DB {r['sent_in_db']:,}; accepted chat.postMessage "
            f"{r['accepted']:,}; chat.postMessage statuses {r['statuses']}; calls {r['methods']}; "
            f"throughput {r['sent'] / r['wall']:.0f} nudges/s; CPU {r['cpu_s']:.1f} s bot (of which kernel "
            f"{r['sys_s']:.1f} s) + {r['fake_cpu_s']:.1f} s fake"
            + (
                f" + {r['pg_cpu_s']:.1f} s PostgreSQL server ({r['pg_cpu_s'] * 1000 / max(1, r['sent']):.2f} ms/nudge)"
                if r["db"] == "postgres"
                else ""
            )
        )
        if r["pacer_rate"] is not None:
            print(
                f"{r['db']}: the runner's pacer ended the run sending at {r['pacer_rate']:.0f}/s "
                f"(Slack's limit here: {args.rate:g}/s)"
            )
        if r["span_s"]:
            rates = [n / (r["span_s"] / 10) for n in r["deciles"]]
            print(
                f"{r['db']}: chat.postMessage accepted per second, by tenth of the run: "
                + " ".join(f"{x:.0f}" for x in rates)
            )
        if r["fake_errors"]:
            print(f"{r['db']}: fake Slack errors {r['fake_errors']}")
    if args.profile:
        print(
            f"profiles: {args.profile}/nudge_<db>{'_gil' if args.gil else '_wall' if args.wall else ''}.speedscope.json (open in speedscope.app)"
        )

    for r in results:
        ratio = r["wall"] / r["floor"]
        verdicts.check(
            f"[{r['db']}] wall <= {MAX_FLOOR_RATIO}x floor",
            ratio <= MAX_FLOOR_RATIO,
            f"{r['wall']:.1f} s vs {r['floor']:.1f} s = {ratio:.2f}x",
        )
        verdicts.check(
            f"[{r['db']}] CPU < {MAX_CPU_MS:g} ms per nudge",
            r["cpu_ms"] < MAX_CPU_MS,
            f"{r['cpu_ms']:.2f} ms in the bot process, fake Slack {r['fake_cpu_ms']:.2f} ms apart",
        )
        verdicts.check(f"[{r['db']}] 0 duplicates", r["duplicates"] == 0, f"{r['duplicates']}")
        verdicts.check(f"[{r['db']}] 0 lost", r["lost"] == 0, f"{r['lost']} of {r['people']:,}")


def _report_sporadic(args: argparse.Namespace, runs: list[dict], verdicts: Verdicts) -> None:
    print(
        f"\nsporadic 429s: {args.sporadic_people:,} people, chat.postMessage limited to {args.rate:g}/s, and "
        f"answered 429 + Retry-After {SPORADIC_RETRY_AFTER} s at random with p={args.sporadic_p:g} (seeded); "
        "floor = people / rate + seconds under Retry-After"
    )
    print(
        table(
            ["db", "429 p", "sent", "429s", "Retry-After s", "floor s", "wall s", "wall/floor", "duplicates", "lost"],
            [
                [
                    r["db"],
                    r["p429"],
                    r["sent"],
                    r["statuses"].get("429", 0),
                    r["blocked_s"],
                    r["floor"],
                    r["wall"],
                    r["wall"] / r["floor"],
                    r["duplicates"],
                    r["lost"],
                ]
                for r in runs
            ],
        )
    )
    for r in runs:
        if r["pacer_rate"] is not None:
            print(f"{r['db']} p={r['p429']:g}: the pacer ended the run at {r['pacer_rate']:.0f}/s")
        if r["p429"]:
            ratio = r["wall"] / r["floor"]
            verdicts.check(
                f"[{r['db']}] sporadic 429s: wall <= {MAX_SPORADIC_RATIO}x floor",
                ratio <= MAX_SPORADIC_RATIO,
                f"{r['wall']:.1f} s vs {r['floor']:.1f} s = {ratio:.2f}x "
                f"({r['statuses'].get('429', 0)} 429s kept senders out {r['blocked_s']:.1f} s)",
            )
            verdicts.check(
                f"[{r['db']}] sporadic 429s: 0 duplicates, 0 lost",
                r["duplicates"] == r["lost"] == 0,
                f"{r['duplicates']} duplicates, {r['lost']} lost of {r['people']:,}",
            )


if __name__ == "__main__":
    sys.exit(main())
