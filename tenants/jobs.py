"""Background jobs: declared with their queue, queued after the commit, run inside their town.

A job is a function decorated with ``@job("emails")``; it takes plain ids,
never ORM objects. ``enqueue_after_commit(func, *ids)`` records the call on
the session together with the current town's id; only when the outermost
transaction commits is it handed on (a rollback drops it):

- with ``REDIS_URL`` to RQ, as ``run_job(name, town_id, *ids)``, which the
  worker runs inside a fresh app context and the job's own town;
- without ``REDIS_URL`` to the very same ``run_job``, in this process.

If Redis cannot be reached at commit time the caller's change still stands:
the failure is logged, and the job's own records must let a relay queue it
later (the mail outbox does).
"""
from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from dataclasses import dataclass

import redis
from flask import Flask, current_app, has_app_context, has_request_context
from rq import Queue, Retry
from rq.job import Job, JobStatus
from sqlalchemy import event
from sqlalchemy.exc import SQLAlchemyError

from tenants.context import tenant_context
from tenants.current import current_tenant_or_none
from tenants.db import TenantAwareSession, db
from tenants.redis_link import redis_connection, redis_failed, redis_is_down

QUEUES = ("emails", "default")
PENDING_KEY = "quartier.pending_jobs"
STILL_WAITING = {status.value for status in (JobStatus.QUEUED, JobStatus.STARTED,
                                           JobStatus.SCHEDULED, JobStatus.DEFERRED)}
log = logging.getLogger(__name__)


def job(queue: str = "default", *, retry_setting: str | None = None, timeout: int = 180):
    """Declare a background job and the queue it runs on.

    ``retry_setting="MAIL_RETRY"`` makes RQ retry a failing job as the app's
    ``MAIL_RETRY_MAX`` and ``MAIL_RETRY_INTERVALS`` say.
    """
    if queue not in QUEUES:
        raise ValueError(f"Unknown queue {queue!r}: use one of {', '.join(QUEUES)}.")

    def declare(func):
        func.job_queue = queue
        func.job_retry_setting = retry_setting
        func.job_timeout = timeout
        return func

    return declare


@dataclass(frozen=True)
class JobCall:
    """One call of a job: what the queue carries, plain values only."""

    name: str  # "module:function"
    queue: str
    town_id: int | None
    ids: tuple

    @property
    def job_id(self) -> str:
        # Stable, so a relay can see whether the same call is still waiting.
        scope = "public" if self.town_id is None else f"town{self.town_id}"
        return "-".join((self.name.rpartition(":")[2], scope, *map(str, self.ids)))


def job_call(func, *ids) -> JobCall:
    if not hasattr(func, "job_queue"):
        raise TypeError(f"{func.__qualname__} is not declared with @job(...).")
    town = current_tenant_or_none()
    return JobCall(f"{func.__module__}:{func.__qualname__}", func.job_queue,
                   town.id if town else None, tuple(ids))


def enqueue_after_commit(func, *ids) -> None:
    """Run ``func(*ids)`` in the current town once the session's transaction commits."""
    session = db.session()
    if not session.in_transaction():
        # Begin now, so that a rollback before any statement still drops the job.
        session.begin()
    session.info.setdefault(PENDING_KEY, []).append(job_call(func, *ids))


def enqueue_now(func, *ids, skip_if_waiting: bool = False) -> bool:
    """Hand ``func(*ids)`` on at once (for data already committed); False if not queued."""
    return dispatch(job_call(func, *ids), skip_if_waiting=skip_if_waiting)


# --- relays: work left in the database while Redis was away ------------------------

_relays: list = []


def relay(func):
    """Register ``func(older_than_seconds) -> int``: queue work that waits in the database."""
    _relays.append(func)
    return func


def run_relays(older_than_seconds: float) -> int:
    """Run every registered relay; return how many jobs they queued."""
    return sum(func(older_than_seconds) for func in _relays)


def in_every_town(relay_one_town: Callable[[], int], what: str) -> int:
    """Run ``relay_one_town()`` inside each town's context; a town that fails does not stop the rest."""
    queued = 0
    for town in current_app.extensions["quartier_registry"].all():
        if not town.is_active and town.status != "suspended":
            continue  # being created or deleted: its schema is not there to read
        with tenant_context(town):
            try:
                queued += relay_one_town()
            except SQLAlchemyError:  # e.g. not yet migrated: the other towns still go
                log.exception("Relaying %s of %s failed", what, town.slug)
                db.session.rollback()
    return queued


# --- after the commit ----------------------------------------------------------

@event.listens_for(TenantAwareSession, "after_commit")
def _dispatch_after_commit(session):
    if session.in_nested_transaction():
        return  # only a savepoint: the caller's transaction is still open
    for call in session.info.pop(PENDING_KEY, ()):
        dispatch(call)


@event.listens_for(TenantAwareSession, "after_transaction_end")
def _forget_rolled_back_jobs(session, transaction):
    if transaction.parent is None:  # the whole transaction ended without a commit
        session.info.pop(PENDING_KEY, None)


def dispatch(call: JobCall, skip_if_waiting: bool = False) -> bool:
    """Queue ``call`` on RQ, or run it here when there is no Redis; never raise."""
    app = current_app._get_current_object()
    if not app.config.get("REDIS_URL"):
        run_in_process(app, call)
        return True
    if has_request_context() and redis_is_down(app):
        return False  # failed a moment ago: no request waits for it again; the relay queues it later
    try:
        return _enqueue(app, call, skip_if_waiting)
    except redis.exceptions.RedisError as exc:
        # The caller's change is committed; the job's records let a relay retry.
        log.warning("Redis unavailable, job %s not queued: %s", call.job_id, exc)
        redis_failed(app, exc)
        return False


def run_in_process(app: Flask, call: JobCall) -> None:
    try:
        run_job(call.name, call.town_id, *call.ids, app=app)
    except Exception:
        log.exception("Job %s failed in-process.", call.job_id)


def _enqueue(app: Flask, call: JobCall, skip_if_waiting: bool) -> bool:
    connection = redis_connection(app)
    if skip_if_waiting and _is_waiting(call.job_id, connection):
        return False
    func = load_job(call.name)
    Queue(call.queue, connection=connection).enqueue_call(
        "tenants.jobs.run_job", args=(call.name, call.town_id, *call.ids),
        job_id=call.job_id, timeout=func.job_timeout, retry=_retry_for(app, func),
        description=f"{call.name}{call.ids} in town {call.town_id or '(none)'}")
    return True


def _is_waiting(job_id: str, connection) -> bool:
    status = connection.hget(Job.key_for(job_id), "status")
    return status is not None and status.decode() in STILL_WAITING


def _retry_for(app: Flask, func) -> Retry | None:
    setting = func.job_retry_setting
    if not setting or app.config.get(f"{setting}_MAX", 0) <= 0:
        return None
    return Retry(max=app.config[f"{setting}_MAX"], interval=list(app.config[f"{setting}_INTERVALS"]))


# --- in the worker ---------------------------------------------------------------

def load_job(name: str):
    module, _, qualname = name.partition(":")
    func = getattr(importlib.import_module(module), qualname)
    if not hasattr(func, "job_queue"):
        raise TypeError(f"{name} is not declared with @job(...); refusing to run it.")
    return func


def run_job(name: str, town_id: int | None, *ids, app: Flask | None = None):
    """Call a job inside a fresh app context (so a fresh session) and its own town."""
    app = app or worker_app()
    with app.app_context():
        func = load_job(name)
        if town_id is None:
            return func(*ids)
        town = app.extensions["quartier_registry"].by_id(town_id)
        if town is None or town.status == "deleting":
            log.warning("Job %s skipped: town %s no longer exists.", name, town_id)
            return None
        with tenant_context(town):
            return func(*ids)


_worker_app: Flask | None = None


def serve_jobs_for(app: Flask) -> None:
    """Make ``app`` the one this worker process (and its forked work horses) runs jobs in."""
    global _worker_app
    _worker_app = app


def worker_app() -> Flask:
    if _worker_app is not None:
        return _worker_app
    if has_app_context():
        return current_app._get_current_object()
    raise RuntimeError("No app to run jobs in: start workers with `flask jobs worker`.")
