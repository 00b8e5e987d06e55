"""Units can be archived: out of the listing, the register's default view and matching, kept for
their history and the town's figures.

Revision ID: t0013
Revises: t0012
Create Date: 2026-12-07

A tenant migration: never name a schema here.
"""
from alembic import op
import sqlalchemy as sa

revision = "t0013"
down_revision = "t0012"
branch_labels = None
depends_on = None

Timestamp = sa.DateTime(timezone=True)


def upgrade():
    op.add_column("units", sa.Column("archived_at", Timestamp, nullable=True))
    op.create_index("ix_units_archived_at", "units", ["archived_at"])


def downgrade():
    op.drop_index("ix_units_archived_at", table_name="units")
    # Not batch mode: on SQLite it would copy the table and reflect its keys to users, which
    # live in the main database, not in the town's file (as in t0006).
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE units DROP COLUMN archived_at")
    else:
        op.drop_column("units", "archived_at")
