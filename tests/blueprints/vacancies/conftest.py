"""Factories for the vacancy register: ``create_unit(town, **values)`` in a town, committed."""
from __future__ import annotations

from datetime import date

import pytest

from blueprints.vacancies import services
from tenants.context import tenant_context
from tenants.db import db
from tests.conftest import unique


@pytest.fixture
def create_unit(app):
    """Factory: a unit in ``town``, committed; returns its id."""

    def factory(town, *, status="vacant", status_on: date | None = None, **values):
        values.setdefault("address", unique("Hauptstraße ") + " 1")
        with app.app_context(), tenant_context(town):
            unit = services.create_unit(values, status=status, status_on=status_on)
            db.session.commit()
            return unit.id

    return factory


@pytest.fixture
def in_town(app):
    """``with in_town(town):`` an app context inside ``town``."""
    from contextlib import contextmanager

    @contextmanager
    def enter(town):
        with app.test_request_context(), tenant_context(town):
            yield
            db.session.rollback()

    return enter
