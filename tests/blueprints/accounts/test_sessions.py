"""Logout ends the sign-in on the server: a copied session or remember cookie is worth nothing after it."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import event, select

from blueprints.accounts import services
from tenants.db import db
from tenants.models import LoginSession
from tests.conftest import login


def sign_in_remembered(client, user):
    response = client.post("/login", data={"email": user.email, "password": user.password,
                                           "remember": "y"})
    assert response.status_code == 302, response.text[:500]
    return {name: client.get_cookie(name).value for name in ("session", "remember_token")}


def with_cookie(app, name, value):
    replayed = app.test_client()
    replayed.set_cookie(name, value)
    return replayed


def test_after_logout_the_copied_cookies_sign_no_one_in_while_another_device_stays(app, create_user):
    user = create_user()
    laptop, phone = app.test_client(), app.test_client()
    copied = sign_in_remembered(laptop, user)
    sign_in_remembered(phone, user)
    for name, value in copied.items():  # both work before the logout
        assert with_cookie(app, name, value).get("/konto").status_code == 200, name

    assert laptop.post("/logout").status_code == 302
    for name, value in copied.items():
        replay = with_cookie(app, name, value).get("/konto")
        assert replay.status_code == 302 and replay.location.startswith("/login"), name
    assert laptop.get("/konto").status_code == 302
    assert phone.get("/konto").status_code == 200, "the other device stays signed in"


def test_logout_everywhere_ends_every_sign_in(app, create_user):
    user = create_user()
    laptop, phone = app.test_client(), app.test_client()
    sign_in_remembered(laptop, user)
    copied = sign_in_remembered(phone, user)
    assert laptop.post("/konto/ueberall-abmelden").status_code == 302
    assert phone.get("/konto").status_code == 302
    assert with_cookie(app, "remember_token", copied["remember_token"]).get("/konto").status_code == 302
    with app.app_context():
        assert db.session.scalars(select(LoginSession).where(LoginSession.user_id == user.id)).all() == []


def test_a_new_password_keeps_this_sign_in_and_ends_the_others(app, create_user):
    user = create_user()
    laptop, phone = app.test_client(), app.test_client()
    login(laptop, user)
    login(phone, user)
    changed = laptop.post("/konto/passwort", data={"current_password": user.password,
                                                   "new_password": "ganz-neu-geheim-2",
                                                   "new_password_repeat": "ganz-neu-geheim-2"})
    assert changed.status_code == 302, changed.text[:800]
    assert laptop.get("/konto").status_code == 200
    assert phone.get("/konto").status_code == 302


def test_a_sign_in_older_than_the_remember_cookie_may_live_has_ended(app, create_user):
    user = create_user()
    client = app.test_client()
    login(client, user)
    with app.app_context():
        row = db.session.scalars(select(LoginSession).where(LoginSession.user_id == user.id)).one()
        row.created_at = row.created_at - services.login_session_lifetime() - timedelta(minutes=1)
        db.session.commit()
    assert client.get("/konto").status_code == 302


def test_a_cookie_from_before_sign_ins_were_recorded_is_refused(app, create_user):
    user = create_user()
    with app.app_context():
        assert services.load_user(f"{user.id}:1") is None


def test_loading_the_signed_in_account_costs_one_lookup_of_the_sign_in(app, create_user):
    user = create_user()
    client = app.test_client()
    login(client, user)
    with client.session_transaction() as session:
        cookie_id = session["_user_id"]
    with app.app_context():
        statements = []
        listen = lambda conn, cursor, statement, *args: statements.append(statement)  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listen)
        try:
            loaded = services.load_user(cookie_id)
        finally:
            event.remove(db.engine, "before_cursor_execute", listen)
        assert loaded is not None and loaded.id == user.id
        sign_in_lookups = [s for s in statements if "login_sessions" in s]
        assert len(sign_in_lookups) == 1 and "JOIN users" in sign_in_lookups[0]
        assert not [s for s in statements if "FROM users" in s and "login_sessions" not in s]
