"""The town registry, cached in each process so resolving a town costs no query."""
from __future__ import annotations

import threading
import time

from sqlalchemy import select

from tenants.context import TenantInfo


class TenantRegistry:
    """A snapshot of all towns, reloaded after ``ttl`` seconds or on demand."""

    def __init__(self, engine_getter, ttl: float = 10.0, miss_reload_after: float = 1.0):
        self._engine_getter = engine_getter
        self._ttl = ttl
        self._miss_reload_after = miss_reload_after
        self._lock = threading.Lock()
        self._loaded_at = float("-inf")
        self._by_slug: dict[str, TenantInfo] = {}
        self._by_host: dict[str, TenantInfo] = {}

    def invalidate(self) -> None:
        self._loaded_at = float("-inf")

    def all(self) -> list[TenantInfo]:
        self._refresh_if_older_than(self._ttl)
        return sorted(self._by_slug.values(), key=lambda t: t.name.lower())

    def by_slug(self, slug: str) -> TenantInfo | None:
        return self._lookup("_by_slug", slug.lower(), reload_on_miss=True)

    def by_host(self, host: str) -> TenantInfo | None:
        # Most hosts are no town's (the platform's own name, IPs): a miss must
        # not reload the registry, so a new host appears within ``ttl``.
        return self._lookup("_by_host", host.lower(), reload_on_miss=False)

    def by_id(self, tenant_id: int) -> TenantInfo | None:
        self._refresh_if_older_than(self._ttl)
        return next((t for t in self._by_slug.values() if t.id == tenant_id), None)

    def _lookup(self, index: str, key: str, reload_on_miss: bool) -> TenantInfo | None:
        self._refresh_if_older_than(self._ttl)
        found = getattr(self, index).get(key)
        if found is None and reload_on_miss:
            # A town created by another process appears within a second.
            self._refresh_if_older_than(self._miss_reload_after)
            found = getattr(self, index).get(key)
        return found

    def _refresh_if_older_than(self, age: float) -> None:
        if time.monotonic() - self._loaded_at < age:
            return
        with self._lock:
            if time.monotonic() - self._loaded_at < age:
                return
            self._load()

    def _load(self) -> None:
        from tenants.models import Tenant, TenantHost

        with self._engine_getter().connect() as connection:
            towns = connection.execute(select(Tenant.__table__)).mappings().all()
            hosts = connection.execute(select(TenantHost.__table__)).mappings().all()
        hosts_of: dict[int, list[str]] = {}
        for row in hosts:
            hosts_of.setdefault(row["tenant_id"], []).append(row["host"])
        by_slug, by_host = {}, {}
        for row in towns:
            info = TenantInfo.from_row(row, hosts_of.get(row["id"], ()))
            by_slug[info.slug] = info
            for host in info.hosts:
                by_host[host] = info
        self._by_slug, self._by_host = by_slug, by_host
        self._loaded_at = time.monotonic()
