"""The traders' directory in a real browser: the list, an entry and the trader's form pass axe-core."""
import re
import time

import pytest
from sqlalchemy import select

from blueprints.actors.models import Actor
from blueprints.demo import directory as demo_directory
from blueprints.demo.services import TOWNS
from tenants.context import tenant_context
from tenants.db import db
from tests.conftest import make_app
from tests.e2e.conftest import axe_violations, describe, sign_in

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def stollberg_traders(live_server, tmp_path_factory) -> str:
    """The demo's traders of Stollberg in the live server's database; returns the bakery's address."""
    app = make_app(live_server.database_url, tmp_path_factory.mktemp("directory-e2e"))
    with app.app_context():
        with tenant_context(app.extensions["quartier_registry"].by_slug("stollberg")):
            demo_directory.load(next(town for town in TOWNS if town.slug == "stollberg"), {})
            db.session.commit()
            address = db.session.scalars(select(Actor.email).where(Actor.name == "Bäckerei Sonntag")).one()
        db.session.remove()
        db.engine.dispose()
    return address


def mailed_link(smtp_server, address, seconds=10) -> str:
    """The edit link of the newest mail to ``address``, waiting for the delivery after the commit."""
    deadline = time.monotonic() + seconds
    while not smtp_server.messages_to(address) and time.monotonic() < deadline:
        time.sleep(0.1)
    body = smtp_server.messages_to(address)[-1].get_body(("plain",)).get_content()
    return re.search(r"https?://\S+/gewerbe/eintrag/[\w-]+", body).group(0)


def test_the_directory_and_an_entry_have_no_serious_accessibility_problems(page, stollberg_traders):
    page.goto("/stollberg/gewerbe")
    page.get_by_role("link", name="Bäckerei Sonntag").wait_for()
    violations = axe_violations(page)
    assert not violations, f"axe-core on the directory:\n{describe(violations)}"

    page.get_by_label("Branche").select_option("gastronomy")
    page.get_by_role("button", name="Filtern").click()
    assert page.get_by_role("link", name="Buchhandlung am Markt").count() == 0
    page.get_by_role("link", name="Bäckerei Sonntag").click()
    page.get_by_role("heading", name="Öffnungszeiten").wait_for()
    violations = axe_violations(page)
    assert not violations, f"axe-core on an entry:\n{describe(violations)}"


def test_staff_mail_the_link_and_the_trader_edits_in_an_accessible_form(
        page, browser, live_server, smtp_server, stollberg_traders):
    page.goto("/login?next=/stollberg/verwaltung/gewerbe")
    sign_in(page, live_server.manager.email, live_server.manager.password)
    page.get_by_role("link", name="Bäckerei Sonntag").click()
    page.get_by_role("button", name="Bearbeitungslink per E-Mail senden").click()
    page.get_by_text("Der Bearbeitungslink ist an").wait_for()

    trader = browser.new_context(locale="de-DE")
    try:
        form = trader.new_page()
        form.goto(mailed_link(smtp_server, stollberg_traders))
        form.get_by_label("Samstag").fill("6–12 Uhr")
        form.get_by_role("button", name="Speichern").click()
        form.get_by_text("Danke! Ihr Eintrag ist gespeichert.").wait_for()
        violations = axe_violations(form)
        assert not violations, f"axe-core on the trader's form:\n{describe(violations)}"
    finally:
        trader.close()
    page.reload()
    assert page.get_by_text("noch nie").count() == 0  # staff see the trader's own change
