"""The town's calendar: events and series in local time, list and month, and feeds that parse."""
from __future__ import annotations

from datetime import date, datetime, time, timezone
from decimal import Decimal

from icalendar import Calendar

from blueprints.events import services
from blueprints.events.models import Event
from tenants.context import tenant_context
from tenants.db import db
from tests.conftest import unique

FEED = "/{slug}/veranstaltungen.ics"


def create_event_page(client, town, **data):
    defaults = {"title": unique("Markttag "), "category": "market", "day": "2027-03-20",
                "starts": "10:00", "ends": "14:00", "address": "Markt", "unit_id": "0",
                "district_id": "0", "organiser_id": "0", "repeat": ""}
    return client.post(f"/{town.slug}/verwaltung/veranstaltungen/neu", data={**defaults, **data},
                       follow_redirects=True)


def events_titled(app, town, title) -> list[Event]:
    with app.app_context(), tenant_context(town):
        found = db.session.query(Event).filter_by(title=title).order_by(Event.starts_at).all()
        db.session.expunge_all()
        return found


def test_a_weekly_series_keeps_its_local_time_across_the_change_to_summer_time(
        app, client, towns, login_as):
    login_as("manager", towns.a)
    title = unique("Feierabendmarkt ")
    made = create_event_page(client, towns.a, title=title, day="2027-03-18", starts="17:00",
                             ends="20:00", repeat="weekly", until="2027-04-01")
    assert "3 Termine angelegt." in made.text
    first, second, third = events_titled(app, towns.a, title)
    # 17:00 in Berlin is 16:00 UTC in winter and 15:00 UTC in summer (from Sunday, 28 March 2027):
    # 18 and 25 March are winter, 1 April is summer.
    assert [e.starts_at.astimezone(timezone.utc).hour for e in (first, second, third)] == [16, 16, 15]
    assert {services.local(e.starts_at).time() for e in (first, second, third)} == {time(17)}
    assert first.series_id == second.series_id == third.series_id is not None


def test_the_feed_parses_and_carries_each_event_once_with_a_stable_uid(app, client, towns, login_as):
    login_as("manager", towns.b)
    title = unique("Lesung ")
    create_event_page(client, towns.b, title=title, category="culture", day="2027-10-31",
                      starts="19:30", ends="21:00")
    first = Calendar.from_ical(client.get(FEED.format(slug=towns.b.slug)).data)
    second = Calendar.from_ical(client.get(FEED.format(slug=towns.b.slug)).data)
    mine = [c for c in first.walk("VEVENT") if str(c["SUMMARY"]) == title]
    assert len(mine) == 1
    assert [str(c["UID"]) for c in second.walk("VEVENT") if str(c["SUMMARY"]) == title] == [str(mine[0]["UID"])]
    start = mine[0]["DTSTART"].dt
    assert start.astimezone(timezone.utc) == datetime(2027, 10, 31, 18, 30, tzinfo=timezone.utc)  # CET
    assert str(mine[0]["DTSTART"].params["TZID"]) == "Europe/Berlin"
    [event] = events_titled(app, towns.b, title)
    single = Calendar.from_ical(client.get(f"/{towns.b.slug}/veranstaltungen/{event.id}.ics").data)
    assert [str(c["UID"]) for c in single.walk("VEVENT")] == [str(mine[0]["UID"])]


def test_the_feed_and_the_list_filter_by_category_and_district(app, client, towns, login_as):
    from blueprints.town import services as town

    with app.app_context(), tenant_context(towns.a):
        district_id = town.create_district(unique("Kulturviertel ")).id
    login_as("manager", towns.a)
    culture, market = unique("Konzert "), unique("Flohmarkt ")
    create_event_page(client, towns.a, title=culture, category="culture", district_id=str(district_id),
                      day="2099-06-01")
    create_event_page(client, towns.a, title=market, category="market", day="2099-06-02")
    feed = client.get(f"/{towns.a.slug}/veranstaltungen.ics?kategorie=culture&stadtteil={district_id}")
    titles = {str(c["SUMMARY"]) for c in Calendar.from_ical(feed.data).walk("VEVENT")}
    assert culture in titles and market not in titles
    listing = client.get(f"/{towns.a.slug}/veranstaltungen?kategorie=market").text
    assert market in listing and culture not in listing
    month = client.get(f"/{towns.a.slug}/veranstaltungen?monat=2099-06").text
    assert culture in month and market in month and "Juni 2099" in month


def test_a_pop_up_in_an_empty_unit_links_the_two(app, client, towns, login_as, create_unit):
    unit_id = create_unit(towns.b, publish="exact", address=unique("Popupgasse ") + " 4",
                          area_sqm=Decimal("40"))
    login_as("manager", towns.b)
    title = unique("Pop-up-Galerie ")
    page = create_event_page(client, towns.b, title=title, category="popup", unit_id=str(unit_id),
                             address="", day="2099-05-05")
    assert "Popupgasse" in page.text and f"/leerstand/{unit_id}" in page.text


def test_bad_event_input_is_explained_beside_each_field(client, towns, login_as):
    login_as("manager", towns.a)
    response = create_event_page(client, towns.a, title="", starts="14:00", ends="10:00",
                                 address="", repeat="weekly", until="")
    assert response.status_code == 422
    for message in ("Bitte einen Titel angeben.", "Das Ende liegt nicht nach dem Beginn.",
                    "Bitte angeben, bis wann sich der Termin wiederholt.",
                    "Bitte einen Ort angeben: eine Adresse oder eine Einheit."):
        assert message in response.text


def test_an_edit_raises_the_sequence_so_calendar_apps_update(app, client, towns, login_as):
    login_as("manager", towns.a)
    title = unique("Stadtfest ")
    create_event_page(client, towns.a, title=title, day="2099-08-08")
    [event] = events_titled(app, towns.a, title)
    client.post(f"/{towns.a.slug}/verwaltung/veranstaltungen/{event.id}/bearbeiten", data={
        "title": title, "category": "market", "day": "2099-08-09", "starts": "11:00", "ends": "18:00",
        "address": "Markt", "unit_id": "0", "district_id": "0", "organiser_id": "0"})
    [changed] = events_titled(app, towns.a, title)
    assert changed.sequence == 1 and services.local(changed.starts_at).date() == date(2099, 8, 9)


def test_an_event_of_one_town_is_not_found_in_another(app, client, towns):
    with app.app_context(), tenant_context(towns.a):
        event = Event(id=990004, title="Nur in A", starts_at=datetime(2099, 1, 1, 10, tzinfo=timezone.utc),
                      ends_at=datetime(2099, 1, 1, 12, tzinfo=timezone.utc), address="Markt")
        db.session.merge(event)
        db.session.commit()
    assert client.get(f"/{towns.a.slug}/veranstaltungen/990004").status_code == 200
    assert client.get(f"/{towns.b.slug}/veranstaltungen/990004").status_code == 404
    assert client.get(f"/{towns.b.slug}/veranstaltungen/990004.ics").status_code == 404
