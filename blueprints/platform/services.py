"""Cross-town overviews for platform administrators (public schema only)."""
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from tenants.db import db
from tenants.models import Membership, Tenant, User


def towns_with_member_counts() -> list[tuple[Tenant, int]]:
    members = (select(Membership.tenant_id, func.count(Membership.id).label("n"))
               .group_by(Membership.tenant_id).subquery())
    query = (select(Tenant, func.coalesce(members.c.n, 0))
             .outerjoin(members, members.c.tenant_id == Tenant.id)
             .options(selectinload(Tenant.hosts)).order_by(Tenant.name))
    return list(db.session.execute(query).tuples())


def users_with_memberships() -> list[User]:
    return list(db.session.scalars(select(User).order_by(User.email)))
