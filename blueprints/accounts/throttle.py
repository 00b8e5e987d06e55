"""Failed sign-ins (passwords, two-factor codes) counted per address and per account.

The counters live in Flask-Limiter's storage (Redis with ``REDIS_URL``, so
every process shares them) and are read with its ``limits`` strategy. The
rules, in the order checked before a password or code is even looked at:

- an account with ``LOGIN_ACCOUNT_RATE_LIMIT`` failures, from any addresses,
  waits: a distributed guesser is slowed, and the right password waits too;
- an address with ``LOGIN_ADDRESS_BLOCK_LIMIT`` failures waits altogether
  (one address trying a password on many accounts);
- an address past ``LOGIN_RATE_LIMIT`` still signs in an account that has no
  failures of its own, so ten typos behind a town hall's NAT lock no one
  else out; an account with failures waits there.

Unknown addresses are counted like known ones, so a refusal tells nothing
about who has an account. While Redis is down the counters live in this
process's memory: signing in never depends on Redis.
"""
from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass

from flask import Flask, current_app, request
from flask_babel import gettext as _
from flask_babel import ngettext
from limits import parse_many
from limits.errors import StorageError
from limits.storage import MemoryStorage
from limits.strategies import STRATEGIES, RateLimiter
from redis.exceptions import RedisError

from blueprints.extensions import limiter
from tenants.redis_link import redis_failed, redis_is_down

STORAGE_ERRORS = (RedisError, StorageError, ConnectionError, TimeoutError)


@dataclass(frozen=True)
class Refusal:
    """Why an attempt waits, and for how many seconds."""

    message: str
    retry_after: int


class Attempt:
    """One sign-in step (``kind`` "password" or "code") for one account from the request's address."""

    def __init__(self, kind: str, account: str):
        self.kind = kind
        self.account = hashlib.sha256(account.strip().lower().encode()).hexdigest()[:32]
        self.address = request.remote_addr or "-"

    def refusal(self) -> Refusal | None:
        """A Refusal if this attempt must wait before its secret is checked, else None."""
        if not _enabled():
            return None
        config = current_app.config
        account_wait = self._wait("account", self.account, config["LOGIN_ACCOUNT_RATE_LIMIT"])
        if account_wait:
            return Refusal(_("Für diese E-Mail-Adresse gab es zu viele fehlgeschlagene Anmeldungen.")
                           + " " + _minutes(account_wait), account_wait)
        address_wait = self._wait("address", self.address, config["LOGIN_ADDRESS_BLOCK_LIMIT"]) or \
            (self._has_failures() and self._wait("address", self.address, config["LOGIN_RATE_LIMIT"]))
        if address_wait:
            return Refusal(_("Von Ihrer Internetadresse kamen zu viele fehlgeschlagene Anmeldungen.")
                           + " " + _minutes(address_wait), address_wait)
        return None

    def failed(self) -> None:
        """Count a wrong password or code against the account and the address."""
        if not _enabled():
            return
        config = current_app.config
        for scope, identifier, limits in (
                ("account", self.account, config["LOGIN_ACCOUNT_RATE_LIMIT"]),
                ("address", self.address, config["LOGIN_RATE_LIMIT"]),
                ("address", self.address, config["LOGIN_ADDRESS_BLOCK_LIMIT"])):
            for item in parse_many(limits):
                _counted("hit", item, self._key(scope, identifier))

    def _has_failures(self) -> bool:
        limits = current_app.config["LOGIN_ACCOUNT_RATE_LIMIT"]
        key = self._key("account", self.account)
        return any(_counted("get_window_stats", item, key).remaining < item.amount
                   for item in parse_many(limits))

    def _wait(self, scope: str, identifier: str, limits: str) -> int:
        """Seconds until the counter allows another failure; 0 if it does now."""
        waits = [0]
        key = self._key(scope, identifier)
        for item in parse_many(limits):
            if not _counted("test", item, key):
                reset_at = _counted("get_window_stats", item, key).reset_time
                waits.append(max(1, math.ceil(reset_at - time.time())))
        return max(waits)

    def _key(self, scope: str, identifier: str) -> tuple[str, ...]:
        prefix = current_app.config.get("RATELIMIT_KEY_PREFIX") or "quartier"
        return prefix, "sign-in", self.kind, scope, identifier


def _enabled() -> bool:
    return bool(current_app.config.get("RATELIMIT_ENABLED", True))


def _minutes(seconds: int) -> str:
    minutes = math.ceil(seconds / 60)
    return ngettext("Bitte versuchen Sie es in %(num)d Minute erneut.",
                    "Bitte versuchen Sie es in %(num)d Minuten erneut.", minutes)


def _counted(operation: str, item, key: tuple[str, ...]):
    """``strategy.<operation>(item, *key)`` on the shared counters, or on this process's while they fail."""
    app = current_app._get_current_object()
    if not redis_is_down(app):
        try:
            return getattr(limiter.limiter, operation)(item, *key)
        except STORAGE_ERRORS as exc:
            redis_failed(app, exc)
    return getattr(_memory_counters(app), operation)(item, *key)


def _memory_counters(app: Flask) -> RateLimiter:
    counters = app.extensions.get("quartier_sign_in_counters")
    if counters is None:
        strategy = app.config.get("RATELIMIT_STRATEGY") or "fixed-window"
        counters = app.extensions["quartier_sign_in_counters"] = STRATEGIES[strategy](MemoryStorage())
    return counters
