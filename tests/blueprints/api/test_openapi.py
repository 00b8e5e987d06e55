"""openapi.json is generated from the code that serves the API, so it cannot drift from it."""
import re

import pytest
from openapi_spec_validator import validate

from tests.blueprints.api.conftest import api_path

API_PREFIX = "/<town:tenant>/api/v1"
IGNORED_METHODS = {"HEAD", "OPTIONS"}  # Flask answers these for every rule


@pytest.fixture
def document(client, towns) -> dict:
    response = client.get(api_path(towns.a, "/openapi.json"))
    assert response.status_code == 200 and response.is_json
    return response.get_json()


def served_operations(app) -> set[tuple[str, str]]:
    """(method, OpenAPI path) of every URL rule under /api/v1, read from Flask's URL map."""
    operations = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(API_PREFIX + "/"):
            continue
        path = re.sub(r"<(?:[^:>]+:)?(\w+)>", r"{\1}", rule.rule[len(API_PREFIX):])
        operations |= {(method, path) for method in rule.methods - IGNORED_METHODS}
    return operations


def documented_operations(document) -> set[tuple[str, str]]:
    return {(method.upper(), path) for path, item in document["paths"].items() for method in item}


def test_every_served_route_is_documented_and_nothing_else(app, document):
    served = served_operations(app)
    assert ("POST", "/districts") in served and ("PATCH", "/districts/{district_id}") in served
    assert documented_operations(document) == served


def test_the_document_is_valid_openapi_3_1(document):
    assert document["openapi"].startswith("3.1")
    validate(document)


def test_every_ref_resolves(document):
    def references(node):
        if isinstance(node, dict):
            if "$ref" in node:
                yield node["$ref"]
            for value in node.values():
                yield from references(value)
        elif isinstance(node, list):
            for value in node:
                yield from references(value)

    found = set(references(document))
    assert "#/components/schemas/Error" in found
    for reference in found:
        assert reference.startswith("#/"), reference
        target = document
        for part in reference[2:].split("/"):
            assert part in target, f"{reference} does not resolve"
            target = target[part]


def test_the_server_is_this_towns_api(client, towns):
    for town in (towns.a, towns.b):
        document = client.get(api_path(town, "/openapi.json")).get_json()
        assert document["servers"] == [{"url": f"http://localhost{api_path(town)}"}]
        assert town.name in document["info"]["title"]


def test_access_rules_appear_as_security_requirements(document):
    listing = document["paths"]["/districts"]["get"]
    creating = document["paths"]["/districts"]["post"]
    assert {} in listing["security"]  # anonymous callers are welcome
    assert {} not in creating["security"] and creating["x-permission"] == "town.manage"
    assert set(document["components"]["securitySchemes"]) == {"bearerAuth", "cookieAuth"}


def test_lists_document_their_pagination(document):
    listing = document["paths"]["/districts"]["get"]
    parameters = {p["name"]: p for p in listing["parameters"]}
    assert parameters["per_page"]["schema"]["maximum"] == 100
    assert parameters["page"]["in"] == "query" and not parameters["page"]["required"]
    assert {"Link", "X-Total-Count"} <= set(listing["responses"]["200"]["headers"])


def test_writes_document_their_body_and_error_answers(document):
    creating = document["paths"]["/districts"]["post"]
    body = creating["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/NewDistrict"}
    assert {"201", "400", "401", "403", "409", "413", "415", "422"} <= set(creating["responses"])
    district_id = document["paths"]["/districts/{district_id}"]["patch"]["parameters"][0]
    assert district_id["in"] == "path" and district_id["schema"]["type"] == "integer"
