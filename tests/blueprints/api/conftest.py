"""Factories for API tests: districts, and the checks every error answer must pass (tokens: `bearer` in tests/conftest.py)."""
from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.conftest import unique


def api_path(town, path: str = "") -> str:
    return f"/{town.slug}/api/v1{path}"


def assert_api_error(response, status: int, code: str | None = None) -> dict:
    """``response`` is the contract's error format with ``status``; returns its ``error``."""
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/json"
    error = response.get_json()["error"]
    assert set(error) <= {"code", "message", "fields"}
    assert isinstance(error["message"], str) and error["message"]
    if code is not None:
        assert error["code"] == code
    return error


@dataclass(frozen=True)
class DistrictRecord:
    id: int
    name: str


@pytest.fixture
def create_district(app):
    """Factory: ``create_district(town, name=…, description=…)`` stores a district in ``town``."""
    from blueprints.town import services
    from tenants.context import tenant_context

    def factory(town, name=None, description=""):
        with app.app_context(), tenant_context(town):
            district = services.create_district(name or unique("Viertel "), description)
            return DistrictRecord(id=district.id, name=district.name)

    return factory


@pytest.fixture
def dummy_district(create_district, towns) -> DistrictRecord:
    """A district of town A, freshly made for this test."""
    return create_district(towns.a)
