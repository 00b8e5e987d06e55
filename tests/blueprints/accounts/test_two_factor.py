"""Platform admins sign in with password and a TOTP code; without a secret they set one up."""
import re
import time

import pyotp
import pytest
from sqlalchemy import select

from blueprints.accounts import two_factor
from tenants.db import db
from tenants.models import User
from tests.conftest import TEST_REDIS_URL, login

SECRET_ON_PAGE = re.compile(r"<code>([A-Z2-7 ]+)</code>")


def next_code(secret: str) -> str:
    """The code of the next 30-second step: accepted, and unused even right after ``now()``."""
    return pyotp.TOTP(secret).at(time.time() + 30)


def stored_secret(app, user_id):
    with app.app_context():
        secret = db.session.scalar(select(User.totp_secret).where(User.id == user_id))
        db.session.remove()
        return secret


def test_an_admin_without_a_secret_sets_one_up_then_is_signed_in(app, client, create_user):
    admin = create_user(platform_admin=True)
    response = client.post("/login", data={"email": admin.email, "password": admin.password})
    assert response.location == "/login/zwei-faktor/einrichten"

    page = client.get("/login/zwei-faktor/einrichten").text
    assert '<svg role="img"' in page and "<title>QR-Code" in page
    secret = SECRET_ON_PAGE.search(page).group(1).replace(" ", "")
    assert client.get("/plattform/").status_code == 302  # not signed in yet

    wrong = client.post("/login/zwei-faktor/einrichten", data={"code": "000000"})
    assert wrong.status_code == 422 and 'id="code-error"' in wrong.text
    assert stored_secret(app, admin.id) is None

    done = client.post("/login/zwei-faktor/einrichten", data={"code": pyotp.TOTP(secret).now()},
                       follow_redirects=True)
    assert "Die Zwei-Faktor-Anmeldung ist eingerichtet." in done.text
    assert stored_secret(app, admin.id) == secret
    assert client.get("/plattform/").status_code == 200


def test_an_admin_with_a_secret_needs_the_code_to_reach_the_platform(client, create_user):
    secret = pyotp.random_base32()
    admin = create_user(platform_admin=True, totp_secret=secret)
    response = client.post("/login?next=/plattform/", data={"email": admin.email,
                                                            "password": admin.password})
    assert response.location == "/login/zwei-faktor"
    assert client.get("/plattform/").status_code == 302
    assert client.get("/konto").status_code == 302

    signed_in = client.post("/login/zwei-faktor", data={"code": pyotp.TOTP(secret).now()})
    assert signed_in.location == "/plattform/"
    assert client.get("/plattform/").status_code == 200


def test_a_wrong_code_is_explained_beside_the_field(client, create_user):
    secret = pyotp.random_base32()
    admin = create_user(platform_admin=True, totp_secret=secret)
    login(client, admin)
    for code, message in (("12345", "sechs Ziffern"), ("000000", "Der Code stimmt nicht")):
        response = client.post("/login/zwei-faktor", data={"code": code})
        assert response.status_code == 422
        assert 'id="code-error"' in response.text and message in response.text
    assert client.get("/plattform/").status_code == 302


def test_a_used_code_is_refused_a_second_time(client, create_user):
    secret = pyotp.random_base32()
    admin = create_user(platform_admin=True, totp_secret=secret)
    code = pyotp.TOTP(secret).now()
    assert login(client, admin, totp_code=code).request.path == "/konto"
    client.post("/logout")

    replayed = login(client, admin, totp_code=code)
    assert replayed.status_code == 422 and "schon verwendet" in replayed.text
    assert login(client, admin, totp_code=next_code(secret)).request.path == "/konto"


def test_knowing_the_password_does_not_replace_an_existing_second_factor(app, client, create_user):
    secret = pyotp.random_base32()
    admin = create_user(platform_admin=True, totp_secret=secret)
    login(client, admin)
    assert client.get("/login/zwei-faktor/einrichten").location == "/login/zwei-faktor"
    attacker_secret = pyotp.random_base32()
    with client.session_transaction() as session:
        session["pending_2fa"]["secret"] = attacker_secret
    client.post("/login/zwei-faktor/einrichten", data={"code": pyotp.TOTP(attacker_secret).now()})
    assert stored_secret(app, admin.id) == secret


def test_the_code_page_without_a_password_first_sends_to_the_login(client):
    response = client.get("/login/zwei-faktor")
    assert response.location == "/login"


def test_other_accounts_sign_in_with_the_password_alone(client, create_user):
    user = create_user()
    assert client.post("/login", data={"email": user.email,
                                       "password": user.password}).location == "/konto"


@pytest.mark.parametrize("redis_url", [None, TEST_REDIS_URL])
def test_a_time_step_can_be_claimed_once(app, monkeypatch, redis_url):
    monkeypatch.setitem(app.config, "REDIS_URL", redis_url)
    secret, step = pyotp.random_base32(), int(time.time()) // 30
    with app.app_context():
        assert two_factor.claim_step(secret, step) is True
        assert two_factor.claim_step(secret, step) is False
        assert two_factor.claim_step(secret, step + 1) is True
