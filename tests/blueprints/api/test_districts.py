"""The districts resource: public reads, paginated lists, writes by the town's managers only."""
import re

from tests.blueprints.api.conftest import api_path, assert_api_error
from tests.conftest import unique


def links_of(response) -> dict[str, str]:
    """``Link`` header → {rel: url}."""
    return {rel: url for url, rel in re.findall(r'<([^>]+)>; rel="(\w+)"', response.headers["Link"])}


def test_anyone_reads_a_district(client, towns, create_district):
    district = create_district(towns.a, description="Altstadt am Markt")
    response = client.get(api_path(towns.a, f"/districts/{district.id}"))
    assert response.status_code == 200
    body = response.get_json()
    assert body == {"id": district.id, "name": district.name, "description": "Altstadt am Markt",
                    "created_at": body["created_at"]}
    assert re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d", body["created_at"])


def test_lists_default_to_20_and_say_how_many_there_are(client, towns, create_district):
    for _ in range(21):
        create_district(towns.a)
    response = client.get(api_path(towns.a, "/districts"))
    total = int(response.headers["X-Total-Count"])
    assert total >= 21 and len(response.get_json()) == 20
    assert set(links_of(response)) == {"first", "next", "last"}


def test_the_link_header_names_first_prev_next_and_last_keeping_other_parameters(
        client, towns, create_district):
    for _ in range(5):
        create_district(towns.a)
    response = client.get(api_path(towns.a, "/districts?per_page=2&page=2&sort=egal"))
    last = -(-int(response.headers["X-Total-Count"]) // 2)
    base = f"http://localhost{api_path(towns.a, '/districts')}?per_page=2&page="
    assert links_of(response) == {"first": base + "1&sort=egal", "prev": base + "1&sort=egal",
                                  "next": base + "3&sort=egal", "last": f"{base}{last}&sort=egal"}


def every_district(client, town, per_page=100) -> tuple[list[dict], int]:
    """Follow ``next`` links to the end; returns the districts and the last X-Total-Count."""
    url, seen = api_path(town, f"/districts?per_page={per_page}"), []
    while url:
        response = client.get(url)
        seen += response.get_json()
        url = links_of(response).get("next")
    return seen, int(response.headers["X-Total-Count"])


def test_following_next_visits_every_district_exactly_once(client, towns, create_district):
    for _ in range(5):
        create_district(towns.a)
    seen, total = every_district(client, towns.a, per_page=3)
    assert len(seen) == total
    assert len({d["id"] for d in seen}) == len(seen)


def test_a_page_past_the_end_is_empty_not_an_error(client, towns):
    response = client.get(api_path(towns.a, "/districts?page=100000"))
    assert response.status_code == 200 and response.get_json() == []
    assert "next" not in links_of(response)


def test_the_manager_creates_a_district(client, towns, bearer):
    name = unique("Neustadt ")
    response = client.post(api_path(towns.a, "/districts"), headers=bearer("manager", towns.a),
                           json={"name": f"  {name} ", "description": "Plattenbau"})
    assert response.status_code == 201
    created = response.get_json()
    assert created["name"] == name and created["description"] == "Plattenbau"
    assert response.headers["Location"] == api_path(towns.a, f"/districts/{created['id']}")
    assert client.get(response.headers["Location"]).get_json() == created


def test_patch_changes_only_the_fields_sent(client, towns, bearer, create_district):
    district = create_district(towns.a, description="alt")
    url = api_path(towns.a, f"/districts/{district.id}")
    response = client.patch(url, headers=bearer("manager", towns.a), json={"description": "neu"})
    assert response.status_code == 200
    assert response.get_json()["name"] == district.name
    assert client.get(url).get_json()["description"] == "neu"


def test_patch_refuses_null_for_a_field_that_cannot_be_unset(client, towns, bearer, dummy_district):
    response = client.patch(api_path(towns.a, f"/districts/{dummy_district.id}"),
                            headers=bearer("manager", towns.a), json={"name": None})
    assert assert_api_error(response, 422)["fields"] == {"name": "Bitte einen Text angeben."}


def test_partners_and_applicants_may_read_but_not_write(client, towns, bearer, dummy_district):
    url = api_path(towns.a, f"/districts/{dummy_district.id}")
    for role in ("partner", "applicant"):
        headers = bearer(role, towns.a)
        assert client.get(url, headers=headers).status_code == 200
        assert_api_error(client.patch(url, headers=headers, json={"name": "Gekapert"}), 403)
        assert_api_error(client.post(api_path(towns.a, "/districts"), headers=headers,
                                     json={"name": unique("Gekapert ")}), 403)


# --- isolation ----------------------------------------------------------------

def test_a_manager_of_one_town_may_not_write_in_another(client, towns, bearer, create_district):
    other_towns_district = create_district(towns.b)
    manager_of_a = bearer("manager", towns.a)
    assert_api_error(client.post(api_path(towns.b, "/districts"), headers=manager_of_a,
                                 json={"name": unique("Übergriff ")}), 403)
    url = api_path(towns.b, f"/districts/{other_towns_district.id}")
    assert_api_error(client.patch(url, headers=manager_of_a, json={"name": "Übergriff"}), 403)
    assert client.get(url).get_json()["name"] == other_towns_district.name


def test_the_same_district_id_in_two_towns_never_crosses(app, client, towns):
    from blueprints.town.models import District
    from tenants.context import tenant_context
    from tenants.db import db

    record_id, markers = 990101, {towns.a.slug: unique("Nur in A "), towns.b.slug: unique("Nur in B ")}
    for town in (towns.a, towns.b):
        with app.app_context(), tenant_context(town):
            db.session.merge(District(id=record_id, name=markers[town.slug], description=""))
            db.session.commit()
    for town, other in ((towns.a, towns.b), (towns.b, towns.a)):
        one = client.get(api_path(town, f"/districts/{record_id}")).get_json()
        assert one["name"] == markers[town.slug]
        listed = {d["name"] for d in every_district(client, town)[0]}
        assert markers[town.slug] in listed and markers[other.slug] not in listed


def test_a_district_of_one_town_is_never_served_by_another(client, towns, create_district):
    district = create_district(towns.a, name=unique("Nur hier "))
    response = client.get(api_path(towns.b, f"/districts/{district.id}"))
    # Town B may have a district of its own with this id; it must never be A's.
    assert response.status_code == 404 or response.get_json()["name"] != district.name
