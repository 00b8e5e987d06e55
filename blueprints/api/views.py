"""The API's own endpoints: its description and the caller."""
from __future__ import annotations

from flask import g
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from pydantic import Field

from blueprints.api.errors import ApiError
from blueprints.api.openapi import build_document
from blueprints.api.registry import api
from blueprints.api.schemas import ResponseModel
from tenants import access
from tenants.access import public, signed_in

NO_ROLE_HERE = _l("Ihr Konto hat in dieser Stadt keine Rolle.")


class Me(ResponseModel):
    email: str
    name: str
    role: str | None = Field(description="Die Rolle in dieser Stadt; null nur bei Plattform-Admins.")
    platform_admin: bool
    permissions: list[str] = Field(description="Was das Konto in dieser Stadt darf.")


@api.get("/openapi.json", summary="Diese Beschreibung der API (OpenAPI 3.1)", tag="api")
@public
def openapi():
    return build_document(api)


@api.get("/me", summary="Das aufrufende Konto und seine Rolle in dieser Stadt", response=Me,
         tag="api")
@signed_in
def me():
    role = current_user.role_in(g.tenant.id)
    # A town's API serves its own people: to everyone else it is a 403, like
    # every other non-public route of the town (tests/isolation.py).
    if role is None and not current_user.is_platform_admin:
        raise ApiError(403, NO_ROLE_HERE)
    held = [name for name in access.PERMISSIONS if access.can(current_user, name, g.tenant)]
    return Me(email=current_user.email, name=current_user.name, role=role,
              platform_admin=current_user.is_platform_admin, permissions=held)
