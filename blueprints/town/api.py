"""The town's districts in the JSON API (declared on the shared API, see blueprints/api)."""
from __future__ import annotations

from datetime import datetime
from typing import Annotated

from flask import url_for
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from pydantic import Field

from blueprints.api import (ApiError, Changes, Pagination, RequestBody, ResponseModel, Text, api,
                            id_param, paginate)
from blueprints.town import services
from tenants.access import public, requires
from tenants.db import db

DISTRICT_PATH = f"/districts/{id_param('district_id')}"
NO_SUCH_DISTRICT = _l("Diesen Stadtteil gibt es nicht.")
DUPLICATE = _l("Diesen Stadtteil gibt es schon.")
DistrictName = Annotated[Text(200, at_least=1),
                         Field(description="Eindeutig in der Stadt, gleich welcher Schreibung.")]
Description = Text(5000)


class District(ResponseModel):
    id: int
    name: str
    description: str
    created_at: datetime


class NewDistrict(RequestBody):
    name: DistrictName
    description: Description = ""


class DistrictChanges(Changes):
    name: DistrictName = None
    description: Description = None


@api.get("/districts", summary="Die Stadtteile, nach Namen", query=Pagination,
         response=list[District])
@public
def list_districts(query: Pagination):
    return paginate(services.districts_in_order(), query)


@api.get(DISTRICT_PATH, summary="Ein Stadtteil", response=District)
@public
def get_district(district_id: int):
    return _district_or_404(district_id)


@api.post("/districts", summary="Einen Stadtteil anlegen", body=NewDistrict, response=District,
          status=201, conflict="Einen Stadtteil dieses Namens gibt es schon.")
@requires("town.manage")
def create_district(body: NewDistrict):
    try:
        district = services.create_district(body.name, body.description)
    except services.DuplicateName:
        raise ApiError(409, DUPLICATE, fields={"name": str(DUPLICATE)}) from None
    return district, {"Location": url_for("api.get_district", district_id=district.id)}


@api.patch(DISTRICT_PATH, summary="Einen Stadtteil ändern", body=DistrictChanges,
           response=District, conflict="Einen anderen Stadtteil dieses Namens gibt es schon.")
@requires("town.manage")
def update_district(district_id: int, body: DistrictChanges):
    district = _district_or_404(district_id)
    try:
        return services.update_district(district, **body.model_dump(exclude_unset=True))
    except services.DuplicateName:
        raise ApiError(409, DUPLICATE, fields={"name": str(DUPLICATE)}) from None


@api.delete(DISTRICT_PATH, summary="Einen Stadtteil löschen, den keine Einheit und keine "
                                    "Veranstaltung nennt", status=204,
            conflict="Einheiten (auch archivierte) oder Veranstaltungen liegen noch in diesem "
                     "Stadtteil; `message` nennt, wie viele.")
@requires("town.manage")
def delete_district(district_id: int):
    district = _district_or_404(district_id)
    try:
        services.delete_district(district)
    except services.DistrictInUse as in_use:
        raise ApiError(409, _in_use_message(in_use), code="district_in_use") from None
    db.session.commit()
    return None, 204


def _in_use_message(in_use: services.DistrictInUse) -> str:
    return str(_l("Der Stadtteil wird noch gebraucht, von %(units)s und %(events)s. Bitte ordnen "
                  "Sie diese zuerst einem anderen Stadtteil zu.",
                  units=ngettext("%(num)d Einheit", "%(num)d Einheiten", in_use.units),
                  events=ngettext("%(num)d Veranstaltung", "%(num)d Veranstaltungen", in_use.events)))


def _district_or_404(district_id: int):
    district = services.get_district(district_id)
    if district is None:
        raise ApiError(404, NO_SUCH_DISTRICT)
    return district
