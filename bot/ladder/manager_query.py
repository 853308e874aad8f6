"""The commands about a manager and what is shared with them: `manager @someone`,
`manager none`, `team`, `shared`.

Read before the ladder parser drops mentions: here the mention is the point. With the
manifest's `should_escape: true`, Slack sends `@mia` picked from its list as `<@U123|mia>`;
anything else (a typed name Slack did not recognise) is kept as typed, for a friendly answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_TYPED = 80

_LEADING_MENTION = re.compile(r"^<@[UWB][A-Z0-9]+(?:\|[^>]*)?>\s*")  # "@ladderbot manager ..." in a channel
_MENTION = re.compile(r"<@([UW][A-Z0-9]{2,})(?:\|[^>]*)?>")
_NOBODY = {"none", "nobody", "no one", "noone", "off", "remove", "end", "stop", "withdraw", "cancel"}


@dataclass(frozen=True)
class InviteManager:
    """Ask someone to be my manager. `user_id` is None when what followed was not a mention."""

    user_id: str | None
    typed: str = ""


@dataclass(frozen=True)
class EndManager:
    """End the link with my manager, or withdraw my pending invitation."""


@dataclass(frozen=True)
class ShowManager:
    """Who my manager is, or whom I asked."""


@dataclass(frozen=True)
class ShowTeam:
    """For a manager: the people who linked them and what each shared."""


@dataclass(frozen=True)
class ShowShared:
    """What I shared, with whom and when."""


ManagerIntent = InviteManager | EndManager | ShowManager | ShowTeam | ShowShared
MANAGER_INTENTS = (InviteManager, EndManager, ShowManager, ShowTeam, ShowShared)


def parse_manager_command(text: str, max_chars: int = 500) -> ManagerIntent | None:
    """The intent, or None when `text` is not one of these commands."""
    text = re.sub(r"\s+", " ", str(text or "")[:max_chars].replace("\u00a0", " ")).strip()
    text = _LEADING_MENTION.sub("", text, count=1)
    first, _, rest = text.partition(" ")
    first, rest = first.lower(), rest.strip()
    if first in ("manager", "managers", "my-manager"):
        return _manager(rest)
    if text.lower() in ("team", "my team"):
        return ShowTeam()
    if text.lower() in ("shared", "my shares", "shares", "what i shared", "what i've shared"):
        return ShowShared()
    return None


def _manager(rest: str) -> ManagerIntent:
    if not rest:
        return ShowManager()
    if rest.lower() in _NOBODY:
        return EndManager()
    mention = _MENTION.fullmatch(rest)
    if mention:
        return InviteManager(mention.group(1))
    return InviteManager(None, rest[:MAX_TYPED])
