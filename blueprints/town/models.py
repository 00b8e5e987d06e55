"""A town's own basic data: its districts and its legal pages."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tenants.db import BigId, PrimaryKey, Timestamp, TenantModel
from tenants.models import utcnow

LEGAL_PAGES = {"impressum": _l("Impressum"), "datenschutz": _l("Datenschutzerklärung")}


class District(TenantModel):
    """A district (Stadtteil) inside a town: data, not a tenant."""

    __tablename__ = "districts"

    id: Mapped[PrimaryKey]
    name: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[Timestamp] = mapped_column(default=utcnow)


class Page(TenantModel):
    """An editable page of the town, e.g. Impressum and Datenschutz."""

    __tablename__ = "pages"

    id: Mapped[PrimaryKey]
    key: Mapped[str] = mapped_column(String(40), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[Timestamp] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id", ondelete="SET NULL"))
