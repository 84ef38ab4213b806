"""SLA clocks, status-update cadences, follow-ups (fixed? / rating), major incidents, channel aliases

Open tickets from before this revision get clocks for the deadlines they already have (around
the clock, so the stored deadlines stay exactly as they were).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 00:30:12.098123
"""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from alembic import op

from storage.models import UtcDateTime


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('channel_aliases',
    sa.Column('platform', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=128), nullable=False),
    sa.Column('ref', sa.String(length=128), nullable=False),
    sa.Column('created_at', UtcDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('platform', 'name', name=op.f('pk_channel_aliases'))
    )
    op.create_table('follow_ups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('platform', sa.String(length=16), nullable=False),
    sa.Column('user_id', sa.String(length=128), nullable=False),
    sa.Column('asked_at', UtcDateTime(), nullable=False),
    sa.Column('expires_at', UtcDateTime(), nullable=True),
    sa.Column('close_due_at', UtcDateTime(), nullable=True),
    sa.Column('answered_at', UtcDateTime(), nullable=True),
    sa.Column('answer', sa.String(length=32), nullable=True),
    sa.Column('rating', sa.Integer(), nullable=True),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_follow_ups_ticket_id_tickets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_follow_ups'))
    )
    with op.batch_alter_table('follow_ups', schema=None) as batch_op:
        batch_op.create_index('ix_follow_ups_close_due_at', ['close_due_at'], unique=False)
        batch_op.create_index('ix_follow_ups_person', ['platform', 'user_id', 'answered_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_follow_ups_ticket_id'), ['ticket_id'], unique=False)

    op.create_table('major_incidents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('platform', sa.String(length=16), nullable=False),
    sa.Column('channel', sa.String(length=128), nullable=False),
    sa.Column('lead', sa.String(length=64), nullable=True),
    sa.Column('declared_by', sa.String(length=200), nullable=False),
    sa.Column('declared_at', UtcDateTime(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('resolved_at', UtcDateTime(), nullable=True),
    sa.Column('archive_due_at', UtcDateTime(), nullable=True),
    sa.Column('archived_at', UtcDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_major_incidents_ticket_id_tickets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_major_incidents')),
    sa.UniqueConstraint('ticket_id', name=op.f('uq_major_incidents_ticket_id'))
    )
    with op.batch_alter_table('major_incidents', schema=None) as batch_op:
        batch_op.create_index('ix_major_incidents_archive_due_at', ['archive_due_at'], unique=False)

    op.create_table('sla_clocks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('target', sa.String(length=32), nullable=False),
    sa.Column('business_hours', sa.Boolean(), nullable=False),
    sa.Column('target_seconds', sa.Integer(), nullable=False),
    sa.Column('started_at', UtcDateTime(), nullable=False),
    sa.Column('paused_seconds', sa.Integer(), nullable=False),
    sa.Column('paused_at', UtcDateTime(), nullable=True),
    sa.Column('due_at', UtcDateTime(), nullable=False),
    sa.Column('warn_at', UtcDateTime(), nullable=False),
    sa.Column('next_check_at', UtcDateTime(), nullable=True),
    sa.Column('warned_at', UtcDateTime(), nullable=True),
    sa.Column('breached_at', UtcDateTime(), nullable=True),
    sa.Column('stopped_at', UtcDateTime(), nullable=True),
    sa.Column('outcome', sa.String(length=16), nullable=True),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_sla_clocks_ticket_id_tickets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sla_clocks')),
    sa.UniqueConstraint('ticket_id', 'target', name='uq_sla_clocks_ticket_target')
    )
    with op.batch_alter_table('sla_clocks', schema=None) as batch_op:
        batch_op.create_index('ix_sla_clocks_next_check_at', ['next_check_at'], unique=False)

    op.create_table('update_cadences',
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('interval_seconds', sa.Integer(), nullable=False),
    sa.Column('next_due_at', UtcDateTime(), nullable=True),
    sa.Column('last_update_at', UtcDateTime(), nullable=True),
    sa.Column('last_nudged_at', UtcDateTime(), nullable=True),
    sa.Column('nudges', sa.Integer(), nullable=False),
    sa.Column('updates', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_update_cadences_ticket_id_tickets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('ticket_id', name=op.f('pk_update_cadences'))
    )
    with op.batch_alter_table('update_cadences', schema=None) as batch_op:
        batch_op.create_index('ix_update_cadences_next_due_at', ['next_due_at'], unique=False)

    _clocks_for_open_tickets()


OPEN = ("new", "assigned", "in_progress", "on_hold")


def _clocks_for_open_tickets() -> None:
    tickets = sa.table(
        "tickets", sa.column("id", sa.Integer), sa.column("status", sa.String), sa.column("created_at", UtcDateTime()),
        sa.column("updated_at", UtcDateTime()), sa.column("first_response_due", UtcDateTime()),
        sa.column("resolution_due", UtcDateTime()), sa.column("first_responded_at", UtcDateTime()),
    )
    clocks = sa.table(
        "sla_clocks", sa.column("ticket_id", sa.Integer), sa.column("target", sa.String),
        sa.column("business_hours", sa.Boolean), sa.column("target_seconds", sa.Integer),
        sa.column("started_at", UtcDateTime()), sa.column("paused_seconds", sa.Integer),
        sa.column("paused_at", UtcDateTime()), sa.column("due_at", UtcDateTime()), sa.column("warn_at", UtcDateTime()),
        sa.column("next_check_at", UtcDateTime()),
    )
    bind = op.get_bind()
    rows = bind.execute(sa.select(tickets).where(tickets.c.status.in_(OPEN))).mappings().all()
    new = []
    for row in rows:
        wanted = [("resolution", row["resolution_due"])]
        if row["first_responded_at"] is None:
            wanted.insert(0, ("first_response", row["first_response_due"]))
        for target, due in wanted:
            if due is None:
                continue
            length = max((due - row["created_at"]).total_seconds(), 0)
            warn = row["created_at"] + timedelta(seconds=length * 0.75)
            paused = row["updated_at"] if row["status"] == "on_hold" else None
            new.append({"ticket_id": row["id"], "target": target, "business_hours": False,
                        "target_seconds": int(length), "started_at": row["created_at"], "paused_seconds": 0,
                        "paused_at": paused, "due_at": due, "warn_at": warn,
                        "next_check_at": None if paused else warn})
    if new:
        bind.execute(clocks.insert(), new)



def downgrade() -> None:
    with op.batch_alter_table('update_cadences', schema=None) as batch_op:
        batch_op.drop_index('ix_update_cadences_next_due_at')

    op.drop_table('update_cadences')
    with op.batch_alter_table('sla_clocks', schema=None) as batch_op:
        batch_op.drop_index('ix_sla_clocks_next_check_at')

    op.drop_table('sla_clocks')
    with op.batch_alter_table('major_incidents', schema=None) as batch_op:
        batch_op.drop_index('ix_major_incidents_archive_due_at')

    op.drop_table('major_incidents')
    with op.batch_alter_table('follow_ups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_follow_ups_ticket_id'))
        batch_op.drop_index('ix_follow_ups_person')
        batch_op.drop_index('ix_follow_ups_close_due_at')

    op.drop_table('follow_ups')
    op.drop_table('channel_aliases')
