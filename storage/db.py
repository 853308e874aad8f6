"""Engine creation and translation of driver errors."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, CursorResult, Result, make_url
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from .errors import DatabaseError, DatabaseUnavailable
from .urls import HARMLESS_QUERY_KEYS, HIDDEN, redact_url

log = logging.getLogger("ladderbot.storage")


SQLITE_BUSY_TIMEOUT_MS = 15_000
POSTGRES_CONNECT_TIMEOUT_S = 3  # short: a chat bot must answer within seconds, or not at all

# SQLSTATEs that mean "the server is going away or refuses us", not "your SQL is wrong".
_PG_UNAVAILABLE_STATES = {"57P01", "57P02", "57P03", "53300"}
_SQLITE_UNAVAILABLE = ("SQLITE_BUSY", "SQLITE_LOCKED", "SQLITE_CANTOPEN", "SQLITE_IOERR", "SQLITE_READONLY")


def normalize_url(url: str | URL) -> URL:
    """Parse ``url``; plain ``postgres://``/``postgresql://`` (Heroku style) use psycopg 3."""
    parsed = make_url(url)
    if parsed.drivername in ("postgres", "postgresql"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def url_secrets(url: URL) -> list[str]:
    """The values redact_url hides, to scrub them from a driver's own error messages too."""
    values = [str(url.password)] if url.password else []
    for key, value in url.query.items():
        if key.lower() not in HARMLESS_QUERY_KEYS:
            values += [v for v in ((value,) if isinstance(value, str) else value) if v]
    return values


def safe_url(url: URL) -> str:
    return redact_url(url.render_as_string(hide_password=False))


def make_engine(url: str | URL, **engine_kwargs: Any) -> Engine:
    """An engine for ``url`` with the SQLite or PostgreSQL settings ladderbot relies on."""
    parsed = normalize_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        _create_sqlite_folder(parsed)
    elif backend == "postgresql" and "connect_timeout" not in parsed.query:
        # Fail fast instead of hanging on a black-holed host.
        engine_kwargs.setdefault("connect_args", {}).setdefault("connect_timeout", POSTGRES_CONNECT_TIMEOUT_S)
    # hide_parameters: a failed statement's message (and so every log line and traceback that
    # quotes it) never carries the values bound to it, such as a reflection's text.
    engine = create_engine(parsed, pool_pre_ping=True, hide_parameters=True, **engine_kwargs)
    if backend == "sqlite":
        _configure_sqlite(engine)
    log.debug("database engine for %s", safe_url(parsed))
    return engine


def _create_sqlite_folder(url: URL) -> None:
    database = url.database or ""
    if database in ("", ":memory:") or database.startswith("file:"):
        return
    folder = Path(database).parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DatabaseUnavailable(f"cannot create folder {folder} for the SQLite database: {exc.strerror}") from exc


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Take transaction control away from the sqlite3 module (it emits
        # BEGIN late and never for SELECT); SQLAlchemy's "begin" below does it.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            # WAL: readers never block the writer. NORMAL sync is safe with WAL.
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        # IMMEDIATE takes the write lock up front, so transactions that read
        # then write (claim_nudge's insert-or-take-over) are serialised and
        # wait on busy_timeout instead of failing with SQLITE_BUSY mid-way.
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def is_unavailable(exc: DBAPIError) -> bool:
    """Does this driver error mean the database cannot be reached right now?"""
    if exc.connection_invalidated or isinstance(exc, InterfaceError):
        return True
    sqlite_name = getattr(exc.orig, "sqlite_errorname", None)
    if sqlite_name is not None:
        return sqlite_name.startswith(_SQLITE_UNAVAILABLE)
    if not isinstance(exc, OperationalError):
        return False
    # psycopg: client-side failures (refused, closed, timeout) carry no SQLSTATE;
    # class 08 is "connection exception". Others (serialization, lock timeout) are not outages.
    state = getattr(exc.orig, "sqlstate", None)
    return state is None or state.startswith("08") or state in _PG_UNAVAILABLE_STATES


def unavailable_message(exc: DBAPIError, url: URL) -> str:
    reason = (str(exc.orig).strip().splitlines() or [type(exc.orig).__name__])[0]
    for secret in url_secrets(url):
        reason = reason.replace(secret, HIDDEN)
    return f"database unavailable ({safe_url(url)}): {reason[:200]}"


def failure_message(exc: DBAPIError) -> str:
    """The driver's error in one line, with the statement (parameters are hidden by the engine)."""
    reason = (str(exc.orig).strip().splitlines() or [""])[0]
    statement = " ".join((exc.statement or "").split())
    return f"{type(exc.orig).__name__}: {reason[:300]} [SQL: {statement[:300]}]"


@contextmanager
def translate_errors(url: URL) -> Iterator[None]:
    """Re-raise outage errors as DatabaseUnavailable, and every other driver error as
    DatabaseError without the driver's exception chained: its later lines can quote the
    row being written (PostgreSQL's DETAIL), so they must not reach a log or a traceback."""
    try:
        yield
    except DBAPIError as exc:
        if is_unavailable(exc):
            raise DatabaseUnavailable(unavailable_message(exc, url)) from exc
        raise DatabaseError(failure_message(exc)) from None


def rows_changed(result: Result[Any]) -> int:
    """Rows an UPDATE or DELETE changed: SQLAlchemy returns a CursorResult for those,
    typed as the Result it derives from."""
    return cast(CursorResult[Any], result).rowcount
