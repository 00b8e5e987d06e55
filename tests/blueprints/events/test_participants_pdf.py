"""Staff print the participants for checking people in on paper; the waiting list comes apart."""
from __future__ import annotations

import io

from pypdf import PdfReader

from tests.blueprints.events.test_registrations import event_with_places, register_and_confirm
from tests.conftest import login


def pdf_text(data: bytes) -> str:
    """The PDF's words, each line break (a wrapped cell) read as a space."""
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages)


def test_the_participants_pdf_lists_who_comes_and_who_waits(app, client, towns, create_user):
    event_id = event_with_places(app, towns.a, capacity=2)
    for name in ("Jana", "Karl", "Lotte"):
        register_and_confirm(client, app, towns.a, event_id, name)
    login(client, create_user(role="partner", town=towns.a))  # partners read the list too
    listing = client.get(f"/{towns.a.slug}/verwaltung/veranstaltungen/{event_id}/anmeldungen")
    assert f"/veranstaltungen/{event_id}/anmeldungen.pdf" in listing.text

    response = client.get(f"/{towns.a.slug}/verwaltung/veranstaltungen/{event_id}/anmeldungen.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = pdf_text(response.data)
    attending, waiting = text.split("Warteliste (1)")
    assert "Stadtführung" in attending and "Markt" in attending and "2099" in attending
    assert "Teilnehmende (2)" in attending and "Unterschrift / Notiz" in attending
    assert "Jana" in attending and "Karl" in attending and "Lotte" not in attending
    assert "Lotte" in waiting and "auf der Warteliste" in waiting


def test_outsiders_get_no_participants_pdf(app, client, towns, create_user):
    event_id = event_with_places(app, towns.b)
    url = f"/{towns.b.slug}/verwaltung/veranstaltungen/{event_id}/anmeldungen.pdf"
    assert client.get(url).status_code == 302  # to the login
    login(client, create_user(role="manager", town=towns.a))
    assert client.get(url).status_code in (403, 404)
