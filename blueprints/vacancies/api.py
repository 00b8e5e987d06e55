"""Units in the JSON API (CONTRACT.md): the public sees what owners agreed to show,
staff see the register."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

from flask import g, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from pydantic import Field, model_validator

from blueprints.api import (ApiError, Changes, Pagination, RequestBody, ResponseModel, api,
                            id_param, paginate)
from blueprints.api.schemas import PageResult
from blueprints.town import services as town
from blueprints.vacancies import services
from tenants import access
from tenants.access import public, requires
from tenants.db import db

UNIT_PATH = f"/units/{id_param('unit_id')}"
NO_SUCH_UNIT = _l("Diese Einheit gibt es nicht.")
Status = Literal["occupied", "vacant", "interim", "negotiating", "let"]
Usage = Literal["retail", "gastronomy", "services", "office", "culture", "other"]
Publish = Literal["no", "exact", "approximate"]
Amount = Annotated[Decimal, Field(ge=0, max_digits=10, decimal_places=2)]
Latitude = Annotated[float, Field(ge=-90, le=90)]
Longitude = Annotated[float, Field(ge=-180, le=180)]


class Unit(ResponseModel):
    id: int
    address: str = Field(description="Für die Öffentlichkeit ohne Hausnummer, wenn nur die ungefähre Lage freigegeben ist.")
    district: str | None
    area_sqm: Decimal | None
    usage: Usage
    rent_eur_month: Decimal | None
    status: Status
    vacant_since: date | None
    publish: Publish
    lat: float | None = Field(description="Für die Öffentlichkeit der verschobene Punkt bei ungefährer Lage.")
    lon: float | None
    interim_use_consent: bool
    available_from: date | None
    endangered: bool | None = Field(None, description="Nur für das Team.")
    notes: str | None = Field(None, description="Nur für das Team.")


class UnitQuery(Pagination):
    status: Status | None = None
    district: int | None = Field(None, description="Id des Stadtteils.")
    usage: Usage | None = None
    area_min: Decimal | None = Field(None, ge=0)
    area_max: Decimal | None = Field(None, ge=0)
    rent_max: Decimal | None = Field(None, ge=0)


class UnitFields(RequestBody):
    """What a client may set; every field of the staff form."""

    address: Annotated[str, Field(min_length=1, max_length=300)]
    postcode: Annotated[str, Field(max_length=10)] = ""
    district: int | None = Field(None, description="Id des Stadtteils.")
    area_sqm: Amount | None = None
    usage: Usage = "retail"
    rent_eur_month: Amount | None = None
    vacant_since: date | None = None
    available_from: date | None = None
    publish: Publish = "no"
    interim_use_consent: bool = False
    lat: Latitude | None = None
    lon: Longitude | None = None
    endangered: bool = False
    notes: Annotated[str, Field(max_length=10000)] = ""

    @model_validator(mode="after")
    def _coordinates_together(self):
        if (self.lat is None) != (self.lon is None):
            raise ValueError("lat and lon go together")
        return self


class NewUnit(UnitFields):
    status: Status = "vacant"


class UnitChanges(Changes):
    address: Annotated[str, Field(min_length=1, max_length=300)] = None
    postcode: Annotated[str, Field(max_length=10)] = None
    district: int | None = None
    area_sqm: Amount | None = None
    usage: Usage = None
    rent_eur_month: Amount | None = None
    status: Status = None
    vacant_since: date | None = None
    available_from: date | None = None
    publish: Publish = None
    interim_use_consent: bool = None
    lat: Latitude | None = None
    lon: Longitude | None = None
    endangered: bool = None
    notes: Annotated[str, Field(max_length=10000)] = None


@api.get("/units", summary="Einheiten: öffentlich die freigegebenen, für das Team das Register",
         query=UnitQuery, response=list[Unit])
@public
def list_units(query: UnitQuery):
    wanted = services.ListingFilter(district_id=query.district, usage=query.usage,
                                    area_min=query.area_min, area_max=query.area_max,
                                    rent_max=query.rent_max)
    if _is_staff():
        statement = services.narrowed(services.register_query(), wanted)
    else:
        statement = services.listing_query(wanted)
    if query.status:
        statement = statement.where(services.Unit.status == query.status)
    page = paginate(statement, query)
    return PageResult(items=[_shown(unit) for unit in page.items], total=page.total,
                      page=page.page, per_page=page.per_page)


@api.get(UNIT_PATH, summary="Eine Einheit", response=Unit)
@public
def get_unit(unit_id: int):
    return _shown(_unit_or_404(unit_id))


@api.post("/units", summary="Eine Einheit anlegen", body=NewUnit, response=Unit, status=201)
@requires("town.manage")
def create_unit(body: NewUnit):
    values = _values(body.model_dump())
    unit = services.create_unit(values, status=body.status, by_user_id=current_user.id)
    db.session.commit()
    return _shown(unit), {"Location": url_for("api.get_unit", unit_id=unit.id)}


@api.patch(UNIT_PATH, summary="Eine Einheit ändern (ein neuer Status kommt in den Verlauf)",
           body=UnitChanges, response=Unit)
@requires("town.manage")
def update_unit(unit_id: int, body: UnitChanges):
    unit = _unit_or_404(unit_id)
    changes = body.model_dump(exclude_unset=True)
    status = changes.pop("status", None)
    values = _values(changes)
    for name in ("address", "usage", "publish", "interim_use_consent", "endangered"):
        if name in values and values[name] is None:
            raise ApiError(422, _l("Bitte die Angaben prüfen."), code="invalid",
                           fields={name: str(_l("Darf nicht leer sein."))})
    services.update_unit(unit, values, by_user_id=current_user.id)
    if status:
        services.change_status(unit, status, on=changes.get("vacant_since"), by_user_id=current_user.id)
    db.session.commit()
    return _shown(unit)


def _values(body: dict) -> dict:
    if "district" in body:
        district_id = body.pop("district")
        if district_id is not None and town.get_district(district_id) is None:
            raise ApiError(422, _l("Bitte die Angaben prüfen."), code="invalid",
                           fields={"district": str(_l("Diesen Stadtteil gibt es nicht."))})
        body["district_id"] = district_id
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
    shown = {"id": unit.id, "district": unit.district.name if unit.district else None,
             "area_sqm": unit.area_sqm, "usage": unit.usage, "rent_eur_month": unit.rent_eur_month,
             "status": unit.status, "vacant_since": unit.vacant_since, "publish": unit.publish,
             "interim_use_consent": unit.interim_use_consent, "available_from": unit.available_from}
    if _is_staff():
        return {**shown, "address": unit.address, "lat": unit.lat, "lon": unit.lon,
                "endangered": unit.endangered, "notes": unit.notes}
    point = services.public_point(unit)
    return {**shown, "address": services.public_address(unit),
            "lat": point[0] if point else None, "lon": point[1] if point else None}
