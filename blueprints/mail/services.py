"""One path for every mail: render a pair, record it, deliver it after the commit.

``send_mail`` adds a row to the outbox of the current scope (the town's, or
the public one for account mails) in the caller's transaction, and asks for
the ``deliver_mail`` job (blueprints.mail.jobs) once that transaction commits:
on the ``emails`` queue of RQ when ``REDIS_URL`` is set, else in-process. So a
rolled-back change never sends mail, and SMTP is never spoken inside a
request's transaction. Inside ``with mail_batch(label):`` (a newsletter) the
mails are numbered into parts of ``MAIL_BATCH_SIZE`` instead, and one
``deliver_batch_part`` job sends each part over one SMTP connection.
``relay_waiting_mails`` queues what a Redis outage left behind.
"""
from __future__ import annotations

import contextlib
import logging
import math
from collections.abc import Iterable, Iterator, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import timedelta
from email.utils import make_msgid

from flask import current_app, render_template
from flask_babel import force_locale
from markupsafe import escape
from sqlalchemy import func, select, update

from blueprints.mail.jobs import deliver_batch_part, deliver_mail
from blueprints.mail.models import (
    STATUSES,
    MailBatch,
    OutboxMail,
    TownOutboxAttachment,
    TownOutboxMail,
    outbox_model,
)
from blueprints.mail.transport import MailAttachment, sender_domain
from tenants.current import current_tenant_or_none
from tenants.db import db
from tenants.jobs import enqueue_after_commit, enqueue_now, in_every_town, relay
from tenants.resolver import external_url
from tenants.models import utcnow

log = logging.getLogger(__name__)


def send_mail(to: str, template: str, subject, *, locale: str | None = None,
              unsubscribe_url: str | None = None, attachments: Sequence[MailAttachment] = (),
              **context) -> OutboxMail:
    """Render ``emails/<template>.html`` + ``.txt`` and queue the mail for after the commit.

    ``subject`` may be a lazy string; it is translated in ``locale`` like the
    bodies (default: the current request's language). Inside a town the mail
    carries the town's name and lands in the town's outbox. Marketing mail
    passes ``unsubscribe_url`` (one-click, RFC 8058): it gets the
    List-Unsubscribe headers and a footer link; transactional mail never does.
    ``attachments`` are stored with the mail (town mails only), so every
    delivery attempt carries them.
    """
    town = current_tenant_or_none()
    if unsubscribe_url and town is None:
        raise ValueError("Marketing mail belongs to a town: send it inside tenant_context().")
    if attachments and town is None:
        raise ValueError("Mail attachments are kept in a town's outbox: send it inside tenant_context().")
    subject, html_body, text_body = _render(template, subject, locale,
                                            dict(context, unsubscribe_url=unsubscribe_url))
    return _record(to, subject, html_body, text_body, unsubscribe_url, attachments)


@dataclass(frozen=True)
class Recipient:
    """One reader of a marketing mail: where it goes, how they leave the list, their language."""

    address: str
    unsubscribe_url: str
    locale: str | None = None


# Stands in for the unsubscribe address while a marketing mail is rendered once for all.
UNSUBSCRIBE_SLOT = "quartier-unsubscribe-slot-4c1e9"


def send_marketing_mail(recipients: Iterable[Recipient], template: str, subject, **context) -> int:
    """The same marketing mail (a newsletter) to many readers; returns how many.

    Rendered once per language, each copy differs only in its unsubscribe
    address, set into the rendered text: rendering ten thousand copies one by
    one took longer than sending them. Use it inside ``mail_batch``.
    """
    if current_tenant_or_none() is None:
        raise ValueError("Marketing mail belongs to a town: send it inside tenant_context().")
    rendered: dict[str | None, tuple[str, str, str]] = {}
    count = 0
    for recipient in recipients:
        if recipient.locale not in rendered:
            rendered[recipient.locale] = _render(template, subject, recipient.locale,
                                                 dict(context, unsubscribe_url=UNSUBSCRIBE_SLOT))
        subject_text, html_body, text_body = rendered[recipient.locale]
        url = recipient.unsubscribe_url
        _record(recipient.address, subject_text, html_body.replace(UNSUBSCRIBE_SLOT, str(escape(url))),
                text_body.replace(UNSUBSCRIBE_SLOT, url), url)
        count += 1
    return count


def _render(template: str, subject, locale: str | None, context: dict) -> tuple[str, str, str]:
    """(subject, HTML body, text body) in ``locale``, with the town's name and Impressum."""
    town = current_tenant_or_none()
    context.setdefault("town", town)
    context.setdefault("impressum_link", _impressum_link(town))
    with force_locale(locale) if locale else contextlib.nullcontext():
        subject = str(subject)
        context = {"subject": subject, **context}
        return (subject, render_template(f"emails/{template}.html", **context),
                render_template(f"emails/{template}.txt", **context))


def _record(to: str, subject: str, html_body: str, text_body: str, unsubscribe_url: str | None = None,
            attachments: Sequence[MailAttachment] = ()) -> OutboxMail:
    """Add the mail to the outbox; its delivery is asked for after the commit (or by its batch)."""
    mail = outbox_model()(message_id=make_msgid(domain=sender_domain()), to_address=to,
                          subject=subject, text_body=text_body, html_body=html_body,
                          status="queued")
    if unsubscribe_url:
        mail.unsubscribe_url = unsubscribe_url
    if attachments:
        mail.attachments = [TownOutboxAttachment(filename=attachment.filename, content=attachment.content,
                                                 content_type=attachment.content_type)
                            for attachment in attachments]
    db.session.add(mail)
    batch = _open_batch.get()
    if batch is not None:
        batch.take(mail)  # its part's job sends it
        return mail
    db.session.flush()  # assigns the id that the job carries
    enqueue_after_commit(deliver_mail, mail.id)
    return mail


# --- batches: large sends in parts, one SMTP connection per part ------------------

@dataclass
class _OpenBatch:
    """The batch that ``send_mail`` numbers mails into, inside ``with mail_batch(...)``."""

    batch: MailBatch
    part_size: int
    count: int = 0
    unflushed: list = field(default_factory=list)

    def take(self, mail) -> None:
        mail.batch_id = self.batch.id
        mail.batch_part = self.count // self.part_size
        self.count += 1
        self.unflushed.append(mail)
        if len(self.unflushed) >= self.part_size:
            self.flush()

    def flush(self) -> None:
        # One multi-row INSERT per part; then let the rows go, so a send to
        # ten thousand does not keep ten thousand bodies in the session.
        db.session.flush()
        for mail in self.unflushed:
            db.session.expunge(mail)
        self.unflushed.clear()

    @property
    def parts(self) -> int:
        return math.ceil(self.count / self.part_size)


_open_batch: ContextVar[_OpenBatch | None] = ContextVar("quartier_mail_batch", default=None)


@contextlib.contextmanager
def mail_batch(label: str) -> Iterator[MailBatch]:
    """Send the mails of the ``send_mail`` calls inside as one batch of the current town.

    Its parts (``MAIL_BATCH_SIZE`` mails each) are queued when the caller's
    transaction commits, like single mails; staff follow the batch's progress
    in the town's outbox. The mails returned inside are already detached.
    """
    if current_tenant_or_none() is None:
        raise ValueError("A mail batch belongs to a town: open it inside tenant_context().")
    if _open_batch.get() is not None:
        raise RuntimeError("Mail batches do not nest.")
    batch = MailBatch(label=label[:200], total=0)
    db.session.add(batch)
    db.session.flush()
    opened = _OpenBatch(batch, current_app.config["MAIL_BATCH_SIZE"])
    token = _open_batch.set(opened)
    try:
        yield batch
    finally:
        _open_batch.reset(token)
    opened.flush()
    batch.total = opened.count
    for part in range(opened.parts):
        enqueue_after_commit(deliver_batch_part, batch.id, part)


@dataclass(frozen=True)
class BatchProgress:
    """How far a batch is: its mails counted by status."""

    total: int
    counts: dict[str, int]

    @property
    def sent(self) -> int:
        return self.counts.get("sent", 0) + self.counts.get("stored", 0)

    @property
    def failed(self) -> int:
        return self.counts.get("failed", 0)

    @property
    def waiting(self) -> int:
        return self.counts.get("queued", 0)

    @property
    def done(self) -> int:
        return self.sent + self.failed

    @property
    def finished(self) -> bool:
        return self.waiting == 0

    @property
    def percent(self) -> int:
        return 100 if not self.total else math.floor(100 * self.done / self.total)

    def as_json(self) -> dict:
        return {"total": self.total, "done": self.done, "sent": self.sent, "failed": self.failed,
                "waiting": self.waiting, "percent": self.percent, "finished": self.finished}


def list_batches(limit: int = 20) -> list[tuple[MailBatch, BatchProgress]]:
    """The town's newest batches with their progress (two queries however many)."""
    batches = db.session.scalars(select(MailBatch).order_by(MailBatch.id.desc()).limit(limit)).all()
    counts = _status_counts_by_batch([batch.id for batch in batches])
    return [(batch, BatchProgress(batch.total, counts.get(batch.id, {}))) for batch in batches]


def get_batch(batch_id: int) -> tuple[MailBatch, BatchProgress] | None:
    batch = db.session.get(MailBatch, batch_id)
    if batch is None:
        return None
    return batch, BatchProgress(batch.total, _status_counts_by_batch([batch_id]).get(batch_id, {}))


def _status_counts_by_batch(batch_ids: list[int]) -> dict[int, dict[str, int]]:
    if not batch_ids:
        return {}
    rows = db.session.execute(
        select(TownOutboxMail.batch_id, TownOutboxMail.status, func.count())
        .where(TownOutboxMail.batch_id.in_(batch_ids))
        .group_by(TownOutboxMail.batch_id, TownOutboxMail.status))
    counts: dict[int, dict[str, int]] = {}
    for batch_id, status, count in rows:
        counts.setdefault(batch_id, {})[status] = count
    return counts


def failed_mails_of_batch(batch_id: int, limit: int = 200) -> list[TownOutboxMail]:
    return list(db.session.scalars(
        select(TownOutboxMail).where(TownOutboxMail.batch_id == batch_id,
                                     TownOutboxMail.status == "failed")
        .order_by(TownOutboxMail.id).limit(limit)))


def resend_batch_failures(batch_id: int) -> int:
    """Queue a batch's failed mails again, part by part; return how many."""
    failed = (TownOutboxMail.batch_id == batch_id) & (TownOutboxMail.status == "failed")
    parts = db.session.scalars(select(TownOutboxMail.batch_part).where(failed).distinct()).all()
    count = db.session.execute(update(TownOutboxMail).where(failed).values(
        status="queued", error=None)).rowcount
    for part in sorted(parts):
        enqueue_after_commit(deliver_batch_part, batch_id, part)
    db.session.commit()
    return count


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
    return _relay_scope(older_than_seconds) + \
        in_every_town(lambda: _relay_scope(older_than_seconds), "the outbox")


def _relay_scope(older_than_seconds: float) -> int:
    calls = _delivery_calls_waiting(utcnow() - timedelta(seconds=older_than_seconds))
    db.session.rollback()  # nothing to write; end the read before talking to Redis
    return sum(enqueue_now(func, *ids, skip_if_waiting=True) for func, *ids in calls)


def _delivery_calls_waiting(cutoff) -> list[tuple]:
    """The jobs that would send the scope's mails queued before ``cutoff``, each once.

    A batch's mail is sent by its part's job, a single mail by its own.
    """
    model = outbox_model()
    batched = model is TownOutboxMail
    columns = (model.id, model.batch_id, model.batch_part) if batched else (model.id,)
    rows = db.session.execute(select(*columns).where(
        model.status == "queued", model.created_at <= cutoff).order_by(model.id))
    calls = {}
    for mail_id, *batch in rows:
        if batched and batch[0] is not None:
            calls[(deliver_batch_part, *batch)] = True
        else:
            calls[(deliver_mail, mail_id)] = True
    return list(calls)


def _impressum_link(town) -> str | None:
    """The town's Impressum as an absolute URL, where a base is known (see external_url)."""
    return None if town is None else external_url("town.impressum", tenant=town.slug)

