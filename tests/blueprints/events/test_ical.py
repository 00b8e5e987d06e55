"""iCalendar rendering of events: pure, no database."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from blueprints.events.ical import calendar_bytes, event_bytes, event_uid

BERLIN = ZoneInfo("Europe/Berlin")
TRICKY = 'Grillfest, Flohmarkt; "Ümläüte" ß – 🎉\nZweite Zeile\n\n<script>alert(1)</script> \\ Ende'


@dataclass
class FakeEvent:
    id: int
    title: str = "Nachbarschaftsfest"
    description: str = "Alle sind eingeladen."
    starts_at: datetime = datetime(2027, 6, 1, 16, tzinfo=UTC)
    ends_at: datetime = datetime(2027, 6, 1, 19, tzinfo=UTC)
    location: str = "Marktplatz 1, Altdorf"
    updated_at: datetime = datetime(2027, 5, 1, 12, 30, tzinfo=UTC)
    sequence: int = 0
    category_label: str = "Fest"
    cancelled: bool = False


def url(event) -> str:
    return f"https://altdorf.example.org/veranstaltungen/{event.id}"


def render(events, **kwargs) -> bytes:
    return calendar_bytes(events, calendar_name="Altdorf – Veranstaltungen",
                          event_url=url, domain="altdorf.example.org", **kwargs)


def parse(raw: bytes) -> Calendar:
    return Calendar.from_ical(raw)


def vevents(raw: bytes) -> list:
    return parse(raw).walk("VEVENT")


def by_uid(raw: bytes) -> dict:
    return {str(v["UID"]): v for v in vevents(raw)}


def test_calendar_properties():
    cal = parse(render([FakeEvent(1)]))
    assert str(cal["PRODID"]) == "-//Quartier//Veranstaltungen//DE"
    assert str(cal["VERSION"]) == "2.0"
    assert str(cal["CALSCALE"]) == "GREGORIAN"
    assert str(cal["METHOD"]) == "PUBLISH"
    assert str(cal["X-WR-CALNAME"]) == "Altdorf – Veranstaltungen"
    assert str(cal["X-WR-TIMEZONE"]) == "Europe/Berlin"
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n" in render([FakeEvent(1)])
    assert b"X-PUBLISHED-TTL:PT1H\r\n" in render([FakeEvent(1)])


def test_one_vevent_per_event_with_stable_uids():
    events = [FakeEvent(1), FakeEvent(2), FakeEvent(30)]
    first, second = render(events), render(events)
    uids_first = [str(v["UID"]) for v in vevents(first)]
    uids_second = [str(v["UID"]) for v in vevents(second)]
    assert uids_first == ["event-1@altdorf.example.org", "event-2@altdorf.example.org",
                          "event-30@altdorf.example.org"]
    assert uids_first == uids_second
    assert len(set(uids_first)) == 3
    assert event_uid(FakeEvent(7), "x.test") == "event-7@x.test"
    assert event_uid(FakeEvent(7)) == "event-7@quartier"


def test_uid_does_not_change_when_event_is_edited():
    original = FakeEvent(5)
    edited = FakeEvent(5, title="Neuer Titel", sequence=3,
                       starts_at=datetime(2027, 7, 1, 10, tzinfo=UTC),
                       ends_at=datetime(2027, 7, 1, 12, tzinfo=UTC))
    assert list(by_uid(render([original]))) == list(by_uid(render([edited])))


def test_dst_boundaries_round_trip_with_berlin_tzid():
    spring = FakeEvent(1, starts_at=datetime(2027, 3, 28, 10, tzinfo=BERLIN),
                       ends_at=datetime(2027, 3, 28, 12, tzinfo=BERLIN))
    autumn = FakeEvent(2, starts_at=datetime(2027, 10, 31, 10, tzinfo=BERLIN),
                       ends_at=datetime(2027, 10, 31, 12, tzinfo=BERLIN))
    raw = render([spring, autumn])
    events = by_uid(raw)
    s, a = events["event-1@altdorf.example.org"], events["event-2@altdorf.example.org"]

    assert s["DTSTART"].dt.astimezone(UTC) == datetime(2027, 3, 28, 8, tzinfo=UTC)
    assert s["DTEND"].dt.astimezone(UTC) == datetime(2027, 3, 28, 10, tzinfo=UTC)
    assert a["DTSTART"].dt.astimezone(UTC) == datetime(2027, 10, 31, 9, tzinfo=UTC)
    assert a["DTEND"].dt.astimezone(UTC) == datetime(2027, 10, 31, 11, tzinfo=UTC)
    for vevent in (s, a):
        assert vevent["DTSTART"].params["TZID"] == "Europe/Berlin"
        assert vevent["DTEND"].params["TZID"] == "Europe/Berlin"
    # Written as Berlin wall-clock time, not UTC.
    assert b"DTSTART;TZID=Europe/Berlin:20270328T100000\r\n" in raw
    assert b"DTSTART;TZID=Europe/Berlin:20271031T100000\r\n" in raw
    # The VTIMEZONE alone (without the tz database) gives the same instants.
    tz = parse(raw).walk("VTIMEZONE")[0].to_tz(lookup_tzid=False)
    assert datetime(2027, 3, 28, 10, tzinfo=tz).astimezone(UTC) == datetime(2027, 3, 28, 8, tzinfo=UTC)
    assert datetime(2027, 10, 31, 10, tzinfo=tz).astimezone(UTC) == datetime(2027, 10, 31, 9, tzinfo=UTC)


def test_utc_input_is_converted_to_berlin_wall_clock():
    raw = render([FakeEvent(1, starts_at=datetime(2027, 1, 15, 17, tzinfo=UTC),
                            ends_at=datetime(2027, 1, 15, 18, 30, tzinfo=UTC))])
    assert b"DTSTART;TZID=Europe/Berlin:20270115T180000\r\n" in raw
    assert b"DTEND;TZID=Europe/Berlin:20270115T193000\r\n" in raw


def test_naive_datetimes_are_taken_as_utc():
    raw = render([FakeEvent(1, starts_at=datetime(2027, 6, 1, 16),
                            ends_at=datetime(2027, 6, 1, 17),
                            updated_at=datetime(2027, 5, 1, 12))])
    vevent = vevents(raw)[0]
    assert vevent["DTSTART"].dt.astimezone(UTC) == datetime(2027, 6, 1, 16, tzinfo=UTC)
    assert vevent["LAST-MODIFIED"].dt == datetime(2027, 5, 1, 12, tzinfo=UTC)


def test_exactly_one_berlin_vtimezone_with_standard_and_daylight():
    events = [FakeEvent(1, starts_at=datetime(2027, 3, 28, 10, tzinfo=BERLIN),
                        ends_at=datetime(2027, 3, 28, 12, tzinfo=BERLIN)),
              FakeEvent(2, starts_at=datetime(2027, 10, 31, 10, tzinfo=BERLIN),
                        ends_at=datetime(2027, 10, 31, 12, tzinfo=BERLIN)),
              FakeEvent(3)]
    raw = render(events)
    cal = parse(raw)
    timezones = cal.walk("VTIMEZONE")
    assert len(timezones) == 1
    assert str(timezones[0]["TZID"]) == "Europe/Berlin"
    assert timezones[0].walk("STANDARD")
    assert timezones[0].walk("DAYLIGHT")
    assert raw.count(b"BEGIN:VTIMEZONE") == 1
    # The VTIMEZONE comes before the events that refer to it.
    assert raw.index(b"BEGIN:VTIMEZONE") < raw.index(b"BEGIN:VEVENT")
    assert cal.get_missing_tzids() == set()


def test_vtimezone_covers_all_years_of_the_events():
    events = [FakeEvent(1, starts_at=datetime(2026, 12, 31, 22, tzinfo=UTC),
                        ends_at=datetime(2026, 12, 31, 23, tzinfo=UTC)),
              FakeEvent(2, starts_at=datetime(2029, 7, 1, 10, tzinfo=UTC),
                        ends_at=datetime(2029, 7, 1, 11, tzinfo=UTC))]
    (timezone,) = parse(render(events)).walk("VTIMEZONE")
    # Build a tzinfo from the VTIMEZONE itself (not from the TZID name), as a
    # calendar app without the tz database would.
    tz = timezone.to_tz(lookup_tzid=False)
    for year in (2026, 2027, 2028, 2029):
        assert datetime(year, 1, 15, 12, tzinfo=tz).utcoffset() == timedelta(hours=1)
        assert datetime(year, 7, 15, 12, tzinfo=tz).utcoffset() == timedelta(hours=2)
        assert datetime(year, 12, 15, 12, tzinfo=tz).utcoffset() == timedelta(hours=1)


def test_tricky_text_round_trips_exactly():
    event = FakeEvent(1, title=TRICKY, description=TRICKY, location=TRICKY,
                      category_label="Kultur, Musik; Tanz")
    raw = render([event])
    vevent = vevents(raw)[0]
    assert str(vevent["SUMMARY"]) == TRICKY
    assert str(vevent["DESCRIPTION"]) == TRICKY
    assert str(vevent["LOCATION"]) == TRICKY
    assert list(vevent["CATEGORIES"].cats) == ["Kultur, Musik; Tanz"]
    assert str(vevent["URL"]) == "https://altdorf.example.org/veranstaltungen/1"
    # Escaped on the wire, not raw: a literal newline would end the property.
    assert b"Grillfest\\, Flohmarkt\\; " in raw
    assert "Ümläüte".encode() in raw


def test_crlf_in_text_becomes_lf_and_control_characters_are_dropped():
    event = FakeEvent(1, description="Eins\r\nZwei\rDrei\x00\x07\tTab")
    assert str(vevents(render([event]))[0]["DESCRIPTION"]) == "Eins\nZwei\nDrei\tTab"


def test_sequence_last_modified_dtstamp_status():
    now = datetime(2027, 2, 3, 4, 5, 6, tzinfo=UTC)
    raw = render([FakeEvent(1, sequence=4), FakeEvent(2, cancelled=True)], now=now)
    events = by_uid(raw)
    live, cancelled = events["event-1@altdorf.example.org"], events["event-2@altdorf.example.org"]
    assert live["SEQUENCE"] == 4
    assert cancelled["SEQUENCE"] == 0
    assert live["LAST-MODIFIED"].dt == datetime(2027, 5, 1, 12, 30, tzinfo=UTC)
    assert b"LAST-MODIFIED:20270501T123000Z\r\n" in raw
    assert live["DTSTAMP"].dt == now
    assert str(live["STATUS"]) == "CONFIRMED"
    assert str(cancelled["STATUS"]) == "CANCELLED"


def test_dtstamp_defaults_to_now_in_utc():
    before = datetime.now(UTC).replace(microsecond=0)
    stamp = vevents(render([FakeEvent(1)]))[0]["DTSTAMP"].dt
    assert stamp.utcoffset() == timedelta(0)
    assert before <= stamp <= datetime.now(UTC)


def test_cancelled_is_optional():
    class Minimal:
        id = 9
        title = "Ohne cancelled-Attribut"
        description = ""
        starts_at = datetime(2027, 6, 1, 16, tzinfo=UTC)
        ends_at = datetime(2027, 6, 1, 17, tzinfo=UTC)
        location = ""
        updated_at = datetime(2027, 5, 1, tzinfo=UTC)
        sequence = 1
        category_label = ""

    vevent = vevents(render([Minimal()]))[0]
    assert str(vevent["STATUS"]) == "CONFIRMED"
    assert "LOCATION" not in vevent and "DESCRIPTION" not in vevent


def test_end_not_after_start_is_left_out():
    start = datetime(2027, 6, 1, 16, tzinfo=UTC)
    vevent = vevents(render([FakeEvent(1, starts_at=start, ends_at=start)]))[0]
    assert "DTEND" not in vevent


@pytest.mark.parametrize("events", [
    [],
    [FakeEvent(1, title="🎉" * 60, description=TRICKY * 20, location="ä" * 200)],
])
def test_lines_are_folded_and_crlf_terminated(events):
    raw = render(events)
    assert raw.endswith(b"\r\n")
    body = raw[:-2]
    assert b"\n" not in body.replace(b"\r\n", b"")
    assert b"\r" not in body.replace(b"\r\n", b"")
    for line in body.split(b"\r\n"):
        assert len(line) <= 75, line
        line.decode("utf-8")  # never split inside a multi-byte character


def test_empty_event_list_is_a_valid_calendar():
    raw = render([])
    cal = parse(raw)
    assert cal.walk("VEVENT") == []
    assert raw.startswith(b"BEGIN:VCALENDAR\r\n")
    assert raw.endswith(b"END:VCALENDAR\r\n")
    assert str(cal["X-WR-CALNAME"]) == "Altdorf – Veranstaltungen"
    # RFC 5545 requires at least one component; the Berlin VTIMEZONE is it.
    assert len(cal.walk("VTIMEZONE")) == 1


def test_event_bytes_single_event():
    event = FakeEvent(3, title="Lesung")
    cal = parse(event_bytes(event, event_url=url, domain="altdorf.example.org"))
    (vevent,) = cal.walk("VEVENT")
    assert str(vevent["UID"]) == "event-3@altdorf.example.org"
    assert str(cal["X-WR-CALNAME"]) == "Lesung"
    assert len(cal.walk("VTIMEZONE")) == 1
