"""Interim use in the JSON API (CONTRACT.md): applications, their matching units, agreements.

Anyone may send an application (the API twin of the public form, rate-limited
like it); applicants read their own, staff read all of them, the matches and
the agreements. An application someone may not see is a 404, never a 403, so
that its existence stays hidden. The list needs a role in the town (an
applicant gets one with the first confirmed application), so that an outsider
is refused there as on every other protected route (tests/isolation.py).
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from flask import current_app, g, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from pydantic import ConfigDict, Field, ValidationInfo, field_validator
from sqlalchemy import select

from blueprints.api import (
    ApiError,
    Email,
    PageResult,
    Pagination,
    RequestBody,
    ResponseModel,
    api,
    id_param,
    paginate,
)
from blueprints.api.registry import MAX_ID
from blueprints.interim_use import matching, services
from blueprints.interim_use.models import (
    AGREEMENT_STATUSES,
    LEGAL_FORMS,
    STATUSES,
    Agreement,
    Application,
)
from blueprints.town.models import District
from blueprints.vacancies import services as vacancies
from tenants import access
from tenants.access import public, requires, signed_in
from tenants.db import db

APPLICATION_PATH = f"/applications/{id_param('application_id')}"
NO_SUCH_APPLICATION = _l("Diese Bewerbung gibt es nicht.")
CHECK_INPUT = _l("Bitte die Angaben prüfen.")
NO_CONSENT = _l("Ohne Ihre Einwilligung können wir die Bewerbung nicht bearbeiten.")
AREA_REVERSED = _l("Die höchste Fläche ist kleiner als die kleinste.")
DATES_REVERSED = _l("Das Ende liegt vor dem Beginn.")
UNKNOWN_DISTRICTS = _l("Diese Stadtteile gibt es nicht: %(ids)s.")
UNKNOWN_UNIT = _l("Diese Einheit gibt es nicht, oder sie ist nicht ausgeschrieben.")

Status = Literal[tuple(STATUSES)]
Category = Literal[tuple(matching.CATEGORIES)]
Feature = Literal[matching.FEATURES]
LegalForm = Literal[tuple(LEGAL_FORMS)]
AgreementStatus = Literal[tuple(AGREEMENT_STATUSES)]
Area = Annotated[Decimal, Field(ge=0, max_digits=9, decimal_places=2)]
Money = Annotated[Decimal, Field(ge=0, max_digits=10, decimal_places=2)]
RecordId = Annotated[int, Field(ge=1, le=MAX_ID)]



def _consent_is_required(schema: dict) -> None:
    """``consent`` defaults to false only so that a missing one gets our message: it is required."""
    schema.setdefault("required", []).append("consent")
    schema["properties"]["consent"].pop("default", None)


class NewApplication(RequestBody):
    """An application in one go, as the public form sends it."""

    model_config = ConfigDict(json_schema_extra=_consent_is_required)

    applicant_name: Annotated[str, Field(min_length=1, max_length=200)]
    email: Email = Field(description="Ohne Konto bekommt diese Adresse einen Link zur Bestätigung.")
    organisation: Annotated[str, Field(max_length=200)] = ""
    legal_form: LegalForm | None = None
    team: Annotated[str, Field(max_length=5000)] = ""
    phone: Annotated[str, Field(max_length=50)] = ""
    concept: Annotated[str, Field(min_length=30, max_length=10000)]
    category: Category
    area_min_sqm: Area | None = None
    area_max_sqm: Area | None = None
    budget_eur_month: Money | None = Field(None, description="Für Miete und Nebenkosten.")
    start_date: date | None = None
    end_date: date | None = None
    features: Annotated[list[Feature], Field(max_length=len(matching.FEATURES))] = Field(
        default_factory=list)
    districts: Annotated[list[RecordId], Field(max_length=100)] = Field(
        default_factory=list, description="Ids der Wunsch-Stadtteile; leer heißt: jeder Stadtteil.")
    unit_id: RecordId | None = Field(None, description="Die ausgeschriebene Einheit, für die Sie "
                                                       "sich interessieren.")
    consent: bool = Field(False, validate_default=True,
                          description="Einwilligung in die Verarbeitung der Angaben; muss true sein.")

    @field_validator("area_max_sqm")
    @classmethod
    def _area_in_order(cls, value, info: ValidationInfo):
        minimum = info.data.get("area_min_sqm")
        if value is not None and minimum is not None and value < minimum:
            raise ValueError(str(AREA_REVERSED))
        return value

    @field_validator("end_date")
    @classmethod
    def _dates_in_order(cls, value, info: ValidationInfo):
        start = info.data.get("start_date")
        if value is not None and start is not None and value < start:
            raise ValueError(str(DATES_REVERSED))
        return value

    @field_validator("consent")
    @classmethod
    def _consented(cls, value: bool):
        if value is not True:
            raise ValueError(str(NO_CONSENT))
        return value


class ApplicationOut(ResponseModel):
    id: int
    status: Status = Field(description="Ohne Konto zuerst `unconfirmed`, bis die Adresse bestätigt ist.")
    applicant_name: str
    organisation: str
    legal_form: LegalForm | None
    team: str
    email: str
    phone: str
    concept: str
    category: Category | None
    area_min_sqm: Decimal | None
    area_max_sqm: Decimal | None
    budget_eur_month: Decimal | None
    start_date: date | None
    end_date: date | None
    features: list[str]
    districts: list[int] = Field(description="Ids der Wunsch-Stadtteile.")
    unit_id: int | None
    submitted_at: datetime | None
    created_at: datetime


class ApplicationQuery(Pagination):
    status: Status | None = None


class MatchOut(ResponseModel):
    unit_id: int
    score: int = Field(ge=0, le=100)
    reasons: list[str] = Field(description="Je Kriterium ein Satz, in der Reihenfolge der Kriterien.")


class ExcludedUnit(ResponseModel):
    unit_id: int
    conflicts: list[str] = Field(description="Was die Einheit ausschließt, gleich wie gewichtet wird.")


class AgreementOut(ResponseModel):
    id: int
    application_id: int
    unit_id: int
    status: AgreementStatus = Field(description="Erst `approved` (von der Stadt freigegeben) gilt "
                                                "als unterzeichnet.")
    starts_on: date
    ends_on: date
    rent_eur_month: Decimal
    subsidy_eur_month: Decimal
    approved_at: datetime | None


class AgreementQuery(Pagination):
    status: AgreementStatus | None = None
    application_id: int | None = Field(None, ge=1, le=MAX_ID)


@api.post("/applications", summary="Sich um eine Zwischennutzung bewerben", body=NewApplication,
          response=ApplicationOut, status=201,
          rate_limit=lambda: current_app.config["APPLICATION_RATE_LIMIT"])
@public
def create_application(body: NewApplication):
    values = body.model_dump(exclude={"districts", "consent"})
    values["district_ids"] = _known_districts(body.districts)
    values["features"] = list(dict.fromkeys(body.features))
    if body.unit_id is not None and vacancies.get_listed_unit(body.unit_id) is None:
        raise ApiError(422, CHECK_INPUT, code="invalid", fields={"unit_id": str(UNKNOWN_UNIT)})
    user = current_user if current_user.is_authenticated else None
    application = services.create_application(values, user=user)
    db.session.commit()
    return _shown(application), {"Location": url_for("api.get_application",
                                                     application_id=application.id)}


@api.get("/applications", summary="Bewerbungen: für das Team alle, sonst die eigenen",
         query=ApplicationQuery, response=list[ApplicationOut])
@requires("town.apply")  # like the portal: only towns the account belongs to
def list_applications(query: ApplicationQuery):
    statement = select(Application).where(Application.status != "draft")
    if not _is_staff():
        statement = statement.where(Application.user_id == current_user.id)
    if query.status:
        statement = statement.where(Application.status == query.status)
    page = paginate(statement.order_by(Application.id.desc()), query)
    return PageResult(items=[_shown(application) for application in page.items], total=page.total,
                      page=page.page, per_page=page.per_page)


@api.get(APPLICATION_PATH, summary="Eine Bewerbung (eine eigene, oder für das Team jede)",
         response=ApplicationOut)
@signed_in
def get_application(application_id: int):
    return _shown(_application_or_404(application_id))


@api.get(f"{APPLICATION_PATH}/matches", summary="Passende Einheiten, die beste zuerst",
         query=Pagination, response=list[MatchOut])
@requires("town.view")
def list_matches(application_id: int, query: Pagination):
    ranked, _excluded = services.matches_for(_application_or_404(application_id))
    return _page([{"unit_id": match.unit_id, "score": match.score,
                   "reasons": [reason.text for reason in match.reasons]} for match, _unit in ranked],
                 query)


@api.get(f"{APPLICATION_PATH}/matches/excluded",
         summary="Einheiten, die nicht in Frage kommen, mit dem Grund", query=Pagination,
         response=list[ExcludedUnit])
@requires("town.view")
def list_excluded_units(application_id: int, query: Pagination):
    _ranked, excluded = services.matches_for(_application_or_404(application_id))
    return _page([{"unit_id": match.unit_id, "conflicts": list(match.conflicts)}
                  for match, _unit in excluded], query)


@api.get("/agreements", summary="Nutzungsvereinbarungen, die neueste zuerst", query=AgreementQuery,
         response=list[AgreementOut])
@requires("town.view")
def list_agreements(query: AgreementQuery):
    statement = select(Agreement)
    if query.status:
        statement = statement.where(Agreement.status == query.status)
    if query.application_id:
        statement = statement.where(Agreement.application_id == query.application_id)
    return paginate(statement.order_by(Agreement.id.desc()), query)


def _is_staff() -> bool:
    return access.can(current_user, "town.view", g.tenant)


def _application_or_404(application_id: int) -> Application:
    """A sent application the caller may see: staff any, an applicant their own."""
    application = services.get_application(application_id)
    if application is None or not (_is_staff() or (current_user.is_authenticated
                                                    and application.user_id == current_user.id)):
        raise ApiError(404, NO_SUCH_APPLICATION)
    return application


def _known_districts(ids: list[int]) -> list[int]:
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return []
    known = set(db.session.scalars(select(District.id).where(District.id.in_(wanted))))
    unknown = [district_id for district_id in wanted if district_id not in known]
    if unknown:
        message = str(UNKNOWN_DISTRICTS) % {"ids": ", ".join(map(str, unknown))}
        raise ApiError(422, CHECK_INPUT, code="invalid", fields={"districts": message})
    return wanted


def _page(items: list, query: Pagination) -> PageResult:
    """One page of a list computed in Python (the matching ranks the whole register)."""
    start = (query.page - 1) * query.per_page
    return PageResult(items=items[start:start + query.per_page], total=len(items), page=query.page,
                      per_page=query.per_page)


def _shown(application: Application) -> dict:
    """The application as its author or the team see it: everything the author sent."""
    fields = ("id", "status", "applicant_name", "organisation", "legal_form", "team", "email",
              "phone", "concept", "category", "area_min_sqm", "area_max_sqm", "budget_eur_month",
              "start_date", "end_date", "unit_id", "submitted_at", "created_at")
    return {**{name: getattr(application, name) for name in fields},
            "features": list(application.features or []),
            "districts": list(application.district_ids or [])}
