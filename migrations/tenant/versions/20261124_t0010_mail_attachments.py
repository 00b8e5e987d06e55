"""Mails with attachments (the event's .ics in the registration confirmation).

Revision ID: t0010
Revises: t0009
Create Date: 2026-11-24

A tenant migration: never name a schema here.
"""
from alembic import op
import sqlalchemy as sa

revision = "t0010"
down_revision = "t0009"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade():
    op.create_table('town_outbox_attachments',
    sa.Column('id', BigId, nullable=False),
    sa.Column('mail_id', BigId, nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=200), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['mail_id'], ['town_outbox.id'], name='fk_town_outbox_attachments_mail_id_town_outbox', ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name='pk_town_outbox_attachments')
    )
    op.create_index('ix_town_outbox_attachments_mail_id', 'town_outbox_attachments', ['mail_id'])


def downgrade():
    op.drop_index("ix_town_outbox_attachments_mail_id", table_name="town_outbox_attachments")
    op.drop_table("town_outbox_attachments")
