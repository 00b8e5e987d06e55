"""An application's way to its outcome: steps with who and when, mails at each step, the unit's
status following, the agreement approved by a partner, and the applicant's own rights."""
from __future__ import annotations

import io
import json
from datetime import date
from decimal import Decimal

from pypdf import PdfReader

from blueprints.actors.models import Actor
from blueprints.interim_use import workflow
from blueprints.interim_use.models import Application
from blueprints.vacancies import services as vacancies
from tenants.context import tenant_context
from tenants.db import db
from tests.blueprints.interim_use.test_applications import apply_url, fill_in
from tests.blueprints.mail.conftest import town_rows
from tests.conftest import login, unique


def staff_url(town, application_id, suffix=""):
    return f"/{town.slug}/verwaltung/zwischennutzung/{application_id}{suffix}"


def submitted_application(app, client, town, create_user, concept=None):
    """A signed-in applicant's submitted application; returns (user, application id)."""
    user = create_user(name="Aylin Demir")
    login(client, user)
    fill_in(client, town, user.email, **({"concept": concept} if concept else {}))
    client.post(apply_url(town, "absenden"), data={"consent": "y"})
    client.get("/logout")
    with app.app_context(), tenant_context(town):
        application = db.session.query(Application).filter_by(email=user.email).one()
        return user, application.id


def unit_with_owner(app, town, *, consent=True, owner_email=None):
    with app.app_context(), tenant_context(town):
        owner = Actor(kind="owner", name=unique("Familie Sommer "), email=owner_email or "",
                      contact_consent_on=date(2026, 1, 1) if owner_email else None)
        db.session.add(owner)
        unit = vacancies.create_unit({"address": unique("Marktgasse ") + " 3", "area_sqm": Decimal("45"),
                                      "rent_eur_month": Decimal("400"), "interim_use_consent": consent})
        unit.owner = owner
        db.session.commit()
        return unit.id


def step(client, town, application_id, to, **data):
    return client.post(staff_url(town, application_id, "/schritt"), data={"to": to, **data},
                       follow_redirects=True)


def state(app, town, application_id):
    with app.app_context(), tenant_context(town):
        application = db.session.get(Application, application_id)
        unit_status = application.unit.status if application.unit else None
        return application.status, [e.status for e in application.events], unit_status, application.outcome


def test_the_whole_way_to_a_lease_with_a_mail_at_each_step(app, client, towns, create_user):
    owner_email = f"{unique('eigner')}@example.org"
    unit_id = unit_with_owner(app, towns.a, owner_email=owner_email)
    applicant, application_id = submitted_application(
        app, client, towns.a, create_user, concept="<script>alert(1)</script> Ein Keramikladen mit Kursen.")
    manager = create_user(role="manager", town=towns.a)
    login(client, manager)
    assert "Neuer Stand: in Prüfung" in step(client, towns.a, application_id, "in_review").text
    page = client.get(staff_url(towns.a, application_id)).text
    assert f'value="{unit_id}"' in page  # the unit is offered among the ranked ones
    step(client, towns.a, application_id, "proposed", unit_ids=[unit_id], note="Passt gut")
    step(client, towns.a, application_id, "owner_agreed", unit_id=unit_id)
    assert state(app, towns.a, application_id)[2] == "negotiating"

    too_much = client.post(staff_url(towns.a, application_id, "/vereinbarung"), data={
        "purpose": "Keramikladen", "starts_on": "2027-01-01", "ends_on": "2027-06-30",
        "notice_weeks": "4", "rent_eur_month": "400", "subsidy_eur_month": "450"})
    assert too_much.status_code == 422 and "Der Zuschuss ist höher als die Miete." in too_much.text
    drawn = client.post(staff_url(towns.a, application_id, "/vereinbarung"), follow_redirects=True, data={
        "purpose": "Keramikladen <b>mit</b> Kursen", "starts_on": "2027-01-01", "ends_on": "2027-06-30",
        "notice_weeks": "4", "rent_eur_month": "400", "subsidy_eur_month": "200,50",
        "deposit_eur": "800", "keys_and_handover": "Zwei Schlüssel, Übergabe am 30.12."})
    assert "ein kommunaler Partner muss sie freigeben" in drawn.text
    with app.app_context(), tenant_context(towns.a):
        [agreement] = workflow.agreements_of(db.session.get(Application, application_id))
        agreement_id = agreement.id
    assert client.post(f"/{towns.a.slug}/verwaltung/zwischennutzung/vereinbarungen/{agreement_id}/freigeben"
                       ).status_code == 403  # a manager does not approve
    client.get("/logout")
    login(client, create_user(role="partner", town=towns.a))
    assert step(client, towns.a, application_id, "active").status_code == 403  # nor a partner step
    approved = client.post(f"/{towns.a.slug}/verwaltung/zwischennutzung/vereinbarungen/{agreement_id}/freigeben",
                           follow_redirects=True)
    assert "sie gilt als unterzeichnet" in approved.text
    pdf = client.get(f"/{towns.a.slug}/verwaltung/zwischennutzung/vereinbarungen/{agreement_id}.pdf")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "Keramikladen <b>mit</b> Kursen" in text and "200,50" in text and "Freigegeben von" in text
    client.get("/logout")
    login(client, manager)
    step(client, towns.a, application_id, "active")
    assert state(app, towns.a, application_id)[2] == "interim"
    refused = step(client, towns.a, application_id, "ended")
    assert "Bitte angeben, wie die Zwischennutzung endete." in refused.text
    step(client, towns.a, application_id, "ended", outcome="became_lease")
    status, events, unit_status, outcome = state(app, towns.a, application_id)
    assert (status, unit_status, outcome) == ("ended", "let", "became_lease")
    assert events == ["submitted", "in_review", "proposed", "owner_agreed", "agreement_signed",
                      "active", "ended"]
    subjects = [mail.subject for mail in town_rows(app, towns.a, applicant.email)]
    assert len([s for s in subjects if s.startswith("Ihre Bewerbung: ")]) == 6
    owner_subjects = [mail.subject for mail in town_rows(app, towns.a, owner_email)]
    assert len(owner_subjects) == 4  # owner agreed, signed, active, ended
    status_mail = [m for m in town_rows(app, towns.a, applicant.email) if "vorgeschlagen" in m.subject][0]
    assert "Passt gut" in status_mail.text_body
    with app.app_context(), tenant_context(towns.a):
        figures = workflow.subsidy_figures(date(2027, 3, 1))
        assert figures["running_per_month"] >= Decimal("200.50")
        assert figures["committed_total"] >= Decimal("1203.00")  # six months


def test_steps_out_of_order_or_without_consent_are_refused_with_a_reason(app, client, towns,
                                                                         create_user):
    no_consent = unit_with_owner(app, towns.b, consent=False)
    _user, application_id = submitted_application(app, client, towns.b, create_user)
    login(client, create_user(role="manager", town=towns.b))
    wrong = step(client, towns.b, application_id, "active")
    assert "Von „eingereicht“ geht es nicht zu „läuft“." in wrong.text
    step(client, towns.b, application_id, "in_review")
    refused = step(client, towns.b, application_id, "proposed", unit_ids=[no_consent])
    assert "Ohne Zustimmung der Eigentümer:in" in refused.text
    assert state(app, towns.b, application_id)[0] == "in_review"
    rejected = client.post(staff_url(towns.b, application_id, "/ablehnen"),
                           data={"reason": "Kein passender Standort frei."}, follow_redirects=True)
    assert "Die Bewerbung ist abgelehnt" in rejected.text
    assert state(app, towns.b, application_id)[0] == "rejected"


def test_an_applicant_edits_withdraws_downloads_and_deletes_their_own_application(
        app, client, towns, create_user):
    user, application_id = submitted_application(app, client, towns.a, create_user)
    login(client, user)
    client.get(f"/konto/bewerbungen/{towns.a.slug}/{application_id}/bearbeiten")
    client.post(apply_url(towns.a, "konzept"), data={
        "category": "art_culture", "concept": "Jetzt eine Galerie mit wechselnden Ausstellungen."})
    saved = client.post(apply_url(towns.a, "absenden"), data={"consent": "y"}, follow_redirects=True)
    assert "Ihre Änderungen sind gespeichert." in saved.text
    data = json.loads(client.get(f"/konto/bewerbungen/{towns.a.slug}/{application_id}/daten").data)
    assert data["concept"].startswith("Jetzt eine Galerie") and data["category"] == "art_culture"
    assert [entry["status"] for entry in data["history"]] == ["submitted", "submitted"]
    assert "Angaben geändert" in client.get("/konto/bewerbungen").text  # the portal shows the history
    withdrawn = client.post(f"/konto/bewerbungen/{towns.a.slug}/{application_id}/zurueckziehen",
                            data={"reason": "Anderes Ladenlokal gefunden"}, follow_redirects=True)
    assert "Ihre Bewerbung ist zurückgezogen." in withdrawn.text
    deleted = client.post(f"/konto/bewerbungen/{towns.a.slug}/{application_id}/loeschen",
                          follow_redirects=True)
    assert "alle Unterlagen dazu sind gelöscht" in deleted.text
    with app.app_context(), tenant_context(towns.a):
        assert db.session.get(Application, application_id) is None


def test_nobody_else_reaches_an_applicants_own_pages(app, client, towns, create_user):
    _owner, application_id = submitted_application(app, client, towns.b, create_user)
    login(client, create_user())
    for suffix in ("bearbeiten", "daten"):
        assert client.get(f"/konto/bewerbungen/{towns.b.slug}/{application_id}/{suffix}").status_code == 404
    assert client.post(f"/konto/bewerbungen/{towns.b.slug}/{application_id}/loeschen").status_code == 404


def test_staff_set_the_weights_and_a_unit_page_ranks_the_open_applications(app, client, towns,
                                                                          create_user, create_unit):
    unit_id = create_unit(towns.b, area_sqm=Decimal("45"), rent_eur_month=Decimal("380"),
                          interim_use_consent=True, address=unique("Gewichtgasse ") + " 1")
    _user, application_id = submitted_application(app, client, towns.b, create_user)
    login(client, create_user(role="manager", town=towns.b))
    wrong = client.post(f"/{towns.b.slug}/verwaltung/zwischennutzung/gewichtung",
                        data={"area": "11", "budget": "3", "period": "0", "features": "0", "district": "0"})
    assert wrong.status_code == 422 and "Bitte 0 bis 10." in wrong.text
    saved = client.post(f"/{towns.b.slug}/verwaltung/zwischennutzung/gewichtung", follow_redirects=True,
                        data={"area": "10", "budget": "0", "period": "0", "features": "0", "district": "0"})
    assert "Die Gewichtung gilt ab jetzt" in saved.text
    page = client.get(f"/{towns.b.slug}/verwaltung/leerstand/{unit_id}").text
    section = page.split("Passende Bewerbungen")[1].split("Anfragen")[0]
    assert f"/verwaltung/zwischennutzung/{application_id}\"" in section
    # Only the area counts now, and 45 m² lies within the wish of 30–60 m².
    assert "100 von 100" in section


def test_the_towns_template_shapes_every_new_agreement(app, client, towns, create_user):
    login(client, create_user(role="manager", town=towns.b))
    page = client.get(f"/{towns.b.slug}/verwaltung/zwischennutzung/vorlage").text
    assert "{purpose}" in page  # the default wording, ready to adapt
    saved = client.post(f"/{towns.b.slug}/verwaltung/zwischennutzung/vorlage", follow_redirects=True,
                        data={"title": "Vereinbarung Burgstädt", "body": "Für {unit}: {purpose}. {unbekannt}"})
    assert "Die Vorlage gilt für alle neuen Vereinbarungen." in saved.text
    unit_id = unit_with_owner(app, towns.b)
    _user, application_id = submitted_application(app, client, towns.b, create_user)
    with app.test_request_context(), tenant_context(towns.b):
        application = db.session.get(Application, application_id)
        for to, extra in (("in_review", {}), ("proposed", {"unit_ids": [unit_id]}),
                          ("owner_agreed", {"unit_id": unit_id})):
            workflow.advance(application, to, by_user_id=None, **extra)
        agreement = workflow.draw_up(application, {
            "purpose": "Galerie", "starts_on": date(2027, 1, 1), "ends_on": date(2027, 2, 1),
            "notice_weeks": 2, "rent_eur_month": Decimal("100"), "subsidy_eur_month": Decimal("0"),
            "deposit_eur": Decimal("0"), "keys_and_handover": ""}, town_name=towns.b.name)
        # An unknown placeholder stays visible instead of breaking the agreement.
        assert agreement.text == f"Für {application.unit.address}: Galerie. {{unbekannt}}"
        db.session.rollback()


def test_an_agreement_of_one_town_is_not_found_in_another(app, client, towns, manager_of_both_towns):
    unit_id = unit_with_owner(app, towns.a)
    with app.app_context(), tenant_context(towns.a):
        from blueprints.interim_use.models import Agreement

        application = Application(status="active", draft_token=unique("t"), applicant_name="A",
                                  email="a@example.org", features=[], district_ids=[])
        db.session.add(application)
        db.session.flush()
        db.session.add(Agreement(id=990003, application_id=application.id, unit_id=unit_id,
                                 starts_on=date(2027, 1, 1), ends_on=date(2027, 2, 1)))
        db.session.commit()
    assert client.get(f"/{towns.a.slug}/verwaltung/zwischennutzung/vereinbarungen/990003.pdf").status_code == 200
    assert client.get(f"/{towns.b.slug}/verwaltung/zwischennutzung/vereinbarungen/990003.pdf").status_code == 404
