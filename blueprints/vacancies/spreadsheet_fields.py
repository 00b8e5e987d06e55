"""The unit fields a spreadsheet column can hold: label, kind, the headers that name it.

Shared by the import (which column is which field, how a cell parses) and the
export (the header of each column, how its values are written). Lengths and
decimal places come from the models, so a checked row always fits its column.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from blueprints.actors.models import Actor
from blueprints.vacancies.models import CONDITIONS, PUBLISH, STATUSES, USAGES, Unit

LONG_TEXT = 10_000  # for Text columns, which have no length of their own


@dataclass(frozen=True)
class Field:
    """A unit field a column can be mapped to."""

    name: str
    label: LazyString  # str() gives it in the current language
    kind: str  # text, postcode, email, decimal, coordinate, floor, boolean, date, choice, …
    aliases: tuple[str, ...] = ()
    max_length: int = LONG_TEXT
    precision: int = 0  # decimal: total digits …
    scale: int = 0  # … of which after the decimal mark
    bound: int = 0  # coordinate: allowed from -bound to bound
    choices: dict | None = None
    synonyms: dict | None = None


def _length(model, column: str) -> int:
    return model.__table__.c[column].type.length or LONG_TEXT


def _text(name, label, *aliases, model=Unit, column=None) -> Field:
    return Field(name, label, "text", aliases, max_length=_length(model, column or name))


def _decimal(name, label, *aliases) -> Field:
    column_type = Unit.__table__.c[name].type
    return Field(name, label, "decimal", aliases, precision=column_type.precision,
                 scale=column_type.scale)


def _choice(name, label, choices, synonyms, *aliases) -> Field:
    return Field(name, label, "choice", aliases, choices=choices, synonyms=synonyms)


STATUS_SYNONYMS = {"leer": "vacant", "leerstand": "vacant", "leerstehend": "vacant",
                   "vermietet": "let", "genutzt": "occupied", "belegt": "occupied",
                   "zwischennutzung": "interim", "in verhandlung": "negotiating",
                   "verhandlung": "negotiating", "reserviert": "negotiating"}
USAGE_SYNONYMS = {"einzelhandel": "retail", "handel": "retail", "laden": "retail",
                  "gastronomie": "gastronomy", "gastro": "gastronomy",
                  "dienstleistung": "services", "dienstleistungen": "services",
                  "büro": "office", "kultur": "culture", "sonstiges": "other", "sonstige": "other"}
CONDITION_SYNONYMS = {"bezugsfertig": "ready", "kleinere arbeiten nötig": "light_work",
                      "renovierungsbedürftig": "renovation", "rohbau": "shell"}
PUBLISH_SYNONYMS = {"ja": "exact", "genau": "exact", "mit genauer adresse": "exact",
                    "nein": "no", "nicht veröffentlichen": "no", "ungefähr": "approximate",
                    "ungefähre lage": "approximate", "nur ungefähre lage": "approximate"}

FIELDS: dict[str, Field] = {definition.name: definition for definition in (
    _text("reference", _l("Objektnummer"), "Nr", "Nummer", "Objektnummer", "Objekt-Nr", "ID",
          "Referenz"),
    _text("address", _l("Adresse"), "Adresse", "Straße", "Straße und Hausnummer", "Anschrift"),
    Field("postcode", _l("PLZ"), "postcode", ("PLZ", "Postleitzahl"),
          max_length=_length(Unit, "postcode")),
    Field("district", _l("Stadtteil"), "district", ("Stadtteil", "Quartier", "Ortsteil")),
    Field("lat", _l("Breitengrad"), "coordinate", ("Breite", "Lat", "Latitude", "Breitengrad"),
          bound=90),
    Field("lon", _l("Längengrad"), "coordinate",
          ("Länge", "Lon", "Lng", "Longitude", "Längengrad"), bound=180),
    _decimal("area_sqm", _l("Fläche (m²)"), "Fläche", "Fläche m²", "Gesamtfläche"),
    _decimal("sales_area_sqm", _l("Verkaufsfläche (m²)"), "Verkaufsfläche"),
    _decimal("secondary_area_sqm", _l("Nebenfläche (m²)"), "Nebenfläche"),
    _decimal("frontage_m", _l("Schaufensterfront (m)"), "Schaufenster", "Schaufensterfront"),
    Field("floor", _l("Etage"), "floor", ("Etage", "Geschoss", "Stockwerk")),
    _choice("usage", _l("Nutzung"), USAGES, USAGE_SYNONYMS, "Nutzung", "Nutzungsart", "Branche"),
    _choice("condition", _l("Zustand"), CONDITIONS, CONDITION_SYNONYMS, "Zustand"),
    Field("step_free", _l("Barrierefrei"), "boolean", ("Barrierefrei", "stufenlos")),
    _text("restrictions", _l("Einschränkungen"), "Einschränkungen"),
    _decimal("rent_eur_month", _l("Kaltmiete (€/Monat)"), "Miete", "Kaltmiete", "Miete €/Monat"),
    _decimal("service_charge_eur_month", _l("Nebenkosten (€/Monat)"), "Nebenkosten"),
    Field("available_from", _l("Verfügbar ab"), "date", ("verfügbar ab", "frei ab")),
    _choice("status", _l("Status"), STATUSES, STATUS_SYNONYMS, "Status"),
    Field("vacant_since", _l("Leer seit"), "date", ("leer seit", "Leerstand seit")),
    _text("owner_name", _l("Eigentümer:in"), "Eigentümer", "Eigentümerin", "Eigentümer:in",
          model=Actor, column="name"),
    Field("owner_email", _l("E-Mail Eigentümer:in"), "email",
          ("E-Mail", "Email", "E-Mail Eigentümer"), max_length=_length(Actor, "email")),
    _text("owner_phone", _l("Telefon Eigentümer:in"), "Telefon", "Tel", "Telefon Eigentümer",
          model=Actor, column="phone"),
    _choice("publish", _l("Veröffentlichen"), PUBLISH, PUBLISH_SYNONYMS, "Veröffentlichen",
            "Veröffentlichung"),
    Field("interim_use_consent", _l("Zwischennutzung möglich"), "boolean",
          ("Zwischennutzung", "Zwischennutzung erlaubt")),
    Field("tags", _l("Schlagworte"), "tags", ("Schlagworte", "Schlagwörter", "Tags")),
    _text("notes", _l("Notizen (intern)"), "Notizen", "Notiz", "Bemerkung", "Bemerkungen"),
    _text("description", _l("Beschreibung (öffentlich)"), "Beschreibung", "Exposé"),
)}
