"""Every process sees a change of the town registry within a second (tenants/registry.py).

Each app below has its own registry snapshot, as each gunicorn worker and
each host has: they share nothing but the database.
"""
from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from tenants import migrations
from tenants import services as tenant_services
from tenants.db import db
from tests.conftest import make_app, unique

PRODUCTION_CHECK_SECONDS = 0.5
PATHS = ("/", "/leerstand", "/veranstaltungen", "/api/v1/units", "/verwaltung/")


@pytest.fixture
def process(app, database_url):
    """Factory: another process on the same database (and the same town files, on SQLite)."""
    made = []

    def factory(check_seconds: float = PRODUCTION_CHECK_SECONDS):
        other = make_app(database_url, Path(app.instance_path),
                         TENANT_REGISTRY_CHECK_SECONDS=check_seconds)
        made.append(other)
        return other

    yield factory
    for other in made:
        with other.app_context():
            db.engine.dispose()


def create_town(app, slug: str):
    with app.app_context():
        tenant_services.create_tenant(slug, slug.title())
        db.session.remove()


def test_a_deleted_town_answers_404_in_every_process_within_a_second_and_never_500(process):
    deleting, serving = process(), process()
    slug = unique("geht")
    create_town(deleting, slug)
    visitor = serving.test_client()
    assert visitor.get(f"/{slug}/").status_code == 200

    answers: list[tuple[float, int]] = []
    started = time.monotonic()
    deletion = threading.Thread(target=_delete, args=(deleting, slug))
    deletion.start()
    while deletion.is_alive() or time.monotonic() - started < 1.5:
        for path in PATHS:
            answers.append((time.monotonic() - started, visitor.get(f"/{slug}{path}").status_code))
    deletion.join()

    statuses = {status for _, status in answers}
    assert statuses <= {200, 302, 404}, f"other answers than 200/302/404: {sorted(statuses)}"
    last_served = max((at for at, status in answers if status != 404), default=0.0)
    assert last_served < 1.0, f"still served {last_served:.2f} s after the deletion began"
    assert visitor.get(f"/{slug}/").status_code == 404


def _delete(app, slug: str) -> None:
    with app.app_context():
        tenant_services.delete_tenant(slug)
        db.session.remove()


def test_a_new_town_is_served_at_once_by_every_process(process):
    creating, serving = process(), process()
    visitor = serving.test_client()
    slug = unique("neu")
    assert visitor.get(f"/{slug}/").status_code == 404  # unknown: the snapshot is fresh now

    create_town(creating, slug)

    assert visitor.get(f"/{slug}/").status_code == 200


def test_a_suspended_town_answers_404_in_every_process_within_a_second(process):
    changing, serving = process(), process()
    slug = unique("ruht")
    create_town(changing, slug)
    visitor = serving.test_client()
    assert visitor.get(f"/{slug}/leerstand").status_code == 200

    with changing.app_context():
        tenant_services.update_tenant(slug, status="suspended")
        db.session.remove()
    time.sleep(PRODUCTION_CHECK_SECONDS + 0.1)

    assert visitor.get(f"/{slug}/leerstand").status_code == 404


def test_a_request_whose_town_is_dropped_underneath_it_answers_404(process):
    """A worker whose snapshot still holds the town meets its dropped schema: 404, not 500."""
    slug = unique("fort")
    owner = process()
    create_town(owner, slug)
    stale = process(check_seconds=3600)  # this worker will not look at the registry again by itself
    visitor = stale.test_client()
    assert visitor.get(f"/{slug}/leerstand").status_code == 200
    with owner.app_context():
        tenant_services.update_tenant(slug, status="suspended")
        migrations.drop_schema(db.engine, tenant_services.get_tenant(slug).schema_name)
        db.session.remove()

    assert visitor.get(f"/{slug}/leerstand").status_code == 404
    assert visitor.get(f"/{slug}/api/v1/units").status_code == 404
