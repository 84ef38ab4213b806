"""access management: access requests, approval steps, grants (issue 8)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 02:20:03.334790
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.models import UtcDateTime


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('access_grants',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('resource', sa.String(length=64), nullable=False),
    sa.Column('beneficiary', sa.String(length=128), nullable=False),
    sa.Column('beneficiary_platform', sa.String(length=16), nullable=False),
    sa.Column('beneficiary_id', sa.String(length=128), nullable=True),
    sa.Column('approvers', sa.JSON(), nullable=False),
    sa.Column('provisioner', sa.String(length=16), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('duration_seconds', sa.Integer(), nullable=True),
    sa.Column('approved_at', UtcDateTime(), nullable=False),
    sa.Column('granted_at', UtcDateTime(), nullable=True),
    sa.Column('expires_at', UtcDateTime(), nullable=True),
    sa.Column('warned_at', UtcDateTime(), nullable=True),
    sa.Column('revoked_at', UtcDateTime(), nullable=True),
    sa.Column('revoked_by', sa.String(length=128), nullable=True),
    sa.Column('revoke_reason', sa.Text(), nullable=True),
    sa.Column('delivery_id', sa.Integer(), nullable=True),
    sa.Column('next_check_at', UtcDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_access_grants_ticket_id_tickets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_access_grants'))
    )
    with op.batch_alter_table('access_grants', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_access_grants_beneficiary'), ['beneficiary'], unique=False)
        batch_op.create_index('ix_access_grants_next_check_at', ['next_check_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_access_grants_resource'), ['resource'], unique=False)
        batch_op.create_index(batch_op.f('ix_access_grants_ticket_id'), ['ticket_id'], unique=False)

    op.create_table('approval_steps',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('spec', sa.String(length=128), nullable=False),
    sa.Column('approvers', sa.JSON(), nullable=False),
    sa.Column('beneficiary', sa.String(length=128), nullable=True),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('decided_by', sa.String(length=128), nullable=True),
    sa.Column('decided_at', UtcDateTime(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('activated_at', UtcDateTime(), nullable=True),
    sa.Column('remind_at', UtcDateTime(), nullable=True),
    sa.Column('due_at', UtcDateTime(), nullable=True),
    sa.Column('reminded_at', UtcDateTime(), nullable=True),
    sa.Column('next_check_at', UtcDateTime(), nullable=True),
    sa.Column('deny_asked_by', sa.String(length=128), nullable=True),
    sa.Column('deny_asked_at', UtcDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_approval_steps_ticket_id_tickets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_approval_steps'))
    )
    with op.batch_alter_table('approval_steps', schema=None) as batch_op:
        batch_op.create_index('ix_approval_steps_deny_asked_by', ['deny_asked_by'], unique=False)
        batch_op.create_index('ix_approval_steps_next_check_at', ['next_check_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_approval_steps_ticket_id'), ['ticket_id'], unique=False)

    op.create_table('access_requests',
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=16), nullable=False),
    sa.Column('resource', sa.String(length=64), nullable=True),
    sa.Column('beneficiary', sa.String(length=128), nullable=False),
    sa.Column('beneficiary_platform', sa.String(length=16), nullable=False),
    sa.Column('beneficiary_id', sa.String(length=128), nullable=True),
    sa.Column('duration_seconds', sa.Integer(), nullable=True),
    sa.Column('justification', sa.Text(), nullable=True),
    sa.Column('asking', sa.String(length=16), nullable=True),
    sa.Column('asked_at', UtcDateTime(), nullable=True),
    sa.Column('state', sa.String(length=24), nullable=False),
    sa.Column('grant_id', sa.Integer(), nullable=True),
    sa.Column('created_at', UtcDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['grant_id'], ['access_grants.id'], name=op.f('fk_access_requests_grant_id_access_grants'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_access_requests_ticket_id_tickets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('ticket_id', name=op.f('pk_access_requests'))
    )
    with op.batch_alter_table('access_requests', schema=None) as batch_op:
        batch_op.create_index('ix_access_requests_asking', ['asking'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('access_requests', schema=None) as batch_op:
        batch_op.drop_index('ix_access_requests_asking')

    op.drop_table('access_requests')
    with op.batch_alter_table('approval_steps', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_approval_steps_ticket_id'))
        batch_op.drop_index('ix_approval_steps_next_check_at')
        batch_op.drop_index('ix_approval_steps_deny_asked_by')

    op.drop_table('approval_steps')
    with op.batch_alter_table('access_grants', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_access_grants_ticket_id'))
        batch_op.drop_index(batch_op.f('ix_access_grants_resource'))
        batch_op.drop_index('ix_access_grants_next_check_at')
        batch_op.drop_index(batch_op.f('ix_access_grants_beneficiary'))

    op.drop_table('access_grants')
