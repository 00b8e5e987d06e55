"""Who is calling the API: a bearer token or the session cookie (with a CSRF token for writes).

``load_token_caller`` runs before the access check of every request: on the
API, an ``Authorization`` header makes the token's account the caller,
whatever cookie comes along. Everywhere else a token counts for nothing, so
a token never opens the HTML pages (least of all the platform's, which ask
for a second factor). ``_enforce_access`` in blueprints/app.py then applies
each view's rule, and ``authenticate_api_request`` adds what only the API
needs:

- An ``Authorization`` header that names no live token is a 401, even on a
  public endpoint: a client with a revoked token must learn it, not be
  served quietly as anonymous.
- A write authenticated by the session cookie needs the CSRF token in
  ``X-CSRFToken``, since a browser sends cookies along to forged requests.
  Bearer tokens need none: browsers never attach them on their own.
"""
from __future__ import annotations

from flask import current_app, g, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import CSRFError

from blueprints.accounts.services import user_from_bearer_token
from blueprints.api.errors import ApiError, is_api_request, unauthorized
from blueprints.extensions import csrf, login_manager

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_MISSING = _l("Für Änderungen mit dem Sitzungs-Cookie fehlt der CSRF-Token im Header "
                  "X-CSRFToken, oder er ist ungültig. Skripte nutzen besser ein API-Token.")


def load_token_caller() -> None:
    """``before_request`` of the app: on the API, the bearer token's account is the caller."""
    if "Authorization" in request.headers and is_api_request():
        # Where Flask-Login keeps the request's user; set here, no session is read or written.
        g._login_user = user_from_bearer_token(request) or login_manager.anonymous_user()


def authenticate_api_request() -> None:
    """``before_request`` of the API blueprint; raises ApiError to refuse."""
    if "Authorization" in request.headers:
        if not current_user.is_authenticated:
            raise unauthorized()
        return
    if request.method not in SAFE_METHODS and current_user.is_authenticated:
        _require_csrf_token()


def _require_csrf_token() -> None:
    if not current_app.config.get("WTF_CSRF_ENABLED", True):
        return
    try:
        csrf.protect()
    except CSRFError:
        raise ApiError(403, CSRF_MISSING, code="csrf_failed") from None
