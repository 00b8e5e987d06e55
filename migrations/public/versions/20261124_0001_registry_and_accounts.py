"""Town registry, accounts, memberships and API tokens.

Revision ID: 0001
Revises:
Create Date: 2026-11-24

A public-schema migration: towns, accounts, memberships.
"""
from alembic import op
import sqlalchemy as sa

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Timestamp = sa.DateTime(timezone=True)


def upgrade():
    op.create_table(
        "tenants",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("slug", sa.String(60), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("schema_name", sa.String(63), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("plan", sa.String(40), nullable=False),
        sa.Column("primary_color", sa.String(7), nullable=False),
        sa.Column("logo_url", sa.String(500)),
        sa.Column("schema_revision", sa.String(64)),
        sa.Column("created_at", Timestamp, server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_tenants"),
        sa.UniqueConstraint("slug", name="uq_tenants_slug"),
        sa.UniqueConstraint("schema_name", name="uq_tenants_schema_name"),
    )
    op.create_table(
        "tenant_hosts",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("tenant_id", BigId, nullable=False),
        sa.Column("host", sa.String(253), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_tenant_hosts"),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], ondelete="CASCADE",
                                name="fk_tenant_hosts_tenant_id_tenants"),
        sa.UniqueConstraint("host", name="uq_tenant_hosts_host"),
    )
    op.create_table(
        "users",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("password_hash", sa.String(200)),
        sa.Column("is_platform_admin", sa.Boolean(), nullable=False),
        sa.Column("email_confirmed_at", Timestamp),
        sa.Column("totp_secret", sa.String(64)),
        sa.Column("session_version", sa.Integer(), nullable=False),
        sa.Column("locale", sa.String(5)),
        sa.Column("created_at", Timestamp, server_default=sa.func.now(), nullable=False),
        sa.Column("last_login_at", Timestamp),
        sa.PrimaryKeyConstraint("id", name="pk_users"),
        sa.UniqueConstraint("email", name="uq_users_email"),
    )
    op.create_table(
        "memberships",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("user_id", BigId, nullable=False),
        sa.Column("tenant_id", BigId, nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("created_at", Timestamp, server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_memberships"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE",
                                name="fk_memberships_user_id_users"),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], ondelete="CASCADE",
                                name="fk_memberships_tenant_id_tenants"),
        sa.UniqueConstraint("user_id", "tenant_id", name="uq_memberships_user_id_tenant_id"),
    )
    op.create_table(
        "api_tokens",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("user_id", BigId, nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("prefix", sa.String(12), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("created_at", Timestamp, server_default=sa.func.now(), nullable=False),
        sa.Column("last_used_at", Timestamp),
        sa.Column("revoked_at", Timestamp),
        sa.PrimaryKeyConstraint("id", name="pk_api_tokens"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE",
                                name="fk_api_tokens_user_id_users"),
        sa.UniqueConstraint("digest", name="uq_api_tokens_digest"),
    )


def downgrade():
    for table in ("api_tokens", "memberships", "users", "tenant_hosts", "tenants"):
        op.drop_table(table)
