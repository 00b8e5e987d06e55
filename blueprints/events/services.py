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

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import selectinload

from blueprints.events.models import Event, EventSeries
from blueprints.vacancies.models import Unit
from tenants.db import db

TOWN_TIME = ZoneInfo("Europe/Berlin")
EVENT_FIELDS = ("title", "description", "category", "address", "unit_id", "district_id",
                "organiser_id", "capacity", "registration_open", "cancelled")
MAX_SERIES_DATES = 120  # two years of weekly dates; a longer rule is a mistake


class SeriesTooLong(ValueError):
    """The rule would make more dates than a series may have."""


def town_time(day: date, at: time) -> datetime:
    """The instant of a local date and time in the town (Europe/Berlin), in UTC."""
    return datetime.combine(day, at, tzinfo=TOWN_TIME).astimezone(timezone.utc)


def local(moment: datetime) -> datetime:
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


def _assign(event: Event, values: dict) -> None:
    for name in EVENT_FIELDS:
        if name in values:
            value = values[name]
            setattr(event, name, value.strip() if isinstance(value, str) else value)
    if event.unit_id and not event.district_id:  # a pop-up in a unit lies in the unit's district
        unit = db.session.get(Unit, event.unit_id)
        event.district_id = unit.district_id if unit else None


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


def upcoming(wanted: CalendarFilter = CalendarFilter(), *, now: datetime | None = None) -> Select:
    """Events that have not ended yet, the soonest first."""
    now = now or datetime.now(timezone.utc)
    return _filtered(_events().where(Event.ends_at >= now), wanted).order_by(Event.starts_at, Event.id)


def feed(wanted: CalendarFilter = CalendarFilter(), *, now: datetime | None = None) -> list[Event]:
    """What the calendar feed carries: the last 90 days and everything ahead."""
    since = (now or datetime.now(timezone.utc)) - timedelta(days=90)
    return list(db.session.scalars(_filtered(_events().where(Event.ends_at >= since), wanted)
                                   .order_by(Event.starts_at, Event.id)))


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
