"""Run (d): PostgreSQL restarted under load, on a cluster the run starts itself.

``initdb`` into a temporary directory and ``pg_ctl`` on a free port (as the
postgres user when root), the demo towns loaded, gunicorn with 2 workers and
a ``flask jobs worker`` on it. Three visitors ask for public pages and API
reads and send forms (the newsletter form, event registrations through the
API) while ``pg_ctl restart -m fast`` ends every session. During the restart
an answer may be 503 (with Retry-After), never 500; from the moment the
cluster accepts connections again, every request succeeds, without
restarting gunicorn or the worker, and every mail of an accepted form
arrives exactly once.
"""
from __future__ import annotations

import itertools
import threading
import time
from contextlib import nullcontext
from dataclasses import dataclass

import pytest
import requests
from sqlalchemy import create_engine, text

from tests.blueprints.mail.conftest import GatedCollector
from tests.conftest import unique
from tests.faults.conftest import Visitor, load_demo_world
from tests.faults.figures import count_mails
from tests.faults.servers import Gunicorn, PostgresCluster, StoppableSmtp, app_environment
from tests.workers import running_worker, wait_for

pytestmark = pytest.mark.faults
TOWN = "stollberg"
VISITORS = 3
BEFORE_SECONDS, AFTER_SECONDS = 3.0, 4.0
SETTLE_SECONDS = 2.5
# Many form posts from one address: the run measures outages, not the rate limit.
RAISED_LIMITS = {"APPLICATION_RATE_LIMIT": "100000 per hour"}


@dataclass(frozen=True)
class Answer:
    kind: str
    started: float
    ended: float
    status: int  # 0: no HTTP answer
    expected: int
    retry_after: str | None
    mail_to: str | None


def visit(base_url: str, ids, stop: threading.Event, answers: list) -> None:
    """Pages and API reads, and now and then one of two forms, until ``stop``."""
    visitor = Visitor(base_url)
    token = visitor.get(f"/{TOWN}/newsletter").text.split('name="csrf_token"', 1)[1].split('value="')[1]
    token = token.split('"', 1)[0]
    event = ids.event_with_registration
    reads = [("home", f"/{TOWN}/"), ("listing", f"/{TOWN}/leerstand"),
             ("API units", f"/{TOWN}/api/v1/units"), ("calendar", f"/{TOWN}/veranstaltungen"),
             ("API events", f"/{TOWN}/api/v1/events")]
    # Mostly reads: one worker sends one mail per job, and must keep up for the run to stay short.
    for step in itertools.cycle(("read",) * 3 + ("newsletter",) + ("read",) * 3 + ("registration",)):
        if stop.is_set():
            return
        mail_to, started = None, time.monotonic()
        try:
            if step == "read":
                kind, path = reads[int(started * 1000) % len(reads)]
                response, expected = visitor.get(path), 200
            elif step == "newsletter":
                kind, mail_to, expected = "newsletter form", f"{unique('leser')}@example.org", 200
                response = visitor.session.post(base_url + f"/{TOWN}/newsletter", timeout=30, data={
                    "email": mail_to, "lists": "residents", "consent": "y", "csrf_token": token})
            else:
                kind, mail_to, expected = "API registration", f"{unique('gast')}@example.org", 201
                response = visitor.post_json(f"/{TOWN}/api/v1/events/{event}/registrations",
                                             {"name": "Gina Gast", "email": mail_to, "consent": True})
            status, retry_after = response.status_code, response.headers.get("Retry-After")
        except requests.RequestException:
            status, retry_after = 0, None
        answers.append(Answer(kind, started, time.monotonic(), status, expected, retry_after, mail_to))


def postmaster_started(url: str) -> str:
    engine = create_engine(url)
    with engine.connect() as connection:
        started = str(connection.execute(text("SELECT pg_postmaster_start_time()")).scalar())
    engine.dispose()
    return started


def test_postgresql_restarted_under_load(own_redis, tmp_path, record_figures):
    figures = record_figures("(d) PostgreSQL restarted under load")
    cluster = PostgresCluster().init()
    collector = GatedCollector()
    smtp = StoppableSmtp(collector).start()
    answers: list[Answer] = []
    stop = threading.Event()
    server = None
    try:
        cluster.start()
        database_url = cluster.create_database("quartier")
        instance = tmp_path / "instance"
        ids = load_demo_world(database_url, instance)
        # A mail that could not be claimed while the database was away is tried again a second later.
        environment = app_environment(database_url, instance, own_redis.url, smtp.url,
                                      mail_retry_max=5, mail_retry_intervals=1)
        server = Gunicorn(environment, tmp_path / "gunicorn.log", overrides=RAISED_LIMITS).start()
        with running_worker(environment, tmp_path / "worker.log") as through_restart:
            visitors = [threading.Thread(target=visit, args=(server.url, ids, stop, answers))
                        for _ in range(VISITORS)]
            for thread in visitors:
                thread.start()
            time.sleep(BEFORE_SECONDS)
            started_before = postmaster_started(cluster.admin_url)
            restart_began = time.monotonic()
            cluster.restart()
            back = time.monotonic()
            time.sleep(AFTER_SECONDS)
            stop.set()
            for thread in visitors:
                thread.join()
            restarted = postmaster_started(cluster.admin_url) != started_before
            worker_survived = through_restart.poll() is None
            accepted = [a.mail_to for a in answers if a.mail_to and a.status == a.expected]
            with nullcontext() if worker_survived else \
                    running_worker(environment, tmp_path / "replacement-worker.log"):
                try:
                    wait_for(lambda: count_mails(accepted, collector.messages).delivered == len(accepted),
                             timeout=60, interval=0.2, message="every mail of an accepted form")
                except AssertionError:
                    pass  # counted and reported below
                time.sleep(SETTLE_SECONDS)
    finally:
        stop.set()
        if server is not None:
            server.stop()
        smtp.stop()
        cluster.remove()
    mails = count_mails(accepted, collector.messages)
    refused = [a.mail_to for a in answers if a.mail_to and a.status != a.expected]
    after = [a for a in answers if a.started >= back]
    failed_after = [a for a in after if a.status != a.expected]
    unavailable = [a for a in answers if a.status == 503]
    figures.mails, figures.requests = mails, len(answers)
    figures.failed_after_recovery = len(failed_after)
    figures.notes += [f"restart took {back - restart_began:.1f} s",
                      f"{len(unavailable)} × 503 during it, {sum(a.status >= 500 and a.status != 503 for a in answers)}"
                      " other 5xx", f"{len(after)} requests after it"]
    if not worker_survived:
        figures.notes.append("the worker running through the restart DIED; a replacement delivered")
    assert restarted, "the cluster was not restarted"
    server_errors = [a for a in answers if a.status >= 500 and a.status != 503 or a.status == 0]
    assert server_errors == [], (
        f"DEFECT: {len(server_errors)} answer(s) 5xx other than 503 or none during the restart, e.g. "
        f"{server_errors[0].kind} {server_errors[0].status}. Seen so far: PostgreSQL ends the connection "
        "after the view ran, Flask-SQLAlchemy's teardown (session.remove() → rollback) raises "
        "OperationalError outside the error handlers, and gunicorn answers 500 ('Error handling "
        "request'). The log:\n" + server.error_excerpt())
    assert all(a.retry_after for a in unavailable), "a 503 without Retry-After"
    assert failed_after == [], f"after the restart: {failed_after[:5]}"
    assert min((a.started for a in after), default=None) is not None, "no request after the restart"
    assert mails.lost == 0, f"missing: {mails.missing}"
    assert mails.doubled == 0, (
        f"DEFECT: {mails.doubled} mail(s) sent twice. A job that had the mail accepted by the SMTP "
        "server while PostgreSQL restarted could not commit it as sent (the UPDATE … SET status='sent' "
        "fails with AdminShutdown, blueprints/mail/jobs.py _send / _send_part_mail); the job raised, "
        "RQ tried again and sent the same Message-ID a second time. README promises no outage doubles "
        "a mail. The worker's log:\n" + sent_twice_excerpt(tmp_path / "worker.log"))
    assert count_mails(refused, collector.messages).delivered == 0, "a refused form sent its mail"
    assert worker_survived, "DEFECT: the worker died when PostgreSQL restarted:\n" + \
        (tmp_path / "worker.log").read_text(errors="replace")[-3000:]


def sent_twice_excerpt(path) -> str:
    """The worker's lines about a mail whose 'sent' could not be committed."""
    lines = path.read_text(errors="replace").splitlines()
    return "\n".join(line for line in lines
                     if "SET status" in line or "AdminShutdown" in line or "retry" in line)[:3000]
