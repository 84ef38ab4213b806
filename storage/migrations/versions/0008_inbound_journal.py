"""inbound journal: chat events recorded before they are acknowledged (issue 9, reliability)

Revision ID: 0008
Revises: 0007
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.models import UtcDateTime

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "inbound_journal",
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("external_id", sa.String(length=255), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("received_at", UtcDateTime(), nullable=False),
        sa.Column("handled_at", UtcDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("source", "external_id", name=op.f("pk_inbound_journal")),
    )
    op.create_index("ix_inbound_journal_handled_received", "inbound_journal", ["handled_at", "received_at"])


def downgrade() -> None:
    op.drop_index("ix_inbound_journal_handled_received", table_name="inbound_journal")
    op.drop_table("inbound_journal")
