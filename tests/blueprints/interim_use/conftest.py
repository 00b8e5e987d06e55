"""Interim-use tests use the vacancy register's factories."""
from tests.blueprints.vacancies.conftest import create_unit, in_town  # noqa: F401
