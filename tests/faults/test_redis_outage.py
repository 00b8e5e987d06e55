"""Run (a): Redis stopped and started again while visitors submit forms and API calls.

gunicorn with 2 workers (``wsgi:app``, rate limits on and counted in Redis),
a real ``flask jobs worker`` running throughout, an aiosmtpd server. Every
kind of public submission that stores something goes in twice with Redis up,
twice with it stopped and twice after it is back: each answers as with
Redis up (no 500, no 429 from a dead limiter), each is stored, and every
mail it causes arrives exactly once.
"""
from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext

import pytest
import requests

from tests.blueprints.mail.conftest import GatedCollector
from tests.conftest import make_app
from tests.faults.conftest import Visitor
from tests.faults.figures import count_mails
from tests.faults.servers import Gunicorn, StoppableSmtp, app_environment
from tests.faults.submissions import (
    CONFIRMED_PER_ROUND,
    EVERY_KIND,
    UNCONFIRMED_PER_ROUND,
    make_accounts,
    missing_rows,
)
from tests.workers import running_worker, wait_for

pytestmark = pytest.mark.faults
ROUNDS_PER_PHASE = 2
PHASES = ("Redis up", "Redis stopped", "Redis back")
SETTLE_SECONDS = 2.5  # the worker relays every second: time enough for a duplicate to appear


def readiness_of_every_worker(server: Gunicorn, phase: str) -> dict[int, tuple[int, list[str]]]:
    """Ask /readyz until each gunicorn worker has answered: worker pid → (status, what fails).

    The probes go out four at a time, so that an idle worker does not win every accept."""
    answers: dict[int, tuple[int, list[str]]] = {}

    def ask(probe: str) -> tuple[str, requests.Response]:
        return probe, requests.get(server.url + "/readyz", headers={"X-Probe": probe}, timeout=10)

    with ThreadPoolExecutor(max_workers=4) as pool:
        for batch in range(15):
            probes = [f"ready-{phase.replace(' ', '-')}-{batch}-{n}" for n in range(4)]
            for probe, answer in pool.map(ask, probes):
                worker = wait_for(lambda probe=probe: server.worker_of_probe().get(probe), timeout=5,
                                  message=f"the access log line of {probe}")
                answers[worker] = (answer.status_code, answer.json().get("failing", []))
            if len(answers) == server.workers:
                break
    return answers


def test_redis_stopped_and_started_during_submissions(world_copy, own_redis, tmp_path,
                                                      record_figures):
    figures = record_figures("(a) Redis stopped and started during submissions")
    app = make_app(world_copy.database_url, world_copy.instance_path)
    rounds = ROUNDS_PER_PHASE * len(PHASES)
    accounts = make_accounts(app, confirmed=CONFIRMED_PER_ROUND * rounds,
                             unconfirmed=UNCONFIRMED_PER_ROUND * rounds)
    collector = GatedCollector()
    smtp = StoppableSmtp(collector).start()
    environment = app_environment(world_copy.database_url, world_copy.instance_path,
                                  own_redis.url, smtp.url)
    server = Gunicorn(environment, tmp_path / "gunicorn.log", app="wsgi:app")
    submissions, readiness_down, readiness_back = [], {}, {}
    try:
        server.start()
        with running_worker(environment, tmp_path / "worker.log") as through_outage:
            for phase in PHASES:
                if phase == "Redis stopped":
                    own_redis.stop()
                    readiness_down = readiness_of_every_worker(server, phase)
                elif phase == "Redis back":
                    own_redis.start()
                    wait_for(lambda: requests.get(server.url + "/readyz", timeout=10).ok, timeout=15,
                             message="/readyz answering 200 again")
                    readiness_back = readiness_of_every_worker(server, phase)
                for _ in range(ROUNDS_PER_PHASE):
                    for submit in EVERY_KIND:
                        submissions.append(submit(Visitor(server.url), phase, world_copy.ids, accounts))
            worker_survived = through_outage.poll() is None
            expected = [s.mail_to for s in submissions if s.mail_to]
            # A worker that died is replaced, as a supervisor would, so the mails are still counted.
            with nullcontext() if worker_survived else \
                    running_worker(environment, tmp_path / "replacement-worker.log"):
                try:
                    wait_for(lambda: count_mails(expected, collector.messages).delivered == len(expected),
                             timeout=60, interval=0.2, message="every expected mail")
                except AssertionError:
                    pass  # counted and reported below
                time.sleep(SETTLE_SECONDS)
    finally:
        server.stop()
        smtp.stop()
    mails = count_mails(expected, collector.messages)
    wrong = [f"{s.kind} ({s.phase}): {s.status}, not {s.expected_status}"
             for s in submissions if not s.answered_as_expected]
    after = [s for s in submissions if s.phase == "Redis back"]
    figures.mails, figures.requests = mails, len(submissions)
    figures.failed_after_recovery = sum(not s.answered_as_expected for s in after)
    figures.notes.append(f"{sum(s.phase == 'Redis stopped' for s in submissions)} submissions "
                         f"while Redis was down, {sum(not s.answered_as_expected for s in submissions)} "
                         "answered otherwise than with Redis up")
    if not worker_survived:
        figures.notes.append("the worker running through the outage DIED; a replacement delivered")
    assert not wrong, "Answers differ from those with Redis up:\n" + "\n".join(wrong) + \
        "\n" + server.error_excerpt()
    assert len(readiness_down) == 2 and all(status == 503 and "redis" in failing for status, failing
                                            in readiness_down.values()), readiness_down
    assert len(readiness_back) == 2 and all(status == 200 for status, _ in readiness_back.values()), \
        readiness_back
    assert missing_rows(app, submissions) == []
    assert (mails.lost, mails.doubled) == (0, 0), f"missing: {mails.missing}"
    assert worker_survived, (
        "DEFECT: `flask jobs worker` quits when Redis goes away while it runs a job (RQ's "
        "monitor_work_horse raises redis ConnectionError, 'found an unhandled exception, quitting'), "
        "so after the outage no worker delivers until one is started again; README says workers "
        "reconnect by themselves. Its log:\n" + worker_log_excerpt(tmp_path / "worker.log"))


def worker_log_excerpt(path) -> str:
    """Where the worker quit: the line that says so, RQ's frames and the errors raised."""
    lines = path.read_text(errors="replace").splitlines()
    start = next((n for n, line in enumerate(lines) if "quitting" in line), max(len(lines) - 20, 0))
    kept = [line for line in lines[start:start + 80]
            if "quitting" in line or "site-packages/rq/" in line or "Error" in line]
    return "\n".join(kept[:20])
