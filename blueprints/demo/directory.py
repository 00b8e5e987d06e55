"""Demo data of the traders' directory: a few shops, cafés and services per town.

The traders are actors of the register (kind "trader"), found again by name;
businesses and people are invented, the streets are real.
"""
from __future__ import annotations

import re
import unicodedata

from sqlalchemy import select

from blueprints.actors import services as actors
from blueprints.actors.models import Actor
from blueprints.marketing import directory
from blueprints.town.models import District
from tenants.db import db

WEEKDAYS_9_TO_18 = ["9–18 Uhr"] * 5 + ["9–12 Uhr", "geschlossen"]

# (name, address, district, category, lat, lon, description, opening hours, phone, website)
TRADERS = {
    "stollberg": (
        ("Bäckerei Sonntag", "Hauptmarkt 3, 09366 Stollberg", "Altstadt", "gastronomy", 50.70852, 12.77745,
         "Brot und Brötchen aus dem Holzofen, sonntags frischer Kuchen.",
         ["6–18 Uhr"] * 5 + ["6–12 Uhr", "7–11 Uhr"], "037296 0001", ""),
        ("Buchhandlung am Markt", "Hauptmarkt 11, 09366 Stollberg", "Altstadt", "retail", 50.70891, 12.77812,
         "Romane, Kinderbücher und Regionales aus dem Erzgebirge; Bestellung bis zum nächsten Morgen.",
         WEEKDAYS_9_TO_18, "037296 0002", "https://buchhandlung-stollberg.example"),
        ("Café Herrenstraße", "Herrenstraße 7, 09366 Stollberg", "Altstadt", "gastronomy", 50.70801, 12.77633,
         "Frühstück, Mittagstisch und hausgemachte Torten.",
         ["geschlossen"] + ["8–18 Uhr"] * 6, "037296 0003", ""),
        ("Fahrrad Uhlig", "Bahnhofstraße 15, 09366 Stollberg", "Bahnhofsvorstadt", "crafts", 50.70471, 12.78522,
         "Reparatur, Verkauf und Verleih von Fahrrädern und E-Bikes.",
         WEEKDAYS_9_TO_18, "037296 0004", ""),
    ),
    "burgstaedt": (
        ("Blumen Winkler", "Markt 2, 09217 Burgstädt", "Innenstadt", "retail", 50.91671, 12.81052,
         "Sträuße, Pflanzen und Trauerfloristik.", WEEKDAYS_9_TO_18, "03724 0001", ""),
        ("Apotheke an der Brühl", "Brühl 8, 09217 Burgstädt", "Innenstadt", "health", 50.91712, 12.80958,
         "Beratung, Botendienst und Kosmetik.",
         ["8–18:30 Uhr"] * 5 + ["8–12 Uhr", "geschlossen"], "03724 0002", ""),
        ("Eiscafé Dolomiti", "Markt 9, 09217 Burgstädt", "Innenstadt", "gastronomy", 50.91699, 12.81119,
         "Eis aus eigener Herstellung, von März bis Oktober.", ["11–20 Uhr"] * 7, "03724 0003", ""),
    ),
}


def load(town, people: dict[str, int]) -> None:
    """Add the town's traders and their published entries where missing."""
    districts = {d.name: d.id for d in db.session.scalars(select(District))}
    known = {actor.name: actor for actor in db.session.scalars(select(Actor))}
    for (name, address, district, category, lat, lon, description, hours, phone,
         website) in TRADERS.get(town.slug, ()):
        actor = known.get(name) or actors.save_actor(
            kind="trader", name=name, address=address, phone=phone,
            email=f"{_local_part(name)}@{town.slug}.demo.quartier.example")
        db.session.flush()  # the entry refers to the actor's id
        if directory.entry_of_actor(actor.id) is not None:
            continue
        entry = directory.create_entry(actor)
        directory.save_by_staff(entry, {
            "category": category, "description": description, "opening_hours": hours,
            "website": website, "district_id": districts.get(district), "lat": lat, "lon": lon})
        directory.set_published(entry, True)


def _local_part(name: str) -> str:
    """"Café Herrenstraße" → "cafe-herrenstrae": an address any mail server takes."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
