"""ladderbot's storage layer: SQLite or PostgreSQL through SQLAlchemy.

Callers use ``Store`` and the frozen records it returns; sessions and ORM
objects stay inside this package.

The names below are imported on first use (PEP 562), so that `import storage` and
`storage.urls` cost nothing to the terminal commands that never touch a database.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .db import make_engine
    from .errors import DatabaseError, DatabaseUnavailable, SchemaOutOfDate, StorageError
    from .migrate import current_revision, head_revision, prepare, upgrade
    from .models import NUDGE_STATUSES, RATINGS, REFLECTION_SOURCES
    from .records import (
        CADENCES,
        WEEKDAYS,
        WORKDAYS,
        Assessment,
        LevelCount,
        LevelSnapshot,
        ManagerLink,
        MonthCount,
        Nudge,
        Person,
        Rating,
        Reflection,
        Share,
        ShareCopy,
        SharedItem,
        TeamMember,
        WorkspaceStats,
    )
    from .repository import Store
    from .urls import DEFAULT_DATABASE_URL
    from .workspaces import Installed

_HOMES = {
    "DEFAULT_DATABASE_URL": ".urls",
    "make_engine": ".db",
    "DatabaseError": ".errors",
    "DatabaseUnavailable": ".errors",
    "SchemaOutOfDate": ".errors",
    "StorageError": ".errors",
    "current_revision": ".migrate",
    "head_revision": ".migrate",
    "prepare": ".migrate",
    "upgrade": ".migrate",
    "CADENCES": ".records",
    "WEEKDAYS": ".records",
    "WORKDAYS": ".records",
    "NUDGE_STATUSES": ".models",
    "REFLECTION_SOURCES": ".models",
    "RATINGS": ".models",
    "Nudge": ".records",
    "Person": ".records",
    "Reflection": ".records",
    "Assessment": ".records",
    "Rating": ".records",
    "ManagerLink": ".records",
    "Share": ".records",
    "ShareCopy": ".records",
    "SharedItem": ".records",
    "TeamMember": ".records",
    "LevelSnapshot": ".records",
    "LevelCount": ".records",
    "MonthCount": ".records",
    "WorkspaceStats": ".records",
    "Store": ".repository",
    "Installed": ".workspaces",
}
__all__ = [  # noqa: RUF022 - grouped as in _HOMES
    "DEFAULT_DATABASE_URL",
    "make_engine",
    "DatabaseError",
    "DatabaseUnavailable",
    "SchemaOutOfDate",
    "StorageError",
    "current_revision",
    "head_revision",
    "prepare",
    "upgrade",
    "CADENCES",
    "WEEKDAYS",
    "WORKDAYS",
    "NUDGE_STATUSES",
    "REFLECTION_SOURCES",
    "Nudge",
    "Person",
    "Reflection",
    "Store",
    "RATINGS",
    "Assessment",
    "Rating",
    "ManagerLink",
    "Share",
    "ShareCopy",
    "SharedItem",
    "TeamMember",
    "LevelSnapshot",
    "LevelCount",
    "MonthCount",
    "WorkspaceStats",
    "Installed",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'storage' has no attribute {name!r}")
    return getattr(importlib.import_module(home, __name__), name)
