"""Thin handlers: sign in (with a second factor where needed), register, mailed links, /konto."""
from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from sqlalchemy.exc import IntegrityError

from blueprints.accounts import mails, services, throttle, two_factor
from blueprints.accounts.forms import (
    EmailForm,
    LoginForm,
    NewPasswordForm,
    PasswordChangeForm,
    ProfileForm,
    RegistrationForm,
    TokenForm,
    TwoFactorCodeForm,
)
from blueprints.core.services import is_local_path
from blueprints.extensions import limiter
from tenants.access import public, signed_in
from tenants.db import db
from tenants.models import utcnow


def _rate_limit(config_key, *, failures_only=False):
    """Limit POSTs per client to ``app.config[config_key]`` (e.g. "10 per minute")."""
    return limiter.limit(lambda: current_app.config[config_key], methods=["POST"],
                         deduct_when=_failed if failures_only else None)


def _failed(response) -> bool:
    return response.status_code >= 400


def _next_url(default_endpoint="accounts.account"):
    target = request.values.get("next", "")
    return target if is_local_path(target) else url_for(default_endpoint)


def _form_page(template, *forms, **context):
    """Render a form page; 422 when a form has errors (shown beside its fields)."""
    has_errors = any(field.errors for form in forms for field in form)
    return render_template(template, **context), 422 if has_errors else 200


def _refused(refusal, field, template, **context):
    """The form again with why it must wait beside ``field``: 429 with ``Retry-After``."""
    field.errors.append(refusal.message)
    return render_template(template, **context), 429, {"Retry-After": str(refusal.retry_after)}


# --- signing in and out ----------------------------------------------------------

@public
def login():
    form = LoginForm(next=request.args.get("next", ""))
    unconfirmed = False
    if form.validate_on_submit():
        attempt = throttle.Attempt("password", form.email.data)
        refusal = attempt.refusal()
        if refusal is not None:
            return _refused(refusal, form.email, "accounts/login.html", form=form, unconfirmed=False)
        user = services.authenticate(form.email.data, form.password.data)
        if user is None:
            attempt.failed()
            form.password.errors.append(_("E-Mail-Adresse oder Passwort stimmen nicht."))
        elif not user.email_confirmed:
            unconfirmed = True
            form.email.errors.append(_("Diese E-Mail-Adresse ist noch nicht bestätigt. Bitte öffnen "
                                       "Sie den Link aus der E-Mail, die wir Ihnen geschickt haben."))
        elif two_factor.requires_second_factor(user):
            return _await_second_factor(user, form.remember.data)
        else:
            return _sign_in(user, form.remember.data, _next_url())
    return _form_page("accounts/login.html", form, form=form, unconfirmed=unconfirmed)


def _fresh_session():
    """Start a new session (nothing carried over into a login) but keep the chosen language."""
    language = session.get("lang")
    session.clear()
    if language:
        session["lang"] = language


def _sign_in(user, remember, target):
    _fresh_session()
    services.start_login_session(user)
    login_user(user, remember=bool(remember))
    user.last_login_at = utcnow()
    db.session.commit()
    flash(_("Willkommen, %(name)s!", name=user.name or user.email), "success")
    return redirect(target)


def _await_second_factor(user, remember):
    target = _next_url()
    _fresh_session()
    two_factor.begin_pending_login(user, remember, target)
    endpoint = "accounts.two_factor" if user.totp_secret else "accounts.two_factor_setup"
    return redirect(url_for(endpoint))


def _pending_login_expired():
    flash(_("Bitte melden Sie sich erneut mit E-Mail-Adresse und Passwort an."), "error")
    return redirect(url_for("accounts.login"))


def _finish_pending_login(user):
    pending = two_factor.pending_login()
    return _sign_in(user, pending.get("remember"), pending.get("next") or url_for("accounts.account"))


@public
def two_factor_login():
    user = two_factor.pending_user()
    if user is None:
        return _pending_login_expired()
    if not user.totp_secret:
        return redirect(url_for("accounts.two_factor_setup"))
    form = TwoFactorCodeForm()
    if form.validate_on_submit():
        attempt = throttle.Attempt("code", str(user.id))
        refusal = attempt.refusal()
        if refusal is not None:
            return _refused(refusal, form.code, "accounts/two_factor.html", form=form)
        if two_factor.verify_code(user, form.code.data):
            return _finish_pending_login(user)
        attempt.failed()
        form.code.errors.append(_("Der Code stimmt nicht oder wurde schon verwendet. Bitte geben "
                                  "Sie den aktuellen Code aus Ihrer App ein."))
    return _form_page("accounts/two_factor.html", form, form=form)


@public
def two_factor_setup():
    user = two_factor.pending_user()
    if user is None:
        return _pending_login_expired()
    if user.totp_secret:
        return redirect(url_for("accounts.two_factor"))
    secret = two_factor.enrolment_secret()
    form = TwoFactorCodeForm()
    uri = two_factor.provisioning_uri(user, secret)
    page = {"form": form, "qr_code": two_factor.qr_code_svg(uri), "secret": two_factor.grouped(secret)}
    if form.validate_on_submit():
        attempt = throttle.Attempt("code", str(user.id))
        refusal = attempt.refusal()
        if refusal is not None:
            return _refused(refusal, form.code, "accounts/two_factor_setup.html", **page)
        if two_factor.enable(user, secret, form.code.data):
            response = _finish_pending_login(user)
            flash(_("Die Zwei-Faktor-Anmeldung ist eingerichtet."), "success")
            return response
        attempt.failed()
        form.code.errors.append(_("Der Code stimmt nicht. Bitte prüfen Sie, ob Sie den QR-Code "
                                  "gescannt haben, und geben Sie den aktuellen Code ein."))
    return _form_page("accounts/two_factor_setup.html", form, **page)


@public
def logout():
    if current_user.is_authenticated:
        services.end_login_session(current_user._get_current_object())
        db.session.commit()
    logout_user()
    session.clear()
    flash(_("Sie sind abgemeldet."), "success")
    return redirect(url_for("core.index"))


# --- registration and mailed links ---------------------------------------------

@public
@_rate_limit("REGISTER_RATE_LIMIT")
def register():
    if current_user.is_authenticated:
        return redirect(url_for("accounts.account"))
    form = RegistrationForm()
    if form.validate_on_submit():
        services.register(form.email.data, form.name.data, form.password.data,
                          locale=str(get_locale()))
        mails.request_account_mail("registration", form.email.data)
        try:
            db.session.commit()
        except IntegrityError:  # the same address registered a moment ago
            db.session.rollback()
        # The same answer whether or not the address has an account already.
        flash(_("Fast geschafft: Wir haben eine E-Mail an %(email)s geschickt. Bitte öffnen Sie "
                "den Link darin, um Ihre Adresse zu bestätigen.", email=form.email.data), "success")
        return redirect(url_for("accounts.login"))
    return _form_page("accounts/register.html", form, form=form)


@public
def confirm_email(token):
    try:
        services.confirm_email(token)
    except services.InvalidLink:
        return _invalid_link(_("Der Bestätigungslink ist ungültig oder abgelaufen."),
                             "accounts.resend_confirmation")
    db.session.commit()
    flash(_("Danke! Ihre E-Mail-Adresse ist bestätigt. Sie können sich jetzt anmelden."), "success")
    return redirect(url_for("accounts.login"))


@public
@_rate_limit("ACCOUNT_MAIL_RATE_LIMIT")
def resend_confirmation():
    form = EmailForm()
    if form.validate_on_submit():
        mails.request_account_mail("confirmation", form.email.data)
        db.session.commit()
        flash(_("Falls zu %(email)s ein noch nicht bestätigtes Konto gehört, ist eine neue E-Mail "
                "mit dem Bestätigungslink unterwegs.", email=form.email.data), "success")
        return redirect(url_for("accounts.login"))
    return _form_page("accounts/resend_confirmation.html", form, form=form)


@public
@_rate_limit("ACCOUNT_MAIL_RATE_LIMIT")
def forgot_password():
    form = EmailForm()
    if form.validate_on_submit():
        mails.request_account_mail("password_reset", form.email.data)
        db.session.commit()
        flash(_("Falls es zu %(email)s ein Konto gibt, haben wir einen Link für ein neues Passwort "
                "geschickt. Er ist %(hours)d Stunden gültig.", email=form.email.data,
                hours=services.RESET_HOURS), "success")
        return redirect(url_for("accounts.login"))
    return _form_page("accounts/forgot_password.html", form, form=form)


@public
def reset_password(token):
    try:
        services.user_for_reset_token(token)
    except services.InvalidLink:
        return _invalid_link(_("Der Link für ein neues Passwort ist ungültig, abgelaufen oder "
                               "wurde schon benutzt."), "accounts.forgot_password")
    form = NewPasswordForm()
    if form.validate_on_submit():
        services.reset_password(token, form.password.data)
        db.session.commit()
        flash(_("Ihr Passwort ist geändert. Bitte melden Sie sich mit dem neuen Passwort an."),
              "success")
        return redirect(url_for("accounts.login"))
    return _form_page("accounts/reset_password.html", form, form=form)


def _invalid_link(message, retry_endpoint):
    return render_template("accounts/invalid_link.html", message=message,
                           retry_url=url_for(retry_endpoint)), 400


# --- the own account ---------------------------------------------------------------

def _account_page(profile_form, password_form, token_form=None, new_token=None):
    token_form = token_form or TokenForm(formdata=None)
    return _form_page("accounts/account.html", profile_form, password_form, token_form,
                      profile_form=profile_form, password_form=password_form,
                      token_form=token_form, new_token=new_token,
                      tokens=services.tokens_of(current_user._get_current_object()))


def _profile_form(**kwargs):
    return ProfileForm(obj=current_user, locale=current_user.locale or str(get_locale()), **kwargs)


@signed_in
def account():
    return _account_page(_profile_form(), PasswordChangeForm())


@signed_in
def account_profile():
    form = ProfileForm()
    if form.validate_on_submit():
        services.update_profile(current_user._get_current_object(), form.name.data, form.locale.data)
        db.session.commit()
        session["lang"] = form.locale.data  # the chosen language applies at once
        flash(_("Ihre Angaben sind gespeichert."), "success")
        return redirect(url_for("accounts.account"))
    return _account_page(form, PasswordChangeForm(formdata=None))


@signed_in
@_rate_limit("LOGIN_RATE_LIMIT", failures_only=True)
def account_password():
    form = PasswordChangeForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            services.change_password(user, form.current_password.data, form.new_password.data)
        except services.AccountError as error:
            form.current_password.errors.append(str(error))
        else:
            db.session.commit()
            login_user(user)  # this session carries on; every other one ends
            flash(_("Ihr Passwort ist geändert. Auf allen anderen Geräten sind Sie abgemeldet."),
                  "success")
            return redirect(url_for("accounts.account"))
    return _account_page(_profile_form(formdata=None), form)


@signed_in
def create_token():
    form = TokenForm()
    if not form.validate_on_submit():
        return _account_page(_profile_form(), PasswordChangeForm(formdata=None), form)
    token = services.issue_token(current_user._get_current_object(), form.token_name.data.strip())
    db.session.commit()
    # Shown in this response only: never in a redirect, a cookie or the database.
    return _account_page(_profile_form(), PasswordChangeForm(formdata=None), new_token=token)


@signed_in
def revoke_token(token_id):
    if not services.revoke_token(current_user._get_current_object(), token_id):
        abort(404)
    db.session.commit()
    flash(_("Der API-Schlüssel ist widerrufen."), "success")
    return redirect(url_for("accounts.account", _anchor="api"))


@signed_in
def logout_everywhere():
    services.end_all_sessions(current_user._get_current_object())
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("Sie sind jetzt auf allen Geräten abgemeldet."), "success")
    return redirect(url_for("accounts.login"))
