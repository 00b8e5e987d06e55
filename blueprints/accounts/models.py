"""Mails about an account that someone asked for, until the job that handles them has run."""
from __future__ import annotations

from sqlalchemy import CheckConstraint, String, func
from sqlalchemy.orm import Mapped, mapped_column

from tenants.db import PrimaryKey, Timestamp, db, one_of
from tenants.models import utcnow

# registration: a confirmation link, or "you have an account already";
# confirmation: a new confirmation link; password_reset: a reset link.
MAIL_KINDS = ("registration", "confirmation", "password_reset")


class AccountMailRequest(db.Model):
    """One request for an account mail, stored whether or not the address has an account.

    So the request does the same work for every address, and the job
    (``jobs.deliver_account_mail``) looks the account up, mails or does
    nothing, and deletes the row. A row left by a Redis outage is queued
    again by the relay.
    """

    __tablename__ = "account_mail_requests"
    __table_args__ = (CheckConstraint(one_of("kind", MAIL_KINDS), name="kind"),)

    id: Mapped[PrimaryKey]
    kind: Mapped[str] = mapped_column(String(20))
    email: Mapped[str] = mapped_column(String(320))
    # Where the request came in (scheme, host, script root): the links in the mail start there.
    base_url: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[Timestamp] = mapped_column(default=utcnow, server_default=func.now())
