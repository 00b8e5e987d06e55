"""The registry's version: raised with every change to towns and their hosts.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07

Every process keeps a snapshot of the town registry and reads this one
number at most every half second; when it changed, the snapshot reloads. So
a town deleted, suspended or created is seen by every worker on every host
within a second (tenants/registry.py).
"""
from alembic import op
import sqlalchemy as sa

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade():
    table = op.create_table(
        "registry_state",
        sa.Column("id", BIG_ID, primary_key=True),
        sa.Column("version", BIG_ID, nullable=False),
        sa.CheckConstraint("id = 1", name="ck_registry_state_single_row"),
    )
    op.bulk_insert(table, [{"id": 1, "version": 1}])


def downgrade():
    op.drop_table("registry_state")
