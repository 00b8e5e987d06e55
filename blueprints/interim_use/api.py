"""Interim use in the JSON API (CONTRACT.md): applications, their matching units, agreements.

Anyone may send an application (the API twin of the public form, rate-limited
like it); applicants read their own, staff read all of them, the matches and
the agreements. An application someone may not see is a 404, never a 403, so
that its existence stays hidden. The list needs a role in the town (an
applicant gets one with the first confirmed application), so that an outsider
is refused there as on every other protected route (tests/isolation.py).

Staff move an application on with ``PATCH {"status": …}``: each step goes
through interim_use/workflow.py as on the staff page, with what that step
needs (the units offered, the unit the owner agreed to, the outcome, the
reason for a rejection). ``DELETE`` erases an application as its author may
(not while a use is agreed or running). Agreements are drawn up from the
town's template, changed and deleted while they are drafts; approving one is
a partner's (``town.approve``), and only that counts as signed.
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from flask import current_app, g, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from pydantic import ConfigDict, Field, ValidationInfo, field_validator, model_validator
from sqlalchemy import select

from blueprints.api import (
    ApiError,
    Area,
    Changes,
    Email,
    Money,
    Number,
    PageResult,
    Pagination,
    RecordId,
    RequestBody,
    ResponseModel,
    Text,
    WholeNumber,
    api,
    id_param,
    paginate,
)
from blueprints.interim_use import matching, services, workflow
from blueprints.interim_use.models import (
    AGREEMENT_STATUSES,
    LEGAL_FORMS,
    OUTCOMES,
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
AGREEMENT_PATH = f"/agreements/{id_param('agreement_id')}"
NO_SUCH_APPLICATION = _l("Diese Bewerbung gibt es nicht.")
NO_SUCH_AGREEMENT = _l("Diese Vereinbarung gibt es nicht.")
NO_CONSENT = _l("Ohne Ihre Einwilligung können wir die Bewerbung nicht bearbeiten.")
AREA_REVERSED = _l("Die höchste Fläche ist kleiner als die kleinste.")
DATES_REVERSED = _l("Das Ende liegt vor dem Beginn.")
SUBSIDY_ABOVE_RENT = _l("Der Zuschuss ist höher als die Miete.")
UNKNOWN_DISTRICTS = _l("Diese Stadtteile gibt es nicht: %(ids)s.")
UNKNOWN_UNIT = _l("Diese Einheit gibt es nicht, oder sie ist nicht ausgeschrieben.")

Status = Literal[tuple(STATUSES)]
Category = Literal[tuple(matching.CATEGORIES)]
Feature = Literal[matching.FEATURES]
LegalForm = Literal[tuple(LEGAL_FORMS)]
Outcome = Literal[tuple(OUTCOMES)]
AgreementStatus = Literal[tuple(AGREEMENT_STATUSES)]
Note = Annotated[Text(5000), Field(description="Geht mit der E-Mail an die Bewerber:in.")]
NoticeWeeks = Annotated[int, Field(ge=0, le=52), WholeNumber]


def _consent_is_required(schema: dict) -> None:
    """``consent`` defaults to false only so that a missing one gets our message: it is required."""
    schema.setdefault("required", []).append("consent")
    schema["properties"]["consent"].pop("default", None)
    schema["properties"]["consent"]["const"] = True


class NewApplication(RequestBody):
    """An application in one go, as the public form sends it. The largest area is not below
    the smallest, and the end not before the start."""

    model_config = ConfigDict(json_schema_extra=_consent_is_required)

    applicant_name: Text(200, at_least=1)
    email: Email = Field(description="Ohne Konto bekommt diese Adresse einen Link zur Bestätigung.")
    organisation: Text(200) = ""
    legal_form: LegalForm | None = None
    team: Text(5000) = ""
    phone: Text(50) = ""
    concept: Text(10000, at_least=30)
    category: Category
    area_min_sqm: Area | None = None
    area_max_sqm: Area | None = Field(None, description="Nicht kleiner als `area_min_sqm`.")
    budget_eur_month: Money | None = Field(None, description="Für Miete und Nebenkosten.")
    start_date: date | None = None
    end_date: date | None = Field(None, description="Nicht vor `start_date`.")
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
    area_min_sqm: Number | None
    area_max_sqm: Number | None
    budget_eur_month: Number | None
    start_date: date | None
    end_date: date | None
    features: list[str]
    districts: list[int] = Field(description="Ids der Wunsch-Stadtteile.")
    unit_id: int | None = Field(description="Die Einheit: erst die, von der die Bewerbung kam; "
                                            "ab `owner_agreed` die vereinbarte.")
    proposed_unit_ids: list[int] = Field(description="Die vorgeschlagenen Einheiten (`proposed`).")
    outcome: Outcome | None = Field(description="Wie die Zwischennutzung endete (`ended`).")
    submitted_at: datetime | None
    created_at: datetime


class ApplicationQuery(Pagination):
    status: Status | None = None


class InReview(RequestBody):
    status: Literal["in_review"]
    note: Note = ""


class Proposed(RequestBody):
    status: Literal["proposed"]
    unit_ids: Annotated[list[RecordId], Field(min_length=1, max_length=50, description=(
        "Die Einheiten, die der Bewerber:in vorgeschlagen werden; jede mit Zustimmung der "
        "Eigentümer:in zur Zwischennutzung."))]
    note: Note = ""


class OwnerAgreed(RequestBody):
    status: Literal["owner_agreed"]
    unit_id: Annotated[RecordId, Field(description="Die vorgeschlagene Einheit, deren "
                                                   "Eigentümer:in zugestimmt hat.")]
    note: Note = ""


class Active(RequestBody):
    status: Literal["active"]
    note: Note = ""


class Ended(RequestBody):
    status: Literal["ended"]
    outcome: Outcome
    note: Note = ""


class Rejected(RequestBody):
    status: Literal["rejected"]
    reason: Annotated[Text(5000, at_least=1), Field(description="Geht mit der E-Mail an die "
                                                                "Bewerber:in.")]


# One step on the application's way; "agreement_signed" comes only from a partner's approval.
ApplicationStep = Annotated[InReview | Proposed | OwnerAgreed | Active | Ended | Rejected,
                            Field(discriminator="status")]


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
    purpose: str
    starts_on: date
    ends_on: date
    notice_weeks: int
    rent_eur_month: Number
    subsidy_eur_month: Number = Field(description="Der Anteil der Stadt an der Miete.")
    deposit_eur: Number
    keys_and_handover: str
    text: str = Field(description="Die Vorlage der Stadt, ausgefüllt.")
    approved_at: datetime | None
    created_at: datetime


class AgreementQuery(Pagination):
    status: AgreementStatus | None = None
    application_id: RecordId | None = None


def _terms_in_order(agreement):
    if agreement.starts_on is not None and agreement.ends_on is not None \
            and agreement.ends_on < agreement.starts_on:
        raise ValueError(str(DATES_REVERSED))
    if agreement.subsidy_eur_month is not None and agreement.rent_eur_month is not None \
            and agreement.subsidy_eur_month > agreement.rent_eur_month:
        raise ValueError(str(SUBSIDY_ABOVE_RENT))
    return agreement


class NewAgreement(RequestBody):
    """The terms, as in the staff form; the text comes from the town's template. The end is not
    before the start, and the subsidy not above the rent."""

    application_id: Annotated[RecordId, Field(description="Eine Bewerbung bei `owner_agreed`; "
                                                          "ihre Einheit ist die der Vereinbarung.")]
    purpose: Text(5000, at_least=1)
    starts_on: date
    ends_on: date
    notice_weeks: NoticeWeeks = 4
    rent_eur_month: Money = Field(description="0 für mietfrei.")
    subsidy_eur_month: Money = Field(default_factory=lambda: Decimal(0), description="Fehlt er: 0.")
    deposit_eur: Money = Field(default_factory=lambda: Decimal(0), description="Fehlt sie: 0.")
    keys_and_handover: Text(5000) = ""

    @model_validator(mode="after")
    def _in_order(self):
        return _terms_in_order(self)


class AgreementChanges(Changes):
    """Terms of a draft to change; the text is filled in again. Those sent together are in order,
    as are the terms after the change."""

    purpose: Text(5000, at_least=1) = None
    starts_on: date = None
    ends_on: date = None
    notice_weeks: NoticeWeeks = None
    rent_eur_month: Money = None
    subsidy_eur_month: Money = None
    deposit_eur: Money = None
    keys_and_handover: Text(5000) = None

    @model_validator(mode="after")
    def _in_order(self):
        return _terms_in_order(self)


@api.post("/applications", summary="Sich um eine Zwischennutzung bewerben", body=NewApplication,
          response=ApplicationOut, status=201,
          conflict="Einen der Wunsch-Stadtteile gibt es nicht, oder die Einheit ist nicht ausgeschrieben.",
          rate_limit=lambda: current_app.config["APPLICATION_RATE_LIMIT"])
@public
def create_application(body: NewApplication):
    values = body.model_dump(exclude={"districts", "consent"})
    values["district_ids"] = _known_districts(body.districts)
    values["features"] = list(dict.fromkeys(body.features))
    if body.unit_id is not None and vacancies.get_listed_unit(body.unit_id) is None:
        raise ApiError(409, UNKNOWN_UNIT, code="unknown_unit", fields={"unit_id": str(UNKNOWN_UNIT)})
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


@api.patch(APPLICATION_PATH, summary="Eine Bewerbung einen Schritt weiterbringen, oder ablehnen",
           body=ApplicationStep, response=ApplicationOut,
           conflict="Dieser Schritt geht von hier aus nicht, oder eine genannte Einheit passt nicht; "
                    "`message` sagt, warum.")
@requires("town.manage")
def update_application(application_id: int, body: ApplicationStep):
    application = _application_or_404(application_id)
    try:
        if isinstance(body, Rejected):
            workflow.close(application, "rejected", reason=body.reason, by_user_id=current_user.id)
        else:
            workflow.advance(application, body.status, by_user_id=current_user.id, note=body.note,
                             unit_ids=getattr(body, "unit_ids", None), unit_id=getattr(body, "unit_id", None),
                             outcome=getattr(body, "outcome", None))
    except workflow.StepRefused as refused:
        db.session.rollback()
        raise ApiError(409, str(refused), code="step_refused") from None
    db.session.commit()
    return _shown(application)


@api.delete(APPLICATION_PATH, summary="Eine Bewerbung mit ihren Unterlagen löschen (nicht während "
                                      "einer vereinbarten oder laufenden Nutzung)", status=204,
            conflict="Eine Zwischennutzung ist vereinbart oder läuft.")
@requires("town.manage")
def delete_application(application_id: int):
    try:
        services.erase(_application_or_404(application_id))
    except workflow.StepRefused as refused:
        raise ApiError(409, str(refused), code="in_use") from None
    db.session.commit()
    return None, 204


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


@api.get(AGREEMENT_PATH, summary="Eine Nutzungsvereinbarung", response=AgreementOut)
@requires("town.view")
def get_agreement(agreement_id: int):
    return _agreement_or_404(agreement_id)


@api.post("/agreements", summary="Eine Nutzungsvereinbarung aus der Vorlage der Stadt aufsetzen",
          body=NewAgreement, response=AgreementOut, status=201,
          conflict="Die Bewerbung gibt es nicht, oder die Eigentümer:in hat (noch) nicht zugestimmt.")
@requires("town.manage")
def create_agreement(body: NewAgreement):
    application = services.get_application(body.application_id)
    if application is None:
        raise ApiError(409, NO_SUCH_APPLICATION, code="unknown_application",
                       fields={"application_id": str(NO_SUCH_APPLICATION)})
    try:
        agreement = workflow.draw_up(application, body.model_dump(exclude={"application_id"}),
                                     town_name=g.tenant.name)
    except workflow.StepRefused as refused:
        raise ApiError(409, str(refused), code="step_refused") from None
    db.session.commit()
    return agreement, {"Location": url_for("api.get_agreement", agreement_id=agreement.id)}


@api.patch(AGREEMENT_PATH, summary="Einen Entwurf ändern (der Text wird neu ausgefüllt)",
           body=AgreementChanges, response=AgreementOut,
           conflict="Die Vereinbarung ist schon freigegeben, oder die Bedingungen passten mit den "
                    "gespeicherten nicht zusammen.")
@requires("town.manage")
def update_agreement(agreement_id: int, body: AgreementChanges):
    agreement = _agreement_or_404(agreement_id)
    try:
        workflow.revise(agreement, body.model_dump(exclude_unset=True), town_name=g.tenant.name)
    except workflow.StepRefused as refused:
        db.session.rollback()
        raise ApiError(409, str(refused), code="step_refused") from None
    db.session.commit()
    return agreement


@api.post(f"{AGREEMENT_PATH}/approval", summary="Eine Vereinbarung freigeben: sie gilt dann als "
                                                "unterzeichnet", response=AgreementOut,
          conflict="Schon freigegeben, oder die Bewerbung ist nicht mehr bei diesem Schritt.")
@requires("town.approve")
def approve_agreement(agreement_id: int):
    agreement = _agreement_or_404(agreement_id)
    try:
        workflow.approve(agreement, by_user_id=current_user.id)
    except workflow.StepRefused as refused:
        raise ApiError(409, str(refused), code="step_refused") from None
    db.session.commit()
    return agreement


@api.delete(AGREEMENT_PATH, summary="Einen Entwurf löschen (freigegebene bleiben)", status=204,
            conflict="Die Vereinbarung ist freigegeben: sie gehört zum Verlauf und zu den Zuschüssen.")
@requires("town.manage")
def delete_agreement(agreement_id: int):
    try:
        workflow.discard(_agreement_or_404(agreement_id))
    except workflow.StepRefused as refused:
        raise ApiError(409, str(refused), code="approved") from None
    db.session.commit()
    return None, 204


def _is_staff() -> bool:
    return access.can(current_user, "town.view", g.tenant)


def _application_or_404(application_id: int) -> Application:
    """A sent application the caller may see: staff any, an applicant their own."""
    application = services.get_application(application_id)
    if application is None or not (_is_staff() or (current_user.is_authenticated
                                                    and application.user_id == current_user.id)):
        raise ApiError(404, NO_SUCH_APPLICATION)
    return application


def _agreement_or_404(agreement_id: int) -> Agreement:
    agreement = workflow.get_agreement(agreement_id)
    if agreement is None:
        raise ApiError(404, NO_SUCH_AGREEMENT)
    return agreement


def _known_districts(ids: list[int]) -> list[int]:
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return []
    known = set(db.session.scalars(select(District.id).where(District.id.in_(wanted))))
    unknown = [district_id for district_id in wanted if district_id not in known]
    if unknown:
        message = str(UNKNOWN_DISTRICTS) % {"ids": ", ".join(map(str, unknown))}
        raise ApiError(409, message, code="unknown_district", fields={"districts": message})
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
              "start_date", "end_date", "unit_id", "outcome", "submitted_at", "created_at")
    return {**{name: getattr(application, name) for name in fields},
            "features": list(application.features or []),
            "districts": list(application.district_ids or []),
            "proposed_unit_ids": list(application.proposed_unit_ids or [])}
