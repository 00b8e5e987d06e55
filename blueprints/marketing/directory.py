"""The traders' directory: entries of actors, the public list, and the trader's mailed edit link.

An entry belongs to one actor of the register, whose name and address it
shows; the entry adds what the public needs (category, hours, description,
picture, a point on the map). A trader keeps it current through a link sent
by mail: only a digest of the token is stored, a link expires after
``EDIT_LINK_DAYS``, and sending a new one revokes the older ones.
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, or_, select, update
from sqlalchemy.orm import selectinload

from blueprints.actors.models import Actor
from blueprints.attachments import services as attachments
from blueprints.mail.services import send_mail
from blueprints.marketing.models import DirectoryEditLink, DirectoryEntry
from tenants.db import db
from tenants.models import utcnow
from tenants.resolver import external_url

EDIT_LINK_DAYS = 30
# What staff set; a trader may change only TRADER_FIELDS (and the picture).
STAFF_FIELDS = ("category", "description", "opening_hours", "website", "public_email",
                "public_phone", "district_id", "lat", "lon")
TRADER_FIELDS = ("description", "opening_hours", "website", "public_email", "public_phone")


class NoAddress(ValueError):
    """The actor has no e-mail address to send the edit link to."""


@dataclass(frozen=True)
class DirectoryFilter:
    """What a visitor narrows the public directory to."""

    category: str | None = None
    district_id: int | None = None
    search: str = ""


# --- reading -------------------------------------------------------------------

def public_query(wanted: DirectoryFilter = DirectoryFilter()) -> Select:
    """Published entries, alphabetically by the actor's name, narrowed as the visitor asked."""
    query = (select(DirectoryEntry).join(DirectoryEntry.actor)
             .options(selectinload(DirectoryEntry.district), selectinload(DirectoryEntry.actor))
             .where(DirectoryEntry.published.is_(True)))
    if wanted.category:
        query = query.where(DirectoryEntry.category == wanted.category)
    if wanted.district_id:
        query = query.where(DirectoryEntry.district_id == wanted.district_id)
    if wanted.search.strip():
        needle = f"%{wanted.search.strip().lower()}%"
        query = query.where(or_(func.lower(Actor.name).like(needle),
                                func.lower(Actor.address).like(needle),
                                func.lower(DirectoryEntry.description).like(needle)))
    return query.order_by(func.lower(Actor.name), DirectoryEntry.id)


def get_published(entry_id: int) -> DirectoryEntry | None:
    """The entry if the public may see it, else None (as if it did not exist)."""
    return db.session.scalars(public_query().where(DirectoryEntry.id == entry_id)).first()


def entry_of_actor(actor_id: int) -> DirectoryEntry | None:
    return db.session.scalars(select(DirectoryEntry).where(DirectoryEntry.actor_id == actor_id)).first()


def get_entry(entry_id: int) -> DirectoryEntry | None:
    return db.session.get(DirectoryEntry, entry_id)


def all_entries() -> list[DirectoryEntry]:
    """Every entry for staff: the ones traders touched most recently first, then the rest."""
    return list(db.session.scalars(
        select(DirectoryEntry).join(DirectoryEntry.actor).options(selectinload(DirectoryEntry.actor))
        .order_by(DirectoryEntry.updated_by_trader_at.is_(None),
                  DirectoryEntry.updated_by_trader_at.desc(), func.lower(Actor.name))))


def latest_link(entry: DirectoryEntry) -> DirectoryEditLink | None:
    return db.session.scalars(select(DirectoryEditLink).where(DirectoryEditLink.entry_id == entry.id)
                              .order_by(DirectoryEditLink.created_at.desc(),
                                        DirectoryEditLink.id.desc()).limit(1)).first()


def map_features(entries: list[DirectoryEntry], url_for_entry) -> dict:
    """A GeoJSON FeatureCollection for the map macro; entries without a point are left out."""
    features = [{"type": "Feature",
                 "geometry": {"type": "Point", "coordinates": [entry.lon, entry.lat]},
                 "properties": {"id": entry.id, "title": entry.actor.name, "status": entry.category,
                                "status_label": entry.category_label, "url": url_for_entry(entry)}}
                for entry in entries if entry.lat is not None and entry.lon is not None]
    return {"type": "FeatureCollection", "features": features}


# --- writing (the caller commits) -------------------------------------------------

def create_entry(actor: Actor) -> DirectoryEntry:
    """A new, unpublished entry; the public contact starts as the register's."""
    entry = DirectoryEntry(actor=actor, actor_id=actor.id, category="other", description="",
                           opening_hours=[""] * 7, website="", public_email=actor.email or "",
                           public_phone=actor.phone or "", published=False)
    db.session.add(entry)
    return entry


def save_by_staff(entry: DirectoryEntry, values: dict, picture=None,
                  remove_picture: bool = False) -> DirectoryEntry:
    """Change the staff's fields and, if given, the picture (an upload or bytes)."""
    _assign(entry, values, STAFF_FIELDS)
    _change_picture(entry, picture, remove_picture)
    db.session.add(entry)
    return entry


def save_by_trader(entry: DirectoryEntry, values: dict, picture=None,
                   remove_picture: bool = False) -> DirectoryEntry:
    """The trader's own change: only their fields, dated so staff see who keeps it current."""
    _assign(entry, values, TRADER_FIELDS)
    _change_picture(entry, picture, remove_picture)
    entry.updated_by_trader_at = utcnow()
    return entry


def set_published(entry: DirectoryEntry, published: bool) -> None:
    entry.published = published


def _assign(entry: DirectoryEntry, values: dict, allowed: tuple[str, ...]) -> None:
    for name in allowed:
        if name not in values:
            continue
        value = values[name]
        if name == "opening_hours":
            value = [(line or "").strip() for line in (list(value) + [""] * 7)[:7]]
        elif isinstance(value, str):
            value = value.strip()
        setattr(entry, name, value)


def _change_picture(entry: DirectoryEntry, picture, remove_picture: bool) -> None:
    """Store a new picture (raises attachments.UploadRejected) and drop the one it replaces."""
    if picture is None and not remove_picture:
        return
    old = entry.picture
    entry.picture = attachments.store_upload(picture, getattr(picture, "filename", "") or "bild",
                                             kinds=(attachments.IMAGE,)) if picture is not None else None
    if old is not None:
        attachments.delete_attachment(old)


# --- the trader's mailed link ---------------------------------------------------------

def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def send_edit_link(entry: DirectoryEntry, *, by_user_id: int | None) -> DirectoryEditLink:
    """Revoke the entry's earlier links, make a new one and mail it to the actor."""
    address = (entry.actor.email or "").strip()
    if not address:
        raise NoAddress(_l("Für „%(name)s“ ist keine E-Mail-Adresse im Register hinterlegt. "
                           "Bitte tragen Sie sie beim Akteur ein und senden Sie den Link dann.",
                           name=entry.actor.name))
    now = utcnow()
    db.session.execute(update(DirectoryEditLink)
                       .where(DirectoryEditLink.entry_id == entry.id, DirectoryEditLink.revoked_at.is_(None))
                       .values(revoked_at=now))
    token = secrets.token_urlsafe(32)
    link = DirectoryEditLink(entry=entry, token_digest=_digest(token), created_by_id=by_user_id,
                             expires_at=now + timedelta(days=EDIT_LINK_DAYS), created_at=now)
    db.session.add(link)
    send_mail(address, "marketing/directory_edit_link",
              _l("Ihr Eintrag im Gewerbeverzeichnis: Ihr Bearbeitungslink"),
              entry=entry, edit_link=external_url("marketing.trader_edit", token=token),
              days=EDIT_LINK_DAYS, expires_at=link.expires_at)
    return link


def link_by_token(token: str) -> DirectoryEditLink | None:
    """The link the token belongs to in the current town, usable or not; None if unknown."""
    return db.session.scalars(select(DirectoryEditLink).options(selectinload(DirectoryEditLink.entry))
                              .where(DirectoryEditLink.token_digest == _digest(token))).first()


def is_usable(link: DirectoryEditLink | None) -> bool:
    return link is not None and link.usable_at(utcnow())


def mark_used(link: DirectoryEditLink) -> None:
    link.last_used_at = utcnow()
