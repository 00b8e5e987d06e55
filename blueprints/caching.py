"""Public pages served from a cache to anonymous visitors, until their data changes.

The calendar and its feed are read far more often than they change, and
calendar apps poll the feed all day. ``cached_for_visitors(stamp)`` keeps the
response a visitor was given and hands it to the next visitor of the same
town, address and language, as long as ``stamp()`` (a cheap query such as the
number and last change of the town's events) gives the same answer. The
timeout bounds what the stamp cannot see: time passing ("upcoming" events
that have ended) and the names of related records.

Signed-in people and anyone with a message waiting (flash) always get a
fresh page, because theirs differs from everyone else's. The cache is Redis
with ``REDIS_URL``, else the process's memory (Flask-Caching). If Redis is
down, pages are rendered as if there were no cache, and for a few seconds it
is not asked at all (``tenants.redis_link``'s breaker).
"""
from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable

from flask import current_app, g, make_response, request, session
from flask_babel import get_locale
from flask_caching.backends.rediscache import RedisCache
from flask_login import current_user
from redis.exceptions import RedisError
from sqlalchemy.exc import DBAPIError

from blueprints.extensions import cache, db
from tenants.redis_link import REDIS_TIMEOUT_SECONDS, redis_failed, redis_is_down

VISITOR_CACHE_SECONDS = 60


def cached_for_visitors(stamp: Callable[[], object], seconds: int = VISITOR_CACHE_SECONDS):
    """Serve anonymous visitors the last visitor's response while ``stamp()`` stays the same.

    The response carries an ETag of its body, so a calendar app that polls the
    feed and already has this version gets a bodiless 304.
    """

    def cache_key(*args, **kwargs) -> str:
        identity = repr((g.tenant.schema_name, str(get_locale()), request.host, request.full_path,
                         _stamp_or_rollback(stamp)))
        return "visitor-page:" + hashlib.sha256(identity.encode()).hexdigest()

    def decorate(view):
        cached_view = cache.cached(timeout=seconds, make_cache_key=cache_key, unless=_personal,
                                   response_filter=_is_plain_success)(view)

        @functools.wraps(view)
        def serve(*args, **kwargs):
            response = make_response(cached_view(*args, **kwargs))
            if response.status_code == 200 and not _personal():
                response.add_etag()
                response.make_conditional(request)
            return response

        return serve

    return decorate


def _stamp_or_rollback(stamp: Callable[[], object]) -> object:
    """``stamp()``; if the database fails it, the session is rolled back before the error goes on.

    Flask-Caching treats an error while making the key as "no cache" and calls the
    view: that view must find a usable session (a new connection), not the failed
    transaction, which would answer every query with PendingRollbackError (a 500)."""
    try:
        return stamp()
    except DBAPIError:
        try:
            db.session.rollback()
        except DBAPIError:  # the connection is gone: drop it, the pool gives a new one
            db.session.close()
        raise


def _personal() -> bool:
    return current_user.is_authenticated or bool(session.get("_flashes"))


def _is_plain_success(response) -> bool:
    status = response[1] if isinstance(response, tuple) else getattr(response, "status_code", 200)
    return status == 200


class OutageTolerantRedisCache(RedisCache):
    """Flask-Caching's Redis cache, which answers "not cached" while Redis is down."""

    def get(self, key):
        return self._unless_down(super().get, None, key)

    def set(self, key, value, timeout=None):
        return self._unless_down(super().set, False, key, value, timeout)

    @staticmethod
    def _unless_down(call, answer_when_down, *args):
        app = current_app._get_current_object()
        if redis_is_down(app):
            return answer_when_down
        try:
            return call(*args)
        except RedisError as exc:
            redis_failed(app, exc)
            return answer_when_down


def cache_config(redis_url: str | None) -> dict:
    """Flask-Caching's settings: Redis when the deployment has it, else the process's memory."""
    if redis_url:
        return {"CACHE_TYPE": f"{__name__}.OutageTolerantRedisCache", "CACHE_REDIS_URL": redis_url,
                "CACHE_KEY_PREFIX": "quartier:", "CACHE_DEFAULT_TIMEOUT": VISITOR_CACHE_SECONDS,
                "CACHE_OPTIONS": {"socket_timeout": REDIS_TIMEOUT_SECONDS,
                                  "socket_connect_timeout": REDIS_TIMEOUT_SECONDS}}
    return {"CACHE_TYPE": "SimpleCache", "CACHE_THRESHOLD": 2000,
            "CACHE_DEFAULT_TIMEOUT": VISITOR_CACHE_SECONDS}
