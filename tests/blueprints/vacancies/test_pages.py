"""The register's pages: staff keep units, the public sees only what owners agreed to."""
from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

from PIL import Image

from blueprints.actors.models import Actor
from blueprints.vacancies import services
from blueprints.vacancies.models import Unit, VacancyReport
from tenants.context import tenant_context
from tenants.db import db
from tests.conftest import login, unique
from tests.isolation import assert_same_id_stays_home


def register_url(town, suffix=""):
    return f"/{town.slug}/verwaltung/leerstand/{suffix}"


def jpeg_bytes(color="red") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), color).save(buffer, "JPEG")
    return buffer.getvalue()


def test_a_manager_creates_a_unit_with_german_numbers_and_sees_it_in_the_register(
        client, towns, login_as, app):
    login_as("manager", towns.a)
    address = unique("Zwickauer Straße ") + " 12"
    response = client.post(register_url(towns.a, "neu"), data={
        "address": address, "postcode": "09366", "district_id": "0", "area_sqm": "1.234,5",
        "rent_eur_month": "480,00", "usage": "retail", "publish": "exact", "owner_id": "0",
        "floor": "0", "condition": "", "lat": "50,7023", "lon": "12,7801",
        "tags": "Ecklage, Schaufenster", "vacant_since": "2025-03-01"}, follow_redirects=True)
    assert response.status_code == 200, response.text[:2000]
    assert f"Die Einheit {address} ist im Register." in response.text
    with app.app_context(), tenant_context(towns.a):
        unit = db.session.query(Unit).filter_by(address=address).one()
        assert unit.area_sqm == Decimal("1234.50") and unit.rent_eur_month == Decimal("480.00")
        assert unit.lat == 50.7023 and unit.tags == ["Ecklage", "Schaufenster"]
        assert unit.vacant_since == date(2025, 3, 1)
    register = client.get(register_url(towns.a)).text
    assert address in register and "480,00" in register


def test_bad_unit_input_is_explained_beside_each_field_and_nothing_is_lost(client, towns, login_as):
    login_as("manager", towns.a)
    response = client.post(register_url(towns.a, "neu"), data={
        "address": "", "area_sqm": "viel", "sales_area_sqm": "-5", "lat": "50,7", "usage": "retail",
        "publish": "no", "district_id": "0", "owner_id": "0", "description": "Bleibt erhalten"})
    assert response.status_code == 422
    text = response.text
    assert "Bitte die Adresse angeben." in text
    assert "„viel“ ist keine Zahl." in text
    assert "Bitte keine negative Zahl angeben." in text
    assert "Bitte Breiten- und Längengrad zusammen angeben." in text
    assert "Bleibt erhalten" in text  # what was typed stays in the form


def test_a_status_change_on_the_page_lands_in_the_history(client, towns, login_as, create_unit):
    unit_id = create_unit(towns.a, status_on=date(2024, 1, 10))
    login_as("manager", towns.a)
    response = client.post(register_url(towns.a, f"{unit_id}/status"), data={
        "status": "let", "changed_on": "2025-02-01", "note": "Bäckerei zieht ein"},
        follow_redirects=True)
    assert "Status geändert: vermietet seit 01.02.2025." in response.text
    assert "388 Tage" in response.text  # 10.01.2024 to 01.02.2025 stood empty
    future = client.post(register_url(towns.a, f"{unit_id}/status"), data={
        "status": "vacant", "changed_on": "2999-01-01"})
    assert future.status_code == 422 and "nicht in der Zukunft" in future.text


def test_a_photo_upload_is_checked_and_a_fake_image_is_refused(client, towns, login_as,
                                                               create_unit, app):
    unit_id = create_unit(towns.b, publish="exact")
    login_as("manager", towns.b)
    fake = client.post(register_url(towns.b, f"{unit_id}/fotos"), data={
        "photo": (io.BytesIO(b"<html>kein Bild</html>"), "laden.jpg")},
        content_type="multipart/form-data")
    assert fake.status_code == 422 and "kein Bild" in fake.text
    good = client.post(register_url(towns.b, f"{unit_id}/fotos"), data={
        "photo": (io.BytesIO(jpeg_bytes()), "laden.jpg"), "caption": "Schaufenster"},
        content_type="multipart/form-data", follow_redirects=True)
    assert "Foto hinzugefügt." in good.text
    with app.app_context(), tenant_context(towns.b):
        [photo] = services.get_unit(unit_id).photos
        photo_id = photo.id
    client.get("/logout")
    public = app.test_client().get(f"/{towns.b.slug}/leerstand/{unit_id}/fotos/{photo_id}?klein=1")
    assert public.status_code == 200 and public.mimetype in ("image/jpeg", "image/webp")


def test_the_public_listing_shows_only_agreed_units_and_hides_the_house_number(
        client, towns, create_unit):
    exact = create_unit(towns.a, publish="exact", address=unique("Markt ") + " 3",
                        area_sqm=Decimal("45.5"), rent_eur_month=Decimal("480"))
    approximate = create_unit(towns.a, publish="approximate", address="Geheimgasse 17",
                              lat=50.7, lon=12.78)
    hidden = create_unit(towns.a, publish="no", address=unique("Verborgen ") + " 1")
    listing = client.get(f"/{towns.a.slug}/leerstand").text
    assert f'href="/{towns.a.slug}/leerstand/{exact}"' in listing
    assert "45,5 m²" in listing and "480,00" in listing
    assert "Geheimgasse" in listing and "Geheimgasse 17" not in listing
    assert f"/leerstand/{hidden}\"" not in listing
    assert client.get(f"/{towns.a.slug}/leerstand/{hidden}").status_code == 404
    detail = client.get(f"/{towns.a.slug}/leerstand/{approximate}").text
    assert "Geheimgasse 17" not in detail and "50.7," not in detail
    assert "ungefähre Lage" in detail


def test_listing_filters_are_validated_with_a_message(client, towns):
    response = client.get(f"/{towns.a.slug}/leerstand?area_min=100&area_max=50")
    assert response.status_code == 422
    assert "„Fläche bis“ ist kleiner als „Fläche ab“." in response.text


def test_the_expose_is_a_pdf_without_the_exact_address_when_only_approximate(
        client, towns, create_unit):
    from pypdf import PdfReader

    unit_id = create_unit(towns.a, publish="approximate", address="Lindenallee 4",
                          area_sqm=Decimal("80"), description="<script>alert(1)</script>")
    response = client.get(f"/{towns.a.slug}/leerstand/{unit_id}/expose.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    assert "Lindenallee" in text and "Lindenallee 4" not in text
    assert "<script>alert(1)</script>" in text  # shown as text, never as markup


def test_a_visitor_says_i_am_interested_and_gets_a_confirmation(client, towns, create_unit, app):
    unit_id = create_unit(towns.b, publish="exact", address=unique("Bahnhofstraße ") + " 2")
    address = f"{unique('gruenderin')}@example.org"
    missing = client.post(f"/{towns.b.slug}/leerstand/{unit_id}/interesse",
                          data={"name": "Lea", "email": address, "message": "Café"})
    assert missing.status_code == 422 and "Ohne Ihre Einwilligung" in missing.text
    assert 'value="Lea"' in missing.text
    done = client.post(f"/{towns.b.slug}/leerstand/{unit_id}/interesse", follow_redirects=True,
                       data={"name": "Lea", "email": address, "message": "Café", "consent": "y"})
    assert "Ihre Anfrage ist angekommen" in done.text
    from tests.blueprints.mail.conftest import town_rows
    [mail] = town_rows(app, towns.b, address)
    assert "Ihre Anfrage zu" in mail.subject


def test_a_resident_reports_an_empty_shop_and_staff_turn_it_into_a_unit(client, towns, app,
                                                                        create_user):
    address = unique("Feldweg ") + " 9"
    response = client.post(f"/{towns.a.slug}/leerstand/melden", data={
        "address": address, "note": "Seit Wochen zu",
        "photo": (io.BytesIO(jpeg_bytes("blue")), "foto.jpg")},
        content_type="multipart/form-data", follow_redirects=True)
    assert "Danke für Ihre Meldung!" in response.text
    login(client, create_user(role="manager", town=towns.a))
    queue = client.get(register_url(towns.a, "meldungen")).text
    assert address in queue and "Seit Wochen zu" in queue
    with app.app_context(), tenant_context(towns.a):
        report_id = db.session.query(VacancyReport).filter_by(address=address).one().id
    accepted = client.post(register_url(towns.a, f"meldungen/{report_id}/uebernehmen"),
                           follow_redirects=True)
    assert "Aus der Meldung wurde eine Einheit." in accepted.text
    with app.app_context(), tenant_context(towns.a):
        unit = db.session.query(Unit).filter_by(address=address).one()
        assert unit.status == "vacant" and unit.publish == "no" and len(unit.photos) == 1
    again = client.post(register_url(towns.a, f"meldungen/{report_id}/ablehnen"),
                        data={"reason": "doppelt"}, follow_redirects=True)
    assert "schon entschieden" in again.text


def test_a_report_without_an_address_is_refused_beside_the_field(client, towns):
    response = client.post(f"/{towns.b.slug}/leerstand/melden", data={"note": "leer"})
    assert response.status_code == 422 and "Bitte die Adresse angeben." in response.text


def test_owner_contacts_and_due_follow_ups(client, towns, login_as, app):
    login_as("manager", towns.b)
    created = client.post(f"/{towns.b.slug}/verwaltung/akteure/neu", data={
        "kind": "owner", "name": unique("Familie Sommer "), "email": "sommer@example.org"},
        follow_redirects=True)
    assert "ist im Register." in created.text
    with app.app_context(), tenant_context(towns.b):
        actor_id = db.session.query(Actor).order_by(Actor.id.desc()).first().id
    wrong = client.post(f"/{towns.b.slug}/verwaltung/akteure/{actor_id}/kontakte", data={
        "contacted_on": "2026-11-20", "channel": "phone", "content": "Anruf",
        "follow_up_on": "2026-11-01"})
    assert wrong.status_code == 422 and "Die Wiedervorlage liegt vor dem Kontakt." in wrong.text
    client.post(f"/{towns.b.slug}/verwaltung/akteure/{actor_id}/kontakte", data={
        "contacted_on": "2026-11-01", "channel": "phone", "content": "Will verkaufen, Rückruf",
        "follow_up_on": "2026-11-10"})
    due = client.get(f"/{towns.b.slug}/verwaltung/akteure/wiedervorlagen").text
    assert "Will verkaufen, Rückruf" in due and "überfällig" in due
    log = client.get(f"/{towns.b.slug}/verwaltung/akteure/{actor_id}").text
    assert "Will verkaufen, Rückruf" in log and "Test Person" in log  # who spoke to them


def test_the_location_page_computes_what_the_register_knows(client, towns, create_unit, login_as):
    create_unit(towns.b, publish="exact", area_sqm=Decimal("60"))
    login_as("manager", towns.b)
    saved = client.post(f"/{towns.b.slug}/verwaltung/standort", data={
        "population": "14000", "purchasing_power_index": "91,5", "transport": "Bahnhof, 5 Min.",
        "contact_name": "Maria Muster", "contact_email": "standort@example.org"},
        follow_redirects=True)
    assert "Standortdaten gespeichert." in saved.text
    client.get("/logout")
    page = client.get(f"/{towns.b.slug}/standort").text
    assert "14.000" in page and "91,5" in page and "Maria Muster" in page
    assert "Leerstandsquote" in page and "Verfügbare Fläche" in page


def test_a_partner_reads_the_register_but_changes_nothing(client, towns, login_as, create_unit):
    unit_id = create_unit(towns.a)
    login_as("partner", towns.a)
    assert client.get(register_url(towns.a)).status_code == 200
    assert client.get(register_url(towns.a, unit_id)).status_code == 200
    assert client.post(register_url(towns.a, f"{unit_id}/status"),
                       data={"status": "let", "changed_on": "2025-01-01"}).status_code == 403
    assert client.get(register_url(towns.a, "neu")).status_code == 403


def test_a_unit_of_one_town_is_never_shown_in_another(client, towns, app, manager_of_both_towns):
    def create(town, record_id, marker):
        with app.app_context(), tenant_context(town):
            unit = services.create_unit({"address": marker, "publish": "exact"})
            unit.id = record_id
            db.session.commit()

    assert_same_id_stays_home(client, towns, create=create,
                              url_for_record=lambda town, record_id: register_url(town, record_id))
    assert_same_id_stays_home(client, towns, create=lambda *args: None, record_id=990001,
                              url_for_record=lambda town, record_id: f"/{town.slug}/leerstand/{record_id}")


def test_owners_and_reports_of_one_town_are_never_shown_in_another(client, towns, app,
                                                                  manager_of_both_towns):
    def create_owner(town, record_id, marker):
        with app.app_context(), tenant_context(town):
            db.session.add(Actor(id=record_id, kind="owner", name=marker))
            db.session.commit()

    def create_report(town, record_id, marker):
        with app.app_context(), tenant_context(town):
            db.session.add(VacancyReport(id=record_id, address=marker))
            db.session.commit()

    assert_same_id_stays_home(client, towns, create=create_owner, url_for_record=lambda town, record_id:
                              f"/{town.slug}/verwaltung/akteure/{record_id}")
    assert_same_id_stays_home(client, towns, create=create_report, record_id=990002,
                              url_for_record=lambda town, _id: register_url(town, "meldungen"))


def test_a_long_listing_comes_in_pages_that_keep_the_filters(client, towns, create_unit, app):
    usage = "culture"
    for number in range(30):
        create_unit(towns.b, publish="exact", usage=usage, address=f"Kulturmeile {number}")
    first = client.get(f"/{towns.b.slug}/leerstand?usage={usage}").text
    assert first.count('class="card"') == 24 and "Seite 1 von" in first
    assert f"usage={usage}" in first.split('rel="next"')[0].rsplit("href=", 1)[1]
    second = client.get(f"/{towns.b.slug}/leerstand?usage={usage}&seite=2").text
    assert second.count('class="card"') >= 6 and 'rel="prev"' in second
