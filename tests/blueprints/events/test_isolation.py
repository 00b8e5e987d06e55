"""Events and registrations never cross towns (tests/isolation.py)."""
from __future__ import annotations

from datetime import datetime, timezone

from blueprints.events.models import Event, Registration
from tenants.context import tenant_context
from tenants.db import db
from tests.isolation import assert_same_id_stays_home, assert_town_closed, protected_town_routes

EVENT_ID, REGISTRATION_ID = 990011, 990012


def store_event_and_registration(app):
    """``create`` for assert_same_id_stays_home: an event and a registration with the same id,
    token and marker-named title in either town (merged, so it may run more than once)."""

    def create(town, record_id, marker):
        with app.app_context(), tenant_context(town):
            db.session.merge(Event(id=record_id, title=f"Fest {marker}", address="Markt", capacity=5,
                                   starts_at=datetime(2099, 6, 1, 10, tzinfo=timezone.utc),
                                   ends_at=datetime(2099, 6, 1, 12, tzinfo=timezone.utc),
                                   registration_open=True))
            db.session.merge(Registration(id=record_id, event_id=record_id, name=f"Gast {marker}",
                                          email="gast@example.org", status="confirmed",
                                          token=f"gleiches-token-{record_id}",
                                          consent_at=datetime(2099, 1, 1, tzinfo=timezone.utc)))
            db.session.commit()

    return create


def test_the_new_staff_routes_are_closed_to_other_towns_and_anonymous_callers(
        app, client, towns, login_as):
    rules = {rule.rule for _method, rule in protected_town_routes(app)}
    assert "/<town:tenant>/verwaltung/veranstaltungen/<int:event_id>/anmeldungen.pdf" in rules
    assert any(rule.endswith("/events/<record_id:event_id>/registrations")
               for rule in rules)
    assert_town_closed(app, client, towns.a)
    login_as("manager", towns.b)
    assert_town_closed(app, client, towns.a)


def test_an_event_with_the_same_id_stays_in_its_town(app, client, towns, manager_of_both_towns):
    create = store_event_and_registration(app)
    for page in ("/veranstaltungen/{id}", "/veranstaltungen/{id}.ics", "/api/v1/events/{id}",
                 "/verwaltung/veranstaltungen/{id}/anmeldungen",
                 "/api/v1/events/{id}/registrations"):
        assert_same_id_stays_home(client, towns, create=create, record_id=EVENT_ID,
                                  url_for_record=lambda town, record_id, page=page: f"/{town.slug}"
                                  + page.format(id=record_id))


def test_a_registration_token_stays_in_its_town(app, client, towns):
    create = store_event_and_registration(app)
    for action in ("abmelden", "bestaetigen"):
        def token_page(town, record_id, action=action):
            return f"/{town.slug}/veranstaltungen/anmeldung/gleiches-token-{record_id}/{action}"

        assert_same_id_stays_home(client, towns, create=create, record_id=REGISTRATION_ID,
                                  url_for_record=token_page)
