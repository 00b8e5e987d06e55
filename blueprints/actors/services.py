"""The town's register of actors and the log of contacts with them."""
from __future__ import annotations

from datetime import date

from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from blueprints.actors.models import Actor, Contact
from tenants.db import db

ACTOR_FIELDS = ("kind", "name", "contact_person", "email", "phone", "address", "notes",
                "contact_consent_on")


def actors_in_order(kind: str | None = None, search: str = "") -> Select:
    query = select(Actor).order_by(func.lower(Actor.name), Actor.id)
    if kind:
        query = query.where(Actor.kind == kind)
    if search:
        query = query.where(func.lower(Actor.name).contains(search.lower().strip()))
    return query


def list_actors(kind: str | None = None, search: str = "") -> list[Actor]:
    return list(db.session.scalars(actors_in_order(kind, search)))


def get_actor(actor_id: int) -> Actor | None:
    return db.session.get(Actor, actor_id)


def save_actor(actor: Actor | None = None, **values) -> Actor:
    """Create an actor, or change the given fields of ``actor``; the caller commits."""
    actor = actor or Actor()
    for name in ACTOR_FIELDS:
        if name in values:
            value = values[name]
            setattr(actor, name, value.strip() if isinstance(value, str) else value)
    db.session.add(actor)
    return actor


def find_or_create_owner(name: str, email: str = "", phone: str = "",
                         known: dict[str, Actor] | None = None) -> Actor | None:
    """The owner of that name (any spelling of case), created if the register lacks it.

    ``known`` caches the register by lower-cased name for a run over many rows.
    """
    name = (name or "").strip()
    if not name:
        return None
    key = name.lower()
    if known is None:
        found = db.session.scalars(select(Actor).where(func.lower(Actor.name) == key)).first()
    else:
        found = known.get(key)
    if found is None:
        found = save_actor(kind="owner", name=name, email=email or "", phone=phone or "")
        if known is not None:
            known[key] = found
    return found


def actors_by_name() -> dict[str, Actor]:
    return {actor.name.lower(): actor for actor in db.session.scalars(select(Actor))}


def log_contact(actor: Actor, *, contacted_on: date, channel: str, content: str,
                follow_up_on: date | None, by_user_id: int | None) -> Contact:
    contact = Contact(actor=actor, contacted_on=contacted_on, channel=channel,
                      content=content.strip(), follow_up_on=follow_up_on, by_user_id=by_user_id)
    db.session.add(contact)
    return contact


def due_follow_ups(until: date) -> list[Contact]:
    """Open follow-ups due on or before ``until``, the most overdue first."""
    return list(db.session.scalars(
        select(Contact).options(selectinload(Contact.actor))
        .where(Contact.follow_up_on.is_not(None), Contact.follow_up_on <= until,
               Contact.follow_up_done.is_(False))
        .order_by(Contact.follow_up_on, Contact.id)))


def get_contact(contact_id: int) -> Contact | None:
    return db.session.get(Contact, contact_id)


def complete_follow_up(contact: Contact) -> None:
    contact.follow_up_done = True
