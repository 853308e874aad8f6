"""Where each share's copy went in Slack (the manager's DM message or file), so that it can
be deleted when the share stops standing.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("shares") as batch:
        batch.add_column(sa.Column("copy_channel", sa.String(64)))
        batch.add_column(sa.Column("copy_ts", sa.String(32)))
        batch.add_column(sa.Column("copy_file_id", sa.String(64)))


def downgrade() -> None:
    with op.batch_alter_table("shares") as batch:
        batch.drop_column("copy_file_id")
        batch.drop_column("copy_ts")
        batch.drop_column("copy_channel")
