"""The vacancy register and the town's register of actors.

Revision ID: t0004
Revises: t0003
Create Date: 2026-11-24

Actors (owners, traders, associations) with their contact log; uploaded files;
units with status history, photos, enquiries and residents' reports; spreadsheet
imports; and the location profiles investors read. A tenant migration: never
name a schema here.
"""
from alembic import op
import sqlalchemy as sa

revision = "t0004"
down_revision = "t0003"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Timestamp = sa.DateTime(timezone=True)


def upgrade():
    op.create_table('actors',
    sa.Column('id', BigId, nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('contact_person', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('phone', sa.String(length=50), nullable=False),
    sa.Column('address', sa.String(length=300), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('contact_consent_on', sa.Date(), nullable=True),
    sa.Column('created_at', Timestamp, nullable=False),
    sa.Column('updated_at', Timestamp, nullable=False),
    sa.CheckConstraint("kind IN ('owner', 'trader', 'association', 'institution', 'person')", name='ck_actors_kind'),
    sa.PrimaryKeyConstraint('id', name='pk_actors')
    )
    op.create_index('ix_actors_name', 'actors', ['name'])
    op.create_table('attachments',
    sa.Column('id', BigId, nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('storage_key', sa.String(length=100), nullable=False),
    sa.Column('width', sa.Integer(), nullable=True),
    sa.Column('height', sa.Integer(), nullable=True),
    sa.Column('thumbnail_key', sa.String(length=100), nullable=True),
    sa.Column('created_at', Timestamp, nullable=False),
    sa.PrimaryKeyConstraint('id', name='pk_attachments'),
    sa.UniqueConstraint('storage_key', name='uq_attachments_storage_key')
    )
    op.create_table('actor_contacts',
    sa.Column('id', BigId, nullable=False),
    sa.Column('actor_id', BigId, nullable=False),
    sa.Column('contacted_on', sa.Date(), nullable=False),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('follow_up_on', sa.Date(), nullable=True),
    sa.Column('follow_up_done', sa.Boolean(), nullable=False),
    sa.Column('by_user_id', BigId, nullable=True),
    sa.Column('created_at', Timestamp, nullable=False),
    sa.CheckConstraint("channel IN ('phone', 'email', 'letter', 'visit', 'meeting', 'other')", name='ck_actor_contacts_channel'),
    sa.ForeignKeyConstraint(['actor_id'], ['actors.id'], name='fk_actor_contacts_actor_id_actors', ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['by_user_id'], ['users.id'], name='fk_actor_contacts_by_user_id_users', ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name='pk_actor_contacts')
    )
    op.create_index('ix_actor_contacts_follow_up', 'actor_contacts', ['follow_up_on'])
    op.create_table('location_profiles',
    sa.Column('id', BigId, nullable=False),
    sa.Column('district_id', BigId, nullable=True),
    sa.Column('population', sa.Integer(), nullable=True),
    sa.Column('purchasing_power_index', sa.Numeric(precision=6, scale=1), nullable=True),
    sa.Column('anchor_tenants', sa.Text(), nullable=False),
    sa.Column('transport', sa.Text(), nullable=False),
    sa.Column('parking', sa.Text(), nullable=False),
    sa.Column('contact_name', sa.String(length=200), nullable=False),
    sa.Column('contact_email', sa.String(length=320), nullable=False),
    sa.Column('contact_phone', sa.String(length=50), nullable=False),
    sa.Column('updated_at', Timestamp, nullable=False),
    sa.ForeignKeyConstraint(['district_id'], ['districts.id'], name='fk_location_profiles_district_id_districts', ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name='pk_location_profiles'),
    sa.UniqueConstraint('district_id', name='uq_location_profiles_district_id')
    )
    op.create_table('unit_imports',
    sa.Column('id', BigId, nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('attachment_id', BigId, nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('mapping', sa.JSON(), nullable=False),
    sa.Column('total_rows', sa.Integer(), nullable=False),
    sa.Column('processed_rows', sa.Integer(), nullable=False),
    sa.Column('created_count', sa.Integer(), nullable=False),
    sa.Column('updated_count', sa.Integer(), nullable=False),
    sa.Column('problems', sa.JSON(), nullable=False),
    sa.Column('by_user_id', BigId, nullable=True),
    sa.Column('created_at', Timestamp, nullable=False),
    sa.Column('finished_at', Timestamp, nullable=True),
    sa.ForeignKeyConstraint(['attachment_id'], ['attachments.id'], name='fk_unit_imports_attachment_id_attachments', ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['by_user_id'], ['users.id'], name='fk_unit_imports_by_user_id_users', ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name='pk_unit_imports')
    )
    op.create_table('units',
    sa.Column('id', BigId, nullable=False),
    sa.Column('address', sa.String(length=300), nullable=False),
    sa.Column('postcode', sa.String(length=10), nullable=False),
    sa.Column('district_id', BigId, nullable=True),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('lon', sa.Float(), nullable=True),
    sa.Column('public_lat', sa.Float(), nullable=True),
    sa.Column('public_lon', sa.Float(), nullable=True),
    sa.Column('area_sqm', sa.Numeric(precision=9, scale=2), nullable=True),
    sa.Column('sales_area_sqm', sa.Numeric(precision=9, scale=2), nullable=True),
    sa.Column('secondary_area_sqm', sa.Numeric(precision=9, scale=2), nullable=True),
    sa.Column('frontage_m', sa.Numeric(precision=6, scale=2), nullable=True),
    sa.Column('floor', sa.Integer(), nullable=False),
    sa.Column('usage', sa.String(length=20), nullable=False),
    sa.Column('condition', sa.String(length=20), nullable=True),
    sa.Column('step_free', sa.Boolean(), nullable=False),
    sa.Column('restrictions', sa.Text(), nullable=False),
    sa.Column('rent_eur_month', sa.Numeric(precision=10, scale=2), nullable=True),
    sa.Column('service_charge_eur_month', sa.Numeric(precision=10, scale=2), nullable=True),
    sa.Column('available_from', sa.Date(), nullable=True),
    sa.Column('owner_id', BigId, nullable=True),
    sa.Column('publish', sa.String(length=12), nullable=False),
    sa.Column('interim_use_consent', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('vacant_since', sa.Date(), nullable=True),
    sa.Column('endangered', sa.Boolean(), nullable=False),
    sa.Column('endangered_reason', sa.String(length=300), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('tags', sa.JSON(), nullable=False),
    sa.Column('floor_plan_id', BigId, nullable=True),
    sa.Column('reference', sa.String(length=100), nullable=True),
    sa.Column('created_at', Timestamp, nullable=False),
    sa.Column('updated_at', Timestamp, nullable=False),
    sa.CheckConstraint("publish IN ('no', 'exact', 'approximate')", name='ck_units_publish'),
    sa.CheckConstraint("status IN ('occupied', 'vacant', 'interim', 'negotiating', 'let')", name='ck_units_status'),
    sa.CheckConstraint("usage IN ('retail', 'gastronomy', 'services', 'office', 'culture', 'other')", name='ck_units_usage'),
    sa.ForeignKeyConstraint(['district_id'], ['districts.id'], name='fk_units_district_id_districts', ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['floor_plan_id'], ['attachments.id'], name='fk_units_floor_plan_id_attachments', ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['owner_id'], ['actors.id'], name='fk_units_owner_id_actors', ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name='pk_units'),
    sa.UniqueConstraint('reference', name='uq_units_reference')
    )
    op.create_index('ix_units_district_id', 'units', ['district_id'])
    op.create_index('ix_units_owner_id', 'units', ['owner_id'])
    op.create_index('ix_units_status', 'units', ['status'])
    op.create_table('footfall_counts',
    sa.Column('id', BigId, nullable=False),
    sa.Column('profile_id', BigId, nullable=False),
    sa.Column('place', sa.String(length=200), nullable=False),
    sa.Column('counted_on', sa.Date(), nullable=False),
    sa.Column('count_per_hour', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['profile_id'], ['location_profiles.id'], name='fk_footfall_counts_profile_id_location_profiles', ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name='pk_footfall_counts')
    )
    op.create_table('location_downloads',
    sa.Column('id', BigId, nullable=False),
    sa.Column('profile_id', BigId, nullable=False),
    sa.Column('attachment_id', BigId, nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['attachment_id'], ['attachments.id'], name='fk_location_downloads_attachment_id_attachments', ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['profile_id'], ['location_profiles.id'], name='fk_location_downloads_profile_id_location_profiles', ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name='pk_location_downloads')
    )
    op.create_table('unit_enquiries',
    sa.Column('id', BigId, nullable=False),
    sa.Column('unit_id', BigId, nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('phone', sa.String(length=50), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('answered', sa.Boolean(), nullable=False),
    sa.Column('created_at', Timestamp, nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name='fk_unit_enquiries_unit_id_units', ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name='pk_unit_enquiries')
    )
    op.create_table('unit_photos',
    sa.Column('id', BigId, nullable=False),
    sa.Column('unit_id', BigId, nullable=False),
    sa.Column('attachment_id', BigId, nullable=False),
    sa.Column('caption', sa.String(length=200), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['attachment_id'], ['attachments.id'], name='fk_unit_photos_attachment_id_attachments', ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name='fk_unit_photos_unit_id_units', ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name='pk_unit_photos')
    )
    op.create_table('unit_status_changes',
    sa.Column('id', BigId, nullable=False),
    sa.Column('unit_id', BigId, nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('changed_on', sa.Date(), nullable=False),
    sa.Column('note', sa.String(length=300), nullable=False),
    sa.Column('by_user_id', BigId, nullable=True),
    sa.Column('created_at', Timestamp, nullable=False),
    sa.CheckConstraint("status IN ('occupied', 'vacant', 'interim', 'negotiating', 'let')", name='ck_unit_status_changes_status'),
    sa.ForeignKeyConstraint(['by_user_id'], ['users.id'], name='fk_unit_status_changes_by_user_id_users', ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name='fk_unit_status_changes_unit_id_units', ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name='pk_unit_status_changes')
    )
    op.create_index('ix_unit_status_changes_unit_id', 'unit_status_changes', ['unit_id'])
    op.create_table('vacancy_reports',
    sa.Column('id', BigId, nullable=False),
    sa.Column('address', sa.String(length=300), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('photo_id', BigId, nullable=True),
    sa.Column('reporter_name', sa.String(length=200), nullable=False),
    sa.Column('reporter_email', sa.String(length=320), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('unit_id', BigId, nullable=True),
    sa.Column('decision_note', sa.String(length=300), nullable=False),
    sa.Column('decided_by_id', BigId, nullable=True),
    sa.Column('decided_at', Timestamp, nullable=True),
    sa.Column('created_at', Timestamp, nullable=False),
    sa.CheckConstraint("status IN ('new', 'accepted', 'rejected')", name='ck_vacancy_reports_status'),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name='fk_vacancy_reports_decided_by_id_users', ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['photo_id'], ['attachments.id'], name='fk_vacancy_reports_photo_id_attachments', ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name='fk_vacancy_reports_unit_id_units', ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name='pk_vacancy_reports')
    )


def downgrade():
    op.drop_table('vacancy_reports')
    op.drop_index('ix_unit_status_changes_unit_id', table_name='unit_status_changes')
    op.drop_table('unit_status_changes')
    op.drop_table('unit_photos')
    op.drop_table('unit_enquiries')
    op.drop_table('location_downloads')
    op.drop_table('footfall_counts')
    op.drop_index('ix_units_district_id', table_name='units')
    op.drop_index('ix_units_owner_id', table_name='units')
    op.drop_index('ix_units_status', table_name='units')
    op.drop_table('units')
    op.drop_table('unit_imports')
    op.drop_table('location_profiles')
    op.drop_index('ix_actor_contacts_follow_up', table_name='actor_contacts')
    op.drop_table('actor_contacts')
    op.drop_table('attachments')
    op.drop_index('ix_actors_name', table_name='actors')
    op.drop_table('actors')
