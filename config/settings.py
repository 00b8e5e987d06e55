"""Every setting once, parsed from the environment by typed helpers (12-factor).

Nothing else in Quartier reads ``os.environ``; everything asks ``app.config``.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEVELOPMENT_SECRET = "dev-only-secret-do-not-use-in-production"


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
    secret_key = _text(environ, "SECRET_KEY")
    if secret_key is None:
        if env == "production":
            raise ConfigurationError(
                "SECRET_KEY is not set. Set the environment variable SECRET_KEY to a long "
                "random value, e.g. `python -c 'import secrets; print(secrets.token_urlsafe(48))'`."
            )
        secret_key = DEVELOPMENT_SECRET
    values = {
        "env": env,
        "secret_key": secret_key,
        "database_url": _text(environ, "DATABASE_URL", f"sqlite:///{instance_path / 'quartier.db'}"),
        "redis_url": _text(environ, "REDIS_URL"),
        "mail_url": _text(environ, "MAIL_URL"),
        "mail_from": _text(environ, "MAIL_FROM", "noreply@localhost"),
        "mail_retry_max": _integer(environ, "MAIL_RETRY_MAX", 5),
        "mail_retry_intervals": _seconds_list(environ, "MAIL_RETRY_INTERVALS",
                                              (30, 120, 600, 1800, 3600)),
        "mail_batch_size": _positive(environ, "MAIL_BATCH_SIZE", 200),
        "stripe_secret_key": _text(environ, "STRIPE_SECRET_KEY"),
        "stripe_webhook_secret": _text(environ, "STRIPE_WEBHOOK_SECRET"),
        "stripe_api_base": _text(environ, "STRIPE_API_BASE"),
        "tenant_host_suffix": _text(environ, "TENANT_HOST_SUFFIX"),
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
