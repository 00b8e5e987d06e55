"""Registrations: confirmed by mail, a waiting list that moves up on a cancellation, one per
address, staff's list with CSV and check-in."""
from __future__ import annotations

import csv
import io
import re
from datetime import datetime, timezone

from blueprints.events.models import Event, Registration
from tenants.context import tenant_context
from tenants.db import db
from tests.blueprints.mail.conftest import town_rows
from tests.conftest import login, unique


def event_with_places(app, town, capacity=2, registration_open=True) -> int:
    with app.app_context(), tenant_context(town):
        event = Event(title=unique("Stadtführung "), starts_at=datetime(2099, 5, 1, 8, tzinfo=timezone.utc),
                      ends_at=datetime(2099, 5, 1, 10, tzinfo=timezone.utc), address="Markt",
                      capacity=capacity, registration_open=registration_open)
        db.session.add(event)
        db.session.commit()
        return event.id


def register_and_confirm(client, app, town, event_id, name) -> str:
    email = f"{unique(name.lower())}@example.org"
    response = client.post(f"/{town.slug}/veranstaltungen/{event_id}/anmelden",
                           data={"name": name, "email": email, "consent": "y"}, follow_redirects=True)
    assert "Bitte bestätigen Sie Ihre Anmeldung" in response.text
    [mail] = town_rows(app, town, email)
    link = re.search(r"http://localhost(/\S+/bestaetigen)", mail.text_body).group(1)
    client.get(link)
    return email


def status_of(app, town, email) -> str:
    with app.app_context(), tenant_context(town):
        return db.session.query(Registration).filter_by(email=email).one().status


def test_the_third_waits_and_moves_up_when_someone_cancels_by_the_mailed_link(app, client, towns):
    event_id = event_with_places(app, towns.a)
    first, second, third = (register_and_confirm(client, app, towns.a, event_id, name)
                            for name in ("Anna", "Ben", "Cem"))
    assert [status_of(app, towns.a, e) for e in (first, second, third)] == ["confirmed", "confirmed",
                                                                          "waitlisted"]
    assert "Ausgebucht" in client.get(f"/{towns.a.slug}/veranstaltungen/{event_id}").text
    confirmation = town_rows(app, towns.a, first)[-1]
    assert "Sie sind angemeldet" in confirmation.subject and ".ics" in confirmation.text_body
    cancel = re.search(r"http://localhost(/\S+/abmelden)", confirmation.text_body).group(1)
    assert "Ja, ich melde mich ab" in client.get(cancel).text  # a link scanner's GET changes nothing
    assert status_of(app, towns.a, first) == "confirmed"
    client.post(cancel)
    assert status_of(app, towns.a, first) == "cancelled"
    assert status_of(app, towns.a, third) == "confirmed"
    assert "Ein Platz ist frei geworden" in town_rows(app, towns.a, third)[-1].subject


def test_one_registration_per_address_and_none_when_closed(app, client, towns):
    event_id = event_with_places(app, towns.b, capacity=None)
    email = register_and_confirm(client, app, towns.b, event_id, "Dora")
    again = client.post(f"/{towns.b.slug}/veranstaltungen/{event_id}/anmelden",
                        data={"name": "Dora", "email": email.upper(), "consent": "y"})
    assert again.status_code == 422 and "schon angemeldet" in again.text
    no_consent = client.post(f"/{towns.b.slug}/veranstaltungen/{event_id}/anmelden",
                             data={"name": "Eva", "email": "eva@example.org"})
    assert no_consent.status_code == 422 and "Ohne Ihre Einwilligung" in no_consent.text
    closed = event_with_places(app, towns.b, registration_open=False)
    refused = client.post(f"/{towns.b.slug}/veranstaltungen/{closed}/anmelden",
                          data={"name": "Eva", "email": "eva@example.org", "consent": "y"})
    assert refused.status_code == 422 and "keine Anmeldung möglich" in refused.text


def test_staff_export_and_check_in_and_the_count_follows(app, client, towns, create_user):
    event_id = event_with_places(app, towns.a, capacity=5)
    email = register_and_confirm(client, app, towns.a, event_id, "Finn")
    login(client, create_user(role="manager", town=towns.a))
    page = client.get(f"/{towns.a.slug}/verwaltung/veranstaltungen/{event_id}/anmeldungen").text
    assert email in page and "0 eingecheckt" in page
    with app.app_context(), tenant_context(towns.a):
        registration_id = db.session.query(Registration).filter_by(email=email).one().id
    client.post(f"/{towns.a.slug}/verwaltung/veranstaltungen/anmeldungen/{registration_id}/eingecheckt")
    assert "1 eingecheckt" in client.get(f"/{towns.a.slug}/verwaltung/veranstaltungen/{event_id}/anmeldungen").text
    exported = client.get(f"/{towns.a.slug}/verwaltung/veranstaltungen/{event_id}/anmeldungen?format=csv")
    rows = list(csv.reader(io.StringIO(exported.data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["Name", "E-Mail", "Status"]
    assert [row[:3] for row in rows[1:]] == [["Finn", email, "angemeldet"]]


def test_a_registration_link_of_one_town_does_nothing_in_another(app, client, towns):
    event_id = event_with_places(app, towns.a, capacity=None)
    email = register_and_confirm(client, app, towns.a, event_id, "Gül")
    [mail, *_] = town_rows(app, towns.a, email)
    token = re.search(r"/anmeldung/(\S+)/bestaetigen", mail.text_body).group(1)
    assert client.get(f"/{towns.b.slug}/veranstaltungen/anmeldung/{token}/abmelden").status_code == 404
