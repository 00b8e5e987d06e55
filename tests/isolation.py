"""Reusable proofs that one town's data never reaches another.

Every blueprint uses these for its own resources:

- ``assert_town_closed(app, client, town)`` requests every non-public page and
  API endpoint of ``town`` (found in the URL map, so new routes are covered
  without being listed) and fails if any answers with success.
- ``assert_same_id_stays_home(...)`` stores a record with the same id in two
  towns and shows that each town's URL returns only its own.
"""
from __future__ import annotations

from tenants.access import access_of

REFUSED = {401, 403, 404}
SAMPLE_VALUES = {"IntegerConverter": "1", "UnicodeConverter": "1", "PathConverter": "1",
                 "UUIDConverter": "00000000-0000-0000-0000-000000000001"}


def protected_town_routes(app):
    """(method, rule, endpoint) of every town route that is not public."""
    for rule in app.url_map.iter_rules():
        if "tenant" not in rule.arguments:
            continue
        access = access_of(app.view_functions[rule.endpoint])
        if access is None or not access.signed_in:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield method, rule


def sample_url(rule, town) -> str:
    values = {"tenant": town.slug}
    for name in rule.arguments - {"tenant"}:
        converter = type(rule._converters[name]).__name__
        values[name] = SAMPLE_VALUES.get(converter, "1")
    return rule.build(values, append_unknown=False)[1]


def assert_town_closed(app, client, town, refused=REFUSED) -> int:
    """Every protected route of ``town`` refuses ``client``; returns how many were tried."""
    leaks, tried = [], 0
    for method, rule in protected_town_routes(app):
        url = sample_url(rule, town)
        response = client.open(url, method=method, json={} if "/api/" in url else None,
                               follow_redirects=False)
        tried += 1
        status = 401 if response.status_code == 302 and "/login" in response.location \
            else response.status_code
        if status not in refused:
            leaks.append(f"{method} {url} → {response.status_code}")
    assert not leaks, "Town routes open to an outsider:\n" + "\n".join(leaks)
    return tried


def assert_same_id_stays_home(client, towns, *, create, url_for_record, record_id=990001):
    """``create(town, record_id, marker)`` stores a record; its page shows only its own marker."""
    markers = {towns.a.slug: "Nur-in-A-7f3", towns.b.slug: "Nur-in-B-9k2"}
    for town in (towns.a, towns.b):
        create(town, record_id, markers[town.slug])
    for town, other in ((towns.a, towns.b), (towns.b, towns.a)):
        body = client.get(url_for_record(town, record_id)).get_data(as_text=True)
        assert markers[town.slug] in body, f"{town.slug} does not show its own record"
        assert markers[other.slug] not in body, f"{town.slug} shows a record of {other.slug}"
