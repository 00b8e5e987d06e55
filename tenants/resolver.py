"""The request edge: which town a request belongs to.

A town is found by its own host name, by ``SLUG.TENANT_HOST_SUFFIX``, or by
the ``/<slug>/`` path prefix. Host-resolved requests get the prefix added to
their path before routing, so every town route has exactly one URL rule.
"""
from __future__ import annotations

import logging
import re
from urllib.parse import urlsplit

from flask import abort, current_app, g, has_request_context, request, url_for
from werkzeug.routing import BaseConverter

from tenants.current import activate, current_tenant_or_none, deactivate

logger = logging.getLogger(__name__)

SLUG_PATTERN = r"[a-z0-9](?:[a-z0-9-]{0,58}[a-z0-9])?"
_SLUG = re.compile(SLUG_PATTERN)

# First path segments that are never a town (global pages, and so never slugs).
GLOBAL_SEGMENTS = frozenset({
    "", "static", "login", "logout", "registrieren", "konto", "passwort", "plattform",
    "healthz", "readyz", "sprache", "favicon.ico", "robots.txt",
})
RESERVED_SLUGS = GLOBAL_SEGMENTS | {"api", "public", "tenant", "admin", "www", "mail", "verwaltung"}


def validate_slug(slug: str) -> str:
    """Return ``slug`` if it can name a town, else raise ValueError saying why."""
    if not _SLUG.fullmatch(slug or ""):
        raise ValueError(
            f"{slug!r} is not a valid town slug: use 1–60 lower-case letters, digits and "
            "hyphens, starting and ending with a letter or digit."
        )
    if slug in RESERVED_SLUGS:
        raise ValueError(f"{slug!r} is reserved for Quartier's own pages; choose another slug.")
    return slug


class TownConverter(BaseConverter):
    """``<town:tenant>``: a well-formed slug; whether it exists is decided later."""

    regex = SLUG_PATTERN


class TenantHostMiddleware:
    """Add the ``/<slug>`` prefix to requests that reach a town by its host."""

    def __init__(self, wsgi_app, registry, host_suffix: str | None):
        self.wsgi_app = wsgi_app
        self.registry = registry
        self.host_suffix = (host_suffix or "").lower().lstrip(".") or None

    def town_for_host(self, host: str):
        host = host.split(":", 1)[0].lower().rstrip(".")
        town = self.registry.by_host(host)
        if town is None and self.host_suffix and host.endswith("." + self.host_suffix):
            town = self.registry.by_slug(host[: -len(self.host_suffix) - 1])
        return town

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "") or "/"
        first = path.lstrip("/").split("/", 1)[0]
        if first and first in GLOBAL_SEGMENTS:
            # Global pages need no town; /healthz must answer even without a database.
            return self.wsgi_app(environ, start_response)
        try:
            town = self.town_for_host(environ.get("HTTP_HOST", ""))
        except Exception:  # registry unreadable: let the app answer (and /readyz say why)
            logger.exception("Town registry unavailable while resolving a host")
            town = None
        if town is not None:
            if first != town.slug:
                environ["PATH_INFO"] = f"/{town.slug}{path}"
            environ["quartier.host_town"] = town.slug
        return self.wsgi_app(environ, start_response)


def registry():
    return current_app.extensions["quartier_registry"]


def enter_requested_town(endpoint, values):
    """``url_value_preprocessor``: resolve ``tenant`` from the URL and enter it."""
    slug = values.pop("tenant", None) if values else None
    if slug is None:
        return
    town = registry().by_slug(slug)
    if town is None or not town.is_active:
        abort(404)
    g.tenant = town
    g.tenant_token = activate(town)


def leave_town(exc=None):
    """``teardown_request``: no town outlives its request."""
    token = g.pop("tenant_token", None)
    if token is not None:
        deactivate(token)


def add_town_to_url(endpoint, values):
    """``url_defaults``: links inside a town stay in that town (a request's, or a job's)."""
    town = g.get("tenant") or current_tenant_or_none()
    if town is not None and "tenant" not in values and \
            current_app.url_map.is_endpoint_expecting(endpoint, "tenant"):
        values["tenant"] = town.slug


def external_url(endpoint: str, **values) -> str | None:
    """An absolute link for a mail; None where no base is known.

    In a request it starts like the request; elsewhere (a worker, a command)
    with ``PUBLIC_URL`` (or Flask's ``SERVER_NAME``).
    """
    if has_request_context() or current_app.config.get("SERVER_NAME"):
        return url_for(endpoint, _external=True, **values)
    base = current_app.config.get("PUBLIC_URL")
    if not base:
        return None
    current_app.inject_url_defaults(endpoint, values)  # the town a job runs in
    return _public_url_adapter(current_app, base).build(endpoint, values, force_external=True)


def _public_url_adapter(app, base: str):
    """The URL map bound to ``PUBLIC_URL``, once per app: a newsletter builds thousands of links."""
    adapters = app.extensions.setdefault("quartier_public_url_adapters", {})
    if base not in adapters:
        parts = urlsplit(base)
        adapters[base] = app.url_map.bind(parts.netloc, script_name=parts.path or "/",
                                          url_scheme=parts.scheme)
    return adapters[base]


def strip_host_prefix(url: str) -> str:
    """On a town's own host, links need no ``/<slug>`` prefix."""
    slug = request.environ.get("quartier.host_town") if has_request_context() else None
    if slug and url.startswith(f"/{slug}/"):
        return url[len(slug) + 1:]
    return url
