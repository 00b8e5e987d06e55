"""Security headers on every kind of response, cookie flags, and the proxies the app trusts."""
from __future__ import annotations

import io
import re
from dataclasses import replace

import pytest
from flask import g, render_template_string

from blueprints.extensions import limiter
from blueprints.security import tile_source
from config import load_settings
from tenants.context import tenant_context
from tenants.db import db
from tests.blueprints.accounts.conftest import registration
from tests.blueprints.vacancies.test_pages import jpeg_bytes
from tests.conftest import login, make_app

FRAMING_AND_SNIFFING = {"X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff",
                        "Referrer-Policy": "strict-origin-when-cross-origin"}


def directives(response) -> dict[str, list[str]]:
    policy = response.headers["Content-Security-Policy"]
    return {name: sources for name, *sources in (part.split() for part in policy.split(";"))}


def assert_page_policy(response):
    for name, value in FRAMING_AND_SNIFFING.items():
        assert response.headers[name] == value, name
    assert "camera=()" in response.headers["Permissions-Policy"]
    policy = directives(response)
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["script-src"] == ["'self'"], "no inline scripts, no other hosts"
    assert "'unsafe-inline'" not in policy["style-src"] and "'unsafe-eval'" not in str(policy)
    assert policy["object-src"] == ["'none'"] and policy["base-uri"] == ["'self'"]
    assert "Strict-Transport-Security" not in response.headers  # plain http


def assert_data_policy(response):
    for name, value in FRAMING_AND_SNIFFING.items():
        assert response.headers[name] == value, name
    policy = directives(response)
    assert policy["default-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]


def test_a_town_page_a_form_and_the_error_page_carry_the_page_policy(client, towns):
    for path in (f"/{towns.a.slug}/", "/login", "/registrieren", f"/{towns.a.slug}/gibt-es-nicht"):
        response = client.get(path)
        assert response.mimetype == "text/html", path
        assert_page_policy(response)


def test_a_staff_page_carries_the_page_policy(client, towns, login_as):
    login_as("manager", towns.a)
    response = client.get(f"/{towns.a.slug}/verwaltung/")
    assert response.status_code == 200
    assert_page_policy(response)


def test_the_api_and_an_attachment_may_neither_run_anything_nor_be_framed(client, towns, login_as,
                                                                        app):
    api = client.get(f"/{towns.a.slug}/api/v1/units")
    assert api.status_code == 200 and api.mimetype == "application/json"
    assert_data_policy(api)

    login_as("manager", towns.a)
    from blueprints.vacancies import services as vacancies

    with app.app_context(), tenant_context(towns.a):
        unit = vacancies.create_unit({"address": "Sicherheitsgasse 1", "publish": "exact"})
        db.session.commit()
        unit_id = unit.id
    uploaded = client.post(f"/{towns.a.slug}/verwaltung/leerstand/{unit_id}/fotos", data={
        "photo": (io.BytesIO(jpeg_bytes()), "laden.jpg")}, content_type="multipart/form-data")
    assert uploaded.status_code == 302
    with app.app_context(), tenant_context(towns.a):
        [photo] = vacancies.get_unit(unit_id).photos
        photo_id = photo.id
    image = client.get(f"/{towns.a.slug}/verwaltung/leerstand/{unit_id}/fotos/{photo_id}")
    assert image.status_code == 200 and image.mimetype.startswith("image/")
    assert_data_policy(image)


def test_a_template_that_needs_inline_code_gets_a_nonce_the_policy_names(app):
    with app.test_request_context("/"):
        html = render_template_string('<script nonce="{{ csp_nonce() }}">1</script>')
        response = app.process_response(app.make_response(html))
    nonce = re.search(r'nonce="([^"]+)"', html).group(1)
    assert directives(response)["script-src"] == ["'self'", f"'nonce-{nonce}'"]


def test_map_tiles_and_the_towns_logo_are_the_only_other_image_hosts(database_url, tmp_path, towns):
    flask_app = make_app(database_url, tmp_path,
                         MAP_TILE_URL="https://{s}.tiles.example.org/{z}/{x}/{y}.png")
    with flask_app.test_request_context("/"):
        g.tenant = replace(towns.a, logo_url="https://cdn.example.net/wappen.png")
        response = flask_app.process_response(flask_app.make_response("<p>Stadt</p>"))
    assert directives(response)["img-src"] == [
        "'self'", "data:", "https://*.tiles.example.org", "https://cdn.example.net"]
    with flask_app.app_context():
        db.engine.dispose()


@pytest.mark.parametrize("template, source", [
    ("https://tile.openstreetmap.org/{z}/{x}/{y}.png", "https://tile.openstreetmap.org"),
    ("https://{s}.tile.example.de:8443/{z}/{x}/{y}.png", "https://*.tile.example.de:8443"),
    ("https://a{s}.example.de/{z}.png", "https:"),  # CSP allows a wildcard only on the left
    ("", None),
])
def test_the_tile_host_becomes_a_csp_source(template, source):
    assert tile_source(template) == source


# --- https and cookies -------------------------------------------------------------

def test_hsts_only_over_https(client):
    assert "Strict-Transport-Security" not in client.get("/login").headers
    secure = client.get("/login", base_url="https://quartier.test")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=")


@pytest.fixture
def production_app(database_url, tmp_path):
    settings = load_settings(environ={"SECRET_KEY": "s" * 48}, env="production",
                             database_url=database_url, instance_path=tmp_path)
    from blueprints.app import create_app

    flask_app = create_app(settings, RATELIMIT_ENABLED=False, TENANT_REGISTRY_CHECK_SECONDS=0.0)
    from tests.client import BrowserClient

    flask_app.test_client_class = BrowserClient
    yield flask_app
    with flask_app.app_context():
        db.engine.dispose()


def test_production_login_cookies_are_secure_httponly_and_samesite_lax(production_app, create_user):
    user = create_user()
    client = production_app.test_client(csrf=False)  # the page's own token, over https
    page = client.get("/login", base_url="https://quartier.test").text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post("/login", data={"email": user.email, "password": user.password,
                                           "remember": "y", "csrf_token": token},
                           base_url="https://quartier.test",
                           headers={"Referer": "https://quartier.test/login"})
    assert response.status_code == 302
    cookies = {header.split("=", 1)[0]: header for header in response.headers.getlist("Set-Cookie")}
    for name in ("session", "remember_token"):
        flags = [flag.strip().lower() for flag in cookies[name].split(";")]
        assert "secure" in flags and "httponly" in flags and "samesite=lax" in flags, cookies[name]


def test_development_cookies_work_over_plain_http(client, create_user):
    user = create_user()
    response = client.post("/login", data={"email": user.email, "password": user.password,
                                           "remember": "y"})
    for header in response.headers.getlist("Set-Cookie"):
        flags = [flag.strip().lower() for flag in header.split(";")]
        assert "secure" not in flags and "httponly" in flags and "samesite=lax" in flags


# --- TRUSTED_PROXIES ---------------------------------------------------------------

@pytest.fixture
def proxied_app(database_url, tmp_path):
    """Factory: an app with ``TRUSTED_PROXIES=n`` and a registration limit of 2 per minute."""
    saved, made = dict(vars(limiter)), []

    def factory(proxies: int, **overrides):
        limiter._key_prefix, limiter._strategy = "", None
        flask_app = make_app(database_url, tmp_path / f"proxies{len(made)}", TRUSTED_PROXIES=proxies,
                             RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://",
                             REGISTER_RATE_LIMIT="2 per minute", **overrides)
        made.append(flask_app)
        return flask_app

    yield factory
    vars(limiter).clear()
    vars(limiter).update(saved)
    for flask_app in made:
        with flask_app.app_context():
            db.engine.dispose()


def register_from(client, address: str):
    return client.post("/registrieren", data=registration(),
                       headers={"X-Forwarded-For": address}).status_code


def test_without_trusted_proxies_a_spoofed_forwarded_for_does_not_dodge_a_limit(proxied_app):
    client = proxied_app(0).test_client()
    statuses = [register_from(client, f"203.0.113.{n}") for n in range(1, 4)]
    assert statuses == [302, 302, 429]
    plain = client.get("/login", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" not in plain.headers


def test_behind_a_trusted_proxy_limits_count_per_visitor_and_https_is_seen(proxied_app):
    client = proxied_app(1).test_client()
    assert [register_from(client, "203.0.113.7") for _ in range(3)] == [302, 302, 429]
    assert register_from(client, "203.0.113.8") == 302, "another visitor behind the same proxy"
    forwarded = client.get("/login", headers={"X-Forwarded-Proto": "https"})
    assert forwarded.headers["Strict-Transport-Security"].startswith("max-age=")


def test_behind_a_trusted_proxy_the_town_is_found_by_the_forwarded_host(proxied_app, towns):
    town_host = {"X-Forwarded-Host": f"{towns.b.slug}.quartier.test"}
    trusted = proxied_app(1, TENANT_HOST_SUFFIX="quartier.test").test_client()
    assert f"· {towns.b.name} · Quartier</title>" in trusted.get("/", headers=town_host).text
    untrusted = proxied_app(0, TENANT_HOST_SUFFIX="quartier.test").test_client()
    assert f"· {towns.b.name} · Quartier</title>" not in untrusted.get("/", headers=town_host).text


def test_signed_in_pages_keep_their_policy(client, create_user):
    login(client, create_user())
    assert_page_policy(client.get("/konto"))
