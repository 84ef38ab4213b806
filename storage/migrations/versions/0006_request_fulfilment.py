"""request fulfilment: catalog request forms, collected fields, fulfilment steps (issue 8)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 10:00:00.000000
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.models import UtcDateTime


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('request_forms',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.String(length=64), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('pending_field', sa.String(length=64), nullable=True),
    sa.Column('platform', sa.String(length=16), nullable=False),
    sa.Column('user_id', sa.String(length=128), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('asked_at', UtcDateTime(), nullable=False),
    sa.Column('created_at', UtcDateTime(), nullable=False),
    sa.Column('updated_at', UtcDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_request_forms_ticket_id_tickets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_request_forms')),
    sa.UniqueConstraint('ticket_id', name=op.f('uq_request_forms_ticket_id'))
    )
    with op.batch_alter_table('request_forms', schema=None) as batch_op:
        batch_op.create_index('ix_request_forms_person', ['platform', 'user_id', 'state'], unique=False)

    op.create_table('request_fields',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('form_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('created_at', UtcDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['form_id'], ['request_forms.id'], name=op.f('fk_request_fields_form_id_request_forms'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_request_fields')),
    sa.UniqueConstraint('form_id', 'name', name='uq_request_fields_form_name')
    )
    with op.batch_alter_table('request_fields', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_request_fields_form_id'), ['form_id'], unique=False)

    op.create_table('fulfilment_steps',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('done_at', UtcDateTime(), nullable=True),
    sa.Column('done_by', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_fulfilment_steps_ticket_id_tickets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fulfilment_steps')),
    sa.UniqueConstraint('ticket_id', 'position', name='uq_fulfilment_steps_ticket_position')
    )
    with op.batch_alter_table('fulfilment_steps', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fulfilment_steps_ticket_id'), ['ticket_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('fulfilment_steps', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fulfilment_steps_ticket_id'))
    op.drop_table('fulfilment_steps')
    with op.batch_alter_table('request_fields', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_request_fields_form_id'))
    op.drop_table('request_fields')
    with op.batch_alter_table('request_forms', schema=None) as batch_op:
        batch_op.drop_index('ix_request_forms_person')
    op.drop_table('request_forms')
