"""The public calendar in pages, and served from the cache to visitors until an event changes."""
from __future__ import annotations

from datetime import date, time

from sqlalchemy import event as sqlalchemy_event

from blueprints.events import services
from blueprints.town import services as town_services
from tenants.context import tenant_context
from tenants.db import db
from tests.conftest import unique

CALENDAR = "/{slug}/veranstaltungen"


def add_events(app, town, titles, *, day=date(2031, 5, 1), district_id=None):
    with app.app_context(), tenant_context(town):
        for title in titles:
            services.create_events({"title": title, "category": "culture", "address": "Markt 1",
                                    "district_id": district_id}, day=day, starts=time(10), ends=time(12))
        db.session.commit()


def new_district(app, town) -> int:
    with app.app_context(), tenant_context(town):
        district_id = town_services.create_district(unique("Viertel ")).id
        db.session.commit()
        return district_id


def statements_during(app, request):
    """The SQL statements ``request()`` sends, and its response."""
    sent = []

    def count(*args):
        sent.append(args[2])

    with app.app_context():
        engine = db.engine
    sqlalchemy_event.listen(engine, "before_cursor_execute", count)
    try:
        response = request()
    finally:
        sqlalchemy_event.remove(engine, "before_cursor_execute", count)
    return sent, response


def test_the_list_shows_25_events_a_page_with_a_way_to_the_next(app, client, towns):
    prefix, district_id = unique("Lesereihe "), new_district(app, towns.b)
    add_events(app, towns.b, [f"{prefix} {number:02d}" for number in range(30)], district_id=district_id)
    first = client.get(CALENDAR.format(slug=towns.b.slug) + f"?stadtteil={district_id}")
    assert first.text.count(prefix) == 25 and 'rel="next"' in first.text
    second = client.get(CALENDAR.format(slug=towns.b.slug) + f"?stadtteil={district_id}&seite=2")
    assert f"{prefix} 29" in second.text and 'rel="prev"' in second.text


def test_a_visitor_sees_a_new_or_changed_event_at_once_though_the_page_is_cached(app, client, towns):
    before = client.get(CALENDAR.format(slug=towns.a.slug)).text
    title = unique("Kinoabend ")
    add_events(app, towns.a, [title])
    assert title not in before and title in client.get(CALENDAR.format(slug=towns.a.slug)).text
    with app.app_context(), tenant_context(towns.a):
        [found] = db.session.scalars(services.search_staff(title)).all()
        found.title = title + " (verlegt)"
        db.session.commit()
    assert title + " (verlegt)" in client.get(CALENDAR.format(slug=towns.a.slug)).text
    feed = client.get(CALENDAR.format(slug=towns.a.slug) + ".ics").text
    assert title + " (verlegt)" in feed


def test_the_next_visitor_is_served_from_the_cache_after_one_look_at_the_events(app, client, towns):
    add_events(app, towns.a, [unique("Stadtfest ")])
    path = CALENDAR.format(slug=towns.a.slug) + "?kategorie=culture"
    first, rendered = statements_during(app, lambda: client.get(path))
    again, served = statements_during(app, lambda: app.test_client().get(path))
    assert served.text == rendered.text
    about_events = [statement for statement in again if "events" in statement]
    assert len(about_events) == 1 and "max(" in about_events[0]  # only: has any event changed?
    assert len([statement for statement in first if "events" in statement]) > 1


def test_signed_in_staff_and_other_languages_get_their_own_page(app, client, towns, login_as):
    path = CALENDAR.format(slug=towns.a.slug)
    german = client.get(path).text
    english_visitor = app.test_client()
    english = english_visitor.get(path, headers={"Accept-Language": "en"}).text
    assert "Veranstaltungen in" in german and "Events in" in english
    login_as("manager", towns.a)
    assert "Abmelden" in client.get(path).text and "Abmelden" not in german


def test_a_calendar_app_that_has_the_feed_gets_a_304_until_an_event_changes(app, client, towns):
    feed_path = CALENDAR.format(slug=towns.b.slug) + ".ics"
    first = client.get(feed_path)
    assert first.status_code == 200 and first.headers["ETag"]
    unchanged = client.get(feed_path, headers={"If-None-Match": first.headers["ETag"]})
    assert unchanged.status_code == 304 and unchanged.data == b""
    title = unique("Nachtflohmarkt ")
    add_events(app, towns.b, [title])
    changed = client.get(feed_path, headers={"If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200 and title in changed.text
    assert changed.headers["ETag"] != first.headers["ETag"]
