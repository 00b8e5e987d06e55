"""Two-factor sign-in with TOTP: required of platform admins, open to anyone who set it up.

After the right password such an account is not signed in yet: the login
waits in the session ("pending") until a code from the authenticator app
arrives, or — for an admin without a secret — until one is set up.
"""
from __future__ import annotations

import hashlib
import hmac
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone

import pyotp
import segno
from flask import current_app, session
from flask_babel import gettext as _
from markupsafe import Markup
from redis.exceptions import RedisError

from tenants.db import db
from tenants.models import User
from tenants.redis_link import redis_connection, redis_failed, redis_is_down

ISSUER = "Quartier"
PENDING_KEY = "pending_2fa"
PENDING_SECONDS = 10 * 60
# A code is accepted one 30-second step early or late (clock drift), so a used
# step must be remembered for longer than those three steps.
ACCEPTED_STEPS = (-1, 0, 1)
USED_STEP_SECONDS = 120


def requires_second_factor(user: User) -> bool:
    return user.is_platform_admin or bool(user.totp_secret)


# --- the pending login ---------------------------------------------------------

def begin_pending_login(user: User, remember: bool, next_url: str) -> None:
    """Remember that ``user`` gave the right password; the code is still missing."""
    session[PENDING_KEY] = {"user_id": user.id, "version": user.session_version,
                            "remember": bool(remember), "next": next_url,
                            "since": int(time.time())}


def pending_login() -> dict:
    return session.get(PENDING_KEY) or {}


def pending_user() -> User | None:
    """The account waiting for its second factor, unless that wait expired."""
    pending = pending_login()
    if not pending or time.time() - pending.get("since", 0) > PENDING_SECONDS:
        return None
    user = db.session.get(User, pending["user_id"])
    if user is None or user.session_version != pending.get("version"):
        return None  # password changed or logged out everywhere meanwhile
    return user


def enrolment_secret() -> str:
    """The secret offered during set-up; kept in the pending login until confirmed."""
    pending = session[PENDING_KEY]
    if not pending.get("secret"):
        pending["secret"] = pyotp.random_base32()
        session.modified = True  # a nested change is not noticed otherwise
    return pending["secret"]


# --- codes ---------------------------------------------------------------------

def verify_code(user: User, code: str) -> bool:
    """Whether ``code`` is valid for ``user`` now and was not used before."""
    if not user.totp_secret:
        return False
    step = matching_step(user.totp_secret, code)
    return step is not None and claim_step(user.totp_secret, step)


def enable(user: User, secret: str, code: str) -> bool:
    """Save ``secret`` for ``user`` if ``code`` proves the app has it.

    Refused when the account already has a secret: knowing the password must
    never be enough to replace an existing second factor.
    """
    if user.totp_secret:
        return False
    step = matching_step(secret, code)
    if step is None or not claim_step(secret, step):
        return False
    user.totp_secret = secret
    return True


def matching_step(secret: str, code: str, now: datetime | None = None) -> int | None:
    """The 30-second time step whose code is ``code``, or None."""
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now or datetime.now(timezone.utc))
    for offset in ACCEPTED_STEPS:
        if hmac.compare_digest(totp.generate_otp(current + offset), code or ""):
            return current + offset
    return None


@dataclass
class UsedSteps:
    """The time steps used in this process (the app's own, like its other per-process state)."""

    expires: dict[str, float] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _used_steps_of(app) -> UsedSteps:
    return app.extensions.setdefault("quartier_totp_used_steps", UsedSteps())


def claim_step(secret: str, step: int) -> bool:
    """Mark a code's time step as used; False if it was used already (a replay).

    Shared through Redis when ``REDIS_URL`` is set; otherwise per process,
    which is enough for the single-process embedded default, and for the
    moments Redis is down (signing in must not depend on it). Keyed by a
    digest of the secret, never the secret itself.
    """
    key = f"quartier:totp-used:{hashlib.sha256(secret.encode()).hexdigest()[:24]}:{step}"
    app = current_app._get_current_object()
    if app.config.get("REDIS_URL") and not redis_is_down(app):
        try:
            return bool(redis_connection(app).set(key, 1, nx=True, ex=USED_STEP_SECONDS))
        except RedisError as exc:
            redis_failed(app, exc)
    now, used = time.monotonic(), _used_steps_of(app)
    with used.lock:
        for stale in [k for k, expires in used.expires.items() if expires < now]:
            del used.expires[stale]
        if key in used.expires:
            return False
        used.expires[key] = now + USED_STEP_SECONDS
        return True


# --- set-up ----------------------------------------------------------------------

def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def qr_code_svg(uri: str) -> Markup:
    """The set-up QR code as inline SVG, titled for screen readers."""
    svg = segno.make(uri, error="m").svg_inline(
        scale=5, border=4, title=_("QR-Code zum Einrichten Ihrer Authenticator-App"))
    return Markup(svg.replace("<svg ", '<svg role="img" ', 1))


def grouped(secret: str) -> str:
    """The secret in groups of four, easier to type by hand."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))
