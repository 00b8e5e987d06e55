"""Security headers on every response, and the reverse proxies the app trusts.

Every page carries a Content-Security-Policy without ``unsafe-inline`` for
scripts: our scripts are files under ``static/``; a template that really
needs inline code gives its ``<script>`` the request's nonce
(``<script nonce="{{ csp_nonce() }}">``), which the policy then names. Do
not use ``csp_nonce()`` on a page served from the visitors' cache
(``blueprints/caching.py``): a cached body would carry an older request's nonce.
Styles come from ``static/`` as well; ``style`` attributes stay allowed
(the town's colour in the layout, the mail previews, Leaflet's markers).
Images may come from the map's tile server (``MAP_TILE_URL``) and the
current town's logo host.

``TRUSTED_PROXIES`` (default 0) says how many reverse proxies stand in front
of the app. Only then are their ``X-Forwarded-*`` headers believed, so that
the rate limits see the visitor's address and HSTS sees https; with 0 a
spoofed ``X-Forwarded-For`` changes nothing.
"""
from __future__ import annotations

import re
import secrets
from urllib.parse import urlsplit

from flask import Flask, current_app, g, request
from werkzeug.middleware.proxy_fix import ProxyFix

HSTS = "max-age=31536000"  # no includeSubDomains: a town's own host may have http-only neighbours
PERMISSIONS_POLICY = ", ".join(f"{feature}=()" for feature in (
    "accelerometer", "camera", "geolocation", "gyroscope", "magnetometer", "microphone",
    "payment", "usb"))
HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Permissions-Policy": PERMISSIONS_POLICY,
    "Cross-Origin-Opener-Policy": "same-origin",
}
# Files and data (JSON, CSV, images, iCalendar): nothing may run or load from them.
DATA_POLICY = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'none'"
# Chromium's PDF viewer is a page of its own that the PDF's policy would break.
PDF_POLICY = "frame-ancestors 'none'"
_PLACEHOLDER = re.compile(r"\{[^}]*\}")
_CSP_HOST = re.compile(r"(\*\.)?[A-Za-z0-9.-]+(:\d+)?")


def init_app(app: Flask) -> None:
    """Send the headers on every response; trust ``TRUSTED_PROXIES`` proxies.

    Call after the town edge is set up: ProxyFix must wrap the
    TenantHostMiddleware, so the town is found by the forwarded host.
    """
    app.after_request(add_security_headers)
    app.add_template_global(csp_nonce)
    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies,
                                x_port=proxies, x_prefix=proxies)


def csp_nonce() -> str:
    """This request's script nonce; the policy allows it once a template asked for it."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(18)
    return g.csp_nonce


def add_security_headers(response):
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    response.headers.setdefault("Content-Security-Policy", _policy_for(response.mimetype))
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    return response


def _policy_for(mimetype: str) -> str:
    if mimetype == "text/html":
        return page_policy()
    if mimetype == "application/pdf":
        return PDF_POLICY
    return DATA_POLICY


def page_policy() -> str:
    """The policy of an HTML page in this request."""
    scripts = ["'self'"]
    if "csp_nonce" in g:
        scripts.append(f"'nonce-{g.csp_nonce}'")
    images = ["'self'", "data:"]  # data: for Leaflet's blank tile
    for source in (tile_source(current_app.config.get("MAP_TILE_URL")), _logo_source()):
        if source and source not in images:
            images.append(source)
    directives = {
        "default-src": ["'self'"],
        "script-src": scripts,
        "style-src": ["'self'"],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": images,
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
    return "; ".join(f"{name} {' '.join(sources)}" for name, sources in directives.items())


def tile_source(template: str | None) -> str | None:
    """The CSP source of a Leaflet tile URL template: ``https://{s}.tile.example/…`` → ``https://*.tile.example``."""
    if not template:
        return None
    parts = urlsplit(template)
    return _origin(f"{parts.scheme}://{_PLACEHOLDER.sub('*', parts.netloc)}")


def _logo_source() -> str | None:
    town = g.get("tenant")
    return _origin(town.logo_url) if town is not None and town.logo_url else None


def _origin(url: str | None) -> str | None:
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None  # a path on this site: 'self'
    if not _CSP_HOST.fullmatch(parts.netloc):
        return f"{parts.scheme}:"  # a host CSP cannot express: the scheme alone
    return f"{parts.scheme}://{parts.netloc}"
