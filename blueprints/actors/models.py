"""The town's one register of actors: owners, traders, associations, institutions.

Every module refers to these rows (a unit's owner, an event's organiser, a
directory entry) instead of keeping a list of its own.
"""
from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from tenants.db import (
    BigId,
    PrimaryKey,
    TenantModel,
    Timestamp,
    one_of,
    tenant_table_args,
)
from tenants.models import User, utcnow

ACTOR_KINDS = {
    "owner": _l("Eigentümer:in"),
    "trader": _l("Gewerbetreibende:r"),
    "association": _l("Verein / Initiative"),
    "institution": _l("Institution"),
    "person": _l("Privatperson"),
}
CONTACT_CHANNELS = {
    "phone": _l("Telefon"),
    "email": _l("E-Mail"),
    "letter": _l("Brief"),
    "visit": _l("Besuch vor Ort"),
    "meeting": _l("Termin"),
    "other": _l("Sonstiges"),
}


class Actor(TenantModel):
    """A person or organisation the district management works with."""

    __tablename__ = "actors"

    id: Mapped[PrimaryKey]
    kind: Mapped[str] = mapped_column(String(20), default="owner")
    name: Mapped[str] = mapped_column(String(200))
    contact_person: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str] = mapped_column(String(320), default="")
    phone: Mapped[str] = mapped_column(String(50), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    # DSGVO: when the actor agreed that we keep their data and contact them.
    contact_consent_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[Timestamp] = mapped_column(default=utcnow)
    updated_at: Mapped[Timestamp] = mapped_column(default=utcnow, onupdate=utcnow)

    contacts: Mapped[list[Contact]] = relationship(
        back_populates="actor", order_by="Contact.contacted_on.desc(), Contact.id.desc()",
        cascade="all, delete-orphan")

    @declared_attr.directive
    def __table_args__(cls):
        return tenant_table_args(CheckConstraint(one_of("kind", ACTOR_KINDS), name="kind"),
                                 Index("ix_actors_name", "name"))


class Contact(TenantModel):
    """One contact with an actor: when, how, what, and when to follow up."""

    __tablename__ = "actor_contacts"

    id: Mapped[PrimaryKey]
    actor_id: Mapped[int] = mapped_column(BigId, ForeignKey("tenant.actors.id", ondelete="CASCADE"))
    contacted_on: Mapped[date] = mapped_column(Date)
    channel: Mapped[str] = mapped_column(String(20))
    content: Mapped[str] = mapped_column(Text)
    follow_up_on: Mapped[date | None] = mapped_column(Date)
    follow_up_done: Mapped[bool] = mapped_column(default=False)
    by_user_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[Timestamp] = mapped_column(default=utcnow)

    actor: Mapped[Actor] = relationship(back_populates="contacts")
    by_user: Mapped[User | None] = relationship()

    @declared_attr.directive
    def __table_args__(cls):
        return tenant_table_args(CheckConstraint(one_of("channel", CONTACT_CHANNELS), name="channel"),
                                 Index("ix_actor_contacts_follow_up", "follow_up_on"))
