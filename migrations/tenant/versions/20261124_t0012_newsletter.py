"""The newsletter: lists, subscribers with proof of consent, campaigns, news.

Revision ID: t0012
Revises: t0011
Create Date: 2026-11-24

A tenant migration: never name a schema here.
"""
from alembic import op
import sqlalchemy as sa

revision = "t0012"
down_revision = "t0011"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Timestamp = sa.DateTime(timezone=True)


def upgrade():
    pass


def downgrade():
    pass
