"""The workspace view for admins: counts only, small numbers hidden."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from storage import WorkspaceStats

SMALL = 5  # fewer than this many is shown as "<5": a small count can point at a person
ADMINS_ENV = "LADDERBOT_ADMINS"


def bucket(count: int) -> str:
    return f"<{SMALL}" if count < SMALL else str(count)


@dataclass(frozen=True)
class LevelLine:
    level: str  # the level's name, or its id if the ladder no longer has it
    current: str
    target: str


@dataclass(frozen=True)
class MonthLine:
    month: str
    sent: str
    answered: str


@dataclass(frozen=True)
class StatsReport:
    people: str
    with_current: str
    with_target: str
    levels: tuple[LevelLine, ...]
    prompts: tuple[MonthLine, ...]
    reflections: str
    assessments: str
    assessed_people: str


def stats_report(stats: WorkspaceStats, level_name: Callable[[str], str | None] = lambda _: None) -> StatsReport:
    """Every count bucketed, levels named (in name order)."""
    levels = sorted(
        (LevelLine(level_name(c.level_id) or c.level_id, bucket(c.current), bucket(c.target)) for c in stats.levels),
        key=lambda line: line.level,
    )
    return StatsReport(
        bucket(stats.people),
        bucket(stats.with_current),
        bucket(stats.with_target),
        tuple(levels),
        tuple(MonthLine(m.month, bucket(m.sent), bucket(m.answered)) for m in stats.prompts),
        bucket(stats.reflections),
        bucket(stats.assessments),
        bucket(stats.assessed_people),
    )


def admins_from_env(env: Mapping[str, str] | None = None) -> frozenset[str]:
    """LADDERBOT_ADMINS: Slack user ids, separated by commas or spaces."""
    raw = (os.environ if env is None else env).get(ADMINS_ENV, "")
    return frozenset(part for part in raw.replace(",", " ").split() if part)


def may_see_stats(user_id: str, slack_user: Mapping[str, object], admins: frozenset[str]) -> bool:
    """Workspace admins and owners (users.info flags) and the people named in LADDERBOT_ADMINS."""
    flags = ("is_admin", "is_owner", "is_primary_owner")
    return user_id in admins or any(slack_user.get(flag) is True for flag in flags)
