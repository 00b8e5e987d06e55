"""The outbox: mail goes out only after the caller's commit, and SMTP trouble never fails a request."""
from types import SimpleNamespace

import pytest

from blueprints.mail.services import send_mail
from blueprints.mail.transport import SmtpTransport
from config import ConfigurationError
from tenants.db import db
from tests.blueprints.accounts.conftest import only_mail_to, outbox_rows
from tests.conftest import free_port, unique


def queue_test_mail(address):
    return send_mail(address, "accounts/reset_password", "Testbetreff",
                     user=SimpleNamespace(name="Olga Outbox", email=address),
                     link="http://localhost/x", hours=2)


def test_smtp_is_spoken_only_after_the_commit(mail_app, smtp_server):
    address = f"{unique('commit')}@example.org"
    with mail_app.test_request_context():
        queue_test_mail(address)
        assert smtp_server.messages_to(address) == []
        db.session.commit()
    message = only_mail_to(smtp_server, address)
    [row] = outbox_rows(mail_app, address)
    assert row.status == "sent" and row.sent_at is not None and row.error is None
    assert message["Message-ID"] == row.message_id and row.message_id.endswith("@quartier.test>")
    assert message["From"] == "Quartier <noreply@quartier.test>"
    assert "Olga Outbox" in message.get_body(preferencelist=("plain",)).get_content()


def test_a_rolled_back_change_sends_nothing_and_keeps_no_row(mail_app, smtp_server):
    address, later = (f"{unique(name)}@example.org" for name in ("rollback", "later"))
    with mail_app.test_request_context():
        queue_test_mail(address)
        db.session.rollback()
        queue_test_mail(later)
        db.session.commit()  # the next commit sends its own mail, not the rolled-back one
    assert smtp_server.messages_to(address) == []
    assert outbox_rows(mail_app, address) == []
    assert len(smtp_server.messages_to(later)) == 1


def test_an_unreachable_smtp_server_marks_the_mail_failed_and_the_request_succeeds(
        mail_app, mail_client, create_user, monkeypatch):
    user = create_user()
    monkeypatch.setitem(mail_app.config, "MAIL_URL", f"smtp://127.0.0.1:{free_port()}")
    response = mail_client.post("/passwort/vergessen", data={"email": user.email})
    assert response.status_code == 302
    [row] = outbox_rows(mail_app, user.email)
    assert row.status == "failed" and "Connection" in row.error and row.sent_at is None


def test_mails_are_rendered_in_the_recipients_language(mail_app):
    with mail_app.test_request_context():
        mail = send_mail("x@example.org", "accounts/reset_password", "Betreff", locale="en",
                         user=SimpleNamespace(name="Eve", email="x@example.org"),
                         link="http://localhost/x", hours=2)
        assert mail.html_body.startswith('<!doctype html>\n<html lang="en">')
        db.session.rollback()


@pytest.mark.parametrize("url, expected", [
    ("smtp://mail.example.org", SmtpTransport("mail.example.org", 25)),
    ("smtp://u%40x:p%3Aw@mail.example.org:587?starttls=1",
     SmtpTransport("mail.example.org", 587, "u@x", "p:w", starttls=True)),
    ("smtps://user:pw@mail.example.org", SmtpTransport("mail.example.org", 465, "user", "pw",
                                                       implicit_tls=True)),
])
def test_mail_url_is_read_as_the_contract_describes(url, expected):
    assert SmtpTransport.from_url(url) == expected


def test_a_mail_url_of_another_scheme_names_the_setting():
    with pytest.raises(ConfigurationError, match="MAIL_URL"):
        SmtpTransport.from_url("http://mail.example.org")
