"""The demo towns, completed (world.py), on PostgreSQL, and one copy of them per caller.

Access control does not depend on the database backend, so these tests run
on PostgreSQL only. The world is built once per session; every caller of the
matrix gets its own copy of it (``CREATE DATABASE … TEMPLATE``, about a
second), so what one caller's requests change (a news post deleted, a
campaign sent) cannot change what the next one sees.
"""
from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

from tenants.db import db
from tests.authorization.world import World, build_world
from tests.conftest import TEST_DATABASE_URL, make_app, scratch_postgres_database


@dataclass(frozen=True)
class WorldDatabase:
    url: str
    instance_path: Path
    world: World


def sign_in(client, person) -> None:
    """Through the real login form (and the second factor, where the account has one)."""
    response = client.post("/login", data={"email": person.email, "password": person.password})
    assert response.status_code == 302, f"{person.email} cannot sign in: {response.text[:300]}"
    if person.totp_secret:
        response = client.post("/login/zwei-faktor", data={"code": person.totp_code()})
        assert response.status_code == 302 and urlsplit(response.location).path != "/login", \
            f"{person.email}: the second factor was refused"


@pytest.fixture(scope="session")
def world_database(tmp_path_factory) -> WorldDatabase:
    instance_path = tmp_path_factory.mktemp("authorization")
    with scratch_postgres_database(TEST_DATABASE_URL, suffix="authz") as url:
        app = make_app(url, instance_path)
        with app.app_context():
            upgrade(directory=str(app.extensions["migrate"].directory))

        def signed_in_client(person):
            client = app.test_client()
            sign_in(client, person)
            return client

        world = build_world(app, signed_in_client)
        with app.app_context():
            db.engine.dispose()  # a template database must have no connections
        yield WorldDatabase(url, instance_path, world)


@pytest.fixture(scope="session")
def copy_of_world(world_database, tmp_path_factory):
    """Factory: ``copy_of_world(name, **config)`` → an app on a fresh copy of the world's database
    and of its stored files (a caller's deletion removes files, too)."""
    template = make_url(world_database.url)
    admin = create_engine(template.set(database="postgres"), isolation_level="AUTOCOMMIT")
    made = []

    def factory(name: str, **config):
        copy = f"{template.database}_{name}"
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{copy}" WITH (FORCE)')
            connection.exec_driver_sql(f'CREATE DATABASE "{copy}" TEMPLATE "{template.database}"')
        instance_path = tmp_path_factory.mktemp(f"instance-{name}") / "instance"
        shutil.copytree(world_database.instance_path, instance_path)
        app = make_app(template.set(database=copy).render_as_string(hide_password=False),
                       instance_path, **config)
        made.append((app, copy))
        return app

    yield factory
    for app, copy in made:
        with app.app_context():
            db.engine.dispose()
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{copy}" WITH (FORCE)')
    admin.dispose()
