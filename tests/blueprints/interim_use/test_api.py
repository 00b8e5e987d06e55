"""Interim use in the JSON API: anyone applies, applicants read their own, staff read all,
the matches and the agreements; errors name their fields, and towns stay apart."""
from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal

from blueprints.interim_use.models import Agreement, Application
from tenants.context import tenant_context
from tenants.db import db
from tests.blueprints.api.conftest import api_path, assert_api_error
from tests.conftest import unique

CONTRACT_FIELDS = {"id", "applicant_name", "email", "concept", "category", "area_min_sqm",
                   "area_max_sqm", "budget_eur_month", "start_date", "end_date", "districts",
                   "status"}
CONCEPT = "Ein Pop-up-Laden für regionale Keramik, mit Kursen am Abend."
NO_CONSENT = "Ohne Ihre Einwilligung können wir die Bewerbung nicht bearbeiten."


def application_body(**changes) -> dict:
    body = {"applicant_name": "Lea Berger", "email": f"{unique('lea')}@example.org",
            "concept": CONCEPT, "category": "retail_popup", "area_min_sqm": 30,
            "area_max_sqm": 60, "budget_eur_month": 400, "start_date": "2027-03-01",
            "end_date": "2027-09-30", "features": ["water"], "consent": True}
    body.update(changes)
    return {name: value for name, value in body.items() if value is not None}


def every_item(client, url, headers) -> list[dict]:
    """All items of a paginated list, following ``next`` links."""
    items = []
    while url:
        response = client.get(url, headers=headers)
        assert response.status_code == 200, response.get_data(as_text=True)[:500]
        items += response.get_json()
        found = re.search(r'<([^>]+)>; rel="next"', response.headers["Link"])
        url = found[1] if found else None
    return items


def test_a_guest_applies_and_waits_for_the_mailed_confirmation(client, towns, app):
    body = application_body(phone="0371 123", legal_form="association")
    response = client.post(api_path(towns.a, "/applications"), json=body)
    assert response.status_code == 201, response.get_json()
    created = response.get_json()
    assert CONTRACT_FIELDS <= set(created)
    assert created["status"] == "unconfirmed" and created["email"] == body["email"]
    assert (created["area_min_sqm"], created["area_max_sqm"], created["budget_eur_month"]) == (30, 60, 400)
    assert (created["start_date"], created["end_date"]) == ("2027-03-01", "2027-09-30")
    assert created["districts"] == [] and created["features"] == ["water"]
    assert response.headers["Location"].endswith(api_path(towns.a, f"/applications/{created['id']}"))
    with app.app_context(), tenant_context(towns.a):
        stored = db.session.get(Application, created["id"])
        assert stored.user_id is None and stored.consent_at is not None
        assert [event.status for event in stored.events] == ["unconfirmed"]
    assert_api_error(client.get(response.headers["Location"]), 401)


def test_without_consent_nothing_is_stored(client, towns):
    for consent in (None, False):
        response = client.post(api_path(towns.a, "/applications"),
                               json=application_body(consent=consent))
        error = assert_api_error(response, 422)
        assert error["fields"] == {"consent": NO_CONSENT}


def test_bad_input_names_each_field(client, towns):
    response = client.post(api_path(towns.a, "/applications"), json=application_body(
        area_min_sqm=80, area_max_sqm=40, start_date="2027-05-01", end_date="2027-03-01",
        email="keine-adresse", concept="zu kurz", category="zirkus", features=["pool"],
        budget_eur_month=-1, colour="blau"))
    fields = assert_api_error(response, 422)["fields"]
    assert fields["area_max_sqm"] == "Die höchste Fläche ist kleiner als die kleinste."
    assert fields["end_date"] == "Das Ende liegt vor dem Beginn."
    assert fields["email"] == "Bitte eine gültige E-Mail-Adresse angeben."
    assert {"concept", "category", "features.0", "budget_eur_month", "colour"} <= set(fields)


def test_unknown_districts_and_unlisted_units_are_refused(client, towns, bearer, create_unit):
    district = client.post(api_path(towns.a, "/districts"), headers=bearer("manager", towns.a),
                           json={"name": unique("Wunschviertel ")}).get_json()
    unknown = client.post(api_path(towns.a, "/applications"),
                          json=application_body(districts=[district["id"], 987654321]))
    # Schema-valid, but naming what the town does not have: a conflict with its data.
    assert "987654321" in assert_api_error(unknown, 409, "unknown_district")["fields"]["districts"]
    unlisted = create_unit(towns.a, publish="no", interim_use_consent=True)
    hidden = client.post(api_path(towns.a, "/applications"), json=application_body(unit_id=unlisted))
    assert set(assert_api_error(hidden, 409, "unknown_unit")["fields"]) == {"unit_id"}
    listed = create_unit(towns.a, publish="exact", interim_use_consent=True)
    created = client.post(api_path(towns.a, "/applications"), json=application_body(
        unit_id=listed, districts=[district["id"], district["id"]]))
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["districts"] == [district["id"]]
    assert created.get_json()["unit_id"] == listed


def test_markup_is_data_and_comes_back_unchanged(client, towns):
    concept = '<script>alert("x")</script> Ein Laden & eine Werkstatt für alle im Viertel.'
    response = client.post(api_path(towns.a, "/applications"),
                           json=application_body(concept=concept, applicant_name="<b>Lea</b>"))
    assert response.status_code == 201 and response.mimetype == "application/json"
    assert response.get_json()["concept"] == concept
    assert response.get_json()["applicant_name"] == "<b>Lea</b>"


def test_a_signed_in_applicant_submits_at_once_and_lists_only_their_own(
        client, towns, bearer):
    email = f"{unique('aylin')}@example.org"
    headers = bearer(email=email)  # a confirmed account, no role in the town yet
    mine = client.post(api_path(towns.a, "/applications"), headers=headers,
                       json=application_body(email=email))
    assert mine.status_code == 201 and mine.get_json()["status"] == "submitted"
    other = client.post(api_path(towns.a, "/applications"), json=application_body()).get_json()
    stranger_headers = bearer()
    stranger = client.post(api_path(towns.a, "/applications"), headers=stranger_headers,
                           json=application_body()).get_json()  # another address: no role yet

    listed = client.get(api_path(towns.a, "/applications"), headers=headers)
    assert listed.status_code == 200 and listed.headers["X-Total-Count"] == "1"
    assert [item["id"] for item in listed.get_json()] == [mine.get_json()["id"]]
    assert client.get(mine.headers["Location"], headers=headers).get_json() == mine.get_json()
    for hidden in (other, stranger):
        assert_api_error(client.get(api_path(towns.a, f"/applications/{hidden['id']}"),
                                    headers=headers), 404)
    assert_api_error(client.get(api_path(towns.a, f"/applications/{mine.get_json()['id']}/matches"),
                                headers=headers), 403)
    assert_api_error(client.get(api_path(towns.a, "/agreements"), headers=headers), 403)
    # Without a role in the town there is no list, but one's own application can be read.
    assert_api_error(client.get(api_path(towns.a, "/applications"), headers=stranger_headers), 403)
    own = client.get(api_path(towns.a, f"/applications/{stranger['id']}"), headers=stranger_headers)
    assert own.status_code == 200 and own.get_json()["status"] == "unconfirmed"
    assert_api_error(client.get(api_path(towns.b, "/applications"), headers=headers), 403)


def test_anonymous_callers_may_not_read_applications(client, towns):
    assert_api_error(client.get(api_path(towns.a, "/applications")), 401)
    assert_api_error(client.get(api_path(towns.a, "/applications/1")), 401)


def test_staff_see_every_sent_application_and_filter_by_status(client, towns, bearer):
    created = client.post(api_path(towns.a, "/applications"), json=application_body()).get_json()
    headers = bearer("partner", towns.a)
    unconfirmed = every_item(client, api_path(towns.a, "/applications?status=unconfirmed&per_page=100"),
                             headers)
    assert created["id"] in {item["id"] for item in unconfirmed}
    assert {item["status"] for item in unconfirmed} == {"unconfirmed"}
    submitted = client.get(api_path(towns.a, "/applications?status=submitted&per_page=100"),
                           headers=headers).get_json()
    assert created["id"] not in {item["id"] for item in submitted}
    shown = client.get(api_path(towns.a, f"/applications/{created['id']}"), headers=headers)
    assert shown.status_code == 200 and shown.get_json() == created
    assert_api_error(client.get(api_path(towns.a, "/applications?status=irgendwas"),
                                headers=headers), 422)


def test_staff_see_the_matching_units_with_score_and_reasons(client, towns, bearer, create_unit):
    fits = create_unit(towns.a, area_sqm=Decimal(45), interim_use_consent=True,
                       rent_eur_month=Decimal(380))
    refused = create_unit(towns.a, area_sqm=Decimal(45), interim_use_consent=False,
                          rent_eur_month=Decimal(380))
    application = client.post(api_path(towns.a, "/applications"), json=application_body()).get_json()
    headers = bearer("manager", towns.a)
    url = api_path(towns.a, f"/applications/{application['id']}/matches")
    matches = {match["unit_id"]: match for match in every_item(client, url + "?per_page=100", headers)}
    assert fits in matches and refused not in matches
    match = matches[fits]
    assert set(match) == {"unit_id", "score", "reasons"}
    assert isinstance(match["score"], int) and 0 <= match["score"] <= 100
    assert match["reasons"] and all(isinstance(reason, str) for reason in match["reasons"])
    assert "Fläche 45 m² im Wunsch 30–60 m²" in match["reasons"]
    excluded = {unit["unit_id"]: unit for unit in every_item(client, url + "/excluded?per_page=100",
                                                             headers)}
    assert "Eigentümer:in hat einer Zwischennutzung nicht zugestimmt." in excluded[refused]["conflicts"]
    assert fits not in excluded
    first = client.get(url + "?per_page=1", headers=headers)
    assert len(first.get_json()) == 1 and int(first.headers["X-Total-Count"]) == len(matches)


def test_staff_list_the_agreements(client, towns, app, bearer, create_unit):
    unit_id = create_unit(towns.a, interim_use_consent=True)
    application = client.post(api_path(towns.a, "/applications"), json=application_body()).get_json()
    with app.app_context(), tenant_context(towns.a):
        agreement = Agreement(application_id=application["id"], unit_id=unit_id, status="approved",
                              starts_on=date(2027, 3, 1), ends_on=date(2027, 9, 30),
                              rent_eur_month=Decimal(380), subsidy_eur_month=Decimal(100),
                              approved_at=datetime(2027, 2, 1, 10, tzinfo=UTC))
        db.session.add(agreement)
        db.session.commit()
        agreement_id = agreement.id
    response = client.get(api_path(towns.a, f"/agreements?application_id={application['id']}"),
                          headers=bearer("partner", towns.a))
    assert response.status_code == 200 and response.headers["X-Total-Count"] == "1"
    [listed] = response.get_json()
    assert listed["id"] == agreement_id and listed["unit_id"] == unit_id
    assert (listed["status"], listed["starts_on"], listed["ends_on"]) == \
        ("approved", "2027-03-01", "2027-09-30")
    assert (listed["rent_eur_month"], listed["subsidy_eur_month"]) == (380, 100)
    assert listed["approved_at"].startswith("2027-02-01")


def test_an_application_of_town_a_is_not_found_by_town_b(client, towns, app, bearer):
    record_id = 990201  # no test makes an application with this id in town B
    with app.app_context(), tenant_context(towns.a):
        if db.session.get(Application, record_id) is None:
            db.session.add(Application(id=record_id, status="submitted", draft_token=unique("t"),
                                       applicant_name="Nur-in-A", email="a@example.org",
                                       concept=CONCEPT, category="other", features=[],
                                       district_ids=[]))
            db.session.commit()
    url = f"/applications/{record_id}"
    shown = client.get(api_path(towns.a, url), headers=bearer("manager", towns.a))
    assert shown.status_code == 200 and shown.get_json()["applicant_name"] == "Nur-in-A"
    staff_b = bearer("manager", towns.b)
    assert_api_error(client.get(api_path(towns.b, url), headers=staff_b), 404)
    assert_api_error(client.get(api_path(towns.b, url + "/matches"), headers=staff_b), 404)
    listed = every_item(client, api_path(towns.b, "/applications?per_page=100"), staff_b)
    assert "Nur-in-A" not in {item["applicant_name"] for item in listed}


def test_the_api_document_describes_the_interim_use_endpoints(client, towns):
    document = client.get(api_path(towns.a, "/openapi.json")).get_json()
    sending = document["paths"]["/applications"]["post"]
    assert {} in sending["security"] and "201" in sending["responses"]
    assert "consent" in document["components"]["schemas"]["NewApplication"]["required"]
    assert document["paths"]["/applications/{application_id}/matches"]["get"]["x-permission"] == \
        "town.view"
    assert "/agreements" in document["paths"]
