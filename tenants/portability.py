"""One town's whole data as one portable file: ``flask tenants export`` / ``import``.

The file is gzip-compressed JSON Lines (``.jsonl.gz``), chosen over a zip of
JSON documents because it streams both ways: export writes and import reads
one row at a time, so a large town never has to fit in memory, while
``zcat FILE | head -1 | jq`` still shows what a file holds. Lines, in order:

1. the header: format and version, the town's schema revision, its registry
   row (name, hosts, branding, plan, status), the users it refers to (id,
   e-mail, name — never a password hash), its memberships (e-mail and role),
   and per table its columns with their encoding, primary key, the columns
   that point at users, and the row count (a hint for the progress bar);
2. per table, in dependency order: ``{"table": NAME}``, then one JSON array
   per row in the header's column order;
3. the trailer ``{"end": true, "rows": {TABLE: COUNT}}`` — a file without it
   was cut off and is refused.

Values are encoded by column type (see ``KINDS``), so a file written from
PostgreSQL loads into SQLite and back. The tables are found generically
(``tenant_tables()``), so later modules' tables travel without code here.

Import creates the town at the file's revision, loads the rows with their
ids, resets PostgreSQL's sequences and then migrates the town to head, so an
old export loads into newer code. Users are matched by e-mail; missing ones
are created without a password (they reset it) and never as platform admins.
"""
from __future__ import annotations

import base64
import enum
import gzip
import json
import os
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timezone
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa
from alembic.util import CommandError
from sqlalchemy import delete, func, inspect, select

from tenants import migrations
from tenants.access import ROLES
from tenants.context import tenant_context
from tenants.db import TENANT_SCHEMA, db, schema_for_slug, tenant_tables
from tenants.models import Membership, Tenant, TenantHost, User
from tenants.resolver import validate_slug
from tenants.services import delete_tenant, registry

FORMAT = "quartier-town-export"
FORMAT_VERSION = 1
BATCH_SIZE = 1000
REGISTRY_FIELDS = ("name", "plan", "status", "primary_color", "logo_url")


class PortabilityError(RuntimeError):
    """An export or import that cannot be done; the message says why and what to do."""


@dataclass
class Summary:
    """What an export or import moved."""

    slug: str
    revision: str
    rows: dict[str, int] = field(default_factory=dict)
    users: int = 0
    memberships: int = 0
    warnings: list[str] = field(default_factory=list)

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


# --- encoding values by column type -----------------------------------------

def _encode_datetime(value: datetime):
    # SQLite hands zone-less values back; Quartier stores points in time in UTC.
    aware = value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    return aware.astimezone(timezone.utc).isoformat()


def _encode_naive_datetime(value: datetime):
    return value.isoformat()


def _encode_plain(value):
    return value.name if isinstance(value, enum.Enum) else value


def _decode_json(value):
    # None means SQL NULL here; without null() the JSON type would store JSON 'null'.
    return sa.null() if value is None else value


# kind → (encode, decode, column type used when this code no longer knows the column)
KINDS = {
    "datetime": (_encode_datetime, datetime.fromisoformat, sa.DateTime(timezone=True)),
    "naive-datetime": (_encode_naive_datetime, datetime.fromisoformat, sa.DateTime()),
    "date": (date.isoformat, date.fromisoformat, sa.Date()),
    "time": (time.isoformat, time.fromisoformat, sa.Time()),
    "decimal": (str, Decimal, sa.Numeric()),
    "bytes": (lambda v: base64.b64encode(v).decode("ascii"), base64.b64decode, sa.LargeBinary()),
    "uuid": (str, uuid.UUID, sa.Uuid()),
    "json": (lambda v: v, _decode_json, sa.JSON()),
    "plain": (_encode_plain, lambda v: v, sa.types.NULLTYPE),
}
_KIND_OF_PYTHON_TYPE = {datetime: "datetime", date: "date", time: "time", Decimal: "decimal",
                        bytes: "bytes", uuid.UUID: "uuid"}


def column_kind(column: sa.Column) -> str:
    """How a column's values are written to the file."""
    column_type = column.type
    if isinstance(column_type, sa.TypeDecorator):
        column_type = column_type.impl_instance
    if isinstance(column_type, sa.JSON):
        return "json"
    try:
        python_type = column_type.python_type
    except NotImplementedError:
        return "plain"
    kind = _KIND_OF_PYTHON_TYPE.get(python_type, "plain")
    if kind == "datetime" and not column_type.timezone:
        return "naive-datetime"
    return kind


def encode(kind: str, value):
    return None if value is None else KINDS[kind][0](value)


def decode(kind: str, value):
    if kind == "json":
        return _decode_json(value)
    return None if value is None else KINDS[kind][1](value)


# --- progress ------------------------------------------------------------------

class _NoProgress:
    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        return False

    def update(self, steps):
        pass


def no_progress(label: str, length: int):
    """The default progress reporter: ``progress(label, length)`` → context with ``update(n)``."""
    return _NoProgress()


# --- export -------------------------------------------------------------------

def user_columns(table: sa.Table) -> list[str]:
    """The columns of a tenant table that hold a ``users.id``."""
    users_id = User.__table__.c.id
    return [fk.parent.name for fk in table.foreign_keys if fk.column is users_id]


def describe_table(table: sa.Table) -> dict:
    return {
        "name": table.name,
        "columns": [{"name": c.name, "kind": column_kind(c)} for c in table.columns],
        "primary_key": [c.name for c in table.primary_key.columns],
        "user_columns": user_columns(table),
    }


def export_town(slug: str, path, progress=no_progress) -> Summary:
    """Write town ``slug``'s registry entry, members and every tenant row to ``path``."""
    tenant = _require_town(slug)
    revision = _revision_at_head(tenant)
    tables = tenant_tables()
    town = {"slug": tenant.slug, "hosts": [h.host for h in tenant.hosts],
            **{name: getattr(tenant, name) for name in REGISTRY_FIELDS}}
    tenant_id, info = tenant.id, tenant.info()
    with tenant_context(info):
        _begin_snapshot()
        header = _export_header(tenant_id, town, revision, tables)
        summary = Summary(slug=slug, revision=revision, users=len(header["users"]),
                          memberships=len(header["memberships"]))
        with _atomic_gzip_writer(path) as out:
            _write_line(out, header)
            for table, described in zip(tables, header["tables"], strict=True):
                with progress(f"Exporting {table.name}", described["rows"]) as bar:
                    summary.rows[table.name] = _export_rows(out, table, described, bar)
            _write_line(out, {"end": True, "rows": summary.rows})
        db.session.rollback()  # read only
    return summary


def _require_town(slug: str) -> Tenant:
    tenant = db.session.scalar(select(Tenant).where(Tenant.slug == slug))
    if tenant is None:
        raise PortabilityError(f"Unknown town: {slug}. `flask tenants list` shows the towns.")
    return tenant


def _revision_at_head(tenant: Tenant) -> str:
    """The town's revision; the rows are read with this code's models, so it must be head."""
    revision = migrations.read_revisions(db.engine, [tenant.schema_name])[tenant.schema_name]
    head = migrations.head_revision()
    if revision != head:
        raise PortabilityError(
            f"{tenant.slug} is at revision {revision or 'none'}, this code at {head}: "
            f"run `flask tenants migrate {tenant.slug}` first.")
    return revision


def _begin_snapshot() -> None:
    """Read every table from one snapshot, so counts and rows agree while others write."""
    if db.engine.dialect.name == "postgresql":
        db.session.connection(execution_options={"isolation_level": "REPEATABLE READ"})


def _export_header(tenant_id: int, town: dict, revision: str, tables) -> dict:
    described = [describe_table(t) for t in tables]
    for table, description in zip(tables, described, strict=True):
        description["rows"] = db.session.scalar(select(func.count()).select_from(table))
    members = db.session.execute(
        select(User.email, Membership.role).join(Membership.user)
        .where(Membership.tenant_id == tenant_id).order_by(User.email)).all()
    return {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "exported_at": datetime.now(timezone.utc).isoformat(),
        "revision": revision,
        "town": town,
        "users": _referenced_users(tenant_id, tables),
        "memberships": [{"email": email, "role": role} for email, role in members],
        "tables": described,
    }


def _referenced_users(tenant_id: int, tables) -> list[dict]:
    """The town's members and every user a tenant row points at."""
    ids = set(db.session.scalars(select(Membership.user_id).where(Membership.tenant_id == tenant_id)))
    for table in tables:
        for name in user_columns(table):
            ids.update(db.session.scalars(
                select(table.c[name]).where(table.c[name].is_not(None)).distinct()))
    users = db.session.execute(
        select(User.id, User.email, User.name).where(User.id.in_(ids)).order_by(User.id)).all()
    return [{"id": id_, "email": email, "name": name} for id_, email, name in users]


def _export_rows(out, table: sa.Table, described: dict, bar) -> int:
    kinds = [c["kind"] for c in described["columns"]]
    _write_line(out, {"table": table.name})
    result = db.session.execute(select(table).order_by(*table.primary_key.columns),
                                execution_options={"yield_per": BATCH_SIZE})
    count = 0
    for partition in result.partitions():
        for row in partition:
            try:
                _write_line(out, [encode(kind, value)
                                  for kind, value in zip(kinds, row, strict=True)])
            except TypeError as exc:  # a column type KINDS does not know yet
                raise PortabilityError(f"A value of {table.name} cannot be written ({exc}): "
                                       "teach tenants.portability.KINDS its column type.") from None
        count += len(partition)
        bar.update(len(partition))
    return count


def _write_line(out, value) -> None:
    out.write(json.dumps(value, ensure_ascii=False, separators=(",", ":")))
    out.write("\n")


@contextmanager
def _atomic_gzip_writer(path):
    """Write to a temporary file beside ``path``; only a complete file takes its name."""
    path = Path(path)
    partial = path.with_name(f".{path.name}.partial")
    try:
        with gzip.open(partial, "wt", encoding="utf-8") as out:
            yield out
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


# --- import -------------------------------------------------------------------

def import_town(path, as_slug: str | None = None, progress=no_progress) -> Summary:
    """Create a town from an export file, under its own slug or ``as_slug``."""
    with _open_export(path) as lines:
        header = _read_header(lines)
        slug = as_slug or header["town"]["slug"]
        summary = Summary(slug=slug, revision=header["revision"])
        tenant = _register_town(slug, header["town"], summary.warnings)
        tenant_id, schema, info = tenant.id, tenant.schema_name, tenant.info()
        created_users: list[int] = []
        try:
            migrations.ensure_schema(db.engine, schema)
            migrations.upgrade_town(db.engine, schema, target=header["revision"])
            user_ids = _map_users(header["users"], created_users)
            summary.users = len(header["users"])
            summary.memberships = _add_memberships(tenant_id, header["memberships"], user_ids)
            db.session.commit()
            with tenant_context(info):
                summary.rows = _load_rows(lines, header, schema, user_ids, progress)
                db.session.commit()
            summary.revision = _finish(tenant_id, header["town"]["status"])
        except BaseException:
            _undo_import(slug, created_users)
            raise
    return summary


@contextmanager
def _open_export(path):
    try:
        handle = gzip.open(path, "rt", encoding="utf-8")
    except OSError as exc:
        raise PortabilityError(f"{path} cannot be opened: {exc}") from None
    with handle:
        yield _Lines(_json_lines(handle, path))


def _json_lines(handle, path):
    """The file's lines, decoded; a damaged file raises PortabilityError where it breaks."""
    number = 0
    try:
        for line in handle:
            number += 1
            yield json.loads(line)
    except json.JSONDecodeError as exc:
        raise PortabilityError(f"{path}, line {number}: not JSON ({exc}).") from None
    except (OSError, EOFError, UnicodeDecodeError) as exc:  # not gzip, or cut off
        raise PortabilityError(f"{path} cannot be read as a town export: {exc}") from None


class _Lines:
    """The file's decoded lines, with one line of look-ahead."""

    def __init__(self, lines):
        self._lines = lines
        self._pushed_back = []

    def __iter__(self):
        return self

    def __next__(self):
        return self._pushed_back.pop() if self._pushed_back else next(self._lines)

    def push_back(self, line) -> None:
        self._pushed_back.append(line)


def _read_header(lines) -> dict:
    header = next(lines, None)
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise PortabilityError("This file is not a Quartier town export (its first line "
                               "has no format 'quartier-town-export').")
    if header.get("version") != FORMAT_VERSION:
        raise PortabilityError(f"Export format version {header.get('version')} is not supported; "
                               f"this Quartier reads version {FORMAT_VERSION}.")
    if not _is_known_revision(header.get("revision")):
        raise PortabilityError(f"The export is at revision {header.get('revision')}, which this "
                               "code does not know: import it with the newer Quartier it came from.")
    return header


def _is_known_revision(revision) -> bool:
    """Whether this code's tenant tree has ``revision`` (an export may come from newer code)."""
    try:
        return bool(revision) and migrations.tenant_scripts().get_revision(revision) is not None
    except CommandError:
        return False


def _register_town(slug: str, town: dict, warnings: list[str]) -> Tenant:
    """The registry row (status 'creating', so nobody sees the half-loaded town)."""
    validate_slug(slug)
    if db.session.scalar(select(Tenant.id).where(Tenant.slug == slug)) is not None:
        raise PortabilityError(f"A town {slug} exists already: import under another slug with "
                               f"--as NEW_SLUG, or `flask tenants delete {slug} --yes` first.")
    schema = schema_for_slug(slug)
    if migrations.read_revisions(db.engine, [schema])[schema] is not None:
        raise PortabilityError(f"Schema {schema} exists without a registry entry (left over "
                               "from an earlier town): drop it before importing.")
    tenant = Tenant(slug=slug, schema_name=schema, **{k: town[k] for k in REGISTRY_FIELDS})
    tenant.status = "creating"
    for host in town["hosts"]:
        if db.session.scalar(select(TenantHost.id).where(TenantHost.host == host)) is None:
            tenant.hosts.append(TenantHost(host=host))
        else:
            warnings.append(f"Host {host} belongs to another town; {slug} was imported without it.")
    db.session.add(tenant)
    db.session.commit()
    return tenant


def _map_users(users: list[dict], created: list[int]) -> dict[int, int]:
    """Exported user id → local user id; users are matched by e-mail, missing ones created."""
    mapping = {}
    for exported in users:
        email = exported["email"].strip().lower()
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None:
            # No password: the person sets one with "forgot password".
            user = User(email=email, name=exported.get("name") or "", password_hash=None)
            db.session.add(user)
            db.session.flush()
            created.append(user.id)
        mapping[exported["id"]] = user.id
    return mapping


def _add_memberships(tenant_id: int, memberships: list[dict], user_ids: dict[int, int]) -> int:
    local_by_email = dict(db.session.execute(
        select(User.email, User.id).where(User.id.in_(user_ids.values()))).all())
    for membership in memberships:
        if membership["role"] not in ROLES:
            raise PortabilityError(f"Unknown role {membership['role']!r} for {membership['email']}.")
        if membership["email"] not in local_by_email:
            raise PortabilityError(f"Member {membership['email']} is missing from the file's users.")
        db.session.add(Membership(user_id=local_by_email[membership["email"]], tenant_id=tenant_id,
                                  role=membership["role"]))
    return len(memberships)


def _load_rows(lines, header: dict, schema: str, user_ids: dict[int, int], progress) -> dict:
    connection = db.session.connection()
    existing = _existing_columns(connection, schema)
    loaded = {}
    for described in header["tables"]:
        table = _insert_table(described, existing, header["revision"])
        with progress(f"Importing {table.name}", described.get("rows", 0)) as bar:
            loaded[table.name] = _load_table(connection, lines, table, described, user_ids, bar)
        _reset_sequences(connection, schema, table, described["primary_key"])
    _expect_end(lines, loaded)
    return loaded


def _existing_columns(connection, schema: str) -> dict[str, set[str]]:
    """The town's tables and columns at the file's revision (Alembic's own table excluded)."""
    inspector = inspect(connection)
    return {name: {c["name"] for c in inspector.get_columns(name, schema=schema)}
            for name in inspector.get_table_names(schema=schema) if name != "alembic_version"}


def _insert_table(described: dict, existing: dict[str, set[str]], revision: str) -> sa.Table:
    """A bare table for the insert: the file's columns, no Python-side defaults.

    Columns this code still models keep their model type (enums, custom types);
    the rest get the type their encoding implies.
    """
    name = described["name"]
    names = [c["name"] for c in described["columns"]]
    unknown = set(names) - existing.get(name, set())
    if name not in existing or unknown:
        what = f"columns {', '.join(sorted(unknown))} of {name}" if name in existing else name
        raise PortabilityError(f"The file has {what}, which revision {revision} lacks: the file "
                               "does not match its own revision.")
    modelled = db.metadata.tables.get(f"{TENANT_SCHEMA}.{name}")
    columns = []
    for column in described["columns"]:
        if modelled is not None and column["name"] in modelled.c:
            column_type = modelled.c[column["name"]].type
        else:
            column_type = KINDS[column["kind"]][2]
        columns.append(sa.Column(column["name"], column_type))
    return sa.Table(name, sa.MetaData(), *columns, schema=TENANT_SCHEMA)


def _load_table(connection, lines, table, described, user_ids, bar) -> int:
    marker = next(lines, None)
    if marker != {"table": table.name}:
        raise PortabilityError(f"Expected the rows of {table.name}, found {str(marker)[:80]}: "
                               "the file is damaged.")
    by_user = _user_columns_of(described)
    decoders = [_decoder(column, by_user, user_ids) for column in described["columns"]]
    names = [column["name"] for column in described["columns"]]
    count, batch = 0, []
    for row in _rows_of_table(lines):
        if len(row) != len(names):
            raise PortabilityError(f"A row of {table.name} has {len(row)} values for "
                                   f"{len(names)} columns: the file is damaged.")
        batch.append({name: decode_(value)
                      for name, decode_, value in zip(names, decoders, row, strict=True)})
        if len(batch) == BATCH_SIZE:
            count += _insert(connection, table, batch, bar)
            batch = []
    return count + _insert(connection, table, batch, bar)


def _user_columns_of(described: dict) -> set[str]:
    """The file's user columns, and those this code's models mark by a foreign key."""
    modelled = db.metadata.tables.get(f"{TENANT_SCHEMA}.{described['name']}")
    return set(described["user_columns"]) | set(user_columns(modelled) if modelled is not None else ())


def _decoder(column: dict, by_user: set[str], user_ids: dict[int, int]):
    if column["name"] in by_user:
        # A user the file does not list (a dangling id on SQLite) becomes NULL.
        return lambda value: None if value is None else user_ids.get(value)
    kind = column["kind"]
    return lambda value: decode(kind, value)


def _rows_of_table(lines):
    """The row arrays up to (not including) the next marker, which is pushed back."""
    for line in lines:
        if not isinstance(line, list):
            lines.push_back(line)
            return
        yield line


def _insert(connection, table, batch, bar) -> int:
    if batch:
        connection.execute(table.insert(), batch)
        bar.update(len(batch))
    return len(batch)


def _reset_sequences(connection, schema: str, table: sa.Table, primary_key: list[str]) -> None:
    """After rows came with their ids, PostgreSQL's sequences must continue above them."""
    if connection.dialect.name != "postgresql":
        return  # SQLite continues after the highest rowid by itself
    quote = connection.dialect.identifier_preparer.quote
    qualified = f"{quote(schema)}.{quote(table.name)}"
    for name in primary_key:
        # pg_get_serial_sequence is NULL for a key without a sequence; setval(NULL) does nothing.
        connection.execute(select(func.setval(
            func.pg_get_serial_sequence(qualified, name),
            func.coalesce(func.max(table.c[name]), 0) + 1, sa.false())))


def _expect_end(lines, loaded: dict) -> None:
    trailer = next(lines, None)
    if not isinstance(trailer, dict) or not trailer.get("end"):
        raise PortabilityError("The file ends early (no end marker): it was cut off; export again.")
    if trailer.get("rows") != loaded:
        raise PortabilityError(f"The file announces rows {trailer.get('rows')}, but held {loaded}.")


def _finish(tenant_id: int, status: str) -> str:
    """Bring the town from the file's revision to head and open it; return the revision."""
    tenant = db.session.get(Tenant, tenant_id)
    tenant.schema_revision = migrations.upgrade_town(db.engine, tenant.schema_name)
    tenant.status = "active" if status == "creating" else status
    db.session.commit()
    registry().invalidate()
    return tenant.schema_revision


def _undo_import(slug: str, created_users: list[int]) -> None:
    """Leave nothing behind of a failed import, so it can simply be run again."""
    db.session.rollback()
    tenant = db.session.scalar(select(Tenant).where(Tenant.slug == slug))
    if tenant is not None:
        delete_tenant(slug)
    if created_users:
        db.session.execute(delete(User).where(User.id.in_(created_users)))
        db.session.commit()
