"""Schema migrations (alembic, configured in code; no alembic.ini)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection

from .db import make_engine, translate_errors
from .errors import DatabaseUnavailable, SchemaOutOfDate, StorageError

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).resolve().with_name("migrations")


def alembic_config(connection: Connection | None = None) -> Config:
    # The URL is never put in the config: configparser would choke on '%' in
    # passwords, and alembic could echo it. The connection is passed instead.
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def prepare(url: str) -> None:
    """Make the database ready for a process that starts: SQLite migrates itself; a shared
    PostgreSQL is migrated by `ladderbot db upgrade` (the Procfile's release step), never by
    several web processes at once, so here it is only checked (SchemaOutOfDate if behind).
    A database that cannot be reached is logged, not raised: ladder answers need none."""
    try:
        if url.startswith("sqlite"):
            upgrade(url)
        elif current_revision(url) != head_revision():
            raise SchemaOutOfDate("DATABASE_URL: the database schema is not up to date; run `ladderbot db upgrade`")
    except DatabaseUnavailable as error:
        log.error("%s; ladder answers work, profiles and prompts will fail until it is back", error)


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database at ``url`` up to ``revision`` (what `ladderbot db upgrade` runs)."""
    _run(url, lambda config: command.upgrade(config, revision))


def downgrade(url: str, revision: str) -> None:
    _run(url, lambda config: command.downgrade(config, revision))


def current_revision(url: str) -> str | None:
    """The revision the database is at; None for an empty database."""
    engine = make_engine(url)
    try:
        with translate_errors(engine.url), engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()


def head_revision() -> str | None:
    """The newest revision shipped with this version of ladderbot."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def _run(url: str, step) -> None:
    engine = make_engine(url)
    try:
        with (
            translate_errors(engine.url),
            engine.connect() as connection,
            _sqlite_foreign_keys_off(connection),
            connection.begin(),
        ):
            step(alembic_config(connection))
            _check_sqlite_foreign_keys(connection)
    finally:
        engine.dispose()


@contextmanager
def _sqlite_foreign_keys_off(connection: Connection) -> Iterator[None]:
    # Batch mode rebuilds a SQLite table by copy + DROP; with foreign keys on,
    # dropping `nudges` would run ON DELETE SET NULL on every reflection. The
    # pragma only works outside a transaction, hence on the raw connection.
    if connection.dialect.name != "sqlite":
        yield
        return
    raw = connection.connection.driver_connection
    assert raw is not None  # a live connection always has its driver's
    raw.execute("PRAGMA foreign_keys=OFF")
    try:
        yield
    finally:
        raw.execute("PRAGMA foreign_keys=ON")


def _check_sqlite_foreign_keys(connection: Connection) -> None:
    if connection.dialect.name != "sqlite":
        return
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        raise StorageError(f"migration left {len(broken)} broken foreign key(s), e.g. {tuple(broken[0])}")
