"""Tenant migrations: one Alembic tree, run once per town schema.

The version table lives inside each town's schema (PostgreSQL) or file
(SQLite). Every town's revision is read in one query, towns already at head
are skipped, and a failing town is reported without stopping the others.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from alembic.config import Config
from alembic.runtime.environment import EnvironmentContext
from alembic.script import ScriptDirectory
from flask import current_app, has_app_context
from sqlalchemy import create_engine, inspect, text

from tenants.db import validate_schema_name
from tenants.sqlite import town_database_path, town_database_url

TENANT_TREE = Path(__file__).resolve().parent.parent / "migrations" / "tenant"


def tenant_tree() -> str:
    """The tenant Alembic tree: ``TENANT_MIGRATIONS_PATH`` if the app sets it, else ours.

    The key exists for tests that put an extra migration on the path (a copy
    of the tree); production code never sets it. Each path is read once per
    process, so a test uses a new copy for each state of the tree.
    """
    configured = current_app.config.get("TENANT_MIGRATIONS_PATH") if has_app_context() else None
    return str(configured or TENANT_TREE)


def tenant_scripts() -> ScriptDirectory:
    return _scripts_at(tenant_tree())


@lru_cache(maxsize=4)
def _scripts_at(location: str) -> ScriptDirectory:
    return ScriptDirectory.from_config(_config_at(location))


def alembic_config() -> Config:
    return _config_at(tenant_tree())


def _config_at(location: str) -> Config:
    config = Config()
    config.set_main_option("script_location", location)
    return config


def head_revision() -> str:
    return tenant_scripts().get_current_head()


def is_sqlite(engine) -> bool:
    return engine.dialect.name == "sqlite"


def ensure_schema(engine, schema: str) -> None:
    """Create the town's schema (PostgreSQL) or its file's folder (SQLite)."""
    validate_schema_name(schema)
    if is_sqlite(engine):
        town_database_path(str(engine.url), schema).parent.mkdir(parents=True, exist_ok=True)
        return
    with engine.begin() as connection:
        connection.exec_driver_sql(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')


def drop_schema(engine, schema: str) -> None:
    validate_schema_name(schema)
    if is_sqlite(engine):
        town_database_path(str(engine.url), schema).unlink(missing_ok=True)
        return
    with engine.begin() as connection:
        connection.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def _town_engine(engine, schema: str):
    """SQLite towns are separate files; PostgreSQL towns share the engine."""
    if is_sqlite(engine):
        return create_engine(town_database_url(str(engine.url), schema)), True
    return engine, False


def configure_context(context, connection, schema: str, **options) -> None:
    """Point an Alembic context at one town (used here and by env.py)."""
    if connection.dialect.name == "postgresql":
        # LOCAL: the path ends with this transaction and never leaks to the pool.
        connection.exec_driver_sql(f'SET LOCAL search_path TO "{schema}", public')
        options["version_table_schema"] = schema
    context.configure(connection=connection, render_as_batch=connection.dialect.name == "sqlite",
                      **options)


def upgrade_town(engine, schema: str, target: str = "head") -> str:
    """Bring one town's schema to ``target`` in one transaction; return its revision."""
    return _run(engine, schema, target, lambda script, rev: script._upgrade_revs(target, rev))


def downgrade_town(engine, schema: str, target: str) -> str:
    return _run(engine, schema, target, lambda script, rev: script._downgrade_revs(target, rev))


def _run(engine, schema, target, steps) -> str:
    validate_schema_name(schema)
    script = tenant_scripts()
    town_engine, dispose = _town_engine(engine, schema)
    try:
        environment = EnvironmentContext(alembic_config(), script,
                                         fn=lambda rev, _ctx: steps(script, rev),
                                         destination_rev=target)
        with environment, town_engine.begin() as connection:
            configure_context(environment, connection, schema)
            environment.run_migrations()
        return read_revisions(engine, [schema]).get(schema)
    finally:
        if dispose:
            town_engine.dispose()


def read_revisions(engine, schemas: list[str]) -> dict[str, str | None]:
    """Every town's current revision, in one query on PostgreSQL."""
    schemas = [validate_schema_name(s) for s in schemas]
    if not schemas:
        return {}
    if is_sqlite(engine):
        return {schema: _sqlite_revision(engine, schema) for schema in schemas}
    with engine.connect() as connection:
        versioned = set(connection.execute(
            text("SELECT table_schema FROM information_schema.tables "
                 "WHERE table_name = 'alembic_version' AND table_schema = ANY(:schemas)"),
            {"schemas": schemas},
        ).scalars())
        found: dict[str, str | None] = dict.fromkeys(schemas)
        if versioned:
            union = " UNION ALL ".join(
                f"SELECT '{s}' AS schema_name, version_num FROM \"{s}\".alembic_version"
                for s in sorted(versioned)
            )
            found.update(tuple(row) for row in connection.execute(text(union)))
    return found


def _sqlite_revision(engine, schema: str) -> str | None:
    path = town_database_path(str(engine.url), schema)
    if not path.exists():
        return None
    town_engine = create_engine(f"sqlite:///{path}")
    try:
        with town_engine.connect() as connection:
            if not inspect(connection).has_table("alembic_version"):
                return None
            return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    finally:
        town_engine.dispose()


@dataclass
class MigrationReport:
    """What ``migrate_towns`` did, town by town."""

    head: str
    upgraded: list[str] = field(default_factory=list)
    up_to_date: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.failed


def migrate_towns(engine, towns, on_progress=None, on_done=None) -> MigrationReport:
    """Bring every town in ``towns`` (schema names) to head, one at a time.

    ``on_progress(schema)`` is called before each town that needs work,
    ``on_done(schema, revision_or_None, error_or_None)`` after it.
    """
    head = head_revision()
    report = MigrationReport(head=head)
    revisions = read_revisions(engine, list(towns))
    pending = [s for s, rev in revisions.items() if rev != head]
    report.up_to_date = [s for s, rev in revisions.items() if rev == head]
    for schema in pending:
        if on_progress:
            on_progress(schema)
        try:
            revision, error = upgrade_town(engine, schema), None
            report.upgraded.append(schema)
        except Exception as exc:  # one town's failure must not stop the others
            revision, error = None, f"{type(exc).__name__}: {exc}".splitlines()[0]
            report.failed[schema] = error
        if on_done:
            on_done(schema, revision, error)
    return report
