"""Exceptions raised by the storage layer."""


class StorageError(Exception):
    """Base class for every error the storage layer raises on purpose."""


class DatabaseUnavailable(StorageError):
    """The database cannot be reached right now (down, refused, locked, ...).

    The message never contains the password from the database URL.
    """


class DatabaseError(StorageError):
    """A statement failed for another reason than an outage (a constraint, bad data...).

    The message names the driver's error and the statement, never the values bound to it
    nor the row it was writing (PostgreSQL's "DETAIL: Failing row contains ...").
    """


class SchemaOutOfDate(StorageError):
    """A shared database whose schema is behind the code: `ladderbot db upgrade` fixes it."""
