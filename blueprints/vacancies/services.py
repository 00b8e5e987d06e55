"""The rules of the vacancy register: status history, publishing, location, figures.

Everything here runs inside the current town; callers commit.
"""
from __future__ import annotations

import math
import re
import secrets
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import selectinload

from blueprints.vacancies.models import (AVAILABLE_STATUSES, StatusChange, Unit, UnitEnquiry,
                                         UnitPhoto, VacancyReport)
from tenants.db import db
from tenants.models import utcnow

# Statuses in which the unit stands empty: "vacant since" runs through them.
EMPTY_STATUSES = ("vacant", "negotiating")
# The approximate point lies this far from the exact one (metres): far enough
# that the house cannot be told, near enough for the street.
APPROXIMATE_MIN_METRES = 80
APPROXIMATE_MAX_METRES = 200
METRES_PER_DEGREE_LATITUDE = 111_320
UNIT_FIELDS = ("address", "postcode", "district_id", "lat", "lon", "area_sqm", "sales_area_sqm",
               "secondary_area_sqm", "frontage_m", "floor", "usage", "condition", "step_free",
               "restrictions", "rent_eur_month", "service_charge_eur_month", "available_from",
               "owner_id", "publish", "interim_use_consent", "endangered", "endangered_reason",
               "description", "notes", "tags", "reference", "features", "excluded_categories")
_HOUSE_NUMBER = re.compile(r"\s+\d+\s*[a-zA-Z]?(\s*[-/]\s*\d+\s*[a-zA-Z]?)?\s*$")
_random = secrets.SystemRandom()


# --- reading -------------------------------------------------------------------

@dataclass(frozen=True)
class RegisterFilter:
    """What staff narrow the register to."""

    status: str | None = None
    district_id: int | None = None
    endangered: bool = False
    search: str = ""
    archived: bool = False  # the archived units alone, instead of the watched ones


@dataclass(frozen=True)
class ListingFilter:
    """What a visitor narrows the public listing to."""

    district_id: int | None = None
    usage: str | None = None
    area_min: Decimal | None = None
    area_max: Decimal | None = None
    rent_max: Decimal | None = None


def register_query(wanted: RegisterFilter = RegisterFilter()) -> Select:
    query = select(Unit).options(selectinload(Unit.district), selectinload(Unit.owner))
    query = query.where(Unit.archived_at.is_not(None) if wanted.archived else Unit.archived_at.is_(None))
    if wanted.status:
        query = query.where(Unit.status == wanted.status)
    if wanted.district_id:
        query = query.where(Unit.district_id == wanted.district_id)
    if wanted.endangered:
        query = query.where(Unit.endangered.is_(True))
    if wanted.search:
        needle = f"%{wanted.search.strip().lower()}%"
        query = query.where(or_(func.lower(Unit.address).like(needle),
                                func.lower(Unit.reference).like(needle)))
    return query.order_by(Unit.address, Unit.id)


def listing_query(wanted: ListingFilter = ListingFilter()) -> Select:
    """Units the public may see: owner agreed to publish, and available."""
    query = (select(Unit).options(selectinload(Unit.district), selectinload(Unit.photos))
             .where(Unit.publish != "no", Unit.status.in_(AVAILABLE_STATUSES),
                    Unit.archived_at.is_(None)))
    return narrowed(query, wanted).order_by(Unit.available_from.is_(None), Unit.available_from,
                                            Unit.id)


def narrowed(query: Select, wanted: ListingFilter) -> Select:
    """``query`` limited to the district, usage, area and rent a visitor asked for."""
    if wanted.district_id:
        query = query.where(Unit.district_id == wanted.district_id)
    if wanted.usage:
        query = query.where(Unit.usage == wanted.usage)
    if wanted.area_min is not None:
        query = query.where(Unit.area_sqm >= wanted.area_min)
    if wanted.area_max is not None:
        query = query.where(Unit.area_sqm <= wanted.area_max)
    if wanted.rent_max is not None:
        query = query.where(Unit.rent_eur_month <= wanted.rent_max)
    return query


def get_unit(unit_id: int) -> Unit | None:
    return db.session.get(Unit, unit_id)


def get_listed_unit(unit_id: int) -> Unit | None:
    """The unit if the public may see it, else None (as if it did not exist)."""
    return db.session.scalars(listing_query().where(Unit.id == unit_id)).first()


def public_point(unit: Unit) -> tuple[float, float] | None:
    """Where the public map may put the unit: exact, displaced, or nowhere."""
    if unit.publish == "exact" and unit.lat is not None:
        return unit.lat, unit.lon
    if unit.publish == "approximate" and unit.public_lat is not None:
        return unit.public_lat, unit.public_lon
    return None


def public_address(unit: Unit) -> str:
    """The address the public may read: without the house number when only approximate."""
    if unit.publish == "exact":
        return ", ".join(part for part in (unit.address, unit.postcode) if part)
    street = _HOUSE_NUMBER.sub("", unit.address).strip() or unit.address
    district = unit.district.name if unit.district else ""
    return ", ".join(part for part in (street, district) if part)


# --- writing ---------------------------------------------------------------------

def create_unit(values: dict, *, by_user_id: int | None = None, status: str = "vacant",
                status_on: date | None = None) -> Unit:
    """A new unit with its first status in the history; the caller commits."""
    unit = Unit(status=status, tags=[])
    _assign(unit, values)
    db.session.add(unit)
    since = status_on or values.get("vacant_since") or date.today()
    _record_status(unit, status, since, "", by_user_id)
    if status in EMPTY_STATUSES:
        unit.vacant_since = values.get("vacant_since") or since
    _place_publicly(unit)
    return unit


def update_unit(unit: Unit, values: dict, *, by_user_id: int | None = None) -> Unit:
    """Change the given fields; a new position draws a new public point."""
    moved = any(name in values and values[name] != getattr(unit, name) for name in ("lat", "lon"))
    became_approximate = values.get("publish") == "approximate" and unit.publish != "approximate"
    _assign(unit, values)
    if "vacant_since" in values and unit.status in EMPTY_STATUSES:
        unit.vacant_since = values["vacant_since"]
    if moved or became_approximate or unit.public_lat is None:
        _place_publicly(unit, redraw=moved)
    return unit


def archive(unit: Unit) -> bool:
    """Archive the unit; False if it was archived already. History and figures keep it."""
    if unit.archived_at is not None:
        return False
    unit.archived_at = utcnow()
    return True


def watched_units() -> Select:
    """The units not archived: what matching ranks and staff pick from."""
    return select(Unit).where(Unit.archived_at.is_(None))


def change_status(unit: Unit, status: str, *, on: date | None = None, note: str = "",
                  by_user_id: int | None = None) -> StatusChange | None:
    """Move the unit to ``status`` from ``on`` (today); kept in its history."""
    on = on or date.today()
    if status == unit.status:
        return None
    was_empty = unit.status in EMPTY_STATUSES
    unit.status = status
    if status in EMPTY_STATUSES and not was_empty:
        unit.vacant_since = on
    elif status not in EMPTY_STATUSES:
        unit.vacant_since = None
    if status not in ("vacant", "negotiating", "occupied"):
        unit.endangered = False  # used again: the warning is over
    return _record_status(unit, status, on, note, by_user_id)


def _record_status(unit, status, on, note, by_user_id) -> StatusChange:
    change = StatusChange(status=status, changed_on=on, note=note, by_user_id=by_user_id)
    unit.history.append(change)
    return change


def _assign(unit: Unit, values: dict) -> None:
    for name in UNIT_FIELDS:
        if name in values:
            value = values[name]
            setattr(unit, name, value.strip() if isinstance(value, str) else value)


def _place_publicly(unit: Unit, redraw: bool = False) -> None:
    """Draw the unit's approximate public point once (again only if it moved)."""
    if unit.lat is None or unit.lon is None:
        unit.public_lat = unit.public_lon = None
        return
    if unit.public_lat is not None and not redraw:
        return
    unit.public_lat, unit.public_lon = displaced_point(unit.lat, unit.lon)


def displaced_point(lat: float, lon: float) -> tuple[float, float]:
    """A random point between the minimum and maximum distance from (lat, lon)."""
    bearing = _random.uniform(0, 2 * math.pi)
    # Uniform over the ring's area, not its radius, so no distance is favoured.
    distance = math.sqrt(_random.uniform(APPROXIMATE_MIN_METRES ** 2, APPROXIMATE_MAX_METRES ** 2))
    north = distance * math.cos(bearing) / METRES_PER_DEGREE_LATITUDE
    east = distance * math.sin(bearing) / (METRES_PER_DEGREE_LATITUDE * math.cos(math.radians(lat)))
    return round(lat + north, 6), round(lon + east, 6)


def distance_metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance (haversine), good enough within a town."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + \
        math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6_371_000 * math.asin(math.sqrt(h))


# --- history and figures -------------------------------------------------------------

@dataclass(frozen=True)
class Period:
    status: str
    start: date
    end: date | None  # None: still so

    @property
    def days(self) -> int:
        return ((self.end or date.today()) - self.start).days


def status_periods(unit: Unit) -> list[Period]:
    """The unit's history as periods: how long it stood empty, when it was let again."""
    changes = sorted(unit.history, key=lambda change: (change.changed_on, change.id or 0))
    return [Period(change.status, change.changed_on,
                   changes[index + 1].changed_on if index + 1 < len(changes) else None)
            for index, change in enumerate(changes)]


def days_empty(unit: Unit) -> int:
    """Days the unit has stood empty over its whole history."""
    return sum(period.days for period in status_periods(unit) if period.status in EMPTY_STATUSES)


@dataclass(frozen=True)
class RegisterFigures:
    """What the register itself knows about a town or district: computed, never typed."""

    units: int
    empty: int
    endangered: int
    available_area_sqm: Decimal

    @property
    def vacancy_rate(self) -> float | None:
        return self.empty / self.units if self.units else None


def register_figures(district_id: int | None = None) -> RegisterFigures:
    empty = Unit.status.in_(EMPTY_STATUSES)
    query = select(func.count(), func.count().filter(empty),
                   func.count().filter(Unit.endangered.is_(True)),
                   func.coalesce(func.sum(Unit.area_sqm).filter(empty), 0))
    if district_id is not None:
        query = query.where(Unit.district_id == district_id)
    units, empty_count, endangered, area = db.session.execute(query).one()
    return RegisterFigures(units, empty_count, endangered, Decimal(str(area)))


def figures_by_district() -> dict[int | None, RegisterFigures]:
    """The figures per district in one query (None: units without a district)."""
    empty = Unit.status.in_(EMPTY_STATUSES)
    rows = db.session.execute(
        select(Unit.district_id, func.count(), func.count().filter(empty),
               func.count().filter(Unit.endangered.is_(True)),
               func.coalesce(func.sum(Unit.area_sqm).filter(empty), 0))
        .group_by(Unit.district_id))
    return {district_id: RegisterFigures(units, empty_count, endangered, Decimal(str(area)))
            for district_id, units, empty_count, endangered, area in rows}


# --- photos, enquiries, residents' reports ----------------------------------------

def add_photo(unit: Unit, attachment, caption: str = "") -> UnitPhoto:
    photo = UnitPhoto(attachment=attachment, caption=caption.strip(), position=len(unit.photos))
    unit.photos.append(photo)
    return photo


def get_photo(unit: Unit, photo_id: int) -> UnitPhoto | None:
    return next((photo for photo in unit.photos if photo.id == photo_id), None)


def create_enquiry(unit: Unit, *, name: str, email: str, phone: str = "",
                   message: str = "") -> UnitEnquiry:
    enquiry = UnitEnquiry(unit=unit, name=name.strip(), email=email.strip(), phone=phone.strip(),
                          message=message.strip())
    db.session.add(enquiry)
    return enquiry


def enquiries_of(unit: Unit) -> list[UnitEnquiry]:
    return list(db.session.scalars(select(UnitEnquiry).where(UnitEnquiry.unit_id == unit.id)
                                   .order_by(UnitEnquiry.created_at.desc())))


def create_report(*, address: str, note: str = "", photo=None, reporter_name: str = "",
                  reporter_email: str = "") -> VacancyReport:
    report = VacancyReport(address=address.strip(), note=note.strip(), photo=photo,
                           reporter_name=reporter_name.strip(), reporter_email=reporter_email.strip())
    db.session.add(report)
    return report


def reports(status: str | None = "new") -> list[VacancyReport]:
    query = select(VacancyReport).order_by(VacancyReport.created_at.desc(), VacancyReport.id.desc())
    if status:
        query = query.where(VacancyReport.status == status)
    return list(db.session.scalars(query))


def get_report(report_id: int) -> VacancyReport | None:
    return db.session.get(VacancyReport, report_id)


class AlreadyDecided(ValueError):
    """The report was accepted or rejected before."""


def accept_report(report: VacancyReport, *, by_user_id: int | None) -> Unit:
    """Turn a resident's report into a unit of the register (not published)."""
    _decide(report, "accepted", "", by_user_id)
    unit = create_unit({"address": report.address,
                        "notes": f"Aus Meldung vom {report.created_at:%d.%m.%Y}: {report.note}".strip()},
                       by_user_id=by_user_id)
    if report.photo is not None:
        add_photo(unit, report.photo)
    report.unit = unit
    return unit


def reject_report(report: VacancyReport, *, reason: str, by_user_id: int | None) -> None:
    _decide(report, "rejected", reason, by_user_id)


def _decide(report, status, note, by_user_id) -> None:
    if report.status != "new":
        raise AlreadyDecided(report.id)
    report.status, report.decision_note = status, note.strip()
    report.decided_by_id, report.decided_at = by_user_id, utcnow()


def units_of_owner(owner) -> list[Unit]:
    return list(db.session.scalars(select(Unit).where(Unit.owner_id == owner.id)
                                   .order_by(Unit.address, Unit.id)))
