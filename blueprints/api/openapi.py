"""The OpenAPI 3.1 document, built at request time from the same registry that made the URL rules."""
from __future__ import annotations

from flask import current_app, g, request, url_for
from pydantic import TypeAdapter
from pydantic.json_schema import GenerateJsonSchema
from werkzeug.routing.rules import parse_converter_args

from blueprints.api.registry import PATH_VALUE, RECORD_ID, ApiRegistry, Endpoint
from blueprints.api.schemas import MAX_ID, Error
from tenants.access import Access

REF = "#/components/schemas/{model}"
ERROR_KEY = ("", "error")  # endpoint names are never empty, so this key is free
ERROR_RESPONSES = {
    "400": ("BadRequest", "Der Anfragetext ist kein gültiges JSON."),
    "401": ("Unauthorized", "Nicht angemeldet, oder das API-Token ist ungültig."),
    "403": ("Forbidden", "Keine Berechtigung in dieser Stadt, oder CSRF-Token fehlt."),
    "404": ("NotFound", "Stadt oder Datensatz gibt es nicht."),
    "409": ("Conflict", "Widerspricht vorhandenen Daten."),
    "413": ("PayloadTooLarge", "Anfragetext zu groß."),
    "415": ("UnsupportedMediaType", "Anfragetext ist kein application/json."),
    "422": ("ValidationFailed", "Ungültige Angaben; `fields` nennt sie."),
    "429": ("TooManyRequests", "Zu viele Anfragen."),
    "503": ("ServiceUnavailable", "Die Datenbank ist gerade nicht erreichbar; bitte nach "
                                  "`Retry-After` Sekunden erneut versuchen."),
}
PAGE_HEADERS = {
    "X-Total-Count": {"description": "Anzahl aller Einträge über alle Seiten.", "required": True,
                      "schema": {"type": "integer", "minimum": 0}},
    "Link": {"description": "RFC 8288: first, prev, next, last.", "required": True,
             "schema": {"type": "string"}},
}
LOCATION_HEADER = {"Location": {"description": "Die Adresse des neuen Datensatzes.", "required": True,
                                "schema": {"type": "string"}}}
ERROR_HEADERS = {
    "401": {"WWW-Authenticate": {"description": "RFC 6750: `Bearer realm=\"Quartier\"`.",
                                 "required": True, "schema": {"type": "string"}}},
    "429": {"Retry-After": {"description": "Sekunden bis zur nächsten Anfrage.",
                            "schema": {"type": "integer"}}},
    "503": {"Retry-After": {"description": "Sekunden bis zum nächsten Versuch.",
                            "schema": {"type": "integer"}}},
}
CONVERTER_TYPES = {"int": "integer", "float": "number", RECORD_ID: "integer"}
PUBLIC = [{}, {"bearerAuth": []}, {"cookieAuth": []}]  # {} = anonymous is fine
SIGNED_IN = [{"bearerAuth": []}, {"cookieAuth": []}]


def build_document(registry: ApiRegistry) -> dict:
    """The whole document for the current town."""
    schemas = _Schemas(registry.endpoints)
    paths: dict[str, dict] = {}
    for endpoint in registry.endpoints:
        paths.setdefault(endpoint.openapi_path, {})[endpoint.method.lower()] = \
            _operation(endpoint, schemas)
    return {
        "openapi": "3.1.0",
        "info": {"title": f"Quartier API – {g.tenant.name}", "version": "1",
                 "description": "Fehler haben immer die Form "
                                "`{\"error\": {\"code\", \"message\", \"fields\"?}}`."},
        "servers": [{"url": api_base_url()}],
        "paths": paths,
        "components": {"schemas": schemas.definitions, "responses": _error_responses(schemas),
                       "securitySchemes": _security_schemes()},
    }


def api_base_url() -> str:
    """This town's API base, as the caller reached it (own host or ``/<slug>`` prefix)."""
    return request.host_url.rstrip("/") + url_for("api.openapi").removesuffix("/openapi.json")


class _Schemas:
    """Every model of every endpoint, generated in one pass so that they share components."""

    def __init__(self, endpoints: list[Endpoint]):
        inputs = [(ERROR_KEY, "serialization", TypeAdapter(Error).core_schema)]
        for endpoint in endpoints:
            for role, model, mode in (("query", endpoint.query, "validation"),
                                      ("body", endpoint.body, "validation"),
                                      ("response", endpoint.response, "serialization")):
                if model is not None:
                    inputs.append(((endpoint.name, role), mode, TypeAdapter(model).core_schema))
        generator = GenerateJsonSchema(ref_template=REF)
        by_key, self.definitions = generator.generate_definitions(inputs)
        self._by_key = {key: schema for (key, _mode), schema in by_key.items()}
        self.error = self._by_key[ERROR_KEY]

    def of(self, endpoint_name: str, role: str) -> dict:
        return self._by_key[(endpoint_name, role)]

    def inline(self, schema: dict) -> dict:
        """A model's own schema, where the document needs its properties rather than a $ref."""
        reference = schema.get("$ref", "")
        return self.definitions[reference.rsplit("/", 1)[-1]] if reference else schema


def _operation(endpoint: Endpoint, schemas: _Schemas) -> dict:
    operation = {
        "operationId": endpoint.name,
        "summary": endpoint.summary,
        "tags": [endpoint.tag],
        "security": _security(endpoint.access),
        "parameters": _path_parameters(endpoint) + _query_parameters(endpoint, schemas),
        "responses": {**_success(endpoint, schemas), **_errors(endpoint, schemas)},
    }
    if endpoint.access.permission:
        operation["x-permission"] = endpoint.access.permission
        operation["description"] = f"Braucht die Berechtigung `{endpoint.access.permission}` " \
                                   "in dieser Stadt."
    if endpoint.body is not None:
        operation["requestBody"] = {"required": True, "content": {
            "application/json": {"schema": schemas.of(endpoint.name, "body")}}}
    return operation


def _security(access: Access) -> list[dict]:
    return SIGNED_IN if access.signed_in else PUBLIC


def _path_parameters(endpoint: Endpoint) -> list[dict]:
    parameters = []
    for match in PATH_VALUE.finditer(endpoint.path):
        schema = {"type": CONVERTER_TYPES.get(match["converter"] or "", "string")}
        if match["converter"] == RECORD_ID:  # any digits match; beyond these bounds is a 404
            schema.update(minimum=1, maximum=MAX_ID)
        if match["args"]:
            _positional, bounds = parse_converter_args(match["args"])
            for bound, keyword in (("min", "minimum"), ("max", "maximum")):
                if bound in bounds:
                    schema[keyword] = bounds[bound]
        parameters.append({"name": match["name"], "in": "path", "required": True, "schema": schema})
    return parameters


def _query_parameters(endpoint: Endpoint, schemas: _Schemas) -> list[dict]:
    if endpoint.query is None:
        return []
    model = schemas.inline(schemas.of(endpoint.name, "query"))
    required = set(model.get("required", ()))
    return [{"name": name, "in": "query", "required": name in required,
             "schema": _never_null(schema),
             **({"description": schema["description"]} if "description" in schema else {})}
            for name, schema in model.get("properties", {}).items()]


def _never_null(schema: dict) -> dict:
    """A query parameter is sent or left out; it is never null (``?x=`` is an empty text)."""
    choices = [choice for choice in schema.get("anyOf", ()) if choice != {"type": "null"}]
    if "anyOf" not in schema or len(choices) == len(schema["anyOf"]):
        return schema
    rest = {key: value for key, value in schema.items() if key not in ("anyOf", "default")}
    return {**rest, **choices[0]} if len(choices) == 1 else {**rest, "anyOf": choices}


def _success(endpoint: Endpoint, schemas: _Schemas) -> dict:
    answer: dict = {"description": endpoint.summary}
    if endpoint.status != 204:
        schema = schemas.of(endpoint.name, "response") if endpoint.response is not None \
            else {"type": "object"}
        answer["content"] = {"application/json": {"schema": schema}}
    if endpoint.paginated:
        answer["headers"] = PAGE_HEADERS
    elif endpoint.status == 201:
        answer["headers"] = LOCATION_HEADER
    return {str(endpoint.status): answer}


def _errors(endpoint: Endpoint, schemas: _Schemas) -> dict:
    """The error answers this endpoint can give, each a $ref to components/responses."""
    statuses = ["401", "404", "503"]  # a rejected token, an unknown town, the database away
    if endpoint.access.signed_in or endpoint.method != "GET":  # writes: the CSRF check
        statuses.append("403")
    if endpoint.body is not None:
        statuses += ["400", "413", "415"]
    if endpoint.body is not None or endpoint.query is not None:
        statuses.append("422")
    if endpoint.conflict:
        statuses.append("409")
    if endpoint.rate_limit:
        statuses.append("429")
    answers = {status: {"$ref": f"#/components/responses/{ERROR_RESPONSES[status][0]}"}
               for status in sorted(statuses)}
    if endpoint.conflict:  # say what conflicts here, not just that something may
        answers["409"] = _error_response(endpoint.conflict, schemas)
    return answers


def _error_responses(schemas: _Schemas) -> dict:
    return {name: _error_response(description, schemas, status)
            for status, (name, description) in ERROR_RESPONSES.items()}


def _error_response(description: str, schemas: _Schemas, status: str | None = None) -> dict:
    answer = {"description": description,
              "content": {"application/json": {"schema": schemas.error}}}
    if status in ERROR_HEADERS:
        answer["headers"] = ERROR_HEADERS[status]
    return answer


def _security_schemes() -> dict:
    return {
        "bearerAuth": {"type": "http", "scheme": "bearer",
                       "description": "Persönliches API-Token (`flask users token EMAIL`)."},
        "cookieAuth": {"type": "apiKey", "in": "cookie",
                       "name": current_app.config.get("SESSION_COOKIE_NAME", "session"),
                       "description": "Die Sitzung der Website; schreibende Anfragen brauchen "
                                      "zusätzlich den CSRF-Token im Header `X-CSRFToken`."},
    }
