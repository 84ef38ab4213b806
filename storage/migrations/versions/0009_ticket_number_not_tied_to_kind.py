"""a ticket's number is unique through its ref, not with its current kind (`/sd kind` keeps the ref)

A ticket whose kind is corrected keeps its ref (INC-1 becomes a service request and is still
INC-1: people, threads and messages already name it). Its number then no longer has to be unique
among the tickets of its new kind, so the unique index on (kind, number) goes; `uq_tickets_ref`
keeps every ref unique, and each kind's counter (ticket_counters) still numbers new tickets.

Downgrading recreates the unique index, which fails while a reclassified ticket shares its number
with another ticket of its kind (change one of them back first).

Revision ID: 0009
Revises: 0008
"""
from __future__ import annotations

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_index("ix_tickets_kind_number")


def downgrade() -> None:
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.create_index("ix_tickets_kind_number", ["kind", "number"], unique=True)
