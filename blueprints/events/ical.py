"""iCalendar (RFC 5545) rendering of events: a town's feed and single events.

Pure functions: no database, no request. Callers pass objects with the
attributes ``id``, ``title``, ``description``, ``starts_at``, ``ends_at``,
``location``, ``updated_at``, ``sequence``, ``category_label`` and optionally
``cancelled``, plus a function that gives each event's absolute page URL.

* UIDs are stable (``event-<id>@<domain>``), so calendar apps update an event
  they already have instead of adding a copy; ``SEQUENCE`` and
  ``LAST-MODIFIED`` tell them which version is newer.
* Times are written as local Berlin wall-clock times with ``TZID`` and one
  ``VTIMEZONE`` for Europe/Berlin (generated from the tz database by
  icalendar) covering the years the events touch.
* Text escaping and line folding (75 octets) are left to icalendar.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone, vDuration

TZID = "Europe/Berlin"
BERLIN = ZoneInfo(TZID)
PRODID = "-//Quartier//Veranstaltungen//DE"
REFRESH_INTERVAL = timedelta(hours=1)

# RFC 5545 TEXT allows no control characters except HTAB (and the escaped
# newline); a stray one from a form would make strict parsers reject the feed.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def event_uid(event: Any, domain: str = "quartier") -> str:
    """The stable UID of ``event``: ``event-<id>@<domain>``."""
    return f"event-{event.id}@{domain}"


def _text(value: Any) -> str:
    """Plain text for a TEXT property: newlines normalised to LF, no controls."""
    text = "" if value is None else str(value)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", text)


def _utc(moment: datetime) -> datetime:
    """``moment`` in UTC; naive datetimes (e.g. from SQLite) are taken as UTC."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _berlin(moment: datetime) -> datetime:
    return _utc(moment).astimezone(BERLIN)


@lru_cache(maxsize=32)
def _berlin_vtimezone_ical(first_year: int, last_year: int) -> bytes:
    """VTIMEZONE for Europe/Berlin from 1 Jan ``first_year`` to the end of ``last_year``.

    Generating it walks the tz database, so the serialised form is cached.
    """
    return Timezone.from_tzinfo(
        BERLIN, TZID, date(first_year, 1, 1), date(last_year + 1, 1, 1)).to_ical()


def _berlin_vtimezone(years: Iterable[int]) -> Timezone:
    years = sorted(set(years))
    ical = _berlin_vtimezone_ical(years[0], years[-1])
    return Timezone.from_ical(ical)


def _vevent(event: Any, *, event_url: Callable[[Any], str | None], domain: str,
            stamp: datetime) -> tuple[Event, set[int]]:
    """The VEVENT for ``event`` and the (Berlin) years its times fall in."""
    vevent = Event()
    vevent.add("UID", event_uid(event, domain))
    vevent.add("DTSTAMP", stamp)

    start = _berlin(event.starts_at)
    vevent.add("DTSTART", start)
    years = {start.year}
    ends_at = getattr(event, "ends_at", None)
    if ends_at is not None:
        end = _berlin(ends_at)
        # RFC 5545: DTEND must be later than DTSTART; without it the event
        # simply has no duration, which every client accepts.
        if end > start:
            vevent.add("DTEND", end)
            years.add(end.year)

    updated_at = getattr(event, "updated_at", None)
    if updated_at is not None:
        vevent.add("LAST-MODIFIED", _utc(updated_at))  # RFC 5545: MUST be UTC
    vevent.add("SEQUENCE", int(getattr(event, "sequence", 0) or 0))

    vevent.add("SUMMARY", _text(event.title))
    description = _text(getattr(event, "description", ""))
    if description:
        vevent.add("DESCRIPTION", description)
    location = _text(getattr(event, "location", ""))
    if location:
        vevent.add("LOCATION", location)
    url = event_url(event)
    if url:  # a mail written outside a request without PUBLIC_URL knows no address
        vevent.add("URL", url)
    category = _text(getattr(event, "category_label", ""))
    if category:
        vevent.add("CATEGORIES", [category])
    vevent.add("STATUS", "CANCELLED" if getattr(event, "cancelled", False) else "CONFIRMED")
    vevent.add("TRANSP", "OPAQUE")
    return vevent, years


def calendar(events: Iterable[Any], *, calendar_name: str,
             event_url: Callable[[Any], str | None], domain: str = "quartier",
             now: datetime | None = None) -> Calendar:
    """The VCALENDAR component (mostly for tests; see :func:`calendar_bytes`)."""
    stamp = _utc(now) if now is not None else datetime.now(UTC).replace(microsecond=0)

    cal = Calendar()
    cal.add("PRODID", PRODID)
    cal.add("VERSION", "2.0")
    cal.add("CALSCALE", "GREGORIAN")
    cal.add("METHOD", "PUBLISH")
    cal.add("X-WR-CALNAME", _text(calendar_name))
    cal.add("X-WR-TIMEZONE", TZID)
    cal.add("REFRESH-INTERVAL", REFRESH_INTERVAL, parameters={"VALUE": "DURATION"})
    cal.add("X-PUBLISHED-TTL", vDuration(REFRESH_INTERVAL))  # Outlook's and Apple's name for it

    vevents = []
    years: set[int] = set()
    for event in events:
        vevent, event_years = _vevent(event, event_url=event_url, domain=domain, stamp=stamp)
        vevents.append(vevent)
        years |= event_years

    # Always one VTIMEZONE (before the events that use it): an empty feed then
    # still has the one component RFC 5545 requires in a VCALENDAR.
    cal.add_component(_berlin_vtimezone(years or {stamp.astimezone(BERLIN).year}))
    for vevent in vevents:
        cal.add_component(vevent)
    return cal


def calendar_bytes(events: Iterable[Any], *, calendar_name: str,
                   event_url: Callable[[Any], str | None], domain: str = "quartier",
                   now: datetime | None = None) -> bytes:
    """``events`` as a complete iCalendar file (``text/calendar``, UTF-8, CRLF).

    ``now`` (for DTSTAMP) defaults to the current time; tests may pin it.
    """
    return calendar(events, calendar_name=calendar_name, event_url=event_url,
                    domain=domain, now=now).to_ical()


def event_bytes(event: Any, *, event_url: Callable[[Any], str | None], domain: str = "quartier",
                calendar_name: str | None = None, now: datetime | None = None) -> bytes:
    """A single event as an iCalendar file (for an "add to calendar" download)."""
    return calendar_bytes([event], calendar_name=calendar_name or _text(event.title),
                          event_url=event_url, domain=domain, now=now)
