"""Declare an API endpoint once; the URL rule and the OpenAPI operation both come from it.

::

    @api.get("/districts", summary="Stadtteile auflisten", query=Pagination,
             response=list[District])
    @public
    def list_districts(query):
        return paginate(services.districts_in_order(), query)

The view declares its access rule as every view does; it is called with the
path values and, where declared, ``query=`` and ``body=`` as validated
pydantic models. It returns a value of the ``response`` type (ORM objects
are fine), optionally with a status and headers like any Flask view, or a
``PageResult`` for lists.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Callable

from flask import Response
from pydantic import BaseModel, TypeAdapter
from werkzeug.routing import BaseConverter

from blueprints.api.errors import ApiError
from blueprints.api.inputs import read_body, read_query
from blueprints.api.schemas import MAX_ID, PageResult, Pagination
from blueprints.extensions import limiter
from tenants.access import Access, access_of, wraps_access

PATH_VALUE = re.compile(r"<(?:(?P<converter>\w+)(?:\((?P<args>[^)]*)\))?:)?(?P<name>\w+)>")
RECORD_ID = "record_id"


class RecordIdConverter(BaseConverter):
    """Any run of digits, so that every method of a record's URL matches its rule.

    Werkzeug's ``int(max=…)`` would not match a larger number, and then another
    method's rule for the same path answered 405. The handler answers 404 for an
    id beyond what a BIGINT holds (or 0), before anything asks the database.
    """

    regex = r"\d+"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return str(int(value))


def id_param(name: str) -> str:
    """The URL part of a record id, e.g. ``f"/districts/{id_param('district_id')}"``."""
    return f"<{RECORD_ID}:{name}>"


@dataclass(frozen=True)
class Endpoint:
    """One method on one path, with everything needed to serve and to describe it."""

    method: str
    path: str  # Flask syntax, relative to the API base
    view: Callable
    summary: str
    tag: str
    query: type[BaseModel] | None = None
    body: type[BaseModel] | None = None
    response: Any = None  # a type pydantic can serialise; None = free-form JSON
    status: int = 200
    conflict: str | None = None  # when set, a 409 is documented with this meaning
    rate_limit: str | Callable[[], str] | None = None  # Flask-Limiter syntax

    @property
    def name(self) -> str:
        return self.view.__name__

    @property
    def access(self) -> Access:
        return access_of(self.view)

    @property
    def paginated(self) -> bool:
        return self.query is not None and issubclass(self.query, Pagination)

    @cached_property
    def record_ids(self) -> tuple[str, ...]:
        """The names of the path's record ids."""
        return tuple(match["name"] for match in PATH_VALUE.finditer(self.path)
                     if match["converter"] == RECORD_ID)

    @property
    def openapi_path(self) -> str:
        return PATH_VALUE.sub(lambda match: "{%s}" % match["name"], self.path)

    @cached_property
    def response_adapter(self) -> TypeAdapter | None:
        return TypeAdapter(self.response) if self.response is not None else None

    def handler(self) -> Callable:
        """The Flask view: read the inputs, call the view, serialise its answer."""

        @wraps_access(self.view)
        def handle(**path_values):
            for name in self.record_ids:
                if not 1 <= path_values[name] <= MAX_ID:
                    raise ApiError(404)  # no record has such an id
            if self.query is not None:
                path_values["query"] = read_query(self.query)
            if self.body is not None:
                path_values["body"] = read_body(self.body)
            return self.respond(self.view(**path_values))

        return limiter.limit(self.rate_limit)(handle) if self.rate_limit else handle

    def respond(self, result) -> Response:
        if isinstance(result, Response):
            return result
        value, status, headers = _unpack(result, self.status)
        if isinstance(value, PageResult):
            headers = {**value.headers(), **headers}
            value = value.items
        if status == 204:
            return Response(status=204, headers=headers)
        return Response(self._dump(value), status=status, headers=headers,
                        mimetype="application/json")

    def _dump(self, value) -> bytes:
        if self.response_adapter is None:
            return TypeAdapter(Any).dump_json(value)
        adapter = self.response_adapter
        return adapter.dump_json(adapter.validate_python(value, from_attributes=True))


def _unpack(result, default_status: int) -> tuple[Any, int, dict]:
    """Flask's view return conventions: value, (value, status), (value, headers), (value, status, headers)."""
    if not isinstance(result, tuple):
        return result, default_status, {}
    if len(result) == 3:
        return result[0], result[1], dict(result[2])
    value, extra = result
    return (value, default_status, dict(extra)) if isinstance(extra, dict) else (value, extra, {})


@dataclass
class ApiRegistry:
    """Every endpoint of the API, in declaration order."""

    endpoints: list[Endpoint] = field(default_factory=list)
    installed: bool = False

    def route(self, method: str, path: str, *, summary: str | None = None, tag: str | None = None,
              **details) -> Callable:
        """Declare ``method path``; see the module docstring. Returns the view unchanged."""

        def declare(view):
            endpoint = Endpoint(method=method.upper(), path=path, view=view,
                                summary=summary or _first_line(view.__doc__) or view.__name__,
                                tag=tag or _first_segment(path), **details)
            self._check(endpoint)
            self.endpoints.append(endpoint)
            return view

        return declare

    def get(self, path, **details):
        return self.route("GET", path, **details)

    def post(self, path, **details):
        return self.route("POST", path, **details)

    def put(self, path, **details):
        return self.route("PUT", path, **details)

    def patch(self, path, **details):
        return self.route("PATCH", path, **details)

    def delete(self, path, **details):
        return self.route("DELETE", path, **details)

    def install(self, blueprint) -> None:
        """Add one URL rule per endpoint to ``blueprint``; declarations end here."""
        for endpoint in self.endpoints:
            blueprint.add_url_rule(endpoint.path, endpoint.name, endpoint.handler(),
                                   methods=[endpoint.method])
        self.installed = True

    def _check(self, endpoint: Endpoint) -> None:
        if self.installed:
            raise RuntimeError(
                f"API endpoint {endpoint.name} was declared after the API blueprint was built; "
                "add its module to API_MODULES in blueprints/api/blueprint.py.")
        if endpoint.access is None:
            raise RuntimeError(
                f"API endpoint {endpoint.name} declares no access rule: put @public, @signed_in "
                "or @requires(...) below the @api.<method>(...) line.")
        for other in self.endpoints:
            if other.name == endpoint.name or (other.method, other.path) == (endpoint.method,
                                                                              endpoint.path):
                raise RuntimeError(f"API endpoint {endpoint.method} {endpoint.path} "
                                   f"({endpoint.name}) clashes with {other.method} {other.path} "
                                   f"({other.name}); view names must be unique across the API.")


def _first_line(text: str | None) -> str:
    return (text or "").strip().split("\n", 1)[0]


def _first_segment(path: str) -> str:
    return path.strip("/").split("/", 1)[0] or "api"


# The one registry of the town API; blueprint.py turns it into URL rules.
api = ApiRegistry()
