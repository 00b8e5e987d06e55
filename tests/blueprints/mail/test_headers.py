"""Header values are one line whatever reaches them: a CR or LF never makes a mail unsendable."""
from email import message_from_bytes
from email import policy as mail_policy

from blueprints.mail.models import OutboxMail
from blueprints.mail.transport import MailAttachment, build_message
from blueprints.marketing import campaigns
from tenants.context import tenant_context
from tenants.db import db
from tests.blueprints.marketing.newsletter_helpers import confirmed_reader
from tests.conftest import unique


def outbox_row(subject: str, to: str = "lea@example.org") -> OutboxMail:
    return OutboxMail(message_id="<1@quartier.test>", to_address=to, subject=subject,
                      text_body="Hallo", html_body="<p>Hallo</p>")


def as_received(message):
    """The message as a mail server parses the bytes it is sent."""
    return message_from_bytes(message.as_bytes(), policy=mail_policy.default)


def test_a_subject_with_line_breaks_becomes_one_line_and_no_header_of_its_own(app):
    with app.app_context():
        message = build_message(outbox_row("Sommerfest\r\nBcc: alle@example.org\n\nam Markt"),
                                "Quartier <noreply@quartier.test>")
    received = as_received(message)
    assert received["Subject"] == "Sommerfest Bcc: alle@example.org am Markt"
    assert received["Bcc"] is None


def test_umlauts_tabs_and_other_control_characters_in_a_subject_stay_one_readable_line(app):
    with app.app_context():
        message = build_message(outbox_row("Grüße\u2028aus\tder\x0bAltstadt\x85!"), "noreply@quartier.test")
    assert as_received(message)["Subject"] == "Grüße aus der Altstadt !"


def test_names_in_from_and_to_and_file_names_with_line_breaks_still_give_a_sendable_mail(app):
    attachment = MailAttachment("Plan\r\nX-Evil: 1.pdf", "application/pdf", b"%PDF-1.4")
    with app.app_context():
        message = build_message(outbox_row("Plan", to="lea@example.org\r\nCc: b@example.org"),
                                '"Stadt\r\nX-Evil: 1" <noreply@quartier.test>', [attachment])
    received = as_received(message)
    assert received["X-Evil"] is None and received["Cc"] is None
    assert received["From"].addresses[0].display_name == "Stadt X-Evil: 1"
    [part] = received.iter_attachments()
    assert part.get_filename() == "Plan X-Evil: 1.pdf"


def test_a_campaign_written_past_the_form_with_a_line_break_in_its_subject_is_delivered(
        mail_app, smtp_server, towns):
    reader = confirmed_reader(mail_app.test_client(), smtp_server, towns.b, lists=("traders",))
    subject = unique("Sommerfest ")  # ASCII: a subject with umlauts is encoded, a break in it survived
    with mail_app.test_request_context(), tenant_context(towns.b):
        campaigns.send_new_campaign(f"{subject}\r\nProgramm: Samstag", "Liebe Händler:innen", ["traders"])
        db.session.commit()
    [mail] = [m for m in smtp_server.messages_to(reader) if m["List-Unsubscribe"]]
    assert mail["Subject"] == f"{subject} Programm: Samstag"
