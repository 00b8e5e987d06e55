"""SQLite, the embedded default: one database file per town, attached as its schema.

Python's sqlite3 allows at most ten attached databases per connection, so a
connection holds only the town its current transaction needs.
"""
from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import make_url


def town_database_path(database_url: str, schema_name: str) -> Path:
    """Where a town's file lies: ``towns/<schema>.db`` beside the main database."""
    main = Path(make_url(database_url).database or "")
    return main.resolve().parent / "towns" / f"{schema_name}.db"


def town_database_url(database_url: str, schema_name: str) -> str:
    return f"sqlite:///{town_database_path(database_url, schema_name)}"


def attach_town(connection, tenant) -> None:
    """Attach ``tenant``'s file under its schema name; detach any other town.

    A pooled connection may still hold a file that was deleted (and perhaps
    created anew) by another process: the file's identity is checked on every
    transaction, so a stale handle is replaced instead of read.
    """
    pooled = connection.connection  # its .info lives as long as the DBAPI connection
    cursor = pooled.dbapi_connection.cursor()
    try:
        attached = {row[1]: row[2] for row in cursor.execute("PRAGMA database_list")}
        path = Path(attached["main"]).parent / "towns" / f"{tenant.schema_name}.db"
        try:
            identity = path.stat().st_ino
        except FileNotFoundError:
            raise LookupError(f"The database file of {tenant.slug} is missing: {path}") from None
        held = pooled.info.setdefault("attached_towns", {})
        for name in attached:
            stale = name == tenant.schema_name and held.get(name) != identity
            if name not in {"main", "temp", tenant.schema_name} or stale:
                cursor.execute(f'DETACH DATABASE "{name}"')
                held.pop(name, None)
        if held.get(tenant.schema_name) != identity or tenant.schema_name not in attached:
            # The name is validated (tenants.db.validate_schema_name) before use.
            cursor.execute(f'ATTACH DATABASE ? AS "{tenant.schema_name}"', (str(path),))
            held[tenant.schema_name] = identity
    finally:
        cursor.close()
