"""End to end, as the interim-use issue tells it: a shop owner finds a unit, applies with a PDF,
confirms by mail, follows the application in the portal; the manager matches, proposes, records
the owner's consent and drafts the agreement; the partner approves; the use becomes active, and
the applicant had a mail at each step."""
from __future__ import annotations

import io
import re
import time
from datetime import date
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from reportlab.pdfgen import canvas

from blueprints.accounts import services as accounts
from blueprints.vacancies import services as vacancies
from tenants import services as tenants
from tenants.context import tenant_context
from tenants.db import db
from tests.conftest import PASSWORD, make_app
from tests.e2e.conftest import axe_violations, describe, sign_in

pytestmark = pytest.mark.e2e
APPLICANT = "ladenprojekt@example.org"
PARTNER = "partnerin.stadt@example.org"


@pytest.fixture
def prepared(live_server, tmp_path):
    """A listed unit open to interim use, an account for the shop owner, a partner of the town."""
    app = make_app(live_server.database_url, tmp_path)
    with app.app_context():
        town = tenants.get_tenant("stollberg")
        owner_account = accounts.create_user(APPLICANT, PASSWORD, "Aylin Demir", confirmed=True)
        partner = accounts.create_user(PARTNER, PASSWORD, "Sabine Vogel", confirmed=True)
        accounts.grant_membership(partner, town, "partner")
        db.session.commit()
        assert owner_account.id
        with tenant_context(app.extensions["quartier_registry"].by_slug("stollberg")):
            unit = vacancies.create_unit({
                "address": "Töpfergasse 8", "postcode": "09366", "publish": "exact",
                "area_sqm": Decimal("42"), "rent_eur_month": Decimal("380"),
                "interim_use_consent": True, "usage": "retail",
                "description": "Kleiner Laden mit Schaufenster."})
            db.session.commit()
            unit_id = unit.id
    yield unit_id
    with app.app_context():
        db.engine.dispose()


def concept_pdf() -> bytes:
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    page.drawString(72, 720, "Konzept: Keramik-Pop-up mit Kursen")
    page.save()
    return buffer.getvalue()


def mails_to(smtp_server, address):
    return smtp_server.messages_to(address)


def wait_for_mails(smtp_server, address, count, seconds=15.0):
    deadline = time.monotonic() + seconds
    while len(mails_to(smtp_server, address)) < count:
        assert time.monotonic() < deadline, f"{len(mails_to(smtp_server, address))} of {count} mails"
        time.sleep(0.1)
    return mails_to(smtp_server, address)


def take_step(page, label):
    page.get_by_role("button", name=label).click()
    page.get_by_text("Neuer Stand:").wait_for()


def test_from_the_listing_to_an_active_interim_use(page, browser, live_server, smtp_server, prepared):
    unit_id = prepared
    # The shop owner finds the unit and applies, as a guest, with a PDF.
    page.goto("/stollberg/leerstand")
    page.get_by_role("link", name="Töpfergasse 8, 09366").click()
    page.get_by_role("link", name="Für eine Zwischennutzung bewerben").click()
    page.get_by_text("Für die Fläche").wait_for()
    page.get_by_label("Ihr Name").fill("Aylin Demir")
    page.get_by_label("E-Mail-Adresse").fill(APPLICANT)
    page.get_by_role("button", name="Speichern und weiter").click()
    page.get_by_label("Art der Nutzung").select_option("retail_popup")
    page.get_by_label("Ihr Konzept").fill("Ein Pop-up-Laden für Keramik aus der Region, mit Kursen am Abend.")
    page.get_by_role("button", name="Speichern und weiter").click()
    page.get_by_label("Fläche mindestens (m²)").fill("30")
    page.get_by_label("Fläche höchstens (m²)").fill("60")
    page.get_by_label("Budget pro Monat (€)").fill("400")
    page.get_by_role("button", name="Speichern und weiter").click()
    page.get_by_label("Konzept (PDF) oder Bild (JPEG, PNG, WebP), höchstens 10 MB").set_input_files(
        {"name": "konzept.pdf", "mimeType": "application/pdf", "buffer": concept_pdf()})
    page.get_by_role("button", name="Speichern und weiter").click()
    page.get_by_text("ist angehängt").wait_for()
    page.goto("/stollberg/zwischennutzung/bewerben/absenden")
    violations = axe_violations(page)
    assert not violations, f"axe-core on the application's last step:\n{describe(violations)}"
    page.get_by_label(re.compile("Ich bin einverstanden")).check()
    page.get_by_role("button", name="Bewerbung absenden").click()
    page.get_by_text("Bitte bestätigen Sie darin Ihre Adresse").wait_for()

    # The confirmation link, read from the real SMTP server.
    [confirmation] = wait_for_mails(smtp_server, APPLICANT, 1)
    link = re.search(r"https?://\S+/zwischennutzung/bestaetigen/\S+",
                     confirmation.get_body(preferencelist=("plain",)).get_content()).group(0)
    page.goto(urlsplit(link).path)
    page.get_by_text("Ihre E-Mail-Adresse ist bestätigt").wait_for()
    page.goto("/login?next=/konto/bewerbungen")
    sign_in(page, APPLICANT, PASSWORD)
    page.wait_for_url("**/konto/bewerbungen")
    assert page.get_by_role("cell", name="eingereicht").count() == 1

    # The manager takes it on.
    staff = browser.new_context(base_url=live_server.url, locale="de-DE")
    manager = staff.new_page()
    manager.set_default_timeout(10_000)
    manager.goto("/login?next=/stollberg/verwaltung/zwischennutzung/")
    sign_in(manager, live_server.manager.email, live_server.manager.password)
    manager.get_by_role("link", name="Aylin Demir").click()
    manager.get_by_text("Passende Flächen").wait_for()
    take_step(manager, "Weiter zu: in Prüfung")
    manager.get_by_label("Töpfergasse 8").check()
    take_step(manager, "Weiter zu: Fläche vorgeschlagen")
    manager.get_by_label("Fläche, der die Eigentümer:in zugestimmt hat").select_option(str(unit_id))
    take_step(manager, "Weiter zu: Eigentümer:in einverstanden")
    manager.get_by_label("Beginn").fill(date(2027, 1, 1).isoformat())
    manager.get_by_label("Ende", exact=True).fill(date(2027, 6, 30).isoformat())
    manager.get_by_label("davon Zuschuss der Stadt im Monat (€)").fill("150")
    manager.get_by_role("button", name="Vereinbarung aufsetzen").click()
    manager.get_by_text("ein kommunaler Partner muss sie freigeben").wait_for()
    staff.close()

    # The partner approves the agreement.
    town_hall = browser.new_context(base_url=live_server.url, locale="de-DE")
    partner = town_hall.new_page()
    partner.goto("/login?next=/stollberg/verwaltung/zwischennutzung/")
    sign_in(partner, PARTNER, PASSWORD)
    partner.get_by_role("link", name="Aylin Demir").click()
    partner.get_by_role("button", name="Vereinbarung freigeben").click()
    partner.get_by_text("sie gilt als unterzeichnet").wait_for()
    pdf = town_hall.request.get(live_server.url + partner.get_by_role(
        "link", name=re.compile(r"Vereinbarung Nr\. \d+ \(PDF\)")).get_attribute("href"))
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    town_hall.close()

    # The manager starts the use.
    staff = browser.new_context(base_url=live_server.url, locale="de-DE")
    manager = staff.new_page()
    manager.goto("/login?next=/stollberg/verwaltung/zwischennutzung/")
    sign_in(manager, live_server.manager.email, live_server.manager.password)
    manager.get_by_role("link", name="Aylin Demir").click()
    take_step(manager, "Weiter zu: läuft")
    staff.close()

    page.goto("/konto/bewerbungen")
    assert page.get_by_role("cell", name="läuft").count() == 1
    subjects = [message["Subject"] for message in wait_for_mails(smtp_server, APPLICANT, 7)]
    assert subjects[:2] == ["Bitte bestätigen Sie Ihre Bewerbung", "Ihre Bewerbung ist eingegangen"]
    assert [s.split(": ", 1)[1] for s in subjects[2:]] == [
        "in Prüfung", "Fläche vorgeschlagen", "Eigentümer:in einverstanden",
        "Vereinbarung unterzeichnet", "läuft"]
