"""Initial schema: processed_events, people, nudges, reflections.

Written by hand; tests compare the migrated schema with storage.models.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies: a migration must not change when the models do.
CADENCES = ("monthly", "fortnightly", "weekly", "off")
NUDGE_STATUSES = ("claimed", "sent", "retry", "failed", "skipped", "snoozed", "answered")
REFLECTION_SOURCES = ("thread", "modal", "command")


def _in(column, values):
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def upgrade() -> None:
    op.create_table(
        "processed_events",
        sa.Column("team_id", sa.String(64), nullable=False),
        sa.Column("event_id", sa.String(128), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("team_id", "event_id", name=op.f("pk_processed_events")),
    )
    op.create_index(op.f("ix_processed_events_received_at"), "processed_events", ["received_at"])

    op.create_table(
        "people",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(64), nullable=False),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("current_level_id", sa.String(200), nullable=True),
        sa.Column("target_level_id", sa.String(200), nullable=True),
        sa.Column("cadence", sa.String(16), server_default="monthly", nullable=False),
        sa.Column("local_time", sa.String(5), server_default="10:00", nullable=False),
        sa.Column("weekdays", sa.String(64), server_default="mon,tue,wed,thu,fri", nullable=False),
        sa.Column("tz", sa.String(64), server_default="UTC", nullable=False),
        sa.Column("tz_refreshed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("paused_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ignored_streak", sa.Integer(), server_default="0", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_people")),
        sa.UniqueConstraint("team_id", "user_id", name=op.f("uq_people_team_id_user_id")),
        sa.CheckConstraint(_in("cadence", CADENCES), name=op.f("ck_people_cadence")),
        sa.CheckConstraint("ignored_streak >= 0", name=op.f("ck_people_ignored_streak")),
    )

    op.create_table(
        "nudges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(64), nullable=False),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("period", sa.String(16), nullable=False),
        sa.Column("level_id", sa.String(200), nullable=False),
        sa.Column("competency_key", sa.String(200), nullable=False),
        sa.Column("competency_text", sa.Text(), nullable=False),
        sa.Column("section_name", sa.String(200), nullable=False),
        sa.Column("example_text", sa.Text(), nullable=True),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("claimed_by", sa.String(200), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="1", nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("channel_id", sa.String(64), nullable=True),
        sa.Column("message_ts", sa.String(32), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("responded_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nudges")),
        # One nudge per person per period, whoever tries to send it.
        sa.UniqueConstraint("team_id", "user_id", "period", name=op.f("uq_nudges_team_id_user_id_period")),
        sa.CheckConstraint(_in("status", NUDGE_STATUSES), name=op.f("ck_nudges_status")),
    )
    op.create_index(op.f("ix_nudges_team_id_channel_id_message_ts"), "nudges", ["team_id", "channel_id", "message_ts"])
    op.create_index(op.f("ix_nudges_status_claimed_at"), "nudges", ["status", "claimed_at"])

    op.create_table(
        "reflections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(64), nullable=False),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("nudge_id", sa.Integer(), nullable=True),
        sa.Column("level_id", sa.String(200), nullable=True),
        sa.Column("competency_key", sa.String(200), nullable=True),
        sa.Column("competency_text", sa.Text(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reflections")),
        sa.ForeignKeyConstraint(
            ["nudge_id"], ["nudges.id"], name=op.f("fk_reflections_nudge_id_nudges"), ondelete="SET NULL"
        ),
        sa.CheckConstraint(_in("source", REFLECTION_SOURCES), name=op.f("ck_reflections_source")),
    )
    op.create_index(op.f("ix_reflections_team_id_user_id_created_at"), "reflections", ["team_id", "user_id", "created_at"])
    op.create_index(op.f("ix_reflections_nudge_id"), "reflections", ["nudge_id"])


def downgrade() -> None:
    op.drop_table("reflections")
    op.drop_table("nudges")
    op.drop_table("people")
    op.drop_table("processed_events")
