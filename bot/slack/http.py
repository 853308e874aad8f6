"""HTTP mode: Bolt's WSGI adapter behind gunicorn, with a health check and metrics beside it.

What an unauthenticated client can cost is bounded here (README "Limits"): a body
larger than `max_body_bytes` is refused, by its Content-Length before it is read;
the signature is checked on the raw body before anything parses it; and a request
that a worker thread has held for `request_timeout` seconds is cut.
"""

from __future__ import annotations

import io
import json
import logging
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from gunicorn.app.base import BaseApplication
from gunicorn.workers.gthread import ThreadWorker
from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_bolt.request.internals import parse_body
from slack_sdk.signature import SignatureVerifier

from bot import metrics

log = logging.getLogger(__name__)

SLACK_PATH = "/slack/events"
THREADS = 8  # per web process; only acks and health checks run on them
GRACEFUL_TIMEOUT = 10


@dataclass(frozen=True)
class Refusal:
    status: str
    reason: str


def make_wsgi(bolt_app: App, health: Callable[[], dict], *, signing_secret: str, max_body_bytes: int) -> Callable:
    """All Slack requests on POST /slack/events; GET /healthz says whether we are ready,
    GET /metrics is for Prometheus."""
    slack = SlackRequestHandler(bolt_app, path=SLACK_PATH)
    verifier = SignatureVerifier(signing_secret)

    def application(environ: dict, start_response: Callable):
        method, path = environ.get("REQUEST_METHOD"), environ.get("PATH_INFO")
        if path == "/healthz" and method in ("GET", "HEAD"):
            return _answer(start_response, "200 OK", json.dumps(health()), "application/json")
        if path == "/metrics" and method in ("GET", "HEAD"):
            body, content_type = metrics.exposition()
            return _answer(start_response, "200 OK", body.decode(), content_type)
        if path == SLACK_PATH and method == "POST":
            checked = read_slack_request(environ, verifier, max_body_bytes)
            if isinstance(checked, Refusal):
                log.info("refused a request from %s: %s %s", environ.get("REMOTE_ADDR"), checked.status, checked.reason)
                return _answer(start_response, checked.status, checked.reason + "\n", "text/plain; charset=utf-8")
            environ["wsgi.input"], environ["CONTENT_LENGTH"] = io.BytesIO(checked), str(len(checked))
        return slack(environ, start_response)

    return application


def read_slack_request(environ: dict, verifier: SignatureVerifier, limit: int) -> bytes | Refusal:
    """The body, read at most to `limit` bytes, signed by Slack and parseable; else why not."""
    declared = environ.get("CONTENT_LENGTH") or ""
    if declared and not declared.isdigit():
        return Refusal("400 Bad Request", "bad Content-Length")
    if declared and int(declared) > limit:
        return Refusal("413 Content Too Large", f"request body over {limit} bytes")
    body = environ["wsgi.input"].read(int(declared) if declared else limit + 1)
    if len(body) > limit:  # chunked, without a Content-Length
        return Refusal("413 Content Too Large", f"request body over {limit} bytes")
    if declared and len(body) < int(declared):  # the client went away, or was cut for being slow
        return Refusal("400 Bad Request", "request body shorter than its Content-Length")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return Refusal("400 Bad Request", "request body is not UTF-8")
    if not _signed(verifier, text, environ) and not _is_ssl_check(text):
        return Refusal("401 Unauthorized", "invalid or missing Slack signature")
    try:
        parsed = parse_body(text, environ.get("CONTENT_TYPE"))  # as Bolt will parse it
    except ValueError:
        parsed = None
    if not isinstance(parsed, dict):
        return Refusal("400 Bad Request", "request body is not a Slack payload")
    return body


def _signed(verifier: SignatureVerifier, text: str, environ: dict) -> bool:
    try:
        return verifier.is_valid(
            text, environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP"), environ.get("HTTP_X_SLACK_SIGNATURE")
        )
    except ValueError:  # a timestamp that is not a number
        return False


def _is_ssl_check(text: str) -> bool:
    """Slack's check of our certificate, which Bolt answers (an empty 200) before verifying."""
    return dict(parse_qsl(text)).get("ssl_check") == "1"


def _answer(start_response: Callable, status: str, text: str, content_type: str) -> list[bytes]:
    body = text.encode()
    start_response(status, [("Content-Type", content_type), ("Content-Length", str(len(body)))])
    return [body]


class DeadlineThreadWorker(ThreadWorker):
    """gunicorn's gthread worker, with a deadline per request: a connection a thread has
    held for `request_timeout` seconds (a client trickling its request in, or never
    reading the answer) is shut down, which frees the thread. gthread alone waits on
    such a client for as long as it keeps sending, one byte at a time if it likes."""

    request_timeout: float = 10.0

    def init_process(self) -> None:
        self._held: dict[Any, float] = {}  # gunicorn's TConn -> when a thread took it
        self._held_lock = threading.Lock()
        threading.Thread(target=self._cut_slow_clients, name="slow-client-cutter", daemon=True).start()
        super().init_process()

    def handle(self, conn):  # runs on a worker thread, once per request
        with self._held_lock:
            self._held[conn] = time.monotonic()
        try:
            return super().handle(conn)
        finally:
            with self._held_lock:
                self._held.pop(conn, None)

    def _cut_slow_clients(self) -> None:
        while True:
            time.sleep(min(0.5, self.request_timeout / 4))
            cutoff = time.monotonic() - self.request_timeout
            with self._held_lock:  # held while cutting, so handle() cannot finish meanwhile
                for conn in [c for c, since in self._held.items() if since < cutoff]:
                    del self._held[conn]
                    log.info("cut a client that held a request for over %g s: %s", self.request_timeout, conn.client)
                    try:
                        conn.sock.shutdown(socket.SHUT_RDWR)
                    except OSError:
                        pass  # already gone


class GunicornServer(BaseApplication):
    """gunicorn run from Python, so `ladderbot serve --http` is one process tree."""

    def __init__(self, application: Callable, options: dict) -> None:
        self.application = application
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Callable:
        return self.application


def serve_http(
    application: Callable,
    *,
    host: str,
    port: int,
    workers: int,
    request_timeout: float,
    after_fork: Callable[[], None],
    before_exit: Callable[[float], object],
) -> None:
    """`before_exit(seconds)` runs in each worker as it stops (SIGTERM), with the time left
    to finish the answers it accepted before gunicorn's graceful timeout."""
    worker = type("LadderbotWorker", (DeadlineThreadWorker,), {"request_timeout": float(request_timeout)})
    options = {
        "bind": f"{host}:{port}",
        "workers": workers,
        "worker_class": worker,  # threads for acks; answers are built on a pool of their own
        "threads": THREADS,
        "timeout": 30,
        "graceful_timeout": GRACEFUL_TIMEOUT,
        "keepalive": 5,
        "post_fork": lambda server, worker: after_fork(),
        "worker_exit": lambda server, worker: before_exit(GRACEFUL_TIMEOUT - 2),
        "child_exit": lambda server, worker: metrics.worker_exited(worker.pid),
    }
    GunicornServer(application, options).run()
