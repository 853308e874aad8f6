"""Prometheus metrics: what operators watch (requests, answers, prompts, 429s, content).

The web server runs several gunicorn worker processes; each records into files under
PROMETHEUS_MULTIPROC_DIR (set by `ladderbot serve --http` before this module is imported,
as prometheus-client requires) and GET /metrics adds them up. The clock is one process
and serves its own registry on its metrics port.
"""

from __future__ import annotations

import os

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)

REQUESTS = Counter("ladderbot_requests_total", "Slack requests received, by kind", ["kind"])
ANSWERS = Counter("ladderbot_answers_total", "Answers delivered to Slack, by kind and outcome", ["kind", "outcome"])
ANSWER_SECONDS = Histogram(
    "ladderbot_answer_seconds",
    "From a request's ack to its answer in Slack, by kind",
    ["kind"],
    buckets=(0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 30),
)
PROMPTS = Counter("ladderbot_prompts_total", "Growth prompts, by outcome (sent, skipped, failed)", ["outcome"])
PROMPT_OUTCOMES = ("sent", "skipped", "failed")
RATE_LIMITED = Counter(
    "ladderbot_slack_rate_limited_total", "429 answers met from Slack, by Web API method", ["method"]
)
CONTENT_RELOADS = Counter(
    "ladderbot_content_reloads_total", "Content reloads, by outcome (ok, kept_last_good, failed)", ["outcome"]
)
CONTENT_PROBLEMS = Gauge(
    "ladderbot_content_problems",
    "Problems found by the last content load, by severity",
    ["severity"],
    multiprocess_mode="mostrecent",
)

# Series that exist from the start read 0 rather than missing, so rates and alerts work at once.
for _outcome in PROMPT_OUTCOMES:
    PROMPTS.labels(_outcome)


def exposition() -> tuple[bytes, str]:
    """The body and content type of GET /metrics, summed over worker processes when there are several."""
    registry = REGISTRY
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    return generate_latest(registry), CONTENT_TYPE_LATEST


def worker_exited(pid: int) -> None:
    """gunicorn's child_exit hook: a dead worker's live gauges no longer count."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.mark_process_dead(pid)
