"""Fault runs with real servers: the demo towns on PostgreSQL, served by gunicorn, with workers.

The demo world (``flask demo load`` on a migrated scratch database) is built
once per session; every run gets its own copy (``CREATE DATABASE … TEMPLATE``)
and its own copy of the instance folder, so what one run breaks (a town
deleted) no other run sees. At the end, the figures of every run are printed
as a table and written to ``test-artifacts/faults.txt``.
"""
from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from flask_migrate import upgrade
from sqlalchemy import create_engine, select
from sqlalchemy.engine import make_url

from tenants.db import db
from tests.conftest import TEST_DATABASE_URL, free_port, make_app, scratch_postgres_database
from tests.faults import figures
from tests.workers import RedisServer

ROOT = Path(__file__).resolve().parents[2]
ARTIFACT = ROOT / "test-artifacts" / "faults.txt"
DEMO_PASSWORD = "quartier-demo"
DEMO_MANAGER = "manager@demo.quartier.example"
CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if not figures.RESULTS:
        return
    text = figures.table(figures.RESULTS)
    terminalreporter.section("fault runs: mails and requests")
    terminalreporter.write_line(text)
    ARTIFACT.parent.mkdir(exist_ok=True)
    ARTIFACT.write_text(text + "\n")
    terminalreporter.write_line(f"(also in {ARTIFACT.relative_to(ROOT)})")


@pytest.fixture
def own_redis(tmp_path):
    """A redis-server of this run alone, on a free port: the run may stop and start it."""
    server = RedisServer(free_port(), tmp_path / "redis.log")
    server.start()
    yield server
    server.stop()


@pytest.fixture
def record_figures():
    """Factory: ``record_figures("(a) …")`` → the run's RunFigures, listed in the summary."""

    def factory(run: str) -> figures.RunFigures:
        result = figures.RunFigures(run)
        figures.RESULTS.append(result)
        return result

    return factory


# --- the demo world and copies of it ---------------------------------------------

@dataclass(frozen=True)
class DemoIds:
    """Real ids of Stollberg's demo records that the runs submit to."""

    event_with_registration: int
    listed_unit: int


@dataclass(frozen=True)
class WorldCopy:
    database_url: str
    instance_path: Path
    ids: DemoIds


def load_demo_world(database_url: str, instance_path: Path) -> DemoIds:
    """Migrate, load the demo towns (as `flask demo load`) and find the ids the runs need."""
    from blueprints.demo.services import load_demo
    from blueprints.events.models import Event
    from blueprints.vacancies.models import Unit
    from tenants.context import tenant_context

    app = make_app(database_url, instance_path)
    with app.app_context():
        upgrade(directory=str(app.extensions["migrate"].directory))
        load_demo()
        town = app.extensions["quartier_registry"].by_slug("stollberg")
        with tenant_context(town):
            event = db.session.scalars(select(Event.id).where(Event.registration_open.is_(True),
                                                              Event.capacity.is_not(None))).first()
            unit = db.session.scalars(select(Unit.id).where(Unit.reference == "ST-001")).one()
        db.session.remove()
        db.engine.dispose()
    return DemoIds(event_with_registration=event, listed_unit=unit)


@pytest.fixture(scope="session")
def demo_world(tmp_path_factory):
    instance = tmp_path_factory.mktemp("faults-demo")
    with scratch_postgres_database(TEST_DATABASE_URL, "faults") as url:
        ids = load_demo_world(url, instance)
        yield WorldCopy(url, instance, ids)


@pytest.fixture
def world_copy(demo_world, tmp_path):
    """A fresh copy of the demo world's database and instance folder for this run."""
    template = make_url(demo_world.database_url)
    name = f"{template.database}_{tmp_path.name[-20:]}".replace("-", "_").lower()
    admin = create_engine(template.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.exec_driver_sql(f'CREATE DATABASE "{name}" TEMPLATE "{template.database}"')
    instance = tmp_path / "instance"
    shutil.copytree(demo_world.instance_path, instance)
    yield WorldCopy(template.set(database=name).render_as_string(hide_password=False), instance,
                    demo_world.ids)
    with admin.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


# --- visitors ----------------------------------------------------------------------

class Visitor:
    """One browser: its own cookies, and the CSRF token of the form page it opened."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.session = requests.Session()

    def get(self, path: str, **kwargs) -> requests.Response:
        return self.session.get(self.base_url + path, timeout=30, allow_redirects=False, **kwargs)

    def post_form(self, form_page: str, path: str, data: dict, **kwargs) -> requests.Response:
        """Open ``form_page`` like a browser, then send its form to ``path`` with the page's token."""
        page = self.session.get(self.base_url + form_page, timeout=30)
        token = CSRF_FIELD.search(page.text)
        assert token, f"{form_page} answered {page.status_code} without a form token"
        return self.session.post(self.base_url + path, data={**data, "csrf_token": token[1]},
                                 timeout=30, allow_redirects=False, **kwargs)

    def post_json(self, path: str, body: dict) -> requests.Response:
        """An API client without cookies (anonymous: the API twin of a form)."""
        return requests.post(self.base_url + path, json=body, timeout=30)

    def sign_in(self, email: str, password: str) -> requests.Response:
        return self.post_form("/login", "/login", {"email": email, "password": password})
