"""Delivery: one job per mail, on the ``emails`` queue, safe to run twice."""
from __future__ import annotations

import logging

from flask import current_app
from rq import get_current_job
from sqlalchemy import select

from blueprints.mail.models import outbox_model
from blueprints.mail.services import SmtpTransport, build_message, sender
from tenants.db import db
from tenants.jobs import job
from tenants.models import utcnow

log = logging.getLogger(__name__)


@job("emails", retry_setting="MAIL_RETRY")
def deliver_mail(mail_id: int) -> None:
    """Send one mail of the current scope's outbox, unless it is no longer queued.

    The row stays locked (PostgreSQL) from the status check until ``sent`` is
    committed, so a second run of the same job waits or skips instead of
    sending twice. Only the moment between the SMTP server's acceptance and
    that commit is unguarded (README, Operations: Workers).
    """
    mail = _claim(mail_id)
    if mail is None:
        return
    transport = SmtpTransport.from_config(current_app.config)
    if transport is None:  # no MAIL_URL: the dev outbox keeps it for reading
        mail.status = "stored"
        db.session.commit()
        return
    try:
        transport.send(build_message(mail, sender()))
    except Exception as exc:  # refused, unreachable, or a mail that cannot be built
        _record_failure(mail, exc)
        raise  # RQ retries with backoff (Retry) while tries are left
    mail.status, mail.error, mail.sent_at = "sent", None, utcnow()
    db.session.commit()


def _claim(mail_id: int):
    model = outbox_model()
    # SKIP LOCKED: another worker is sending this very mail right now.
    return db.session.scalars(select(model).where(model.id == mail_id, model.status == "queued")
                              .with_for_update(skip_locked=True)).first()


def _record_failure(mail, exc: Exception) -> None:
    log.warning("Mail %s to %s failed: %s", mail.message_id, mail.to_address, exc)
    mail.error = f"{type(exc).__name__}: {exc}"
    if is_last_attempt():
        mail.status = "failed"
    db.session.commit()


def is_last_attempt() -> bool:
    """True in-process (no retries there) and on RQ's last try."""
    current = get_current_job()
    return current is None or not current.retries_left
