"""``flask users …``: create accounts and issue API tokens."""
import click
from flask.cli import with_appcontext

from blueprints.accounts import services
from tenants.cli_errors import ClearErrors
from tenants.db import db
from tenants.services import get_tenant


@click.group("users", cls=ClearErrors, help="Manage user accounts.")
def cli():
    pass


@cli.command("create")
@click.argument("email")
@click.option("--password", required=True, help="The initial password.")
@click.option("--name", default="", help="The person's name.")
@click.option("--platform-admin", is_flag=True, help="Operator staff with access to every town.")
@click.option("--tenant", "slug", help="Give a membership in this town …")
@click.option("--role", type=click.Choice(["manager", "partner", "applicant"]), help="… with this role.")
@with_appcontext
def create(email, password, name, platform_admin, slug, role):
    """Create a confirmed account, optionally with a town membership."""
    if bool(slug) != bool(role):
        raise click.UsageError("--tenant and --role go together.")
    town = get_tenant(slug) if slug else None
    if slug and town is None:
        raise click.ClickException(f"Unknown town: {slug}. `flask tenants list` shows the towns.")
    try:
        user = services.create_user(email, password, name, platform_admin=platform_admin,
                                    confirmed=True)
        if town:
            services.grant_membership(user, town, role)
    except services.AccountError as exc:
        raise click.UsageError(str(exc)) from None
    db.session.commit()
    click.echo(f"User {user.email} created" + (f" as {role} of {slug}." if town else "."))


@cli.command("token")
@click.argument("email")
@click.option("--name", default="cli", help="A label to recognise the token by.")
@with_appcontext
def token(email, name):
    """Print a new personal API token (shown only once)."""
    user = services.get_user_by_email(email)
    if user is None:
        raise click.ClickException(f"No account for {email}: `flask users create` makes one.")
    plain = services.issue_token(user, name)
    db.session.commit()
    click.echo(plain)
