"""Demo data of the calendar: a weekly market, a late-night shopping evening, a pop-up
exhibition in an empty shop of the register, and a past walk with its attendance."""
from __future__ import annotations

import secrets
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import select

from blueprints.events import services
from blueprints.events.models import Event, Registration
from blueprints.vacancies.models import Unit
from tenants.db import db


def _next(weekday: int, weeks_ahead: int = 0) -> date:
    """The next given weekday (0 = Monday), some weeks ahead."""
    today = date.today()
    return today + timedelta(days=(weekday - today.weekday()) % 7 + 7 * weeks_ahead)


def load(town, people: dict[str, int]) -> None:
    """Add the town's demo events where missing (found again by their titles)."""
    known = set(db.session.scalars(select(Event.title)))
    first_unit = db.session.scalars(select(Unit).where(Unit.interim_use_consent.is_(True))
                                    .order_by(Unit.reference)).first()
    plans = [
        (f"Wochenmarkt {town.name}", "market", "Regionales Obst, Gemüse, Käse und Blumen.",
         _next(4), time(8), time(13), "weekly", _next(4, 8), {"address": "Markt"}),
        ("Lange Einkaufsnacht", "shopping", "Die Läden der Innenstadt haben bis 22 Uhr geöffnet, "
         "mit Musik auf dem Markt.", _next(5, 3), time(17), time(22), None, None,
         {"address": "Innenstadt"}),
    ]
    if first_unit is not None:
        plans.append(("Pop-up-Ausstellung im Leerstand", "popup",
                      "Junge Künstler:innen zeigen ihre Arbeiten in einem leeren Laden.",
                      _next(3, 2), time(16), time(20), None, None,
                      {"unit_id": first_unit.id, "capacity": 40, "registration_open": True}))
    for title, category, description, day, starts, ends, repeat, until, place in plans:
        if title in known:
            continue
        services.create_events({"title": title, "category": category, "description": description,
                                **place}, day=day, starts=starts, ends=ends, repeat=repeat,
                               until=until)
    if PAST_WALK not in known:
        _past_walk_with_attendance()


PAST_WALK = "Stadtteilspaziergang: Leerstand entdecken"
WALKERS = ("Anke Becker", "Jonas Richter", "Petra Lorenz", "Murat Yilmaz", "Heike Schubert",
           "Tom Fiedler")


def _past_walk_with_attendance() -> None:
    """Three weeks ago: six confirmed, four came, so the dashboard's figures are not all zero."""
    [walk] = services.create_events(
        {"title": PAST_WALK, "category": "meeting", "address": "Treffpunkt Markt",
         "description": "Ein Rundgang zu leeren Läden und ihren Möglichkeiten.",
         "capacity": 20, "registration_open": True},
        day=date.today() - timedelta(weeks=3), starts=time(17), ends=time(19))
    db.session.flush()
    registered = datetime.now(timezone.utc) - timedelta(weeks=4)
    for number, name in enumerate(WALKERS):
        came = walk.ends_at if number < 4 else None
        db.session.add(Registration(
            event_id=walk.id, name=name, email=f"{name.split()[0].lower()}@example.org",
            status="confirmed", token=secrets.token_urlsafe(32), consent_at=registered,
            confirmed_at=registered, checked_in_at=came))
