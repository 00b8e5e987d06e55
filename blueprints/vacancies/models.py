"""The vacancy register: units, their status history, photos, residents' reports,
imports, and the location profile investors read.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from blueprints.actors.models import Actor
from blueprints.attachments.models import Attachment
from blueprints.town.models import District
from tenants.db import (
    BigId,
    PrimaryKey,
    TenantModel,
    Timestamp,
    one_of,
    tenant_table_args,
)
from tenants.models import utcnow

STATUSES = {
    "occupied": _l("genutzt"),
    "vacant": _l("leer"),
    "interim": _l("Zwischennutzung"),
    "negotiating": _l("in Verhandlung"),
    "let": _l("vermietet"),
}
# Available for a new use: what the listing offers and the figures count as empty.
AVAILABLE_STATUSES = ("vacant", "negotiating")
USAGES = {
    "retail": _l("Einzelhandel"),
    "gastronomy": _l("Gastronomie"),
    "services": _l("Dienstleistung"),
    "office": _l("Büro"),
    "culture": _l("Kultur"),
    "other": _l("Sonstiges"),
}
CONDITIONS = {
    "ready": _l("bezugsfertig"),
    "light_work": _l("kleinere Arbeiten nötig"),
    "renovation": _l("renovierungsbedürftig"),
    "shell": _l("Rohbau"),
}
# What the owner agreed to show the public.
PUBLISH = {
    "no": _l("nicht veröffentlichen"),
    "exact": _l("mit genauer Adresse"),
    "approximate": _l("nur ungefähre Lage"),
}
REPORT_STATUSES = {"new": _l("neu"), "accepted": _l("übernommen"), "rejected": _l("abgelehnt")}
Money = Numeric(10, 2)
Area = Numeric(9, 2)


class Unit(TenantModel):
    """A ground-floor unit the district management watches, empty or not."""

    __tablename__ = "units"

    id: Mapped[PrimaryKey]
    address: Mapped[str] = mapped_column(String(300))  # street and number
    postcode: Mapped[str] = mapped_column(String(10), default="")
    district_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("tenant.districts.id", ondelete="SET NULL"))
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    # The point the public sees when only the approximate location may be shown:
    # drawn once per unit (and again when the exact point moves), so that
    # repeated requests cannot be averaged back to the exact point.
    public_lat: Mapped[float | None] = mapped_column(Float)
    public_lon: Mapped[float | None] = mapped_column(Float)
    area_sqm: Mapped[Decimal | None] = mapped_column(Area)
    sales_area_sqm: Mapped[Decimal | None] = mapped_column(Area)
    secondary_area_sqm: Mapped[Decimal | None] = mapped_column(Area)
    frontage_m: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))
    floor: Mapped[int] = mapped_column(Integer, default=0)  # 0 = ground floor
    usage: Mapped[str] = mapped_column(String(20), default="retail")
    condition: Mapped[str | None] = mapped_column(String(20))
    step_free: Mapped[bool] = mapped_column(default=False)
    restrictions: Mapped[str] = mapped_column(Text, default="")
    rent_eur_month: Mapped[Decimal | None] = mapped_column(Money)
    service_charge_eur_month: Mapped[Decimal | None] = mapped_column(Money)
    available_from: Mapped[date | None] = mapped_column(Date)
    owner_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("tenant.actors.id", ondelete="SET NULL"))
    publish: Mapped[str] = mapped_column(String(12), default="no")
    interim_use_consent: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(12), default="vacant")
    vacant_since: Mapped[date | None] = mapped_column(Date)
    # The early warning: not empty yet, but likely soon (lease ends, owner retires).
    endangered: Mapped[bool] = mapped_column(default=False)
    endangered_reason: Mapped[str] = mapped_column(String(300), default="")
    description: Mapped[str] = mapped_column(Text, default="")  # public
    notes: Mapped[str] = mapped_column(Text, default="")  # internal, never public
    tags: Mapped[list] = mapped_column(JSON, default=list)
    # For matching interim uses (blueprints.interim_use.matching): what the unit
    # offers (water, storage, kitchen, shop window) and which uses it excludes.
    features: Mapped[list] = mapped_column(JSON, default=list)
    excluded_categories: Mapped[list] = mapped_column(JSON, default=list)
    floor_plan_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("tenant.attachments.id", ondelete="SET NULL"))
    # The town's own key for the unit (from its spreadsheet): a second import updates.
    reference: Mapped[str | None] = mapped_column(String(100), unique=True)
    # Archived: no longer watched (demolished, merged, a mistake). It leaves the listing, the
    # register's default view and matching, but keeps its history and counts in the figures.
    archived_at: Mapped[Timestamp | None]
    created_at: Mapped[Timestamp] = mapped_column(default=utcnow)
    updated_at: Mapped[Timestamp] = mapped_column(default=utcnow, onupdate=utcnow)

    district: Mapped[District | None] = relationship()
    owner: Mapped[Actor | None] = relationship()
    floor_plan: Mapped[Attachment | None] = relationship()
    photos: Mapped[list[UnitPhoto]] = relationship(
        back_populates="unit", order_by="UnitPhoto.position, UnitPhoto.id",
        cascade="all, delete-orphan")
    history: Mapped[list[StatusChange]] = relationship(
        back_populates="unit", order_by="StatusChange.changed_on, StatusChange.id",
        cascade="all, delete-orphan")

    @declared_attr.directive
    def __table_args__(cls):
        return tenant_table_args(
            CheckConstraint(one_of("status", STATUSES), name="status"),
            CheckConstraint(one_of("usage", USAGES), name="usage"),
            CheckConstraint(one_of("publish", PUBLISH), name="publish"),
            Index("ix_units_status", "status"),
            Index("ix_units_district_id", "district_id"),
            Index("ix_units_owner_id", "owner_id"),
            Index("ix_units_archived_at", "archived_at"))

    @property
    def is_published(self) -> bool:
        return self.publish != "no"

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None


class StatusChange(TenantModel):
    """A unit's status from a date on: the history the figures are computed from."""

    __tablename__ = "unit_status_changes"

    id: Mapped[PrimaryKey]
    unit_id: Mapped[int] = mapped_column(BigId, ForeignKey("tenant.units.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(12))
    changed_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(String(300), default="")
    by_user_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[Timestamp] = mapped_column(default=utcnow)

    unit: Mapped[Unit] = relationship(back_populates="history")

    @declared_attr.directive
    def __table_args__(cls):
        return tenant_table_args(CheckConstraint(one_of("status", STATUSES), name="status"),
                                 Index("ix_unit_status_changes_unit_id", "unit_id"))


class UnitPhoto(TenantModel):
    __tablename__ = "unit_photos"

    id: Mapped[PrimaryKey]
    unit_id: Mapped[int] = mapped_column(BigId, ForeignKey("tenant.units.id", ondelete="CASCADE"))
    attachment_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("tenant.attachments.id", ondelete="CASCADE"))
    caption: Mapped[str] = mapped_column(String(200), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)

    unit: Mapped[Unit] = relationship(back_populates="photos")
    attachment: Mapped[Attachment] = relationship()


class VacancyReport(TenantModel):
    """A resident's note that a unit seems empty, waiting for staff to check it."""

    __tablename__ = "vacancy_reports"

    id: Mapped[PrimaryKey]
    address: Mapped[str] = mapped_column(String(300))
    note: Mapped[str] = mapped_column(Text, default="")
    photo_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("tenant.attachments.id", ondelete="SET NULL"))
    reporter_name: Mapped[str] = mapped_column(String(200), default="")
    reporter_email: Mapped[str] = mapped_column(String(320), default="")
    status: Mapped[str] = mapped_column(String(10), default="new")
    unit_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("tenant.units.id", ondelete="SET NULL"))
    decision_note: Mapped[str] = mapped_column(String(300), default="")
    decided_by_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[Timestamp | None]
    created_at: Mapped[Timestamp] = mapped_column(default=utcnow)

    photo: Mapped[Attachment | None] = relationship()
    unit: Mapped[Unit | None] = relationship()

    @declared_attr.directive
    def __table_args__(cls):
        return tenant_table_args(CheckConstraint(one_of("status", REPORT_STATUSES), name="status"))


class UnitEnquiry(TenantModel):
    """"I am interested": a visitor's message about a listed unit, for staff to answer."""

    __tablename__ = "unit_enquiries"

    id: Mapped[PrimaryKey]
    unit_id: Mapped[int] = mapped_column(BigId, ForeignKey("tenant.units.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(320))
    phone: Mapped[str] = mapped_column(String(50), default="")
    message: Mapped[str] = mapped_column(Text, default="")
    answered: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[Timestamp] = mapped_column(default=utcnow)

    unit: Mapped[Unit] = relationship()


class UnitImport(TenantModel):
    """One spreadsheet import: the file, the column mapping, the report, the progress."""

    __tablename__ = "unit_imports"

    id: Mapped[PrimaryKey]
    filename: Mapped[str] = mapped_column(String(255))
    attachment_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("tenant.attachments.id", ondelete="SET NULL"))
    # uploaded → (mapped) → running → done | failed (nothing imported)
    status: Mapped[str] = mapped_column(String(10), default="uploaded")
    mapping: Mapped[dict] = mapped_column(JSON, default=dict)  # column header → unit field
    total_rows: Mapped[int] = mapped_column(Integer, default=0)
    processed_rows: Mapped[int] = mapped_column(Integer, default=0)
    created_count: Mapped[int] = mapped_column(Integer, default=0)
    updated_count: Mapped[int] = mapped_column(Integer, default=0)
    problems: Mapped[list] = mapped_column(JSON, default=list)  # [{row, column, message}]
    by_user_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[Timestamp] = mapped_column(default=utcnow)
    finished_at: Mapped[Timestamp | None]

    attachment: Mapped[Attachment | None] = relationship()


class LocationProfile(TenantModel):
    """What staff know of the town (``district_id`` empty) or a district, for investors."""

    __tablename__ = "location_profiles"

    id: Mapped[PrimaryKey]
    district_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("tenant.districts.id", ondelete="CASCADE"), unique=True)
    population: Mapped[int | None] = mapped_column(Integer)
    purchasing_power_index: Mapped[Decimal | None] = mapped_column(Numeric(6, 1))
    anchor_tenants: Mapped[str] = mapped_column(Text, default="")
    transport: Mapped[str] = mapped_column(Text, default="")
    parking: Mapped[str] = mapped_column(Text, default="")
    contact_name: Mapped[str] = mapped_column(String(200), default="")
    contact_email: Mapped[str] = mapped_column(String(320), default="")
    contact_phone: Mapped[str] = mapped_column(String(50), default="")
    updated_at: Mapped[Timestamp] = mapped_column(default=utcnow, onupdate=utcnow)

    district: Mapped[District | None] = relationship()
    footfall: Mapped[list[FootfallCount]] = relationship(
        back_populates="profile", order_by="FootfallCount.counted_on.desc()",
        cascade="all, delete-orphan")
    downloads: Mapped[list[LocationDownload]] = relationship(
        back_populates="profile", order_by="LocationDownload.id", cascade="all, delete-orphan")


class FootfallCount(TenantModel):
    """Passers-by counted at a place on a date (Passantenfrequenz)."""

    __tablename__ = "footfall_counts"

    id: Mapped[PrimaryKey]
    profile_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("tenant.location_profiles.id", ondelete="CASCADE"))
    place: Mapped[str] = mapped_column(String(200))
    counted_on: Mapped[date] = mapped_column(Date)
    count_per_hour: Mapped[int] = mapped_column(Integer)

    profile: Mapped[LocationProfile] = relationship(back_populates="footfall")


class LocationDownload(TenantModel):
    __tablename__ = "location_downloads"

    id: Mapped[PrimaryKey]
    profile_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("tenant.location_profiles.id", ondelete="CASCADE"))
    attachment_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("tenant.attachments.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))

    profile: Mapped[LocationProfile] = relationship(back_populates="downloads")
    attachment: Mapped[Attachment] = relationship()
