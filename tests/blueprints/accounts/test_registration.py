"""Applicants register themselves and confirm their address by a mailed link."""
import time

from itsdangerous import TimestampSigner

from blueprints.accounts import services
from tests.blueprints.accounts.conftest import (
    account,
    link_path,
    only_mail_to,
    outbox_rows,
    registration,
)
from tests.conftest import PASSWORD, login, unique

CHECK_MAIL = "Fast geschafft"


def test_register_confirm_by_the_mailed_link_then_sign_in(mail_client, smtp_server):
    data = registration()
    response = mail_client.post("/registrieren", data=data, follow_redirects=True)
    assert response.status_code == 200 and CHECK_MAIL in response.text

    mail = only_mail_to(smtp_server, data["email"])
    assert mail["Subject"] == "Bitte bestätigen Sie Ihre E-Mail-Adresse"
    assert mail.get_content_type() == "multipart/alternative"
    assert "Hallo Nina Neu" in mail.get_body(preferencelist=("plain",)).get_content()
    html = mail.get_body(preferencelist=("html",)).get_content()
    assert '<a href="http://localhost/konto/bestaetigen/' in html

    confirmed = mail_client.get(link_path(mail, "/konto/bestaetigen/"), follow_redirects=True)
    assert "Ihre E-Mail-Adresse ist bestätigt" in confirmed.text
    signed_in = login(mail_client, account(data["email"]))
    assert signed_in.request.path == "/konto" and "Willkommen, Nina Neu!" in signed_in.text


def test_registration_records_when_the_person_consented(mail_client, smtp_server):
    from tenants.db import db

    data = registration()
    mail_client.post("/registrieren", data=data)
    with mail_client.application.app_context():
        user = services.get_user_by_email(data["email"])
        assert user.privacy_consent_at is not None
        db.session.remove()


def test_an_unconfirmed_address_cannot_sign_in_but_can_ask_for_a_new_link(mail_client, smtp_server):
    data = registration()
    mail_client.post("/registrieren", data=data)
    refused = mail_client.post("/login", data={"email": data["email"], "password": PASSWORD})
    assert refused.status_code == 422
    assert 'id="email-error"' in refused.text and "noch nicht bestätigt" in refused.text
    assert 'action="/konto/bestaetigen-erneut"' in refused.text
    assert mail_client.get("/konto").status_code == 302  # not signed in

    resent = mail_client.post("/konto/bestaetigen-erneut", data={"email": data["email"]},
                              follow_redirects=True)
    assert "neue E-Mail" in resent.text
    assert len(smtp_server.messages_to(data["email"])) == 2


def test_registering_a_taken_address_answers_alike_and_mails_the_owner(
        mail_client, smtp_server, create_user):
    owner = create_user()
    fresh = mail_client.post("/registrieren", data=registration(), follow_redirects=True)
    taken = mail_client.post("/registrieren", data=registration(owner.email, password="anderes-passwort-9",
                                                                password_repeat="anderes-passwort-9"),
                             follow_redirects=True)
    assert taken.status_code == fresh.status_code == 200
    assert CHECK_MAIL in taken.text and owner.email in taken.text

    note = only_mail_to(smtp_server, owner.email)
    assert note["Subject"] == "Sie haben bereits ein Konto bei Quartier"
    assert "/passwort/vergessen" in note.get_body(preferencelist=("plain",)).get_content()
    assert login(mail_client, owner).request.path == "/konto"  # the password stayed


def test_only_the_link_sent_with_the_current_password_confirms(mail_client, smtp_server):
    """Pre-registering someone's address with one's own password leads nowhere."""
    address, intruder_password = f"{unique('vorab')}@example.org", "passwort-von-fremden"
    mail_client.post("/registrieren", data=registration(
        address, password=intruder_password, password_repeat=intruder_password))
    mail_client.post("/registrieren", data=registration(address))  # the owner registers
    first, second = smtp_server.messages_to(address)
    assert mail_client.get(link_path(first, "/konto/bestaetigen/")).status_code == 400
    assert mail_client.get(link_path(second, "/konto/bestaetigen/")).status_code == 302
    assert login(mail_client, account(address, intruder_password)).status_code == 422
    assert login(mail_client, account(address)).request.path == "/konto"


def test_bad_input_is_explained_beside_each_field_and_typed_values_stay(client):
    data = registration("keine-adresse", name="Berta Beispiel", password="kurz",
                        password_repeat="anders", consent="")
    response = client.post("/registrieren", data=data)
    page = response.text
    assert response.status_code == 422
    assert '<p class="field-error" id="email-error">Das ist keine gültige E-Mail-Adresse.' in page
    assert '<p class="field-error" id="password-error">Das Passwort muss mindestens 10 Zeichen' in page
    assert ('<p class="field-error" id="password_repeat-error">'
            "Die beiden Passwörter stimmen nicht überein.") in page
    assert '<p class="field-error" id="consent-error">' in page
    assert 'aria-describedby="email-error" aria-invalid="true"' in page
    assert 'value="keine-adresse"' in page and 'value="Berta Beispiel"' in page
    assert "kurz" not in page and "anders" not in page  # passwords are never echoed


def test_a_forged_or_expired_confirmation_link_is_refused(app, client, create_user, monkeypatch):
    user = create_user(confirmed=False)
    assert client.get("/konto/bestaetigen/erfunden").status_code == 400
    long_ago = int(time.time()) - (services.CONFIRM_HOURS + 1) * 3600
    with app.test_request_context():
        monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: long_ago)
        token = services._confirmation_token(services.get_user_by_email(user.email))
        monkeypatch.undo()
    expired = client.get(f"/konto/bestaetigen/{token}")
    assert expired.status_code == 400 and "abgelaufen" in expired.text
    assert 'href="/konto/bestaetigen-erneut"' in expired.text


def test_without_mail_url_the_mail_waits_in_the_dev_outbox(app, client):
    data = registration()
    client.post("/registrieren", data=data)
    [row] = outbox_rows(app, data["email"])
    assert row.status == "stored" and row.sent_at is None
    assert "/konto/bestaetigen/" in row.text_body and "/konto/bestaetigen/" in row.html_body
