"""The town's calendar: events and series, shown in Europe/Berlin, stored in UTC.

A series is a rule (weekly, every two weeks, monthly) until a date; each date
becomes an event of its own, at the same local time on both sides of a change
to or from summer time.
"""
from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import Select, case, func, or_, select
from sqlalchemy.orm import selectinload

from blueprints.attachments import services as attachments
from blueprints.attachments.models import Attachment
from blueprints.events.models import Event, EventSeries, Registration
from blueprints.vacancies.models import Unit
from tenants.current import current_tenant
from tenants.db import db

TOWN_TIME = ZoneInfo("Europe/Berlin")
EVENT_FIELDS = ("title", "description", "category", "address", "unit_id", "district_id",
                "organiser_id", "capacity", "registration_open", "cancelled")
MAX_SERIES_DATES = 120  # two years of weekly dates; a longer rule is a mistake


class SeriesTooLong(ValueError):
    """The rule would make more dates than a series may have."""


def calendar_domain() -> str:
    """The domain of the town's event UIDs; stable, so calendar apps match an event across downloads."""
    return f"{current_tenant().slug}.quartier"


def town_time(day: date, at: time) -> datetime:
    """The instant of a local date and time in the town (Europe/Berlin), in UTC."""
    return datetime.combine(day, at, tzinfo=TOWN_TIME).astimezone(timezone.utc)


def local(moment: datetime) -> datetime:
    """``moment`` in the town's time; naive values (SQLite) are UTC, as stored."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(TOWN_TIME)


def series_days(first: date, repeat: str, until: date) -> list[date]:
    """The dates of a series from ``first`` to ``until`` (both included)."""
    days, number = [], 0
    while True:
        day = _nth(first, repeat, number)
        if day > until:
            return days
        days.append(day)
        number += 1
        if len(days) > MAX_SERIES_DATES:
            raise SeriesTooLong(until)


def _nth(first: date, repeat: str, number: int) -> date:
    if repeat == "weekly":
        return first + timedelta(weeks=number)
    if repeat == "biweekly":
        return first + timedelta(weeks=2 * number)
    month_index = first.month - 1 + number
    year, month = first.year + month_index // 12, month_index % 12 + 1
    # The 31st in a shorter month falls on its last day.
    return date(year, month, min(first.day, calendar.monthrange(year, month)[1]))


def create_events(values: dict, *, day: date, starts: time, ends: time, repeat: str | None = None,
                  until: date | None = None) -> list[Event]:
    """One event, or a series of them; times are the town's local times."""
    days = series_days(day, repeat, until) if repeat else [day]
    series = EventSeries(repeat=repeat, until=until) if repeat else None
    events = []
    for each in days:
        event = Event(starts_at=town_time(each, starts), ends_at=town_time(each, ends), series=series)
        _assign(event, values)
        db.session.add(event)
        events.append(event)
    return events


def update_event(event: Event, values: dict, *, day: date, starts: time, ends: time) -> Event:
    """Change one event; its sequence rises, so calendar apps take the new version."""
    _assign(event, values)
    event.starts_at, event.ends_at = town_time(day, starts), town_time(day, ends)
    event.sequence += 1
    return event


def cancel_event(event: Event) -> bool:
    """Call the event off, as the staff form's "Abgesagt" does; False if it was already.

    The event stays, with its registrations and check-ins: the calendar shows it as
    cancelled, and calendar apps take the new version (its sequence rises).
    """
    if event.cancelled:
        return False
    event.cancelled = True
    event.sequence += 1
    return True


def _assign(event: Event, values: dict) -> None:
    for name in EVENT_FIELDS:
        if name in values:
            value = values[name]
            setattr(event, name, value.strip() if isinstance(value, str) else value)
    if event.unit_id and not event.district_id:  # a pop-up in a unit lies in the unit's district
        unit = db.session.get(Unit, event.unit_id)
        event.district_id = unit.district_id if unit else None


def replace_image(events: list[Event], image: Attachment | None) -> None:
    """Show ``image`` for ``events`` (None removes theirs); an old image no event shows is deleted."""
    old_images = {event.image for event in events if event.image is not None} - {image}
    for event in events:
        event.image = image
    db.session.flush()
    for old in old_images:
        if not db.session.scalar(select(func.count()).select_from(Event).where(Event.image_id == old.id)):
            attachments.delete_attachment(old)  # a series may share it: only when no date shows it


@dataclass(frozen=True)
class CalendarFilter:
    category: str | None = None
    district_id: int | None = None


def _filtered(query: Select, wanted: CalendarFilter) -> Select:
    if wanted.category:
        query = query.where(Event.category == wanted.category)
    if wanted.district_id:
        query = query.where(Event.district_id == wanted.district_id)
    return query


def _events() -> Select:
    return select(Event).options(selectinload(Event.unit), selectinload(Event.district),
                                 selectinload(Event.organiser))


def filtered_events(wanted: CalendarFilter = CalendarFilter()) -> Select:
    """Every event matching ``wanted``, unordered; callers add the time window and the order."""
    return _filtered(_events(), wanted)


def upcoming(wanted: CalendarFilter = CalendarFilter(), *, now: datetime | None = None) -> Select:
    """Events that have not ended yet, the soonest first."""
    now = now or datetime.now(timezone.utc)
    return _filtered(_events().where(Event.ends_at >= now), wanted).order_by(Event.starts_at, Event.id)


def feed(wanted: CalendarFilter = CalendarFilter(), *, now: datetime | None = None) -> list[Event]:
    """What the calendar feed carries: the last 90 days and everything ahead."""
    since = (now or datetime.now(timezone.utc)) - timedelta(days=90)
    return list(db.session.scalars(_filtered(_events().where(Event.ends_at >= since), wanted)
                                   .order_by(Event.starts_at, Event.id)))


def calendar_stamp() -> tuple:
    """Changes whenever an event is added, changed or deleted: the calendar's cache key."""
    return tuple(db.session.execute(select(func.count(Event.id), func.max(Event.updated_at))).one())


def month(year: int, month_number: int, wanted: CalendarFilter = CalendarFilter()) -> list[Event]:
    """The events of a month of the town's calendar (local midnight to local midnight)."""
    first = town_time(date(year, month_number, 1), time(0))
    following = date(year + month_number // 12, month_number % 12 + 1, 1)
    query = _events().where(Event.starts_at < town_time(following, time(0)), Event.ends_at >= first)
    return list(db.session.scalars(_filtered(query, wanted).order_by(Event.starts_at, Event.id)))


def month_grid(year: int, month_number: int, events: list[Event]) -> list[list[tuple[date, list[Event]]]]:
    """Weeks (Monday first) of (day, that day's events); days of other months have no events."""
    by_day: dict[date, list[Event]] = {}
    for event in events:
        by_day.setdefault(local(event.starts_at).date(), []).append(event)
    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(year, month_number)
    return [[(day, by_day.get(day, []) if day.month == month_number else []) for day in week]
            for week in weeks]


def get_event(event_id: int) -> Event | None:
    return db.session.get(Event, event_id)


def search_staff(text: str = "") -> Select:
    query = _events().order_by(Event.starts_at.desc(), Event.id.desc())
    if text:
        needle = f"%{text.lower()}%"
        query = query.where(or_(Event.title.ilike(needle), Event.address.ilike(needle)))
    return query


# --- figures for the town (dashboard, later the controlling module) ---------------------

@dataclass(frozen=True)
class AttendanceFigures:
    """How the town's events were attended in a period."""

    events_held: int
    confirmed: int  # registrations holding a place
    checked_in: int  # of those, the people who came

    @property
    def rate(self) -> float | None:
        """The share of confirmed registrations that came; None when nobody registered."""
        return self.checked_in / self.confirmed if self.confirmed else None


def attendance_figures(start: date, end: date, district_id: int | None = None, *,
                       now: datetime | None = None) -> AttendanceFigures:
    """The events held from ``start`` to ``end`` (local days, both included), with attendance.

    Held means not cancelled and ended within the period, but not after ``now``:
    an event still ahead has had nobody to check in.
    """
    since = town_time(start, time(0))
    until = min(town_time(end + timedelta(days=1), time(0)), now or datetime.now(timezone.utc))
    held = select(Event.id).where(Event.cancelled.is_(False), Event.ends_at >= since,
                                  Event.ends_at < until)
    if district_id:
        held = held.where(Event.district_id == district_id)
    events_held = db.session.scalar(select(func.count()).select_from(held.subquery()))
    confirmed = Registration.status == "confirmed"
    came = confirmed & Registration.checked_in_at.is_not(None)
    confirmed_count, checked_in = db.session.execute(
        select(func.count(case((confirmed, 1))), func.count(case((came, 1))))
        .where(Registration.event_id.in_(held))).one()
    return AttendanceFigures(events_held=events_held, confirmed=confirmed_count, checked_in=checked_in)


def attendance_this_year() -> tuple[int, AttendanceFigures]:
    """The current (local) year and its figures so far, for the staff pages."""
    today = datetime.now(TOWN_TIME).date()
    return today.year, attendance_figures(date(today.year, 1, 1), date(today.year, 12, 31))
