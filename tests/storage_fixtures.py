"""Storage fixtures, one set of tests for SQLite and PostgreSQL.

Import both names wherever they are used (a conftest later):

    from tests.storage_fixtures import store, database_url  # noqa

SQLite: a fresh file per test under tmp_path, migrated with storage.upgrade.
PostgreSQL (only when LADDERBOT_TEST_DATABASE_URL is set): one uniquely named
database per test session, created on that server, migrated once, emptied
before every test and dropped at the end of the session.
"""

from __future__ import annotations

import os
import uuid
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import URL

import storage
from storage.db import normalize_url
from storage.models import Base

PG_ENV = "LADDERBOT_TEST_DATABASE_URL"

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param(
        "postgresql",
        id="postgresql",
        marks=[
            pytest.mark.postgres,
            pytest.mark.skipif(
                not os.environ.get(PG_ENV),
                reason=f"PostgreSQL tests need {PG_ENV}, e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test",
            ),
        ],
    ),
]


def url_string(url: URL) -> str:
    return url.render_as_string(hide_password=False)


def _server_engine() -> Engine:
    # AUTOCOMMIT: CREATE/DROP DATABASE cannot run inside a transaction.
    return create_engine(normalize_url(os.environ[PG_ENV]), isolation_level="AUTOCOMMIT")


@contextmanager
def fresh_postgres_database(prefix: str = "ladderbot_test") -> Iterator[str]:
    """An empty, uniquely named database on the test server; dropped on exit."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    server = _server_engine()
    try:
        with server.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield url_string(server.url.set(database=name))
        finally:
            with server.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        server.dispose()


class _SessionPostgres:
    """The per-session PostgreSQL database, created on first use.

    Kept out of pytest's fixture namespace so that importing `store` and
    `database_url` is enough; the drop is registered with config.add_cleanup.
    """

    def __init__(self, config: pytest.Config) -> None:
        self._context = fresh_postgres_database()
        self.url = self._context.__enter__()
        config.add_cleanup(self.close)
        storage.upgrade(self.url)
        self._engine = create_engine(self.url)

    def empty(self) -> None:
        from storage.installations import SLACK_METADATA

        tables = ", ".join(f'"{t.name}"' for t in [*Base.metadata.sorted_tables, *SLACK_METADATA.sorted_tables])
        with self._engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))

    def close(self) -> None:
        self._engine.dispose()
        self._context.__exit__(None, None, None)


def _session_postgres(config: pytest.Config) -> _SessionPostgres:
    key = "_ladderbot_storage_postgres"
    if not hasattr(config, key):
        setattr(config, key, _SessionPostgres(config))
    return getattr(config, key)


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path) -> str:
    """URL of an empty, migrated database of each backend."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'ladderbot.db'}"
        storage.upgrade(url)
        return url
    pg = _session_postgres(request.config)
    pg.empty()
    return pg.url


@pytest.fixture
def store(database_url: str) -> Iterator[storage.Store]:
    s = storage.Store(database_url)
    yield s
    s.dispose()


def nudge_statuses(store: storage.Store, team_id: str, user_ids: Iterable[str]) -> Counter[str]:
    """How many of these people's nudges are in each status, read through the Store's public API."""
    history = store.nudge_history((team_id, user) for user in user_ids)
    return Counter(nudge.status for nudges in history.values() for nudge in nudges)
