"""Interim use, the way to the outcome: proposed units and outcome of an application,
usage agreements and the town's agreement template.

Revision ID: t0006
Revises: t0005
Create Date: 2026-11-24

A tenant migration: never name a schema here.
"""
from alembic import op
import sqlalchemy as sa

revision = "t0006"
down_revision = "t0005"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Timestamp = sa.DateTime(timezone=True)


def upgrade():
    op.create_table('agreement_templates',
    sa.Column('id', BigId, nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('updated_at', Timestamp, nullable=False),
    sa.PrimaryKeyConstraint('id', name='pk_agreement_templates')
    )
    op.create_table('agreements',
    sa.Column('id', BigId, nullable=False),
    sa.Column('application_id', BigId, nullable=False),
    sa.Column('unit_id', BigId, nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('purpose', sa.Text(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('notice_weeks', sa.Integer(), nullable=False),
    sa.Column('rent_eur_month', sa.Numeric(precision=10, scale=2), nullable=False),
    sa.Column('subsidy_eur_month', sa.Numeric(precision=10, scale=2), nullable=False),
    sa.Column('deposit_eur', sa.Numeric(precision=10, scale=2), nullable=False),
    sa.Column('keys_and_handover', sa.Text(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('approved_by_id', BigId, nullable=True),
    sa.Column('approved_at', Timestamp, nullable=True),
    sa.Column('created_at', Timestamp, nullable=False),
    sa.CheckConstraint("status IN ('draft', 'approved')", name='ck_agreements_status'),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name='fk_agreements_application_id_applications', ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['approved_by_id'], ['users.id'], name='fk_agreements_approved_by_id_users', ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name='fk_agreements_unit_id_units', ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name='pk_agreements')
    )
    op.create_index('ix_agreements_application_id', 'agreements', ['application_id'])
    op.add_column("applications", sa.Column("proposed_unit_ids", sa.JSON(), nullable=False,
                                            server_default="[]"))
    op.add_column("applications", sa.Column("outcome", sa.String(20)))


def downgrade():
    # Not batch mode: on SQLite it would copy the table and reflect its key to
    # users, which lives in the main database, not in the town's file.
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE applications DROP COLUMN outcome")
        op.execute("ALTER TABLE applications DROP COLUMN proposed_unit_ids")
    else:
        op.drop_column("applications", "outcome")
        op.drop_column("applications", "proposed_unit_ids")
    op.drop_index("ix_agreements_application_id", table_name="agreements")
    op.drop_table("agreements")
    op.drop_table("agreement_templates")
