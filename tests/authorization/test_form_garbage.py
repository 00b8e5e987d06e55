"""Garbage into every HTML form route: never a server error, each answer a form message or a 4xx.

Each route that writes (the matrix's POST rows outside the API) is posted by
a caller the matrix lets in, so the garbage reaches the view and not only the
access check: every field name of every form of the app set to huge texts,
to values of the wrong type, to NUL bytes; a body of broken UTF-8; no CSRF
token and a forged one; JSON and plain text instead of a form; an upload
larger than the app accepts. A NUL is refused at the edge (400), a missing or
forged token with 400, an oversized body with 413; the rest is a form's
message (4xx, or the page again) or, where the garbage happens to be valid
text, the work done (2xx/3xx).
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from urllib.parse import quote

import pytest
from werkzeug.datastructures import MultiDict
from wtforms import Form

from tests.authorization.conftest import sign_in
from tests.authorization.matrix import MATRIX, OK
from tests.authorization.test_matrix import SESSION_ENDING, SAFE, routes, url_of
from tests.authorization.world import HOME, PEOPLE

# The caller that posts each route: the first of these that the matrix lets in.
POSTING_CALLERS = ("platform_admin", "applicant", "partner", "anonymous")
UPLOAD_LIMIT = 256 * 1024  # this run's MAX_CONTENT_LENGTH, so the oversized body stays small
HUGE_TEXT = "Ü" * 1500  # per field; all fields together stay below Werkzeug's form memory limit
# RFC 8058 one-click unsubscribe: mail clients post it without a session, so without a token.
CSRF_EXEMPT = {"marketing.unsubscribe"}
REFUSED_BEFORE_THE_VIEW = {"nul bytes": {400}, "no csrf token": {400}, "forged csrf token": {400},
                           "oversized upload": {413}}


def every_form_field_name() -> list[str]:
    """The field names of every WTForms form of the app (the union: each route finds its own)."""
    import blueprints.app  # noqa: F401  (imports every blueprint, and with it every form)

    names, pending = set(), list(Form.__subclasses__())
    while pending:
        form = pending.pop()
        pending.extend(form.__subclasses__())
        names.update(name for name, _ in getattr(form, "_unbound_fields", None) or ())
        names.update(name for name in vars(form) if hasattr(vars(form)[name], "field_class"))
    return sorted(names - {"csrf_token"})


@dataclass
class Garbage:
    name: str
    data: object = None  # form fields, or raw bytes with content_type
    content_type: str | None = None
    headers: dict = field(default_factory=dict)
    with_csrf: bool = True


def garbage_bodies(names: list[str]) -> list[Garbage]:
    def every(value):
        return {name: value for name in names}

    broken_utf8 = "&".join(f"{quote(name)}=%FF%FE%C3%28" for name in names).encode() + b"&raw=\xff\xfe"
    return [
        Garbage("huge texts", every(HUGE_TEXT)),
        Garbage("not numbers", every("zwölf,5 €")),
        Garbage("numbers too large", every("9" * 40)),
        Garbage("negative and infinite", every("-1e309")),
        Garbage("every field twice", MultiDict([(name, value) for name in names for value in ("1", "x")])),
        Garbage("nul bytes", every("a\x00b")),
        Garbage("broken utf-8", broken_utf8, content_type="application/x-www-form-urlencoded"),
        Garbage("no csrf token", every("Probe"), with_csrf=False),
        Garbage("forged csrf token", every("Probe"), headers={"X-CSRFToken": "gefälscht"}),
        Garbage("json instead of a form", b'{"name": ["x"], "email": null}', content_type="application/json"),
        Garbage("plain text", "name=Probe".encode(), content_type="text/plain"),
        Garbage("oversized upload", {**every("Probe"),
                                     "photo": (io.BytesIO(b"\xff" * (UPLOAD_LIMIT + 1)), "gross.jpg")},
                content_type="multipart/form-data"),
    ]


def posting_caller(endpoint: str, method: str) -> str | None:
    expected = MATRIX[(endpoint, method)].expected
    return next((caller for caller in POSTING_CALLERS if expected.of(caller) == OK), None)


def form_routes(app):
    """(caller, endpoint, method, rule) of every HTML route that writes, session enders last."""
    found = [(posting_caller(endpoint, method), endpoint, method, rule)
             for endpoint, method, rule in routes(app)
             if method not in SAFE and not endpoint.startswith("api.")]
    return sorted((route for route in found if route[0] is not None),
                  key=lambda route: (route[1:3] in SESSION_ENDING, route[1:3]))


def post(client, url: str, method: str, garbage: Garbage):
    headers = dict(garbage.headers)
    options = {"data": garbage.data, "headers": headers}
    if garbage.content_type:
        options["content_type"] = garbage.content_type
    sends_token = client.sends_csrf_token
    client.sends_csrf_token = garbage.with_csrf and "X-CSRFToken" not in headers
    try:
        return client.open(url, method=method, **options)
    finally:
        client.sends_csrf_token = sends_token


@pytest.fixture(scope="module")
def signed_in_clients(copy_of_world):
    app = copy_of_world("garbage", MAX_CONTENT_LENGTH=UPLOAD_LIMIT)
    clients = {}
    for caller in POSTING_CALLERS:
        clients[caller] = app.test_client()
        if PEOPLE[caller] is not None:
            sign_in(clients[caller], PEOPLE[caller])
    return app, clients


def test_every_form_route_answers_garbage_without_a_server_error(signed_in_clients, world_database):
    app, clients = signed_in_clients
    names = every_form_field_name()
    assert {"email", "password", "title", "reason"} <= set(names)
    values = {**world_database.world.values(HOME), "static_file": "quartier.css",
              "own_token_id": world_database.world.tokens_of[PEOPLE["platform_admin"].email]}
    wrong, tried, posted = [], 0, set()
    for caller, endpoint, method, rule in form_routes(app):
        url = url_of(rule, values, MATRIX[(endpoint, method)].values)
        posted.add(endpoint)
        for garbage in garbage_bodies(names):
            response = post(clients[caller], url, method, garbage)
            tried += 1
            allowed = REFUSED_BEFORE_THE_VIEW.get(garbage.name)
            if endpoint in CSRF_EXEMPT and "csrf" in garbage.name:
                allowed = None
            if response.status_code >= 500 or (allowed and response.status_code not in allowed):
                wrong.append(f"{method} {url} as {caller}, {garbage.name}: {response.status_code}")
    print(f"\nform garbage: {tried} requests over {len(posted)} routes")
    assert len(posted) >= 60
    assert not wrong, f"{len(wrong)} of {tried} garbage posts went wrong:\n" + "\n".join(wrong)
