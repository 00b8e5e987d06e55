"""Interim use: applications with their history and attachments, and the town's match weights."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from blueprints.attachments.models import Attachment
from blueprints.vacancies.models import Unit
from tenants.db import (
    BigId,
    PrimaryKey,
    TenantModel,
    Timestamp,
    one_of,
    tenant_table_args,
)
from tenants.models import User, utcnow

# draft: being filled in; unconfirmed: sent by a guest who has not yet confirmed
# the mail address; then the workflow (issue: submitted → … → ended).
STATUSES = {
    "draft": _l("Entwurf"),
    "unconfirmed": _l("E-Mail-Adresse noch nicht bestätigt"),
    "submitted": _l("eingereicht"),
    "in_review": _l("in Prüfung"),
    "proposed": _l("Fläche vorgeschlagen"),
    "owner_agreed": _l("Eigentümer:in einverstanden"),
    "agreement_signed": _l("Vereinbarung unterzeichnet"),
    "active": _l("läuft"),
    "ended": _l("beendet"),
    "rejected": _l("abgelehnt"),
    "withdrawn": _l("zurückgezogen"),
}
LEGAL_FORMS = {
    "person": _l("Privatperson"),
    "sole_trader": _l("Einzelunternehmen"),
    "gbr": _l("GbR"),
    "association": _l("eingetragener Verein"),
    "company": _l("GmbH / UG"),
    "other": _l("Sonstige"),
}
OUTCOMES = {
    "became_lease": _l("wurde ein Mietvertrag"),
    "ended_as_planned": _l("wie geplant beendet"),
    "ended_early": _l("vorzeitig beendet"),
}
AGREEMENT_STATUSES = {"draft": _l("Entwurf"), "approved": _l("freigegeben")}
Money = Numeric(10, 2)
Area = Numeric(9, 2)


class Application(TenantModel):
    """One application for interim use, from the first draft to its outcome."""

    __tablename__ = "applications"

    id: Mapped[PrimaryKey]
    status: Mapped[str] = mapped_column(String(20), default="draft")
    # A guest's draft is found again by this token (kept in their session cookie).
    draft_token: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id", ondelete="SET NULL"))
    applicant_name: Mapped[str] = mapped_column(String(200), default="")
    organisation: Mapped[str] = mapped_column(String(200), default="")
    legal_form: Mapped[str | None] = mapped_column(String(20))
    team: Mapped[str] = mapped_column(Text, default="")
    email: Mapped[str] = mapped_column(String(320), default="")
    phone: Mapped[str] = mapped_column(String(50), default="")
    concept: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[str | None] = mapped_column(String(20))
    area_min_sqm: Mapped[Decimal | None] = mapped_column(Area)
    area_max_sqm: Mapped[Decimal | None] = mapped_column(Area)
    budget_eur_month: Mapped[Decimal | None] = mapped_column(Money)
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    features: Mapped[list] = mapped_column(JSON, default=list)
    district_ids: Mapped[list] = mapped_column(JSON, default=list)
    # The unit the applicant came from ("I am interested"), if any.
    unit_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("tenant.units.id", ondelete="SET NULL"))
    consent_at: Mapped[Timestamp | None]  # data processing, with the wording's version
    consent_wording: Mapped[str] = mapped_column(Text, default="")
    email_confirmed_at: Mapped[Timestamp | None]
    submitted_at: Mapped[Timestamp | None]
    # The units staff offered, and how the use ended.
    proposed_unit_ids: Mapped[list] = mapped_column(JSON, default=list)
    outcome: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[Timestamp] = mapped_column(default=utcnow)
    updated_at: Mapped[Timestamp] = mapped_column(default=utcnow, onupdate=utcnow)

    user: Mapped[User | None] = relationship()
    unit: Mapped[Unit | None] = relationship()
    events: Mapped[list[ApplicationEvent]] = relationship(
        back_populates="application", order_by="ApplicationEvent.created_at, ApplicationEvent.id",
        cascade="all, delete-orphan")
    attachments: Mapped[list[ApplicationAttachment]] = relationship(
        back_populates="application", order_by="ApplicationAttachment.id",
        cascade="all, delete-orphan")

    @declared_attr.directive
    def __table_args__(cls):
        return tenant_table_args(CheckConstraint(one_of("status", STATUSES), name="status"),
                                 Index("ix_applications_status", "status"),
                                 Index("ix_applications_user_id", "user_id"))


class ApplicationEvent(TenantModel):
    """A step of an application: its new status, with who, when and why."""

    __tablename__ = "application_events"

    id: Mapped[PrimaryKey]
    application_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("tenant.applications.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")
    by_user_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[Timestamp] = mapped_column(default=utcnow)

    application: Mapped[Application] = relationship(back_populates="events")
    by_user: Mapped[User | None] = relationship()


class ApplicationAttachment(TenantModel):
    __tablename__ = "application_attachments"

    id: Mapped[PrimaryKey]
    application_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("tenant.applications.id", ondelete="CASCADE"))
    attachment_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("tenant.attachments.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200), default="")

    application: Mapped[Application] = relationship(back_populates="attachments")
    attachment: Mapped[Attachment] = relationship()


class MatchWeights(TenantModel):
    """How much each matching criterion counts in this town (one row)."""

    __tablename__ = "match_weights"

    id: Mapped[PrimaryKey]
    weights: Mapped[dict] = mapped_column(JSON, default=dict)
    updated_at: Mapped[Timestamp] = mapped_column(default=utcnow, onupdate=utcnow)


class AgreementTemplate(TenantModel):
    """The town's wording of a usage agreement, with {placeholders} filled in per agreement."""

    __tablename__ = "agreement_templates"

    id: Mapped[PrimaryKey]
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[Timestamp] = mapped_column(default=utcnow, onupdate=utcnow)


class Agreement(TenantModel):
    """A usage agreement (Nutzungsvereinbarung) for one application and unit.

    It counts as signed only once a municipal partner approved it; its subsidy
    feeds the town's figures.
    """

    __tablename__ = "agreements"

    id: Mapped[PrimaryKey]
    application_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("tenant.applications.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(BigId, ForeignKey("tenant.units.id", ondelete="RESTRICT"))
    status: Mapped[str] = mapped_column(String(10), default="draft")
    purpose: Mapped[str] = mapped_column(Text, default="")
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    notice_weeks: Mapped[int] = mapped_column(default=4)
    rent_eur_month: Mapped[Decimal] = mapped_column(Money, default=0)
    subsidy_eur_month: Mapped[Decimal] = mapped_column(Money, default=0)  # the town's share
    deposit_eur: Mapped[Decimal] = mapped_column(Money, default=0)
    keys_and_handover: Mapped[str] = mapped_column(Text, default="")
    text: Mapped[str] = mapped_column(Text, default="")  # the template, filled in
    approved_by_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id", ondelete="SET NULL"))
    approved_at: Mapped[Timestamp | None]
    created_at: Mapped[Timestamp] = mapped_column(default=utcnow)

    application: Mapped[Application] = relationship()
    unit: Mapped[Unit] = relationship()
    approved_by: Mapped[User | None] = relationship()

    @declared_attr.directive
    def __table_args__(cls):
        return tenant_table_args(CheckConstraint(one_of("status", AGREEMENT_STATUSES), name="status"),
                                 Index("ix_agreements_application_id", "application_id"))


CALL_STATUSES = {"open": _l("offen"), "closed": _l("Frist abgelaufen / geschlossen")}


class Call(TenantModel):
    """A call for entries (Ausschreibung): units on offer, a deadline, rules, weighted criteria."""

    __tablename__ = "calls"

    id: Mapped[PrimaryKey]
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    eligibility: Mapped[str] = mapped_column(Text, default="")
    deadline: Mapped[date] = mapped_column(Date)  # applications until the end of this day
    unit_ids: Mapped[list] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(10), default="open")
    created_at: Mapped[Timestamp] = mapped_column(default=utcnow)

    criteria: Mapped[list[CallCriterion]] = relationship(
        back_populates="call", order_by="CallCriterion.position, CallCriterion.id",
        cascade="all, delete-orphan")
    jury: Mapped[list[JuryMember]] = relationship(back_populates="call", cascade="all, delete-orphan")


class CallCriterion(TenantModel):
    __tablename__ = "call_criteria"

    id: Mapped[PrimaryKey]
    call_id: Mapped[int] = mapped_column(BigId, ForeignKey("tenant.calls.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    weight: Mapped[int] = mapped_column(default=1)
    position: Mapped[int] = mapped_column(default=0)

    call: Mapped[Call] = relationship(back_populates="criteria")


class CallEntry(TenantModel):
    """An application sent in answer to a call: the jury scores it there."""

    __tablename__ = "call_entries"

    id: Mapped[PrimaryKey]
    call_id: Mapped[int] = mapped_column(BigId, ForeignKey("tenant.calls.id", ondelete="CASCADE"))
    application_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("tenant.applications.id", ondelete="CASCADE"), unique=True)

    call: Mapped[Call] = relationship()
    application: Mapped[Application] = relationship()


class JuryMember(TenantModel):
    """A person who scores the call's applications: a partner or a named member."""

    __tablename__ = "jury_members"

    id: Mapped[PrimaryKey]
    call_id: Mapped[int] = mapped_column(BigId, ForeignKey("tenant.calls.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(BigId, ForeignKey("users.id", ondelete="CASCADE"))

    call: Mapped[Call] = relationship(back_populates="jury")
    user: Mapped[User] = relationship()

    @declared_attr.directive
    def __table_args__(cls):
        return tenant_table_args(UniqueConstraint("call_id", "user_id", name="uq_jury_members_call_user"))


class JuryScore(TenantModel):
    """One member's score (0–10) of one application on one criterion."""

    __tablename__ = "jury_scores"

    id: Mapped[PrimaryKey]
    application_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("tenant.applications.id", ondelete="CASCADE"))
    criterion_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("tenant.call_criteria.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(BigId, ForeignKey("users.id", ondelete="CASCADE"))
    score: Mapped[int]
    updated_at: Mapped[Timestamp] = mapped_column(default=utcnow, onupdate=utcnow)

    @declared_attr.directive
    def __table_args__(cls):
        return tenant_table_args(
            UniqueConstraint("application_id", "criterion_id", "user_id", name="uq_jury_scores_one"),
            CheckConstraint("score BETWEEN 0 AND 10", name="score"))
