"""The town's districts in the JSON API (declared on the shared API, see blueprints/api)."""
from __future__ import annotations

from datetime import datetime
from typing import Annotated

from flask import url_for
from flask_babel import lazy_gettext as _l
from pydantic import Field

from blueprints.api import (ApiError, Changes, Pagination, RequestBody, ResponseModel, api,
                            id_param, paginate)
from blueprints.town import services
from tenants.access import public, requires

DISTRICT_PATH = f"/districts/{id_param('district_id')}"
NO_SUCH_DISTRICT = _l("Diesen Stadtteil gibt es nicht.")
DUPLICATE = _l("Diesen Stadtteil gibt es schon.")
DistrictName = Annotated[str, Field(min_length=1, max_length=200,
                                   description="Eindeutig in der Stadt, gleich welcher Schreibung.")]
Description = Annotated[str, Field(max_length=5000)]


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


def _district_or_404(district_id: int):
    district = services.get_district(district_id)
    if district is None:
        raise ApiError(404, NO_SUCH_DISTRICT)
    return district
