"""Events in the JSON API (CONTRACT.md): the town's calendar and registrations for its events.

Anyone reads events; anonymous callers do not see cancelled ones in the list,
but an event asked for by its id says that it is cancelled (someone may have
it in their calendar). Anyone may register: the API twin of the public form,
rate-limited like it, with the same mail to confirm the address, so the answer
is usually `pending`. Staff read an event's registrations.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Annotated, Literal

from flask import current_app, g, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from pydantic import ConfigDict, Field, field_validator
from sqlalchemy import Select, select

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
from blueprints.events import registrations, services
from blueprints.events.models import CATEGORIES, REGISTRATION_STATUSES, Event, Registration
from tenants import access
from tenants.access import public, requires
from tenants.db import db

EVENT_PATH = f"/events/{id_param('event_id')}"
NO_SUCH_EVENT = _l("Diese Veranstaltung gibt es nicht.")
NO_CONSENT = _l("Ohne Ihre Einwilligung können wir Sie nicht anmelden.")
LOCAL_TIME = "ISO 8601 mit Versatz, in der Ortszeit der Stadt (Europe/Berlin)."

Category = Literal[tuple(CATEGORIES)]
RegistrationStatus = Literal[tuple(REGISTRATION_STATUSES)]



class EventOut(ResponseModel):
    id: int
    title: str
    description: str
    category: Category
    starts_at: datetime = Field(description=LOCAL_TIME)
    ends_at: datetime = Field(description=LOCAL_TIME)
    location: str = Field(description="Die Adresse, oder die der Einheit des Leerstandsregisters.")
    unit_id: int | None = Field(description="Die Einheit des Leerstandsregisters (Pop-up im Leerstand).")
    district_id: int | None
    capacity: int | None = Field(description="Plätze; null heißt unbegrenzt.")
    places_left: int | None = Field(description="Freie Plätze; null heißt unbegrenzt.")
    registration_open: bool
    cancelled: bool
    url: str = Field(description="Die öffentliche Seite der Veranstaltung.")


class EventQuery(Pagination):
    from_: date | None = Field(None, alias="from",
                               description="Nur, was an oder nach diesem Tag endet.")
    to: date | None = Field(None, description="Nur, was an oder vor diesem Tag beginnt.")
    category: Category | None = None
    district: int | None = Field(None, ge=1, le=MAX_ID, description="Id des Stadtteils.")


def _consent_is_required(schema: dict) -> None:
    """``consent`` defaults to false only so that a missing one gets our message: it is required."""
    schema.setdefault("required", []).append("consent")
    schema["properties"]["consent"].pop("default", None)


class NewRegistration(RequestBody):
    """A registration, as the public form sends it."""

    model_config = ConfigDict(json_schema_extra=_consent_is_required)

    name: Annotated[str, Field(min_length=1, max_length=200)]
    email: Email = Field(description="Bekommt einen Link, mit dem die Anmeldung bestätigt wird.")
    consent: bool = Field(False, validate_default=True,
                          description="Einwilligung in die Speicherung der Angaben; muss true sein.")

    @field_validator("consent")
    @classmethod
    def _consented(cls, value: bool):
        if value is not True:
            raise ValueError(str(NO_CONSENT))
        return value


class RegistrationCreated(ResponseModel):
    id: int
    status: RegistrationStatus = Field(description="`pending`, bis der Link in der E-Mail bestätigt ist.")


class RegistrationOut(ResponseModel):
    id: int
    event_id: int
    name: str
    email: str
    status: RegistrationStatus
    created_at: datetime
    confirmed_at: datetime | None
    cancelled_at: datetime | None
    checked_in_at: datetime | None


class RegistrationQuery(Pagination):
    status: RegistrationStatus | None = None


@api.get("/events", summary="Veranstaltungen, die früheste zuerst", query=EventQuery,
         response=list[EventOut])
@public
def list_events(query: EventQuery):
    page = paginate(_events_wanted(query), query)
    confirmed = registrations.confirmed_counts([event.id for event in page.items])
    return PageResult(items=[_shown(event, confirmed.get(event.id, 0)) for event in page.items],
                      total=page.total, page=page.page, per_page=page.per_page)


@api.get(EVENT_PATH, summary="Eine Veranstaltung", response=EventOut)
@public
def get_event(event_id: int):
    event = _event_or_404(event_id)
    return _shown(event, registrations.confirmed_counts([event.id]).get(event.id, 0))


@api.post(f"{EVENT_PATH}/registrations", summary="Sich zu einer Veranstaltung anmelden",
          body=NewRegistration, response=RegistrationCreated, status=201,
          conflict="Mit dieser Adresse schon angemeldet, oder keine Anmeldung möglich.",
          rate_limit=lambda: current_app.config["APPLICATION_RATE_LIMIT"])
@public
def create_registration(event_id: int, body: NewRegistration):
    event = _event_or_404(event_id)
    try:
        registration = registrations.register(event, name=body.name, email=body.email)
    except registrations.AlreadyRegistered as refused:
        raise ApiError(409, str(refused), code="already_registered",
                       fields={"email": str(refused)}) from None
    except registrations.RegistrationClosed as refused:
        raise ApiError(409, str(refused), code="registration_closed") from None
    db.session.commit()
    return {"id": registration.id, "status": registration.status}


@api.get(f"{EVENT_PATH}/registrations", summary="Die Anmeldungen einer Veranstaltung",
         query=RegistrationQuery, response=list[RegistrationOut])
@requires("town.view")
def list_registrations(event_id: int, query: RegistrationQuery):
    return paginate(_registrations_of(_event_or_404(event_id), query.status), query)


def _events_wanted(query: EventQuery) -> Select:
    wanted = services.CalendarFilter(category=query.category, district_id=query.district)
    statement = services.filtered_events(wanted)
    if query.from_:
        statement = statement.where(Event.ends_at >= services.town_time(query.from_, time(0)))
    if query.to:
        day_after = services.town_time(query.to + timedelta(days=1), time(0))
        statement = statement.where(Event.starts_at < day_after)
    if not _is_staff():
        statement = statement.where(Event.cancelled.is_(False))
    return statement.order_by(Event.starts_at, Event.id)


def _registrations_of(event: Event, status: str | None) -> Select:
    statement = select(Registration).where(Registration.event_id == event.id)
    if status:
        statement = statement.where(Registration.status == status)
    return statement.order_by(Registration.created_at, Registration.id)


def _is_staff() -> bool:
    return access.can(current_user, "town.view", g.tenant)


def _event_or_404(event_id: int) -> Event:
    event = services.get_event(event_id)
    if event is None:
        raise ApiError(404, NO_SUCH_EVENT)
    return event


def _shown(event: Event, confirmed: int) -> dict:
    fields = ("id", "title", "description", "category", "location", "unit_id", "district_id",
              "capacity", "registration_open", "cancelled")
    return {**{name: getattr(event, name) for name in fields},
            "starts_at": services.local(event.starts_at), "ends_at": services.local(event.ends_at),
            "places_left": None if event.capacity is None else max(0, event.capacity - confirmed),
            "url": url_for("events.event", event_id=event.id, _external=True)}
