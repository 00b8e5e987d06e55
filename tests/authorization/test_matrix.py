"""The authorization matrix: every route × method × caller, against the table in matrix.py.

Each caller requests every route of Stollberg (and every global route) with
real ids of Stollberg's records: a GET, or the route's POST/PATCH/DELETE with
an empty form or JSON body and a valid CSRF token. Refusals must come before
anything is done, so an empty body is enough to see who gets through.
"""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from tests.authorization.matrix import CALLERS, FORBIDDEN, HIDDEN, LOGIN, MATRIX, OK
from tests.authorization.world import HOME, PEOPLE
from tests.conftest import limiter_state_kept

SAFE = ("GET",)
# Requests that end the caller's session go last, in this order, so the caller stays signed in
# for the rest (and "everywhere" still finds a session to end).
SESSION_ENDING = (("accounts.logout_everywhere", "POST"), ("accounts.logout", "POST"))
REDIRECTS = {301, 302, 303, 307, 308}


def routes(app):
    """(endpoint, method, rule) of every URL rule and method the app answers."""
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule.endpoint, method, rule


def outcome(response) -> str:
    """What the caller met: the view (OK), or a refusal."""
    status = response.status_code
    if status == 401:
        return LOGIN
    if status in REDIRECTS:
        target = urlsplit(response.location)
        # Flask-Login's and our own "please sign in" carry the page asked for in ?next=.
        if target.path == "/login" and "next" in parse_qs(target.query):
            return LOGIN
    if status == 403:
        return FORBIDDEN
    if status == 404:
        return HIDDEN
    if status >= 500:
        return f"server error {status}"
    return OK


def url_of(rule, values: dict, overrides: dict) -> str:
    arguments = {}
    for name in rule.arguments:
        key = overrides.get(name, name)
        if name == "tenant":
            arguments[name] = HOME
        elif key not in values:
            raise KeyError(f"{rule.endpoint}: no value for <{name}> (world key {key!r})")
        else:
            arguments[name] = values[key]
    return rule.build(arguments, append_unknown=False)[1]


def in_request_order(app):
    """GETs first, then writes, then deletions (so no write meets a record gone), then what
    ends the session."""
    def position(route):
        endpoint, method, _rule = route
        ending = (endpoint, method)
        return (SESSION_ENDING.index(ending) + 1 if ending in SESSION_ENDING else 0,
                method not in SAFE, method == "DELETE")

    return sorted(routes(app), key=position)


def test_every_route_has_a_row_and_every_row_a_route(app):
    """A new route must say here who may use it; a row for a removed route is dead."""
    answered = {(endpoint, method) for endpoint, method, _ in routes(app)}
    missing = sorted(answered - set(MATRIX))
    stale = sorted(set(MATRIX) - answered)
    assert not missing, "Routes without a row in tests/authorization/matrix.py:\n" + \
        "\n".join(f"    ({endpoint!r}, {method!r}): row(...)," for endpoint, method in missing)
    assert not stale, f"Rows without a route: {stale}"


@pytest.mark.parametrize("caller", CALLERS)
def test_each_caller_meets_exactly_what_the_matrix_says(caller, copy_of_world, world_database):
    app = copy_of_world(caller)
    wrong, tried = mismatches(app, caller, world_database.world)
    assert tried >= len(MATRIX) - 1
    assert not wrong, f"{len(wrong)} of {tried} requests as {caller} went otherwise:\n" + "\n".join(wrong)


@pytest.mark.parametrize("caller", ["anonymous", "manager", "platform_admin"])
def test_with_redis_down_every_page_and_form_answers_as_with_redis_up(
        caller, copy_of_world, world_database, fresh_redis):
    """Rate limits fall back to memory, the cache is skipped, jobs wait: nothing else changes."""
    fresh_redis.stop()
    with limiter_state_kept():
        app = copy_of_world(f"redis_down_{caller}", REDIS_URL=fresh_redis.url, RATELIMIT_ENABLED=True,
                            RATELIMIT_STORAGE_URI=fresh_redis.url)
        wrong, tried = mismatches(app, caller, world_database.world, skip={("core.readyz", "GET")})
        readiness = app.test_client().get("/readyz")
    assert tried >= len(MATRIX) - 2
    assert not wrong, f"With Redis down, {len(wrong)} of {tried} requests as {caller} went " \
                      "otherwise than with Redis up:\n" + "\n".join(wrong)
    assert readiness.status_code == 503 and readiness.json["failing"] == ["redis"]


def mismatches(app, caller: str, world, skip=frozenset()) -> tuple[list[str], int]:
    """Every route as ``caller``; the requests whose outcome differs from the matrix."""
    from tests.authorization.conftest import sign_in

    client = app.test_client()
    person = PEOPLE[caller]
    if person is not None:
        sign_in(client, person)
    values = {**world.values(HOME), "static_file": "quartier.css",
              "own_token_id": world.tokens_of[(person or PEOPLE["manager"]).email]}
    wrong, tried = [], 0
    for endpoint, method, rule in in_request_order(app):
        expected_row = MATRIX.get((endpoint, method))
        if expected_row is None or (endpoint, method) in skip:
            continue  # a missing row is reported by the test above
        url = url_of(rule, values, expected_row.values)
        body = {"json": {}} if "/api/v1" in url else {"data": {}}
        response = client.open(url, method=method, **({} if method in SAFE else body))
        tried += 1
        met, expected = outcome(response), expected_row.expected.of(caller)
        if met != expected:
            wrong.append(f"{method} {url} ({endpoint}, {expected_row.expected.name}): "
                         f"expected {expected}, met {met} ({response.status_code})")
    return wrong, tried
