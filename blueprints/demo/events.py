"""Demo data of the calendar: a weekly market, a late-night shopping evening, a pop-up
exhibition in an empty shop of the register."""
from __future__ import annotations

from datetime import date, time, timedelta

from sqlalchemy import select

from blueprints.events import services
from blueprints.events.models import Event
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
