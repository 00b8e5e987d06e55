"""The online application: steps without JavaScript, drafts, one submission, a confirmed
address, the portal, and the staff view with matches."""
from __future__ import annotations

import io
import re
from decimal import Decimal

from reportlab.pdfgen import canvas
from sqlalchemy import func, select

from blueprints.interim_use.models import Application
from tenants.context import tenant_context
from tenants.db import db
from tests.blueprints.mail.conftest import town_rows
from tests.conftest import login, unique
from tests.isolation import assert_same_id_stays_home


def apply_url(town, step=""):
    return f"/{town.slug}/zwischennutzung/bewerben" + (f"/{step}" if step else "")


def pdf_bytes() -> bytes:
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    page.drawString(72, 720, "Konzept Pop-up-Laden")
    page.save()
    return buffer.getvalue()


def fill_in(client, town, email, concept="Ein Pop-up-Laden für regionale Keramik und Workshops."):
    client.get(apply_url(town))
    client.post(apply_url(town, "bewerber"), data={"applicant_name": "Lea Berger", "email": email,
                                                    "legal_form": "person"})
    client.post(apply_url(town, "konzept"), data={"category": "retail_popup", "concept": concept})
    client.post(apply_url(town, "flaeche"), data={"area_min_sqm": "30", "area_max_sqm": "60",
                                                   "budget_eur_month": "400", "features": ["water"]})


def applications_to(app, town, email) -> list[Application]:
    with app.app_context(), tenant_context(town):
        found = db.session.scalars(select(Application).where(Application.email == email)).all()
        for application in found:
            _ = application.events, application.attachments
        db.session.expunge_all()
        return found


def test_a_guest_applies_in_steps_and_every_error_keeps_what_was_typed(client, towns, app):
    email = f"{unique('lea')}@example.org"
    started = client.get(apply_url(towns.a))
    assert started.status_code == 302 and started.location.endswith("/bewerben/bewerber")
    wrong = client.post(apply_url(towns.a, "bewerber"), data={"applicant_name": "", "email": email,
                                                              "phone": "0371 123"})
    assert wrong.status_code == 422 and "Bitte Ihren Namen angeben." in wrong.text
    assert f'value="{email}"' in wrong.text and 'value="0371 123"' in wrong.text
    fill_in(client, towns.a, email)
    space = client.post(apply_url(towns.a, "flaeche"), data={
        "area_min_sqm": "80", "area_max_sqm": "40", "start_date": "2027-05-01",
        "end_date": "2027-03-01", "budget_eur_month": "450,50"})
    assert space.status_code == 422
    assert "Die höchste Fläche ist kleiner als die kleinste." in space.text
    assert "Das Ende liegt vor dem Beginn." in space.text and 'value="450,50"' in space.text
    fake = client.post(apply_url(towns.a, "unterlagen"), content_type="multipart/form-data",
                       data={"document": (io.BytesIO(b"%PDF-1.4 kaputt"), "konzept.pdf")})
    assert fake.status_code == 422 and "kein gültiges PDF" in fake.text
    client.post(apply_url(towns.a, "unterlagen"), content_type="multipart/form-data",
                data={"document": (io.BytesIO(pdf_bytes()), "konzept.pdf"), "title": "Konzept"})
    summary = client.get(apply_url(towns.a, "absenden")).text
    assert "Ein Pop-up-Laden für regionale Keramik" in summary and "Wasseranschluss" in summary
    no_consent = client.post(apply_url(towns.a, "absenden"), data={})
    assert no_consent.status_code == 422 and "Ohne Ihre Einwilligung" in no_consent.text
    sent = client.post(apply_url(towns.a, "absenden"), data={"consent": "y"}, follow_redirects=True)
    assert "Bitte bestätigen Sie darin Ihre Adresse" in sent.text
    [application] = applications_to(app, towns.a, email)
    assert application.status == "unconfirmed" and application.consent_at is not None
    assert application.consent_wording.startswith("Ich bin einverstanden")  # the proof of consent
    assert [a.title for a in application.attachments] == ["Konzept"]
    # The second click on "send" (a reload, a double click) creates nothing new.
    client.post(apply_url(towns.a, "absenden"), data={"consent": "y"})
    assert len(applications_to(app, towns.a, email)) == 1

    [mail] = town_rows(app, towns.a, email)
    link = re.search(r"http://localhost(/\S+/zwischennutzung/bestaetigen/\S+)", mail.text_body).group(1)
    confirmed = client.get(link, follow_redirects=True)
    assert "Ihre E-Mail-Adresse ist bestätigt" in confirmed.text
    [application] = applications_to(app, towns.a, email)
    assert application.status == "submitted" and application.email_confirmed_at is not None
    assert [event.status for event in application.events] == ["unconfirmed", "submitted"]
    assert [m.subject for m in town_rows(app, towns.a, email)] == [
        "Bitte bestätigen Sie Ihre Bewerbung", "Ihre Bewerbung ist eingegangen"]
    client.get(link)  # a second click on the link is harmless
    assert len(town_rows(app, towns.a, email)) == 2


def test_a_confirmation_link_of_another_town_or_tampered_is_refused(client, towns, app):
    email = f"{unique('x')}@example.org"
    fill_in(client, towns.a, email)
    client.post(apply_url(towns.a, "absenden"), data={"consent": "y"})
    [mail] = town_rows(app, towns.a, email)
    token = re.search(r"/bestaetigen/(\S+)", mail.text_body).group(1)
    assert client.get(f"/{towns.b.slug}/zwischennutzung/bestaetigen/{token}").status_code == 400
    assert client.get(f"/{towns.a.slug}/zwischennutzung/bestaetigen/{token}x").status_code == 400


def test_a_draft_waits_between_visits(client, towns):
    client.get(apply_url(towns.b))
    client.post(apply_url(towns.b, "bewerber"), data={"applicant_name": "Jonas Keil",
                                                       "email": "jonas@example.org", "legal_form": "gbr"})
    later = client.get(apply_url(towns.b, "bewerber")).text
    assert 'value="Jonas Keil"' in later


def test_a_signed_in_applicant_submits_at_once_and_sees_it_in_the_portal_across_towns(
        client, towns, app, create_user):
    user = create_user(name="Aylin Demir")
    login(client, user)
    for town in (towns.a, towns.b):
        fill_in(client, town, user.email)
        done = client.post(apply_url(town, "absenden"), data={"consent": "y"}, follow_redirects=True)
        assert "ist eingegangen" in done.text
    [application] = applications_to(app, towns.b, user.email)
    assert application.status == "submitted"
    portal = client.get("/konto/bewerbungen").text
    assert towns.a.name in portal and towns.b.name in portal and portal.count("eingereicht") >= 2


def test_text_is_escaped_on_pages_and_in_mails(client, towns, app, create_user):
    email = f"{unique('xss')}@example.org"
    fill_in(client, towns.a, email, concept="<script>alert('x')</script> Ein Laden mit Werkstatt und Café.")
    client.post(apply_url(towns.a, "absenden"), data={"consent": "y"})
    [mail] = town_rows(app, towns.a, email)
    [application] = applications_to(app, towns.a, email)
    with app.app_context(), tenant_context(towns.a):
        application_id = application.id
    login(client, create_user(role="manager", town=towns.a))
    page = client.get(f"/{towns.a.slug}/verwaltung/zwischennutzung/{application_id}").text
    assert "<script>alert" not in page and "&lt;script&gt;alert" in page
    # The confirmation mail's HTML part escapes it too; the text part shows it as typed.
    assert "<script>" not in mail.html_body and "&lt;script&gt;" not in mail.text_body


def test_an_oversized_document_is_refused_and_the_draft_keeps_the_rest(client, towns, app,
                                                                       monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_PDF_MAX_BYTES", 2_000)
    fill_in(client, towns.b, f"{unique('big')}@example.org")
    big = client.post(apply_url(towns.b, "unterlagen"), content_type="multipart/form-data",
                      data={"document": (io.BytesIO(pdf_bytes() + b"%" * 5_000), "konzept.pdf")})
    assert big.status_code == 422 and "Die Datei ist zu groß" in big.text
    assert "Ein Pop-up-Laden für regionale Keramik" in client.get(apply_url(towns.b, "absenden")).text


def test_staff_see_ranked_units_with_reasons_and_excluded_ones_with_why(client, towns, app,
                                                                       create_unit, create_user):
    fits = create_unit(towns.b, address=unique("Passgasse ") + " 1", area_sqm=Decimal("45"),
                       rent_eur_month=Decimal("380"), interim_use_consent=True, features=["water"])
    no_consent = create_unit(towns.b, address=unique("Ohnegasse ") + " 2", area_sqm=Decimal("45"),
                             interim_use_consent=False)
    email = f"{unique('match')}@example.org"
    fill_in(client, towns.b, email)
    client.post(apply_url(towns.b, "absenden"), data={"consent": "y"})
    [application] = applications_to(app, towns.b, email)
    login(client, create_user(role="partner", town=towns.b))
    page = client.get(f"/{towns.b.slug}/verwaltung/zwischennutzung/{application.id}").text
    ranked, excluded = page.split("Flächen ausgeschlossen")[0], page.split("Flächen ausgeschlossen")[-1]
    assert f"/verwaltung/leerstand/{fits}\"" in ranked
    assert "Fläche 45 m² im Wunsch 30–60 m²" in ranked and "von 100" in ranked
    assert "Eigentümer:in hat einer Zwischennutzung nicht zugestimmt." in excluded
    assert f"/verwaltung/leerstand/{no_consent}\"" not in ranked


def test_an_application_of_one_town_is_never_shown_in_another(client, towns, app,
                                                             manager_of_both_towns):
    def create(town, record_id, marker):
        with app.app_context(), tenant_context(town):
            db.session.add(Application(id=record_id, status="submitted", draft_token=unique("t"),
                                       applicant_name=marker, email="x@example.org", features=[],
                                       district_ids=[]))
            db.session.commit()

    assert_same_id_stays_home(client, towns, create=create, url_for_record=lambda town, record_id:
                              f"/{town.slug}/verwaltung/zwischennutzung/{record_id}")
    with app.app_context(), tenant_context(towns.a):
        assert db.session.scalar(select(func.count()).select_from(Application)) >= 1


def test_interest_in_a_listed_unit_preselects_it(client, towns, create_unit):
    unit_id = create_unit(towns.a, publish="exact", interim_use_consent=True,
                          address=unique("Vorwahlweg ") + " 5")
    listed = client.get(f"/{towns.a.slug}/leerstand/{unit_id}").text
    assert f"/zwischennutzung/bewerben?einheit={unit_id}" in listed
    client.get(f"/{towns.a.slug}/zwischennutzung/bewerben?einheit={unit_id}")
    step = client.get(apply_url(towns.a, "bewerber")).text
    assert "Für die Fläche" in step and "Vorwahlweg" in step


def test_visiting_the_form_writes_nothing_until_a_step_is_valid(client, towns, app):
    def drafts() -> int:
        with app.app_context(), tenant_context(towns.b):
            return db.session.scalar(select(func.count()).select_from(Application)
                                     .where(Application.status == "draft"))

    before = drafts()
    client.get(apply_url(towns.b))
    assert client.get(apply_url(towns.b, "bewerber")).status_code == 200
    assert client.get(apply_url(towns.b, "flaeche")).status_code == 302  # the first step comes first
    client.post(apply_url(towns.b, "bewerber"), data={"applicant_name": ""})
    assert drafts() == before
    client.post(apply_url(towns.b, "bewerber"), data={"applicant_name": "Ida", "email": "ida@example.org",
                                                       "legal_form": "person"})
    assert drafts() == before + 1
