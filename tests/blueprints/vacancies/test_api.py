"""Units in the JSON API: the contract's fields, what the public may see, errors per field."""
from __future__ import annotations

from tests.blueprints.api.conftest import api_path, assert_api_error
from tests.conftest import unique

CONTRACT_FIELDS = {"id", "address", "district", "area_sqm", "usage", "rent_eur_month", "status",
                   "vacant_since", "publish", "lat", "lon"}


def test_a_manager_creates_and_changes_a_unit_and_the_status_goes_into_the_history(
        client, towns, bearer):
    headers = bearer(role="manager", town=towns.a)
    created = client.post(api_path(towns.a, "/units"), headers=headers, json={
        "address": unique("Am Markt ") + " 4", "area_sqm": 62.5, "rent_eur_month": 530,
        "usage": "gastronomy", "publish": "approximate", "lat": 50.7, "lon": 12.78,
        "vacant_since": "2025-06-01"})
    assert created.status_code == 201, created.json
    unit = created.json
    assert CONTRACT_FIELDS <= set(unit)
    assert unit["status"] == "vacant" and unit["vacant_since"] == "2025-06-01"
    assert unit["area_sqm"] == 62.5 and unit["rent_eur_month"] == 530  # JSON numbers, as sent
    assert (unit["lat"], unit["lon"]) == (50.7, 12.78)
    assert created.headers["Location"].endswith(f"/units/{unit['id']}")
    changed = client.patch(api_path(towns.a, f"/units/{unit['id']}"), headers=headers,
                           json={"status": "let"})
    assert changed.status_code == 200 and changed.json["status"] == "let"
    assert changed.json["vacant_since"] is None


def test_the_public_sees_only_published_units_and_never_the_exact_point(client, towns, bearer):
    headers = bearer(role="manager", town=towns.b)
    address = unique("Lindenstraße ") + " 8"
    published = client.post(api_path(towns.b, "/units"), headers=headers, json={
        "address": address, "publish": "approximate", "lat": 50.7, "lon": 12.78}).json
    hidden = client.post(api_path(towns.b, "/units"), headers=headers, json={
        "address": unique("Intern ") + " 1", "publish": "no", "notes": "Eigentümer krank"}).json
    anonymous = client.get(api_path(towns.b, f"/units/{published['id']}")).json
    assert anonymous["address"] == address.rsplit(" ", 1)[0]  # no house number
    assert (anonymous["lat"], anonymous["lon"]) != (50.7, 12.78)
    assert anonymous.get("notes") is None
    assert_api_error(client.get(api_path(towns.b, f"/units/{hidden['id']}")), 404)
    listed = client.get(api_path(towns.b, "/units?per_page=100")).json
    assert hidden["id"] not in {unit["id"] for unit in listed}
    assert_api_error(client.post(api_path(towns.b, "/units"), json={"address": "x"}), 401)


def test_bad_input_names_each_field(client, towns, bearer):
    headers = bearer(role="manager", town=towns.a)
    response = client.post(api_path(towns.a, "/units"), headers=headers, json={
        "address": "", "area_sqm": -3, "status": "abgerissen", "lat": 95, "lon": 12})
    error = assert_api_error(response, 422)
    assert {"address", "area_sqm", "status", "lat"} <= set(error["fields"])
    unknown = client.patch(api_path(towns.a, "/units/1"), headers=headers, json={"district": 999999})
    assert unknown.status_code in (404, 409)  # no unit 1 in this town, or no such district


def test_a_unit_of_town_a_is_not_found_in_town_b(client, towns, bearer):
    headers_a = bearer(role="manager", town=towns.a)
    unit = client.post(api_path(towns.a, "/units"), headers=headers_a, json={
        "address": unique("Nur A ") + " 1", "publish": "exact"}).json
    headers_b = bearer(role="manager", town=towns.b)
    response = client.get(api_path(towns.b, f"/units/{unit['id']}"), headers=headers_b)
    assert response.status_code == 404 or response.json["address"] != unit["address"]
