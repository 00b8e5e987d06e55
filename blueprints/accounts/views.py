"""Thin handlers for signing in and out and the own account."""
from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from blueprints.accounts import services
from blueprints.accounts.forms import LoginForm
from blueprints.core.services import is_local_path
from tenants.access import public, signed_in
from tenants.db import db
from tenants.models import utcnow


def _next_url(default_endpoint="accounts.account"):
    target = request.values.get("next", "")
    return target if is_local_path(target) else url_for(default_endpoint)


@public
def login():
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        user = services.get_user_by_email(form.email.data)
        if user is None or not services.password_matches(user, form.password.data):
            form.password.errors.append(_("E-Mail-Adresse oder Passwort stimmen nicht."))
        else:
            _start_session(user, form.remember.data)
            flash(_("Willkommen, %(name)s!", name=user.name or user.email), "success")
            return redirect(_next_url())
    return render_template("accounts/login.html", form=form), 200 if not form.errors else 422


def _start_session(user, remember):
    session.clear()  # a fresh session on every login
    login_user(user, remember=remember)
    user.last_login_at = utcnow()
    db.session.commit()


@public
def logout():
    logout_user()
    session.clear()
    flash(_("Sie sind abgemeldet."), "success")
    return redirect(url_for("core.index"))


@public
def register():
    abort(404)


@signed_in
def account():
    return render_template("accounts/account.html")
