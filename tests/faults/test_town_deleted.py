"""Run (e): ``flask tenants delete SLUG --yes`` while gunicorn's two workers serve the town.

Pollers ask for the town's public pages, its API, its feed and (signed in as
its manager) its staff pages; the deletion runs as a real subprocess. No
answer may be a 500, during or after; within a second after the command
returns, every worker answers 404 for the town and nothing else.
"""
from __future__ import annotations

import itertools
import subprocess
import threading
import time
from dataclasses import dataclass

import pytest
import requests

from tests.faults.conftest import DEMO_MANAGER, DEMO_PASSWORD, Visitor
from tests.faults.servers import ROOT, Gunicorn, app_environment
from tests.workers import FLASK

pytestmark = pytest.mark.faults
TOWN = "stollberg"
POLLERS = 4
BEFORE_SECONDS, AFTER_SECONDS = 1.5, 2.5
WITHIN_SECONDS = 1.0  # every worker answers 404 this soon after the command returned


@dataclass(frozen=True)
class Answer:
    probe: str
    path: str
    started: float
    ended: float
    status: int  # 0: no HTTP answer at all


def town_paths(unit_id: int) -> list[str]:
    return [f"/{TOWN}/", f"/{TOWN}/leerstand", f"/{TOWN}/leerstand/{unit_id}",
            f"/{TOWN}/veranstaltungen", f"/{TOWN}/veranstaltungen.ics", f"/{TOWN}/api/v1/units",
            f"/{TOWN}/api/v1/events", f"/{TOWN}/verwaltung/", f"/{TOWN}/verwaltung/leerstand/"]


def poll(session: requests.Session, base_url: str, paths, number: int, stop: threading.Event,
         answers: list) -> None:
    """Ask for the paths in turn until ``stop``; every request on a new connection."""
    probes = (f"p{number}-{count}" for count in itertools.count())
    for path in itertools.cycle(paths):
        if stop.is_set():
            return
        probe, started = next(probes), time.monotonic()
        try:
            status = session.get(base_url + path, headers={"X-Probe": probe, "Connection": "close"},
                                 timeout=10, allow_redirects=False).status_code
        except requests.RequestException:
            status = 0
        answers.append(Answer(probe, path, started, time.monotonic(), status))


def test_a_deleted_town_answers_404_in_every_worker_and_never_500(world_copy, own_redis, tmp_path,
                                                                 record_figures):
    figures = record_figures("(e) flask tenants delete while 2 workers serve the town")
    environment = app_environment(world_copy.database_url, world_copy.instance_path,
                                  own_redis.url, None)
    server = Gunicorn(environment, tmp_path / "gunicorn.log", app="wsgi:app").start()
    answers: list[Answer] = []
    stop = threading.Event()
    try:
        sessions = []
        for _ in range(POLLERS):
            staff = Visitor(server.url)
            assert staff.sign_in(DEMO_MANAGER, DEMO_PASSWORD).status_code == 302
            sessions.append(staff.session)
        paths = town_paths(world_copy.ids.listed_unit)
        pollers = [threading.Thread(target=poll, args=(session, server.url, paths[n:] + paths[:n], n,
                                                       stop, answers))
                   for n, session in enumerate(sessions)]
        for poller in pollers:
            poller.start()
        time.sleep(BEFORE_SECONDS)
        command_started = time.monotonic()
        deletion = subprocess.run([str(FLASK), "--app", "wsgi", "tenants", "delete", TOWN, "--yes"],
                                  cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60)
        returned = time.monotonic()
        time.sleep(AFTER_SECONDS)
        stop.set()
        for poller in pollers:
            poller.join()
    finally:
        stop.set()
        server.stop()
    assert deletion.returncode == 0, deletion.stdout + deletion.stderr
    worker_of = server.worker_of_probe()
    errors = [a for a in answers if a.status >= 500 or a.status == 0]
    settled = [a for a in answers if a.started >= returned + WITHIN_SECONDS]
    stale = [a for a in answers if a.started >= returned and a.status != 404]
    figures.requests = len(answers)
    figures.failed_after_recovery = sum(a.status != 404 for a in settled)
    figures.notes += [
        f"command took {returned - command_started:.1f} s",
        f"{sum(a.status >= 500 for a in answers)} × 5xx, {sum(a.status == 0 for a in answers)} without answer",
        f"last answer other than 404 {max((a.ended for a in stale), default=returned) - returned:+.2f} s "
        "after the command returned"]
    assert errors == [], f"{len(errors)} answers were 5xx or none at all, e.g. " + ", ".join(
        f"{a.path} {a.status} at {a.started - command_started:+.2f} s" for a in errors[:8]) + \
        "\n" + server.error_excerpt()
    assert {a.status for a in answers if a.ended < command_started} <= {200}, "before the deletion"
    assert [a for a in settled if a.status != 404] == []
    workers_settled = {worker_of.get(a.probe) for a in settled}
    assert len(workers_settled - {None}) == 2, f"404s came from workers {workers_settled}, not both"
    assert max((a.ended for a in stale), default=returned) - returned <= WITHIN_SECONDS, stale[-5:]
