"""Demo data of the vacancy register: owners, units with a history, a report, location data.

Addresses are real street names of the demo towns with made-up details; owners
are invented. Runs after the town contribution (districts exist).
"""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from blueprints.actors import services as actors
from blueprints.town.models import District
from blueprints.vacancies import location, services
from blueprints.vacancies.models import Unit, VacancyReport

# (reference, address, district, lat, lon, m², rent, usage, status, days ago, publish, owner, interim ok)
UNITS = {
    "stollberg": (
        ("ST-001", "Hauptmarkt 9", "Altstadt", 50.70873, 12.77788, "62", "540", "retail", "vacant", 410, "exact", "Familie Körner", True),
        ("ST-002", "Herrenstraße 4", "Altstadt", 50.70812, 12.77651, "38", "320", "services", "vacant", 190, "approximate", "Erbengemeinschaft Seidel", True),
        ("ST-003", "Zwönitzer Straße 12", "Altstadt", 50.70731, 12.77904, "95", "780", "gastronomy", "negotiating", 620, "exact", "Stollberger Wohnungsbau GmbH", False),
        ("ST-004", "Bahnhofstraße 21", "Bahnhofsvorstadt", 50.70462, 12.78566, "48", "350", "retail", "interim", 300, "no", "Familie Körner", True),
        ("ST-005", "Hohensteiner Straße 3", "Bahnhofsvorstadt", 50.70555, 12.78290, "120", "950", "office", "occupied", 1200, "no", "Stollberger Wohnungsbau GmbH", False),
    ),
    "burgstaedt": (
        ("BU-001", "Markt 5", "Innenstadt", 50.91689, 12.81081, "74", "590", "retail", "vacant", 260, "exact", "Familie Brückner", True),
        ("BU-002", "Brühl 14", "Innenstadt", 50.91727, 12.80917, "55", "410", "culture", "vacant", 80, "approximate", "Herr Lorenz", True),
        ("BU-003", "Am Taurastein 2", "Innenstadt", 50.91590, 12.81220, "88", "700", "gastronomy", "let", 900, "no", "Familie Brückner", False),
    ),
}


def load(town, people: dict[str, int]) -> None:
    """Add the owners, units, a resident's report and the location profile where missing."""
    districts = {d.name: d.id for d in select_all(District)}
    known = {unit.reference for unit in select_all(Unit)}
    owners: dict = actors.actors_by_name()
    for (reference, address, district, lat, lon, area, rent, usage, status, days_ago, publish,
         owner, interim) in UNITS.get(town.slug, ()):
        if reference in known:
            continue
        owner_actor = actors.find_or_create_owner(owner, known=owners)
        services.create_unit({
            "reference": reference, "address": address, "postcode": "09366" if town.slug == "stollberg" else "09217",
            "district_id": districts.get(district), "lat": lat, "lon": lon,
            "area_sqm": Decimal(area), "rent_eur_month": Decimal(rent), "usage": usage,
            "publish": publish, "interim_use_consent": interim,
            "description": "Ladenlokal im Erdgeschoss mit Schaufenster zur Straße."},
            status=status, status_on=date.today() - timedelta(days=days_ago),
            by_user_id=people["manager"]).owner = owner_actor
    if not select_all(VacancyReport):
        services.create_report(address="Hauptstraße 30" if town.slug == "stollberg" else "Brühl 3",
                               note="Seit dem Sommer geschlossen, Schaufenster zugeklebt.",
                               reporter_name="Anwohnerin")
    if location.profile_for(None) is None:
        location.save_profile(None, {
            "population": 11_200 if town.slug == "stollberg" else 10_400,
            "purchasing_power_index": Decimal("88.4") if town.slug == "stollberg" else Decimal("86.9"),
            "anchor_tenants": "Wochenmarkt (Di, Fr), Drogerie, Apotheken, Bäckereien",
            "transport": "Bahnhof und Busbahnhof in wenigen Gehminuten; B 169 / B 180",
            "parking": "Kostenfreie Parkplätze am Markt (2 Stunden mit Parkscheibe)",
            "contact_name": "Katrin Lehmann, Quartiersmanagement",
            "contact_email": "quartier@demo.quartier.example", "contact_phone": "0000 000000"})


def select_all(model) -> list:
    from tenants.db import db

    return list(db.session.scalars(select(model)))
