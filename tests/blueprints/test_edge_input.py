"""Odd values in a page's URL: a clear answer, never a server error (probe of 2026-12-07, 10e)."""
from __future__ import annotations

import pytest

BEYOND_BIGINT = "9" * 25


@pytest.mark.parametrize("page", ["/leerstand/{id}", "/veranstaltungen/{id}", "/veranstaltungen/{id}.ics",
                                  "/aktuelles/{id}", "/gewerbe/{id}", "/leerstand/0"])
def test_an_id_beyond_what_the_database_holds_is_not_found(client, towns, page):
    response = client.get(f"/{towns.a.slug}" + page.format(id=BEYOND_BIGINT))
    assert response.status_code == 404
    assert "Seite nicht gefunden" in response.text


@pytest.mark.parametrize("page", ["/leerstand", "/veranstaltungen", "/veranstaltungen.ics"])
def test_a_district_filter_beyond_what_the_database_holds_is_left_off(client, towns, page):
    response = client.get(f"/{towns.a.slug}{page}?stadtteil={BEYOND_BIGINT}")
    assert response.status_code == 200


@pytest.mark.parametrize("month", ["9999-12", "0000-01", "2026-13", "1899-12"])
def test_a_month_outside_the_calendar_shows_the_current_month(client, towns, month):
    response = client.get(f"/{towns.a.slug}/veranstaltungen?monat={month}")
    assert response.status_code == 200
    assert "Veranstaltungen in" in response.text


@pytest.mark.parametrize("path", ["/{slug}/gewerbe?suche=%00", "/{slug}/leerstand?nutzung=a%00b",
                                  "/{slug}/newsletter/abmelden/%00", "/passwort/neu/%00",
                                  "/login?next=%00"])
def test_a_nul_byte_in_the_address_is_refused_with_a_reason(client, towns, path):
    response = client.get(path.format(slug=towns.a.slug))
    assert response.status_code == 400
    assert "Nullzeichen" in response.text


def test_a_nul_byte_in_a_form_is_refused_and_stores_nothing(client, towns):
    response = client.post(f"/{towns.a.slug}/newsletter", data={"email": "a\x00@example.org",
                                                                "consent": "y"})
    assert response.status_code == 400 and "Nullzeichen" in response.text


def test_the_api_answers_a_nul_in_its_own_format(client, towns):
    response = client.get(f"/{towns.a.slug}/api/v1/units?status=%00")
    assert response.status_code == 422 and response.json["error"]["code"] == "invalid"


def test_events_from_the_first_year_on_are_listed(client, towns):
    response = client.get(f"/{towns.a.slug}/api/v1/events?from=0001-01-01")
    assert response.status_code == 200 and isinstance(response.json, list)
