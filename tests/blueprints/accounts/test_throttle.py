"""Failed sign-ins count per address and per account; one address's typos lock no one else out."""
from __future__ import annotations

import uuid

import pyotp
import pytest

from blueprints.extensions import limiter
from tenants.db import db
from tests.blueprints.accounts.test_two_factor import next_code
from tests.conftest import make_app, unique

LIMITS = {"LOGIN_RATE_LIMIT": "3 per minute", "LOGIN_ACCOUNT_RATE_LIMIT": "4 per 15 minutes",
          "LOGIN_ADDRESS_BLOCK_LIMIT": "8 per hour"}
TOWN_HALL = "198.51.100.10"  # one NAT address for a whole office
ACCOUNT_WAITS = "Für diese E-Mail-Adresse gab es zu viele fehlgeschlagene Anmeldungen."
ADDRESS_WAITS = "Von Ihrer Internetadresse kamen zu viele fehlgeschlagene Anmeldungen."


@pytest.fixture
def throttled_app(database_url, tmp_path):
    """Factory: an app with sign-in limits on (small ones), counted in ``storage``."""
    saved, made = dict(vars(limiter)), []

    def factory(storage="memory://", **overrides):
        limiter._key_prefix, limiter._strategy = "", None
        settings = {"RATELIMIT_KEY_PREFIX": f"quartier-test-{uuid.uuid4().hex}", **LIMITS, **overrides}
        flask_app = make_app(database_url, tmp_path / f"throttled{len(made)}", RATELIMIT_ENABLED=True,
                             RATELIMIT_STORAGE_URI=storage, RATELIMIT_STRATEGY="moving-window",
                             **settings)
        made.append(flask_app)
        return flask_app

    yield factory
    vars(limiter).clear()
    vars(limiter).update(saved)
    for flask_app in made:
        with flask_app.app_context():
            db.engine.dispose()


def sign_in(client, email, password, address=TOWN_HALL):
    return client.post("/login", data={"email": email, "password": password},
                       environ_base={"REMOTE_ADDR": address})


def stranger() -> str:
    return f"{unique('niemand')}@example.org"


def test_typos_behind_a_town_hall_nat_do_not_lock_out_a_colleague_with_the_right_password(
        throttled_app, create_user):
    client = throttled_app().test_client()
    colleague, typist = create_user(), create_user()
    assert [sign_in(client, stranger(), "falsch-geraten").status_code for _ in range(3)] == [422] * 3

    assert sign_in(client, colleague.email, colleague.password).status_code == 302
    client.post("/logout")
    assert sign_in(client, typist.email, "vertippt-1234").status_code == 422
    waits = sign_in(client, typist.email, typist.password)  # an account with failures waits here
    assert waits.status_code == 429 and int(waits.headers["Retry-After"]) > 0
    assert ADDRESS_WAITS in waits.text and "Bitte versuchen Sie es in 1 Minute erneut." in waits.text
    elsewhere = sign_in(client, typist.email, typist.password, address="203.0.113.99")
    assert elsewhere.status_code == 302, "from another address the account is fine"


def test_an_account_guessed_at_from_many_addresses_waits_even_with_the_right_password(
        throttled_app, create_user):
    client = throttled_app().test_client()
    target = create_user()
    guesses = [sign_in(client, target.email, f"rate-{n}-geheim", address=f"203.0.113.{n}").status_code
               for n in range(1, 5)]
    assert guesses == [422] * 4
    waits = sign_in(client, target.email, target.password, address="192.0.2.77")
    assert waits.status_code == 429 and ACCOUNT_WAITS in waits.text
    assert 0 < int(waits.headers["Retry-After"]) <= 15 * 60
    assert client.get("/konto").status_code == 302  # not signed in


def test_an_address_without_an_account_waits_exactly_like_one_with(throttled_app, create_user):
    client = throttled_app().test_client()
    known, unknown = create_user().email, stranger()
    answers = {}
    for email in (known, unknown):
        for n in range(1, 5):
            sign_in(client, email, "falsch-geraten", address=f"192.0.2.{n}")
        refused = sign_in(client, email, "falsch-geraten", address="192.0.2.200")
        answers[email] = (refused.status_code, ACCOUNT_WAITS in refused.text)
    assert answers[known] == answers[unknown] == (429, True)


def test_an_address_spraying_one_password_over_many_accounts_is_stopped(throttled_app, create_user):
    client = throttled_app().test_client()
    sprayed = [sign_in(client, stranger(), "Sommer2026!").status_code for _ in range(8)]
    assert sprayed == [422] * 8  # each account is new to the counters: its password is checked
    fresh = create_user()
    waits = sign_in(client, fresh.email, fresh.password)
    assert waits.status_code == 429 and ADDRESS_WAITS in waits.text


def test_two_factor_codes_count_per_account_and_per_address(throttled_app, create_user):
    secret = pyotp.random_base32()
    admin = create_user(platform_admin=True, totp_secret=secret)
    client = throttled_app().test_client()
    assert sign_in(client, admin.email, admin.password).location == "/login/zwei-faktor"
    codes = [client.post("/login/zwei-faktor", data={"code": "000000"},
                         environ_base={"REMOTE_ADDR": f"203.0.113.{n}"}).status_code
             for n in range(1, 5)]
    assert codes == [422] * 4
    waits = client.post("/login/zwei-faktor", data={"code": next_code(secret)},
                        environ_base={"REMOTE_ADDR": "192.0.2.5"})
    assert waits.status_code == 429 and ACCOUNT_WAITS in waits.text and "Retry-After" in waits.headers


def test_a_right_code_passes_an_address_locked_by_other_accounts_codes(throttled_app, create_user):
    flask_app = throttled_app()
    for _ in range(3):  # another admin behind the same NAT mistypes three codes
        other = create_user(platform_admin=True, totp_secret=pyotp.random_base32())
        typist = flask_app.test_client()
        sign_in(typist, other.email, other.password)
        assert typist.post("/login/zwei-faktor", data={"code": "000000"},
                           environ_base={"REMOTE_ADDR": TOWN_HALL}).status_code == 422
    secret = pyotp.random_base32()
    admin = create_user(platform_admin=True, totp_secret=secret)
    client = flask_app.test_client()
    sign_in(client, admin.email, admin.password)
    passed = client.post("/login/zwei-faktor", data={"code": next_code(secret)},
                         environ_base={"REMOTE_ADDR": TOWN_HALL})
    assert passed.status_code == 302
    assert client.get("/plattform/", environ_base={"REMOTE_ADDR": TOWN_HALL}).status_code == 200


def test_the_counters_are_shared_through_redis(throttled_app, create_user, fresh_redis):
    flask_app = throttled_app(storage=fresh_redis.url)
    prefix = flask_app.config["RATELIMIT_KEY_PREFIX"]
    target = create_user()
    for n in range(1, 5):
        sign_in(flask_app.test_client(), target.email, "falsch-geraten", address=f"203.0.113.{n}")
    assert list(fresh_redis.client().scan_iter(f"*{prefix}*")), "the counts live in Redis"
    other_process = throttled_app(storage=fresh_redis.url, RATELIMIT_KEY_PREFIX=prefix)
    assert sign_in(other_process.test_client(), target.email, target.password).status_code == 429


def test_with_redis_down_signing_in_works_and_failures_still_count(throttled_app, create_user,
                                                                   fresh_redis):
    flask_app = throttled_app(storage=fresh_redis.url, REDIS_URL=fresh_redis.url)
    user, target = create_user(), create_user()
    fresh_redis.stop()
    client = flask_app.test_client()
    assert sign_in(client, user.email, user.password).status_code == 302
    assert client.get("/konto", environ_base={"REMOTE_ADDR": TOWN_HALL}).status_code == 200
    guesses = [sign_in(flask_app.test_client(), target.email, "falsch-geraten",
                       address=f"203.0.113.{n}").status_code for n in range(1, 5)]
    assert guesses == [422] * 4
    assert sign_in(flask_app.test_client(), target.email, target.password).status_code == 429
