"""Districts and editable pages.

Revision ID: t0001
Revises:
Create Date: 2026-11-24

A tenant migration: it runs once per town, inside that town's schema (PostgreSQL
search_path) or file (SQLite). Never name a schema here.
"""
from alembic import op
import sqlalchemy as sa

revision = "t0001"
down_revision = None
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Timestamp = sa.DateTime(timezone=True)


def upgrade():
    op.create_table(
        "districts",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_districts"),
        sa.UniqueConstraint("name", name="uq_districts_name"),
    )
    op.create_table(
        "pages",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("key", sa.String(40), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("updated_at", Timestamp, nullable=False),
        sa.Column("updated_by_id", BigId),
        sa.PrimaryKeyConstraint("id", name="pk_pages"),
        sa.ForeignKeyConstraint(["updated_by_id"], ["users.id"], ondelete="SET NULL",
                                name="fk_pages_updated_by_id_users"),
        sa.UniqueConstraint("key", name="uq_pages_key"),
    )


def downgrade():
    op.drop_table("pages")
    op.drop_table("districts")
