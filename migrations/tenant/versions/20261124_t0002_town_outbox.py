"""The town's outbox: mails caused inside the town, with their delivery status.

Revision ID: t0002
Revises: t0001
Create Date: 2026-11-24

A tenant migration: it runs once per town, inside that town's schema (PostgreSQL
search_path) or file (SQLite). Never name a schema here. The columns are the
public ``outbox``'s (blueprints.mail.models.OutboxColumns).
"""
from alembic import op
import sqlalchemy as sa

revision = "t0002"
down_revision = "t0001"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Timestamp = sa.DateTime(timezone=True)


def upgrade():
    op.create_table(
        "town_outbox",
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
        sa.Column("unsubscribe_url", sa.String(500)),
        sa.PrimaryKeyConstraint("id", name="pk_town_outbox"),
        sa.UniqueConstraint("message_id", name="uq_town_outbox_message_id"),
        sa.CheckConstraint("status IN ('queued', 'sent', 'failed', 'stored')",
                           name="ck_town_outbox_status"),
    )
    op.create_index("ix_town_outbox_status", "town_outbox", ["status"])


def downgrade():
    op.drop_index("ix_town_outbox_status", table_name="town_outbox")
    op.drop_table("town_outbox")
