"""A fake Slack Web API on 127.0.0.1, for tests that must never reach Slack.

Modelled on slackapi/bolt-python's ``tests/mock_web_api_server`` but kept in
one object: a real ``ThreadingHTTPServer`` on an ephemeral port that

* answers the Web API methods ladderbot uses the way Slack does (HTTP 200 and
  ``{"ok": ...}`` JSON), keeping just enough state (posted messages, users,
  views, uploads) for read-after-write calls to make sense;
* records every request as a :class:`Call` so tests can assert on what a
  person would read (:func:`readable_text`) rather than on exact JSON;
* injects faults (HTTP errors, Slack errors, rate limits, hangs, connection
  resets) so tests can prove the bot copes with a misbehaving Slack.

Typical use::

    with FakeSlack() as slack:
        client = WebClient(base_url=slack.api_url, token="xoxb-test")
        client.chat_postMessage(channel="C1", text="hi")
        assert "hi" in slack.texts("chat.postMessage")[0]

Paths served: ``/api/<method>`` (Web API), ``/response/<n>`` (a slash
command's ``response_url``, see :meth:`FakeSlack.new_response_url`) and
``/upload/<file_id>`` (the upload URL of the ``files_upload_v2`` flow).
"""

from __future__ import annotations

import email.parser
import email.policy
import itertools
import json
import math
import random
import socket
import struct
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

__all__ = ["Call", "FakeSlack", "readable_text"]

TEAM_ID = "T0TEST"
TEAM_NAME = "Test Team"
BOT_USER_ID = "U0BOT"
BOT_ID = "B0BOT"
APP_ID = "A0TEST"

#: Methods that answer "response_url"/"file_upload" calls, not Web API ones.
RESPONSE_URL = "response_url"
FILE_UPLOAD = "file_upload"

# slack_sdk form-encodes these as JSON strings for params-style methods
# (files.completeUploadExternal's ``files``) and callers may do the same for
# blocks; decoding them lets tests look at one shape whatever the transport.
_JSON_FIELDS = frozenset(
    {"blocks", "attachments", "metadata", "view", "files", "user_auth_blocks", "unfurls", "outputs", "chunks"}
)
_HANDLER = Callable[[dict[str, Any]], dict[str, Any]]


# --------------------------------------------------------------------------
# Recorded calls
# --------------------------------------------------------------------------


@dataclass(slots=True)
class Call:
    """One request the fake received, answered or not.

    ``args`` merges query string, form fields and JSON body (JSON-string
    fields such as ``blocks``/``view`` already decoded). ``headers`` has
    lower-cased names. ``status`` is the HTTP status sent (0 when the
    connection was reset instead); ``failed`` is true for anything a client
    would treat as an error (non-200 or ``"ok": false``).
    """

    method: str
    args: dict[str, Any]
    headers: dict[str, str]
    token: str | None
    at: float
    status: int = 200
    failed: bool = False
    response: dict[str, Any] | None = None
    body: bytes = b""
    path: str = ""
    retry_after: float | None = None  # the Retry-After header sent, if any

    @property
    def text(self) -> str:
        """What a person would read in this call's message or view."""
        return readable_text(self)


# --------------------------------------------------------------------------
# Readable text: what a person sees, flattened
# --------------------------------------------------------------------------

# Rich-text containers whose inline elements render on one line.
_INLINE_CONTAINERS = frozenset({"rich_text_section", "rich_text_preformatted", "rich_text_quote"})
# Keys whose contents a person never sees (or that repeat visible text).
_INVISIBLE_KEYS = frozenset({"private_metadata", "state", "metadata", "action_id", "block_id", "callback_id"})


def readable_text(source: Call | Mapping[str, Any]) -> str:
    """Flatten everything a person would read in a message or view, one piece per line.

    Accepts a :class:`Call` or a plain mapping (call args, or a message from
    ``conversations.history``). Covers top-level ``text``, every text object
    in ``blocks`` (header, section text and fields, context elements, button
    and option texts, input labels and placeholders, rich_text), the same
    inside ``view`` and legacy ``attachments``. Metadata is deliberately left
    out: people do not see it.
    """
    args = source.args if isinstance(source, Call) else source
    out: list[str] = []
    if isinstance(args.get("text"), str):
        out.append(args["text"])
    _walk_blocks(args.get("blocks"), out)
    for attachment in _as_list(args.get("attachments")):
        _walk_attachment(attachment, out)
    view = args.get("view")
    if isinstance(view, Mapping):
        _walk_blocks(view, out)
    return "\n".join(piece for piece in out if piece)


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _walk_blocks(node: Any, out: list[str]) -> None:
    """Depth-first, document-order walk collecting every text object's text."""
    if isinstance(node, list):
        for item in node:
            _walk_blocks(item, out)
        return
    if not isinstance(node, Mapping):
        return
    if node.get("type") in _INLINE_CONTAINERS:
        out.append("".join(_inline_text(e) for e in _as_list(node.get("elements"))))
        return
    if isinstance(node.get("text"), str):  # a text object: plain_text / mrkdwn
        out.append(node["text"])
    for key, value in node.items():
        if key not in _INVISIBLE_KEYS and isinstance(value, (list, Mapping)):
            _walk_blocks(value, out)


def _inline_text(element: Any) -> str:
    """Render one rich_text inline element roughly as Slack displays it."""
    if not isinstance(element, Mapping):
        return ""
    kind = element.get("type")
    if kind == "text":
        return str(element.get("text", ""))
    if kind == "link":
        return str(element.get("text") or element.get("url", ""))
    if kind == "user":
        return f"<@{element.get('user_id', '')}>"
    if kind == "channel":
        return f"<#{element.get('channel_id', '')}>"
    if kind == "usergroup":
        return f"<!subteam^{element.get('usergroup_id', '')}>"
    if kind == "emoji":
        return f":{element.get('name', '')}:"
    if kind == "broadcast":
        return f"@{element.get('range', '')}"
    if kind == "date":
        return str(element.get("fallback", ""))
    return ""


def _walk_attachment(attachment: Any, out: list[str]) -> None:
    if not isinstance(attachment, Mapping):
        return
    for key in ("pretext", "author_name", "title", "text"):
        if isinstance(attachment.get(key), str):
            out.append(attachment[key])
    for fld in _as_list(attachment.get("fields")):
        if isinstance(fld, Mapping):
            out.extend(str(fld.get(k, "")) for k in ("title", "value"))
    _walk_blocks(attachment.get("blocks"), out)
    if isinstance(attachment.get("footer"), str):
        out.append(attachment["footer"])


# --------------------------------------------------------------------------
# Fault injection bookkeeping
# --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Fault:
    """One queued misbehaviour for the next call of a method."""

    status: int | None = None
    error: str | None = None
    retry_after: int | None = None
    hang: float = 0.0
    reset: bool = False
    keep: bool = False  # the call takes effect first; only its answer fails


@dataclass(slots=True)
class _TokenBucket:
    """Allows ``rate`` calls per second with a burst of ``max(1, rate)``."""

    rate: float
    tokens: float
    updated: float

    def take(self, now: float) -> int | None:
        """Take a token; when none is left return the whole seconds to wait."""
        capacity = max(1.0, self.rate)
        self.tokens = min(capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return None
        return max(1, math.ceil((1.0 - self.tokens) / self.rate))


@dataclass(slots=True)
class _Reply:
    """What the handler thread should send back."""

    status: int = 200
    body: dict[str, Any] | str = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    hang: float = 0.0
    reset: bool = False

    @property
    def failed(self) -> bool:
        ok = self.body.get("ok", True) if isinstance(self.body, dict) else True
        return self.reset or self.status != 200 or not ok


# --------------------------------------------------------------------------
# HTTP plumbing
# --------------------------------------------------------------------------


class _Server(ThreadingHTTPServer):
    daemon_threads = True  # never block interpreter exit or stop() on a stuck client
    allow_reuse_address = True
    request_queue_size = 256  # bursts of ~1,000 req/s must not get ECONNREFUSED

    fake: FakeSlack

    def handle_error(self, request: Any, client_address: Any) -> None:
        # Clients that time out or hang up are part of the game, not errors;
        # anything else is a bug in the fake and is kept for tests to see.
        exc = sys.exc_info()[1]
        if not isinstance(exc, (ConnectionError, TimeoutError)) and exc is not None:
            self.fake.errors.append(exc)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive for clients that reuse connections
    disable_nagle_algorithm = True  # headers and body go out at once, no 40 ms stalls
    timeout = 30  # an idle keep-alive client must not pin a thread forever
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        """Silence per-request logging: it is slow and clutters test output."""

    def do_POST(self) -> None:
        self._serve()

    do_GET = do_POST  # slack_sdk always POSTs; GET with a query string also works

    def _serve(self) -> None:
        body = self._read_body()
        reply = self.server.fake._handle(self.path, dict(self.headers.items()), body)
        if reply.hang:
            self.server.fake._sleep(reply.hang)
        if reply.reset:
            self._reset_connection()
            return
        self._send(reply)

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            return self._read_chunked()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _read_chunked(self) -> bytes:
        chunks: list[bytes] = []
        while True:
            size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass  # skip trailers
                return b"".join(chunks)
            chunks.append(self.rfile.read(size))
            self.rfile.readline()

    def _send(self, reply: _Reply) -> None:
        if isinstance(reply.body, str):
            payload, ctype = reply.body.encode(), "text/plain; charset=utf-8"
        else:
            payload, ctype = json.dumps(reply.body).encode(), "application/json; charset=utf-8"
        self.send_response(reply.status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(payload)))
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)

    def _reset_connection(self) -> None:
        """Close with SO_LINGER 0 so the client sees a TCP RST, not a polite FIN."""
        self.close_connection = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
        except OSError:
            pass


# --------------------------------------------------------------------------
# The fake
# --------------------------------------------------------------------------


class FakeSlack:
    """A Slack Web API stand-in on ``127.0.0.1:<ephemeral port>``. See module docstring."""

    def __init__(self, *, clock: Callable[[], float] = time.time) -> None:
        """``clock`` gives the wall time used for message ``ts`` values.

        Real time by default so that bot code asking for, say, the last
        week's history (``oldest=now - 7 days``) finds what it just posted.
        """
        self._clock = clock
        self._cond = threading.Condition()
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self.errors: list[BaseException] = []  # bugs inside the fake itself
        self._handlers: dict[str, _HANDLER] = self._builtin_handlers()
        self._reset_state()

    # -- lifecycle --------------------------------------------------------

    def start(self) -> FakeSlack:
        if self._server is not None:
            return self
        self._stopping.clear()
        server = _Server(("127.0.0.1", 0), _Handler)
        server.fake = self
        self._server = server
        # A short poll keeps stop() (which waits for the loop to notice) at ~10 ms per test.
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.01}, name="fake-slack", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._stopping.set()  # wakes handlers sleeping in hang_next
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> FakeSlack:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("FakeSlack is not started")
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        """Give this to ``WebClient(base_url=...)``; the trailing slash matters to slack_sdk."""
        return f"{self.base_url}/api/"

    def new_response_url(self) -> str:
        """A fresh slash-command ``response_url``; POSTs to it record method ``"response_url"``."""
        with self._cond:
            n = next(self._ids)
            self._response_urls.add(str(n))
        return f"{self.base_url}/response/{n}"

    # -- inspecting calls -------------------------------------------------

    def calls(self, method: str | None = None) -> list[Call]:
        with self._cond:
            return [c for c in self._calls if method is None or c.method == method]

    def accepted(self, method: str | None = None) -> list[Call]:
        """Only calls that were answered HTTP 200 with ``"ok": true``."""
        return [c for c in self.calls(method) if not c.failed]

    def texts(self, method: str | None = None) -> list[str]:
        return [readable_text(c) for c in self.calls(method)]

    def clear(self) -> None:
        """Forget recorded calls (state such as messages and faults is kept)."""
        with self._cond:
            self._calls.clear()

    def reset(self) -> None:
        """Back to a freshly started fake: no calls, messages, users, faults or limits."""
        with self._cond:
            self._reset_state()

    def wait_for(self, method: str, count: int = 1, timeout: float = 5.0, *, accepted: bool = False) -> list[Call]:
        """Block until ``count`` calls of ``method`` arrived (with ``accepted``: were
        answered ok); return all of them.

        For bots that call Slack from background threads. Raises
        AssertionError naming what *was* received, which is usually the
        quickest way to see why the expected call never came.
        """
        with self._cond:
            done = self._cond.wait_for(lambda: self._count(method, accepted) >= count, timeout=timeout)
            if done:
                return [c for c in self._calls if c.method == method]
            got = self._count(method, accepted)
            received = "\n".join(f"  - {_describe(c)}" for c in self._calls[-20:]) or "  (nothing)"
        raise AssertionError(
            f"expected {count} call(s) of {method!r} within {timeout}s, got {got}; received:\n{received}"
        )

    def uploaded_files(self) -> list[tuple[str, bytes]]:
        """``(filename, bytes)`` for every upload that reached the upload URL."""
        return [(c.args.get("filename", ""), c.body) for c in self.accepted(FILE_UPLOAD)]

    def messages(self, channel: str) -> list[dict[str, Any]]:
        """Messages currently stored for ``channel``, oldest first (replies included)."""
        with self._cond:
            return [dict(m) for m in self._messages.get(channel, [])]

    # -- configuring behaviour -------------------------------------------

    def set_user(
        self,
        user_id: str,
        *,
        tz: str | None = None,
        tz_offset: int | None = None,
        deleted: bool | None = None,
        **fields: Any,
    ) -> None:
        """Override what users.info says about ``user_id`` (other fields keep defaults).

        When only ``tz`` is given, ``tz_offset``/``tz_label`` follow from it
        (current offset, as Slack reports).
        """
        changes: dict[str, Any] = dict(fields)
        if tz is not None:
            changes.update(_tz_fields(tz))
        if tz_offset is not None:
            changes["tz_offset"] = tz_offset
        if deleted is not None:
            changes["deleted"] = deleted
        with self._cond:
            self._removed_users.discard(user_id)
            self._users.setdefault(user_id, {}).update(changes)

    def add_members(self, user_ids: Iterable[str]) -> None:
        """Workspace members that users.list returns (with default profiles)."""
        with self._cond:
            self._roster.update(user_ids)

    def remove_user(self, user_id: str) -> None:
        """users.info for this user answers ``user_not_found``."""
        with self._cond:
            self._removed_users.add(user_id)
            self._users.pop(user_id, None)

    # -- OAuth: installs in several workspaces ---------------------------

    def set_oauth_client(self, client_id: str, client_secret: str) -> None:
        """oauth.v2.access accepts only this app's credentials (HTTP Basic, as slack-sdk sends them)."""
        with self._cond:
            self._oauth_client = (client_id, client_secret)

    def add_install(
        self,
        code: str,
        team_id: str,
        team_name: str,
        *,
        token: str,
        enterprise_id: str | None = None,
        is_enterprise_install: bool = False,
        expires_in: int | None = None,
        installer: str = "UINSTALLER",
    ) -> None:
        """A person approved the install in `team_id`: oauth.v2.access exchanges `code` (once)
        for `token`; with `expires_in` (token rotation on), also a refresh token, and each
        refresh gives a new token with the same expiry."""
        with self._cond:
            self._oauth_codes[code] = {
                "team_id": team_id,
                "team_name": team_name,
                "token": token,
                "enterprise_id": enterprise_id,
                "is_enterprise_install": is_enterprise_install,
                "expires_in": expires_in,
                "installer": installer,
            }
            self._token_teams[token] = self._oauth_codes[code]

    def revoke_token(self, token: str) -> None:
        """Every later call with this token answers ``token_revoked``, as after an uninstall."""
        with self._cond:
            self._revoked.add(token)

    def set_valid_tokens(self, tokens: Iterable[str] | None) -> None:
        """Only these tokens pass (others get ``invalid_auth``); None restores the prefix rule."""
        with self._cond:
            self._valid_tokens = None if tokens is None else frozenset(tokens)

    def on(self, method: str, handler: _HANDLER) -> None:
        """Answer ``method`` with ``handler(args) -> body`` (add a method or override one).

        ``"ok": true`` is added when the body has no ``ok``. Faults, rate
        limits and auth still apply before the handler runs.
        """
        self._handlers[method] = handler

    def fail_next(
        self,
        method: str,
        *,
        status: int | None = None,
        error: str | None = None,
        retry_after: int | None = None,
        times: int = 1,
        keep: bool = False,
    ) -> None:
        """The next ``times`` calls of ``method`` fail.

        With ``status``: that HTTP status (429 bodies say ``ratelimited``;
        ``retry_after`` adds a ``Retry-After`` header in whole seconds).
        With only ``error``: HTTP 200 and ``{"ok": false, "error": error}``,
        which is how Slack reports most failures. With ``keep``: the call
        takes effect first (a message is stored) and only the answer fails,
        as when Slack accepts a message and still answers 500.
        """
        if status is None and error is None:
            raise ValueError("fail_next needs status= or error=")
        self._queue(method, _Fault(status=status, error=error, retry_after=retry_after, keep=keep), times)

    def hang_next(self, method: str, seconds: float) -> None:
        """The next call of ``method`` is answered only after ``seconds`` (client timeouts)."""
        self._queue(method, _Fault(hang=seconds), 1)

    def slow_down(self, method: str, seconds: float) -> None:
        """Every call of ``method`` is answered only after ``seconds`` (0 restores speed)."""
        with self._cond:
            self._slow[method] = seconds

    def reset_next(self, method: str) -> None:
        """The next call of ``method`` gets its connection reset instead of an answer."""
        self._queue(method, _Fault(reset=True), 1)

    def random_429s(self, method: str, p: float, *, retry_after: int = 1, seed: int = 0) -> None:
        """Answer each call of ``method`` 429 + ``Retry-After`` with probability ``p``
        (0 lifts it), whatever the rate: Slack's sporadic limits. Seeded, so a run is
        repeatable for the same sequence of calls."""
        with self._cond:
            if p <= 0:
                self._random_429s.pop(method, None)
            else:
                self._random_429s[method] = (p, retry_after, random.Random(seed))

    def rate_limit(self, method: str, per_second: float | None) -> None:
        """Answer 429 + ``Retry-After`` beyond ``per_second`` calls (None lifts the limit)."""
        with self._cond:
            if per_second is None:
                self._buckets.pop(method, None)
            else:
                if per_second <= 0:
                    raise ValueError("per_second must be positive")
                capacity = max(1.0, per_second)
                self._buckets[method] = _TokenBucket(per_second, capacity, time.monotonic())

    # -- internals: state -------------------------------------------------

    def _reset_state(self) -> None:
        self._calls: list[Call] = []
        self._faults: dict[str, deque[_Fault]] = {}
        self._buckets: dict[str, _TokenBucket] = {}
        self._slow: dict[str, float] = {}
        self._random_429s: dict[str, tuple[float, int, random.Random]] = {}
        self._valid_tokens: frozenset[str] | None = None
        self._oauth_client: tuple[str, str] | None = None
        self._oauth_codes: dict[str, dict[str, Any]] = {}
        self._token_teams: dict[str, dict[str, Any]] = {}  # token -> its install (team, enterprise)
        self._refresh_tokens: dict[str, dict[str, Any]] = {}
        self._revoked: set[str] = set()
        self._current_token: str | None = None
        self._current_basic: tuple[str, str] | None = None
        self._users: dict[str, dict[str, Any]] = {}
        self._removed_users: set[str] = set()
        self._roster: set[str] = set()
        self._messages: dict[str, list[dict[str, Any]]] = {}
        self._views: dict[str, dict[str, Any]] = {}
        self._pending_uploads: dict[str, dict[str, Any]] = {}
        self._response_urls: set[str] = set()
        self._ids = itertools.count(1)
        self._last_ts = 0

    def _queue(self, method: str, fault: _Fault, times: int) -> None:
        with self._cond:
            self._faults.setdefault(method, deque()).extend([fault] * times)

    def _count(self, method: str, accepted: bool = False) -> int:
        return sum(1 for c in self._calls if c.method == method and not (accepted and c.failed))

    def _sleep(self, seconds: float) -> None:
        self._stopping.wait(seconds)  # stop() cuts hangs short

    def _next_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._ids):08d}"

    def _next_ts(self) -> str:
        """Slack-style ``"1700000000.000100"``: wall time, strictly increasing, unique."""
        micros = max(int(self._clock() * 1_000_000), self._last_ts + 1)
        self._last_ts = micros
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    # -- internals: request handling (runs on server threads) -------------

    def _handle(self, path: str, headers: dict[str, str], body: bytes) -> _Reply:
        """Decide the answer to one request and record it before it is sent.

        Recording first means that once a client has its answer, the call is
        already visible to ``calls()``; no sleeps needed in tests.
        """
        url = urlsplit(path)
        method, kind = _route(url.path)
        lower_headers = {k.lower(): v for k, v in headers.items()}
        # Upload bodies are file bytes, whatever Content-Type urllib stamped on them.
        content_type = "" if kind == FILE_UPLOAD else lower_headers.get("content-type", "")
        args = _parse_args(url.query, content_type, body)
        token = _token(lower_headers, args)
        with self._cond:
            try:
                # What handlers may need of the request (they run with the lock held, one at a time).
                self._current_token, self._current_basic = token, _basic_auth(lower_headers)
                reply = self._answer(method, kind, url.path, args, token)
            except Exception as exc:  # noqa: BLE001 - a bug in the fake: answer, but keep it visible
                self.errors.append(exc)
                reply = _Reply(500, {"ok": False, "error": f"fake_slack_bug: {exc!r}"})
            call = Call(
                method=method,
                args=args,
                headers=lower_headers,
                token=token,
                at=time.monotonic(),
                status=0 if reply.reset else reply.status,
                failed=reply.failed,
                response=reply.body if isinstance(reply.body, dict) else None,
                body=body if kind == FILE_UPLOAD else b"",
                path=url.path,
                retry_after=float(reply.headers["Retry-After"]) if "Retry-After" in reply.headers else None,
            )
            self._calls.append(call)
            self._cond.notify_all()
        return reply

    def _answer(self, method: str, kind: str, path: str, args: dict[str, Any], token: str | None) -> _Reply:
        """Faults and rate limits first (they model the transport), then auth, then the method."""
        fault = self._pop_fault(method)
        if fault is not None and fault.keep:
            self._dispatch(method, kind, path, args, token)
            return _fault_reply(fault)
        if fault is not None and (fault.reset or fault.status or fault.error):
            return _fault_reply(fault)
        hang = fault.hang if fault is not None else self._slow.get(method, 0.0)
        reply = self._rate_limited(method) or self._dispatch(method, kind, path, args, token)
        reply.hang = hang
        return reply

    def _pop_fault(self, method: str) -> _Fault | None:
        queue = self._faults.get(method)
        return queue.popleft() if queue else None

    def _rate_limited(self, method: str) -> _Reply | None:
        sporadic = self._random_429s.get(method)
        if sporadic and sporadic[2].random() < sporadic[0]:
            return _Reply(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(sporadic[1])})
        bucket = self._buckets.get(method)
        wait = bucket.take(time.monotonic()) if bucket else None
        if wait is None:
            return None
        return _Reply(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(wait)})

    def _dispatch(self, method: str, kind: str, path: str, args: dict[str, Any], token: str | None) -> _Reply:
        if kind == RESPONSE_URL:
            if path.rsplit("/", 1)[-1] not in self._response_urls:
                return _Reply(404, {"ok": False, "error": "expired_url"})
            return _Reply(200, {"ok": True})
        if kind == FILE_UPLOAD:
            return self._receive_upload(path, args)
        if kind != "api":
            return _Reply(404, {"ok": False, "error": "not_found"})
        if method == "oauth.v2.access":  # authenticated by the app's client id and secret, not a token
            return _Reply(200, self._oauth_v2_access(args, self._current_basic))
        handler = self._handlers.get(method)
        if handler is None:
            return _Reply(200, {"ok": False, "error": "unknown_method"})
        auth_error = self._auth_error(token)
        if auth_error:
            return _Reply(200, {"ok": False, "error": auth_error})
        result = handler(args)
        return _Reply(200, {"ok": True, **result} if "ok" not in result else result)

    def _auth_error(self, token: str | None) -> str | None:
        if not token:
            return "not_authed"
        if token in self._revoked:
            return "token_revoked"
        if token in self._token_teams:
            return None
        if self._valid_tokens is not None:
            return None if token in self._valid_tokens else "invalid_auth"
        return None if token.startswith(("xoxb-", "xapp-")) else "invalid_auth"

    # -- internals: the Web API methods (called with the lock held) ------

    def _builtin_handlers(self) -> dict[str, _HANDLER]:
        return {
            "auth.test": self._auth_test,
            "chat.postMessage": self._chat_post_message,
            "chat.postEphemeral": self._chat_post_ephemeral,
            "chat.update": self._chat_update,
            "chat.delete": self._chat_delete,
            "conversations.history": self._conversations_history,
            "conversations.replies": self._conversations_replies,
            "conversations.open": self._conversations_open,
            "users.info": self._users_info,
            "users.list": self._users_list,
            "views.publish": self._views_save,
            "views.open": self._views_save,
            "views.update": self._views_save,
            "views.push": self._views_save,
            "files.getUploadURLExternal": self._files_get_upload_url,
            "files.completeUploadExternal": self._files_complete_upload,
            "files.delete": self._files_delete,
        }

    def _oauth_v2_access(self, args: dict[str, Any], basic: tuple[str, str] | None) -> dict[str, Any]:
        client = basic or (str(args.get("client_id", "")), str(args.get("client_secret", "")))
        if self._oauth_client is not None and client != self._oauth_client:
            return {
                "ok": False,
                "error": "invalid_client_id" if client[0] != self._oauth_client[0] else "bad_client_secret",
            }
        if args.get("grant_type") == "refresh_token":
            install = self._refresh_tokens.get(str(args.get("refresh_token", "")))
            if install is None:
                return {"ok": False, "error": "invalid_refresh_token"}
            install = {**install, "token": f"xoxe.xoxb-1-{self._next_id('')}"}
            self._token_teams[install["token"]] = install
        else:
            install = self._oauth_codes.pop(str(args.get("code", "")), None)  # a code is good once
            if install is None:
                return {"ok": False, "error": "invalid_code"}
        answer: dict[str, Any] = {
            "ok": True,
            "app_id": APP_ID,
            "token_type": "bot",
            "access_token": install["token"],
            "scope": "commands,chat:write",
            "bot_user_id": BOT_USER_ID,
            "team": None
            if install["is_enterprise_install"]
            else {"id": install["team_id"], "name": install["team_name"]},
            "enterprise": {"id": install["enterprise_id"], "name": "Org"} if install["enterprise_id"] else None,
            "is_enterprise_install": install["is_enterprise_install"],
            "authed_user": {"id": install["installer"]},
        }
        if install["expires_in"] is not None:
            refresh = f"xoxe-1-{self._next_id('')}"
            self._refresh_tokens[refresh] = install
            answer.update(refresh_token=refresh, expires_in=install["expires_in"])
        return answer

    def _auth_test(self, args: dict[str, Any]) -> dict[str, Any]:
        install = self._token_teams.get(self._current_token or "")
        if install is not None:
            return {
                "url": f"https://{install['team_id'].lower()}.slack.com/",
                "team": install["team_name"],
                "team_id": install["team_id"],
                "enterprise_id": install["enterprise_id"],
                "user": "ladderbot",
                "user_id": BOT_USER_ID,
                "bot_id": BOT_ID,
                "app_id": APP_ID,
                "is_enterprise_install": install["is_enterprise_install"],
            }
        return {
            "url": "https://testteam.slack.com/",
            "team": TEAM_NAME,
            "team_id": TEAM_ID,
            "user": "ladderbot",
            "user_id": BOT_USER_ID,
            "bot_id": BOT_ID,
            "app_id": APP_ID,
            "is_enterprise_install": False,
        }

    def _chat_post_message(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = _dm_channel(str(args.get("channel") or ""))
        if not channel:
            return {"ok": False, "error": "channel_not_found"}
        if not (args.get("text") or args.get("blocks") or args.get("attachments")):
            return {"ok": False, "error": "no_text"}
        message = self._new_message(args)
        self._messages.setdefault(channel, []).append(message)
        return {"channel": channel, "ts": message["ts"], "message": dict(message)}

    def _new_message(self, args: dict[str, Any]) -> dict[str, Any]:
        message: dict[str, Any] = {
            "type": "message",
            "text": args.get("text", ""),
            "user": BOT_USER_ID,
            "bot_id": BOT_ID,
            "app_id": APP_ID,
            "team": TEAM_ID,
            "ts": self._next_ts(),
        }
        for key in ("blocks", "attachments", "metadata", "thread_ts"):
            if args.get(key):
                message[key] = args[key]
        return message

    def _chat_post_ephemeral(self, args: dict[str, Any]) -> dict[str, Any]:
        if not args.get("channel"):
            return {"ok": False, "error": "channel_not_found"}
        if not args.get("user"):
            return {"ok": False, "error": "user_not_found"}
        return {"message_ts": self._next_ts()}

    def _find_message(self, args: dict[str, Any]) -> tuple[str, dict[str, Any]] | None:
        channel = _dm_channel(str(args.get("channel") or ""))
        for message in self._messages.get(channel, []):
            if message["ts"] == args.get("ts"):
                return channel, message
        return None

    def _chat_update(self, args: dict[str, Any]) -> dict[str, Any]:
        found = self._find_message(args)
        if found is None:
            return {"ok": False, "error": "message_not_found"}
        channel, message = found
        for key in ("text", "blocks", "attachments", "metadata"):
            if key in args:
                message[key] = args[key]
        return {"channel": channel, "ts": message["ts"], "text": message.get("text", ""), "message": dict(message)}

    def _chat_delete(self, args: dict[str, Any]) -> dict[str, Any]:
        found = self._find_message(args)
        if found is None:
            return {"ok": False, "error": "message_not_found"}
        channel, message = found
        self._messages[channel].remove(message)
        return {"channel": channel, "ts": message["ts"]}

    def _conversations_history(self, args: dict[str, Any]) -> dict[str, Any]:
        """Top-level messages, newest first, between ``oldest`` and ``latest``, paged.

        Metadata is returned only with ``include_all_metadata`` so a bot that
        forgets the flag finds out here rather than in production.
        """
        channel = _dm_channel(str(args.get("channel") or ""))
        if not channel:
            return {"ok": False, "error": "channel_not_found"}
        inclusive = _truthy(args.get("inclusive"))
        top_level = [
            m
            for m in self._messages.get(channel, [])
            if m.get("thread_ts", m["ts"]) == m["ts"] and _in_range(m["ts"], args, inclusive)
        ]
        newest_first = sorted(top_level, key=lambda m: _ts_key(m["ts"]), reverse=True)
        return _page(newest_first, args, _truthy(args.get("include_all_metadata")))

    def _conversations_replies(self, args: dict[str, Any]) -> dict[str, Any]:
        """The parent then its replies, oldest first, as Slack returns a thread. A parent
        the fake never saw (a person's message that a test sent as an event) still has
        the replies posted to it."""
        channel = _dm_channel(str(args.get("channel") or ""))
        parent_ts = args.get("ts")
        thread = [m for m in self._messages.get(channel, []) if parent_ts in (m["ts"], m.get("thread_ts"))]
        if not thread:
            return {"ok": False, "error": "thread_not_found"}
        thread.sort(key=lambda m: _ts_key(m["ts"]))
        return _page(thread, args, _truthy(args.get("include_all_metadata")))

    def _conversations_open(self, args: dict[str, Any]) -> dict[str, Any]:
        if args.get("channel"):
            return {"channel": {"id": args["channel"]}}
        users = [u for u in str(args.get("users") or "").split(",") if u]
        if not users:
            return {"ok": False, "error": "users_list_not_supplied"}
        if len(users) == 1:
            return {"channel": {"id": "D" + users[0], "is_im": True, "user": users[0]}}
        return {"channel": {"id": "G" + "".join(sorted(users)), "is_mpim": True}}

    def _users_info(self, args: dict[str, Any]) -> dict[str, Any]:
        user_id = str(args.get("user") or "")
        if not user_id or user_id in self._removed_users:
            return {"ok": False, "error": "user_not_found"}
        user = _default_user(user_id)
        user.update(self._users.get(user_id, {}))
        return {"user": user}

    def _users_list(self, args: dict[str, Any]) -> dict[str, Any]:
        """The workspace's members, paged with a cursor: the roster plus anyone set_user made."""
        members = sorted((self._roster | set(self._users)) - self._removed_users)
        start = int(args.get("cursor") or 0)
        limit = max(1, min(int(args.get("limit") or 200), 1000))
        page = []
        for user_id in members[start : start + limit]:
            user = _default_user(user_id)
            user.update(self._users.get(user_id, {}))
            page.append(user)
        more = start + limit < len(members)
        return {"members": page, "response_metadata": {"next_cursor": str(start + limit) if more else ""}}

    def _views_save(self, args: dict[str, Any]) -> dict[str, Any]:
        """views.publish/open/update/push: echo the view back with an id, as Slack does."""
        sent = args.get("view")
        if not isinstance(sent, dict):
            return {"ok": False, "error": "invalid_arguments"}
        view_id = str(args.get("view_id") or "") or self._next_id("V")
        view = {
            "id": view_id,
            "team_id": TEAM_ID,
            "app_id": APP_ID,
            "bot_id": BOT_ID,
            "hash": self._next_id("h"),
            "state": {"values": {}},
            "private_metadata": "",
            "callback_id": "",
            **sent,
        }
        self._views[view_id] = view
        return {"view": view}

    def _files_get_upload_url(self, args: dict[str, Any]) -> dict[str, Any]:
        if not args.get("filename") or not args.get("length"):
            return {"ok": False, "error": "invalid_arguments"}
        file_id = self._next_id("F")
        self._pending_uploads[file_id] = {"filename": args["filename"], "length": int(args["length"])}
        return {"upload_url": f"{self.base_url}/upload/{file_id}", "file_id": file_id}

    def _receive_upload(self, path: str, args: dict[str, Any]) -> _Reply:
        """The upload URL: Slack answers plain text ``OK - <bytes>``."""
        file_id = path.rsplit("/", 1)[-1]
        pending = self._pending_uploads.get(file_id)
        if pending is None:
            return _Reply(404, "Not Found")
        args.clear()  # the body is the file, not form fields
        args.update(file_id=file_id, filename=pending["filename"])
        pending["uploaded"] = True
        return _Reply(200, f"OK - {pending['length']}")

    def _files_complete_upload(self, args: dict[str, Any]) -> dict[str, Any]:
        files = args.get("files")
        if not isinstance(files, list) or not files:
            return {"ok": False, "error": "invalid_arguments"}
        out = []
        for item in files:
            pending = self._pending_uploads.get(str(item.get("id")))
            if pending is None or not pending.get("uploaded"):
                return {"ok": False, "error": "file_not_found"}
            name = pending["filename"]
            out.append({"id": item["id"], "title": item.get("title") or name, "name": name, "size": pending["length"]})
        channel = _dm_channel(str(args.get("channel_id") or ""))
        if channel:  # shared into a conversation: a message carrying the files, as Slack posts
            message = self._new_message({"text": args.get("initial_comment", "")})
            message["files"] = [{"id": f["id"], "name": f["name"]} for f in out]
            self._messages.setdefault(channel, []).append(message)
        return {"files": out}

    def _files_delete(self, args: dict[str, Any]) -> dict[str, Any]:
        """The file goes, and so do the messages that carried it."""
        file_id = str(args.get("file") or "")
        found = False
        for messages in self._messages.values():
            for message in [m for m in messages if any(f["id"] == file_id for f in m.get("files", ()))]:
                messages.remove(message)
                found = True
        return {} if found else {"ok": False, "error": "file_not_found"}


# --------------------------------------------------------------------------
# Small pure helpers
# --------------------------------------------------------------------------


def _route(path: str) -> tuple[str, str]:
    """``(method recorded on the Call, kind of endpoint)`` for a request path."""
    if path.startswith("/api/"):
        return path[len("/api/") :], "api"
    if path.startswith("/response/"):
        return RESPONSE_URL, RESPONSE_URL
    if path.startswith("/upload/"):
        return FILE_UPLOAD, FILE_UPLOAD
    return path, "unknown"


def _parse_args(query: str, content_type: str, body: bytes) -> dict[str, Any]:
    """Merge query string, then form/multipart fields, then a JSON body."""
    args: dict[str, Any] = _flatten(parse_qs(query, keep_blank_values=True))
    ctype = content_type.split(";")[0].strip().lower()
    if not body:
        pass  # slack_sdk labels even empty bodies application/json
    elif ctype == "application/x-www-form-urlencoded":
        args.update(_flatten(parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)))
    elif ctype == "multipart/form-data":
        args.update(_parse_multipart(content_type, body))
    elif ctype == "application/json":
        try:
            decoded = json.loads(body)
        except ValueError:
            decoded = None
        if isinstance(decoded, dict):
            args.update(decoded)
    for key in _JSON_FIELDS & args.keys():
        args[key] = _maybe_json(args[key])
    return args


def _flatten(parsed: dict[str, list[str]]) -> dict[str, Any]:
    return {k: v[0] if len(v) == 1 else v for k, v in parsed.items()}


def _parse_multipart(content_type: str, body: bytes) -> dict[str, Any]:
    """Form fields as str, file parts as bytes (the legacy files.upload shape)."""
    head = f"Content-Type: {content_type}\r\n\r\n".encode()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
    fields: dict[str, Any] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True) or b""
        if name:
            fields[str(name)] = payload if part.get_filename() else payload.decode("utf-8", "replace")
    return fields


def _maybe_json(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in ("[", "{"):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _token(headers: Mapping[str, str], args: Mapping[str, Any]) -> str | None:
    """Bearer header first; a ``token`` field counts for form calls as on real Slack."""
    auth = headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip() or None
    is_json = headers.get("content-type", "").lower().startswith("application/json")
    token = args.get("token")
    # Slack ignores a token inside a JSON body; mirror that so bots send the header.
    return None if is_json or not isinstance(token, str) else token


def _basic_auth(headers: Mapping[str, str]) -> tuple[str, str] | None:
    """(client id, client secret) of an HTTP Basic header, as oauth.v2.access is called."""
    import base64

    auth = headers.get("authorization", "")
    if not auth.lower().startswith("basic "):
        return None
    try:
        user, _, password = base64.b64decode(auth[6:].strip()).decode().partition(":")
    except ValueError:
        return None
    return user, password


def _fault_reply(fault: _Fault) -> _Reply:
    if fault.reset:
        return _Reply(reset=True)
    headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
    if fault.status is None:
        return _Reply(200, {"ok": False, "error": fault.error}, headers)
    error = fault.error or ("ratelimited" if fault.status == 429 else f"http_{fault.status}")
    return _Reply(fault.status, {"ok": False, "error": error}, headers)


def _truthy(value: Any) -> bool:
    """slack_sdk sends booleans as "1"/"0" in forms and true/false in JSON."""
    return value is True or str(value).lower() in ("1", "true")


def _ts_key(ts: str) -> tuple[int, int]:
    """Exact ordering for ts strings (floats lose the last microsecond digits)."""
    seconds, _, fraction = str(ts).partition(".")
    return int(seconds or 0), int((fraction or "0").ljust(6, "0")[:6])


def _in_range(ts: str, args: Mapping[str, Any], inclusive: bool) -> bool:
    key = _ts_key(ts)
    oldest, latest = args.get("oldest"), args.get("latest")
    if oldest and (key < _ts_key(oldest) or (key == _ts_key(oldest) and not inclusive)):
        return False
    return not (latest and (key > _ts_key(latest) or (key == _ts_key(latest) and not inclusive)))


def _page(messages: list[dict[str, Any]], args: Mapping[str, Any], with_metadata: bool) -> dict[str, Any]:
    """Cursor pagination as Slack does it (the cursor is an opaque offset here)."""
    limit = int(args.get("limit") or 100)
    start = int(args.get("cursor") or 0)
    chunk = messages[start : start + limit]
    more = start + limit < len(messages)
    out = [dict(m) for m in chunk]
    if not with_metadata:
        for m in out:
            m.pop("metadata", None)
    return {
        "messages": out,
        "has_more": more,
        "response_metadata": {"next_cursor": str(start + limit) if more else ""},
    }


def _dm_channel(channel: str) -> str:
    """Posting to a user ID lands in the bot's DM with them, as on Slack."""
    return "D" + channel if channel[:1] in ("U", "W") else channel


def _tz_fields(tz: str) -> dict[str, Any]:
    now = datetime.now(ZoneInfo(tz))
    offset = now.utcoffset()
    return {"tz": tz, "tz_label": now.tzname() or tz, "tz_offset": int(offset.total_seconds()) if offset else 0}


def _default_user(user_id: str) -> dict[str, Any]:
    real_name = f"User {user_id}"
    return {
        "id": user_id,
        "team_id": TEAM_ID,
        "name": user_id.lower(),
        "real_name": real_name,
        "deleted": False,
        "is_bot": False,
        **_tz_fields("Europe/London"),
        "profile": {"real_name": real_name, "display_name": real_name},
    }


def _describe(call: Call) -> str:
    text = readable_text(call).replace("\n", " ")
    shown = f" {text[:60]!r}" if text else ""
    error = call.response.get("error") if call.response else None
    return f"{call.method} [{call.status}{' ' + error if error else ''}]{shown}"
