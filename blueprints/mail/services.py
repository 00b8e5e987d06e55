"""One path for every mail: render a pair, record it, deliver it after the commit.

``send_mail`` adds an outbox row to the caller's transaction. Only when that
transaction commits is the mail delivered, in its own transaction: by SMTP when
``MAIL_URL`` is set, else kept as ``stored`` (the dev outbox). So a rolled-back
change never sends mail, and SMTP is never spoken while the caller's
transaction is open. A later issue hands delivery to an RQ worker on ``emails``.
"""
from __future__ import annotations

import contextlib
import logging
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from urllib.parse import parse_qs, unquote, urlsplit

from flask import current_app, render_template
from flask_babel import force_locale
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from blueprints.mail.models import OutboxMail
from config import ConfigurationError
from tenants.db import TenantAwareSession, db
from tenants.models import utcnow

PENDING_KEY = "quartier.outbox_pending"
SMTP_TIMEOUT_SECONDS = 10
TRUE_WORDS = {"1", "true", "yes", "on"}
log = logging.getLogger(__name__)


def send_mail(to: str, template: str, subject, *, locale: str | None = None,
              **context) -> OutboxMail:
    """Render ``emails/<template>.html`` + ``.txt`` and queue the mail for after the commit.

    ``subject`` may be a lazy string; it is translated in ``locale`` like the
    bodies (default: the current request's language).
    """
    with force_locale(locale) if locale else contextlib.nullcontext():
        subject = str(subject)
        context = {"subject": subject, **context}
        html_body = render_template(f"emails/{template}.html", **context)
        text_body = render_template(f"emails/{template}.txt", **context)
    mail = OutboxMail(message_id=make_msgid(domain=_sender_domain()), to_address=to,
                      subject=subject, text_body=text_body, html_body=html_body, status="queued")
    db.session.add(mail)
    db.session.flush()  # assigns the id that the after-commit hook delivers
    db.session.info.setdefault(PENDING_KEY, []).append(mail.id)
    return mail


def _sender_domain() -> str:
    address = parseaddr(current_app.config.get("MAIL_FROM") or "")[1]
    return address.rpartition("@")[2] or "localhost"


# --- after the commit ----------------------------------------------------------

@event.listens_for(TenantAwareSession, "after_commit")
def _deliver_after_commit(session):
    if session.in_nested_transaction():
        return  # only a savepoint: the caller's transaction is still open
    mail_ids = session.info.pop(PENDING_KEY, None)
    if mail_ids:
        _deliver_safely(mail_ids)


@event.listens_for(TenantAwareSession, "after_transaction_end")
def _forget_rolled_back_mail(session, transaction):
    if transaction.parent is None:  # the whole transaction ended without a commit
        session.info.pop(PENDING_KEY, None)


def _deliver_safely(mail_ids) -> None:
    # The caller's change is committed: a delivery problem must not turn it
    # into an error. Mails left queued are picked up by a later retry.
    try:
        deliver(mail_ids)
    except Exception:
        log.exception("Delivering outbox mails %s failed; they stay queued.", mail_ids)


def deliver(mail_ids) -> None:
    """Deliver the still queued mails among ``mail_ids``; record sent, failed or stored."""
    transport = SmtpTransport.from_config(current_app.config)
    sender = current_app.config.get("MAIL_FROM") or "noreply@localhost"
    with Session(db.engine) as session:  # its own transaction, never the caller's
        mails = session.scalars(select(OutboxMail).where(
            OutboxMail.id.in_(list(mail_ids)), OutboxMail.status == "queued")).all()
        for mail in mails:
            _deliver_one(mail, transport, sender)
            session.commit()


def _deliver_one(mail: OutboxMail, transport: SmtpTransport | None, sender: str) -> None:
    if transport is None:
        mail.status = "stored"
        return
    try:
        transport.send(build_message(mail, sender))
    except (OSError, smtplib.SMTPException) as exc:
        log.warning("Mail %s to %s failed: %s", mail.message_id, mail.to_address, exc)
        mail.status, mail.error = "failed", f"{type(exc).__name__}: {exc}"
    else:
        mail.status, mail.error, mail.sent_at = "sent", None, utcnow()


def build_message(mail: OutboxMail, sender: str) -> EmailMessage:
    """The MIME message of an outbox row: plain text with an HTML alternative."""
    message = EmailMessage()
    message["Subject"] = mail.subject
    message["From"] = sender
    message["To"] = mail.to_address
    message["Date"] = format_datetime(utcnow())
    message["Message-ID"] = mail.message_id
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies, please
    message.set_content(mail.text_body)
    message.add_alternative(mail.html_body, subtype="html")
    return message


@dataclass(frozen=True)
class SmtpTransport:
    """Where ``MAIL_URL`` (smtp://user:pass@host:port, smtps://, ?starttls=1) points."""

    host: str
    port: int
    username: str | None = None
    password: str | None = None
    implicit_tls: bool = False
    starttls: bool = False

    @classmethod
    def from_config(cls, config) -> SmtpTransport | None:
        url = config.get("MAIL_URL")
        return cls.from_url(url) if url else None

    @classmethod
    def from_url(cls, url: str) -> SmtpTransport:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ConfigurationError(
                f"MAIL_URL={url!r} is not usable: set it to smtp://user:pass@host:port "
                "(or smtps://…, or add ?starttls=1).")
        implicit_tls = parts.scheme == "smtps"
        starttls = parse_qs(parts.query).get("starttls", [""])[0].lower() in TRUE_WORDS
        return cls(host=parts.hostname, port=parts.port or (465 if implicit_tls else 25),
                   username=unquote(parts.username) if parts.username else None,
                   password=unquote(parts.password) if parts.password else None,
                   implicit_tls=implicit_tls, starttls=starttls)

    def send(self, message: EmailMessage) -> None:
        # smtplib does not verify certificates unless given a default context.
        tls = ssl.create_default_context()
        if self.implicit_tls:
            connection = smtplib.SMTP_SSL(self.host, self.port, timeout=SMTP_TIMEOUT_SECONDS,
                                          context=tls)
        else:
            connection = smtplib.SMTP(self.host, self.port, timeout=SMTP_TIMEOUT_SECONDS)
        with connection as smtp:
            if self.starttls:
                smtp.starttls(context=tls)
            if self.username:
                smtp.login(self.username, self.password or "")
            smtp.send_message(message)
