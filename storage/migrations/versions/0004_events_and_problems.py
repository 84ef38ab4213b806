"""monitoring events, problems and known errors (issue 7)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 00:41:14.862608
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from storage.models import UtcDateTime


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('problems',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ref', sa.String(length=32), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('root_cause', sa.Text(), nullable=True),
    sa.Column('workaround', sa.Text(), nullable=True),
    sa.Column('opened_by', sa.String(length=200), nullable=False),
    sa.Column('created_at', UtcDateTime(), nullable=False),
    sa.Column('updated_at', UtcDateTime(), nullable=False),
    sa.Column('known_error_at', UtcDateTime(), nullable=True),
    sa.Column('resolved_at', UtcDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_problems')),
    sa.UniqueConstraint('ref', name=op.f('uq_problems_ref'))
    )
    with op.batch_alter_table('problems', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_problems_status'), ['status'], unique=False)

    op.create_table('event_incidents',
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('service', sa.String(length=128), nullable=False),
    sa.Column('alerts', sa.Integer(), nullable=False),
    sa.Column('repeats', sa.Integer(), nullable=False),
    sa.Column('firing', sa.Integer(), nullable=False),
    sa.Column('first_seen', UtcDateTime(), nullable=False),
    sa.Column('last_seen', UtcDateTime(), nullable=False),
    sa.Column('acknowledged', sa.Boolean(), nullable=False),
    sa.Column('refires', sa.Integer(), nullable=False),
    sa.Column('flap_started_at', UtcDateTime(), nullable=True),
    sa.Column('flapping', sa.Boolean(), nullable=False),
    sa.Column('resolve_due', UtcDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_event_incidents_ticket_id_tickets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('ticket_id', name=op.f('pk_event_incidents'))
    )
    with op.batch_alter_table('event_incidents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_incidents_resolve_due'), ['resolve_due'], unique=False)

    op.create_table('event_services',
    sa.Column('service', sa.String(length=128), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=True),
    sa.Column('last_alert_at', UtcDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_event_services_ticket_id_tickets'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('service', name=op.f('pk_event_services'))
    )
    op.create_table('monitoring_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=32), nullable=False),
    sa.Column('dedup_key', sa.String(length=255), nullable=False),
    sa.Column('alert_key', sa.String(length=255), nullable=False),
    sa.Column('service', sa.String(length=128), nullable=False),
    sa.Column('instance', sa.String(length=255), nullable=True),
    sa.Column('severity', sa.String(length=32), nullable=False),
    sa.Column('level', sa.String(length=16), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('first_seen', UtcDateTime(), nullable=False),
    sa.Column('last_seen', UtcDateTime(), nullable=False),
    sa.Column('resolved_at', UtcDateTime(), nullable=True),
    sa.Column('ticket_id', sa.Integer(), nullable=True),
    sa.Column('details', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_monitoring_events_ticket_id_tickets'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_monitoring_events')),
    sa.UniqueConstraint('source', 'dedup_key', name='uq_monitoring_events_source_key')
    )
    with op.batch_alter_table('monitoring_events', schema=None) as batch_op:
        batch_op.create_index('ix_monitoring_events_alert', ['source', 'alert_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_monitoring_events_ticket_id'), ['ticket_id'], unique=False)

    op.create_table('problem_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('problem_id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('linked_by', sa.String(length=200), nullable=False),
    sa.Column('via', sa.String(length=32), nullable=False),
    sa.Column('created_at', UtcDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['problem_id'], ['problems.id'], name=op.f('fk_problem_links_problem_id_problems'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_problem_links_ticket_id_tickets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_problem_links')),
    sa.UniqueConstraint('ticket_id', name=op.f('uq_problem_links_ticket_id'))
    )
    with op.batch_alter_table('problem_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_problem_links_problem_id'), ['problem_id'], unique=False)

    op.create_table('recurrence_notices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('queue', sa.String(length=32), nullable=False),
    sa.Column('ticket_ids', sa.JSON(), nullable=False),
    sa.Column('created_at', UtcDateTime(), nullable=False),
    sa.Column('problem_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['problem_id'], ['problems.id'], name=op.f('fk_recurrence_notices_problem_id_problems'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recurrence_notices'))
    )
    with op.batch_alter_table('recurrence_notices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recurrence_notices_created_at'), ['created_at'], unique=False)

    op.create_table('workaround_offers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('problem_id', sa.Integer(), nullable=False),
    sa.Column('platform', sa.String(length=16), nullable=False),
    sa.Column('user_id', sa.String(length=128), nullable=False),
    sa.Column('score', sa.Double(), nullable=False),
    sa.Column('created_at', UtcDateTime(), nullable=False),
    sa.Column('answered_at', UtcDateTime(), nullable=True),
    sa.Column('answer', sa.String(length=8), nullable=True),
    sa.ForeignKeyConstraint(['problem_id'], ['problems.id'], name=op.f('fk_workaround_offers_problem_id_problems'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_workaround_offers_ticket_id_tickets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_workaround_offers'))
    )
    with op.batch_alter_table('workaround_offers', schema=None) as batch_op:
        batch_op.create_index('ix_workaround_offers_person', ['platform', 'user_id', 'answered_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_workaround_offers_ticket_id'), ['ticket_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('workaround_offers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_workaround_offers_ticket_id'))
        batch_op.drop_index('ix_workaround_offers_person')

    op.drop_table('workaround_offers')
    with op.batch_alter_table('recurrence_notices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recurrence_notices_created_at'))

    op.drop_table('recurrence_notices')
    with op.batch_alter_table('problem_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_problem_links_problem_id'))

    op.drop_table('problem_links')
    with op.batch_alter_table('monitoring_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_monitoring_events_ticket_id'))
        batch_op.drop_index('ix_monitoring_events_alert')

    op.drop_table('monitoring_events')
    op.drop_table('event_services')
    with op.batch_alter_table('event_incidents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_incidents_resolve_due'))

    op.drop_table('event_incidents')
    with op.batch_alter_table('problems', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_problems_status'))

    op.drop_table('problems')
