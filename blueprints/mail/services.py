"""One path for every mail: render a pair, record it, deliver it after the commit.

``send_mail`` adds a row to the outbox of the current scope (the town's, or
the public one for account mails) in the caller's transaction, and asks for
the ``deliver_mail`` job (blueprints.mail.jobs) once that transaction commits:
on the ``emails`` queue of RQ when ``REDIS_URL`` is set, else in-process. So a
rolled-back change never sends mail, and SMTP is never spoken inside a
request's transaction. ``relay_waiting_mails`` queues what a Redis outage left
behind.
"""
from __future__ import annotations

import contextlib
import logging
import smtplib
import ssl
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid, parseaddr
from urllib.parse import parse_qs, unquote, urlsplit

from flask import current_app, has_request_context, render_template, url_for
from flask_babel import force_locale
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from blueprints.mail.models import STATUSES, OutboxMail, outbox_model
from config import ConfigurationError
from tenants.context import current_tenant_or_none, tenant_context
from tenants.db import db
from tenants.jobs import enqueue_after_commit, enqueue_now, relay
from tenants.models import utcnow

SMTP_TIMEOUT_SECONDS = 10
TRUE_WORDS = {"1", "true", "yes", "on"}
log = logging.getLogger(__name__)


def send_mail(to: str, template: str, subject, *, locale: str | None = None,
              unsubscribe_url: str | None = None, **context) -> OutboxMail:
    """Render ``emails/<template>.html`` + ``.txt`` and queue the mail for after the commit.

    ``subject`` may be a lazy string; it is translated in ``locale`` like the
    bodies (default: the current request's language). Inside a town the mail
    carries the town's name and lands in the town's outbox. Marketing mail
    passes ``unsubscribe_url`` (one-click, RFC 8058): it gets the
    List-Unsubscribe headers and a footer link; transactional mail never does.
    """
    from blueprints.mail.jobs import deliver_mail

    town = current_tenant_or_none()
    if unsubscribe_url and town is None:
        raise ValueError("Marketing mail belongs to a town: send it inside tenant_context().")
    context.setdefault("town", town)
    context["unsubscribe_url"] = unsubscribe_url
    context.setdefault("impressum_link", _impressum_link(town))
    with force_locale(locale) if locale else contextlib.nullcontext():
        subject = str(subject)
        context = {"subject": subject, **context}
        html_body = render_template(f"emails/{template}.html", **context)
        text_body = render_template(f"emails/{template}.txt", **context)
    mail = outbox_model()(message_id=make_msgid(domain=_sender_domain()), to_address=to,
                          subject=subject, text_body=text_body, html_body=html_body,
                          status="queued")
    if unsubscribe_url:
        mail.unsubscribe_url = unsubscribe_url
    db.session.add(mail)
    db.session.flush()  # assigns the id that the job carries
    enqueue_after_commit(deliver_mail, mail.id)
    return mail


def list_mails(status: str | None = None, limit: int = 200) -> list:
    """The newest mails of the current scope's outbox, optionally of one status."""
    model = outbox_model()
    query = select(model).order_by(model.created_at.desc(), model.id.desc()).limit(limit)
    if status:
        query = query.where(model.status == status)
    return list(db.session.scalars(query))


def status_counts() -> dict[str, int]:
    """How many mails of the current scope's outbox are in each status."""
    model = outbox_model()
    counted = dict(db.session.execute(select(model.status, func.count()).group_by(model.status)).all())
    return {status: counted.get(status, 0) for status in STATUSES}


def get_mail(mail_id: int):
    return db.session.get(outbox_model(), mail_id)


def resend(mail_id: int):
    """Queue a failed mail of the current scope again; None if there is no such mail."""
    from blueprints.mail.jobs import deliver_mail

    mail = db.session.get(outbox_model(), mail_id)
    if mail is None or mail.status != "failed":
        return mail  # only a failed mail is sent again; the others are on their way
    mail.status, mail.error, mail.sent_at = "queued", None, None
    enqueue_after_commit(deliver_mail, mail.id)
    db.session.commit()
    return mail


@relay
def relay_waiting_mails(older_than_seconds: float = 10) -> int:
    """Queue every mail left ``queued`` for a while, in the public and every town's outbox.

    A mail whose delivery job still waits in Redis is skipped; a mail queued
    twice anyway is sent once, as the job checks and locks the row.
    """
    count = _relay_scope(older_than_seconds)
    for town in current_app.extensions["quartier_registry"].all():
        with tenant_context(town):
            try:
                count += _relay_scope(older_than_seconds)
            except SQLAlchemyError:  # e.g. not yet migrated: the other towns still go
                log.exception("Relaying the outbox of %s failed", town.slug)
                db.session.rollback()
    return count


def _relay_scope(older_than_seconds: float) -> int:
    from blueprints.mail.jobs import deliver_mail

    model = outbox_model()
    cutoff = utcnow() - timedelta(seconds=older_than_seconds)
    mail_ids = db.session.scalars(select(model.id).where(
        model.status == "queued", model.created_at <= cutoff).order_by(model.id)).all()
    db.session.rollback()  # nothing to write; end the read before talking to Redis
    return sum(enqueue_now(deliver_mail, mail_id, skip_if_waiting=True) for mail_id in mail_ids)


def _impressum_link(town) -> str | None:
    """The town's Impressum as an absolute URL, where one can be built (a request or SERVER_NAME)."""
    if town is None or not (has_request_context() or current_app.config.get("SERVER_NAME")):
        return None
    return url_for("town.impressum", tenant=town.slug, _external=True)


def _sender_domain() -> str:
    address = parseaddr(current_app.config.get("MAIL_FROM") or "")[1]
    return address.rpartition("@")[2] or "localhost"


def sender() -> str:
    """The From header: inside a town, the town's name before the platform's address."""
    configured = current_app.config.get("MAIL_FROM") or "noreply@localhost"
    town = current_tenant_or_none()
    if town is None:
        return configured
    return formataddr((town.name, parseaddr(configured)[1]))


def build_message(mail: OutboxMail, sender: str) -> EmailMessage:
    """The MIME message of an outbox row: plain text with an HTML alternative."""
    message = EmailMessage()
    message["Subject"] = mail.subject
    message["From"] = sender
    message["To"] = mail.to_address
    message["Date"] = format_datetime(utcnow())
    message["Message-ID"] = mail.message_id
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies, please
    unsubscribe_url = getattr(mail, "unsubscribe_url", None)
    if unsubscribe_url:  # marketing mail only (RFC 2369, one-click per RFC 8058)
        message["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
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
