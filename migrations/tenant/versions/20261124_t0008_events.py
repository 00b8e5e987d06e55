"""Events: single dates and series, in a place or a unit of the register.

Revision ID: t0008
Revises: t0007
Create Date: 2026-11-24

A tenant migration: never name a schema here.
"""
from alembic import op
import sqlalchemy as sa

revision = "t0008"
down_revision = "t0007"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Timestamp = sa.DateTime(timezone=True)


def upgrade():
    op.create_table('event_series',
    sa.Column('id', BigId, nullable=False),
    sa.Column('repeat', sa.String(length=10), nullable=False),
    sa.Column('until', sa.Date(), nullable=False),
    sa.Column('created_at', Timestamp, nullable=False),
    sa.CheckConstraint("repeat IN ('weekly', 'biweekly', 'monthly')", name='ck_event_series_repeat'),
    sa.PrimaryKeyConstraint('id', name='pk_event_series')
    )
    op.create_table('events',
    sa.Column('id', BigId, nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('category', sa.String(length=20), nullable=False),
    sa.Column('starts_at', Timestamp, nullable=False),
    sa.Column('ends_at', Timestamp, nullable=False),
    sa.Column('series_id', BigId, nullable=True),
    sa.Column('address', sa.String(length=300), nullable=False),
    sa.Column('unit_id', BigId, nullable=True),
    sa.Column('district_id', BigId, nullable=True),
    sa.Column('organiser_id', BigId, nullable=True),
    sa.Column('capacity', sa.Integer(), nullable=True),
    sa.Column('registration_open', sa.Boolean(), nullable=False),
    sa.Column('image_id', BigId, nullable=True),
    sa.Column('cancelled', sa.Boolean(), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('created_at', Timestamp, nullable=False),
    sa.Column('updated_at', Timestamp, nullable=False),
    sa.CheckConstraint("category IN ('market', 'shopping', 'culture', 'popup', 'workshop', 'meeting', 'other')", name='ck_events_category'),
    sa.CheckConstraint('ends_at >= starts_at', name='ck_events_ends_after_start'),
    sa.ForeignKeyConstraint(['district_id'], ['districts.id'], name='fk_events_district_id_districts', ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['image_id'], ['attachments.id'], name='fk_events_image_id_attachments', ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organiser_id'], ['actors.id'], name='fk_events_organiser_id_actors', ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['series_id'], ['event_series.id'], name='fk_events_series_id_event_series', ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name='fk_events_unit_id_units', ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name='pk_events')
    )
    op.create_index('ix_events_starts_at', 'events', ['starts_at'])


def downgrade():
    op.drop_index('ix_events_starts_at', table_name='events')
    op.drop_table('events')
    op.drop_table('event_series')
