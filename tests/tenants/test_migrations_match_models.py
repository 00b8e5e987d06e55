"""The hand-written migrations create exactly what the models declare."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import BLANK_SCHEMA, MetaData, create_engine

from tenants.db import TENANT_SCHEMA, db, tenant_tables
from tenants.sqlite import town_database_url

IGNORED_TABLES = {"alembic_version"}


def differences(connection, metadata, **options):
    context = MigrationContext.configure(connection, opts={
        "compare_type": True,
        "include_name": lambda name, type_, parent: not (type_ == "table" and name in IGNORED_TABLES),
        **options,
    })
    return compare_metadata(context, metadata)


def public_metadata():
    metadata = MetaData()
    for table in db.metadata.sorted_tables:
        if table.schema != TENANT_SCHEMA:
            table.to_metadata(metadata)
    return metadata


def town_metadata():
    """The town tables without the placeholder schema, as a town's schema holds them."""
    metadata = MetaData()
    for table in db.metadata.sorted_tables:
        if table.schema != TENANT_SCHEMA:
            table.to_metadata(metadata)  # referenced public tables (users) resolve
    for table in tenant_tables():
        table.to_metadata(metadata, schema=None, referred_schema_fn=_unqualified_town_tables)
    return metadata


def _unqualified_town_tables(table, to_schema, constraint, referred_schema):
    """A town table's foreign key to another town table loses the placeholder schema too."""
    return BLANK_SCHEMA if referred_schema == TENANT_SCHEMA else referred_schema


def test_the_public_tree_matches_the_public_models(app):
    with app.app_context(), db.engine.connect() as connection:
        assert differences(connection, public_metadata()) == []


def test_the_tenant_tree_matches_the_town_models(app, towns, backend):
    town_table_names = {t.name for t in tenant_tables()}
    only_town_tables = {"include_object": lambda obj, name, type_, reflected, compare_to:
                        type_ != "table" or name in town_table_names}
    with app.app_context():
        if backend == "sqlite":
            engine = create_engine(town_database_url(str(db.engine.url), towns.a.schema_name))
            with engine.connect() as connection:
                found = differences(connection, town_metadata(), **only_town_tables)
            engine.dispose()
        else:
            with db.engine.connect() as connection:
                connection.exec_driver_sql(f'SET search_path TO "{towns.a.schema_name}", public')
                found = differences(connection, town_metadata(), **only_town_tables)
                connection.rollback()
    assert found == []
