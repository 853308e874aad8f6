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
