"""Location information for investors: what staff keep per town and district,
beside what the register itself computes."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from blueprints.town.models import District
from blueprints.vacancies import services
from blueprints.vacancies.models import FootfallCount, LocationDownload, LocationProfile
from tenants.db import db

PROFILE_FIELDS = ("population", "purchasing_power_index", "anchor_tenants", "transport", "parking",
                  "contact_name", "contact_email", "contact_phone")


@dataclass(frozen=True)
class Area:
    """The town (district None) or one district: typed figures, computed figures, offers."""

    district: District | None
    profile: LocationProfile | None
    figures: services.RegisterFigures

    @property
    def title(self) -> str:
        return self.district.name if self.district else ""


def profile_for(district_id: int | None) -> LocationProfile | None:
    query = select(LocationProfile).options(selectinload(LocationProfile.footfall),
                                            selectinload(LocationProfile.downloads))
    query = query.where(LocationProfile.district_id.is_(None) if district_id is None
                        else LocationProfile.district_id == district_id)
    return db.session.scalars(query).first()


def save_profile(district_id: int | None, values: dict) -> LocationProfile:
    profile = profile_for(district_id) or LocationProfile(district_id=district_id)
    for name in PROFILE_FIELDS:
        if name in values:
            value = values[name]
            setattr(profile, name, value.strip() if isinstance(value, str) else value)
    db.session.add(profile)
    return profile


def add_footfall(profile: LocationProfile, *, place: str, counted_on, count_per_hour: int) -> None:
    profile.footfall.append(FootfallCount(place=place.strip(), counted_on=counted_on,
                                          count_per_hour=count_per_hour))


def add_download(profile: LocationProfile, *, title: str, attachment) -> None:
    profile.downloads.append(LocationDownload(title=title.strip(), attachment=attachment))


def get_download(download_id: int) -> LocationDownload | None:
    return db.session.get(LocationDownload, download_id)


def areas() -> list[Area]:
    """The whole town first, then every district, with their figures."""
    by_district = services.figures_by_district()
    total = services.register_figures()
    profiles = {profile.district_id: profile for profile in db.session.scalars(
        select(LocationProfile).options(selectinload(LocationProfile.footfall),
                                        selectinload(LocationProfile.downloads)))}
    districts = db.session.scalars(select(District).order_by(District.name)).all()
    empty = services.RegisterFigures(0, 0, 0, 0)
    return [Area(None, profiles.get(None), total),
            *(Area(district, profiles.get(district.id), by_district.get(district.id, empty))
              for district in districts)]


def town_contact() -> dict | None:
    """Whom investors and founders call: the town's location contact, if staff entered one."""
    profile = profile_for(None)
    if profile is None or not (profile.contact_name or profile.contact_email):
        return None
    return {"name": profile.contact_name, "email": profile.contact_email,
            "phone": profile.contact_phone}
