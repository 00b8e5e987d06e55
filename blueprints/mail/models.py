"""The outboxes: every mail Quartier sends, with its delivery status.

Account mails (no town involved) live in the public ``outbox``; mails caused
inside a town live in that town's ``town_outbox``. Both are one definition
(:class:`OutboxColumns`), so delivery treats them alike.
"""
from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, LargeBinary, String, Text, func
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from tenants.current import current_tenant_or_none
from tenants.db import BigId, PrimaryKey, TenantModel, Timestamp, db, tenant_table_args
from tenants.models import utcnow

# queued: waiting for (another) delivery attempt, ``error`` holds the last one's
# problem; sent: accepted by the SMTP server; failed: retries used up;
# stored: kept in the dev outbox because no MAIL_URL is set.
STATUSES = ("queued", "sent", "failed", "stored")
STATUS_CHECK = "status IN ('queued', 'sent', 'failed', 'stored')"


class OutboxColumns:
    """The columns of an outbox row, shared by the public and the town outbox."""

    id: Mapped[PrimaryKey]
    # Generated once, so a retried delivery carries the same Message-ID.
    message_id: Mapped[str] = mapped_column(String(255), unique=True)
    to_address: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(300))
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="queued")
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[Timestamp] = mapped_column(default=utcnow, server_default=func.now())
    sent_at: Mapped[Timestamp | None]


class OutboxMail(OutboxColumns, db.Model):
    """A mail of no town (accounts); ``stored`` means kept in the dev outbox instead of sent."""

    __tablename__ = "outbox"
    __table_args__ = (CheckConstraint(STATUS_CHECK, name="status"),
                      Index("ix_outbox_status", "status"))


class MailBatch(TenantModel):
    """A large send (a newsletter): its mails go out in parts, one SMTP connection each.

    Its progress is counted from its mails' statuses, never kept twice.
    """

    __tablename__ = "mail_batches"

    id: Mapped[PrimaryKey]
    label: Mapped[str] = mapped_column(String(200))
    total: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[Timestamp] = mapped_column(default=utcnow, server_default=func.now())


class TownOutboxMail(OutboxColumns, TenantModel):
    """A mail caused inside a town, kept in that town's schema."""

    __tablename__ = "town_outbox"

    # Set only for marketing mail (newsletters): the one-click unsubscribe
    # address that its List-Unsubscribe headers and footer link carry.
    unsubscribe_url: Mapped[str | None] = mapped_column(String(500))
    # Mails of a batch go out in numbered parts (deliver_batch_part), not one by one.
    batch_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("tenant.mail_batches.id", ondelete="CASCADE"))
    batch_part: Mapped[int | None] = mapped_column(Integer)
    # Stored with the mail, so a retried delivery (worker restart, SMTP outage) still carries them.
    attachments: Mapped[list[TownOutboxAttachment]] = relationship(
        order_by="TownOutboxAttachment.id", cascade="all, delete-orphan")

    @declared_attr.directive
    def __table_args__(cls):
        # Named by hand: the convention would put the placeholder schema into the name.
        return tenant_table_args(CheckConstraint(STATUS_CHECK, name="status"),
                                 Index("ix_town_outbox_status", "status"),
                                 Index("ix_town_outbox_batch", "batch_id", "batch_part"))


class TownOutboxAttachment(TenantModel):
    """A file sent with a town mail, e.g. the event's .ics in a registration confirmation."""

    __tablename__ = "town_outbox_attachments"

    id: Mapped[PrimaryKey]
    mail_id: Mapped[int] = mapped_column(BigId, ForeignKey("tenant.town_outbox.id", ondelete="CASCADE"))
    filename: Mapped[str] = mapped_column(String(255))
    # May carry parameters, e.g. "text/calendar; method=PUBLISH; charset=utf-8".
    content_type: Mapped[str] = mapped_column(String(200))
    content: Mapped[bytes] = mapped_column(LargeBinary)

    @declared_attr.directive
    def __table_args__(cls):
        return tenant_table_args(Index("ix_town_outbox_attachments_mail_id", "mail_id"))


def outbox_model():
    """The outbox of the current scope: the town's, or the public one outside towns."""
    return TownOutboxMail if current_tenant_or_none() is not None else OutboxMail
