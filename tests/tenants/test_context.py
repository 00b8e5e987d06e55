"""The tenancy core: a town's tables are reachable only inside that town."""
import pytest
from sqlalchemy import select

from blueprints.town.models import District
from tenants.context import tenant_context
from tenants.current import TenantContextError
from tenants.db import db, schema_for_slug, validate_schema_name


def test_a_tenant_query_outside_a_town_context_raises(app_context):
    with pytest.raises(TenantContextError, match="tenant_context"):
        db.session.scalars(select(District)).all()


def test_a_tenant_write_outside_a_town_context_raises(app_context):
    db.session.add(District(name="Nirgendwo"))
    with pytest.raises(TenantContextError, match="tenant_context"):
        db.session.flush()
    db.session.rollback()


def test_the_same_id_in_two_towns_never_crosses(app_context, towns):
    with tenant_context(towns.a):
        db.session.add(District(id=424242, name="Nur in A"))
        db.session.commit()
    with tenant_context(towns.b):
        db.session.add(District(id=424242, name="Nur in B"))
        db.session.commit()
    with tenant_context(towns.a):
        assert db.session.get(District, 424242).name == "Nur in A"
    with tenant_context(towns.b):
        assert db.session.get(District, 424242).name == "Nur in B"
        names = db.session.scalars(select(District.name)).all()
        assert "Nur in A" not in names


def test_switching_towns_with_unsaved_changes_is_refused(app_context, towns):
    with tenant_context(towns.a):
        db.session.add(District(name="Halbfertig"))
        with pytest.raises(TenantContextError, match="unsaved changes"):
            with tenant_context(towns.b):
                pass
        db.session.rollback()


def test_a_transaction_begun_in_one_town_cannot_be_used_in_another(app_context, towns):
    from tenants.current import activate, deactivate

    with tenant_context(towns.a):
        db.session.scalars(select(District)).all()
        token = activate(towns.b)  # switching without tenant_context()
        try:
            with pytest.raises(TenantContextError, match="before switching towns"):
                db.session.scalars(select(District)).all()
        finally:
            deactivate(token)
            db.session.rollback()


@pytest.mark.parametrize("name", ["public", "town_", "town_A", "town_x;drop", "pg_catalog", ""])
def test_invalid_schema_names_are_refused(name):
    with pytest.raises(ValueError, match="not a valid town schema name"):
        validate_schema_name(name)


def test_schema_names_derive_from_slugs():
    assert schema_for_slug("bad-elster") == "town_bad_elster"
