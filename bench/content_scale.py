"""Ladder content at scale: load + index 1,000 level documents, then answer 1,000 questions.

Run from the repository root::

    .venv/bin/python -m bench.content_scale [--tracks 50] [--levels 20] [--queries 1000]
                                            [--seed 7] [--keep DIR] [--profile DIR]

Generates ``tracks x levels`` realistic level documents in a temp dir (a folder per
track; ``# L{n}: Title``, a ``>`` tagline, 4 ``- **Label**: value`` metadata items,
4-6 ``## <emoji> Section`` headings each with 5-12 ``- I ...`` competencies of 10-25
words and a ``<details><summary>Examples</summary>`` list of 2-5 examples), then
times, in this fresh process:

* ``load_ladder(dir)`` + ``Answerer(ladder)`` (parse + search index) together: the
  cold figure is the one the target is judged on (what a bot start or a content
  reload costs); two more warm repeats are shown for reference;
* ``answerer.ask(q)`` for ``--queries`` questions, a third each lookups
  ("L7 senior platform"), compares ("what separates L4 from L5 in <track>?",
  "L3 vs L4 <track>") and searches ("how do I get better at mentoring?"), shuffled.

Memory: ru_maxrss after the timed run (no tracemalloc, which slows Python down; and
the largest child's, should loading use worker processes), then the tracemalloc peak
of a separate load + index + queries pass (this process only).
``--profile DIR`` writes pyinstrument reports of a fresh load + index and of the
queries (stemmer cache cleared first, so the load profile is a cold one).

Targets: load + index < 2 s; query p99 < 5 ms. Beside each wall time, the CPU seconds of
load + index in all processes (this one and the loader's workers): steadier than wall time
on a machine that other work shares (on 2 idle cores, wall time is at least CPU / 2).

Then, in the same run, a **mixed-shape** case (``--mixed-docs``, default 1,000 documents):
every shape the loader reads, in equal shares: one file per level in the customer's
format and its variants (codes in parentheses, no colon, sub-levels, front matter,
bold pseudo-headings, no extension, level only in the file name; nested bullets,
``###`` sub-categories, paragraph criteria), several levels per file (README-style
``## Title (IC n)`` sections and role pages), markdown and HTML tables with levels as
columns, YAML and JSON job-family files, YAML front matter carrying a matrix, and HTML
pages. Its questions are made from the loaded ladder itself (lookups by code and by
title, compares of neighbouring levels, searches). Targets: load + index < 1.5 s;
query p99 < 5 ms. It runs in a fresh child process, cold like the first case.
"""

from __future__ import annotations

import argparse
import gc
import random
import resource
import shutil
import sys
import tempfile
import time
import tracemalloc
from collections import Counter, defaultdict
from pathlib import Path

from bench._common import Verdicts, max_rss_mib, summary_ms, table
from bot.ladder import search as search_module
from bot.ladder.answers import Answerer
from bot.ladder.loader import load_ladder

MAX_LOAD_S = 2.0
MAX_QUERY_P99_MS = 5.0
MAX_MIXED_LOAD_S = 1.5

# --- realistic vocabulary ------------------------------------------------------------

TRACKS = [  # (track name, the noun used in its level titles)
    ("Platform Engineering", "Platform"),
    ("Data Engineering", "Data"),
    ("Site Reliability", "Reliability"),
    ("Security Engineering", "Security"),
    ("Mobile Engineering", "Mobile"),
    ("Frontend Engineering", "Frontend"),
    ("Backend Engineering", "Backend"),
    ("Machine Learning", "ML"),
    ("Quality Engineering", "Quality"),
    ("Developer Experience", "DevEx"),
    ("Infrastructure", "Infrastructure"),
    ("Cloud Engineering", "Cloud"),
    ("Support", "Support"),
    ("Engineering Management", "Management"),
    ("Product Design", "Design"),
    ("Data Science", "Science"),
    ("Analytics Engineering", "Analytics"),
    ("Release Engineering", "Release"),
    ("Build Systems", "Build"),
    ("Networking", "Network"),
    ("Database Reliability", "Database"),
    ("Payments Engineering", "Payments"),
    ("Identity", "Identity"),
    ("Embedded Systems", "Embedded"),
    ("Game Engineering", "Game"),
    ("Search Engineering", "Search"),
    ("Observability", "Observability"),
    ("Performance Engineering", "Performance"),
    ("Technical Writing", "Documentation"),
    ("Solutions Engineering", "Solutions"),
    ("Customer Engineering", "Customer"),
    ("Developer Relations", "Advocacy"),
    ("Growth Engineering", "Growth"),
    ("Billing Platform", "Billing"),
    ("Compliance Engineering", "Compliance"),
    ("Edge Computing", "Edge"),
    ("Storage Systems", "Storage"),
    ("Compiler Engineering", "Compiler"),
    ("Kernel Engineering", "Kernel"),
    ("Graphics Engineering", "Graphics"),
    ("Audio Engineering", "Audio"),
    ("Robotics", "Robotics"),
    ("Firmware", "Firmware"),
    ("Hardware Verification", "Verification"),
    ("Test Infrastructure", "Test"),
    ("Internal Tools", "Tools"),
    ("Messaging Platform", "Messaging"),
    ("API Platform", "API"),
    ("Privacy Engineering", "Privacy"),
    ("Localization Engineering", "Localization"),
]
TITLES = [  # 20 rungs; {n} is the track's noun
    "Graduate {n} Engineer",
    "Associate {n} Engineer",
    "{n} Engineer",
    "{n} Engineer II",
    "Senior {n} Engineer",
    "Senior {n} Engineer II",
    "Lead {n} Engineer",
    "Staff {n} Engineer",
    "Senior Staff {n} Engineer",
    "Principal {n} Engineer",
    "Senior Principal {n} Engineer",
    "Distinguished {n} Engineer",
    "{n} Fellow",
    "{n} Architect",
    "Senior {n} Architect",
    "Chief {n} Architect",
    "{n} Engineering Manager",
    "Senior {n} Engineering Manager",
    "Director of {n} Engineering",
    "VP of {n} Engineering",
]
SECTIONS = [
    ("🦉", "Domain expertise"),
    ("🌱", "Teaching and Mentoring"),
    ("🧭", "Culture and Leadership"),
    ("🏆", "Customer Success"),
    ("🛠️", "Technical Craft"),
    ("📣", "Communication"),
    ("🔒", "Security and Reliability"),
    ("🚀", "Delivery"),
    ("🤝", "Collaboration"),
    ("📈", "Business Impact"),
]
METADATA = [
    (
        "Planning horizon",
        [
            "Current cycle",
            "Current and next cycle",
            "Next two quarters",
            "6-12 months",
            "One to two years",
            "Two to three years",
        ],
    ),
    ("Impact radius", ["Self", "Peers (2-5)", "Team (5-10)", "Several teams", "Department", "Whole company"]),
    (
        "Evaluation",
        ["Manager", "Manager and peers", "Manager and skip-level", "Engineering leadership", "Executive team"],
    ),
    (
        "Responsibility and direction needed",
        [
            "Works on well-defined tasks with close guidance.",
            "Takes small features from idea to production.",
            "Takes vertical slices of larger products from idea to production.",
            "Sets technical direction for a team and its neighbours.",
            "Owns outcomes across several teams with little direction.",
            "Shapes strategy for the whole organisation.",
        ],
    ),
]
SUBJECTS = ["I", "I consistently", "I confidently", "I proactively", "I reliably", "I regularly", "I thoughtfully"]
VERBS = [
    "design",
    "review",
    "automate",
    "document",
    "own",
    "improve",
    "measure",
    "simplify",
    "plan",
    "deliver",
    "refactor",
    "test",
    "monitor",
    "prioritise",
    "estimate",
    "negotiate",
    "coordinate",
    "mentor",
    "coach",
    "teach",
    "facilitate",
    "champion",
    "challenge",
    "debug",
    "profile",
    "secure",
    "scale",
    "operate",
    "explain",
    "present",
    "write",
    "lead",
    "support",
    "onboard",
    "shape",
    "influence",
    "evaluate",
    "migrate",
]
OBJECTS = [
    "the deployment pipeline",
    "service level objectives",
    "technical debt in our services",
    "incident response runbooks",
    "cross-team architecture decisions",
    "the on-call rotation",
    "database schema changes",
    "customer-facing APIs",
    "internal developer tooling",
    "code review practices",
    "security vulnerabilities",
    "observability dashboards and alerts",
    "capacity planning",
    "performance regressions",
    "the product roadmap",
    "hiring loops and interviews",
    "new team members",
    "junior engineers",
    "design documents and proposals",
    "postmortems after outages",
    "stakeholder expectations",
    "the release process",
    "infrastructure as code",
    "feature flags",
    "data quality checks",
    "test coverage for critical paths",
    "build times",
    "dependency upgrades",
    "accessibility requirements",
    "compliance controls",
    "cost of our cloud resources",
    "pairing sessions",
    "knowledge sharing sessions",
    "team rituals and retrospectives",
    "difficult conversations",
    "feedback for peers",
    "long-term technical strategy",
]
QUALIFIERS = [
    "with minimal guidance from my manager",
    "so that customers get reliable releases",
    "and share what I learn with my peers",
    "across several teams and time zones",
    "before problems reach production",
    "in a way that others can follow and maintain",
    "while balancing speed and quality",
    "using data rather than opinion",
    "and ask for help early when I get stuck",
    "so the team can move faster with confidence",
    "in line with our engineering principles",
    "even when the work is unglamorous",
    "by writing clear and concise documentation",
    "and hold myself accountable for the outcome",
    "taking the wider business context into account",
    "for the services my team owns",
    "and raise risks with stakeholders before they become blockers",
    "that set an example for the rest of the organisation",
]
EXTRAS = [
    "and I keep improving it over time",
    "while keeping customers in mind",
    "as our systems grow",
    "without waiting to be asked",
    "with empathy and patience",
    "and measure the results",
    "in small, incremental steps",
    "so nobody gets blocked",
]
EXAMPLE_LEADS = [
    "I led",
    "I proposed",
    "I noticed",
    "I organised",
    "I paired on",
    "I wrote",
    "I rolled out",
    "I untangled",
    "I ran",
    "I volunteered for",
]
EXAMPLE_THINGS = [
    "a migration off the legacy queue",
    "a knowledge sharing session on tracing",
    "the postmortem for a customer-facing outage",
    "a design review for a new service",
    "an RFC that changed how we deploy",
    "a hiring loop for two senior engineers",
    "a cost review that halved our storage bill",
    "the first accessibility audit of the app",
    "a cross-team working group on flaky tests",
    "onboarding for three new hires",
]
EXAMPLE_ENDINGS = [
    "and shipped it on time.",
    "which the team adopted.",
    "and shared the lessons widely.",
    "and it became the new default.",
    "with support from my manager.",
    "and we have not had a repeat since.",
]
SEARCHES = [
    "how do I get better at mentoring?",
    "how can I improve my incident response?",
    "code review",
    "what does good stakeholder communication look like?",
    "how do I influence technical direction?",
    "technical debt",
    "how do I grow as a leader?",
    "on-call",
    "how do I get better at estimating?",
    "security vulnerabilities",
    "writing design documents",
    "how can I coach junior engineers?",
    "capacity planning",
    "giving feedback to peers",
    "difficult conversations",
    "observability and alerting",
    "how do I improve test coverage?",
    "release process",
    "cost of cloud resources",
    "hiring and interviews",
    "how do I get better at planning the roadmap?",
    "performance regressions",
    "accessibility",
    "knowledge sharing",
    "postmortems",
    "how do I become more customer focused?",
    "feature flags",
    "data quality",
    "how do I scale our services?",
    "how do I present to executives?",
    "pairing",
    "how do I handle compliance controls?",
    "onboarding new team members",
    "dependency upgrades",
    "how do I simplify our architecture?",
    "build times",
    "retrospectives",
    "how do I negotiate scope?",
    "automation of the deployment pipeline",
    "long term strategy",
]


def _sentence(rng: random.Random, lo: int, hi: int) -> str:
    """A '- I ...' competency of lo..hi words."""
    words = f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)} {rng.choice(QUALIFIERS)}".split()
    while len(words) < lo:
        words += rng.choice(EXTRAS).split()
    target = rng.randint(lo, hi)
    while len(words) < target:
        extra = rng.choice(EXTRAS).split()
        if len(words) + len(extra) > hi:
            break
        words += extra
    return " ".join(words[:hi]) + "."


def level_document(rng: random.Random, track: str, noun: str, rank: int) -> str:
    title = TITLES[rank - 1].format(n=noun)
    lines = [
        f"# L{rank}: {title}",
        "",
        f"> _I am a {rng.choice(['trusted', 'dependable', 'highly sought-after', 'respected'])} member of "
        f"the {track} group who {rng.choice(VERBS)}s {rng.choice(OBJECTS)} {rng.choice(QUALIFIERS)}._",
        "",
    ]
    for label, values in METADATA:
        lines.append(f"- **{label}**: {values[min(len(values) - 1, (rank - 1) * len(values) // 20)]}")
    lines.append("")
    for emoji, name in rng.sample(SECTIONS, rng.randint(4, 6)):
        lines += [f"## {emoji} {name}", ""]
        lines += [f"- {_sentence(rng, 10, 25)}" for _ in range(rng.randint(5, 12))]
        lines += ["", "<details>", "<summary>Examples</summary>", ""]
        lines += [
            f"- {rng.choice(EXAMPLE_LEADS)} {rng.choice(EXAMPLE_THINGS)} {rng.choice(EXAMPLE_ENDINGS)}"
            for _ in range(rng.randint(2, 5))
        ]
        lines += ["", "</details>", ""]
    return "\n".join(lines)


def generate(root: Path, tracks: int, levels: int, seed: int) -> tuple[int, int]:
    rng = random.Random(seed)
    count = size = 0
    for track, noun in TRACKS[:tracks]:
        folder = root / track.lower().replace(" ", "-")
        folder.mkdir(parents=True, exist_ok=True)
        for rank in range(1, levels + 1):
            slug = TITLES[rank - 1].format(n=noun).lower().replace(" ", "-")
            text = level_document(rng, track, noun, rank)
            (folder / f"L{rank}-{slug}.md").write_text(text, encoding="utf-8")
            count += 1
            size += len(text.encode())
    return count, size


# --- the mixed-shape case -------------------------------------------------------------

SHAPES = ("customer", "variant", "multi", "role-page", "table", "html-table", "yaml", "json", "front-matter", "html")
PLAIN_TITLES = [
    "Graduate {n} Engineer",
    "Junior {n} Engineer",
    "{n} Engineer",
    "Intermediate {n} Engineer",
    "Senior {n} Engineer",
    "Staff {n} Engineer",
    "Principal {n} Engineer",
    "Distinguished {n} Engineer",
]


def _criteria(rng: random.Random, lo: int = 3, hi: int = 8) -> list[str]:
    return [_sentence(rng, 10, 25) for _ in range(rng.randint(lo, hi))]


def _variant_document(rng: random.Random, noun: str, rank: int, style: int) -> tuple[str, str]:
    """(file name, text) of one level in one of the one-file-per-level variants."""
    title = PLAIN_TITLES[(rank - 1) % len(PLAIN_TITLES)].format(n=noun)
    slug = title.lower().replace(" ", "-")
    body = []
    for _emoji, name in rng.sample(SECTIONS, 3):
        body += [f"## {name}", ""]
        for i, text in enumerate(_criteria(rng)):
            body.append(f"- {text}")
            if i == 1:  # a nested criterion and a label-only sub-category
                body.append(f"  - {_sentence(rng, 8, 14)}")
        body += [
            "- Execution:",
            f"  - {_sentence(rng, 8, 14)}",
            f"  - {_sentence(rng, 8, 14)}",
            "",
            f"### {rng.choice(['Practice', 'Habits', 'Scope'])}",
            "",
            f"- {_sentence(rng, 10, 20)}",
            "",
            f"**{rng.choice(['Technical knowledge', 'Ownership', 'Judgement'])}:** {_sentence(rng, 10, 20)}",
            "",
        ]
    body_text = "\n".join(body)
    if style == 0:
        return f"{slug}.md", f"# {title} (IC {rank})\n\n{body_text}"
    if style == 1:
        return f"E{rank}-{slug}.md", f"# E{rank} {title}\n\n{body_text}"
    if style == 2:
        return f"{slug}.md", f"---\ntitle: {title}\nlevel: P{rank}\n---\n\n{body_text}"
    if style == 3:
        return slug, f"**L{rank}.0: {title}\n\n" + body_text.replace("## ", "***").replace("### ", "***")
    return f"L{rank}-{slug}.md", body_text  # the level only in the file name


def _multi_document(rng: random.Random, noun: str, levels: int, coded: bool) -> str:
    lines = [f"# {noun} career ladder", "", "How to read this page.", ""]
    for rank in range(1, levels + 1):
        title = PLAIN_TITLES[rank - 1].format(n=noun)
        lines += [f"## {title} (IC {rank})" if coded else f"## {title}", "", f"> {_sentence(rng, 8, 14)}", ""]
        for _, name in rng.sample(SECTIONS, 3):
            lines += [f"### {name}", "", *(f"- {t}" for t in _criteria(rng)), ""]
    return "\n".join(lines)


def _table_document(rng: random.Random, noun: str, levels: int, html: bool) -> str:
    heads = [
        PLAIN_TITLES[r].format(n=noun).replace(f" {noun} Engineer", "").replace(f"{noun} Engineer", "Engineer")
        for r in range(levels)
    ]
    out = [f"# {noun} matrix", ""]
    for _, name in rng.sample(SECTIONS, 3):
        rows = [(f"{name} {i + 1}", [_sentence(rng, 8, 16) for _ in heads]) for i in range(4)]
        out += [f"## {name}", ""]
        if html:
            out.append("<table>\n<tr><th>Area</th>" + "".join(f"<th>{h}</th>" for h in heads) + "</tr>")
            out += [
                "<tr><td>" + area + "</td>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>" for area, cells in rows
            ]
            out += ["</table>", ""]
        else:
            out += ["| Area | " + " | ".join(heads) + " |", "|---" * (len(heads) + 1) + "|"]
            out += [f"| {area} | " + " | ".join(cells) + " |" for area, cells in rows]
            out.append("")
    return "\n".join(out)


def _family_data(rng: random.Random, noun: str, levels: int) -> dict:
    return {
        "job_families": [
            {
                "name": f"{noun} {kind}",
                "levels": [
                    {
                        "code": f"E{rank}",
                        "title": PLAIN_TITLES[rank - 1].format(n=noun),
                        "competencies": {name: _criteria(rng, 2, 5) for _, name in rng.sample(SECTIONS, 3)},
                    }
                    for rank in range(1, levels + 1)
                ],
            }
            for kind in ("Backend", "Frontend")
        ]
    }


def _matrix_front_matter(rng: random.Random, noun: str, levels: int) -> str:
    import yaml

    topics = [
        {
            "name": name,
            "levels": [
                {
                    "level": f"S{rank}",
                    "title": PLAIN_TITLES[rank - 1].format(n=noun),
                    "criteria": _criteria(rng, 2, 4),
                    "examples": [
                        f"{rng.choice(EXAMPLE_LEADS)} {rng.choice(EXAMPLE_THINGS)} {rng.choice(EXAMPLE_ENDINGS)}"
                    ],
                }
                for rank in range(1, levels + 1)
            ],
        }
        for _, name in rng.sample(SECTIONS, 4)
    ]
    return "---\n" + yaml.safe_dump({"topics": topics}, sort_keys=False) + "---\n\nThe matrix.\n"


def _html_page(rng: random.Random, noun: str, rank: int) -> str:
    title = PLAIN_TITLES[(rank - 1) % len(PLAIN_TITLES)].format(n=noun)
    parts = [f"<html><head><title>{title}</title></head><body><nav><a href='/'>Home</a></nav><h1>{title}</h1>"]
    for _, name in rng.sample(SECTIONS, 3):
        items = "".join(f"<li>{t}</li>" for t in _criteria(rng))
        parts.append(f"<h2>{name}</h2><ul>{items}<li>Execution:<ul><li>{_sentence(rng, 8, 14)}</li></ul></li></ul>")
    return "".join(parts) + "</body></html>"


def _unique_noun(folder_index: int, i: int) -> str:
    """ "Data Mobile": a track name no other file of the case uses, so questions name one level."""
    index = folder_index * 4 + i
    return f"{TRACKS[index % len(TRACKS)][1]} {TRACKS[(index // len(TRACKS)) % len(TRACKS)][1]}"


def generate_mixed(root: Path, documents: int, seed: int) -> tuple[int, int]:
    """`documents` files, a tenth of each shape, in folders of up to 8 files per track."""
    import json

    rng = random.Random(seed + 2)
    count = size = 0
    folder_index = 0
    while count < documents:
        shape = SHAPES[folder_index % len(SHAPES)]
        track, noun = TRACKS[(folder_index // len(SHAPES)) % len(TRACKS)]
        dept = root / f"dept-{folder_index // 50}" / f"{track.lower().replace(' ', '-')}-{shape}-{folder_index}"
        dept.mkdir(parents=True, exist_ok=True)
        files: list[tuple[str, str]] = []
        if shape == "customer":
            files = [(f"L{r}-{noun.lower()}.md", level_document(rng, track, noun, r)) for r in range(1, 9)]
        elif shape == "variant":
            style = rng.randrange(5)
            files = [_variant_document(rng, noun, r, style) for r in range(1, 9)]
        elif shape in ("multi", "role-page"):
            files = [
                (f"{noun.lower()}-{i}.md", _multi_document(rng, _unique_noun(folder_index, i), 5, shape == "multi"))
                for i in range(4)
            ]
        elif shape in ("table", "html-table"):
            files = [
                (
                    f"{noun.lower()}-matrix-{i}.md",
                    _table_document(rng, _unique_noun(folder_index, i), 5, shape == "html-table"),
                )
                for i in range(4)
            ]
        elif shape == "yaml":
            import yaml

            files = [
                (
                    f"{noun.lower()}-{i}.yaml",
                    yaml.safe_dump(_family_data(rng, _unique_noun(folder_index, i), 5), sort_keys=False),
                )
                for i in range(4)
            ]
        elif shape == "json":
            files = [
                (f"{noun.lower()}-{i}.json", json.dumps(_family_data(rng, _unique_noun(folder_index, i), 5), indent=1))
                for i in range(4)
            ]
        elif shape == "front-matter":
            files = [
                (f"{noun.lower()}-matrix-{i}.md", _matrix_front_matter(rng, _unique_noun(folder_index, i), 5))
                for i in range(4)
            ]
        else:
            files = [(f"{noun.lower()}-{r}.html", _html_page(rng, noun, r)) for r in range(1, 9)]
        for name, text in files[: documents - count]:
            (dept / name).write_text(text, encoding="utf-8")
            count += 1
            size += len(text.encode())
        folder_index += 1
    return count, size


def make_ladder_queries(answerer: Answerer, n: int, seed: int) -> list[tuple[str, str]]:
    """Questions made from the loaded ladder: whatever its shapes, they name real levels."""
    from bot.ladder.answers import compare_query, level_query

    rng = random.Random(seed + 3)
    levels = list(answerer.ladder.levels)
    tracks = [t for t in answerer.ladder.tracks.values() if len(t.levels) >= 2]
    out: list[tuple[str, str]] = []
    for i in range(n):
        kind = ("lookup", "compare", "search")[i % 3]
        if kind == "lookup":
            level = rng.choice(levels)
            text = level_query(level) if rng.random() < 0.5 else f"{level.title} {level.track}"
        elif kind == "compare":
            track = rng.choice(tracks)
            a, b = rng.sample(track.levels, 2)
            text = compare_query(a, b)
        else:
            text = rng.choice(SEARCHES)
        out.append((kind, text))
    return out


def run_mixed(documents: int, seed: int, queries: int) -> tuple[float, dict, int]:
    """The mixed case in a fresh child process, cold like the seeds-only figure (a process
    that already holds one big ladder pays for it in every later fork and GC pass)."""
    import json
    import subprocess

    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.content_scale",
            "--mixed-only",
            "--mixed-docs",
            str(documents),
            "--seed",
            str(seed),
            "--queries",
            str(queries),
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    lines = out.strip().splitlines()
    print("\n".join(lines[:-1]))
    result = json.loads(lines[-1])
    return result["load_index_s"], result["cpu_s"], result["timings"], result["documents"]


def mixed_only(documents: int, seed: int, queries: int) -> int:
    import json

    load_index_s, cpu_s, timings, docs = _run_mixed_here(documents, seed, queries)
    print(json.dumps({"load_index_s": load_index_s, "cpu_s": cpu_s, "timings": timings, "documents": docs}))
    return 0


def _run_mixed_here(documents: int, seed: int, queries: int) -> tuple[float, float, dict, int]:
    root = Path(tempfile.mkdtemp(prefix="ladderbot-mixed-"))
    try:
        docs, size = generate_mixed(root, documents, seed)
        clear_caches()
        gc.collect()
        cpu_before = cpu_seconds()
        answerer, load_s, index_s, problems = load_and_index(root)
        cpu_s = cpu_seconds() - cpu_before
        ladder = answerer.ladder
        print(
            f"\nmixed shapes: {docs:,} documents ({size / 1e6:.1f} MB) -> {len(ladder):,} levels in "
            f"{len(ladder.tracks)} tracks, {sum(l.competency_count for l in ladder.levels):,} criteria, "
            f"{problems} problems"
        )
        timings, answered_as, _ = run_queries(answerer, make_ladder_queries(answerer, queries, seed))
        print(f"load {load_s:.3f} s + index {index_s:.3f} s (a fresh process), {cpu_s:.3f} s CPU in all processes")
        print("answered as: " + ", ".join(f"{k}->{a} {n}" for (k, a), n in sorted(answered_as.items())))
        return load_s + index_s, cpu_s, dict(timings), docs
    finally:
        shutil.rmtree(root, ignore_errors=True)


def make_queries(n: int, tracks: int, levels: int, seed: int) -> list[tuple[str, str]]:
    """(kind, text): a third lookups, a third compares, a third searches, shuffled."""
    rng = random.Random(seed + 1)
    chosen = TRACKS[:tracks]
    out: list[tuple[str, str]] = []
    for i in range(n):
        track, noun = rng.choice(chosen)
        kind = ("lookup", "compare", "search")[i % 3]
        if kind == "lookup":
            rank = rng.randint(1, levels)
            title_words = [w for w in TITLES[rank - 1].format(n=noun).lower().split() if w not in ("of",)]
            style = rng.random()
            if style < 0.5:  # "L7 senior platform": code + a few title words
                keep = [w for w in title_words if w != "engineer"][:2] or title_words[:1]
                text = f"L{rank} {' '.join(keep)}"
            elif style < 0.8:  # the whole title with the code
                text = f"L{rank} {' '.join(title_words)}"
            else:  # words only, no code
                text = " ".join(title_words)
        elif kind == "compare":
            rank = rng.randint(1, levels - 1)
            t = track.lower()
            text = (
                f"what separates L{rank} from L{rank + 1} in {t}?"
                if rng.random() < 0.5
                else f"L{rank} vs L{rank + 1} {t}"
            )
        else:
            text = rng.choice(SEARCHES)
        out.append((kind, text))
    rng.shuffle(out)
    return out


def clear_caches() -> None:
    """Forget module-level memo caches of the ladder code (e.g. the stemmer's), whatever their
    shape, so a second load is measured cold as far as Python-level caches go."""
    for module in (search_module,):
        for value in vars(module).values():
            if hasattr(value, "cache_clear"):
                value.cache_clear()
            elif (
                isinstance(value, dict)
                and value
                and all(isinstance(k, str) for k in list(value)[:5])
                and all(isinstance(v, str) for v in list(value.values())[:5])
            ):
                value.clear()  # a plain dict memo such as {word: stem}


def cpu_seconds() -> float:
    """CPU time of this process and of its children that have ended (the loader's workers):
    steadier than wall time on a machine that other work shares."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def load_and_index(root: Path) -> tuple[Answerer, float, float, int]:
    started = time.perf_counter()
    result = load_ladder(root)
    loaded = time.perf_counter()
    answerer = Answerer(result.ladder)
    indexed = time.perf_counter()
    gc.freeze()  # as bot.content.Content does once the ladder is loaded: queries run in that state
    return answerer, loaded - started, indexed - loaded, len(result.problems)


def run_queries(answerer: Answerer, queries: list[tuple[str, str]]):
    timings: dict[str, list[float]] = defaultdict(list)
    answered_as: Counter[tuple[str, str]] = Counter()
    first = None
    for kind, text in queries:
        started = time.perf_counter()
        answer = answerer.ask(text)
        elapsed = time.perf_counter() - started
        timings[kind].append(elapsed)
        first = elapsed if first is None else first
        answered_as[(kind, type(answer).__name__)] += 1
    return timings, answered_as, (first or 0.0) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description="Load + index + query time of a large ladder.")
    parser.add_argument("--tracks", type=int, default=50, help="tracks (folders), at most 50 (default 50)")
    parser.add_argument("--levels", type=int, default=20, help="levels per track, at most 20 (default 20)")
    parser.add_argument("--queries", type=int, default=1000, help="questions to time (default 1000)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--mixed-docs", type=int, default=1000, help="documents of the mixed-shape case (0: skip it)")
    parser.add_argument("--keep", metavar="DIR", help="generate into DIR and keep it (default: a temp dir, removed)")
    parser.add_argument("--profile", metavar="DIR", help="write pyinstrument reports of load+index and queries")
    parser.add_argument("--mixed-only", action="store_true", help=argparse.SUPPRESS)  # the child process of run_mixed
    args = parser.parse_args()
    if args.mixed_only:
        return mixed_only(args.mixed_docs, args.seed, args.queries)
    args.tracks, args.levels = min(args.tracks, len(TRACKS)), min(args.levels, len(TITLES))

    root = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="ladderbot-content-"))
    try:
        gen_started = time.perf_counter()
        docs, size = generate(root, args.tracks, args.levels, args.seed)
        print(
            f"generated {docs:,} documents ({size / 1e6:.1f} MB, {args.tracks} tracks x {args.levels} levels) "
            f"in {time.perf_counter() - gen_started:.1f} s into {root}"
        )
        queries = make_queries(args.queries, args.tracks, args.levels, args.seed)
        rss_before = max_rss_mib()

        # 1. cold load + index, in this fresh process: the target's figure.
        gc.collect()
        cpu_before = cpu_seconds()
        answerer, load_s, index_s, problems = load_and_index(root)
        cold_cpu = cpu_seconds() - cpu_before
        ladder = answerer.ladder
        competencies = sum(level.competency_count for level in ladder.levels)
        cold = load_s + index_s
        # 2. queries (the first one also builds the ladder's lazy vocabulary and track maps).
        timings, answered_as, first_query_ms = run_queries(answerer, queries)
        rss_after = max_rss_mib()
        # 3. warm repeats, for reference only (stemmer cache and imports already warm).
        warm = []
        for _ in range(2):
            gc.collect()
            _, l_s, i_s, _ = load_and_index(root)
            warm.append(l_s + i_s)
        # 4. memory: tracemalloc peak of a separate load + index + queries pass.
        del answerer
        gc.collect()
        clear_caches()
        tracemalloc.start()
        traced_answerer, _, _, _ = load_and_index(root)
        after_index_current, _ = tracemalloc.get_traced_memory()
        run_queries(traced_answerer, queries)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()

        print(
            f"\nloaded {len(ladder):,} levels in {len(ladder.tracks)} tracks, {competencies:,} competencies, "
            f"{len(traced_answerer.index):,} indexed, {problems} problems"
        )
        print(
            table(
                ["phase", "seconds"],
                [
                    ["load_ladder (cold process)", load_s],
                    ["Answerer/SearchIndex (cold)", index_s],
                    ["load + index (cold) = target", cold],
                    ["load + index CPU, all processes (cold)", cold_cpu],
                    ["load + index (warm repeats)", " / ".join(f"{w:.3f}" for w in warm)],
                ],
            )
        )
        everything = [t for values in timings.values() for t in values]
        rows = []
        for kind in ("lookup", "compare", "search"):
            s = summary_ms(timings[kind])
            rows.append([kind, s["n"], s["p50"], s["p90"], s["p99"], s["max"], s["mean"]])
        s_all = summary_ms(everything)
        rows.append(["all", s_all["n"], s_all["p50"], s_all["p90"], s_all["p99"], s_all["max"], s_all["mean"]])
        print()
        print(table(["query kind", "n", "p50 ms", "p90 ms", "p99 ms", "max ms", "mean ms"], rows))
        print(f"first query (builds the ladder's lazy vocabulary/track maps): {first_query_ms:.2f} ms")
        print("answered as: " + ", ".join(f"{k}->{a} {n}" for (k, a), n in sorted(answered_as.items())))
        print()
        print(
            table(
                ["memory", "MiB"],
                [
                    ["ru_maxrss before load", rss_before],
                    ["ru_maxrss after load + index + queries", rss_after],
                    [
                        "ru_maxrss of the largest child process (if loading uses any)",
                        max_rss_mib(resource.RUSAGE_CHILDREN),
                    ],
                    ["tracemalloc after load + index (live)", after_index_current / 2**20],
                    ["tracemalloc peak (load + index + queries)", peak / 2**20],
                ],
            )
        )

        if args.profile:
            profile(root, queries, Path(args.profile))

        mixed = run_mixed(args.mixed_docs, args.seed, args.queries) if args.mixed_docs else None
        if mixed is not None:
            mixed_s, mixed_cpu, mixed_timings, mixed_docs = mixed
            m_all = summary_ms([t for values in mixed_timings.values() for t in values])
            print()
            print(
                table(
                    ["case (same run)", "documents", "load + index s", "CPU s", "query p50 ms", "query p99 ms"],
                    [
                        ["seeds only (customer format)", docs, cold, cold_cpu, s_all["p50"], s_all["p99"]],
                        ["mixed shapes", mixed_docs, mixed_s, mixed_cpu, m_all["p50"], m_all["p99"]],
                    ],
                )
            )

        verdicts = Verdicts()
        verdicts.check(f"load + index < {MAX_LOAD_S:.0f} s", cold < MAX_LOAD_S, f"{cold:.2f} s cold")
        verdicts.check(
            f"query p99 < {MAX_QUERY_P99_MS:.0f} ms",
            s_all["p99"] < MAX_QUERY_P99_MS,
            f"{s_all['p99']:.2f} ms over {s_all['n']} queries; "
            + ", ".join(f"{k} {summary_ms(timings[k])['p99']:.2f}" for k in ("lookup", "compare", "search")),
        )
        if mixed is not None:
            verdicts.check(
                f"mixed shapes: load + index < {MAX_MIXED_LOAD_S} s", mixed_s < MAX_MIXED_LOAD_S, f"{mixed_s:.2f} s"
            )
            verdicts.check(
                f"mixed shapes: query p99 < {MAX_QUERY_P99_MS:.0f} ms",
                m_all["p99"] < MAX_QUERY_P99_MS,
                f"{m_all['p99']:.2f} ms",
            )
        return verdicts.print()
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)


def profile(root: Path, queries: list[tuple[str, str]], out: Path) -> None:
    from pyinstrument import Profiler

    out.mkdir(parents=True, exist_ok=True)
    clear_caches()
    gc.collect()
    profiler = Profiler(interval=0.0005)
    profiler.start()
    answerer, _, _, _ = load_and_index(root)
    profiler.stop()
    (out / "content_load.txt").write_text(profiler.output_text(unicode=False, show_all=False))
    (out / "content_load.html").write_text(profiler.output_html())
    profiler = Profiler(interval=0.0002)
    profiler.start()
    run_queries(answerer, queries)
    profiler.stop()
    (out / "content_queries.txt").write_text(profiler.output_text(unicode=False, show_all=False))
    (out / "content_queries.html").write_text(profiler.output_html())
    print(f"\nprofiles: {out}/content_load.txt|.html, {out}/content_queries.txt|.html")


if __name__ == "__main__":
    sys.exit(main())
