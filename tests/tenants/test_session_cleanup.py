"""A connection PostgreSQL ends while a request runs costs that request nothing more.

What a restart or failover does to a request in flight, for real: the
request's backend is terminated (``pg_terminate_backend``) after its query,
before the session is cleaned up at the end of the request.
"""
from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

from tenants.db import db


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
