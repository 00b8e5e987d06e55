"""Town mails carry attachments; they are stored with the mail, so a later try still has them."""
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from blueprints.mail.models import TownOutboxAttachment, TownOutboxMail
from blueprints.mail.services import mail_batch, resend, send_mail
from blueprints.mail.transport import MailAttachment
from tenants.context import tenant_context
from tenants.db import db
from tests.conftest import free_port, make_app, unique

PLAN = MailAttachment("lageplan.txt", "text/plain; charset=utf-8", "Markt 1, Eingang hinten\n".encode())


def mail_with_plan(address: str, attachments=(PLAN,)):
    return send_mail(address, "accounts/reset_password", "Ihr Lageplan", attachments=attachments,
                     user=SimpleNamespace(name="Tina Town", email=address),
                     link="http://localhost/x", hours=2)


def attached_files(message) -> dict[str, tuple[str, bytes]]:
    return {part.get_filename(): (part.get_content_type(), part.get_payload(decode=True))
            for part in message.iter_attachments()}


def test_the_delivered_mail_carries_the_attachment_beside_both_bodies(mail_app, smtp_server, towns):
    address = f"{unique('plan')}@example.org"
    with mail_app.test_request_context(), tenant_context(towns.a):
        mail_with_plan(address)
        db.session.commit()
    [message] = smtp_server.messages_to(address)
    assert attached_files(message) == {"lageplan.txt": ("text/plain", PLAN.content)}
    assert "Tina Town" in message.get_body(preferencelist=("plain",)).get_content()
    assert message.get_body(preferencelist=("html",)) is not None


def test_mails_sent_in_a_batch_carry_their_own_attachments(mail_app, smtp_server, towns):
    with_plan, without = f"{unique('mitplan')}@example.org", f"{unique('ohneplan')}@example.org"
    with mail_app.test_request_context(), tenant_context(towns.a):
        with mail_batch("Rundbrief mit Lageplan"):
            mail_with_plan(with_plan)
            mail_with_plan(without, attachments=())
        db.session.commit()
    assert attached_files(smtp_server.messages_to(with_plan)[0]) == \
        {"lageplan.txt": ("text/plain", PLAN.content)}
    assert attached_files(smtp_server.messages_to(without)[0]) == {}


def test_a_mail_that_failed_while_smtp_was_down_still_carries_it_when_sent_again(
        app, database_url, towns, tmp_path, smtp_on):
    port = free_port()
    offline = make_app(database_url, tmp_path, MAIL_URL=f"smtp://127.0.0.1:{port}",
                       MAIL_FROM="Quartier <noreply@quartier.test>")
    address = f"{unique('later')}@example.org"
    try:
        with offline.test_request_context(), tenant_context(towns.b):
            mail_id = mail_with_plan(address).id
            db.session.commit()  # in-process delivery: nobody listens, the mail is failed
            assert db.session.get(TownOutboxMail, mail_id).status == "failed"
            db.session.remove()
        server = smtp_on(port)
        with offline.test_request_context(), tenant_context(towns.b):
            resend(mail_id)
        [message] = [m for m in server.messages if m["To"] == address]
        assert attached_files(message) == {"lageplan.txt": ("text/plain", PLAN.content)}
    finally:
        with offline.app_context():
            db.engine.dispose()


def test_deleting_a_mail_deletes_its_attachments(app, towns):
    with app.test_request_context(), tenant_context(towns.a):
        mail_id = mail_with_plan(f"{unique('gone')}@example.org").id
        db.session.commit()
        db.session.delete(db.session.get(TownOutboxMail, mail_id))
        db.session.commit()
        left = db.session.scalar(select(func.count()).select_from(TownOutboxAttachment)
                                 .where(TownOutboxAttachment.mail_id == mail_id))
        assert left == 0


def test_attachments_outside_a_town_are_refused(app):
    with app.test_request_context(), pytest.raises(ValueError, match="tenant_context"):
        mail_with_plan("someone@example.org")
