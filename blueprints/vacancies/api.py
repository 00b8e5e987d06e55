"""Units in the JSON API (CONTRACT.md): the public sees what owners agreed to show,
staff see the register.

DELETE archives a unit: it leaves the public listing, the register's default
view (``?archived=true`` lists the archived ones) and matching, and keeps its
status history and its place in the town's figures. Staff still read it by
its id.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from flask import g, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from pydantic import Field, model_validator

from blueprints.api import (Area, ApiError, Changes, Money, Number, PageResult, Pagination, RecordId,
                            RequestBody, ResponseModel, Text, api, id_param, paginate)
from blueprints.town import services as town
from blueprints.vacancies import services
from tenants import access
from tenants.access import public, requires
from tenants.db import db

UNIT_PATH = f"/units/{id_param('unit_id')}"
NO_SUCH_UNIT = _l("Diese Einheit gibt es nicht.")
NO_SUCH_DISTRICT = _l("Diesen Stadtteil gibt es nicht.")
Status = Literal["occupied", "vacant", "interim", "negotiating", "let"]
Usage = Literal["retail", "gastronomy", "services", "office", "culture", "other"]
Publish = Literal["no", "exact", "approximate"]
Latitude = Annotated[float, Field(ge=-90, le=90)]
Longitude = Annotated[float, Field(ge=-180, le=180)]
Address = Text(300, at_least=1)
Postcode = Text(10)
Notes = Annotated[Text(10000), Field(description="Nur für das Team, nie öffentlich.")]
DistrictId = Annotated[RecordId, Field(description="Id des Stadtteils (`GET /districts`).")]
# A point needs both coordinates: sent together, and null for either means "no point".
COORDINATES_TOGETHER = {"dependentRequired": {"lat": ["lon"], "lon": ["lat"]}}


class Unit(ResponseModel):
    id: int
    address: str = Field(description="Für die Öffentlichkeit ohne Hausnummer, wenn nur die "
                                     "ungefähre Lage freigegeben ist.")
    district: int | None = Field(description="Id des Stadtteils.")
    district_name: str | None = Field(description="Sein Name, zum Lesen.")
    area_sqm: Number | None
    usage: Usage
    rent_eur_month: Number | None
    status: Status
    vacant_since: date | None
    publish: Publish
    lat: float | None = Field(description="Für die Öffentlichkeit der verschobene Punkt bei "
                                          "ungefährer Lage.")
    lon: float | None
    interim_use_consent: bool
    available_from: date | None
    postcode: str | None = Field(None, description="Nur für das Team.")
    endangered: bool | None = Field(None, description="Nur für das Team.")
    notes: str | None = Field(None, description="Nur für das Team.")
    archived_at: datetime | None = Field(None, description="Nur für das Team: seit wann archiviert.")


class UnitQuery(Pagination):
    status: Status | None = None
    district: DistrictId | None = None
    usage: Usage | None = None
    area_min: float | None = Field(None, ge=0, description="Fläche ab (m²).")
    area_max: float | None = Field(None, ge=0, description="Fläche bis (m²).")
    rent_max: float | None = Field(None, ge=0, description="Miete bis (€ im Monat).")
    archived: bool = Field(False, description="Nur für das Team: `true` listet die archivierten "
                                              "Einheiten statt der beobachteten.")


class NewUnit(RequestBody, json_schema_extra=COORDINATES_TOGETHER):
    """What a client may set; every field of the staff form."""

    address: Address
    postcode: Postcode = ""
    district: DistrictId | None = None
    area_sqm: Area | None = None
    usage: Usage = "retail"
    rent_eur_month: Money | None = None
    status: Status = "vacant"
    vacant_since: date | None = None
    available_from: date | None = None
    publish: Publish = "no"
    interim_use_consent: bool = False
    lat: Latitude | None = None
    lon: Longitude | None = None
    endangered: bool = False
    notes: Notes = ""

    @model_validator(mode="after")
    def _coordinates_together(self):
        _refuse_half_a_point(self.model_fields_set)
        return self


class UnitChanges(Changes, json_schema_extra=COORDINATES_TOGETHER):
    """The fields to change; a new ``status`` goes into the history, dated ``vacant_since`` or today."""

    address: Address = None
    postcode: Postcode = None
    district: DistrictId | None = None
    area_sqm: Area | None = None
    usage: Usage = None
    rent_eur_month: Money | None = None
    status: Status = None
    vacant_since: date | None = None
    available_from: date | None = None
    publish: Publish = None
    interim_use_consent: bool = None
    lat: Latitude | None = None
    lon: Longitude | None = None
    endangered: bool = None
    notes: Notes = None

    @model_validator(mode="after")
    def _coordinates_together(self):
        _refuse_half_a_point(self.model_fields_set)
        return self


def _refuse_half_a_point(sent: set[str]) -> None:
    if ("lat" in sent) != ("lon" in sent):
        raise ValueError(str(_l("Bitte lat und lon zusammen angeben.")))


@api.get("/units", summary="Einheiten: öffentlich die freigegebenen, für das Team das Register",
         query=UnitQuery, response=list[Unit])
@public
def list_units(query: UnitQuery):
    wanted = services.ListingFilter(district_id=query.district, usage=query.usage,
                                    area_min=query.area_min, area_max=query.area_max,
                                    rent_max=query.rent_max)
    if _is_staff():
        register = services.RegisterFilter(archived=query.archived)
        statement = services.narrowed(services.register_query(register), wanted)
    else:
        statement = services.listing_query(wanted)
    if query.status:
        statement = statement.where(services.Unit.status == query.status)
    page = paginate(statement, query)
    return PageResult(items=[_shown(unit) for unit in page.items], total=page.total,
                      page=page.page, per_page=page.per_page)


@api.get(UNIT_PATH, summary="Eine Einheit (für das Team auch archivierte)", response=Unit)
@public
def get_unit(unit_id: int):
    return _shown(_unit_or_404(unit_id))


@api.post("/units", summary="Eine Einheit anlegen", body=NewUnit, response=Unit, status=201,
          conflict="Den angegebenen Stadtteil gibt es nicht.")
@requires("town.manage")
def create_unit(body: NewUnit):
    values = _values(body.model_dump(exclude={"status"}))
    unit = services.create_unit(values, status=body.status, by_user_id=current_user.id)
    db.session.commit()
    return _shown(unit), {"Location": url_for("api.get_unit", unit_id=unit.id)}


@api.patch(UNIT_PATH, summary="Eine Einheit ändern (ein neuer Status kommt in den Verlauf)",
           body=UnitChanges, response=Unit, conflict="Den angegebenen Stadtteil gibt es nicht.")
@requires("town.manage")
def update_unit(unit_id: int, body: UnitChanges):
    unit = _unit_or_404(unit_id)
    changes = body.model_dump(exclude_unset=True)
    status = changes.pop("status", None)
    services.update_unit(unit, _values(changes), by_user_id=current_user.id)
    if status:
        services.change_status(unit, status, on=changes.get("vacant_since"), by_user_id=current_user.id)
    db.session.commit()
    return _shown(unit)


@api.delete(UNIT_PATH, summary="Eine Einheit archivieren: Verlauf und Kennzahlen behalten sie",
            status=204)
@requires("town.manage")
def delete_unit(unit_id: int):
    if services.archive(_unit_or_404(unit_id)):
        db.session.commit()
    return None, 204


def _values(body: dict) -> dict:
    """The body as the register's fields: ``district`` is ``district_id``; a point is whole or none."""
    if "district" in body:
        district_id = body.pop("district")
        if district_id is not None and town.get_district(district_id) is None:
            raise ApiError(409, NO_SUCH_DISTRICT, code="unknown_district",
                           fields={"district": str(NO_SUCH_DISTRICT)})
        body["district_id"] = district_id
    if body.get("lat") is None or body.get("lon") is None:
        for name in ("lat", "lon"):
            if name in body:
                body[name] = None
    return body


def _is_staff() -> bool:
    return access.can(current_user, "town.view", g.tenant)


def _unit_or_404(unit_id: int):
    unit = services.get_unit(unit_id) if _is_staff() else services.get_listed_unit(unit_id)
    if unit is None:
        raise ApiError(404, NO_SUCH_UNIT)
    return unit


def _shown(unit) -> dict:
    """The unit as this caller may see it."""
    shown = {"id": unit.id, "district": unit.district_id,
             "district_name": unit.district.name if unit.district else None,
             "area_sqm": unit.area_sqm, "usage": unit.usage, "rent_eur_month": unit.rent_eur_month,
             "status": unit.status, "vacant_since": unit.vacant_since, "publish": unit.publish,
             "interim_use_consent": unit.interim_use_consent, "available_from": unit.available_from}
    if _is_staff():
        return {**shown, "address": unit.address, "postcode": unit.postcode, "lat": unit.lat,
                "lon": unit.lon, "endangered": unit.endangered, "notes": unit.notes,
                "archived_at": unit.archived_at}
    point = services.public_point(unit)
    return {**shown, "address": services.public_address(unit),
            "lat": point[0] if point else None, "lon": point[1] if point else None}
