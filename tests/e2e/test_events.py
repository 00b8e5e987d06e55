"""The public calendar in a real browser: list and month view pass axe-core."""
import pytest

from tests.e2e.conftest import axe_violations, describe

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("path", ["/stollberg/veranstaltungen", "/stollberg/veranstaltungen?ansicht=monat",
                                  "/stollberg/zwischennutzung/ausschreibungen"])
def test_public_calendar_pages_have_no_serious_accessibility_problems(page, path):
    page.goto(path)
    violations = axe_violations(page)
    assert not violations, f"axe-core on {path}:\n{describe(violations)}"
