"""A fake Slack Socket Mode server on 127.0.0.1, for tests that must never reach Slack.

Slack's side of Socket Mode: the app calls ``apps.connections.open`` (answered by
the fake Web API with :meth:`FakeSocketMode.new_url`), opens a WebSocket to that
URL, gets a ``hello``, then receives envelopes and acknowledges each one by
sending back its ``envelope_id``. The WebSocket side is the ``websockets``
library's threaded server; between it and the app sits a tiny TCP relay, the
"network", which tests can break the ways real networks break:

* :meth:`FakeSocketMode.blackhole`: the link stays open but delivers nothing in
  either direction, no close frame, no FIN, no RST (a NAT or load balancer that
  forgot the connection, a laptop that slept): only the app's own pings can
  find out;
* :meth:`FakeSocketMode.reset`: the peer is gone; the app's next packet gets a TCP RST.

Typical use::

    with FakeSocketMode() as sm:
        fake_slack.on("apps.connections.open", lambda args: {"url": sm.new_url()})
        ...start the app...
        sm.wait_connected()
        envelope_id = sm.send("events_api", {...})
        sm.wait_ack(envelope_id)
"""

from __future__ import annotations

import itertools
import json
import socket
import struct
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from websockets.exceptions import ConnectionClosed
from websockets.sync.server import Server, ServerConnection, serve

__all__ = ["FakeSocketMode", "Session"]


@dataclass
class Session:
    """One WebSocket connection the app opened, in the order they were opened."""

    number: int
    connection: ServerConnection
    opened_at: float
    acks: dict[str, dict[str, Any]] = field(default_factory=dict)


class _Link:
    """One TCP connection from the app, relayed byte for byte to the WebSocket server."""

    def __init__(self, app_side: socket.socket, server_address: tuple[str, int]) -> None:
        self.app_side = app_side
        self.server_side = socket.create_connection(server_address)
        self.dead = threading.Event()  # set: bytes are read and dropped, both ways
        self.reset_pending = threading.Event()  # set: the app's next packet gets a TCP RST
        for source, target in ((app_side, self.server_side), (self.server_side, app_side)):
            threading.Thread(target=self._pump, args=(source, target), daemon=True, name="fake-sm-link").start()

    def _pump(self, source: socket.socket, target: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                if source is self.app_side and self.reset_pending.is_set():
                    self._reset()
                    return
                if not self.dead.is_set():
                    target.sendall(data)
            # Pass a FIN on; when the app gives up on a dead link the server hears it too,
            # so its connection ends (the app cannot tell).
            if target is self.server_side or not self.dead.is_set():
                target.shutdown(socket.SHUT_WR)
        except OSError:
            pass  # the other side went away: so does this pump

    def _reset(self) -> None:
        """Close the app's side with SO_LINGER 0: the kernel answers with a TCP RST, not a FIN."""
        self.app_side.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.app_side.close()
        _close(self.server_side)

    def close(self) -> None:
        _close(self.app_side)
        _close(self.server_side)


def _close(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)  # wakes a thread blocked reading it; close() alone would not
    except OSError:
        pass
    sock.close()


class FakeSocketMode:
    """Slack's Socket Mode endpoint on ``127.0.0.1:<ephemeral port>``. See module docstring."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._sessions: list[Session] = []
        self._links: list[_Link] = []
        self._tickets = itertools.count(1)
        self._envelopes = itertools.count(1)
        self.errors: list[BaseException] = []  # bugs in the fake, or protocol violations by the app
        self._server: Server | None = None
        self._relay: socket.socket | None = None

    # -- lifecycle --------------------------------------------------------

    def start(self) -> FakeSocketMode:
        # No server pings (the app's own pings are under test) and no compression (Slack offers none).
        self._server = serve(self._serve, "127.0.0.1", 0, ping_interval=None, compression=None)
        threading.Thread(target=self._server.serve_forever, daemon=True, name="fake-sm-server").start()
        self._relay = socket.create_server(("127.0.0.1", 0))
        threading.Thread(target=self._accept_links, daemon=True, name="fake-sm-relay").start()
        return self

    def stop(self) -> None:
        if self._relay is not None:
            _close(self._relay)
        with self._cond:
            links, self._links = self._links, []
        for link in links:
            link.close()
        if self._server is not None:
            self._server.shutdown()
        self._server = self._relay = None

    def __enter__(self) -> FakeSocketMode:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def new_url(self) -> str:
        """A fresh WebSocket URL, what ``apps.connections.open`` answers."""
        assert self._relay is not None, "FakeSocketMode is not started"
        port = self._relay.getsockname()[1]
        return f"ws://127.0.0.1:{port}/link/?ticket=ticket-{next(self._tickets)}&app_id=A0TEST"

    # -- what the app did ------------------------------------------------

    @property
    def sessions(self) -> list[Session]:
        with self._cond:
            return list(self._sessions)

    def wait_connected(self, count: int = 1, timeout: float = 30) -> Session:
        """Block until the app has opened ``count`` WebSocket connections; return the latest."""
        with self._cond:
            if not self._cond.wait_for(lambda: len(self._sessions) >= count, timeout=timeout):
                raise AssertionError(
                    f"expected {count} Socket Mode connection(s) within {timeout}s, got {len(self._sessions)}"
                )
            return self._sessions[-1]

    def wait_ack(self, envelope_id: str, timeout: float = 10) -> dict[str, Any]:
        """Block until the app acknowledged ``envelope_id``; return the ack (``payload`` included)."""
        with self._cond:
            if not self._cond.wait_for(lambda: self._ack(envelope_id) is not None, timeout=timeout):
                raise AssertionError(f"envelope {envelope_id} was not acknowledged within {timeout}s")
            return self._ack(envelope_id)  # type: ignore[return-value]

    # -- what Slack does -------------------------------------------------

    def send(
        self,
        kind: str,
        payload: dict[str, Any],
        *,
        accepts_response_payload: bool = False,
        retry_attempt: int = 0,
        retry_reason: str = "",
    ) -> str:
        """Send an envelope (``events_api``, ``slash_commands``, ``interactive``) on the
        latest connection, as Slack does; return its ``envelope_id``. Events carry Slack's
        ``retry_attempt``/``retry_reason`` (a redelivery gets a new ``envelope_id``)."""
        envelope_id = f"envelope-{next(self._envelopes)}"
        envelope: dict[str, Any] = {
            "envelope_id": envelope_id,
            "type": kind,
            "payload": payload,
            "accepts_response_payload": accepts_response_payload,
        }
        if kind == "events_api":
            envelope.update(retry_attempt=retry_attempt, retry_reason=retry_reason)
        self._latest().connection.send(json.dumps(envelope))
        return envelope_id

    def ask_to_reconnect(self) -> None:
        """Slack's ``disconnect`` message: it refreshes connections every few hours this way."""
        self._latest().connection.send(
            json.dumps(
                {"type": "disconnect", "reason": "refresh_requested", "debug_info": {"host": "fake-socket-mode"}}
            )
        )

    def blackhole(self) -> None:
        """The network silently stops delivering on every open link (see module docstring)."""
        with self._cond:
            for link in self._links:
                link.dead.set()

    def reset(self) -> None:
        """The peer is gone, as after a crash or restart: every open link delivers nothing
        more, and the app's next packet on it (its next ping at the latest) is answered with
        a TCP RST. No close frame, no FIN."""
        with self._cond:
            for link in self._links:
                link.dead.set()
                link.reset_pending.set()

    # -- internals --------------------------------------------------------

    def _latest(self) -> Session:
        with self._cond:
            if not self._sessions:
                raise AssertionError("no Socket Mode connection to send on")
            return self._sessions[-1]

    def _ack(self, envelope_id: str) -> dict[str, Any] | None:
        for session in self._sessions:
            if envelope_id in session.acks:
                return session.acks[envelope_id]
        return None

    def _accept_links(self) -> None:
        assert self._relay is not None and self._server is not None
        server_address = self._server.socket.getsockname()[:2]
        while True:
            try:
                app_side, _ = self._relay.accept()
            except OSError:
                return  # stopped
            link = _Link(app_side, server_address)
            with self._cond:
                self._links.append(link)

    def _serve(self, connection: ServerConnection) -> None:
        """One connection: say hello as Slack does, then record every acknowledgement."""
        with self._cond:
            session = Session(len(self._sessions) + 1, connection, time.monotonic())
            self._sessions.append(session)
            self._cond.notify_all()
        connection.send(
            json.dumps(
                {
                    "type": "hello",
                    "num_connections": len(self._sessions),
                    "connection_info": {"app_id": "A0TEST"},
                    "debug_info": {"host": "fake-socket-mode", "approximate_connection_time": 18060},
                }
            )
        )
        try:
            for message in connection:
                self._record(session, message)
        except ConnectionClosed:
            pass  # the app hung up, or the network did

    def _record(self, session: Session, message: str | bytes) -> None:
        try:
            ack = json.loads(message)
            envelope_id = ack["envelope_id"]
        except (ValueError, TypeError, KeyError) as error:
            self.errors.append(AssertionError(f"not an acknowledgement: {message!r} ({error!r})"))
            return
        with self._cond:
            session.acks[envelope_id] = ack
            self._cond.notify_all()
