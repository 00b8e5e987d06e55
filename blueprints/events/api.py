"""Events in the JSON API (CONTRACT.md): the town's calendar and registrations for its events.

Anyone reads events; anonymous callers do not see cancelled ones in the list,
but an event asked for by its id says that it is cancelled (someone may have
it in their calendar). Staff write events; DELETE calls an event off, as the
staff form's "Abgesagt" does: it stays, with its registrations and check-ins.

Anyone may register: the API twin of the public form, rate-limited like it,
with the same mail to confirm the address, so the answer is usually
`pending`. Staff read the registrations, check people in
(``PATCH …/registrations/<id>`` with ``checked_in``) and cancel one
(``DELETE``, or ``PATCH`` with ``status: cancelled``): the person gets a mail,
and the first on the waiting list moves up, as when they cancel themselves.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Annotated, Literal

from flask import current_app, g, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from pydantic import ConfigDict, Field, field_validator, model_validator
from sqlalchemy import Select, select

from blueprints.api import (
    ApiError,
    Changes,
    Day,
    Email,
    Moment,
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
from blueprints.events import registrations, services
from blueprints.events.models import CATEGORIES, REGISTRATION_STATUSES, Event, Registration
from blueprints.town import services as town
from blueprints.vacancies import services as vacancies
from tenants import access
from tenants.access import public, requires
from tenants.db import db

EVENT_PATH = f"/events/{id_param('event_id')}"
REGISTRATION_PATH = f"{EVENT_PATH}/registrations/{id_param('registration_id')}"
NO_SUCH_EVENT = _l("Diese Veranstaltung gibt es nicht.")
NO_SUCH_REGISTRATION = _l("Diese Anmeldung gibt es bei dieser Veranstaltung nicht.")
NO_SUCH_DISTRICT = _l("Diesen Stadtteil gibt es nicht.")
NO_SUCH_UNIT = _l("Diese Einheit gibt es nicht (mehr) im Register.")
NO_CONSENT = _l("Ohne Ihre Einwilligung können wir Sie nicht anmelden.")
ENDS_TOO_EARLY = _l("Das Ende liegt nicht nach dem Beginn.")
NOT_ONE_DAY = _l("Beginn und Ende liegen an einem Tag (Ortszeit); mehrtägige Termine bitte als "
                 "Serie im Formular anlegen.")
NO_PLACE = _l("Bitte einen Ort angeben: eine Adresse oder eine Einheit.")
CANCELLED_CANNOT_COME = _l("Eine stornierte Anmeldung kann nicht einchecken.")
LOCAL_TIME = "ISO 8601 mit Versatz, in der Ortszeit der Stadt (Europe/Berlin)."
TIME_IN = ("ISO 8601; ohne Versatz gilt die Ortszeit der Stadt (Europe/Berlin). Beginn und Ende "
           "liegen am selben Tag, das Ende nach dem Beginn.")

Category = Literal[tuple(CATEGORIES)]
RegistrationStatus = Literal[tuple(REGISTRATION_STATUSES)]
Capacity = Annotated[int, Field(ge=1, le=100_000, description="Plätze; null heißt unbegrenzt."), WholeNumber]
Title = Text(200, at_least=1)
Description = Text(10000)
Address = Annotated[Text(300), Field(description="Der Ort; leer, wenn `unit_id` ihn nennt.")]
UnitId = Annotated[RecordId, Field(description="Eine Einheit des Leerstandsregisters (Pop-up im "
                                               "Leerstand); ihr Stadtteil gilt, wenn keiner genannt ist.")]
DistrictId = Annotated[RecordId, Field(description="Id des Stadtteils (`GET /districts`).")]
When = Annotated[Moment, Field(description=TIME_IN)]


class EventOut(ResponseModel):
    id: int
    title: str
    description: str
    category: Category
    starts_at: datetime = Field(description=LOCAL_TIME)
    ends_at: datetime = Field(description=LOCAL_TIME)
    address: str
    location: str = Field(description="Die Adresse, oder die der Einheit des Leerstandsregisters.")
    unit_id: int | None = Field(description="Die Einheit des Leerstandsregisters (Pop-up im Leerstand).")
    district: int | None = Field(description="Id des Stadtteils.")
    district_name: str | None = Field(description="Sein Name, zum Lesen.")
    capacity: int | None = Field(description="Plätze; null heißt unbegrenzt.")
    places_left: int | None = Field(description="Freie Plätze; null heißt unbegrenzt.")
    registration_open: bool
    cancelled: bool
    url: str = Field(description="Die öffentliche Seite der Veranstaltung.")


class EventQuery(Pagination):
    from_: Day | None = Field(None, alias="from",
                              description="Nur, was an oder nach diesem Tag endet.")
    to: Day | None = Field(None, description="Nur, was an oder vor diesem Tag beginnt.")
    category: Category | None = None
    district: DistrictId | None = None


class NewEvent(RequestBody):
    """One date of the calendar; series are made in the staff form."""

    title: Title
    description: Description = ""
    category: Category = "other"
    starts_at: When
    ends_at: When
    address: Address = ""
    unit_id: UnitId | None = None
    district: DistrictId | None = None
    capacity: Capacity | None = None
    registration_open: bool = False
    cancelled: bool = False

    @model_validator(mode="after")
    def _one_day_with_a_place(self):
        _refuse_bad_times(self.starts_at, self.ends_at)
        if not self.address.strip() and self.unit_id is None:
            raise ValueError(str(NO_PLACE))
        return self


class EventChanges(Changes):
    """The fields to change; ``cancelled: false`` takes a cancellation back."""

    title: Title = None
    description: Description = None
    category: Category = None
    starts_at: When = None
    ends_at: When = None
    address: Address = None
    unit_id: UnitId | None = None
    district: DistrictId | None = None
    capacity: Capacity | None = None
    registration_open: bool = None
    cancelled: bool = None

    @model_validator(mode="after")
    def _times_in_order(self):
        if self.starts_at is not None and self.ends_at is not None:
            _refuse_bad_times(self.starts_at, self.ends_at)
        return self


def _refuse_bad_times(starts_at: datetime, ends_at: datetime) -> None:
    starts, ends = _local(starts_at), _local(ends_at)
    if ends <= starts:
        raise ValueError(str(ENDS_TOO_EARLY))
    if ends.date() != starts.date():
        raise ValueError(str(NOT_ONE_DAY))


def _consent_is_required(schema: dict) -> None:
    """``consent`` defaults to false only so that a missing one gets our message: it is required."""
    schema.setdefault("required", []).append("consent")
    schema["properties"]["consent"].pop("default", None)
    schema["properties"]["consent"]["const"] = True


class NewRegistration(RequestBody):
    """A registration, as the public form sends it."""

    model_config = ConfigDict(json_schema_extra=_consent_is_required)

    name: Text(200, at_least=1)
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


class RegistrationChanges(Changes):
    """What staff change on a registration: cancel it, or check the person in (or take it back)."""

    status: Literal["cancelled"] = Field(None, description="`cancelled` storniert die Anmeldung: "
                                                           "die Person bekommt eine E-Mail, die "
                                                           "erste auf der Warteliste rückt nach.")
    checked_in: bool = Field(None, description="true: die Person ist gekommen; false nimmt das "
                                               "zurück. Nur bei `confirmed`.")


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


@api.post("/events", summary="Eine Veranstaltung anlegen", body=NewEvent, response=EventOut,
          status=201, conflict="Den Stadtteil oder die Einheit gibt es nicht.")
@requires("town.manage")
def create_event(body: NewEvent):
    values = _values(body.model_dump(exclude={"starts_at", "ends_at"}))
    starts, ends = _local(body.starts_at), _local(body.ends_at)
    [event] = services.create_events(values, day=starts.date(), starts=starts.time(), ends=ends.time())
    db.session.commit()
    return _shown(event, 0), {"Location": url_for("api.get_event", event_id=event.id)}


@api.patch(EVENT_PATH, summary="Eine Veranstaltung ändern (Kalender-Apps übernehmen die neue Fassung)",
           body=EventChanges, response=EventOut,
           conflict="Den Stadtteil oder die Einheit gibt es nicht, oder mit den gespeicherten "
                    "Angaben ergäbe sich ein Termin ohne Ort oder mit Ende vor dem Beginn.")
@requires("town.manage")
def update_event(event_id: int, body: EventChanges):
    event = _event_or_404(event_id)
    changes = body.model_dump(exclude_unset=True)
    starts = _local(changes.pop("starts_at")) if "starts_at" in changes else services.local(event.starts_at)
    ends = _local(changes.pop("ends_at")) if "ends_at" in changes else services.local(event.ends_at)
    values = _values(changes)
    try:
        _refuse_bad_times(starts, ends)
    except ValueError as refused:
        raise ApiError(409, str(refused), code="conflict",
                       fields={"ends_at": str(refused)}) from None
    address = values.get("address", event.address)
    if not address.strip() and values.get("unit_id", event.unit_id) is None:
        raise ApiError(409, NO_PLACE, code="conflict", fields={"address": str(NO_PLACE)})
    services.update_event(event, values, day=starts.date(), starts=starts.time(), ends=ends.time())
    db.session.commit()
    return _shown(event, registrations.confirmed_counts([event.id]).get(event.id, 0))


@api.delete(EVENT_PATH, summary="Eine Veranstaltung absagen: sie bleibt, mit ihren Anmeldungen",
            status=204)
@requires("town.manage")
def delete_event(event_id: int):
    if services.cancel_event(_event_or_404(event_id)):
        db.session.commit()
    return None, 204


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
    location = url_for("api.get_registration", event_id=event.id, registration_id=registration.id)
    return {"id": registration.id, "status": registration.status}, {"Location": location}


@api.get(f"{EVENT_PATH}/registrations", summary="Die Anmeldungen einer Veranstaltung",
         query=RegistrationQuery, response=list[RegistrationOut])
@requires("town.view")
def list_registrations(event_id: int, query: RegistrationQuery):
    return paginate(_registrations_of(_event_or_404(event_id), query.status), query)


@api.get(REGISTRATION_PATH, summary="Eine Anmeldung", response=RegistrationOut)
@requires("town.view")
def get_registration(event_id: int, registration_id: int):
    return _registration_or_404(event_id, registration_id)


@api.patch(REGISTRATION_PATH, summary="Eine Anmeldung stornieren oder einchecken",
           body=RegistrationChanges, response=RegistrationOut,
           conflict="Nur eine bestätigte Anmeldung kann einchecken.")
@requires("town.manage")
def update_registration(event_id: int, registration_id: int, body: RegistrationChanges):
    registration = _registration_or_404(event_id, registration_id)
    changes = body.model_dump(exclude_unset=True)
    if changes.get("status") == "cancelled":
        if changes.get("checked_in"):
            raise ApiError(409, CANCELLED_CANNOT_COME, code="not_confirmed",
                           fields={"checked_in": str(CANCELLED_CANNOT_COME)})
        registrations.cancel_by_staff(registration)
    elif "checked_in" in changes:
        try:
            registrations.record_attendance(registration, changes["checked_in"])
        except registrations.NotConfirmed as refused:
            raise ApiError(409, str(refused), code="not_confirmed",
                           fields={"checked_in": str(refused)}) from None
    db.session.commit()
    return registration


@api.delete(REGISTRATION_PATH, summary="Eine Anmeldung stornieren: die Person bekommt eine E-Mail, "
                                       "die Warteliste rückt nach", status=204)
@requires("town.manage")
def delete_registration(event_id: int, registration_id: int):
    registrations.cancel_by_staff(_registration_or_404(event_id, registration_id))
    db.session.commit()
    return None, 204


def _events_wanted(query: EventQuery) -> Select:
    wanted = services.CalendarFilter(category=query.category, district_id=query.district)
    statement = services.filtered_events(wanted)
    if query.from_ and (since := _town_midnight(query.from_)) is not None:
        statement = statement.where(Event.ends_at >= since)
    if query.to and (until := _town_midnight(query.to, days_later=1)) is not None:
        statement = statement.where(Event.starts_at < until)
    if not _is_staff():
        statement = statement.where(Event.cancelled.is_(False))
    return statement.order_by(Event.starts_at, Event.id)


def _town_midnight(day: date, days_later: int = 0) -> datetime | None:
    """Local midnight of ``day`` (plus days), in UTC; None beyond the calendar's range (no bound)."""
    try:
        return services.town_time(day + timedelta(days=days_later), time(0))
    except OverflowError:  # 0001-01-01 in Berlin is still year 0 in UTC; 9999-12-31 has no day after
        return None


def _registrations_of(event: Event, status: str | None) -> Select:
    statement = select(Registration).where(Registration.event_id == event.id)
    if status:
        statement = statement.where(Registration.status == status)
    return statement.order_by(Registration.created_at, Registration.id)


def _values(body: dict) -> dict:
    """The body as the calendar's fields: ``district`` is ``district_id``; references must exist."""
    if "district" in body:
        body["district_id"] = body.pop("district")
        if body["district_id"] is not None and town.get_district(body["district_id"]) is None:
            raise ApiError(409, NO_SUCH_DISTRICT, code="unknown_district",
                           fields={"district": str(NO_SUCH_DISTRICT)})
    if body.get("unit_id") is not None:
        unit = vacancies.get_unit(body["unit_id"])
        if unit is None or unit.is_archived:
            raise ApiError(409, NO_SUCH_UNIT, code="unknown_unit", fields={"unit_id": str(NO_SUCH_UNIT)})
    return body


def _local(moment: datetime) -> datetime:
    """A time as the town's clock shows it; one without an offset is read as that already."""
    return services.local(moment) if moment.tzinfo else moment.replace(tzinfo=services.TOWN_TIME)


def _is_staff() -> bool:
    return access.can(current_user, "town.view", g.tenant)


def _event_or_404(event_id: int) -> Event:
    event = services.get_event(event_id)
    if event is None:
        raise ApiError(404, NO_SUCH_EVENT)
    return event


def _registration_or_404(event_id: int, registration_id: int) -> Registration:
    registration = registrations.get(_event_or_404(event_id), registration_id)
    if registration is None:
        raise ApiError(404, NO_SUCH_REGISTRATION)
    return registration


def _shown(event: Event, confirmed: int) -> dict:
    fields = ("id", "title", "description", "category", "address", "location", "unit_id",
              "capacity", "registration_open", "cancelled")
    return {**{name: getattr(event, name) for name in fields},
            "district": event.district_id,
            "district_name": event.district.name if event.district else None,
            "starts_at": services.local(event.starts_at), "ends_at": services.local(event.ends_at),
            "places_left": None if event.capacity is None else max(0, event.capacity - confirmed),
            "url": url_for("events.event", event_id=event.id, _external=True)}
