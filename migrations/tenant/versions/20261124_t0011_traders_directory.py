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
    op.create_table('directory_entries',
    sa.Column('id', BigId, nullable=False),
    sa.Column('actor_id', BigId, nullable=False),
    sa.Column('category', sa.String(length=20), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('opening_hours', sa.JSON(), nullable=False),
    sa.Column('website', sa.String(length=300), nullable=False),
    sa.Column('public_email', sa.String(length=320), nullable=False),
    sa.Column('public_phone', sa.String(length=50), nullable=False),
    sa.Column('picture_id', BigId, nullable=True),
    sa.Column('district_id', BigId, nullable=True),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('lon', sa.Float(), nullable=True),
    sa.Column('published', sa.Boolean(), nullable=False),
    sa.Column('created_at', Timestamp, nullable=False),
    sa.Column('updated_at', Timestamp, nullable=False),
    sa.Column('updated_by_trader_at', Timestamp, nullable=True),
    sa.CheckConstraint("category IN ('retail', 'gastronomy', 'services', 'health', 'crafts', 'leisure', 'other')", name='ck_directory_entries_category'),
    sa.ForeignKeyConstraint(['actor_id'], ['actors.id'], name='fk_directory_entries_actor_id_actors', ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['district_id'], ['districts.id'], name='fk_directory_entries_district_id_districts', ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['picture_id'], ['attachments.id'], name='fk_directory_entries_picture_id_attachments', ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name='pk_directory_entries'),
    sa.UniqueConstraint('actor_id', name='uq_directory_entries_actor_id')
    )
    op.create_table('directory_edit_links',
    sa.Column('id', BigId, nullable=False),
    sa.Column('entry_id', BigId, nullable=False),
    sa.Column('token_digest', sa.String(length=64), nullable=False),
    sa.Column('expires_at', Timestamp, nullable=False),
    sa.Column('revoked_at', Timestamp, nullable=True),
    sa.Column('last_used_at', Timestamp, nullable=True),
    sa.Column('created_by_id', BigId, nullable=True),
    sa.Column('created_at', Timestamp, nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name='fk_directory_edit_links_created_by_id_users', ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['entry_id'], ['directory_entries.id'], name='fk_directory_edit_links_entry_id_directory_entries', ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name='pk_directory_edit_links'),
    sa.UniqueConstraint('token_digest', name='uq_directory_edit_links_token_digest')
    )
    op.create_index('ix_directory_edit_links_entry_id', 'directory_edit_links', ['entry_id'])


def downgrade():
    op.drop_index('ix_directory_edit_links_entry_id', table_name='directory_edit_links')
    op.drop_table('directory_edit_links')
    op.drop_table('directory_entries')
