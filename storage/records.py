"""Frozen records handed to callers instead of ORM objects or sessions.

All datetimes are timezone-aware UTC.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

# The vocabulary a Person's settings are written in: the one home for it (the schema's CHECK,
# the Store's validation, the schedule and the Slack pickers all read these).
CADENCES = ("monthly", "fortnightly", "weekly", "off")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WORKDAYS = WEEKDAYS[:5]


@dataclass(frozen=True, slots=True)
class Person:
    id: int
    team_id: str
    user_id: str
    current_level_id: str | None
    target_level_id: str | None
    cadence: str
    local_time: str
    weekdays: str
    tz: str
    tz_refreshed_at: datetime | None
    paused_until: datetime | None
    ignored_streak: int
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class Nudge:
    id: int
    team_id: str
    user_id: str
    period: str
    level_id: str
    competency_key: str
    competency_text: str
    section_name: str
    example_text: str | None
    question: str
    status: str
    claimed_by: str
    claimed_at: datetime
    attempts: int
    sent_at: datetime | None
    channel_id: str | None
    message_ts: str | None
    error: str | None
    responded_at: datetime | None


@dataclass(frozen=True, slots=True)
class Reflection:
    id: int
    team_id: str
    user_id: str
    nudge_id: int | None
    level_id: str | None
    competency_key: str | None
    competency_text: str | None
    text: str
    source: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Rating:
    criterion_key: str
    rating: str  # "not_yet", "partly" or "met"
    note: str | None


@dataclass(frozen=True, slots=True)
class Assessment:
    id: int
    team_id: str
    user_id: str
    level_id: str
    created_at: datetime
    ratings: tuple[Rating, ...]

    def rating_of(self, criterion_key: str) -> Rating | None:
        return next((r for r in self.ratings if r.criterion_key == criterion_key), None)


@dataclass(frozen=True, slots=True)
class ManagerLink:
    id: int
    team_id: str
    user_id: str  # the person
    manager_id: str
    status: str  # pending, accepted, declined, withdrawn, ended
    created_at: datetime
    responded_at: datetime | None
    ended_at: datetime | None


@dataclass(frozen=True, slots=True)
class Share:
    id: int
    team_id: str
    user_id: str
    manager_id: str
    link_id: int
    kind: str  # reflection, assessment or packet
    reflection_id: int | None
    assessment_id: int | None
    level_id: str | None  # a packet's level
    shared_at: datetime


@dataclass(frozen=True, slots=True)
class ShareCopy:
    """What the bot sent a manager for one share: a message (channel, ts) or a file."""

    channel: str
    ts: str | None
    file_id: str | None


@dataclass(frozen=True, slots=True)
class SharedItem:
    """A share with the item itself, as the manager may see it."""

    share: Share
    reflection: Reflection | None = None
    assessment: Assessment | None = None


@dataclass(frozen=True, slots=True)
class TeamMember:
    """One person linked to a manager, and only what they shared through that link."""

    user_id: str
    current_level_id: str | None
    target_level_id: str | None
    linked_at: datetime
    shared: tuple[SharedItem, ...]


@dataclass(frozen=True, slots=True)
class LevelSnapshot:
    level_id: str
    fingerprint: str
    content: str
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class LevelCount:
    level_id: str
    current: int  # people whose current level it is
    target: int  # people whose target level it is


@dataclass(frozen=True, slots=True)
class MonthCount:
    month: str  # "2026-11", by the UTC date the prompts were sent
    sent: int
    answered: int


@dataclass(frozen=True, slots=True)
class WorkspaceStats:
    """Counts only: no user ids, no text."""

    people: int
    with_current: int
    with_target: int
    levels: tuple[LevelCount, ...]
    prompts: tuple[MonthCount, ...]
    reflections: int
    assessments: int
    assessed_people: int
