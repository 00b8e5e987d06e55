"""Large sends: a batch goes out in parts over one SMTP connection each, and staff follow it.

In-process delivery (no Redis) on PostgreSQL and SQLite; the relay and the
worker-killing test use a real Redis and real worker processes.
"""
from __future__ import annotations

import pytest

from blueprints.mail.services import mail_batch
from tenants.context import tenant_context
from tenants.db import db
from tests.blueprints.mail.conftest import GatedCollector, batch_of_town_mails, town_mail, town_rows
from tests.blueprints.mail.test_outbox_page import outbox_url
from tests.conftest import free_port, login, make_app, unique
from tests.isolation import assert_same_id_stays_home

PART_SIZE = 4


@pytest.fixture
def batch_app(database_url, tmp_path):
    """Factory: ``batch_app(mail_url)`` mails in-process in parts of four."""
    apps = []

    def factory(mail_url: str):
        application = make_app(database_url, tmp_path / unique("instance"), MAIL_URL=mail_url,
                               MAIL_FROM="Quartier <noreply@quartier.test>",
                               MAIL_BATCH_SIZE=PART_SIZE)
        apps.append(application)
        return application

    yield factory
    for application in apps:
        with application.app_context():
            db.engine.dispose()


def addresses(count: int, prefix: str = "news") -> list[str]:
    return [f"{unique(prefix)}@example.org" for _ in range(count)]


def send_batch(app, town, recipients, label="Newsletter Dezember") -> int:
    with app.test_request_context(), tenant_context(town):
        return batch_of_town_mails(label, recipients)


def test_a_batch_goes_out_in_parts_each_over_one_smtp_connection(batch_app, smtp_on, towns):
    port = free_port()
    smtp = smtp_on(port)
    app = batch_app(f"smtp://127.0.0.1:{port}")
    recipients = addresses(10)
    batch_id = send_batch(app, towns.a, recipients)
    counts = smtp.message_id_counts()
    rows = [row for row in town_rows(app, towns.a) if row.batch_id == batch_id]
    assert sorted(row.to_address for row in rows) == sorted(recipients)
    assert all(row.status == "sent" and counts[row.message_id] == 1 for row in rows)
    assert [row.batch_part for row in rows] == [0] * 4 + [1] * 4 + [2] * 2
    # Ten mails, three parts: three SMTP sessions, one per part.
    assert len(set(smtp.connections)) == 3
    for message in smtp.messages:  # each still a whole mail of its town
        assert message["From"] == f"{towns.a.name} <noreply@quartier.test>"
        assert message.get_body(preferencelist=("html",)) is not None


def test_a_rolled_back_batch_sends_nothing(batch_app, smtp_on, towns):
    port = free_port()
    smtp = smtp_on(port)
    app = batch_app(f"smtp://127.0.0.1:{port}")
    recipients = addresses(5)
    with app.test_request_context(), tenant_context(towns.b):
        with mail_batch("Verworfen"):
            for address in recipients:
                town_mail(address)
        db.session.rollback()
    assert smtp.messages == []
    assert [row for row in town_rows(app, towns.b) if row.to_address in recipients] == []


def test_a_recipient_refused_for_good_fails_alone_and_the_part_goes_on(batch_app, smtp_on, towns,
                                                                      client, create_user):
    port = free_port()
    recipients = addresses(6)
    smtp = smtp_on(port, GatedCollector(refuse={recipients[1]}))
    app = batch_app(f"smtp://127.0.0.1:{port}")
    batch_id = send_batch(app, towns.a, recipients)
    rows = {row.to_address: row for row in town_rows(app, towns.a) if row.batch_id == batch_id}
    refused = rows.pop(recipients[1])
    assert refused.status == "failed" and "SMTPRecipientsRefused" in refused.error
    assert {row.status for row in rows.values()} == {"sent"}
    assert len(smtp.messages) == 5
    # The address exists again: the manager sends the failed one again, from the batch page.
    smtp.refuse.clear()
    login(client, create_user(role="manager", town=towns.a))
    page = client.get(outbox_url(towns.a, f"sendungen/{batch_id}")).get_data(as_text=True)
    assert "1 fehlgeschlagen" in page and recipients[1] in page
    response = client.post(outbox_url(towns.a, f"sendungen/{batch_id}/erneut-senden"),
                           follow_redirects=True)
    # The test client's app has no MAIL_URL: the dev outbox keeps the mail (stored).
    assert "1 fehlgeschlagene Mail wird erneut gesendet." in response.get_data(as_text=True)
    [again] = [row for row in town_rows(app, towns.a) if row.id == refused.id]
    assert again.status == "stored" and again.error is None


def test_an_unreachable_server_fails_the_whole_part_and_a_resend_delivers_it_once(
        batch_app, smtp_on, towns):
    from blueprints.mail.services import resend_batch_failures

    port = free_port()  # nothing listens here yet
    app = batch_app(f"smtp://127.0.0.1:{port}")
    recipients = addresses(6)
    batch_id = send_batch(app, towns.b, recipients)
    rows = [row for row in town_rows(app, towns.b) if row.batch_id == batch_id]
    # In-process there are no retries: every mail of both parts failed, with the reason.
    assert {row.status for row in rows} == {"failed"}
    assert all("ConnectionRefusedError" in row.error for row in rows)
    smtp = smtp_on(port)
    with app.test_request_context(), tenant_context(towns.b):
        assert resend_batch_failures(batch_id) == 6
    assert sorted(smtp.message_id_counts().values()) == [1] * 6
    assert {row.status for row in town_rows(app, towns.b) if row.batch_id == batch_id} == {"sent"}


def test_staff_follow_a_batch_on_the_outbox_and_as_json(app, client, towns, login_as):
    with app.test_request_context(), tenant_context(towns.a):
        batch_id = batch_of_town_mails("Adventsmarkt-Newsletter", addresses(3))
    # The test app keeps mails (no MAIL_URL): mark one waiting, one failed, as a send in progress.
    rows = [row for row in town_rows(app, towns.a) if row.batch_id == batch_id]
    _set_status(app, towns.a, rows[0].id, "queued")
    _set_status(app, towns.a, rows[1].id, "failed", error="SMTPDataError: 554")
    login_as("partner", towns.a)
    outbox = client.get(outbox_url(towns.a)).get_data(as_text=True)
    assert "Adventsmarkt-Newsletter" in outbox
    assert '<progress id="batch-' in outbox and 'max="3" value="2"' in outbox
    assert "2 von 3 erledigt (66 %): 1 versandt, 1 fehlgeschlagen, 1 wartend" in outbox
    progress = client.get(outbox_url(towns.a, f"sendungen/{batch_id}/fortschritt")).get_json()
    assert progress == {"total": 3, "done": 2, "sent": 1, "failed": 1, "waiting": 1, "percent": 66,
                        "finished": False}
    page = client.get(outbox_url(towns.a, f"sendungen/{batch_id}")).get_data(as_text=True)
    assert "SMTPDataError: 554" in page
    assert "Fehlgeschlagene erneut senden" not in page  # a partner reads, never sends
    assert client.post(outbox_url(towns.a, f"sendungen/{batch_id}/erneut-senden")).status_code == 403


def test_a_batch_of_one_town_is_not_found_in_another(app, client, towns, manager_of_both_towns):
    def create(town, record_id, marker):
        with app.test_request_context(), tenant_context(town):
            from blueprints.mail.models import MailBatch

            db.session.add(MailBatch(id=record_id, label=marker, total=0))
            db.session.commit()

    assert_same_id_stays_home(client, towns, create=create, url_for_record=lambda town, record_id:
                              outbox_url(town, f"sendungen/{record_id}"))


def test_batches_belong_to_towns(app):
    with app.app_context(), pytest.raises(ValueError, match="belongs to a town"):
        with mail_batch("Ohne Stadt"):
            pass


def _set_status(app, town, mail_id, status, error=None):
    from blueprints.mail.models import TownOutboxMail

    with app.app_context(), tenant_context(town):
        mail = db.session.get(TownOutboxMail, mail_id)
        mail.status, mail.error = status, error
        db.session.commit()


def test_a_mail_sent_outside_a_request_links_the_impressum_under_public_url(
        database_url, tmp_path, smtp_on, towns):
    port = free_port()
    smtp = smtp_on(port)
    for public_url in ("https://quartier.example.de", None):
        app = make_app(database_url, tmp_path / unique("instance"), PUBLIC_URL=public_url,
                       MAIL_URL=f"smtp://127.0.0.1:{port}")
        address = f"{unique('job')}@example.org"
        with app.app_context(), tenant_context(towns.a):  # as in a worker: no request
            town_mail(address)
            db.session.commit()
        [message] = [m for m in smtp.messages if m["To"] == address]
        plain = message.get_body(preferencelist=("plain",)).get_content()
        if public_url:
            assert f"Impressum: https://quartier.example.de/{towns.a.slug}/impressum" in plain
        else:  # no base known: better no link than a wrong one
            assert "Impressum:" not in plain
        with app.app_context():
            db.engine.dispose()


@pytest.mark.parametrize("setting", ["quartier.example.de", "https://x.de/?a=1", "0"])
def test_a_malformed_public_url_or_batch_size_is_refused_with_its_name(setting):
    from config import ConfigurationError, load_settings

    name = "MAIL_BATCH_SIZE" if setting == "0" else "PUBLIC_URL"
    with pytest.raises(ConfigurationError, match=name):
        load_settings(environ={name: setting})
