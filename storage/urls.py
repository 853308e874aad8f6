"""Database URLs as they may be shown: no SQLAlchemy here, so that configuration and
logging can use it without importing the database layer."""

from __future__ import annotations

from urllib.parse import urlsplit

# Relative to the working directory: `ladderbot` run from the checkout keeps
# its database in ./data/.
DEFAULT_DATABASE_URL = "sqlite:///data/ladderbot.db"

# Query parameters whose values are safe to show. Any other value may be a secret
# (?password=, ?sslpassword=, a token for a proxy...), so it is hidden.
HARMLESS_QUERY_KEYS = frozenset(
    {
        "sslmode",
        "connect_timeout",
        "application_name",
        "target_session_attrs",
        "gssencmode",
        "client_encoding",
        "timeout",
        "mode",
        "cache",
        "check_same_thread",
        "uri",
    }
)
HIDDEN = "***"


def redact_url(url: str) -> str:
    """The one way a URL is shown or logged: the password in its userinfo and every query
    value that may be a secret become ***; scheme, user, host, port, path stay readable."""
    scheme, separator, rest = url.partition("://")
    if not separator:
        return url
    location, question, query = rest.partition("?")
    if "@" in location:  # the last @ ends the userinfo: passwords may hold unescaped '@' or '/'
        userinfo, _, host = location.rpartition("@")
        user, colon, _password = userinfo.partition(":")
        location = f"{user}{':' + HIDDEN if colon else ''}@{host}"
    if question:
        query = "&".join(_redact_parameter(parameter) for parameter in query.split("&"))
    return f"{scheme}://{location}{question}{query}"


def _redact_parameter(parameter: str) -> str:
    key, equals, value = parameter.partition("=")
    if not equals or not value or key.lower() in HARMLESS_QUERY_KEYS:
        return parameter
    return f"{key}={HIDDEN}"


def is_valid_url(url: str) -> bool:
    """Does ``url`` parse as a database URL, port included? (The password may hold
    unescaped '@' and '/', as redact_url allows.)"""
    scheme, separator, rest = url.partition("://")
    location = rest.partition("?")[0]
    host = location.rpartition("@")[2].partition("/")[0]
    try:
        urlsplit(f"{scheme}://{host}").port  # noqa: B018 - parsing the port is the check
    except ValueError:
        return False
    return bool(separator)
