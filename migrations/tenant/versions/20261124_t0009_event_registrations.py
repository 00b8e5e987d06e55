"""Registrations for events: confirmed by mail, with a waiting list.

Revision ID: t0009
Revises: t0008
Create Date: 2026-11-24

A tenant migration: never name a schema here.
"""
from alembic import op
import sqlalchemy as sa

revision = "t0009"
down_revision = "t0008"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Timestamp = sa.DateTime(timezone=True)


def upgrade():
    op.create_table('event_registrations',
    sa.Column('id', BigId, nullable=False),
    sa.Column('event_id', BigId, nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('consent_at', Timestamp, nullable=False),
    sa.Column('created_at', Timestamp, nullable=False),
    sa.Column('confirmed_at', Timestamp, nullable=True),
    sa.Column('cancelled_at', Timestamp, nullable=True),
    sa.Column('checked_in_at', Timestamp, nullable=True),
    sa.CheckConstraint("status IN ('pending', 'confirmed', 'waitlisted', 'cancelled')", name='ck_event_registrations_status'),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name='fk_event_registrations_event_id_events', ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name='pk_event_registrations'),
    sa.UniqueConstraint('token', name='uq_event_registrations_token')
    )
    op.create_index('ix_event_registrations_event_id', 'event_registrations', ['event_id'])


def downgrade():
    op.drop_index("ix_event_registrations_event_id", table_name="event_registrations")
    op.drop_table("event_registrations")
