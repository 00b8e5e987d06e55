"""Who may call the API: bearer tokens, the session cookie (with CSRF for writes), anonymous."""
import re

import pytest

from tests.blueprints.api.conftest import api_path, assert_api_error
from tests.conftest import unique


def test_a_bearer_token_signs_the_caller_in(client, towns, bearer):
    response = client.get(api_path(towns.a, "/me"), headers=bearer("manager", towns.a))
    assert response.status_code == 200
    me = response.get_json()
    assert me["role"] == "manager" and me["platform_admin"] is False
    assert me["email"].endswith("@example.org") and me["name"] == "Test Person"
    assert "town.manage" in me["permissions"]


def test_a_bearer_token_needs_no_csrf_token_to_write(client, towns, bearer):
    response = client.post(api_path(towns.a, "/districts"), headers=bearer("manager", towns.a),
                           json={"name": unique("Per Token ")})
    assert response.status_code == 201


@pytest.mark.parametrize("header", ["Bearer qt_gibt-es-nicht", "Bearer ", "Basic dXNlcjpwdw=="])
def test_an_unusable_authorization_header_is_a_401_even_where_anonymous_may_read(
        client, towns, header):
    response = client.get(api_path(towns.a, "/districts"), headers={"Authorization": header})
    assert_api_error(response, 401)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_revoked_token_is_a_401(app, client, towns, bearer):
    from tenants.db import db
    from tenants.models import ApiToken, utcnow

    headers = bearer("manager", towns.a)
    token = headers["Authorization"].split()[1]
    assert client.get(api_path(towns.a, "/me"), headers=headers).status_code == 200
    with app.app_context():
        row = db.session.query(ApiToken).filter_by(prefix=token[:10]).one()
        row.revoked_at = utcnow()
        db.session.commit()
    for path in ("/districts", "/me"):  # public or not: the token is refused alike
        error = assert_api_error(client.get(api_path(towns.a, path), headers=headers), 401,
                                 "invalid_token")
        assert "widerrufen" in error["message"]


def test_anonymous_callers_read_published_data_but_have_no_me(client, towns, dummy_district):
    listed = client.get(api_path(towns.a, "/districts?per_page=100"))
    assert listed.status_code == 200
    assert_api_error(client.get(api_path(towns.a, "/me")), 401)


def test_an_account_without_a_role_in_the_town_gets_403_from_me(client, towns, bearer):
    assert_api_error(client.get(api_path(towns.b, "/me"), headers=bearer("manager", towns.a)), 403)


def test_a_platform_admin_is_known_in_every_town(client, towns, bearer):
    me = client.get(api_path(towns.b, "/me"), headers=bearer(platform_admin=True)).get_json()
    assert me["platform_admin"] is True and me["role"] is None
    assert "town.manage" in me["permissions"]


def test_the_session_cookie_signs_the_caller_in(client, towns, login_as):
    login_as("partner", towns.a)
    me = client.get(api_path(towns.a, "/me")).get_json()
    assert me["role"] == "partner" and "town.manage" not in me["permissions"]


# --- CSRF: checked as in production; these clients send only the tokens they are given ---

def csrf_token_in(page: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)[1]


def sign_in_with_csrf(client, user) -> str:
    """Sign in through the form; returns the CSRF token of the new session, as pages show it."""
    token = csrf_token_in(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"email": user.email, "password": user.password,
                                           "csrf_token": token}, follow_redirects=True)
    assert response.status_code == 200
    # Signing in starts a new session, and with it a new token (the logout form has it).
    return csrf_token_in(response.get_data(as_text=True))


def test_a_cookie_write_without_csrf_token_is_refused(app, towns, create_user):
    client = app.test_client(csrf=False)
    sign_in_with_csrf(client, create_user(role="manager", town=towns.a))
    response = client.post(api_path(towns.a, "/districts"), json={"name": unique("Ohne Token ")})
    error = assert_api_error(response, 403, "csrf_failed")
    assert "X-CSRFToken" in error["message"]


def test_a_cookie_write_with_csrf_token_passes(app, towns, create_user):
    client = app.test_client(csrf=False)
    token = sign_in_with_csrf(client, create_user(role="manager", town=towns.a))
    response = client.post(api_path(towns.a, "/districts"), json={"name": unique("Mit Token ")},
                           headers={"X-CSRFToken": token})
    assert response.status_code == 201


def test_cookie_reads_and_token_writes_need_no_csrf_token(app, towns, create_user, bearer):
    client = app.test_client(csrf=False)
    sign_in_with_csrf(client, create_user(role="manager", town=towns.a))
    assert client.get(api_path(towns.a, "/me")).status_code == 200
    response = app.test_client(csrf=False).post(api_path(towns.a, "/districts"),
                                                headers=bearer("manager", towns.a),
                                                json={"name": unique("Skript ")})
    assert response.status_code == 201


def test_an_api_token_opens_no_html_page(client, towns, bearer):
    """A token is for the API only: the platform asks for a second factor, the staff area for a login."""
    for path, headers in (("/plattform/", bearer(platform_admin=True)),
                          (f"/{towns.a.slug}/verwaltung/", bearer("manager", towns.a)),
                          ("/konto", bearer("manager", towns.a))):
        response = client.get(path, headers=headers)
        assert response.status_code == 302 and "/login" in response.location, path


def test_a_token_counts_even_beside_a_visitors_session_cookie(client, towns, bearer):
    client.get("/sprache/en")  # the visitor's browser already holds a session (language, CSRF)
    response = client.post(api_path(towns.a, "/districts"), headers=bearer("manager", towns.a),
                           json={"name": unique("Neben Cookie ")})
    assert response.status_code == 201
