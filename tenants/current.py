"""The current town: set once at the edge of a request, job or command.

The request edge sets it with ``activate``; everything else enters a town with
``tenant_context(town)`` (tenants.context). This module knows no database, so
the per-transaction switch (tenants.db) can read it.
"""
from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass

_current: ContextVar["TenantInfo | None"] = ContextVar("quartier_tenant", default=None)


class TenantContextError(RuntimeError):
    """A town's data was touched without, or across, a town context."""


@dataclass(frozen=True)
class TenantInfo:
    """A town as the registry caches it: plain values, safe to share."""

    id: int
    slug: str
    name: str
    schema_name: str
    hosts: tuple[str, ...] = ()
    status: str = "active"
    plan: str = "basis"
    primary_color: str = "#0b5394"
    logo_url: str | None = None

    @property
    def is_active(self) -> bool:
        return self.status == "active"

    @classmethod
    def from_row(cls, row, hosts=()) -> "TenantInfo":
        """Build from a registry row (a mapping or a ``Tenant``) and its host names."""
        get = row.__getitem__ if hasattr(row, "keys") else lambda key: getattr(row, key)
        fields = ("id", "slug", "name", "schema_name", "status", "plan", "primary_color", "logo_url")
        return cls(hosts=tuple(sorted(hosts)), **{name: get(name) for name in fields})


def current_tenant_or_none() -> TenantInfo | None:
    return _current.get()


def current_tenant() -> TenantInfo:
    """The current town; raises when there is none."""
    tenant = _current.get()
    if tenant is None:
        raise TenantContextError(
            "No town is set — did you forget `with tenant_context(town):`?"
        )
    return tenant


def activate(tenant: TenantInfo | None):
    """Set the current town and return a token for :func:`deactivate`.

    Only the request edge and ``tenant_context`` call it; other code enters a
    town with ``tenant_context``.
    """
    return _current.set(tenant)


def deactivate(token) -> None:
    _current.reset(token)
