"""``flask jobs …``: the RQ worker with the app's settings, and the relay."""
from __future__ import annotations

import logging
import time

import click
import redis
from flask import current_app
from flask.cli import with_appcontext
from rq import Worker

from tenants.cli_errors import ClearErrors
from tenants.db import db
from tenants.jobs import QUEUES, run_relays, serve_jobs_for
from tenants.redis_link import redis_connection

log = logging.getLogger(__name__)
RQ_HEARTBEAT_GRACE_SECONDS = 60  # what RQ adds to a running job's heartbeat interval
RELAY_LOCK_KEY = "quartier:relay-turn"
REDIS_RETRY_LONGEST_SECONDS = 30.0


@click.group("jobs", cls=ClearErrors, help="Background jobs: run a worker, relay waiting work.")
def cli():
    pass


@cli.command("relay")
@click.option("--older-than", default=10.0, show_default=True,
              help="Only work waiting at least this many seconds (younger is still being queued).")
@with_appcontext
def relay(older_than):
    """Queue the work that waits in the database (e.g. mails from a Redis outage), once."""
    count = run_relays(older_than)
    click.echo(f"{count} waiting job(s) queued.")


@cli.command("worker")
@click.option("--queue", "-q", "queues", multiple=True, default=QUEUES, show_default=True,
              help="A queue to work on (repeatable).")
@click.option("--burst", is_flag=True, help="Quit once the queues are empty.")
@click.option("--worker-ttl", default=420, show_default=True,
              help="Seconds a worker counts as alive after its last heartbeat.")
@click.option("--maintenance-interval", default=60, show_default=True,
              help="Seconds between RQ's registry clean-ups, which recover abandoned jobs.")
@click.option("--job-monitoring-interval", default=30, show_default=True,
              help="Seconds between heartbeats of a running job.")
@click.option("--heartbeat-grace", default=RQ_HEARTBEAT_GRACE_SECONDS, show_default=True,
              help="A running job without heartbeat for the monitoring interval plus this "
                   "many seconds counts as abandoned (its worker died) and runs again.")
@click.option("--relay-interval", default=30.0, show_default=True,
              help="Seconds between relay runs (see `flask jobs relay`).")
@click.option("--relay-older-than", default=10.0, show_default=True,
              help="The relay's --older-than.")
@with_appcontext
def worker(queues, burst, worker_ttl, maintenance_interval, job_monitoring_interval,
           heartbeat_grace, relay_interval, relay_older_than):
    """Start an RQ worker on the app's queues with the app's settings; it also relays."""
    app = current_app._get_current_object()
    if not app.config.get("REDIS_URL"):
        raise click.UsageError("REDIS_URL is not set: workers need Redis. Without it, "
                               "jobs already run in-process after each commit.")
    serve_jobs_for(app)
    connection = redis_connection(app)
    while True:
        quartier_worker = QuartierWorker(
            list(queues), connection=connection, worker_ttl=worker_ttl,
            maintenance_interval=maintenance_interval,
            job_monitoring_interval=job_monitoring_interval, app=app,
            heartbeat_grace=heartbeat_grace, relay_interval=relay_interval,
            relay_older_than=relay_older_than)
        try:
            quartier_worker.work(burst=burst, with_scheduler=True, logging_level="INFO")
        except redis.exceptions.RedisError:  # RQ's teardown talks to Redis as well
            log.warning("Worker %s: Redis went away while it stopped.", quartier_worker.name)
        if burst or quartier_worker._stop_requested:
            return
        # RQ quits on any error outside a job, e.g. Redis dropping in the middle of
        # one; a mail job is safe to run again (it sends only what is still queued),
        # so this process waits for Redis and goes on, as a supervisor would restart it.
        time.sleep(1)
        wait_for_redis(connection)


def redis_answers(connection) -> bool:
    try:
        return bool(connection.ping())
    except redis.exceptions.RedisError:
        return False


def wait_for_redis(connection, *, longest_pause: float = REDIS_RETRY_LONGEST_SECONDS) -> None:
    """Ask Redis again after 1, 2, 4 … seconds (at most ``longest_pause``) until it answers."""
    pause = 1.0
    while not redis_answers(connection):
        log.warning("Redis unavailable: the worker tries again in %.0f s.", pause)
        time.sleep(pause)
        pause = min(pause * 2, longest_pause)
    log.info("Redis is back: the worker goes on.")


class QuartierWorker(Worker):
    """RQ's forking worker, plus the relay in its loop and a configurable heartbeat grace.

    The relay runs in the worker's own loop, never in a thread, so no lock is
    held by another thread when a work horse is forked.
    """

    def __init__(self, queues, *, app, heartbeat_grace: int = RQ_HEARTBEAT_GRACE_SECONDS,
                 relay_interval: float = 30.0, relay_older_than: float = 10.0, **options):
        # Set before RQ's __init__, which already asks for dequeue_timeout.
        self.app = app
        self.heartbeat_grace = heartbeat_grace
        self.relay_interval = relay_interval
        self.relay_older_than = relay_older_than
        self.relayed_at = float("-inf")
        super().__init__(queues, **options)

    def get_heartbeat_ttl(self, job) -> int:
        return super().get_heartbeat_ttl(job) - RQ_HEARTBEAT_GRACE_SECONDS + self.heartbeat_grace

    @property
    def dequeue_timeout(self) -> int:
        # An idle worker wakes up in time for its next relay run.
        return max(1, min(self.worker_ttl - 15, int(self.relay_interval)))

    @property
    def should_run_maintenance_tasks(self) -> bool:
        return self._rq_maintenance_due or self._relay_due

    @property
    def _rq_maintenance_due(self) -> bool:
        return Worker.should_run_maintenance_tasks.fget(self)

    @property
    def _relay_due(self) -> bool:
        return time.monotonic() - self.relayed_at >= self.relay_interval

    def run_maintenance_tasks(self):
        if self._rq_maintenance_due:
            super().run_maintenance_tasks()
        if self._relay_due:
            self.relay()

    def relay(self) -> None:
        self.relayed_at = time.monotonic()
        try:
            if not self._take_relay_turn():
                return  # another worker relayed within this interval
            with self.app.app_context():
                count = run_relays(self.relay_older_than)
        except Exception:  # the database may be away for a moment; try again next time
            log.exception("Relay run failed")
            return
        if count:
            log.info("Relay queued %d waiting job(s).", count)

    def _take_relay_turn(self) -> bool:
        # One relay run per interval across all workers: each run reads every town.
        seconds = max(1, int(self.relay_interval))
        return bool(self.connection.set(RELAY_LOCK_KEY, self.name, nx=True, ex=seconds))

    def main_work_horse(self, job, queue):
        # The forked horse must not share the parent's pooled database connections.
        with self.app.app_context():
            db.engine.dispose(close=False)
        super().main_work_horse(job, queue)
