"""ladderbot's storage layer: SQLite or PostgreSQL through SQLAlchemy.

Callers use ``Store`` and the frozen records it returns; sessions and ORM
objects stay inside this package.
"""

from .db import DEFAULT_DATABASE_URL, make_engine
from .errors import DatabaseError, DatabaseUnavailable, StorageError
from .migrate import current_revision, head_revision, upgrade
from .models import CADENCES, NUDGE_STATUSES, REFLECTION_SOURCES
from .records import Nudge, Person, Reflection
from .repository import Store

__all__ = [
    "CADENCES",
    "DEFAULT_DATABASE_URL",
    "DatabaseError",
    "NUDGE_STATUSES",
    "REFLECTION_SOURCES",
    "DatabaseUnavailable",
    "Nudge",
    "Person",
    "Reflection",
    "StorageError",
    "Store",
    "current_revision",
    "head_revision",
    "make_engine",
    "upgrade",
]
