"""Reads and writes for a town's districts and pages."""
from __future__ import annotations

from flask import current_app, url_for
from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError

from blueprints.town.models import LEGAL_PAGES, District, Page
from tenants import access
from tenants.db import db
from tenants.resolver import registry


class DuplicateName(ValueError):
    """A district of that name exists already."""


class DistrictInUse(ValueError):
    """Units or events still lie in the district; ``units`` and ``events`` say how many."""

    def __init__(self, units: int, events: int):
        super().__init__(units, events)
        self.units, self.events = units, events


def districts_in_order() -> Select:
    # The id breaks ties, so that pages of a paginated list never overlap.
    return select(District).order_by(District.name, District.id)


def list_districts() -> list[District]:
    return list(db.session.scalars(districts_in_order()))


def get_district(district_id: int) -> District | None:
    return db.session.get(District, district_id)


def create_district(name: str, description: str = "") -> District:
    name = name.strip()
    _refuse_duplicate(name)
    district = District(name=name, description=description.strip())
    db.session.add(district)
    _commit_or_duplicate(name)
    return district


def update_district(district: District, *, name: str | None = None,
                    description: str | None = None) -> District:
    """Change the given fields; raises DuplicateName if another district has ``name``."""
    if name is not None:
        name = name.strip()
        _refuse_duplicate(name, other_than=district.id)
        district.name = name
    if description is not None:
        district.description = description.strip()
    _commit_or_duplicate(district.name)
    return district


def delete_district(district: District) -> None:
    """Delete a district that no unit (archived ones too) and no event names; the caller commits.

    Their figures and history are counted per district, so a district in use
    stays; raises DistrictInUse with the numbers.
    """
    # The register and the calendar build on this module, so they are asked here, not imported above.
    from blueprints.events.models import Event
    from blueprints.vacancies.models import Unit

    units = db.session.scalar(select(func.count()).where(Unit.district_id == district.id))
    events = db.session.scalar(select(func.count()).where(Event.district_id == district.id))
    if units or events:
        raise DistrictInUse(units, events)
    db.session.delete(district)


def _refuse_duplicate(name: str, other_than: int | None = None) -> None:
    query = select(District.id).where(func.lower(District.name) == name.lower())
    if other_than is not None:
        query = query.where(District.id != other_than)
    if db.session.scalar(query):
        raise DuplicateName(name)


def _commit_or_duplicate(name: str) -> None:
    # Two requests may pass the check at once; the unique index decides.
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise DuplicateName(name) from None


def get_page(key: str) -> Page | None:
    return db.session.scalar(select(Page).where(Page.key == key))


def default_page(key: str) -> Page:
    """An unsaved page shown until staff have written the real one."""
    return Page(key=key, title=str(LEGAL_PAGES[key]), body="")


def save_page(key: str, title: str, body: str, user_id: int | None) -> Page:
    page = get_page(key) or Page(key=key)
    page.title, page.body, page.updated_by_id = title.strip(), body.strip(), user_id
    db.session.add(page)
    db.session.commit()
    return page


def switch_targets(user, current, endpoint, view_args) -> list[tuple]:
    """Links to the same page in every other town the user works in.

    Pages that show one record (their URL has an id) exist only in their own
    town, so those links lead to the other town's staff area instead.
    """
    if not getattr(user, "is_authenticated", False) or current is None:
        return []
    towns = registry().all()
    if not user.is_platform_admin:
        staff_of = {m.tenant_id for m in user.memberships if m.role in access.PERMISSIONS["town.view"]}
        towns = [t for t in towns if t.id in staff_of]
    args = {k: v for k, v in (view_args or {}).items() if k != "tenant"}
    same_page = endpoint and not args and \
        current_app.url_map.is_endpoint_expecting(endpoint, "tenant")
    links = []
    for town in towns:
        if town.id == current.id or not town.is_active:
            continue
        target = endpoint if same_page else "town.dashboard"
        links.append((town, url_for(target, tenant=town.slug)))
    return links
