"""Who may do what: every role and permission in one place.

Every view declares what it needs (``@public``, ``@signed_in``,
``@requires("town.manage")``); ``check_access`` enforces it before the view
runs, and the app refuses to start while a view declares nothing.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import wraps

ROLES = ("manager", "partner", "applicant")
ROLE_LABELS = {
    "platform_admin": "Plattform-Administration",
    "manager": "Quartiersmanagement",
    "partner": "Kommunaler Partner",
    "applicant": "Antragsteller:in",
}

# Permission → the town roles that hold it. Platform admins hold every one.
PERMISSIONS: dict[str, frozenset[str]] = {
    "town.view": frozenset({"manager", "partner"}),      # the staff area, read
    "town.manage": frozenset({"manager"}),                 # change anything in the town
    "town.comment": frozenset({"manager", "partner"}),
    "town.approve": frozenset({"partner"}),                # agreements, grants
    "town.report": frozenset({"manager", "partner"}),
    "town.apply": frozenset({"manager", "partner", "applicant"}),
    "platform.admin": frozenset(),
}


@dataclass(frozen=True)
class Access:
    """What a view needs: nobody (public), any signed-in account, or a permission."""

    permission: str | None = None
    signed_in: bool = False


def _declare(access: Access):
    def decorate(view):
        view.access = access
        return view

    return decorate


public = _declare(Access())
signed_in = _declare(Access(signed_in=True))


def requires(permission: str):
    """Declare that a view needs ``permission`` in the current town (or platform)."""
    if permission not in PERMISSIONS:
        raise ValueError(f"Unknown permission {permission!r}; known: {sorted(PERMISSIONS)}")
    return _declare(Access(permission=permission, signed_in=True))


def can(user, permission: str, tenant=None) -> bool:
    """Whether ``user`` holds ``permission`` in ``tenant`` (a TenantInfo or None)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if user.is_platform_admin:
        return True
    if tenant is None:
        return False
    return user.role_in(tenant.id) in PERMISSIONS[permission]


def access_of(view) -> Access | None:
    return getattr(view, "access", None)


def undeclared_views(app) -> list[str]:
    """Endpoints whose view declares no access rule (static files excepted)."""
    return sorted(
        endpoint for endpoint, view in app.view_functions.items()
        if access_of(view) is None and not endpoint.endswith("static")
    )


def check(access: Access, user, tenant) -> int | None:
    """None when allowed, else the status to answer with (401 or 403)."""
    if not access.signed_in:
        return None
    if not getattr(user, "is_authenticated", False):
        return 401
    if access.permission and not can(user, access.permission, tenant):
        return 403
    return None


def wraps_access(inner):
    """Keep a declared access rule when wrapping a view in another decorator."""

    def decorate(view):
        wrapped = wraps(inner)(view)
        if access_of(inner) is not None:
            wrapped.access = access_of(inner)
        return wrapped

    return decorate
