"""Authorization lives in one place, and every view declares what it needs."""
import pytest
from flask import Blueprint

from tenants.access import PERMISSIONS, can, public, requires, undeclared_views
from tests.conftest import make_app


def test_every_view_of_the_app_declares_its_access_rule(app):
    assert undeclared_views(app) == []


def test_an_app_with_an_undeclared_view_refuses_to_start(database_url, tmp_path, monkeypatch):
    import blueprints.app as factory

    forgotten = Blueprint("forgotten", __name__)
    forgotten.add_url_rule("/vergessen", "page", lambda: "oops")
    monkeypatch.setattr(factory, "_register_blueprints",
                        lambda app: app.register_blueprint(forgotten))
    with pytest.raises(RuntimeError, match="forgotten.page"):
        make_app(database_url, tmp_path)


def test_an_unknown_permission_is_a_programming_error():
    with pytest.raises(ValueError, match="Unknown permission"):
        requires("town.everything")


class Account:
    is_authenticated = True

    def __init__(self, roles=None, platform_admin=False):
        self.roles, self.is_platform_admin = roles or {}, platform_admin

    def role_in(self, tenant_id):
        return self.roles.get(tenant_id)


class Town:
    def __init__(self, id):
        self.id = id


@pytest.mark.parametrize("role, allowed", [
    ("manager", {"town.view", "town.manage", "town.comment", "town.report", "town.apply"}),
    ("partner", {"town.view", "town.comment", "town.approve", "town.report", "town.apply"}),
    ("applicant", {"town.apply"}),
])
def test_roles_hold_exactly_the_permissions_of_the_contract(role, allowed):
    account = Account({1: role})
    held = {p for p in PERMISSIONS if can(account, p, Town(1))}
    assert held == allowed
    assert not any(can(account, p, Town(2)) for p in PERMISSIONS)  # nothing in another town


def test_platform_admins_hold_every_permission_in_every_town():
    admin = Account(platform_admin=True)
    assert all(can(admin, p, Town(7)) for p in PERMISSIONS)


def test_public_views_are_marked_public():
    view = public(lambda: None)
    assert view.access.signed_in is False
