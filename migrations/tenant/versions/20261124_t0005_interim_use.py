"""Interim use: applications with their history and attachments, the town's match weights;
what a unit offers and excludes, for matching.

Revision ID: t0005
Revises: t0004
Create Date: 2026-11-24

A tenant migration: never name a schema here.
"""
from alembic import op
import sqlalchemy as sa

revision = "t0005"
down_revision = "t0004"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Timestamp = sa.DateTime(timezone=True)


def upgrade():
    op.create_table('match_weights',
    sa.Column('id', BigId, nullable=False),
    sa.Column('weights', sa.JSON(), nullable=False),
    sa.Column('updated_at', Timestamp, nullable=False),
    sa.PrimaryKeyConstraint('id', name='pk_match_weights')
    )
    op.create_table('applications',
    sa.Column('id', BigId, nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('draft_token', sa.String(length=64), nullable=False),
    sa.Column('user_id', BigId, nullable=True),
    sa.Column('applicant_name', sa.String(length=200), nullable=False),
    sa.Column('organisation', sa.String(length=200), nullable=False),
    sa.Column('legal_form', sa.String(length=20), nullable=True),
    sa.Column('team', sa.Text(), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('phone', sa.String(length=50), nullable=False),
    sa.Column('concept', sa.Text(), nullable=False),
    sa.Column('category', sa.String(length=20), nullable=True),
    sa.Column('area_min_sqm', sa.Numeric(precision=9, scale=2), nullable=True),
    sa.Column('area_max_sqm', sa.Numeric(precision=9, scale=2), nullable=True),
    sa.Column('budget_eur_month', sa.Numeric(precision=10, scale=2), nullable=True),
    sa.Column('start_date', sa.Date(), nullable=True),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('features', sa.JSON(), nullable=False),
    sa.Column('district_ids', sa.JSON(), nullable=False),
    sa.Column('unit_id', BigId, nullable=True),
    sa.Column('consent_at', Timestamp, nullable=True),
    sa.Column('consent_wording', sa.Text(), nullable=False),
    sa.Column('email_confirmed_at', Timestamp, nullable=True),
    sa.Column('submitted_at', Timestamp, nullable=True),
    sa.Column('created_at', Timestamp, nullable=False),
    sa.Column('updated_at', Timestamp, nullable=False),
    sa.CheckConstraint("status IN ('draft', 'unconfirmed', 'submitted', 'in_review', 'proposed', 'owner_agreed', 'agreement_signed', 'active', 'ended', 'rejected', 'withdrawn')", name='ck_applications_status'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name='fk_applications_unit_id_units', ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name='fk_applications_user_id_users', ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name='pk_applications'),
    sa.UniqueConstraint('draft_token', name='uq_applications_draft_token')
    )
    op.create_index('ix_applications_status', 'applications', ['status'])
    op.create_index('ix_applications_user_id', 'applications', ['user_id'])
    op.create_table('application_attachments',
    sa.Column('id', BigId, nullable=False),
    sa.Column('application_id', BigId, nullable=False),
    sa.Column('attachment_id', BigId, nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name='fk_application_attachments_application_id_applications', ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['attachment_id'], ['attachments.id'], name='fk_application_attachments_attachment_id_attachments', ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name='pk_application_attachments')
    )
    op.create_table('application_events',
    sa.Column('id', BigId, nullable=False),
    sa.Column('application_id', BigId, nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('by_user_id', BigId, nullable=True),
    sa.Column('created_at', Timestamp, nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name='fk_application_events_application_id_applications', ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['by_user_id'], ['users.id'], name='fk_application_events_by_user_id_users', ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name='pk_application_events')
    )
    # Existing units offer nothing listed and exclude nothing until staff say so.
    with op.batch_alter_table("units") as units:
        units.add_column(sa.Column("features", sa.JSON(), nullable=False, server_default="[]"))
        units.add_column(sa.Column("excluded_categories", sa.JSON(), nullable=False,
                                   server_default="[]"))


def downgrade():
    with op.batch_alter_table("units") as units:
        units.drop_column("excluded_categories")
        units.drop_column("features")
    op.drop_table("application_events")
    op.drop_table("application_attachments")
    op.drop_index("ix_applications_user_id", table_name="applications")
    op.drop_index("ix_applications_status", table_name="applications")
    op.drop_table("applications")
    op.drop_table("match_weights")
