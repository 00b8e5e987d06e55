"""The database handle and the per-transaction schema switch.

Public models (towns, accounts, memberships) live in the database's default
schema. Tenant models subclass :class:`TenantModel`; their tables carry the
placeholder schema ``tenant``, which every transaction translates to the
current town's schema (PostgreSQL) or attached database file (SQLite). The
placeholder schema is never created, so a statement that escapes the switch
fails instead of touching another town's rows.
"""
from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Iterator
from datetime import datetime
from typing import Annotated

import flask_sqlalchemy.session
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import BigInteger, Connection, DateTime, Integer, MetaData, event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import DeclarativeBase, declared_attr, mapped_column

from tenants.current import TenantContextError, current_tenant, current_tenant_or_none

log = logging.getLogger(__name__)
TENANT_SCHEMA = "tenant"
# Ids are BIGINT: a larger number is refused (or, in a URL, not found), never a database overflow.
MAX_ID = 2**63 - 1
SCHEMA_PREFIX = "town_"
_SCHEMA_NAME = re.compile(r"^town_[a-z0-9_]{1,57}$")

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# BIGINT keys everywhere (schema-based sharding needs them); SQLite only
# auto-increments a column declared exactly INTEGER PRIMARY KEY.
BigId = BigInteger().with_variant(Integer(), "sqlite")
PrimaryKey = Annotated[int, mapped_column(BigId, primary_key=True)]
# Points in time are stored with their zone (timestamptz on PostgreSQL).
Timestamp = Annotated[datetime, mapped_column(DateTime(timezone=True))]


def validate_schema_name(name: str) -> str:
    """Return ``name`` if it is a valid town schema name, else raise ValueError."""
    if not _SCHEMA_NAME.fullmatch(name or ""):
        raise ValueError(
            f"{name!r} is not a valid town schema name: expected 'town_' followed by "
            "lower-case letters, digits or underscores."
        )
    return name


def schema_for_slug(slug: str) -> str:
    """Derive the schema name that belongs to a town's slug."""
    return validate_schema_name(SCHEMA_PREFIX + slug.replace("-", "_"))


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class TenantAwareSession(flask_sqlalchemy.session.Session):
    """The session class; its events below keep every transaction in one town."""


class QuartierSQLAlchemy(SQLAlchemy):
    """Flask-SQLAlchemy, whose end-of-request clean-up survives a database that went away."""

    def _teardown_session(self, exc: BaseException | None) -> None:
        # The page is rendered when this runs; a connection PostgreSQL has just ended
        # (a restart, a failover) makes the rollback raise, and an error here escapes
        # every error handler: the visitor got a 500 for a page that had worked.
        try:
            self.session.remove()
        except DBAPIError as error:
            log.warning("Session clean-up failed, the database went away: %s",
                        str(error).splitlines()[0])
            self.session.registry.clear()  # the pool replaces the dead connection


db = QuartierSQLAlchemy(model_class=Base, session_options={"class_": TenantAwareSession})


class TenantModel(db.Model):
    """Base of every model stored inside a town's schema."""

    __abstract__ = True

    @declared_attr.directive
    def __table_args__(cls):
        return {"schema": TENANT_SCHEMA}


def tenant_table_args(*constraints) -> tuple:
    """``__table_args__`` for a tenant model that also declares constraints."""
    return (*constraints, {"schema": TENANT_SCHEMA})


def one_of(column: str, values) -> str:
    """The SQL of a check constraint: ``column`` holds one of ``values`` (the keys of a dict)."""
    return f"{column} IN ({', '.join(repr(value) for value in values)})"


def tenant_tables():
    """The tables that every town's schema holds, in dependency order."""
    return [t for t in db.metadata.sorted_tables if t.schema == TENANT_SCHEMA]


def is_tenant_class(cls) -> bool:
    return isinstance(cls, type) and issubclass(cls, TenantModel)


# --- the per-transaction switch ---------------------------------------------

@event.listens_for(TenantAwareSession, "after_begin")
def _enter_town_schema(session, transaction, connection):
    """Translate the placeholder schema for this transaction's connection."""
    tenant = current_tenant_or_none()
    schema = tenant.schema_name if tenant else TENANT_SCHEMA
    session.info["tenant_schema"] = schema if tenant else None
    if connection.dialect.name == "sqlite" and tenant is not None:
        from tenants.sqlite import attach_town  # SQLite only: one file per town

        attach_town(connection, tenant)
    # The key set stays fixed so SQLAlchemy's statement cache serves all towns.
    connection.execution_options(schema_translate_map={TENANT_SCHEMA: schema})


@contextlib.contextmanager
def town_connection() -> Iterator[Connection]:
    """One connection inside the current town, for a loop that commits after every step.

    The session returns its connection to the pool at each commit and takes one
    again (with a ping) at the next statement; a mail batch commits after every
    mail, so it keeps this one instead. Core statements on town tables; the
    caller commits. On leaving, whatever is not committed is rolled back.
    """
    tenant = current_tenant()
    with db.engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            from tenants.sqlite import attach_town

            attach_town(connection, tenant)
        yield connection.execution_options(schema_translate_map={TENANT_SCHEMA: tenant.schema_name})


@event.listens_for(TenantAwareSession, "after_transaction_end")
def _leave_town_schema(session, transaction):
    if transaction.parent is None:
        session.info.pop("tenant_schema", None)


def _check_scope(session, uses_tenant_tables: bool):
    if not uses_tenant_tables:
        return
    tenant = current_tenant_or_none()
    if tenant is None:
        raise TenantContextError(
            "No town set for a query on a town's table — did you forget "
            "`with tenant_context(town):`?"
        )
    active = session.info.get("tenant_schema", tenant.schema_name)
    if active != tenant.schema_name:
        raise TenantContextError(
            f"This session's transaction belongs to {active or 'no town'}, not "
            f"{tenant.schema_name}: commit or close it before switching towns "
            "(tenant_context() does this for you)."
        )


@event.listens_for(TenantAwareSession, "do_orm_execute")
def _guard_query(state):
    _check_scope(state.session, any(is_tenant_class(m.class_) for m in state.all_mappers))


@event.listens_for(TenantAwareSession, "before_flush")
def _guard_flush(session, flush_context, instances):
    changed = (*session.new, *session.dirty, *session.deleted)
    _check_scope(session, any(is_tenant_class(type(obj)) for obj in changed))
