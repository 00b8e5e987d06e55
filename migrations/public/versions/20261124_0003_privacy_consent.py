"""When an account agreed to the processing of its data (DSGVO consent record).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24

A public-schema migration: towns, accounts, memberships.
"""
from alembic import op
import sqlalchemy as sa

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("privacy_consent_at", sa.DateTime(timezone=True)))


def downgrade():
    with op.batch_alter_table("users") as batch:
        batch.drop_column("privacy_consent_at")
