from flask import render_template

from blueprints.platform import services
from tenants.access import requires
from tenants.migrations import head_revision


@requires("platform.admin")
def index():
    return render_template("platform/index.html", towns=services.towns_with_member_counts(),
                           head=head_revision())


@requires("platform.admin")
def users():
    return render_template("platform/users.html", users=services.users_with_memberships())
