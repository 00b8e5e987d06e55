"""Events in the JSON API: the calendar for anyone, registrations as the public form's twin."""
from __future__ import annotations

import re
from datetime import datetime, timezone

from blueprints.events.models import Event
from blueprints.town import services as town
from tenants.context import tenant_context
from tenants.db import db
from tests.blueprints.api.conftest import api_path, assert_api_error
from tests.blueprints.mail.conftest import town_rows
from tests.conftest import unique


def store_event(app, town_info, *, day=(2099, 5, 1), **values) -> int:
    """An event from 10:00 to 12:00 UTC on ``day``; returns its id."""
    start = datetime(*day, 10, tzinfo=timezone.utc)
    defaults = {"title": unique("Stadtfest "), "address": "Markt", "category": "market",
                "capacity": 20, "registration_open": True}
    with app.app_context(), tenant_context(town_info):
        event = Event(starts_at=start, ends_at=start.replace(hour=12), **{**defaults, **values})
        db.session.add(event)
        db.session.commit()
        return event.id


def new_district(app, town_info) -> int:
    with app.app_context(), tenant_context(town_info):
        return town.create_district(unique("Südviertel ")).id


def register(client, town_info, event_id, **body):
    data = {"name": "Ida Imker", "email": f"{unique('ida')}@example.org", "consent": True, **body}
    return client.post(api_path(town_info, f"/events/{event_id}/registrations"), json=data)


def test_anyone_lists_events_in_local_time_filtered_without_the_cancelled(
        app, client, towns, bearer):
    district = new_district(app, towns.a)
    summer = store_event(app, towns.a, day=(2098, 7, 4), district_id=district)
    autumn = store_event(app, towns.a, day=(2098, 10, 3), district_id=district, category="culture")
    called_off = store_event(app, towns.a, day=(2098, 7, 5), district_id=district, cancelled=True)
    store_event(app, towns.a, day=(2098, 7, 4))  # another district

    listed = client.get(api_path(towns.a, f"/events?district={district}"))
    assert listed.status_code == 200 and listed.headers["X-Total-Count"] == "2"
    assert [event["id"] for event in listed.get_json()] == [summer, autumn]
    first = listed.get_json()[0]
    assert first["starts_at"] == "2098-07-04T12:00:00+02:00"  # 10:00 UTC is noon in a Berlin summer
    assert first["ends_at"] == "2098-07-04T14:00:00+02:00"
    assert {"id", "title", "location", "unit_id", "capacity", "registration_open"} <= set(first)
    assert first["location"] == "Markt" and first["places_left"] == 20

    def ids(query, headers=None):
        return [e["id"] for e in client.get(api_path(towns.a, f"/events?district={district}&{query}"),
                                            headers=headers).get_json()]

    assert ids("from=2098-08-01") == [autumn]
    assert ids("to=2098-07-04") == [summer]
    assert ids("category=culture") == [autumn]
    assert ids("per_page=1&page=2") == [autumn]
    assert ids("", headers=bearer(role="partner", town=towns.a)) == [summer, called_off, autumn]
    assert_api_error(client.get(api_path(towns.a, "/events?from=4.7.2098")), 422)


def test_one_event_and_a_missing_one(app, client, towns):
    event_id = store_event(app, towns.b, capacity=None, cancelled=True)
    shown = client.get(api_path(towns.b, f"/events/{event_id}")).get_json()
    assert shown["id"] == event_id and shown["cancelled"] is True and shown["capacity"] is None
    assert shown["url"].endswith(f"/{towns.b.slug}/veranstaltungen/{event_id}")
    assert_api_error(client.get(api_path(towns.b, "/events/987654")), 404, "not_found")


def test_registering_through_the_api_mails_the_link_like_the_form(app, client, towns):
    event_id = store_event(app, towns.a, capacity=1)
    email = f"{unique('jonas')}@example.org"
    created = register(client, towns.a, event_id, email=email)
    assert created.status_code == 201
    assert created.get_json() == {"id": created.get_json()["id"], "status": "pending"}
    [mail] = town_rows(app, towns.a, email)
    confirm = re.search(r"http://localhost(/\S+/bestaetigen)", mail.text_body).group(1)
    client.get(confirm)
    again = register(client, towns.a, event_id, email=email.upper())
    assert assert_api_error(again, 409, "already_registered")["fields"] == {
        "email": "Mit dieser E-Mail-Adresse sind Sie schon angemeldet."}
    # The one place is taken; a new registration still starts pending, until its link is followed.
    later = register(client, towns.a, event_id)
    assert later.status_code == 201 and later.get_json()["status"] == "pending"
    assert client.get(api_path(towns.a, f"/events/{event_id}")).get_json()["places_left"] == 0


def test_bad_input_is_a_422_per_field_and_closed_events_a_409(app, client, towns):
    event_id = store_event(app, towns.b)
    error = assert_api_error(register(client, towns.b, event_id, name="", email="kein-at",
                                      consent=False), 422, "invalid")
    assert set(error["fields"]) == {"name", "email", "consent"}
    assert "Einwilligung" in error["fields"]["consent"]
    closed = store_event(app, towns.b, registration_open=False)
    assert_api_error(register(client, towns.b, closed), 409, "registration_closed")
    cancelled = store_event(app, towns.b, cancelled=True)
    assert_api_error(register(client, towns.b, cancelled), 409, "registration_closed")
    assert_api_error(register(client, towns.b, 987654), 404)


def test_only_the_towns_staff_read_the_registrations(app, client, towns, bearer):
    event_id = store_event(app, towns.a)
    email = f"{unique('lea')}@example.org"
    register(client, towns.a, event_id, email=email, name="Lea Lorenz")
    path = api_path(towns.a, f"/events/{event_id}/registrations")
    assert_api_error(client.get(path), 401)
    assert_api_error(client.get(path, headers=bearer(role="manager", town=towns.b)), 403)
    listed = client.get(path + "?status=pending", headers=bearer(role="partner", town=towns.a))
    [registration] = listed.get_json()
    assert (registration["name"], registration["email"], registration["status"]) == (
        "Lea Lorenz", email, "pending")
    assert listed.headers["X-Total-Count"] == "1"


def test_registering_is_rate_limited_like_the_form(limits_switched_on, app, towns):
    event_id = store_event(app, towns.a, capacity=None)
    limited = limits_switched_on()
    limited.config["APPLICATION_RATE_LIMIT"] = "2 per minute"
    client = limited.test_client()
    answers = [register(client, towns.a, event_id).status_code for _ in range(3)]
    assert answers == [201, 201, 429]
