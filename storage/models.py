"""ORM models: the single description of the schema.

The migrations in ``storage/migrations/versions`` are written by hand and a
test checks that the migrated database matches this metadata exactly, so any
change here needs a new migration.
"""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from .records import CADENCES

NUDGE_STATUSES = ("claimed", "sent", "retry", "failed", "skipped", "snoozed", "answered")
REFLECTION_SOURCES = ("thread", "modal", "command")

# Named constraints make later migrations (SQLite batch mode in particular)
# able to find and alter them on both backends.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class UTCDateTime(TypeDecorator[datetime]):
    """``DateTime(timezone=True)`` that always hands back aware UTC datetimes.

    SQLite has no time zone type and returns naive values; PostgreSQL returns
    them in the session time zone. Values are normalised to UTC on the way in,
    so naive values read back from SQLite are UTC by construction.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: pass a timezone-aware datetime")
        return value.astimezone(timezone.utc)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime()}


ID = String(64)  # Slack ids (team, user, channel) are ~11 chars; room to spare
LEVEL_ID = String(200)


class ProcessedEventRow(Base):
    """One row per Slack event already handled, to drop Slack's retries."""

    __tablename__ = "processed_events"

    team_id: Mapped[str] = mapped_column(ID, primary_key=True)
    event_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    received_at: Mapped[datetime] = mapped_column(index=True)


class PersonRow(Base):
    __tablename__ = "people"
    __table_args__ = (
        UniqueConstraint("team_id", "user_id"),
        CheckConstraint(_in("cadence", CADENCES), name="cadence"),
        CheckConstraint("ignored_streak >= 0", name="ignored_streak"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(ID)
    user_id: Mapped[str] = mapped_column(ID)
    current_level_id: Mapped[str | None] = mapped_column(LEVEL_ID)
    target_level_id: Mapped[str | None] = mapped_column(LEVEL_ID)
    cadence: Mapped[str] = mapped_column(String(16), default="monthly", server_default="monthly")
    local_time: Mapped[str] = mapped_column(String(5), default="10:00", server_default="10:00")
    weekdays: Mapped[str] = mapped_column(
        String(64), default="mon,tue,wed,thu,fri", server_default="mon,tue,wed,thu,fri"
    )
    tz: Mapped[str] = mapped_column(String(64), default="UTC", server_default="UTC")
    tz_refreshed_at: Mapped[datetime | None]
    paused_until: Mapped[datetime | None]
    ignored_streak: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class NudgeRow(Base):
    __tablename__ = "nudges"
    __table_args__ = (
        # The one guarantee that a person never gets two nudges in a period,
        # whichever process or thread tries to send.
        UniqueConstraint("team_id", "user_id", "period"),
        CheckConstraint(_in("status", NUDGE_STATUSES), name="status"),
        Index(None, "team_id", "channel_id", "message_ts"),  # thread replies
        Index(None, "status", "claimed_at"),  # stale claims, counts
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(ID)
    user_id: Mapped[str] = mapped_column(ID)
    period: Mapped[str] = mapped_column(String(16))
    # The competency is copied, not referenced: ladder content may change.
    level_id: Mapped[str] = mapped_column(LEVEL_ID)
    competency_key: Mapped[str] = mapped_column(String(200))
    competency_text: Mapped[str] = mapped_column(Text)
    section_name: Mapped[str] = mapped_column(String(200))
    example_text: Mapped[str | None] = mapped_column(Text)
    question: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))
    claimed_by: Mapped[str] = mapped_column(String(200))
    claimed_at: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    sent_at: Mapped[datetime | None]
    channel_id: Mapped[str | None] = mapped_column(ID)
    message_ts: Mapped[str | None] = mapped_column(String(32))
    error: Mapped[str | None] = mapped_column(Text)
    responded_at: Mapped[datetime | None]


class ReflectionRow(Base):
    __tablename__ = "reflections"
    __table_args__ = (
        CheckConstraint(_in("source", REFLECTION_SOURCES), name="source"),
        Index(None, "team_id", "user_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(ID)
    user_id: Mapped[str] = mapped_column(ID)
    nudge_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("nudges.id", ondelete="SET NULL"), index=True
    )
    level_id: Mapped[str | None] = mapped_column(LEVEL_ID)
    competency_key: Mapped[str | None] = mapped_column(String(200))
    competency_text: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime]
