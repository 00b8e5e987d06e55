"""The register as records: for the CSV/XLSX/GeoJSON exports, the API and the maps."""
from __future__ import annotations

from flask import url_for

from blueprints.vacancies import services
from blueprints.vacancies.models import STATUSES, Unit
from blueprints.vacancies.spreadsheet_writing import units_to_csv, units_to_geojson, units_to_xlsx

EXPORT_FIELDS = ("reference", "address", "postcode", "district", "lat", "lon", "area_sqm",
                 "sales_area_sqm", "secondary_area_sqm", "frontage_m", "floor", "usage",
                 "condition", "step_free", "restrictions", "rent_eur_month",
                 "service_charge_eur_month", "available_from", "status", "vacant_since",
                 "owner_name", "owner_email", "owner_phone", "publish", "interim_use_consent",
                 "tags", "notes", "description")


def unit_record(unit: Unit) -> dict:
    """Everything staff keep about a unit, by export field name (internal notes included)."""
    record = {name: getattr(unit, name) for name in EXPORT_FIELDS if hasattr(Unit, name)}
    record["district"] = unit.district.name if unit.district else ""
    record["owner_name"] = unit.owner.name if unit.owner else ""
    record["owner_email"] = unit.owner.email if unit.owner else ""
    record["owner_phone"] = unit.owner.phone if unit.owner else ""
    record["tags"] = list(unit.tags or [])
    return record


def render(kind: str, units: list[Unit]) -> bytes:
    records = [unit_record(unit) for unit in units]
    if kind == "csv":
        return units_to_csv(records, EXPORT_FIELDS)
    if kind == "xlsx":
        return units_to_xlsx(records, EXPORT_FIELDS)
    import json

    return json.dumps(units_to_geojson(records), ensure_ascii=False,
                      default=str).encode()


def map_features(units: list[Unit], *, staff: bool) -> dict:
    """A GeoJSON FeatureCollection for the map: staff see exact points, the public only what
    the owner allowed (the fixed displaced point for "approximate")."""
    features = []
    for unit in units:
        point = (unit.lat, unit.lon) if staff and unit.lat is not None else \
            (None if staff else services.public_point(unit))
        if point is None:
            continue
        title = unit.address if staff else services.public_address(unit)
        link = url_for("vacancies.show" if staff else "vacancies.listed_unit", unit_id=unit.id)
        features.append({"type": "Feature",
                         "geometry": {"type": "Point", "coordinates": [point[1], point[0]]},
                         "properties": {"id": unit.id, "title": title, "status": unit.status,
                                        "status_label": str(STATUSES[unit.status]), "url": link}})
    return {"type": "FeatureCollection", "features": features}
