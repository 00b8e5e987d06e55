"""The vacancy register under load, measured in one run on PostgreSQL through gunicorn.

    make bench                       # or: .venv/bin/python -m tests.bench.bench_vacancies

(a) a town with 5,000 units (half of them published); gunicorn with 2 workers
    (config/gunicorn.conf.py) on a scratch database; 4 client threads, each
    with its own keep-alive session of a signed-in manager, ask in turn for
    ``/healthz``, the public listing ``/stollberg/leerstand`` and the staff
    register ``/stollberg/verwaltung/leerstand/``: median and p99 latency of
    each, and the ratio of each to ``/healthz`` under that same load; then one
    client alone, for the pages' own cost without queueing;
(b) seconds to import 20,000 rows of a German Excel CSV into that town, from
    the uploaded bytes to the committed import (read, check every row, import).

Targets (the vacancies issue): the listing within 3× of /healthz; 20,000 rows
in under 30 s.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import requests
from flask_migrate import upgrade

from blueprints.accounts import services as accounts
from blueprints.town import services as town_services
from blueprints.vacancies import imports, services
from blueprints.vacancies.spreadsheet_reading import read_table
from tenants import services as tenant_services
from tenants.context import tenant_context
from tenants.db import db
from tests.conftest import TEST_DATABASE_URL, free_port, make_app, scratch_postgres_database

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "test-artifacts" / "bench_vacancies.json"
TARGET_LISTING_RATIO = 3.0
TARGET_IMPORT_SECONDS = 30.0
PASSWORD = "bench-passwort-1"
MANAGER = "manager@bench.example"
PAGES = {"healthz": "/healthz", "listing": "/stollberg/leerstand",
         "register": "/stollberg/verwaltung/leerstand/"}
USAGES = ("retail", "gastronomy", "services", "office", "culture", "other")


def prepare(app, units: int) -> None:
    """Migrate; Stollberg with three districts, a manager, and ``units`` units."""
    randomly = random.Random(7)
    with app.app_context():
        upgrade(directory=str(app.extensions["migrate"].directory))
        town = tenant_services.create_tenant("stollberg", "Stollberg")
        user = accounts.create_user(MANAGER, PASSWORD, "Bench Manager", confirmed=True)
        accounts.grant_membership(user, tenant_services.get_tenant("stollberg"), "manager")
        db.session.commit()
        with tenant_context(town):
            districts = [town_services.create_district(name).id
                         for name in ("Altstadt", "Bahnhofsviertel", "Neustadt")]
            for number in range(units):
                services.create_unit({
                    "address": f"Hauptstraße {number + 1}", "postcode": "09366",
                    "district_id": districts[number % 3], "usage": USAGES[number % 6],
                    "area_sqm": Decimal(randomly.randint(25, 250)),
                    "rent_eur_month": Decimal(randomly.randint(200, 2500)),
                    "publish": ("exact", "approximate", "no", "no")[number % 4],
                    "lat": 50.70 + randomly.uniform(-0.01, 0.01),
                    "lon": 12.78 + randomly.uniform(-0.01, 0.01)},
                    status=("vacant", "vacant", "negotiating", "let", "occupied")[number % 5],
                    status_on=date.today() - timedelta(days=number % 900))
                if number % 1000 == 999:
                    db.session.flush()
                    db.session.expunge_all()
            db.session.commit()
        db.session.remove()


class Server:
    """gunicorn serving the app on the scratch database."""

    def __init__(self, database_url: str, instance: Path):
        self.port = free_port()
        self.log = instance / "gunicorn.log"
        environment = {key: value for key, value in os.environ.items()
                       if key not in {"DATABASE_URL", "REDIS_URL", "MAIL_URL"}}
        environment.update(QUARTIER_ENV="test", QUARTIER_INSTANCE_PATH=str(instance),
                           DATABASE_URL=database_url, SECRET_KEY=secrets.token_urlsafe(32),
                           MAP_TILE_URL="off", WEB_CONCURRENCY="2")
        with self.log.open("wb") as output:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.conf.py",
                 "--bind", f"127.0.0.1:{self.port}", "--access-logfile", "/dev/null", "wsgi:app"],
                cwd=ROOT, env=environment, stdout=output, stderr=subprocess.STDOUT)
        self.url = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if requests.get(self.url + "/healthz", timeout=2).ok:
                    return
            except (requests.ConnectionError, requests.Timeout):  # not up yet, or still booting
                time.sleep(0.2)
        raise SystemExit(f"gunicorn did not start:\n{self.log.read_text()[-2000:]}")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=15)


def signed_in_session(base: str) -> requests.Session:
    session = requests.Session()
    form = session.get(base + "/login").text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form).group(1)
    answer = session.post(base + "/login", data={"csrf_token": token, "email": MANAGER,
                                                 "password": PASSWORD})
    if not answer.ok or "/login" in answer.url:
        raise SystemExit("The bench manager could not sign in.")
    return session


def under_load(base: str, clients: int, rounds: int) -> dict[str, list[float]]:
    """Each client asks for every page in turn, ``rounds`` times; latencies per page."""
    samples: dict[str, list[float]] = {name: [] for name in PAGES}
    lock = threading.Lock()
    sessions = [signed_in_session(base) for _ in range(clients)]

    def client(session):
        mine: dict[str, list[float]] = {name: [] for name in PAGES}
        for round_number in range(rounds + 20):
            for name, path in PAGES.items():
                started = time.perf_counter()
                response = session.get(base + path)
                elapsed = time.perf_counter() - started
                if response.status_code != 200:
                    raise SystemExit(f"{path} answered {response.status_code}")
                if round_number >= 20:  # the first rounds warm pools and templates
                    mine[name].append(elapsed)
        with lock:
            for name, values in mine.items():
                samples[name].extend(values)

    threads = [threading.Thread(target=client, args=(session,)) for session in sessions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return samples


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def german_csv(rows: int) -> bytes:
    header = "Nr;Adresse;PLZ;Stadtteil;Fläche m²;Kaltmiete;Nutzung;Status;leer seit;Eigentümer;Veröffentlichen\n"
    lines = [f"IMP-{n:05d};Lange Straße {n + 1};09366;{('Altstadt', 'Neustadt')[n % 2]};"
             f"{40 + n % 90},5;{300 + n % 900},00;Einzelhandel;leer;01.0{1 + n % 9}.2025;"
             f"Eigentümer {n % 300};{('ja', 'nein')[n % 2]}" for n in range(rows)]
    return (header + "\n".join(lines) + "\n").encode("cp1252")


def import_seconds(app, rows: int) -> tuple[float, dict]:
    """From the uploaded bytes to the committed import, as the staff pages run it in-process."""
    data = german_csv(rows)
    with app.test_request_context(), tenant_context(app.extensions["quartier_registry"].by_slug("stollberg")):
        started = time.perf_counter()
        table = read_table(data, "leerstand.csv")
        unit_import = imports.start_import(data, "leerstand.csv", table, by_user_id=None)
        db.session.commit()
        ready = imports.check_import(unit_import, table, unit_import.mapping)
        db.session.commit()  # runs the import job in-process (no REDIS_URL)
        seconds = time.perf_counter() - started
        db.session.refresh(unit_import)
        outcome = {"ready": ready, "status": unit_import.status, "created": unit_import.created_count,
                   "updated": unit_import.updated_count, "problems": len(unit_import.problems)}
    return seconds, outcome


def run(units: int, rows: int, clients: int, rounds: int) -> dict:
    results: dict = {"units": units, "rows": rows, "clients": clients, "rounds": rounds,
                     "date": datetime.now(timezone.utc).isoformat(timespec="seconds")}
    with scratch_postgres_database(TEST_DATABASE_URL, "vac") as database_url, \
            tempfile.TemporaryDirectory(prefix="quartier-bench-") as workdir:
        app = make_app(database_url, Path(workdir))
        started = time.perf_counter()
        prepare(app, units)
        print(f"{units} units in Stollberg ({time.perf_counter() - started:.0f} s to create); "
              f"gunicorn with 2 workers; {clients} clients × {rounds} rounds of "
              f"{len(PAGES)} pages each.\n")
        server = Server(database_url, Path(workdir))
        try:
            samples = under_load(server.url, clients, rounds)
            alone = under_load(server.url, 1, rounds)
        finally:
            server.stop()
        figures = {name: {"median": statistics.median(values), "p99": percentile(values, 0.99)}
                   for name, values in samples.items()}
        base = figures["healthz"]
        print("(a) latency under load (seconds → ms), ratio to /healthz:")
        for name, path in PAGES.items():
            figure = figures[name]
            figure["median_ratio"] = figure["median"] / base["median"]
            figure["p99_ratio"] = figure["p99"] / base["p99"]
            print(f"    {path:<36} median {figure['median'] * 1000:7.2f} ms (×{figure['median_ratio']:.2f})"
                  f"   p99 {figure['p99'] * 1000:7.2f} ms (×{figure['p99_ratio']:.2f})")
        print("    for scale, one client alone (no queueing): " + ", ".join(
            f"{path} {statistics.median(alone[name]) * 1000:.2f} ms" for name, path in PAGES.items()))
        figures["alone_median"] = {name: statistics.median(values) for name, values in alone.items()}
        listing_ok = figures["listing"]["median_ratio"] <= TARGET_LISTING_RATIO
        print(f"    listing median within {TARGET_LISTING_RATIO:.0f}× of /healthz: "
              f"{'met' if listing_ok else 'MISSED'}")
        seconds, outcome = import_seconds(app, rows)
        import_ok = seconds < TARGET_IMPORT_SECONDS and outcome["status"] == "done"
        print(f"\n(b) importing {rows} rows (read, check every row, import in one transaction): "
              f"{seconds:.1f} s — {outcome} — target < {TARGET_IMPORT_SECONDS:.0f} s: "
              f"{'met' if import_ok else 'MISSED'}")
        with app.app_context():
            db.engine.dispose()
    results.update(latency=figures, import_seconds=seconds, import_outcome=outcome,
                   listing_ok=listing_ok, import_ok=import_ok)
    return results


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=5000)
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=150)
    options = parser.parse_args(argv)
    results = run(options.units, options.rows, options.clients, options.rounds)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2, default=str))
    print(f"\nFigures written to {RESULTS.relative_to(ROOT)}.")
    return 0 if results["listing_ok"] and results["import_ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
