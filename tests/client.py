"""The test client every test app uses: it carries the CSRF token as our pages do.

CSRF protection stays switched on in the tests, as in production. A browser
on our pages sends the token that the page's form (or, for scripts, the
``X-CSRFToken`` header) carries; this client does the same for every
unsafe request, from the token its own session holds. A test that proves a
refusal opens a client without it: ``app.test_client(csrf=False)``.
"""
from __future__ import annotations

import hashlib
import os

from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer
from werkzeug.datastructures import Headers

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
TOKEN_KEY = "csrf_token"  # Flask-WTF's session key and form field


class BrowserClient(FlaskClient):
    """A ``FlaskClient`` that sends a valid CSRF token with every unsafe request."""

    def __init__(self, *args, csrf: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.sends_csrf_token = csrf

    def open(self, *args, **kwargs):
        method = str(kwargs.get("method", "GET")).upper()
        if self.sends_csrf_token and method not in SAFE_METHODS and self._cookies is not None:
            headers = Headers(kwargs.get("headers") or {})
            if "X-CSRFToken" not in headers:
                headers["X-CSRFToken"] = self.csrf_token()
            kwargs["headers"] = headers
        return super().open(*args, **kwargs)

    def csrf_token(self) -> str:
        """The signed token of this client's session, as a page of ours would render it."""
        with self.session_transaction() as session:
            raw = session.get(TOKEN_KEY)
            if not isinstance(raw, str):
                raw = session[TOKEN_KEY] = hashlib.sha1(os.urandom(64)).hexdigest()
        secret = self.application.config.get("WTF_CSRF_SECRET_KEY") or self.application.secret_key
        return URLSafeTimedSerializer(secret, salt="wtf-csrf-token").dumps(raw)
