"""Accounts: passwords, registration, mailed links, memberships, API tokens, the signed-in user.

Functions that mail a link build absolute URLs, so they need a request (or
``SERVER_NAME``); everything else runs in a plain app context.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta, timezone
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, url_for
from flask_login.config import COOKIE_DURATION
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from itsdangerous import BadData, URLSafeTimedSerializer
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import joinedload

from blueprints.mail.services import send_mail
from tenants.access import ROLES
from tenants.db import db
from tenants.models import ApiToken, LoginSession, Membership, Tenant, User, utcnow

_hasher = PasswordHasher()
TOKEN_PREFIX = "qt_"
LANGUAGES = ("de", "en")
CONFIRM_SALT = "quartier.accounts.confirm-email"
CONFIRM_HOURS = 48
RESET_SALT = "quartier.accounts.reset-password"
RESET_HOURS = 2


class AccountError(ValueError):
    """A request about an account that cannot be fulfilled; the message says why."""


class InvalidLink(ValueError):
    """A mailed link that is forged, expired, or already used."""


def normalize_email(email: str) -> str:
    return (email or "").strip().lower()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def password_matches(user: User, password: str) -> bool:
    return bool(user.password_hash) and _verify_quietly(user.password_hash, password)


def get_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalize_email(email)))


def create_user(email: str, password: str | None, name: str = "", *,
                platform_admin: bool = False, confirmed: bool = False) -> User:
    """Create an account; raises AccountError if the address is taken."""
    email = normalize_email(email)
    if get_user_by_email(email):
        raise AccountError(f"Es gibt schon ein Konto für {email}.")
    user = User(email=email, name=name.strip(), is_platform_admin=platform_admin,
                password_hash=hash_password(password) if password else None,
                email_confirmed_at=utcnow() if confirmed else None)
    db.session.add(user)
    db.session.flush()
    return user


def set_password(user: User, password: str) -> None:
    user.password_hash = hash_password(password)


def replace_password(user: User, password: str, *, keep_current: bool = False) -> None:
    """Set a new password and log the account out everywhere (but here, with ``keep_current``)."""
    set_password(user, password)
    end_all_sessions(user, keep_current=keep_current)


def change_password(user: User, current_password: str, new_password: str) -> None:
    """The own password, changed on /konto; raises AccountError if ``current_password`` is wrong."""
    if not password_matches(user, current_password):
        raise AccountError(_("Das bisherige Passwort stimmt nicht."))
    replace_password(user, new_password, keep_current=True)


def update_profile(user: User, name: str, locale: str) -> None:
    if locale not in LANGUAGES:
        raise AccountError(f"Unbekannte Sprache {locale!r}; möglich sind: {', '.join(LANGUAGES)}.")
    user.name, user.locale = name.strip(), locale


# --- signing in -------------------------------------------------------------

@lru_cache(maxsize=1)
def _hash_of_nothing() -> str:
    return hash_password(secrets.token_urlsafe(16))


def authenticate(email: str, password: str) -> User | None:
    """The account for ``email`` if ``password`` is right, else None."""
    user = get_user_by_email(email)
    if user is None:
        # Hash anyway: an unknown address must take as long as a wrong password.
        _verify_quietly(_hash_of_nothing(), password)
        return None
    if not password_matches(user, password):
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        set_password(user, password)  # hashing parameters were raised since
    return user


def _verify_quietly(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


# --- registration and the confirmation link ---------------------------------

def register(email: str, name: str, password: str, locale: str | None = None) -> None:
    """Create (or renew) an unconfirmed account; a confirmed one stays as it is.

    The caller answers alike in every case and asks for the registration
    mail (``mails.request_account_mail``), so registration never tells who
    has an account: a confirmed address gets a note instead
    (:func:`send_registration_mail`), and an unconfirmed one takes the
    newest registration's details with a new link.
    Links carry a fingerprint of the password, so only the link sent with the
    current password confirms: once the owner registers, a stranger's earlier
    registration of that address (with the stranger's password) is void.
    """
    password_hash = hash_password(password)  # for every address: equal timing
    user = get_user_by_email(email)
    if user is not None and user.email_confirmed:
        return
    if user is None:
        user = User(email=normalize_email(email))
        db.session.add(user)
    user.name, user.password_hash = name.strip(), password_hash
    user.locale = locale if locale in LANGUAGES else None
    user.privacy_consent_at = utcnow()  # the form requires the consent box
    db.session.flush()


def send_registration_mail(user: User) -> None:
    """After a registration: the confirmation link, or a note that the account exists already."""
    if user.email_confirmed:
        _send_account_exists(user)
    else:
        send_confirmation(user)


def send_confirmation(user: User) -> None:
    link = url_for("accounts.confirm_email", token=_confirmation_token(user), _external=True)
    send_mail(user.email, "accounts/confirm_email", _l("Bitte bestätigen Sie Ihre E-Mail-Adresse"),
              locale=mail_locale(user), user=user, link=link, hours=CONFIRM_HOURS)


def send_new_confirmation(user: User) -> None:
    """Mail a new confirmation link, if the address is not confirmed yet."""
    if not user.email_confirmed:
        send_confirmation(user)


def _send_account_exists(user: User) -> None:
    send_mail(user.email, "accounts/account_exists", _l("Sie haben bereits ein Konto bei Quartier"),
              locale=mail_locale(user), user=user,
              login_link=url_for("accounts.login", _external=True),
              reset_link=url_for("accounts.forgot_password", _external=True))


def _confirmation_token(user: User) -> str:
    return _serializer(CONFIRM_SALT).dumps(
        {"id": user.id, "email": user.email, "pw": _password_fingerprint(user)})


def confirm_email(token: str) -> User:
    """Mark the address in ``token`` confirmed; raises InvalidLink."""
    data = _load_token(CONFIRM_SALT, token, CONFIRM_HOURS)
    user = db.session.get(User, data["id"])
    if user is None or user.email != data.get("email") or not _same_password(user, data):
        raise InvalidLink("The account, its address or its password changed since the link was sent.")
    if user.email_confirmed_at is None:
        user.email_confirmed_at = utcnow()
    return user


# --- password reset ---------------------------------------------------------

def send_reset_link(user: User) -> None:
    """Mail ``user`` a link for a new password."""
    link = url_for("accounts.reset_password", token=_reset_token(user), _external=True)
    send_mail(user.email, "accounts/reset_password", _l("Ein neues Passwort für Quartier"),
              locale=mail_locale(user), user=user, link=link, hours=RESET_HOURS)


def _reset_token(user: User) -> str:
    return _serializer(RESET_SALT).dumps({"id": user.id, "pw": _password_fingerprint(user)})


def _password_fingerprint(user: User) -> str:
    # Changes with every new password, so a used or outdated link stops
    # working; a digest, so the link never carries the hash itself.
    return hashlib.sha256((user.password_hash or "").encode()).hexdigest()[:16]


def _same_password(user: User, token_data: dict) -> bool:
    return hmac.compare_digest(_password_fingerprint(user), str(token_data.get("pw")))


def user_for_reset_token(token: str) -> User:
    """The account a reset link belongs to; raises InvalidLink."""
    data = _load_token(RESET_SALT, token, RESET_HOURS)
    user = db.session.get(User, data["id"])
    if user is None or not _same_password(user, data):
        raise InvalidLink("The password changed since the link was sent.")
    return user


def reset_password(token: str, new_password: str) -> User:
    """Set the password a reset link asks for; raises InvalidLink."""
    user = user_for_reset_token(token)
    replace_password(user, new_password)
    if user.email_confirmed_at is None:
        user.email_confirmed_at = utcnow()  # the link proved the mailbox is theirs
    return user


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=salt)


def _load_token(salt: str, token: str, hours: int) -> dict:
    try:
        data = _serializer(salt).loads(token, max_age=hours * 3600)
    except BadData:
        raise InvalidLink("The link is forged or expired.") from None
    if not isinstance(data, dict) or not isinstance(data.get("id"), int):
        raise InvalidLink("The link carries no account.")
    return data


def mail_locale(user: User) -> str:
    return user.locale if user.locale in LANGUAGES else "de"


def grant_membership(user: User, tenant: Tenant, role: str) -> Membership:
    """Give ``user`` ``role`` in ``tenant`` (replacing an earlier role there)."""
    if role not in ROLES:
        raise AccountError(f"Unbekannte Rolle {role!r}; möglich sind: {', '.join(ROLES)}.")
    membership = next((m for m in user.memberships if m.tenant_id == tenant.id), None)
    if membership is None:
        membership = Membership(user=user, tenant=tenant, role=role)
        db.session.add(membership)
    membership.role = role
    return membership


def load_user(user_id: str) -> User | None:
    """Flask-Login's user loader: ``<id>:<session_version>:<login session>`` from the cookie.

    One primary-key lookup (the sign-in with its account) per request.
    """
    parts = (user_id or "").split(":")
    if len(parts) != 3 or not all(part.isdigit() for part in parts):
        return None  # also cookies from before sign-ins were recorded
    identity, version, sign_in = map(int, parts)
    login_session = db.session.get(LoginSession, sign_in, options=[joinedload(LoginSession.user)])
    if login_session is None or login_session.user_id != identity:
        return None  # logged out (on this device or everywhere) since this cookie was issued
    if _aware(login_session.created_at) < utcnow() - login_session_lifetime():
        return None
    user = login_session.user
    if user.session_version != version:
        return None  # password changed or logged out everywhere
    user.login_session_id = sign_in
    return user


def login_session_lifetime() -> timedelta:
    """A sign-in lasts at most as long as its remember cookie may (``REMEMBER_COOKIE_DURATION``)."""
    duration = current_app.config.get("REMEMBER_COOKIE_DURATION", COOKIE_DURATION)
    return duration if isinstance(duration, timedelta) else timedelta(seconds=duration)


def start_login_session(user: User) -> None:
    """Record a new sign-in of ``user``; its id becomes part of the login cookie."""
    expired = utcnow() - login_session_lifetime()
    db.session.execute(delete(LoginSession).where(LoginSession.user_id == user.id,
                                                  LoginSession.created_at < expired))
    login_session = LoginSession(user_id=user.id)
    db.session.add(login_session)
    db.session.flush()
    user.login_session_id = login_session.id


def end_login_session(user: User) -> None:
    """Logout: end this sign-in, so its cookies sign no one in; the account's others go on."""
    if user.login_session_id is not None:
        db.session.execute(delete(LoginSession).where(LoginSession.id == user.login_session_id))


def end_all_sessions(user: User, *, keep_current: bool = False) -> None:
    """Invalidate every login cookie of ``user`` (logout everywhere), but this one's with ``keep_current``."""
    user.session_version += 1
    ended = delete(LoginSession).where(LoginSession.user_id == user.id)
    if keep_current and user.login_session_id is not None:
        ended = ended.where(LoginSession.id != user.login_session_id)
    db.session.execute(ended)


# --- API tokens -------------------------------------------------------------

def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(user: User, name: str = "") -> str:
    """Create a personal API token; the plain token is shown only this once."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    db.session.add(ApiToken(user=user, digest=_digest(token), prefix=token[:10], name=name))
    return token


def user_for_token(token: str) -> User | None:
    row = db.session.scalar(
        select(ApiToken).where(ApiToken.digest == _digest(token), ApiToken.revoked_at.is_(None))
    )
    if row is None:
        return None
    _note_token_use(row)
    return row.user


TOKEN_USE_PRECISION = timedelta(hours=1)


def _note_token_use(row: ApiToken) -> None:
    """Record when a token was last used, at most hourly and outside the request's transaction."""
    now = utcnow()
    if row.last_used_at is not None and now - _aware(row.last_used_at) < TOKEN_USE_PRECISION:
        return
    with db.engine.begin() as connection:
        connection.execute(update(ApiToken).where(ApiToken.id == row.id).values(last_used_at=now))


def _aware(moment: datetime) -> datetime:
    """SQLite returns naive datetimes; they were stored in UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def tokens_of(user: User) -> list[ApiToken]:
    return list(db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())))


def revoke_token(user: User, token_id: int) -> bool:
    """Revoke one of ``user``'s own tokens; False if there is no such token of theirs."""
    row = db.session.scalar(select(ApiToken).where(
        ApiToken.id == token_id, ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None)))
    if row is None:
        return False
    row.revoked_at = utcnow()
    return True


def user_from_bearer_token(request) -> User | None:
    """Flask-Login's request loader: ``Authorization: Bearer <token>``."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return user_for_token(token.strip())


def count_users() -> int:
    return db.session.scalar(select(func.count(User.id)))
