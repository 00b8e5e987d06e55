"""Attendance feeds the town's figures: events held, confirmed registrations, who came."""
from __future__ import annotations

import secrets
from datetime import date, datetime, timedelta, timezone

from blueprints.events import services
from blueprints.events.models import Event, Registration
from blueprints.town import services as town
from tenants.context import tenant_context
from tenants.db import db
from tests.conftest import unique


def held_event(ends_at: datetime, *, district_id=None, cancelled=False,
               statuses=(), checked_in=0) -> Event:
    """An event that ended at ``ends_at`` with registrations of ``statuses``; the first
    ``checked_in`` of them came."""
    event = Event(title=unique("Lesung "), starts_at=ends_at - timedelta(hours=2), ends_at=ends_at,
                  address="Markt", district_id=district_id, cancelled=cancelled, capacity=10,
                  registration_open=True)
    for number, status in enumerate(statuses):
        event_registration = Registration(
            event=event, name=f"Gast {number}", email=f"{unique('gast')}@example.org", status=status,
            token=secrets.token_urlsafe(16), consent_at=ends_at,
            checked_in_at=ends_at - timedelta(hours=1) if number < checked_in else None)
        db.session.add(event_registration)
    db.session.add(event)
    return event


def on(day: date, hour: int = 20) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=timezone.utc)


def test_only_events_held_in_the_period_and_district_count(app, towns):
    with app.app_context(), tenant_context(towns.a):
        district = town.create_district(unique("Messeviertel ")).id
        other = town.create_district(unique("Nordviertel ")).id
        held_event(on(date(2001, 3, 1)), district_id=district,
                   statuses=("confirmed", "confirmed", "confirmed", "confirmed", "waitlisted",
                             "pending", "cancelled"), checked_in=3)
        held_event(on(date(2001, 12, 31), 22), district_id=district)  # 23:00 in Berlin: still 2001
        held_event(on(date(2001, 5, 1)), district_id=district, cancelled=True, statuses=("confirmed",))
        held_event(on(date(2001, 12, 31), 23), district_id=district, statuses=("confirmed",))  # 2002 locally
        held_event(on(date(2001, 6, 1)), district_id=other, statuses=("confirmed",), checked_in=1)
        db.session.commit()

        figures = services.attendance_figures(date(2001, 1, 1), date(2001, 12, 31), district)
        assert (figures.events_held, figures.confirmed, figures.checked_in) == (2, 4, 3)
        assert figures.rate == 0.75
        whole_town = services.attendance_figures(date(2001, 1, 1), date(2001, 12, 31))
        assert (whole_town.events_held, whole_town.confirmed, whole_town.checked_in) == (3, 5, 4)
        # Seen from 1 June 2001 the last event of the year has not happened yet.
        so_far = services.attendance_figures(date(2001, 1, 1), date(2001, 12, 31), district,
                                             now=on(date(2001, 6, 1)))
        assert (so_far.events_held, so_far.confirmed) == (1, 4)
        nobody = services.attendance_figures(date(1999, 1, 1), date(1999, 12, 31), district)
        assert (nobody.events_held, nobody.rate) == (0, None)


def test_the_dashboard_and_the_event_list_show_this_years_figures(app, client, towns, login_as):
    with app.app_context(), tenant_context(towns.b):
        just_ended = datetime.now(timezone.utc) - timedelta(minutes=1)
        held_event(just_ended, statuses=("confirmed", "confirmed"), checked_in=1)
        db.session.commit()
        year, figures = services.attendance_this_year()
    assert figures.events_held >= 1 and figures.checked_in >= 1
    login_as("partner", towns.b)
    for path in ("/verwaltung/", "/verwaltung/veranstaltungen/"):
        page = " ".join(client.get(f"/{towns.b.slug}{path}").text.split())
        assert f"{year} bis heute" in page
        assert f"Veranstaltungen durchgeführt</dt><dd>{figures.events_held}</dd>" in page
        assert f"Bestätigte Anmeldungen</dt><dd>{figures.confirmed}</dd>" in page
        assert f"Eingecheckt</dt><dd>{figures.checked_in}</dd>" in page
