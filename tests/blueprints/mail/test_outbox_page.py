"""A town's outbox page: staff read it, filter it by status, and managers send failed mail again."""
from __future__ import annotations

from email.utils import make_msgid

from blueprints.mail.models import TownOutboxMail
from tenants.context import tenant_context
from tenants.db import db
from tests.blueprints.mail.conftest import town_rows
from tests.conftest import unique
from tests.isolation import assert_same_id_stays_home


def store_mail(app, town, status="failed", subject=None, mail_id=None, **columns) -> TownOutboxMail:
    """A row in ``town``'s outbox, as delivery would have left it."""
    with app.app_context(), tenant_context(town):
        mail = TownOutboxMail(id=mail_id, message_id=make_msgid(domain="quartier.test"),
                              to_address=f"{unique('to')}@example.org",
                              subject=subject or unique("Betreff "), text_body="Hallo",
                              html_body="<p>Hallo</p>", status=status, **columns)
        db.session.add(mail)
        db.session.commit()
        db.session.refresh(mail)
        db.session.expunge(mail)
        return mail


def outbox_url(town, suffix="") -> str:
    return f"/{town.slug}/verwaltung/postausgang/{suffix}"


def test_staff_see_the_towns_mails_with_status_and_error_and_filter_them(app, client, towns,
                                                                        login_as):
    failed = store_mail(app, towns.a, "failed", error="ConnectionRefusedError: [Errno 111]")
    stored = store_mail(app, towns.a, "stored")
    login_as("partner", towns.a)
    page = client.get(outbox_url(towns.a)).get_data(as_text=True)
    assert failed.subject in page and stored.subject in page
    assert "fehlgeschlagen: ConnectionRefusedError" in page
    only_failed = client.get(outbox_url(towns.a, "?status=failed")).get_data(as_text=True)
    assert failed.subject in only_failed and stored.subject not in only_failed


def test_a_mail_shows_both_parts_and_a_partner_may_not_send_it_again(app, client, towns,
                                                                    login_as):
    mail = store_mail(app, towns.a, "failed", error="SMTPDataError: 451")
    login_as("partner", towns.a)
    page = client.get(outbox_url(towns.a, mail.id)).get_data(as_text=True)
    assert mail.message_id.strip("<>") in page and "&lt;p&gt;Hallo&lt;/p&gt;" in page
    assert "Erneut senden" not in page
    assert client.post(outbox_url(towns.a, f"{mail.id}/erneut-senden")).status_code == 403


def test_a_manager_sends_a_failed_mail_again(app, client, towns, login_as):
    mail = store_mail(app, towns.b, "failed", error="SMTPDataError: 451")
    login_as("manager", towns.b)
    assert "Erneut senden" in client.get(outbox_url(towns.b, mail.id)).get_data(as_text=True)
    response = client.post(outbox_url(towns.b, f"{mail.id}/erneut-senden"), follow_redirects=True)
    assert "Die Mail wird erneut gesendet." in response.get_data(as_text=True)
    [row] = [r for r in town_rows(app, towns.b) if r.id == mail.id]
    # No MAIL_URL here: delivered in-process into the dev outbox, error cleared.
    assert row.status == "stored" and row.error is None


def test_only_a_failed_mail_is_sent_again(app, client, towns, login_as):
    mail = store_mail(app, towns.b, "sent")
    login_as("manager", towns.b)
    response = client.post(outbox_url(towns.b, f"{mail.id}/erneut-senden"), follow_redirects=True)
    assert "Nur fehlgeschlagene Mails" in response.get_data(as_text=True)
    assert [r.status for r in town_rows(app, towns.b) if r.id == mail.id] == ["sent"]


def test_the_same_mail_id_in_two_towns_never_crosses(app, client, towns, manager_of_both_towns):
    assert_same_id_stays_home(
        client, towns,
        create=lambda town, record_id, marker: store_mail(app, town, subject=marker,
                                                          mail_id=record_id),
        url_for_record=lambda town, record_id: outbox_url(town, record_id))
