"""The outbox: every mail Quartier sends, with its delivery status.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24

A public-schema migration: one outbox for all towns.
"""
from alembic import op
import sqlalchemy as sa

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Timestamp = sa.DateTime(timezone=True)


def upgrade():
    op.create_table(
        "outbox",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("message_id", sa.String(255), nullable=False),
        sa.Column("to_address", sa.String(320), nullable=False),
        sa.Column("subject", sa.String(300), nullable=False),
        sa.Column("text_body", sa.Text(), nullable=False),
        sa.Column("html_body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("error", sa.Text()),
        sa.Column("created_at", Timestamp, server_default=sa.func.now(), nullable=False),
        sa.Column("sent_at", Timestamp),
        sa.PrimaryKeyConstraint("id", name="pk_outbox"),
        sa.UniqueConstraint("message_id", name="uq_outbox_message_id"),
        sa.CheckConstraint("status IN ('queued', 'sent', 'failed', 'stored')",
                           name="ck_outbox_status"),
    )
    op.create_index("ix_outbox_status", "outbox", ["status"])


def downgrade():
    op.drop_index("ix_outbox_status", table_name="outbox")
    op.drop_table("outbox")
