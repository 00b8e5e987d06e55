"""Signing in: wrong passwords, safe redirects, a new session, rate limits, cookie flags."""
import uuid

import pytest
from redis import Redis

from blueprints.extensions import db, limiter
from config import ConfigurationError, load_settings
from tests.conftest import TEST_REDIS_URL, login, make_app


def test_a_wrong_password_is_explained_beside_the_password_field(client, create_user):
    user = create_user()
    response = client.post("/login", data={"email": user.email, "password": "falsch-falsch"})
    assert response.status_code == 422
    assert ('<p class="field-error" id="password-error">'
            "E-Mail-Adresse oder Passwort stimmen nicht.") in response.text
    assert f'value="{user.email}"' in response.text
    assert client.get("/konto").status_code == 302


def test_an_unknown_address_gets_the_same_answer_as_a_wrong_password(client):
    response = client.post("/login", data={"email": "niemand@example.org", "password": "x" * 12})
    assert response.status_code == 422
    assert "E-Mail-Adresse oder Passwort stimmen nicht." in response.text


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil.example/",
                                    "javascript:alert(1)"])
def test_next_never_leads_off_the_site(client, create_user, target):
    user = create_user()
    response = client.post(f"/login?next={target}",
                           data={"email": user.email, "password": user.password})
    assert response.status_code == 302 and response.location == "/konto"


def test_next_on_this_site_is_followed(client, create_user, towns):
    user = create_user(role="manager", town=towns.a)
    target = f"/{towns.a.slug}/verwaltung/"
    response = client.post("/login", data={"email": user.email, "password": user.password,
                                           "next": target})
    assert response.location == target


def test_login_starts_a_new_session(client, create_user):
    user = create_user()
    with client.session_transaction() as session:
        session["left_over"] = "from before the login"
    login(client, user)
    with client.session_transaction() as session:
        assert "left_over" not in session
        assert session["_user_id"].startswith(f"{user.id}:")


@pytest.fixture
def rate_limited_app(app, database_url, tmp_path_factory):
    """An app with rate limits on, counted in Redis under a prefix of its own.

    The Limiter is one object per process and keeps what the last app it was
    bound to configured ("enabled", key prefix, strategy), so its state is
    reset before and restored after; otherwise every later test would be
    rate-limited.
    """
    saved = dict(vars(limiter))
    limiter._key_prefix, limiter._strategy = "", None
    prefix = f"quartier-test-{uuid.uuid4().hex}"
    # A moving window: a fixed one-minute window could reset mid-test.
    application = make_app(database_url, tmp_path_factory.mktemp("limited"),
                           RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI=TEST_REDIS_URL,
                           RATELIMIT_KEY_PREFIX=prefix, RATELIMIT_STRATEGY="moving-window",
                           LOGIN_RATE_LIMIT="3 per minute")
    redis = Redis.from_url(TEST_REDIS_URL)
    try:
        yield application, redis, prefix
    finally:
        vars(limiter).clear()
        vars(limiter).update(saved)
        for key in redis.scan_iter(f"*{prefix}*"):
            redis.delete(key)
        redis.close()
        with application.app_context():
            db.engine.dispose()


def test_the_fourth_failed_login_in_a_minute_is_told_to_wait_in_german(rate_limited_app, create_user):
    application, redis, prefix = rate_limited_app
    client = application.test_client()
    user = create_user()
    wrong = {"email": user.email, "password": "falsch-geraten"}
    assert [client.post("/login", data=wrong).status_code for _ in range(3)] == [422] * 3
    refused = client.post("/login", data=wrong)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert "Von Ihrer Internetadresse kamen zu viele fehlgeschlagene Anmeldungen." in refused.text
    assert list(redis.scan_iter(f"*{prefix}*")), "the counts live in Redis"
    assert client.get("/login").status_code == 200  # only POSTs are limited


def test_production_cookies_are_secure_and_script_proof():
    config = load_settings(environ={"SECRET_KEY": "s" * 48}, env="production").flask_config()
    for cookie in ("SESSION_COOKIE", "REMEMBER_COOKIE"):
        assert config[f"{cookie}_SECURE"] is True
        assert config[f"{cookie}_HTTPONLY"] is True
        assert config[f"{cookie}_SAMESITE"] == "Lax"


def test_production_without_secret_key_refuses_to_start_and_names_it():
    with pytest.raises(ConfigurationError, match="SECRET_KEY"):
        load_settings(environ={}, env="production")
