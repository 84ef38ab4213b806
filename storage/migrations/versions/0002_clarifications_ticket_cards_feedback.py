"""clarifications, ticket cards, feedback

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21 23:31:15.304446
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.models import UtcDateTime


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('clarifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('platform', sa.String(length=16), nullable=False),
    sa.Column('user_id', sa.String(length=128), nullable=False),
    sa.Column('display_name', sa.String(length=200), nullable=False),
    sa.Column('conversation_channel', sa.String(length=128), nullable=False),
    sa.Column('conversation_thread', sa.String(length=128), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('queue', sa.String(length=32), nullable=True),
    sa.Column('impact', sa.String(length=16), nullable=False),
    sa.Column('urgency', sa.String(length=16), nullable=False),
    sa.Column('created_at', UtcDateTime(), nullable=False),
    sa.Column('answered_at', UtcDateTime(), nullable=True),
    sa.Column('answer', sa.String(length=32), nullable=True),
    sa.Column('ticket_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_clarifications_ticket_id_tickets'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_clarifications'))
    )
    with op.batch_alter_table('clarifications', schema=None) as batch_op:
        batch_op.create_index('ix_clarifications_person', ['platform', 'user_id', 'answered_at'], unique=False)

    op.create_table('feedback_examples',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('intent', sa.String(length=32), nullable=False),
    sa.Column('queue', sa.String(length=32), nullable=True),
    sa.Column('actor', sa.String(length=200), nullable=False),
    sa.Column('created_at', UtcDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_feedback_examples_ticket_id_tickets'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback_examples'))
    )
    op.create_table('ticket_cards',
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('platform', sa.String(length=16), nullable=False),
    sa.Column('channel', sa.String(length=128), nullable=False),
    sa.Column('message_ref', sa.String(length=128), nullable=False),
    sa.Column('created_at', UtcDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_ticket_cards_ticket_id_tickets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('ticket_id', 'platform', 'channel', name=op.f('pk_ticket_cards'))
    )


def downgrade() -> None:
    op.drop_table('ticket_cards')
    op.drop_table('feedback_examples')
    with op.batch_alter_table('clarifications', schema=None) as batch_op:
        batch_op.drop_index('ix_clarifications_person')

    op.drop_table('clarifications')
