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
    """Attach ``tenant``'s file under its schema name; detach any other town."""
    cursor = connection.connection.dbapi_connection.cursor()
    try:
        attached = {row[1]: row[2] for row in cursor.execute("PRAGMA database_list")}
        for name in attached:
            if name not in {"main", "temp", tenant.schema_name}:
                cursor.execute(f'DETACH DATABASE "{name}"')
        if tenant.schema_name not in attached:
            main_file = Path(attached["main"])
            path = main_file.parent / "towns" / f"{tenant.schema_name}.db"
            if not path.exists():
                raise LookupError(f"The database file of {tenant.slug} is missing: {path}")
            # The name is validated (tenants.db.validate_schema_name) before use.
            cursor.execute(f'ATTACH DATABASE ? AS "{tenant.schema_name}"', (str(path),))
    finally:
        cursor.close()
