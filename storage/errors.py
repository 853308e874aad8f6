"""Exceptions raised by the storage layer."""


class StorageError(Exception):
    """Base class for every error the storage layer raises on purpose."""


class DatabaseUnavailable(StorageError):
    """The database cannot be reached right now (down, refused, locked, ...).

    The message never contains the password from the database URL.
    """
