"""Shared fixtures: a real database per backend, two towns, factories for users.

Every app-level test runs twice: on PostgreSQL (a scratch database created
beside ``TEST_DATABASE_URL``'s for this session) and on the embedded SQLite
default. Schemas and towns are made once per session;
tests create their own users with unique addresses, so they never collide.
"""
from __future__ import annotations

import itertools
import os
import socket
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes
from email import policy as mail_policy
from email.utils import getaddresses

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

from blueprints.accounts import services as accounts
from blueprints.app import create_app
from config import load_settings
from tenants import services as tenant_services
from tenants.db import db
from tests.client import BrowserClient

TEST_DATABASE_URL = os.environ.get(
    "TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
PASSWORD = "richtig-geheim-1"
TOWN_A = ("altdorf", "Altdorf")
TOWN_B = ("beetzdorf", "Beetzdorf")
_sequence = itertools.count(1)


def unique(prefix: str = "x") -> str:
    return f"{prefix}{os.getpid()}-{next(_sequence)}"


@contextmanager
def scratch_postgres_database(url: str, suffix: str = "q"):
    """A fresh database beside ``url``'s, for this test session only.

    Parallel sessions (and developers) never see each other's towns; ``suffix``
    keeps several scratch databases of one process apart.
    """
    base = make_url(url)
    name = f"{base.database}_{suffix}{os.getpid()}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except Exception as exc:
        pytest.exit(f"PostgreSQL at {url} cannot be used for the tests: {exc}. "
                    "Run `make test`, which starts it, or set TEST_DATABASE_URL.", returncode=3)
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def make_app(database_url: str, instance_path, **overrides):
    settings = load_settings(environ={}, env="test", database_url=database_url,
                             instance_path=instance_path)
    config = {"TESTING": True, "RATELIMIT_ENABLED": False, "TENANT_REGISTRY_CHECK_SECONDS": 0.0,
              "SERVER_NAME": None}
    config.update(overrides)
    application = create_app(settings, **config)
    application.test_client_class = BrowserClient  # CSRF stays on: the client carries the token
    return application


@pytest.fixture(scope="session", params=["postgresql", "sqlite"])
def backend(request):
    return request.param


@pytest.fixture(scope="session")
def database_url(backend, tmp_path_factory):
    if backend == "postgresql":
        with scratch_postgres_database(TEST_DATABASE_URL) as url:
            yield url
    else:
        yield f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'quartier.db'}"


@dataclass(frozen=True)
class Towns:
    a: object
    b: object


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    application = make_app(database_url, tmp_path_factory.mktemp("instance"))
    with application.app_context():
        upgrade(directory=str(application.extensions["migrate"].directory))
        tenant_services.create_tenant(*TOWN_A)
        tenant_services.create_tenant(*TOWN_B)
    yield application
    with application.app_context():
        db.engine.dispose()


@pytest.fixture(scope="session")
def towns(app) -> Towns:
    registry = app.extensions["quartier_registry"]
    return Towns(a=registry.by_slug(TOWN_A[0]), b=registry.by_slug(TOWN_B[0]))


@pytest.fixture
def app_context(app):
    with app.app_context():
        yield
        db.session.remove()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def create_user(app):
    """Factory: ``create_user(role="manager", town=towns.a, platform_admin=False, ...)``."""

    def factory(*, role=None, town=None, platform_admin=False, confirmed=True, email=None,
                password=PASSWORD, name="Test Person", totp_secret=None):
        from tenants.models import Tenant

        with app.app_context():
            user = accounts.create_user(email or f"{unique('user')}@example.org", password, name,
                                        platform_admin=platform_admin, confirmed=confirmed)
            user.totp_secret = totp_secret
            if role:
                accounts.grant_membership(user, db.session.get(Tenant, town.id), role)
            db.session.commit()
            user_id, user_email = user.id, user.email
            db.session.remove()
        return TestUser(id=user_id, email=user_email, password=password)

    return factory


@dataclass(frozen=True)
class TestUser:
    id: int
    email: str
    password: str


def login(client, user: TestUser, totp_code: str | None = None):
    """Sign in through the real login form; returns the final response."""
    response = client.post("/login", data={"email": user.email, "password": user.password},
                           follow_redirects=True)
    if totp_code is not None:
        response = client.post("/login/zwei-faktor", data={"code": totp_code}, follow_redirects=True)
    return response


@pytest.fixture
def bearer(app, create_user):
    """Factory: ``bearer(role="manager", town=towns.a)`` → headers with a new account's API token."""
    from blueprints.accounts import services as accounts
    from tenants.db import db
    from tenants.models import User

    def factory(role=None, town=None, **kwargs):
        user = create_user(role=role, town=town, **kwargs)
        with app.app_context():
            token = accounts.issue_token(db.session.get(User, user.id), name="tests")
            db.session.commit()
            db.session.remove()
        return {"Authorization": f"Bearer {token}"}

    return factory


@pytest.fixture
def manager_of_both_towns(app, client, towns, create_user):
    """``client`` signed in as a manager of town A and town B, so only the URL's town decides
    what a page shows (the isolation tests' setting)."""
    from tenants.models import Tenant, User

    user = create_user(role="manager", town=towns.a)
    with app.app_context():
        accounts.grant_membership(db.session.get(User, user.id), db.session.get(Tenant, towns.b.id),
                                  "manager")
        db.session.commit()
    login(client, user)
    return user


@pytest.fixture
def login_as(client, create_user):
    """Factory: a client signed in as a new user with ``role`` in ``town``."""

    def factory(role=None, town=None, **kwargs):
        user = create_user(role=role, town=town, **kwargs)
        response = login(client, user)
        assert response.status_code == 200, response.text[:500]
        return user

    return factory


# --- a real SMTP server -------------------------------------------------------

@dataclass
class SmtpServer:
    """An aiosmtpd server in this process and the messages it received, parsed."""

    host: str
    port: int
    messages: list = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"smtp://{self.host}:{self.port}"

    def messages_to(self, address: str) -> list:
        return [m for m in self.messages
                if address.lower() in (a.lower() for _, a in getaddresses(m.get_all("To", [])))]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def smtp_server():
    """A real SMTP server on 127.0.0.1; point ``MAIL_URL`` at ``smtp_server.url``.

    Tests tell their mails apart by recipient (``messages_to``), as every test
    uses its own addresses.
    """
    from aiosmtpd.controller import Controller

    server = SmtpServer(host="127.0.0.1", port=free_port())

    class Collect:
        async def handle_DATA(self, smtp, session, envelope):
            raw = envelope.original_content or envelope.content
            server.messages.append(message_from_bytes(raw, policy=mail_policy.default))
            return "250 Message accepted for delivery"

    controller = Controller(Collect(), hostname=server.host, port=server.port)
    controller.start()
    yield server
    controller.stop()


@pytest.fixture(scope="session")
def mail_app(app, database_url, smtp_server, tmp_path_factory):
    """A second app on the session's database (``app`` migrated it) that mails in-process
    (no REDIS_URL) to ``smtp_server``."""
    application = make_app(database_url, tmp_path_factory.mktemp("mail-instance"),
                           MAIL_URL=smtp_server.url, MAIL_FROM="Quartier <noreply@quartier.test>")
    yield application
    with application.app_context():
        db.engine.dispose()


# --- a test-owned Redis -----------------------------------------------------------

@pytest.fixture(scope="session")
def redis_server(tmp_path_factory):
    """A redis-server on its own free port; tests may stop and start it."""
    from tests.workers import RedisServer

    server = RedisServer(free_port(), tmp_path_factory.mktemp("redis") / "redis.log")
    server.start()
    yield server
    server.stop()


@pytest.fixture
def fresh_redis(redis_server):
    """The test Redis, running and empty; started again if a test left it stopped."""
    redis_server.start()
    redis_server.client().flushall()
    yield redis_server
    redis_server.start()


@contextmanager
def limiter_state_kept():
    """Restore the Limiter's state on leaving.

    The Limiter is one object per process and keeps what the last app bound to
    it configured ("enabled" above all, its storage, a dead storage's fallback);
    an app made with limits on would otherwise rate-limit every later test.
    """
    from blueprints.extensions import limiter

    saved = dict(vars(limiter))
    try:
        yield
    finally:
        vars(limiter).clear()
        vars(limiter).update(saved)


@pytest.fixture
def limits_switched_on(app, database_url, tmp_path):
    """Factory: an app with rate limits on (in memory), for the blueprints given."""
    from tenants.db import db

    made = []

    def factory(*blueprints):
        limited = make_app(database_url, tmp_path, RATELIMIT_ENABLED=True,
                           RATELIMIT_STORAGE_URI="memory://")
        for blueprint in blueprints:
            limited.register_blueprint(blueprint)
        made.append(limited)
        return limited

    with limiter_state_kept():
        yield factory
    for limited in made:
        with limited.app_context():
            db.engine.dispose()
