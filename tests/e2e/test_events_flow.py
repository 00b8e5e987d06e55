"""End to end, as the events issue tells it: the manager plans a pop-up in an empty shop with two
places; three visitors register and confirm by mail, the third waits; one cancels by the link in
their mail, the third moves up and gets the event for their calendar; the feed carries it once."""
from __future__ import annotations

import re
import time
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from icalendar import Calendar
from playwright.sync_api import expect

from blueprints.vacancies import services as vacancies
from tenants.context import tenant_context
from tenants.db import db
from tests.conftest import make_app
from tests.e2e.conftest import axe_violations, describe, sign_in

pytestmark = pytest.mark.e2e
UNIT_ADDRESS = "Töpfergasse 12"
TITLE = "Pop-up-Werkstatt im Leerstand"
VISITORS = [("Ada Albers", "ada.albers@example.org"), ("Ben Bauer", "ben.bauer@example.org"),
            ("Cem Çelik", "cem.celik@example.org")]


@pytest.fixture
def vacant_unit(live_server, tmp_path) -> int:
    app = make_app(live_server.database_url, tmp_path)
    with app.app_context():
        with tenant_context(app.extensions["quartier_registry"].by_slug("stollberg")):
            unit = vacancies.create_unit({"address": UNIT_ADDRESS, "postcode": "09366",
                                          "area_sqm": Decimal("55"), "usage": "retail"})
            db.session.commit()
            unit_id = unit.id
        db.engine.dispose()
    return unit_id


def wait_for_mails(smtp_server, address, count, seconds=15.0) -> list:
    """The mails to ``address`` once there are ``count``; delivery follows the server's commit."""
    deadline = time.monotonic() + seconds
    while len(smtp_server.messages_to(address)) < count:
        assert time.monotonic() < deadline, f"{len(smtp_server.messages_to(address))} of {count} mails"
        time.sleep(0.1)
    return smtp_server.messages_to(address)


def link_path(message, action: str) -> str:
    text = message.get_body(preferencelist=("plain",)).get_content()
    found = re.search(rf"https?://\S+?(/stollberg/veranstaltungen/anmeldung/\S+/{action})", text)
    assert found, f"No {action} link in the mail:\n{text}"
    return urlsplit(found.group(0)).path


def calendar_of(message) -> Calendar:
    [part] = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
    return Calendar.from_ical(part.get_payload(decode=True))


def create_event_as_manager(page, live_server) -> str:
    """Sign in, fill the staff form; the path of the new event's page."""
    page.goto("/login")
    sign_in(page, live_server.manager.email, live_server.manager.password)
    page.goto("/stollberg/verwaltung/veranstaltungen/neu")
    page.get_by_label("Titel").fill(TITLE)
    page.get_by_label("Kategorie").select_option(label="Pop-up im Leerstand")
    page.get_by_label("Datum").fill("2099-06-13")
    page.get_by_label("Beginn").fill("15:00")
    page.get_by_label("Ende", exact=True).fill("18:00")
    page.get_by_label("In einer Einheit des Leerstandsregisters").select_option(label=UNIT_ADDRESS)
    page.get_by_label("Plätze (leer = unbegrenzt)").fill("2")
    page.get_by_label("Anmeldung geöffnet").check()
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.get_by_text(UNIT_ADDRESS).first).to_be_visible()
    return urlsplit(page.url).path


def register_and_confirm(browser, live_server, smtp_server, event_path, name, email) -> str:
    """A visitor in their own browser registers and follows the mailed link; the page's words."""
    context = browser.new_context(base_url=live_server.url, locale="de-DE")
    visitor = context.new_page()
    visitor.goto(event_path)
    visitor.get_by_label("Ihr Name").fill(name)
    visitor.get_by_label("Ihre E-Mail-Adresse").fill(email)
    visitor.get_by_label(re.compile("Ich bin einverstanden")).check()
    visitor.get_by_role("main").get_by_role("button", name="Anmelden").click()
    expect(visitor.get_by_text("Fast geschafft")).to_be_visible()
    [asking] = wait_for_mails(smtp_server, email, 1)
    visitor.goto(link_path(asking, "bestaetigen"))
    status = visitor.get_by_role("status").inner_text()
    context.close()
    return status


def test_registrations_fill_the_places_the_waiting_list_moves_up_and_the_feed_carries_it_once(
        page, browser, live_server, smtp_server, vacant_unit):
    event_path = create_event_as_manager(page, live_server)
    event_id = int(event_path.rstrip("/").rsplit("/", 1)[-1])

    statuses = [register_and_confirm(browser, live_server, smtp_server, event_path, name, email)
                for name, email in VISITORS]
    assert "Sie sind angemeldet" in statuses[0] and "Sie sind angemeldet" in statuses[1]
    assert "Warteliste" in statuses[2]
    (_, first), _second, (_, third) = VISITORS
    confirmed = wait_for_mails(smtp_server, first, 2)[-1]
    assert calendar_of(confirmed).walk("VEVENT")[0]["UID"] == f"event-{event_id}@stollberg.quartier"

    page.context.clear_cookies()  # the cancelling visitor is not the manager
    page.goto(link_path(confirmed, "abmelden"))
    page.get_by_role("button", name="Ja, ich melde mich ab").click()
    expect(page.get_by_role("status").first).to_contain_text("abgemeldet")

    moved_up = wait_for_mails(smtp_server, third, 3)[-1]
    assert "Ein Platz ist frei geworden" in moved_up["Subject"]
    [vevent] = calendar_of(moved_up).walk("VEVENT")
    assert str(vevent["SUMMARY"]) == TITLE and str(vevent["LOCATION"]) == UNIT_ADDRESS

    feed = Calendar.from_ical(page.request.get("/stollberg/veranstaltungen.ics").body())
    uids = [str(each["UID"]) for each in feed.walk("VEVENT")]
    assert uids.count(f"event-{event_id}@stollberg.quartier") == 1

    page.goto(event_path)
    violations = axe_violations(page)
    assert not violations, f"axe-core on {event_path}:\n{describe(violations)}"
