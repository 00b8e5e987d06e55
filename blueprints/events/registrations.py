"""Registrations for events: confirmed by the mailed link, a waiting list when the event is
full, and the first on the list moves up when someone cancels through their link.

The event's row is locked (PostgreSQL) while places are counted, so two
confirmations at once cannot both take the last place.
"""
from __future__ import annotations

import secrets

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from blueprints.events import ical
from blueprints.events.models import REGISTRATION_STATUSES, Event, Registration
from blueprints.events.services import calendar_domain
from blueprints.mail.services import send_mail
from blueprints.mail.transport import MailAttachment
from tenants.db import db
from tenants.models import utcnow
from tenants.resolver import external_url

ACTIVE = ("pending", "confirmed", "waitlisted")


class RegistrationRefused(ValueError):
    """The registration is not possible; the message says why."""


class RegistrationClosed(RegistrationRefused):
    """The event takes no registrations (closed or cancelled)."""


class AlreadyRegistered(RegistrationRefused):
    """The address already has an active registration for the event."""


class NotConfirmed(RegistrationRefused):
    """Only a confirmed registration holds a place, so only it can be checked in."""


def register(event: Event, *, name: str, email: str) -> Registration:
    """A pending registration and the mail to confirm it; one per address and event."""
    if not event.registration_open or event.cancelled:
        raise RegistrationClosed(_("Für diese Veranstaltung ist keine Anmeldung möglich."))
    email = email.strip()
    taken = db.session.scalar(select(func.count()).select_from(Registration).where(
        Registration.event_id == event.id, func.lower(Registration.email) == email.lower(),
        Registration.status.in_(ACTIVE)))
    if taken:
        raise AlreadyRegistered(_("Mit dieser E-Mail-Adresse sind Sie schon angemeldet."))
    registration = Registration(event=event, name=name.strip(), email=email, status="pending",
                                token=secrets.token_urlsafe(32), consent_at=utcnow())
    db.session.add(registration)
    _mail(registration, "confirm", _l("Bitte bestätigen Sie Ihre Anmeldung"))
    return registration


def by_token(token: str) -> Registration | None:
    return db.session.scalars(select(Registration).where(Registration.token == token)).first()


def confirm(registration: Registration) -> None:
    """Take a place, or the waiting list if the event is full; confirming twice is harmless."""
    if registration.status != "pending":
        return
    event = _locked(registration.event_id)
    registration.confirmed_at = utcnow()
    if event.capacity is None or _confirmed_count(event) < event.capacity:
        registration.status = "confirmed"
        _mail(registration, "registered", _l("Sie sind angemeldet: %(title)s", title=event.title),
              with_calendar=True)
    else:
        registration.status = "waitlisted"
        _mail(registration, "waitlisted", _l("Warteliste: %(title)s", title=event.title))


def cancel(registration: Registration) -> Registration | None:
    """Cancel through the mailed link; the first on the waiting list moves up (returned)."""
    if registration.status == "cancelled":
        return None
    was_confirmed = registration.status == "confirmed"
    registration.status, registration.cancelled_at = "cancelled", utcnow()
    if not was_confirmed:
        return None
    event = _locked(registration.event_id)
    next_in_line = db.session.scalars(
        select(Registration).where(Registration.event_id == event.id, Registration.status == "waitlisted")
        .order_by(Registration.confirmed_at, Registration.id).limit(1)).first()
    if next_in_line is not None:
        next_in_line.status = "confirmed"
        _mail(next_in_line, "moved_up", _l("Ein Platz ist frei geworden: %(title)s", title=event.title),
              with_calendar=True)
    return next_in_line


def cancel_by_staff(registration: Registration) -> Registration | None:
    """Cancel for the person, who gets a mail saying so; the first on the waiting list moves up
    (returned), as when someone cancels through the mailed link."""
    if registration.status == "cancelled":
        return None
    moved_up = cancel(registration)
    _mail(registration, "cancelled", _l("Ihre Anmeldung ist storniert: %(title)s",
                                         title=registration.event.title))
    return moved_up


def check_in(registration: Registration) -> None:
    if registration.status == "confirmed" and registration.checked_in_at is None:
        registration.checked_in_at = utcnow()


def record_attendance(registration: Registration, came: bool) -> None:
    """Check the person in, or take a check-in back; raises NotConfirmed for any other status."""
    if registration.status != "confirmed":
        raise NotConfirmed(_("Nur eine bestätigte Anmeldung kann einchecken; diese ist „%(status)s“.",
                             status=REGISTRATION_STATUSES[registration.status]))
    if came:
        check_in(registration)
    else:
        registration.checked_in_at = None


def get(event: Event, registration_id: int) -> Registration | None:
    """The event's registration with this id (None for another event's)."""
    registration = db.session.get(Registration, registration_id)
    return registration if registration is not None and registration.event_id == event.id else None


def of_event(event: Event) -> list[Registration]:
    return list(db.session.scalars(select(Registration).where(Registration.event_id == event.id)
                                   .order_by(Registration.created_at, Registration.id)))


def places_left(event: Event) -> int | None:
    return None if event.capacity is None else max(0, event.capacity - _confirmed_count(event))


def attendance(event: Event) -> int:
    return db.session.scalar(select(func.count()).select_from(Registration).where(
        Registration.event_id == event.id, Registration.checked_in_at.is_not(None)))


def confirmed_counts(event_ids: list[int]) -> dict[int, int]:
    """Confirmed registrations per event, in one query (events without any are left out)."""
    if not event_ids:
        return {}
    return dict(db.session.execute(
        select(Registration.event_id, func.count()).where(
            Registration.event_id.in_(event_ids), Registration.status == "confirmed")
        .group_by(Registration.event_id)).all())


def _confirmed_count(event: Event) -> int:
    return db.session.scalar(select(func.count()).select_from(Registration).where(
        Registration.event_id == event.id, Registration.status == "confirmed"))


def _locked(event_id: int) -> Event:
    return db.session.scalars(select(Event).where(Event.id == event_id).with_for_update()).one()


def _mail(registration: Registration, kind: str, subject, *, with_calendar: bool = False) -> None:
    """One mail pair for every step of a registration; ``kind`` chooses the words.

    A mail that grants a place carries the event as .ics, with the feed's UID,
    so the calendar app updates the same entry when the feed changes it.
    """
    attachments = [calendar_attachment(registration.event)] if with_calendar else []
    send_mail(registration.email, "events/registration", subject, kind=kind, attachments=attachments,
              registration=registration, event=registration.event,
              cancel_link=external_url("events.cancel_registration", token=registration.token),
              confirm_link=external_url("events.confirm_registration", token=registration.token),
              ics_link=external_url("events.event_feed", event_id=registration.event.id))


def calendar_attachment(event: Event) -> MailAttachment:
    """The event as an iCalendar file (METHOD:PUBLISH) for a mail."""
    content = ical.event_bytes(event, domain=calendar_domain(), event_url=lambda each: external_url(
        "events.event", event_id=each.id))
    return MailAttachment(filename=f"veranstaltung-{event.id}.ics",
                          content_type="text/calendar; method=PUBLISH; charset=utf-8", content=content)
