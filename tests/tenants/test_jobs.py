"""Jobs are declared with their queue, handed on only after the commit, and run in their town."""
from __future__ import annotations

import logging

import pytest
from rq import Queue

from tenants import jobs
from tenants.context import tenant_context
from tenants.current import current_tenant, current_tenant_or_none
from tenants.db import db
from tenants.redis_link import redis_connection
from tests.conftest import free_port, make_app

seen: list[tuple[str | None, tuple]] = []


@jobs.job("default")
def remember(*ids):
    """A job that notes where it ran and with what."""
    town = current_tenant_or_none()
    seen.append((town.slug if town else None, ids))


def not_a_job(*ids):
    pass


@pytest.fixture
def redis_app(database_url, fresh_redis, tmp_path):
    application = make_app(database_url, tmp_path, REDIS_URL=fresh_redis.url)
    yield application
    with application.app_context():
        db.engine.dispose()


@pytest.fixture(autouse=True)
def forget_seen():
    seen.clear()


def default_queue(redis_server) -> Queue:
    return Queue("default", connection=redis_server.client())


def test_without_redis_a_job_runs_in_process_after_the_commit_inside_its_town(app, towns):
    with app.app_context(), tenant_context(towns.a):
        jobs.enqueue_after_commit(remember, 7, 8)
        assert seen == []  # never before the commit
        db.session.commit()
    assert seen == [(towns.a.slug, (7, 8))]


def test_a_rolled_back_transaction_drops_its_jobs(app, towns):
    with app.app_context(), tenant_context(towns.a):
        jobs.enqueue_after_commit(remember, 1)
        db.session.rollback()
        db.session.commit()
    assert seen == []


def test_a_savepoint_commit_does_not_hand_the_job_on(app, towns):
    with app.app_context(), tenant_context(towns.b):
        with db.session.begin_nested():
            jobs.enqueue_after_commit(remember, 2)
        assert seen == []
        db.session.commit()
    assert seen == [(towns.b.slug, (2,))]


def test_with_redis_the_job_is_queued_after_the_commit_with_plain_ids(redis_app, towns,
                                                                        fresh_redis):
    with redis_app.app_context(), tenant_context(towns.a):
        jobs.enqueue_after_commit(remember, 7)
        assert default_queue(fresh_redis).count == 0
        db.session.commit()
    [queued] = default_queue(fresh_redis).jobs
    assert queued.func_name == "tenants.jobs.run_job"
    assert queued.args == ("tests.tenants.test_jobs:remember", towns.a.id, 7)
    assert queued.id == f"remember-town{towns.a.id}-7"
    assert seen == []  # a worker runs it, not this process


def test_outside_towns_the_job_carries_no_town(redis_app, fresh_redis):
    with redis_app.app_context():
        jobs.enqueue_after_commit(remember, 3)
        db.session.commit()
    [queued] = default_queue(fresh_redis).jobs
    assert queued.args == ("tests.tenants.test_jobs:remember", None, 3)


def test_the_runner_re_enters_the_town_the_job_carries(app, towns):
    jobs.run_job("tests.tenants.test_jobs:remember", towns.b.id, 5, app=app)
    jobs.run_job("tests.tenants.test_jobs:remember", None, 6, app=app)
    assert seen == [(towns.b.slug, (5,)), (None, (6,))]
    assert current_tenant_or_none() is None  # nothing leaks out of the runner


def test_a_job_of_a_deleted_town_is_skipped(app):
    jobs.run_job("tests.tenants.test_jobs:remember", 987654, 1, app=app)
    assert seen == []


def test_redis_down_at_commit_time_does_not_fail_the_commit(database_url, tmp_path, towns,
                                                           caplog):
    offline = make_app(database_url, tmp_path, REDIS_URL=f"redis://127.0.0.1:{free_port()}/0")
    with offline.app_context(), tenant_context(towns.a), caplog.at_level(logging.WARNING):
        jobs.enqueue_after_commit(remember, 9)
        db.session.commit()
        assert current_tenant().slug == towns.a.slug
    assert seen == []
    assert "Redis unavailable, job remember-town" in caplog.text
    with offline.app_context():
        db.engine.dispose()


def test_a_waiting_job_is_not_queued_twice_by_a_relay(redis_app, fresh_redis):
    with redis_app.app_context():
        assert jobs.enqueue_now(remember, 4, skip_if_waiting=True)
        assert not jobs.enqueue_now(remember, 4, skip_if_waiting=True)
    assert default_queue(fresh_redis).count == 1


def test_only_declared_jobs_on_known_queues_are_accepted(app):
    with pytest.raises(ValueError, match="Unknown queue"):
        jobs.job("mails")
    with app.app_context(), pytest.raises(TypeError, match="@job"):
        jobs.enqueue_after_commit(not_a_job, 1)
    with pytest.raises(TypeError, match="@job"):
        jobs.run_job("tests.tenants.test_jobs:not_a_job", None, app=app)


def test_the_worker_command_asks_for_redis_when_it_is_not_set(app):
    result = app.test_cli_runner().invoke(args=["jobs", "worker", "--burst"])
    assert result.exit_code == 2 and "REDIS_URL is not set" in result.output


def test_of_several_workers_only_one_relays_per_interval(redis_app, fresh_redis):
    from tenants.jobs_cli import QuartierWorker

    connection = redis_connection(redis_app)
    first, second = (QuartierWorker(list(jobs.QUEUES), connection=connection, app=redis_app,
                                    relay_interval=30) for _ in range(2))
    assert first._take_relay_turn()
    assert not second._take_relay_turn()
    assert second.dequeue_timeout == 30  # an idle worker wakes up for its next relay turn


def test_a_town_behind_on_migrations_does_not_stop_the_relay_for_the_others(app, towns,
                                                                           caplog):
    from email.utils import make_msgid

    from blueprints.mail.models import TownOutboxMail
    from blueprints.mail.services import relay_waiting_mails
    from tenants import services as tenant_services
    from tenants.migrations import downgrade_town
    from tests.conftest import unique

    with app.app_context():
        behind = tenant_services.create_tenant(unique("aue"), "Aue")  # listed before Beetzdorf
        downgrade_town(db.engine, behind.schema_name, "t0001")  # no town outbox yet
        with tenant_context(towns.b):  # a mail left waiting, as after a Redis outage
            waiting = TownOutboxMail(message_id=make_msgid(), to_address="x@example.org",
                                     subject="Wartet", text_body="-", html_body="-")
            db.session.add(waiting)
            db.session.commit()
            waiting_id = waiting.id
        try:
            assert relay_waiting_mails(older_than_seconds=0) >= 1
            assert f"Relaying the outbox of {behind.slug} failed" in caplog.text
            with tenant_context(towns.b):  # relayed: delivered in-process to the dev outbox
                assert db.session.get(TownOutboxMail, waiting_id).status == "stored"
        finally:
            tenant_services.delete_tenant(behind.slug)
