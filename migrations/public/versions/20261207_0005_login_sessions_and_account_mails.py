"""Sign-ins that logout ends, and account mails that a job sends for every address alike.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07

``login_sessions``: one row per sign-in; its id is part of the login cookie,
and logging out deletes it, so a copied session or remember cookie no longer
signs anyone in (the account's other devices stay signed in).
``account_mail_requests``: a password reset, a new confirmation link or a
registration stores one row for any address; a job looks the account up,
mails or does nothing, and deletes the row. So known and unknown addresses
are answered alike and equally fast.
"""
from alembic import op
import sqlalchemy as sa

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Timestamp = sa.DateTime(timezone=True)


def upgrade():
    op.create_table(
        "login_sessions",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("user_id", BigId, nullable=False),
        sa.Column("created_at", Timestamp, server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_login_sessions"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE",
                                name="fk_login_sessions_user_id_users"),
    )
    op.create_index("ix_login_sessions_user_id", "login_sessions", ["user_id"])
    op.create_table(
        "account_mail_requests",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("base_url", sa.String(500), nullable=False),
        sa.Column("created_at", Timestamp, server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_account_mail_requests"),
        sa.CheckConstraint("kind IN ('registration', 'confirmation', 'password_reset')",
                           name="ck_account_mail_requests_kind"),
    )


def downgrade():
    op.drop_table("account_mail_requests")
    op.drop_index("ix_login_sessions_user_id", table_name="login_sessions")
    op.drop_table("login_sessions")
