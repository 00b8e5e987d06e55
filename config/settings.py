"""Every setting once, parsed from the environment by typed helpers (12-factor).

Nothing else in Quartier reads ``os.environ``; everything asks ``app.config``.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
DEVELOPMENT_SECRET = "dev-only-secret-do-not-use-in-production"
MIN_SECRET_LENGTH = 32


class ConfigurationError(RuntimeError):
    """A setting is missing or malformed; the message names the variable to set."""


def _text(environ, name, default=None):
    value = environ.get(name, "").strip()
    return value or default


def _integer(environ, name, default: int) -> int:
    value = _text(environ, name)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError:
        raise ConfigurationError(f"{name}={value!r} is not a whole number; set e.g. {name}={default}.") from None


def _at_least_zero(environ, name, default: int) -> int:
    value = _integer(environ, name, default)
    if value < 0:
        raise ConfigurationError(f"{name}={value} must be 0 or more; set e.g. {name}={default}.")
    return value


def _positive(environ, name, default: int) -> int:
    value = _integer(environ, name, default)
    if value < 1:
        raise ConfigurationError(f"{name}={value} must be at least 1; set e.g. {name}={default}.")
    return value


def _seconds_list(environ, name, default: tuple[int, ...]) -> tuple[int, ...]:
    value = _text(environ, name)
    if value is None:
        return default
    try:
        return tuple(int(part) for part in value.split(","))
    except ValueError:
        raise ConfigurationError(
            f"{name}={value!r} is not a comma-separated list of seconds; set e.g. "
            f"{name}={','.join(map(str, default))}.") from None


def _url(environ, name) -> str | None:
    value = _text(environ, name)
    if value is None:
        return None
    if not value.startswith(("http://", "https://")) or "?" in value or "#" in value:
        raise ConfigurationError(
            f"{name}={value!r} is not a base URL; set e.g. {name}=https://quartier.example.de")
    return value.rstrip("/")


def _checked_url(environ, name, default, schemes: tuple[str, ...], example: str) -> str | None:
    """A service's URL of one of ``schemes`` with a host (or a path, for sqlite and unix)."""
    value = _text(environ, name, default)
    if value is None:
        return None
    parts = urlsplit(value)
    scheme = parts.scheme.split("+", 1)[0]
    try:
        parts.port  # noqa: B018  (reading it checks that it is a number)
        has_place = bool(parts.hostname) or scheme in ("sqlite", "unix")
    except ValueError:  # a port that is no number, a bracket left open
        has_place = False
    if scheme not in schemes or not has_place:
        raise ConfigurationError(f"{name}={_hidden(value)!r} is not a URL of {'/'.join(schemes)}; "
                                 f"set e.g. {name}={example}.")
    return value


def _hidden(url: str) -> str:
    """The URL as it may stand in a log: without its password."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    return url.replace(f":{parts.password}@", ":***@", 1)


HOST_NAME = re.compile(r"^\.?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$")


def _host_suffix(environ, name) -> str | None:
    value = _text(environ, name)
    if value is not None and not HOST_NAME.match(value.lower()):
        raise ConfigurationError(f"{name}={value!r} is not a host name; set e.g. "
                                 f"{name}=quartier.example.de (towns then answer at "
                                 "<slug>.quartier.example.de).")
    return value


def _secret_key(environ, env: str) -> str:
    secret_key = _text(environ, "SECRET_KEY")
    if env == "development" or (env == "test" and secret_key is None):
        return secret_key or DEVELOPMENT_SECRET
    hint = ("Set SECRET_KEY to a long random value, e.g. "
            "`python -c 'import secrets; print(secrets.token_urlsafe(48))'`.")
    if secret_key is None:
        raise ConfigurationError(f"SECRET_KEY is not set. {hint}")
    if secret_key == DEVELOPMENT_SECRET:
        raise ConfigurationError(f"SECRET_KEY is the development default, which anyone can read. {hint}")
    if len(secret_key) < MIN_SECRET_LENGTH:
        raise ConfigurationError(f"SECRET_KEY has {len(secret_key)} characters; sessions signed with "
                                 f"it can be forged, so use at least {MIN_SECRET_LENGTH}. {hint}")
    return secret_key


def _flag(environ, name, default=False):
    value = _text(environ, name)
    if value is None:
        return default
    return value.lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Settings:
    env: str
    secret_key: str
    database_url: str
    redis_url: str | None
    mail_url: str | None
    mail_from: str
    stripe_secret_key: str | None
    stripe_webhook_secret: str | None
    stripe_api_base: str | None
    tenant_host_suffix: str | None
    instance_path: Path
    # Where the platform answers, e.g. https://quartier.example.de: links in
    # mails sent outside a request (jobs, commands) start with it.
    public_url: str | None = None
    map_tile_url: str = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    map_tile_attribution: str = ('&copy; <a href="https://www.openstreetmap.org/copyright">'
                                 'OpenStreetMap</a>-Mitwirkende')
    # A mail the SMTP server refuses is tried again this often, after these pauses.
    mail_retry_max: int = 5
    mail_retry_intervals: tuple[int, ...] = (30, 120, 600, 1800, 3600)
    # A large send (a newsletter) goes out in parts of this many mails, each
    # part one job over one SMTP connection.
    mail_batch_size: int = 200
    # How many reverse proxies stand in front of gunicorn (their X-Forwarded-* are trusted).
    trusted_proxies: int = 0
    extra: dict = field(default_factory=dict)

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    def flask_config(self) -> dict:
        """The Flask/extension keys derived from these settings."""
        secure = self.is_production
        return {
            "QUARTIER_SETTINGS": self,
            "ENV_NAME": self.env,
            "SECRET_KEY": self.secret_key,
            "SQLALCHEMY_DATABASE_URI": self.database_url,
            "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
            "REDIS_URL": self.redis_url,
            "MAIL_URL": self.mail_url,
            "MAIL_FROM": self.mail_from,
            # RQ's Retry for the delivery job: how many more tries, and the pauses
            # between them in seconds (the last pause repeats if there are fewer).
            "MAIL_RETRY_MAX": self.mail_retry_max,
            "MAIL_RETRY_INTERVALS": list(self.mail_retry_intervals),
            "MAIL_BATCH_SIZE": self.mail_batch_size,
            "STRIPE_SECRET_KEY": self.stripe_secret_key,
            "STRIPE_WEBHOOK_SECRET": self.stripe_webhook_secret,
            "STRIPE_API_BASE": self.stripe_api_base,
            "TENANT_HOST_SUFFIX": self.tenant_host_suffix,
            "TRUSTED_PROXIES": self.trusted_proxies,
            "PUBLIC_URL": self.public_url,
            # The map's tiles (Leaflet URL template) and their required credit.
            "MAP_TILE_URL": self.map_tile_url,
            "MAP_TILE_ATTRIBUTION": self.map_tile_attribution,
            # Uploads: the largest photo and the largest PDF accepted.
            "UPLOAD_IMAGE_MAX_BYTES": 8 * 1024 * 1024,
            "UPLOAD_PDF_MAX_BYTES": 10 * 1024 * 1024,
            # Cookies: never readable by scripts, only over HTTPS in production.
            "SESSION_COOKIE_HTTPONLY": True,
            "SESSION_COOKIE_SAMESITE": "Lax",
            "SESSION_COOKIE_SECURE": secure,
            "REMEMBER_COOKIE_HTTPONLY": True,
            "REMEMBER_COOKIE_SAMESITE": "Lax",
            "REMEMBER_COOKIE_SECURE": secure,
            "PREFERRED_URL_SCHEME": "https" if secure else "http",
            # Rate limits share Redis between processes when there is one; while
            # it is down they count in each process's memory instead of failing.
            "RATELIMIT_STORAGE_URI": self.redis_url or "memory://",
            "RATELIMIT_STORAGE_OPTIONS": {"socket_timeout": 2, "socket_connect_timeout": 2}
            if self.redis_url else {},
            "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
            "RATELIMIT_HEADERS_ENABLED": True,
            # Per client address (Flask-Limiter syntax). Failed logins and failed
            # two-factor codes count; registrations and mail requests all count.
            # Past LOGIN_RATE_LIMIT an address (a town hall's NAT) still signs in
            # accounts without failures of their own; past LOGIN_ADDRESS_BLOCK_LIMIT
            # it waits altogether (password spraying). An account past
            # LOGIN_ACCOUNT_RATE_LIMIT (failures from any address) waits, even
            # with the right password (blueprints/accounts/throttle.py).
            "LOGIN_RATE_LIMIT": "10 per minute",
            "LOGIN_ADDRESS_BLOCK_LIMIT": "100 per hour",
            "LOGIN_ACCOUNT_RATE_LIMIT": "10 per 15 minutes",
            "REGISTER_RATE_LIMIT": "5 per minute",
            # Requests that send a mail (confirmation again, password reset).
            "ACCOUNT_MAIL_RATE_LIMIT": "5 per minute",
            # The public forms that write (interim-use application, its API twin).
            "APPLICATION_RATE_LIMIT": "30 per hour",
            # How old each process's snapshot of the town registry may grow before
            # it reads the registry's version again (tenants/registry.py).
            "TENANT_REGISTRY_CHECK_SECONDS": 0.5,
            "BABEL_DEFAULT_LOCALE": "de",
            "BABEL_DEFAULT_TIMEZONE": "Europe/Berlin",
            "MAX_CONTENT_LENGTH": 16 * 1024 * 1024,
            "WTF_CSRF_TIME_LIMIT": None,
            **self.extra,
        }


def load_settings(environ=None, **overrides) -> Settings:
    """Read the settings from ``environ`` (default: the process environment).

    ``overrides`` replace single settings, e.g. in tests.
    """
    environ = os.environ if environ is None else environ
    env = overrides.pop("env", None) or _text(environ, "QUARTIER_ENV", "development")
    if env not in {"development", "test", "production"}:
        raise ConfigurationError(
            f"QUARTIER_ENV={env!r} is not one of development, test, production."
        )
    instance_path = Path(_text(environ, "QUARTIER_INSTANCE_PATH", str(ROOT / "instance")))
    values = {
        "env": env,
        "secret_key": _secret_key(environ, env),
        "database_url": _checked_url(environ, "DATABASE_URL", f"sqlite:///{instance_path / 'quartier.db'}",
                                     ("postgresql", "sqlite"),
                                     "postgresql+psycopg://quartier@db.example.de:5432/quartier"),
        "redis_url": _checked_url(environ, "REDIS_URL", None, ("redis", "rediss", "unix"),
                                  "redis://redis.example.de:6379/0"),
        "mail_url": _checked_url(environ, "MAIL_URL", None, ("smtp", "smtps"),
                                 "smtp://user:password@mail.example.de:587?starttls=1"),
        "mail_from": _text(environ, "MAIL_FROM", "noreply@localhost"),
        "mail_retry_max": _integer(environ, "MAIL_RETRY_MAX", 5),
        "mail_retry_intervals": _seconds_list(environ, "MAIL_RETRY_INTERVALS",
                                              (30, 120, 600, 1800, 3600)),
        "mail_batch_size": _positive(environ, "MAIL_BATCH_SIZE", 200),
        "stripe_secret_key": _text(environ, "STRIPE_SECRET_KEY"),
        "stripe_webhook_secret": _text(environ, "STRIPE_WEBHOOK_SECRET"),
        "stripe_api_base": _text(environ, "STRIPE_API_BASE"),
        "tenant_host_suffix": _host_suffix(environ, "TENANT_HOST_SUFFIX"),
        "trusted_proxies": _at_least_zero(environ, "TRUSTED_PROXIES", 0),
        "public_url": _url(environ, "PUBLIC_URL"),
        # "off": no tiles at all (a closed network); the maps then show their lists alone.
        "map_tile_url": "" if _text(environ, "MAP_TILE_URL") == "off"
        else _text(environ, "MAP_TILE_URL", Settings.map_tile_url),
        "map_tile_attribution": _text(environ, "MAP_TILE_ATTRIBUTION",
                                      Settings.map_tile_attribution),
        "instance_path": instance_path,
    }
    values.update(overrides)
    return Settings(**values)
