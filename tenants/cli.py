"""``flask tenants …``: create, list, migrate, export, import and delete towns."""
from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tenants import portability, services
from tenants.cli_errors import ClearErrors
from tenants.db import db
from tenants.migrations import head_revision
from tenants.models import Tenant


@click.group("tenants", cls=ClearErrors, help="Manage towns (tenants) and their schemas.")
def cli():
    pass


@cli.command("create")
@click.argument("slug")
@click.option("--name", required=True, help="The town's display name, e.g. 'Stollberg'.")
@click.option("--host", "hosts", multiple=True, help="A host name of the town (repeatable).")
@with_appcontext
def create(slug, name, hosts):
    """Register a town, create its schema and bring it to head."""
    try:
        town = services.create_tenant(slug, name, hosts)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    click.echo(f"Town {town.slug} ({town.name}) is ready in schema {town.schema_name}.")


@cli.command("list")
@with_appcontext
def list_():
    """Show every town: slug, name, hosts, schema revision, plan."""
    head = head_revision()
    towns = db.session.scalars(select(Tenant).options(selectinload(Tenant.hosts)).order_by(Tenant.slug))
    rows = [("SLUG", "NAME", "HOSTS", "REVISION", "PLAN", "STATUS")]
    for town in towns:
        revision = town.schema_revision or "-"
        if town.schema_revision != head:
            revision += " (behind)"
        rows.append((town.slug, town.name, ",".join(h.host for h in town.hosts) or "-",
                     revision, town.plan, town.status))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        cells = (value.ljust(width) for value, width in zip(row, widths, strict=True))
        click.echo("  ".join(cells).rstrip())


@cli.command("migrate")
@click.argument("slugs", nargs=-1)
@click.option("--all", "all_towns", is_flag=True, help="Migrate every town.")
@with_appcontext
def migrate(slugs, all_towns):
    """Bring town schemas to head; a failing town does not stop the others."""
    if not slugs and not all_towns:
        raise click.UsageError("Name one or more towns, or pass --all.")
    if slugs and all_towns:
        raise click.UsageError("Either name towns or pass --all, not both.")
    total = len(slugs) if slugs else db.session.scalar(select(db.func.count(Tenant.id)))
    failures = {}
    with click.progressbar(length=total, label="Migrating towns", show_pos=True,
                           item_show_func=lambda slug: slug) as bar:
        def done(slug, revision, error):
            if error:
                failures[slug] = error
            bar.update(1, slug)

        try:
            report = services.migrate_tenants(list(slugs) or None, on_done=done)
        except LookupError as exc:
            raise click.ClickException(str(exc)) from None
        bar.update(len(report.up_to_date))
    click.echo(f"{len(report.upgraded)} migrated, {len(report.up_to_date)} already at "
               f"{report.head}, {len(report.failed)} failed.")
    for slug, error in failures.items():
        click.echo(f"FAILED {slug}: {error}", err=True)
    if failures:
        raise SystemExit(1)


def progress_bar(label: str, length: int):
    """A click progress bar per table (``portability``'s progress interface)."""
    return click.progressbar(length=length, label=label.ljust(30), show_pos=True)


@cli.command("export")
@click.argument("slug")
@click.argument("file", type=click.Path(dir_okay=False, writable=True))
@with_appcontext
def export(slug, file):
    """Write one town's whole data to FILE (gzip'd JSON Lines, any backend)."""
    try:
        summary = portability.export_town(slug, file, progress=progress_bar)
    except portability.PortabilityError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Exported {slug} at revision {summary.revision}: {summary.total_rows} rows in "
               f"{len(summary.rows)} tables, {summary.users} users, "
               f"{summary.memberships} memberships → {file}")


@cli.command("import")
@click.argument("file", type=click.Path())  # unreadable: ClearErrors names the file
@click.option("--as", "as_slug", help="Import under this slug instead of the exported one.")
@with_appcontext
def import_(file, as_slug):
    """Create a town from an export FILE; its users are matched by e-mail."""
    try:
        summary = portability.import_town(file, as_slug, progress=progress_bar)
    except (portability.PortabilityError, ValueError) as exc:
        raise click.ClickException(str(exc)) from None
    for warning in summary.warnings:
        click.echo(f"Warning: {warning}", err=True)
    click.echo(f"Imported {summary.slug} at revision {summary.revision}: {summary.total_rows} rows "
               f"in {len(summary.rows)} tables, {summary.users} users, "
               f"{summary.memberships} memberships.")


@cli.command("delete")
@click.argument("slug")
@click.option("--yes", is_flag=True, help="Confirm that the town's data is to be dropped.")
@with_appcontext
def delete(slug, yes):
    """Drop a town's schema and registry entry."""
    if not yes:
        raise click.UsageError(f"This drops every record of {slug}. Pass --yes to confirm.")
    try:
        services.delete_tenant(slug)
    except LookupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Town {slug} deleted.")
