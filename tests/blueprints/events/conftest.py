"""Event tests use the vacancy register's factories (a pop-up in a unit)."""
from tests.blueprints.vacancies.conftest import create_unit, in_town  # noqa: F401
