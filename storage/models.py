"""ORM models: the single description of the schema.

The migrations in ``storage/migrations/versions`` are written by hand and a
test checks that the migrated database matches this metadata exactly, so any
change here needs a new migration.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import ClassVar

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
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from .records import CADENCES

NUDGE_STATUSES = ("claimed", "sent", "retry", "failed", "skipped", "snoozed", "answered")
REFLECTION_SOURCES = ("thread", "modal", "command")
RATINGS = ("not_yet", "partly", "met")
# pending -> accepted | declined | withdrawn (the person invited someone else); accepted -> ended
LINK_STATUSES = ("pending", "accepted", "declined", "withdrawn", "ended")
SHARE_KINDS = ("reflection", "assessment", "packet")

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
    type_annotation_map: ClassVar = {datetime: UTCDateTime()}


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
    nudge_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("nudges.id", ondelete="SET NULL"), index=True)
    level_id: Mapped[str | None] = mapped_column(LEVEL_ID)
    competency_key: Mapped[str | None] = mapped_column(String(200))
    competency_text: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime]


class AssessmentRow(Base):
    """One self-assessment against a level, on one date; a re-assessment is a new row."""

    __tablename__ = "assessments"
    __table_args__ = (Index(None, "team_id", "user_id", "level_id", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(ID)
    user_id: Mapped[str] = mapped_column(ID)
    level_id: Mapped[str] = mapped_column(LEVEL_ID)
    created_at: Mapped[datetime]


class AssessmentRatingRow(Base):
    """One criterion's rating within an assessment; goes with its assessment (CASCADE)."""

    __tablename__ = "assessment_ratings"
    __table_args__ = (CheckConstraint(_in("rating", RATINGS), name="rating"),)

    assessment_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("assessments.id", ondelete="CASCADE"), primary_key=True
    )
    criterion_key: Mapped[str] = mapped_column(String(200), primary_key=True)
    rating: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)


class ManagerLinkRow(Base):
    """A person (user_id) asked someone (manager_id) to be their manager in ladderbot."""

    __tablename__ = "manager_links"
    __table_args__ = (
        CheckConstraint(_in("status", LINK_STATUSES), name="status"),
        CheckConstraint("user_id <> manager_id", name="not_self"),
        # At most one active manager per person, whichever process accepts.
        Index(
            "ux_manager_links_one_active",
            "team_id",
            "user_id",
            unique=True,
            sqlite_where=text("status = 'accepted'"),
            postgresql_where=text("status = 'accepted'"),
        ),
        Index(None, "team_id", "manager_id", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(ID)
    user_id: Mapped[str] = mapped_column(ID)
    manager_id: Mapped[str] = mapped_column(ID)
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime]
    responded_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]


class ShareRow(Base):
    """One item a person shared with their manager, through one link.

    Tied to the link: when the link ends the manager sees none of it (the copy sent to them
    in Slack is deleted too), and a later link starts with nothing shared. The shared reflection or assessment is a foreign key, so
    deleting it deletes the share too.
    """

    __tablename__ = "shares"
    __table_args__ = (
        CheckConstraint(_in("kind", SHARE_KINDS), name="kind"),
        CheckConstraint(
            "(kind = 'reflection' AND reflection_id IS NOT NULL AND assessment_id IS NULL)"
            " OR (kind = 'assessment' AND assessment_id IS NOT NULL AND reflection_id IS NULL)"
            " OR (kind = 'packet' AND level_id IS NOT NULL AND reflection_id IS NULL AND assessment_id IS NULL)",
            name="item",
        ),
        UniqueConstraint("link_id", "reflection_id"),
        UniqueConstraint("link_id", "assessment_id"),
        Index(None, "team_id", "user_id", "shared_at"),
        Index(None, "team_id", "manager_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(ID)
    user_id: Mapped[str] = mapped_column(ID)
    manager_id: Mapped[str] = mapped_column(ID)
    link_id: Mapped[int] = mapped_column(Integer, ForeignKey("manager_links.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    reflection_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("reflections.id", ondelete="CASCADE"), index=True
    )
    assessment_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("assessments.id", ondelete="CASCADE"), index=True
    )
    level_id: Mapped[str | None] = mapped_column(LEVEL_ID)  # the packet's level
    shared_at: Mapped[datetime]
    # The manager's copy in Slack (a DM message, or an uploaded file), so it can be deleted
    # when the share stops standing: the link ends, the item is deleted, someone is forgotten.
    copy_channel: Mapped[str | None] = mapped_column(ID)
    copy_ts: Mapped[str | None] = mapped_column(String(32))
    copy_file_id: Mapped[str | None] = mapped_column(ID)


class LevelSnapshotRow(Base):
    """The criteria of each level as last seen, to tell what changed on a later load,
    also across restarts. Ladder content, not personal data: no team, no user."""

    __tablename__ = "level_snapshots"

    level_id: Mapped[str] = mapped_column(LEVEL_ID, primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    content: Mapped[str] = mapped_column(Text)  # JSON, see bot.growth.changes
    updated_at: Mapped[datetime]


class ChangeNoticeRow(Base):
    """A person was sent (or is being sent) the note about one change of one level."""

    __tablename__ = "change_notices"

    team_id: Mapped[str] = mapped_column(ID, primary_key=True)
    user_id: Mapped[str] = mapped_column(ID, primary_key=True)
    level_id: Mapped[str] = mapped_column(LEVEL_ID, primary_key=True)
    change: Mapped[str] = mapped_column(String(64), primary_key=True)
    notified_at: Mapped[datetime]


class DepartedWorkspaceRow(Base):
    """A workspace that uninstalled ladderbot (or revoked its token): its data is deleted
    once `departed_at` is older than the grace period, unless it installs again first."""

    __tablename__ = "departed_workspaces"

    team_id: Mapped[str] = mapped_column(ID, primary_key=True)
    departed_at: Mapped[datetime] = mapped_column(index=True)


class OrgWorkspaceRow(Base):
    """A workspace of an Enterprise Grid org that installed ladderbot org-wide, as seen in its
    requests: whose people that org's token sends prompts to, and deletes with the org."""

    __tablename__ = "org_workspaces"

    team_id: Mapped[str] = mapped_column(ID, primary_key=True)
    enterprise_id: Mapped[str] = mapped_column(ID, index=True)
