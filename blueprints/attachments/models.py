"""Uploaded files of a town: checked once on the way in, stored outside the database."""
from __future__ import annotations

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from tenants.db import PrimaryKey, TenantModel, Timestamp
from tenants.models import utcnow


class Attachment(TenantModel):
    """A stored file; its bytes live under the instance folder, named by ``storage_key``."""

    __tablename__ = "attachments"

    id: Mapped[PrimaryKey]
    filename: Mapped[str] = mapped_column(String(255))  # as uploaded, for downloads
    content_type: Mapped[str] = mapped_column(String(100))  # as detected, never as claimed
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(100), unique=True)
    # Images only: their size, and the key of a small preview.
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    thumbnail_key: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[Timestamp] = mapped_column(default=utcnow)
