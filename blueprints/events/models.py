"""Events of the town: single dates and series, in a place or a unit of the register."""
from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from blueprints.actors.models import Actor
from blueprints.attachments.models import Attachment
from blueprints.town.models import District
from blueprints.vacancies.models import Unit
from tenants.db import BigId, PrimaryKey, TenantModel, Timestamp, one_of, tenant_table_args
from tenants.models import utcnow

CATEGORIES = {
    "market": _l("Markt"),
    "shopping": _l("Einkaufen und Aktionstage"),
    "culture": _l("Kultur"),
    "popup": _l("Pop-up im Leerstand"),
    "workshop": _l("Workshop"),
    "meeting": _l("Treffen und Stammtisch"),
    "other": _l("Sonstiges"),
}
# How a series repeats; each date becomes an event of its own (own registrations, own UID).
REPEATS = {"weekly": _l("jede Woche"), "biweekly": _l("alle zwei Wochen"), "monthly": _l("jeden Monat")}


class EventSeries(TenantModel):
    __tablename__ = "event_series"

    id: Mapped[PrimaryKey]
    repeat: Mapped[str] = mapped_column(String(10))
    until: Mapped[date] = mapped_column(Date)
    created_at: Mapped[Timestamp] = mapped_column(default=utcnow)

    @declared_attr.directive
    def __table_args__(cls):
        return tenant_table_args(CheckConstraint(one_of("repeat", REPEATS), name="repeat"))


class Event(TenantModel):
    """One date of the town's calendar; times are stored in UTC and shown in Europe/Berlin."""

    __tablename__ = "events"

    id: Mapped[PrimaryKey]
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[str] = mapped_column(String(20), default="other")
    starts_at: Mapped[Timestamp]
    ends_at: Mapped[Timestamp]
    series_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("tenant.event_series.id", ondelete="SET NULL"))
    address: Mapped[str] = mapped_column(String(300), default="")
    # A pop-up in an empty shop: the event takes place in a unit of the register.
    unit_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("tenant.units.id", ondelete="SET NULL"))
    district_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("tenant.districts.id", ondelete="SET NULL"))
    organiser_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("tenant.actors.id", ondelete="SET NULL"))
    capacity: Mapped[int | None] = mapped_column(Integer)
    registration_open: Mapped[bool] = mapped_column(default=False)
    image_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("tenant.attachments.id", ondelete="SET NULL"))
    cancelled: Mapped[bool] = mapped_column(default=False)
    # Raised on every change, so calendar apps replace their copy (iCalendar SEQUENCE).
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[Timestamp] = mapped_column(default=utcnow)
    updated_at: Mapped[Timestamp] = mapped_column(default=utcnow, onupdate=utcnow)

    unit: Mapped[Unit | None] = relationship()
    district: Mapped[District | None] = relationship()
    organiser: Mapped[Actor | None] = relationship()
    image: Mapped[Attachment | None] = relationship()
    series: Mapped[EventSeries | None] = relationship()

    @declared_attr.directive
    def __table_args__(cls):
        return tenant_table_args(CheckConstraint(one_of("category", CATEGORIES), name="category"),
                                 CheckConstraint("ends_at >= starts_at", name="ends_after_start"),
                                 Index("ix_events_starts_at", "starts_at"))

    @property
    def location(self) -> str:
        if self.unit is not None:
            return self.unit.address
        return self.address

    @property
    def category_label(self) -> str:
        return str(CATEGORIES.get(self.category, self.category))


REGISTRATION_STATUSES = {
    "pending": _l("E-Mail-Adresse noch nicht bestätigt"),
    "confirmed": _l("angemeldet"),
    "waitlisted": _l("auf der Warteliste"),
    "cancelled": _l("abgemeldet"),
}


class Registration(TenantModel):
    """A person's registration for an event: confirmed by mail, waiting if the event is full."""

    __tablename__ = "event_registrations"

    id: Mapped[PrimaryKey]
    event_id: Mapped[int] = mapped_column(BigId, ForeignKey("tenant.events.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(320))
    status: Mapped[str] = mapped_column(String(12), default="pending")
    # The secret of the mailed links (confirm, cancel): whoever has the mail may use them.
    token: Mapped[str] = mapped_column(String(64), unique=True)
    consent_at: Mapped[Timestamp]
    created_at: Mapped[Timestamp] = mapped_column(default=utcnow)
    confirmed_at: Mapped[Timestamp | None]
    cancelled_at: Mapped[Timestamp | None]
    checked_in_at: Mapped[Timestamp | None]

    event: Mapped[Event] = relationship()

    @declared_attr.directive
    def __table_args__(cls):
        return tenant_table_args(CheckConstraint(one_of("status", REGISTRATION_STATUSES), name="status"),
                                 Index("ix_event_registrations_event_id", "event_id"))
