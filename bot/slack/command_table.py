"""The slash command's vocabulary in one table. Help and every "type this" hint are built
from it with the command as the workspace installed it (/ladder, or /ladder-dev for a
second install), taken from the request the person sent."""

from __future__ import annotations

import re

from storage.records import CADENCES

CANONICAL = "/ladder"  # what manifest.yml installs, and what the ladder's own usage texts say

# What follows the command, and what it does: the "Grow towards a level" part of help.
GROWTH: tuple[tuple[tuple[str, ...], str], ...] = (
    (("level L2 cloud", "target L3 cloud"), "where you are and where you aim"),
    (("me",), "your profile, the gap and your next reflection prompt"),
    ((f"nudges {'|'.join(CADENCES)}", "nudges time 09:30 mon-fri"), ""),
    (("pause 2w", "resume"), ""),
    (("journal", "export", "forget me"), "your private reflections"),
    (("assess", "packet"), "rate yourself against your target; your promotion packet as a file"),
    (("stats",), "workspace counts, for admins"),
    (("manager @someone", "manager none"), "a manager, by invitation, who sees only what you share"),
    (("team", "shared"), "the people who made you their manager; what you have shared"),
)
HOME_EXAMPLES = ("L3", "what separates L2 from L3?", "help")

_CANONICAL_IN_CODE = re.compile(r"`/ladder(?=[ `])")


def typed(command: str, rest: str) -> str:
    """`/ladder-dev level L2 cloud`, as mrkdwn code."""
    return f"`{command} {rest}`"


def growth_lines(command: str) -> list[str]:
    lines = []
    for examples, meaning in GROWTH:
        usage = (
            " and ".join(typed(command, e) for e in examples)
            if len(examples) == 2 and meaning
            else ", ".join(typed(command, e) for e in examples)
        )
        lines.append(f"• {usage}: {meaning}" if meaning else f"• {usage}")
    return lines


def as_installed(text: str, command: str) -> str:
    """A text written with the canonical `/ladder ...` examples (the ladder's usage hints),
    with the installed command instead."""
    return text if command == CANONICAL else _CANONICAL_IN_CODE.sub(f"`{command}", text)
