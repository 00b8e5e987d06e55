"""Every failure answers in the contract's error format, with the right status, never a 500."""
import pytest

from tests.blueprints.api.conftest import api_path, assert_api_error


@pytest.fixture
def manager(bearer, towns):
    return bearer("manager", towns.a)


def post_district(client, town, headers, **kwargs):
    return client.post(api_path(town, "/districts"), headers=headers, **kwargs)


def test_broken_json_is_a_400(client, towns, manager):
    response = post_district(client, towns.a, manager, data='{"name": "Zen',
                             content_type="application/json")
    assert "kein gültiges JSON" in assert_api_error(response, 400, "bad_request")["message"]


def test_bytes_that_are_not_utf8_are_a_400(client, towns, manager):
    response = post_district(client, towns.a, manager, data=b'{"name": "\xff"}',
                             content_type="application/json")
    assert_api_error(response, 400)


@pytest.mark.parametrize("content_type", ["application/x-www-form-urlencoded", "text/plain", None])
def test_a_body_that_is_not_json_is_a_415(client, towns, manager, content_type):
    response = post_district(client, towns.a, manager, data="name=Zentrum",
                             content_type=content_type)
    assert_api_error(response, 415, "unsupported_media_type")


def test_a_body_over_the_limit_is_a_413(app, client, towns, manager, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 64)
    response = post_district(client, towns.a, manager, json={"name": "x" * 100})
    assert_api_error(response, 413, "too_large")


@pytest.mark.parametrize("body, field, message", [
    ({}, "name", "Bitte angeben."),
    ({"name": "   "}, "name", "Darf nicht leer sein."),
    ({"name": "x" * 201}, "name", "Höchstens 200 Zeichen."),
    ({"name": 42}, "name", "Bitte einen Text angeben."),
    ({"name": "Ok", "beschreibung": "Tippfehler"}, "beschreibung", "Dieses Feld gibt es nicht."),
])
def test_invalid_fields_are_a_422_with_german_messages_per_field(client, towns, manager, body, field,
                                                                 message):
    error = assert_api_error(post_district(client, towns.a, manager, json=body), 422, "invalid")
    assert error["fields"] == {field: message}


def test_json_that_is_not_an_object_is_a_422(client, towns, manager):
    error = assert_api_error(post_district(client, towns.a, manager, json=["Zentrum"]), 422)
    assert "JSON-Objekt" in error["message"]


@pytest.mark.parametrize("query, field, message", [
    ("per_page=101", "per_page", "Höchstens 100."),
    ("per_page=0", "per_page", "Mindestens 1."),
    ("page=0", "page", "Mindestens 1."),
    ("page=zwei", "page", "Bitte eine ganze Zahl angeben."),
    ("page=99999999999999999999999", "page", "Höchstens 1000000."),
])
def test_bad_query_parameters_are_a_422(client, towns, query, field, message):
    error = assert_api_error(client.get(api_path(towns.a, f"/districts?{query}")), 422, "invalid")
    assert error["fields"] == {field: message}


def test_unknown_query_parameters_are_ignored(client, towns):
    assert client.get(api_path(towns.a, "/districts?utm_source=newsletter&x=1")).status_code == 200


@pytest.mark.parametrize("path", ["/districts/990999", "/districts/0", "/districts/abc",
                                  f"/districts/{2**63}", "/gibt-es-nicht"])
def test_what_does_not_exist_is_a_404(client, towns, path):
    assert_api_error(client.get(api_path(towns.a, path)), 404, "not_found")


def test_an_unknown_town_is_a_404_in_the_api_format(client):
    assert_api_error(client.get("/gibt-es-nicht/api/v1/districts"), 404)


def test_a_method_the_path_does_not_have_is_a_405(client, towns, dummy_district):
    response = client.put(api_path(towns.a, f"/districts/{dummy_district.id}"), json={})
    assert_api_error(response, 405, "method_not_allowed")
    assert {"GET", "PATCH", "DELETE"} <= set(response.headers["Allow"].split(", "))


@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
@pytest.mark.parametrize("record_id", [0, 2**63, 10**20])
def test_an_id_no_record_can_have_is_a_404_for_every_method_of_the_path(
        client, towns, manager, method, record_id):
    """Not a 405: every method of a record's URL matches its rule, whatever the number."""
    for path in (f"/units/{record_id}", f"/districts/{record_id}",
                 f"/events/{record_id}/registrations/{record_id}"):
        response = client.open(api_path(towns.a, path), method=method, headers=manager, json={})
        assert_api_error(response, 404, "not_found")


def test_anonymous_writes_are_a_401_and_writes_without_permission_a_403(client, towns, bearer):
    assert_api_error(post_district(client, towns.a, {}, json={"name": "Anonym"}), 401)
    partner = bearer("partner", towns.a)
    assert_api_error(post_district(client, towns.a, partner, json={"name": "Partner"}), 403,
                     "forbidden")


def test_a_duplicate_name_is_a_409_whatever_its_case(client, towns, manager, dummy_district):
    response = post_district(client, towns.a, manager, json={"name": dummy_district.name.upper()})
    error = assert_api_error(response, 409, "conflict")
    assert error["fields"] == {"name": "Diesen Stadtteil gibt es schon."}


def test_renaming_onto_another_districts_name_is_a_409(client, towns, manager, create_district):
    first, second = create_district(towns.a), create_district(towns.a)
    response = client.patch(api_path(towns.a, f"/districts/{second.id}"), headers=manager,
                            json={"name": first.name})
    assert_api_error(response, 409)


# --- 429: a throwaway endpoint with a limit, on an app with limits switched on (conftest) -


def test_too_many_requests_is_a_429(limits_switched_on, towns):
    from blueprints.api.blueprint import make_blueprint
    from blueprints.api.registry import ApiRegistry
    from tenants.access import public

    registry = ApiRegistry()

    @registry.get("/ping", rate_limit="2 per minute")
    @public
    def limited_ping():
        return {"pong": True}

    limited = limits_switched_on(make_blueprint(registry, name="api_limited",
                                                url_prefix="/<town:tenant>/api/v1/limited"))
    client, url = limited.test_client(), api_path(towns.a, "/limited/ping")
    assert [client.get(url).status_code for _ in range(2)] == [200, 200]
    assert_api_error(client.get(url), 429, "too_many_requests")


def test_an_unexpected_failure_is_a_500_in_the_api_format(client, towns, monkeypatch):
    from blueprints.town import services

    def broken(*args, **kwargs):
        raise RuntimeError("database on fire")

    monkeypatch.setattr(services, "districts_in_order", broken)
    assert_api_error(client.get(api_path(towns.a, "/districts")), 500, "server_error")
