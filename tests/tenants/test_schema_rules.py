"""Rules that keep each town's schema movable to its own node later (Citus)."""
from sqlalchemy import BigInteger

from tenants.db import TENANT_SCHEMA, db, tenant_tables

SHAREABLE_PUBLIC_TABLES = {"tenants", "users"}


def public_tables():
    return [t for t in db.metadata.sorted_tables if t.schema != TENANT_SCHEMA]


def test_town_tables_refer_only_to_their_own_tables_or_to_towns_and_users(app):
    tenant_names = {t.name for t in tenant_tables()}
    for table in tenant_tables():
        for key in table.foreign_keys:
            target = key.column.table
            allowed = target.schema == TENANT_SCHEMA or target.name in SHAREABLE_PUBLIC_TABLES
            assert allowed, f"{table.name}.{key.parent.name} refers to public table {target.name}"
    assert tenant_names


def test_town_tables_never_share_a_name_with_a_public_table(app):
    # Tenant migrations run under search_path "town_x, public": a shared name
    # would let an unqualified ALTER reach the public table.
    clash = {t.name for t in tenant_tables()} & {t.name for t in public_tables()}
    assert not clash


def test_every_key_is_a_bigint(app):
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if column.primary_key or column.foreign_keys:
                assert isinstance(column.type.dialect_impl(_postgres()), BigInteger), \
                    f"{table.name}.{column.name} is not BIGINT"


def _postgres():
    from sqlalchemy.dialects import postgresql

    return postgresql.dialect()
