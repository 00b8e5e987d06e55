"""Delivery on the ``emails`` queue: one job per single mail, one per part of a batch.

Both are safe to run twice: a mail is claimed (row lock, PostgreSQL) from its
status check until ``sent`` is committed, so a second run of the same job
waits or skips instead of sending twice. Between the SMTP server's acceptance
and that commit, the note in Redis (handover.py) guards: a run after a commit
that failed records the mail as sent without sending it again.
"""
from __future__ import annotations

import logging

from flask import current_app
from rq import get_current_job
from sqlalchemy import select, update

from blueprints.mail import handover
from blueprints.mail.models import TownOutboxAttachment, TownOutboxMail, outbox_model
from blueprints.mail.transport import (
    MailAttachment,
    SmtpTransport,
    build_message,
    is_permanent_refusal,
    sender,
)
from tenants.db import db, town_connection
from tenants.jobs import job
from tenants.models import utcnow

log = logging.getLogger(__name__)
# Worst case for a part: every mail waits for the SMTP timeout.
BATCH_PART_TIMEOUT_SECONDS = 1800


@job("emails", retry_setting="MAIL_RETRY")
def deliver_mail(mail_id: int) -> None:
    """Send one mail of the current scope's outbox, unless it is no longer queued."""
    mail = _claim(mail_id)
    if mail is None:
        return
    if handover.accepted_already([mail.message_id]):  # the last run could not commit it
        mail.status, mail.error, mail.sent_at = "sent", None, utcnow()
        db.session.commit()
        return
    transport = SmtpTransport.from_config(current_app.config)
    if transport is None:  # no MAIL_URL: the dev outbox keeps it for reading
        mail.status = "stored"
        db.session.commit()
        return
    try:
        _send(mail, transport.send, sender())
    except Exception as exc:  # unreachable, refused for now, or a mail that cannot be built
        _record_failure(mail, exc)
        raise  # RQ retries with backoff (Retry) while tries are left


@job("emails", retry_setting="MAIL_RETRY", timeout=BATCH_PART_TIMEOUT_SECONDS)
def deliver_batch_part(batch_id: int, part: int) -> None:
    """Send the still-queued mails of one part of a town's batch over one SMTP connection.

    A run after a crash or a retry picks up where the last one stopped. If the
    server fails mid-part, the part's waiting mails carry the error (and are
    failed after the last try); a recipient refused for good fails alone.
    The part's mails are read in one query; each is then locked, sent and
    committed with plain statements on one held connection: a newsletter of
    thousands spends its time on SMTP, not on the session's bookkeeping.
    """
    waiting = (TownOutboxMail.batch_id == batch_id) & (TownOutboxMail.batch_part == part) \
        & (TownOutboxMail.status == "queued")
    transport = SmtpTransport.from_config(current_app.config)
    if transport is None:
        db.session.execute(update(TownOutboxMail).where(waiting).values(status="stored"))
        db.session.commit()
        return
    mails = db.session.execute(select(*PART_COLUMNS).where(waiting).order_by(TownOutboxMail.id)).all()
    files = _attachments_of([mail.id for mail in mails])
    db.session.rollback()  # no transaction open while connecting
    if not mails:
        return
    accepted = handover.accepted_already([mail.message_id for mail in mails])
    from_header = sender()
    try:
        with transport.connect() as smtp, town_connection() as database:
            for mail in mails:
                if _lock_if_queued(database, mail.id):
                    send = _already_sent if mail.message_id in accepted else smtp.send_message
                    _send_part_mail(database, mail, files.get(mail.id, ()), send, from_header)
    except Exception as exc:  # leaving town_connection rolled back the mail being sent: still queued
        log.warning("Part %s of mail batch %s stopped: %s", part, batch_id, exc)
        values = {"error": _describe(exc)}
        if is_last_attempt():
            values["status"] = "failed"
        db.session.execute(update(TownOutboxMail).where(waiting).values(**values))
        db.session.commit()
        raise


PART_COLUMNS = (TownOutboxMail.id, TownOutboxMail.message_id, TownOutboxMail.to_address,
                TownOutboxMail.subject, TownOutboxMail.text_body, TownOutboxMail.html_body,
                TownOutboxMail.unsubscribe_url)


def _attachments_of(mail_ids: list[int]) -> dict[int, list[MailAttachment]]:
    """The files of these mails, as plain values that outlive the session's transaction."""
    files: dict[int, list[MailAttachment]] = {}
    if mail_ids:
        for stored in db.session.scalars(select(TownOutboxAttachment)
                                         .where(TownOutboxAttachment.mail_id.in_(mail_ids))):
            files.setdefault(stored.mail_id, []).append(
                MailAttachment(stored.filename, stored.content_type, stored.content))
    return files


def _lock_if_queued(database, mail_id: int) -> bool:
    """Lock the mail until its outcome is committed; False if it is sent or being sent already."""
    return database.execute(
        select(TownOutboxMail.id).where(TownOutboxMail.id == mail_id, TownOutboxMail.status == "queued")
        .with_for_update(skip_locked=True)).first() is not None


def _send_part_mail(database, mail, attachments, send, from_header: str) -> None:
    """Like ``_send``, for a mail of a part read as a plain row."""
    try:
        send(build_message(mail, from_header, attachments))
        handover.note_accepted(mail.message_id)
    except Exception as exc:
        if not is_permanent_refusal(exc):
            raise
        log.warning("Mail %s to %s refused: %s", mail.message_id, mail.to_address, exc)
        outcome = {"status": "failed", "error": _describe(exc)}
    else:
        outcome = {"status": "sent", "error": None, "sent_at": utcnow()}
    database.execute(update(TownOutboxMail).where(TownOutboxMail.id == mail.id).values(**outcome))
    database.commit()


def _send(mail, send, from_header: str) -> None:
    """Hand one claimed mail to ``send``; commit it as sent, or as failed if refused for good."""
    try:
        send(build_message(mail, from_header))
        handover.note_accepted(mail.message_id)
    except Exception as exc:
        if not is_permanent_refusal(exc):
            raise
        log.warning("Mail %s to %s refused: %s", mail.message_id, mail.to_address, exc)
        mail.status, mail.error = "failed", _describe(exc)
    else:
        mail.status, mail.error, mail.sent_at = "sent", None, utcnow()
    db.session.commit()


def _already_sent(message) -> None:
    """The "send" of a mail the server accepted in an earlier run: nothing goes out again."""


def _claim(mail_id: int):
    model = outbox_model()
    # SKIP LOCKED: another worker is sending this very mail right now.
    return db.session.scalars(select(model).where(model.id == mail_id, model.status == "queued")
                              .with_for_update(skip_locked=True)).first()


def _record_failure(mail, exc: Exception) -> None:
    log.warning("Mail %s to %s failed: %s", mail.message_id, mail.to_address, exc)
    mail.error = _describe(exc)
    if is_last_attempt():
        mail.status = "failed"
    db.session.commit()


def _describe(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"


def is_last_attempt() -> bool:
    """True in-process (no retries there) and on RQ's last try."""
    current = get_current_job()
    return current is None or not current.retries_left
