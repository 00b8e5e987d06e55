"""Creating, migrating and deleting towns."""
from __future__ import annotations

import time

from flask import current_app
from sqlalchemy import delete, select

from tenants import migrations
from tenants.current import TenantInfo
from tenants.db import db, schema_for_slug
from tenants.models import Membership, Tenant, TenantHost
from tenants.resolver import validate_slug

LIST_TOWNS = "`flask tenants list` shows the towns."


def registry():
    return current_app.extensions["quartier_registry"]


def get_tenant(slug: str) -> Tenant | None:
    return db.session.scalar(select(Tenant).where(Tenant.slug == slug))


def create_tenant(slug: str, name: str, hosts=(), **branding) -> TenantInfo:
    """Register a town, create its schema and bring it to head, in one step.

    Running it again for an existing town repairs what is missing (schema,
    migrations, hosts) and changes nothing else.
    """
    validate_slug(slug)
    tenant = get_tenant(slug)
    if tenant is None:
        tenant = Tenant(slug=slug, name=name, schema_name=schema_for_slug(slug),
                        status="creating", **branding)
        db.session.add(tenant)
    known = {h.host for h in tenant.hosts}
    for host in hosts:
        host = host.lower().strip()
        if host and host not in known:
            tenant.hosts.append(TenantHost(host=host))
    db.session.commit()

    migrations.ensure_schema(db.engine, tenant.schema_name)
    tenant.schema_revision = migrations.upgrade_town(db.engine, tenant.schema_name)
    tenant.status = "active" if tenant.status == "creating" else tenant.status
    db.session.commit()
    registry().invalidate()
    return tenant.info()


def migrate_tenants(slugs=None, on_progress=None, on_done=None) -> migrations.MigrationReport:
    """Bring the named towns (default: all) to head; record each town's revision."""
    query = select(Tenant).order_by(Tenant.slug)
    if slugs:
        query = query.where(Tenant.slug.in_(slugs))
    towns = {t.schema_name: t for t in db.session.scalars(query)}
    missing = set(slugs or ()) - {t.slug for t in towns.values()}
    if missing:
        raise LookupError(f"Unknown town(s): {', '.join(sorted(missing))}. {LIST_TOWNS}")

    def record(schema, revision, error):
        if revision is not None:
            towns[schema].schema_revision = revision
            if towns[schema].status == "creating":
                towns[schema].status = "active"
            db.session.commit()
        if on_done:
            on_done(towns[schema].slug, revision, error)

    report = migrations.migrate_towns(
        db.engine, list(towns),
        on_progress=(lambda schema: on_progress(towns[schema].slug)) if on_progress else None,
        on_done=record,
    )
    registry().invalidate()
    return report


def delete_tenant(slug: str) -> None:
    """Take a town off the web in every process, then drop its schema and registry entry.

    The town is first marked ``deleting``, which every process sees at its next
    registry check (within ``TENANT_REGISTRY_CHECK_SECONDS``) and answers with
    404; only after that pause is the schema dropped, so no worker serves a
    page of a half-dropped town. A request already running when the schema
    goes is answered with 404 too (blueprints/app.py). A deletion that
    stopped half-way is finished by running it again.
    """
    tenant = get_tenant(slug)
    if tenant is None:
        raise LookupError(f"Unknown town: {slug}. {LIST_TOWNS}")
    if tenant.status != "deleting":
        tenant.status = "deleting"
        db.session.commit()
        registry().invalidate()
        time.sleep(2 * current_app.config["TENANT_REGISTRY_CHECK_SECONDS"])
    migrations.drop_schema(db.engine, tenant.schema_name)
    # Explicitly: SQLite enforces no foreign keys, and a later town may reuse the id.
    db.session.execute(delete(Membership).where(Membership.tenant_id == tenant.id))
    db.session.delete(tenant)
    db.session.commit()
    registry().invalidate()


BRANDING_FIELDS = ("name", "primary_color", "logo_url", "plan", "status")
STATUSES = ("active", "suspended")


def update_tenant(slug: str, **fields) -> TenantInfo:
    """Change a town's name, branding, plan or status."""
    tenant = get_tenant(slug)
    if tenant is None:
        raise LookupError(f"Unknown town: {slug}. {LIST_TOWNS}")
    unknown = set(fields) - set(BRANDING_FIELDS)
    if unknown:
        raise ValueError(f"Not a town setting: {', '.join(sorted(unknown))}")
    if fields.get("status", tenant.status) not in STATUSES:
        raise ValueError(f"Status must be one of {', '.join(STATUSES)}.")
    for name, value in fields.items():
        setattr(tenant, name, value)
    db.session.commit()
    registry().invalidate()
    return tenant.info()
