"""The app's Redis client, and a breaker so that an outage costs one timeout, not one per request.

Redis carries the job queues, the visitors' page cache, progress reports and
the shared rate-limit counters. None of them may turn a page into an error:
when a call fails, :func:`redis_failed` opens the breaker, and for the next
few seconds no request of this process asks Redis (:func:`redis_is_down`).
Jobs then wait in the database (the outboxes) for the relay, which always
tries; pages are rendered without the cache; the rate limits count in the
process's memory (Flask-Limiter's own fallback). After the pause the next
call tries again.
"""
from __future__ import annotations

import logging
import threading
import time

import redis
from flask import Flask

# Bounded, so a hanging Redis delays a request by seconds, not forever.
REDIS_TIMEOUT_SECONDS = 2
# How long a failed call keeps this process from asking again.
RETRY_AFTER_SECONDS = 5.0
log = logging.getLogger(__name__)


class Breaker:
    """Open for ``retry_after`` seconds after a failure; closed again by the next success."""

    def __init__(self, retry_after: float = RETRY_AFTER_SECONDS):
        self.retry_after = retry_after
        self._open_until = 0.0
        self._lock = threading.Lock()

    @property
    def is_open(self) -> bool:
        return time.monotonic() < self._open_until

    def trip(self) -> None:
        with self._lock:
            if not self.is_open:
                log.warning("Redis unavailable: not asked again for %.0f s.", self.retry_after)
            self._open_until = time.monotonic() + self.retry_after

    def reset(self) -> None:
        self._open_until = 0.0


def redis_connection(app: Flask) -> redis.Redis:
    """The app's Redis client (one pool per app)."""
    connection = app.extensions.get("quartier_redis")
    if connection is None:
        connection = redis.Redis.from_url(app.config["REDIS_URL"],
                                          socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
                                          socket_timeout=REDIS_TIMEOUT_SECONDS)
        app.extensions["quartier_redis"] = connection
    return connection


def breaker(app: Flask) -> Breaker:
    return app.extensions.setdefault("quartier_redis_breaker", Breaker())


def redis_is_down(app: Flask) -> bool:
    """True while a recent failure keeps this process from asking Redis."""
    return breaker(app).is_open


def redis_failed(app: Flask, exc: Exception) -> None:
    """Note a failed call: open the breaker for a few seconds."""
    log.debug("Redis call failed: %s", exc)
    breaker(app).trip()
