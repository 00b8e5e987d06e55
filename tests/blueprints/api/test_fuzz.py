"""schemathesis over the whole API of one town, anonymous and with a manager's token.

Every operation of Stollberg's ``openapi.json`` gets generated requests, valid
and invalid (schemathesis' examples, coverage and fuzzing phases), from two
callers. Each answer must keep the contract: never a server error, a status,
content type, headers and body the document names for that operation, valid
data accepted and invalid data refused.

The town is the completed demo world of the authorization tests
(tests/authorization/world.py), so half of the valid cases name real records
and reach past the 404. It runs on PostgreSQL only: the world needs it, and an
SQLite run would double the time for the same code paths.
"""
from __future__ import annotations

import itertools
import pathlib
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import schemathesis
from flask_migrate import upgrade
from hypothesis import HealthCheck, settings, strategies
from schemathesis.checks import positive_data_acceptance

from blueprints.accounts import services as accounts
from tenants.db import db
from tests.authorization.conftest import sign_in
from tests.authorization.world import HOME, PEOPLE, build_world
from tests.conftest import TEST_DATABASE_URL, make_app, scratch_postgres_database

EXAMPLES_PER_OPERATION = 15
BERLIN = ZoneInfo("Europe/Berlin")
SEED = 20261207
CHECKS = ("not_a_server_error", "status_code_conformance", "content_type_conformance",
          "response_headers_conformance", "response_schema_conformance", "positive_data_acceptance",
          "negative_data_rejection")


def config(headers: dict[str, str]) -> schemathesis.Config:
    return schemathesis.Config.from_dict({
        "seed": SEED,
        "headers": headers,
        "generation": {"mode": "all", "max-examples": EXAMPLES_PER_OPERATION, "deterministic": True},
        "checks": {"enabled": False, **{name: {"enabled": True} for name in CHECKS}},
        "phases": {"stateful": {"enabled": False}},
    })

# The API refuses addresses under special-use domains (.test, .invalid, localhost …: nobody
# reads mail there), as its schema says; schemathesis' own strategy picks such domains, so the
# valid cases take Hypothesis' addresses under domains of the public root zone.
schemathesis.openapi.format("email", strategies.emails())



def keeps_the_rules_between_fields(body) -> bool:
    """The rules between fields that JSON Schema cannot say and the document says in words (an
    end after its start, a minimum below its maximum, an event on one day with a place): a body
    breaking one is rightly refused with 422, though it keeps the schema."""
    if not isinstance(body, dict):
        return True
    return all(rule(body) for rule in CROSS_FIELD_RULES)


def _in_order(first: str, then: str, *, strictly: bool = False, parse=lambda value: value):
    def rule(body: dict) -> bool:
        if body.get(first) is None or body.get(then) is None:
            return True
        try:
            low, high = parse(body[first]), parse(body[then])
        except (TypeError, ValueError):
            return True  # not of the documented type: a negative case, refused anyway
        try:
            return low < high if strictly else low <= high
        except TypeError:
            return True
    return rule


def _local_moment(value: str) -> datetime:
    moment = datetime.fromisoformat(value)
    return moment.astimezone(BERLIN) if moment.tzinfo else moment.replace(tzinfo=BERLIN)


def _on_one_day(body: dict) -> bool:
    try:
        return _local_moment(body["starts_at"]).date() == _local_moment(body["ends_at"]).date()
    except (KeyError, TypeError, ValueError):
        return True


def _has_a_place(body: dict) -> bool:
    if "starts_at" not in body or "title" not in body:  # only a new event needs both
        return True
    return bool(str(body.get("address") or "").strip()) or body.get("unit_id") is not None


CROSS_FIELD_RULES = (
    _in_order("start_date", "end_date", parse=date.fromisoformat),
    _in_order("starts_on", "ends_on", parse=date.fromisoformat),
    _in_order("area_min_sqm", "area_max_sqm"),
    _in_order("subsidy_eur_month", "rent_eur_month"),
    _in_order("starts_at", "ends_at", strictly=True, parse=_local_moment),
    _on_one_day,
    _has_a_place,
)

# The path values that name a record of the world, under the API's parameter names.
RECORD_PARAMETERS = {"district_id": "district_id", "unit_id": "unit_id",
                     "application_id": "application_id", "event_id": "event_id",
                     "registration_id": "registration_id", "agreement_id": "agreement_id"}


@dataclass
class FuzzedTown:
    app: object
    records: dict
    manager_token: str
    cases: int = 0


@pytest.fixture(scope="module")
def fuzzed_town(tmp_path_factory):
    instance_path: pathlib.Path = tmp_path_factory.mktemp("fuzz")
    with scratch_postgres_database(TEST_DATABASE_URL, suffix="fuzz") as url:
        app = make_app(url, instance_path)
        with app.app_context():
            upgrade(directory=str(app.extensions["migrate"].directory))

        def signed_in_client(person):
            client = app.test_client()
            sign_in(client, person)
            return client

        world = build_world(app, signed_in_client)
        with app.app_context():
            manager = accounts.get_user_by_email(PEOPLE["manager"].email)
            token = accounts.issue_token(manager, name="fuzz")
            db.session.commit()
            db.session.remove()
        town = FuzzedTown(app=app, records=world.towns[HOME], manager_token=token)
        yield town
        print(f"\nschemathesis: {town.cases} cases")
        with app.app_context():
            db.engine.dispose()


@pytest.fixture(params=["anonymous", "manager"])
def town_api(request, fuzzed_town):
    """The town's document, to be called by ``request.param``."""
    headers = {"Authorization": f"Bearer {fuzzed_town.manager_token}"} if request.param == "manager" else {}
    return schemathesis.openapi.from_wsgi(f"/{HOME}/api/v1/openapi.json", fuzzed_town.app,
                                          config=config(headers))


schema = schemathesis.pytest.from_fixture("town_api")
_alternate = itertools.count()


@schema.parametrize()
@settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_every_answer_keeps_the_documented_contract(case, fuzzed_town):
    if next(_alternate) % 2:  # every other case names a real record of the town
        for name in case.path_parameters or {}:
            if name in RECORD_PARAMETERS and isinstance(case.path_parameters[name], int):
                case.path_parameters[name] = fuzzed_town.records[RECORD_PARAMETERS[name]]
    fuzzed_town.cases += 1
    # With the caller's headers and the checks config() enables; a body that breaks a rule
    # between fields must still be answered as documented, only not accepted.
    refusal_expected = not keeps_the_rules_between_fields(case.body)
    case.call_and_validate(excluded_checks=[positive_data_acceptance] if refusal_expected else None)
