"""Thin handlers for platform administration."""
from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from blueprints.accounts.services import AccountError
from blueprints.mail.models import STATUSES
from blueprints.mail import services as mail_services
from blueprints.platform import services
from blueprints.platform.forms import MembershipForm, TownForm
from tenants import services as towns
from tenants.access import requires
from tenants.migrations import head_revision


@requires("platform.admin")
def index():
    return render_template("platform/index.html", towns=services.towns_with_member_counts(),
                           head=head_revision())


@requires("platform.admin")
def edit_town(slug):
    town = towns.get_tenant(slug) or abort(404)
    form = TownForm(obj=town)
    if form.validate_on_submit():
        towns.update_tenant(slug, name=form.name.data.strip(), plan=form.plan.data.strip(),
                            primary_color=form.primary_color.data.lower(),
                            logo_url=form.logo_url.data or None, status=form.status.data)
        flash(_("Die Stadt %(name)s wurde gespeichert.", name=form.name.data), "success")
        return redirect(url_for("platform.index"))
    status = 422 if form.errors else 200
    return render_template("platform/edit_town.html", form=form, town=town), status


@requires("platform.admin")
def users():
    return _users_page(_membership_form())


@requires("platform.admin")
def grant_membership():
    form = _membership_form()
    if form.validate_on_submit():
        try:
            services.grant(form.email.data, form.town.data, form.role.data)
        except AccountError as error:
            form.email.errors.append(str(error))
        else:
            flash(_("Mitgliedschaft gespeichert."), "success")
            return redirect(url_for("platform.users"))
    return _users_page(form), 422


@requires("platform.admin")
def revoke_membership(membership_id):
    if services.revoke(membership_id) is None:
        abort(404)
    flash(_("Mitgliedschaft entfernt."), "success")
    return redirect(url_for("platform.users"))


def _membership_form():
    form = MembershipForm()
    form.town.choices = services.town_choices()
    return form


def _users_page(form):
    return render_template("platform/users.html", users=services.users_with_memberships(), form=form)


@requires("platform.admin")
def outbox():
    return render_template("platform/outbox.html", mails=mail_services.list_mails(),
                           town_counts=services.town_mail_counts(), statuses=STATUSES)


@requires("platform.admin")
def outbox_mail(mail_id):
    mail = mail_services.get_mail(mail_id) or abort(404)  # outside a town: the public outbox
    return render_template("platform/outbox_mail.html", mail=mail)
