"""Cross-town overviews and membership changes for platform administrators.

Everything here reads the public schema, except ``town_mail_counts``, which
enters each town by name.
"""
from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError
from wtforms.fields import SelectChoice
from sqlalchemy.orm import selectinload

from blueprints.accounts import services as accounts
from tenants.context import tenant_context
from tenants.db import db
from tenants.models import Membership, Tenant, User


def towns_with_member_counts() -> list[tuple[Tenant, int]]:
    members = (select(Membership.tenant_id, func.count(Membership.id).label("n"))
               .group_by(Membership.tenant_id).subquery())
    query = (select(Tenant, func.coalesce(members.c.n, 0))
             .outerjoin(members, members.c.tenant_id == Tenant.id)
             .options(selectinload(Tenant.hosts)).order_by(Tenant.name))
    return [tuple(row) for row in db.session.execute(query)]


def users_with_memberships() -> list[User]:
    return list(db.session.scalars(select(User).order_by(User.email)))


def town_choices() -> list[SelectChoice]:
    return [SelectChoice(slug, name) for slug, name in db.session.execute(
        select(Tenant.slug, Tenant.name).order_by(Tenant.name))]


def grant(email: str, slug: str, role: str) -> Membership:
    """Give an existing account a role in a town; AccountError if impossible."""
    user = accounts.get_user_by_email(email)
    if user is None:
        raise accounts.AccountError(f"Es gibt kein Konto für {email}.")
    town = db.session.scalar(select(Tenant).where(Tenant.slug == slug))
    if town is None:
        raise accounts.AccountError(f"Es gibt keine Stadt {slug}.")
    membership = accounts.grant_membership(user, town, role)
    db.session.commit()
    return membership


def revoke(membership_id: int) -> Membership | None:
    membership = db.session.get(Membership, membership_id)
    if membership is not None:
        db.session.delete(membership)
        db.session.commit()
    return membership


def town_mail_counts() -> list[tuple]:
    """(town, {status: count}) for every town's outbox: one query per town."""
    from blueprints.mail.services import status_counts

    counts = []
    for town in current_app.extensions["quartier_registry"].all():
        # A fresh app context has its own session: the request's (and its
        # signed-in user) stays untouched while we visit each town.
        with current_app.app_context(), tenant_context(town):
            try:
                counts.append((town, status_counts()))
            except SQLAlchemyError:  # a town not yet migrated has no outbox table
                counts.append((town, None))
    return counts
