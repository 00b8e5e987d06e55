"""A connection PostgreSQL ends while a request runs costs that request nothing more.

What a restart or failover does to a request in flight, for real: the
request's backend is terminated (``pg_terminate_backend``) after its query,
before the session is cleaned up at the end of the request.
"""
from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

from tenants.db import db
from tests.conftest import make_app


@pytest.fixture
def postgres_app(app, backend):
    if backend != "postgresql":
        pytest.skip("the backend of a connection is a PostgreSQL notion")
    return app


def test_a_page_whose_connection_was_ended_still_gets_its_answer(postgres_app, database_url):
    admin = create_engine(database_url, isolation_level="AUTOCOMMIT")
    with postgres_app.test_request_context("/"):
        backend_pid = db.session.execute(text("SELECT pg_backend_pid()")).scalar()
        with admin.connect() as connection:
            connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": backend_pid})
        # Leaving the request context runs the teardown: the rollback meets a dead connection.
    admin.dispose()
    with postgres_app.app_context():
        assert db.session.execute(text("SELECT 1")).scalar() == 1  # the pool has a live one


def test_a_cached_page_whose_first_query_fails_is_served_from_a_new_connection(
        backend, database_url, tmp_path, towns):
    """The visitors' cache asks the calendar's stamp first; when that query meets a connection
    PostgreSQL has ended, the page is still rendered, on a fresh connection, not a 500."""
    if backend != "postgresql":
        pytest.skip("the backend of a connection is a PostgreSQL notion")
    # One pooled connection, not checked before use: the next request gets the ended one.
    app = make_app(database_url, tmp_path / "instance",
                   SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": False, "pool_size": 1, "max_overflow": 0},
                   TENANT_REGISTRY_CHECK_SECONDS=3600)  # the stamp is the first to ask
    client = app.test_client()
    calendar = f"/{towns.a.slug}/veranstaltungen"
    assert client.get(calendar).status_code == 200
    with app.app_context():
        backend_pid = db.session.execute(text("SELECT pg_backend_pid()")).scalar()
        db.session.remove()
    admin = create_engine(database_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": backend_pid})
    admin.dispose()
    response = app.test_client().get(calendar + "?kategorie=culture")
    assert response.status_code == 200 and "Veranstaltungen in" in response.text
    with app.app_context():
        db.engine.dispose()
