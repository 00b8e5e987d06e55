"""Staff switch towns from the header without signing in again."""
import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e


def test_a_manager_of_two_towns_switches_from_stollberg_to_burgstaedt(page, live_server, artifacts):
    manager = live_server.manager
    page.goto("/stollberg/verwaltung/")
    # Not signed in yet: the login form, which leads back to the staff area.
    expect(page).to_have_url(re.compile(r"/login\?next=/stollberg/verwaltung/"))
    sign_in(page, manager.email, manager.password)

    expect(page).to_have_url(f"{live_server.url}/stollberg/verwaltung/")
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text("Verwaltung Stollberg")

    switcher = page.locator("details.town-switcher")
    switcher.locator("summary", has_text="Stadt wechseln").click()
    burgstaedt = switcher.locator('a[data-town="burgstaedt"]')
    expect(burgstaedt).to_be_visible()
    expect(switcher.locator('a[data-town="stollberg"]')).to_have_count(0)  # not the current town
    page.screenshot(path=str(artifacts / "staff-switch-1-stollberg-switcher-open.png"))
    burgstaedt.click()

    # Same page, other town, still signed in.
    expect(page).to_have_url(f"{live_server.url}/burgstaedt/verwaltung/")
    expect(heading).to_have_text("Verwaltung Burgstädt")
    expect(page.get_by_role("banner").get_by_role("button", name="Abmelden", exact=True)).to_be_visible()
    page.screenshot(path=str(artifacts / "staff-switch-2-burgstaedt.png"), full_page=True)


def test_the_switch_keeps_the_page_the_manager_is_on(page, live_server):
    manager = live_server.manager
    page.goto("/login?next=/burgstaedt/verwaltung/stadtteile")
    sign_in(page, manager.email, manager.password)
    expect(page.get_by_role("heading", level=1)).to_have_text("Stadtteile in Burgstädt")

    page.locator("details.town-switcher summary").click()
    page.locator('details.town-switcher a[data-town="stollberg"]').click()

    expect(page).to_have_url(f"{live_server.url}/stollberg/verwaltung/stadtteile")
    expect(page.get_by_role("heading", level=1)).to_have_text("Stadtteile in Stollberg")
    expect(page.get_by_role("cell", name="Bahnhofsviertel")).to_be_visible()
