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
Timestamp = sa.DateTime(timezone=True)


def upgrade():
    pass


def downgrade():
    pass
