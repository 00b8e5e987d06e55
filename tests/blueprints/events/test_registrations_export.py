"""The registrations as a CSV download: what a visitor typed never runs as a formula."""
from __future__ import annotations

import csv
import io
import re

from tests.blueprints.events.test_registrations import event_with_places
from tests.blueprints.mail.conftest import town_rows
from tests.conftest import login, unique

NAMES = ['=HYPERLINK("http://evil.example","x")', "+1", "-2+3", "@SUM(A1)"]


def register_as(client, app, town, event_id, name) -> str:
    """Register ``name`` through the public form and confirm by the mailed link; the address."""
    email = f"{unique('gast')}@example.org"
    response = client.post(f"/{town.slug}/veranstaltungen/{event_id}/anmelden",
                           data={"name": name, "email": email, "consent": "y"})
    assert response.status_code == 302, response.text
    [mail] = town_rows(app, town, email)
    client.get(re.search(r"http://localhost(/\S+/bestaetigen)", mail.text_body).group(1))
    return email


def test_names_that_start_like_formulas_come_out_as_text(app, client, towns, create_user):
    event_id = event_with_places(app, towns.a, capacity=10)
    emails = {register_as(client, app, towns.a, event_id, name): name for name in NAMES}
    login(client, create_user(role="manager", town=towns.a))

    exported = client.get(f"/{towns.a.slug}/verwaltung/veranstaltungen/{event_id}/anmeldungen?format=csv")

    assert exported.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert exported.data.startswith(b"\xef\xbb\xbf")
    header, *rows = csv.reader(io.StringIO(exported.data.decode("utf-8-sig"), newline=""), delimiter=";")
    assert header == ["Name", "E-Mail", "Status", "Angemeldet am", "Eingecheckt"]
    assert {row[1]: row[0] for row in rows} == {email: "'" + name for email, name in emails.items()}
