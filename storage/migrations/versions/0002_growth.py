"""The growth loop: self-assessments, manager links, shares, ladder-change notes.

Written by hand; tests compare the migrated schema with storage.models.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies: a migration must not change when the models do.
RATINGS = ("not_yet", "partly", "met")
LINK_STATUSES = ("pending", "accepted", "declined", "withdrawn", "ended")
SHARE_KINDS = ("reflection", "assessment", "packet")
SHARE_ITEM = (
    "(kind = 'reflection' AND reflection_id IS NOT NULL AND assessment_id IS NULL)"
    " OR (kind = 'assessment' AND assessment_id IS NOT NULL AND reflection_id IS NULL)"
    " OR (kind = 'packet' AND level_id IS NOT NULL AND reflection_id IS NULL AND assessment_id IS NULL)"
)
ACCEPTED = sa.text("status = 'accepted'")


def _in(column, values):
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _when(name: str) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=False)


def upgrade() -> None:
    op.create_table(
        "assessments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(64), nullable=False),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("level_id", sa.String(200), nullable=False),
        _when("created_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessments")),
    )
    op.create_index(op.f("ix_assessments_team_id_user_id_level_id_created_at"), "assessments",
                    ["team_id", "user_id", "level_id", "created_at"])

    op.create_table(
        "assessment_ratings",
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("criterion_key", sa.String(200), nullable=False),
        sa.Column("rating", sa.String(16), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("assessment_id", "criterion_key", name=op.f("pk_assessment_ratings")),
        sa.ForeignKeyConstraint(["assessment_id"], ["assessments.id"],
                                name=op.f("fk_assessment_ratings_assessment_id_assessments"), ondelete="CASCADE"),
        sa.CheckConstraint(_in("rating", RATINGS), name=op.f("ck_assessment_ratings_rating")),
    )

    op.create_table(
        "manager_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(64), nullable=False),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("manager_id", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        _when("created_at"),
        sa.Column("responded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_manager_links")),
        sa.CheckConstraint(_in("status", LINK_STATUSES), name=op.f("ck_manager_links_status")),
        sa.CheckConstraint("user_id <> manager_id", name=op.f("ck_manager_links_not_self")),
    )
    op.create_index("ux_manager_links_one_active", "manager_links", ["team_id", "user_id"], unique=True,
                    sqlite_where=ACCEPTED, postgresql_where=ACCEPTED)
    op.create_index(op.f("ix_manager_links_team_id_manager_id_status"), "manager_links",
                    ["team_id", "manager_id", "status"])

    op.create_table(
        "shares",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(64), nullable=False),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("manager_id", sa.String(64), nullable=False),
        sa.Column("link_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("reflection_id", sa.Integer(), nullable=True),
        sa.Column("assessment_id", sa.Integer(), nullable=True),
        sa.Column("level_id", sa.String(200), nullable=True),
        _when("shared_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shares")),
        sa.ForeignKeyConstraint(["link_id"], ["manager_links.id"],
                                name=op.f("fk_shares_link_id_manager_links"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["reflection_id"], ["reflections.id"],
                                name=op.f("fk_shares_reflection_id_reflections"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["assessment_id"], ["assessments.id"],
                                name=op.f("fk_shares_assessment_id_assessments"), ondelete="CASCADE"),
        sa.UniqueConstraint("link_id", "reflection_id", name=op.f("uq_shares_link_id_reflection_id")),
        sa.UniqueConstraint("link_id", "assessment_id", name=op.f("uq_shares_link_id_assessment_id")),
        sa.CheckConstraint(_in("kind", SHARE_KINDS), name=op.f("ck_shares_kind")),
        sa.CheckConstraint(SHARE_ITEM, name=op.f("ck_shares_item")),
    )
    op.create_index(op.f("ix_shares_team_id_user_id_shared_at"), "shares", ["team_id", "user_id", "shared_at"])
    op.create_index(op.f("ix_shares_team_id_manager_id"), "shares", ["team_id", "manager_id"])
    op.create_index(op.f("ix_shares_reflection_id"), "shares", ["reflection_id"])
    op.create_index(op.f("ix_shares_assessment_id"), "shares", ["assessment_id"])

    op.create_table(
        "level_snapshots",
        sa.Column("level_id", sa.String(200), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        _when("updated_at"),
        sa.PrimaryKeyConstraint("level_id", name=op.f("pk_level_snapshots")),
    )

    op.create_table(
        "change_notices",
        sa.Column("team_id", sa.String(64), nullable=False),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("level_id", sa.String(200), nullable=False),
        sa.Column("change", sa.String(64), nullable=False),
        _when("notified_at"),
        sa.PrimaryKeyConstraint("team_id", "user_id", "level_id", "change", name=op.f("pk_change_notices")),
    )


def downgrade() -> None:
    op.drop_table("change_notices")
    op.drop_table("level_snapshots")
    op.drop_table("shares")
    op.drop_table("manager_links")
    op.drop_table("assessment_ratings")
    op.drop_table("assessments")
