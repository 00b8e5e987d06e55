"""Forgotten passwords: a mailed link, valid for two hours and only until the password changed."""
import time

from itsdangerous import TimestampSigner

from blueprints.accounts import services
from tests.blueprints.accounts.conftest import account, link_path, only_mail_to
from tests.conftest import login

NEW_PASSWORD = "ein-ganz-neues-passwort"
SAME_ANSWER = "Falls es zu"


def test_reset_by_mail_ends_other_sessions_and_the_link_works_once(mail_app, mail_client,
                                                                 smtp_server, create_user):
    user = create_user()
    elsewhere = mail_app.test_client()
    login(elsewhere, user)
    assert elsewhere.get("/konto").status_code == 200

    asked = mail_client.post("/passwort/vergessen", data={"email": user.email}, follow_redirects=True)
    assert SAME_ANSWER in asked.text
    mail = only_mail_to(smtp_server, user.email)
    assert mail["Subject"] == "Ein neues Passwort für Quartier"
    assert mail.get_body(preferencelist=("html",)) is not None
    path = link_path(mail, "/passwort/neu/")

    assert mail_client.get(path).status_code == 200
    mismatch = mail_client.post(path, data={"password": NEW_PASSWORD, "password_repeat": "anders"})
    assert mismatch.status_code == 422 and 'id="password_repeat-error"' in mismatch.text
    done = mail_client.post(path, data={"password": NEW_PASSWORD, "password_repeat": NEW_PASSWORD},
                            follow_redirects=True)
    assert "Ihr Passwort ist geändert" in done.text

    assert elsewhere.get("/konto").status_code == 302  # the other session ended
    assert login(mail_client, user).status_code == 422  # the old password is gone
    assert login(mail_client, account(user.email, NEW_PASSWORD)).request.path == "/konto"
    reused = mail_client.get(path)
    assert reused.status_code == 400 and "schon benutzt" in reused.text


def test_an_unknown_address_gets_the_same_answer_and_no_mail(mail_client, smtp_server):
    address = "unbekannt-reset@example.org"
    response = mail_client.post("/passwort/vergessen", data={"email": address}, follow_redirects=True)
    assert response.status_code == 200 and SAME_ANSWER in response.text
    assert smtp_server.messages_to(address) == []


def test_a_reset_link_expires_after_two_hours(app, client, create_user, monkeypatch):
    user = create_user()
    long_ago = int(time.time()) - services.RESET_HOURS * 3600 - 60
    with app.test_request_context():
        monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: long_ago)
        token = services._reset_token(services.get_user_by_email(user.email))
        monkeypatch.undo()
    response = client.get(f"/passwort/neu/{token}")
    assert response.status_code == 400 and 'href="/passwort/vergessen"' in response.text
    refused = client.post(f"/passwort/neu/{token}",
                          data={"password": NEW_PASSWORD, "password_repeat": NEW_PASSWORD})
    assert refused.status_code == 400
    assert login(client, user).request.path == "/konto"  # unchanged


def test_a_reset_link_confirms_a_not_yet_confirmed_address(app, client, create_user):
    user = create_user(confirmed=False)
    with app.test_request_context():
        token = services._reset_token(services.get_user_by_email(user.email))
    client.post(f"/passwort/neu/{token}", data={"password": NEW_PASSWORD,
                                                "password_repeat": NEW_PASSWORD})
    assert login(client, account(user.email, NEW_PASSWORD)).request.path == "/konto"
