"""an index for finding the ticket of a conversation thread

Every message in a thread looks up the ticket the thread belongs to (platform, channel, thread);
without an index that is a scan of every ticket.

Revision ID: 0010
Revises: 0009
"""
from __future__ import annotations

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_tickets_conversation", "tickets",
                    ["conversation_platform", "conversation_channel", "conversation_thread"])


def downgrade() -> None:
    op.drop_index("ix_tickets_conversation", table_name="tickets")
