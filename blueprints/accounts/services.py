"""Accounts: passwords, memberships, API tokens, and loading the signed-in user."""
from __future__ import annotations

import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from tenants.access import ROLES
from tenants.db import db
from tenants.models import ApiToken, Membership, Tenant, User, utcnow

_hasher = PasswordHasher()
TOKEN_PREFIX = "qt_"


class AccountError(ValueError):
    """A request about an account that cannot be fulfilled; the message says why."""


def normalize_email(email: str) -> str:
    return (email or "").strip().lower()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def password_matches(user: User, password: str) -> bool:
    if not user.password_hash:
        return False
    try:
        return _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


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
    """Flask-Login's user loader: ``<id>:<session_version>`` from the cookie."""
    identity, _, version = (user_id or "").partition(":")
    if not identity.isdigit() or not version.isdigit():
        return None
    user = db.session.get(User, int(identity), options=[selectinload(User.memberships)])
    if user is None or user.session_version != int(version):
        return None  # logged out everywhere since this cookie was issued
    return user


def end_all_sessions(user: User) -> None:
    """Invalidate every login cookie of ``user`` (logout everywhere)."""
    user.session_version += 1


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
    return row.user if row else None


def user_from_bearer_token(request) -> User | None:
    """Flask-Login's request loader: ``Authorization: Bearer <token>``."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return user_for_token(token.strip())


def count_users() -> int:
    return db.session.scalar(select(func.count(User.id)))
