"""The town registry, cached in each process so resolving a town costs no query.

Every process (each gunicorn worker, on every host) keeps a snapshot of all
towns. At most every ``check_interval`` seconds a lookup reads the
registry's version, one number that every change to towns or hosts raises
in its own transaction (``tenants.models.RegistryState``), and reloads the
snapshot when it changed. So a town deleted or suspended answers 404 in
every process within a second, and a new one is served as soon as it is
committed: an unknown slug checks the version at once (a one-row read; set
``miss_recheck_after`` to bound how often, should random slugs ever cost).
"""
from __future__ import annotations

import threading
import time

from sqlalchemy import select

from tenants.current import TenantInfo

CHECK_INTERVAL_SECONDS = 0.5


class TenantRegistry:
    """A snapshot of all towns, reloaded when the registry's version changes."""

    def __init__(self, engine_getter, check_interval: float = CHECK_INTERVAL_SECONDS,
                 miss_recheck_after: float = 0.0):
        self._engine_getter = engine_getter
        self._check_interval = check_interval
        self._miss_recheck_after = miss_recheck_after
        self._lock = threading.Lock()
        self._checked_at = float("-inf")
        self._version: int | None = None
        self._by_slug: dict[str, TenantInfo] = {}
        self._by_host: dict[str, TenantInfo] = {}

    def invalidate(self) -> None:
        """Reload at the next lookup (this process changed the registry)."""
        self._checked_at = float("-inf")
        self._version = None

    def all(self) -> list[TenantInfo]:
        self._check_if_older_than(self._check_interval)
        return sorted(self._by_slug.values(), key=lambda t: t.name.lower())

    def by_slug(self, slug: str) -> TenantInfo | None:
        return self._lookup("_by_slug", slug.lower(), recheck_on_miss=True)

    def by_host(self, host: str) -> TenantInfo | None:
        # Most hosts are no town's (the platform's own name, IPs): a miss must
        # not cost a query; a new host appears with the next version check.
        return self._lookup("_by_host", host.lower(), recheck_on_miss=False)

    def by_id(self, tenant_id: int) -> TenantInfo | None:
        self._check_if_older_than(self._check_interval)
        return next((t for t in self._by_slug.values() if t.id == tenant_id), None)

    def still_active(self, town: TenantInfo) -> bool:
        """Whether ``town`` is still served, checked against the database now (after an error)."""
        self._check_if_older_than(0.0)
        current = self._by_slug.get(town.slug)
        return current is not None and current.id == town.id and current.is_active

    def _lookup(self, index: str, key: str, recheck_on_miss: bool) -> TenantInfo | None:
        self._check_if_older_than(self._check_interval)
        found = getattr(self, index).get(key)
        if found is None and recheck_on_miss:
            self._check_if_older_than(self._miss_recheck_after)
            found = getattr(self, index).get(key)
        return found

    def _check_if_older_than(self, age: float) -> None:
        if time.monotonic() - self._checked_at < age:
            return
        with self._lock:
            if time.monotonic() - self._checked_at < age:
                return
            self._check()

    def _check(self) -> None:
        from tenants.models import RegistryState, Tenant, TenantHost

        with self._engine_getter().connect() as connection:
            version = connection.execute(select(RegistryState.version)).scalar()
            if version is not None and version == self._version:
                self._checked_at = time.monotonic()
                return
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
        self._by_slug, self._by_host, self._version = by_slug, by_host, version
        self._checked_at = time.monotonic()
