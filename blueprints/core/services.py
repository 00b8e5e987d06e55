"""Readiness checks and small shared helpers."""
from __future__ import annotations

import time
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import text

from tenants.db import db
from tenants.redis_link import redis_connection


def is_local_path(target: str) -> bool:
    """Whether ``target`` is a path on this site (safe to redirect to)."""
    parts = urlsplit(target or "")
    # Browsers read "/\\host" like "//host": refuse backslashes as well.
    return bool(target) and target.startswith("/") and "\\" not in target \
        and target.isprintable() and not target.startswith("//") \
        and not parts.scheme and not parts.netloc


def readiness() -> dict:
    """Whether the database and (when configured) Redis answer, with timings."""
    checks = {"database": _timed(_check_database)}
    if current_app.config.get("REDIS_URL"):
        checks["redis"] = _timed(_check_redis)
    return checks


def _timed(check) -> dict:
    started = time.perf_counter()
    try:
        details = check() or {}
        result = {"ok": True, **details}
    except Exception as exc:  # readiness reports failures, it does not raise them
        result = {"ok": False, "error": f"{type(exc).__name__}: {exc}".splitlines()[0]}
    result["ms"] = round((time.perf_counter() - started) * 1000, 1)
    return result


def _check_database() -> dict:
    with db.engine.connect() as connection:
        connection.execute(text("SELECT 1"))
        if connection.dialect.name != "postgresql":
            return {}
        # Thousands of town schemas bloat the catalog: keep an eye on it.
        relations = connection.execute(text("SELECT count(*) FROM pg_class")).scalar()
    return {"catalog_relations": relations}


def _check_redis() -> dict:
    # Always asked, even while the breaker keeps requests away: this is how Redis is seen back.
    redis_connection(current_app._get_current_object()).ping()
    return {}
