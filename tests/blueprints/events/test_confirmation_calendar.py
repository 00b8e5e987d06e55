"""The mail that grants a place carries the event as .ics, delivered by a real SMTP server."""
from __future__ import annotations

import re
from datetime import datetime, timezone

from icalendar import Calendar

from tests.blueprints.events.test_registrations import event_with_places
from tests.conftest import unique

LINK = re.compile(r"http://localhost(/\S+/(?:bestaetigen|abmelden))")


def body(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def link(message, action: str) -> str:
    return next(found for found in LINK.findall(body(message)) if found.endswith(action))


def calendar_parts(message) -> list:
    return [part for part in message.iter_attachments() if part.get_content_type() == "text/calendar"]


def register_by_mail(client, smtp_server, town, event_id, name) -> str:
    """Register on the public page and follow the mailed link; the address used."""
    email = f"{unique(name.lower())}@example.org"
    client.post(f"/{town.slug}/veranstaltungen/{event_id}/anmelden",
                data={"name": name, "email": email, "consent": "y"})
    [asking] = smtp_server.messages_to(email)
    assert not calendar_parts(asking)  # no place yet, so no calendar entry
    client.get(link(asking, "bestaetigen"))
    return email


def assert_carries_the_event(message, town, event_id) -> None:
    [part] = calendar_parts(message)
    assert part.get_param("method") == "PUBLISH" and part.get_filename().endswith(".ics")
    parsed = Calendar.from_ical(part.get_payload(decode=True))
    assert str(parsed["METHOD"]) == "PUBLISH"
    [vevent] = parsed.walk("VEVENT")
    assert str(vevent["UID"]) == f"event-{event_id}@{town.slug}.quartier"  # the feed's UID
    assert vevent["DTSTART"].dt.astimezone(timezone.utc) == datetime(2099, 5, 1, 8, tzinfo=timezone.utc)


def test_the_confirmation_and_the_moving_up_mail_carry_the_event_as_ics(mail_app, smtp_server, towns):
    client = mail_app.test_client()
    event_id = event_with_places(mail_app, towns.a, capacity=1)
    first = register_by_mail(client, smtp_server, towns.a, event_id, "Ada")
    second = register_by_mail(client, smtp_server, towns.a, event_id, "Bea")

    confirmed = smtp_server.messages_to(first)[-1]
    assert "Sie sind angemeldet" in confirmed["Subject"]
    assert_carries_the_event(confirmed, towns.a, event_id)
    waiting = smtp_server.messages_to(second)[-1]
    assert "Warteliste" in waiting["Subject"] and not calendar_parts(waiting)

    client.post(link(confirmed, "abmelden"))
    moved_up = smtp_server.messages_to(second)[-1]
    assert "Ein Platz ist frei geworden" in moved_up["Subject"]
    assert_carries_the_event(moved_up, towns.a, event_id)
