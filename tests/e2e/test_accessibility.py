"""axe-core finds no serious or critical WCAG problems on the main pages."""
import pytest

from tests.e2e.conftest import axe_violations, describe, sign_in

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("path", ["/", "/stollberg/", "/stollberg/impressum", "/login", "/registrieren"])
def test_public_pages_have_no_serious_accessibility_problems(page, path):
    page.goto(path)
    violations = axe_violations(page)
    assert not violations, f"axe-core on {path}:\n{describe(violations)}"


def test_the_staff_dashboard_has_no_serious_accessibility_problems(page, live_server):
    page.goto("/login?next=/stollberg/verwaltung/")
    sign_in(page, live_server.manager.email, live_server.manager.password)
    page.wait_for_url("**/stollberg/verwaltung/")
    page.locator("details.town-switcher summary").click()  # the open switcher, too
    violations = axe_violations(page)
    assert not violations, f"axe-core on the staff dashboard:\n{describe(violations)}"


@pytest.mark.parametrize("path", ["/stollberg/verwaltung/postausgang/", "/stollberg/verwaltung/stadtteile",
                                  "/konto"])
def test_staff_pages_have_no_serious_accessibility_problems(page, live_server, path):
    page.goto(f"/login?next={path}")
    sign_in(page, live_server.manager.email, live_server.manager.password)
    page.wait_for_url(f"**{path}")
    violations = axe_violations(page)
    assert not violations, f"axe-core on {path}:\n{describe(violations)}"


def test_english_pages_have_no_serious_accessibility_problems(page):
    page.goto("/sprache/en?next=/stollberg/")
    violations = axe_violations(page)
    assert not violations, f"axe-core on the English town home:\n{describe(violations)}"
