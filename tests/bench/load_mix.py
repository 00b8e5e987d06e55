"""`make load`: mixed traffic against gunicorn for a minute, at 64 connections, with wrk.

    make load                        # or: .venv/bin/python -m tests.bench.load_mix [--seconds 60]

On a scratch PostgreSQL database beside ``TEST_DATABASE_URL`` with the demo
towns (`flask db upgrade`, `flask demo load`), its own redis-server (rate
limits, the visitors' cache, the job queues), gunicorn with
``config/gunicorn.conf.py`` and its default workers. wrk
(``tests/bench/load_mix.lua``) sends, in turn on every connection, the town
home, ``/leerstand``, a unit's page, ``/veranstaltungen``, the ``.ics`` feed,
``/gewerbe``, ``/api/v1/units``, ``/api/v1/events``, a newsletter subscription
through the form (with the CSRF token that each wrk thread fetched once) and
an event registration through the API twin of the form.

The public forms' limit (``APPLICATION_RATE_LIMIT``, 30 an hour per address)
is raised to a million an hour, as every request comes from 127.0.0.1: the
run measures the app, not 429s. No worker runs: the mails wait in the queue.

Measured in the same run on the same server, each alone (the house rule):
``/healthz`` before and after (the baseline, their mean), every kind of the
mix alone for ``--alone-seconds``, then the deliberate mix, with a pause
between runs so that one run's queue has drained before the next begins.
Each figure is shown beside its ratio to ``/healthz``. The run fails on any
error: a status other than 2xx/3xx, a socket error, or a request unanswered
after ``--timeout`` seconds (10 by default: wrk's own 2 s counts the queue
of 64 connections on two sync workers of a shared two-core machine as
errors; gunicorn itself gives a request 30 s). The slowest answer is reported.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import create_engine

from tests.conftest import TEST_DATABASE_URL, free_port, scratch_postgres_database
from tests.faults.servers import Gunicorn, app_environment
from tests.workers import FLASK, RedisServer

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(__file__).with_suffix(".lua")
RESULTS = ROOT / "test-artifacts" / "load_mix.json"
TOWN = "stollberg"
MIX = ("home", "listing", "unit", "calendar", "feed", "directory", "api_units", "api_events",
       "newsletter", "registration")
LABELS = {"healthz": "/healthz", "home": "/stollberg/", "listing": "/stollberg/leerstand",
          "unit": "/stollberg/leerstand/<id>", "calendar": "/stollberg/veranstaltungen",
          "feed": "/stollberg/veranstaltungen.ics", "directory": "/stollberg/gewerbe",
          "api_units": "/stollberg/api/v1/units", "api_events": "/stollberg/api/v1/events",
          "newsletter": "POST /stollberg/newsletter (form)",
          "registration": "POST …/api/v1/events/<id>/registrations", "mix": "the mix (all of the above in turn)"}
RAISED_LIMITS = {"APPLICATION_RATE_LIMIT": "1000000 per hour"}
PAUSE_SECONDS = 3  # between wrk runs: gunicorn still answers what the last one left queued


def prepare(database_url: str, environment: dict) -> tuple[int, int]:
    """`flask db upgrade` and `flask demo load`; the ids of a listed unit and of an event with registration."""
    for command in (["db", "upgrade"], ["demo", "load"]):
        subprocess.run([str(FLASK), "--app", "wsgi", *command], cwd=ROOT, env=environment, check=True,
                       stdout=subprocess.DEVNULL)
    engine = create_engine(database_url)
    with engine.connect() as connection:
        unit = connection.exec_driver_sql(
            f"SELECT id FROM town_{TOWN}.units WHERE reference = 'ST-001'").scalar_one()
        event = connection.exec_driver_sql(
            f"SELECT id FROM town_{TOWN}.events WHERE registration_open AND capacity IS NOT NULL "
            "AND starts_at > now() ORDER BY starts_at LIMIT 1").scalar_one()
    engine.dispose()
    return unit, event


def wrk(url: str, kinds, seconds: float, options, unit: int, event: int) -> dict:
    """One wrk run over ``kinds`` in turn; its figures (from the script's JSON line)."""
    time.sleep(PAUSE_SECONDS)
    command = ["wrk", "-t", str(options.threads), "-c", str(options.connections), "-d", f"{seconds:g}s",
               "--timeout", f"{options.timeout:g}s", "--latency", "-s", str(SCRIPT), url, "--",
               TOWN, str(unit), str(event), ",".join(kinds)]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    line = next(line for line in done.stdout.splitlines() if line.startswith("LOAD_JSON "))
    figures = json.loads(line.removeprefix("LOAD_JSON "))
    figures["per_second"] = figures["requests"] / (figures["duration_us"] / 1e6)
    figures["error_count"] = sum(figures["errors"].values())
    return figures


def measure(server: Gunicorn, options, unit: int, event: int) -> dict:
    run = {"connections": options.connections, "threads": options.threads, "timeout": options.timeout}

    def one(kinds, seconds):
        figures = wrk(server.url, kinds, seconds, options, unit, event)
        print(f"  {'+'.join(kinds) if len(kinds) < 3 else 'mix':<24} {figures['per_second']:8.0f}/s  "
              f"p50 {figures['latency_us']['p50'] / 1000:7.1f} ms  p99 {figures['latency_us']['p99'] / 1000:7.1f} ms"
              f"  errors {figures['error_count']}", flush=True)
        return figures

    wrk(server.url, MIX, 3, options, unit, event)  # warm-up, not counted
    before = one(["healthz"], options.healthz_seconds)
    alone = {kind: one([kind], options.alone_seconds) for kind in MIX}
    mix = one(list(MIX), options.seconds)
    after = one(["healthz"], options.healthz_seconds)
    healthz = {"per_second": (before["per_second"] + after["per_second"]) / 2,
               "p50": (before["latency_us"]["p50"] + after["latency_us"]["p50"]) / 2,
               "p99": (before["latency_us"]["p99"] + after["latency_us"]["p99"]) / 2,
               "max": max(before["latency_us"]["max"], after["latency_us"]["max"])}
    run.update(healthz_before=before, healthz_after=after, healthz=healthz, alone=alone, mix=mix)
    return run


def ratios(figures: dict, healthz: dict) -> dict:
    return {"p50": figures["latency_us"]["p50"] / healthz["p50"],
            "p99": figures["latency_us"]["p99"] / healthz["p99"],
            "throughput": figures["per_second"] / healthz["per_second"]}


def report(run: dict) -> str:
    healthz = run["healthz"]
    rows = [("healthz", {"per_second": healthz["per_second"], "error_count":
                         run["healthz_before"]["error_count"] + run["healthz_after"]["error_count"],
                         "latency_us": {"p50": healthz["p50"], "p99": healthz["p99"],
                                        "max": healthz["max"]}})]
    rows += list(run["alone"].items()) + [("mix", run["mix"])]
    lines = [f"{'':<44} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}   "
             "ratio to /healthz (p50 / p99 / req/s)  errors"]
    for name, figures in rows:
        ratio = ratios(figures, healthz)
        lines.append(f"{LABELS[name]:<44} {figures['per_second']:8.0f} {figures['latency_us']['p50'] / 1000:8.1f} "
                     f"{figures['latency_us']['p99'] / 1000:8.1f} {figures['latency_us']['max'] / 1000:8.0f}   "
                     f"×{ratio['p50']:.2f} / ×{ratio['p99']:.2f} / "
                     f"×{ratio['throughput']:.2f}{'':>14}{figures['error_count']}")
    mix = run["mix"]
    lines.append(f"\nThe mix: {mix['requests']} requests in {mix['duration_us'] / 1e6:.0f} s at "
                 f"{run['connections']} connections; statuses {mix['statuses']}; errors {mix['errors']} "
                 f"(a timeout: no answer within {run['timeout']:g} s).")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="the mix")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--alone-seconds", type=float, default=10.0, help="each kind alone")
    parser.add_argument("--healthz-seconds", type=float, default=15.0, help="/healthz before and after")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds until an unanswered "
                        "request counts as an error")
    options = parser.parse_args(argv)
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: `make load` installs it (apt-get install wrk) when run as root.")
    workdir = Path(tempfile.mkdtemp(prefix="quartier-load-"))
    redis_server = RedisServer(free_port(), workdir / "redis.log")
    redis_server.start()
    server = None
    try:
        with scratch_postgres_database(TEST_DATABASE_URL, "load") as database_url:
            environment = app_environment(database_url, workdir / "instance", redis_server.url, None)
            environment["QUARTIER_ENV"] = "production"
            unit, event = prepare(database_url, environment)
            server = Gunicorn(environment, workdir / "gunicorn.log",
                              workers=int(os.environ.get("WEB_CONCURRENCY", "2")),
                              overrides=RAISED_LIMITS).start()
            print(f"gunicorn with {server.workers} workers on a scratch database with the demo towns; "
                  f"wrk at {options.connections} connections ({options.threads} threads):", flush=True)
            started = time.monotonic()
            run = measure(server, options, unit, event)
            run["total_seconds"] = time.monotonic() - started
    finally:
        if server is not None:
            server.stop()
        redis_server.stop()
    run["date"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
    run["workers"] = server.workers if server else None
    text = report(run)
    print("\n" + text)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(run, indent=2))
    print(f"\nFigures written to {RESULTS.relative_to(ROOT)}.")
    shutil.rmtree(workdir, ignore_errors=True)
    errors = run["mix"]["error_count"] + sum(figures["error_count"] for figures in run["alone"].values())
    if errors:
        print(f"{errors} error(s): see the statuses and errors above.", file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
