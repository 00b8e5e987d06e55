"""The traders' directory: a public entry per actor, kept current by the trader through a mailed link.

Revision ID: t0011
Revises: t0010
Create Date: 2026-11-24

A tenant migration: never name a schema here.
"""
from alembic import op
import sqlalchemy as sa

revision = "t0011"
down_revision = "t0010"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Timestamp = sa.DateTime(timezone=True)


def upgrade():
    pass


def downgrade():
    pass
