"""``flask demo load``: the demo towns with users for every role."""
import click
import pyotp
from flask.cli import with_appcontext

from blueprints.demo import services
from tenants.cli_errors import ClearErrors


@click.group("demo", cls=ClearErrors, help="Demo data.")
def cli():
    pass


@cli.command("load")
@with_appcontext
def load():
    """Create or complete the demo towns and accounts (safe to run again)."""
    services.load_demo()
    towns = ", ".join(f"{town.name} (/{town.slug}/)" for town in services.TOWNS)
    click.echo(f"Demo towns ready: {towns}\n")
    rows = [("E-MAIL", "ROLES", "NAME")]
    rows += [(p.email, p.describe_roles(), p.name) for p in services.PEOPLE]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    for row in rows:
        cells = (value.ljust(width) for value, width in zip(row, widths, strict=True))
        click.echo("  ".join(cells).rstrip())
    admin = next(p for p in services.PEOPLE if p.platform_admin)
    uri = pyotp.TOTP(admin.totp_secret).provisioning_uri(name=admin.email, issuer_name="Quartier")
    click.echo(f"\nPassword of every demo account: {services.DEMO_PASSWORD}")
    click.echo(f"TOTP secret of {admin.email}: {admin.totp_secret}")
    click.echo(f"  (authenticator app: {uri})")
