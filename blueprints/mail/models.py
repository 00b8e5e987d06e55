"""The outbox (public schema): every mail Quartier sends, with its delivery status."""
from __future__ import annotations

from sqlalchemy import CheckConstraint, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from tenants.db import PrimaryKey, Timestamp, db
from tenants.models import utcnow

STATUSES = ("queued", "sent", "failed", "stored")


class OutboxMail(db.Model):
    """One rendered mail; ``stored`` means kept in the dev outbox instead of sent."""

    __tablename__ = "outbox"
    __table_args__ = (
        CheckConstraint("status IN ('queued', 'sent', 'failed', 'stored')", name="status"),
    )

    id: Mapped[PrimaryKey]
    # Generated once, so a retried delivery carries the same Message-ID.
    message_id: Mapped[str] = mapped_column(String(255), unique=True)
    to_address: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(300))
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="queued", index=True)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[Timestamp] = mapped_column(default=utcnow, server_default=func.now())
    sent_at: Mapped[Timestamp | None]
