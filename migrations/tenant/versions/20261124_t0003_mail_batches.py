"""Mail batches: a large send goes out in parts, and staff follow its progress.

Revision ID: t0003
Revises: t0002
Create Date: 2026-11-24

A tenant migration: it runs once per town, inside that town's schema (PostgreSQL
search_path) or file (SQLite). Never name a schema here.
"""
from alembic import op
import sqlalchemy as sa

revision = "t0003"
down_revision = "t0002"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Timestamp = sa.DateTime(timezone=True)


def upgrade():
    op.create_table(
        "mail_batches",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("label", sa.String(200), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("created_at", Timestamp, server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_mail_batches"),
    )
    with op.batch_alter_table("town_outbox") as table:
        table.add_column(sa.Column("batch_id", BigId))
        table.add_column(sa.Column("batch_part", sa.Integer()))
        table.create_foreign_key("fk_town_outbox_batch_id_mail_batches", "mail_batches",
                                 ["batch_id"], ["id"], ondelete="CASCADE")
    op.create_index("ix_town_outbox_batch", "town_outbox", ["batch_id", "batch_part"])


def downgrade():
    op.drop_index("ix_town_outbox_batch", table_name="town_outbox")
    with op.batch_alter_table("town_outbox") as table:
        table.drop_constraint("fk_town_outbox_batch_id_mail_batches", type_="foreignkey")
        table.drop_column("batch_part")
        table.drop_column("batch_id")
    op.drop_table("mail_batches")
