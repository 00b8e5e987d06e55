"""What tenancy costs, measured in one run on PostgreSQL (a scratch database).

    make bench                       # or: .venv/bin/python -m tests.bench.bench_tenancy [--towns 500]

(a) the per-request cost of resolving a town: a route under ``/<slug>/`` against
    the same route without a town, both doing the same work (nothing, or one
    ORM query on a one-row table), called through the WSGI app in this process;
(b) the latency of town pages with 2 and with N towns in the registry;
(c) seconds to create one town (``tenants.services.create_tenant``);
(d) seconds for ``flask tenants migrate --all`` over N towns with one new tenant
    migration (an ``add_column``, in a temporary copy of the tenant tree), and
    with nothing to migrate.

Every figure is printed beside the baseline measured in the same run; the
absolute numbers are noisy across machines, the ratios much less so.
Targets (the tenancy issue): (a) < +10 %, (b) within 10 %, (c) < 1 s,
(d) < 120 s with a migration, < 5 s with nothing to migrate.
"""
from __future__ import annotations

import argparse
import gc
import io
import json
import shutil
import statistics
import sys
import tempfile
import textwrap
import time
from datetime import datetime, timezone
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import select, text
from werkzeug.test import EnvironBuilder

from blueprints.town.models import District
from tenants import migrations as tenant_migrations
from tenants import services as tenant_services
from tenants.access import public
from tenants.db import db
from tenants.models import Tenant
from tests.conftest import TEST_DATABASE_URL, make_app, scratch_postgres_database

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "test-artifacts" / "bench_tenancy.json"
TARGETS = {
    "resolution_overhead": 0.10,
    "many_towns_overhead": 0.10,
    "create_seconds": 1.0,
    "migrate_seconds": 120.0,
    "noop_migrate_seconds": 5.0,
}


# --- routes that do equal work with and without a town -------------------------

@public
def plain():
    return "ok"


@public
def one_query():
    """One ORM query on a one-row table: the town's districts, or the registry."""
    model = District if _in_town() else Tenant
    db.session.execute(select(model.id).limit(1)).all()
    return "ok"


def _in_town() -> bool:
    from flask import g

    return g.get("tenant") is not None


def add_bench_routes(app) -> None:
    app.add_url_rule("/bench/plain", "bench_plain", plain)
    app.add_url_rule("/<town:tenant>/bench/plain", "bench_town_plain", plain)
    app.add_url_rule("/bench/query", "bench_query", one_query)
    app.add_url_rule("/<town:tenant>/bench/query", "bench_town_query", one_query)


# --- timing through the WSGI app ----------------------------------------------

def _start_response(status, headers, exc_info=None):
    _start_response.status = status


def request_timer(app, path: str):
    """A function that serves ``path`` once through the full WSGI stack and returns seconds."""
    base = EnvironBuilder(path=path, base_url="http://localhost/").get_environ()

    def once() -> float:
        environ = dict(base)
        environ["wsgi.input"] = io.BytesIO(b"")
        started = time.perf_counter()
        body = app(environ, _start_response)
        try:
            for _chunk in body:
                pass
        finally:
            if hasattr(body, "close"):
                body.close()
        elapsed = time.perf_counter() - started
        if not _start_response.status.startswith("200"):
            raise RuntimeError(f"{path} answered {_start_response.status}")
        return elapsed

    return once


def median_latencies(routes: dict[str, tuple], calls: int, batch: int = 50) -> dict[str, float]:
    """Median seconds per request for each ``(app, path)``, interleaved batch by batch."""
    timers = {name: request_timer(app, path) for name, (app, path) in routes.items()}
    for timer in timers.values():  # warm caches, pools and templates
        for _ in range(100):
            timer()
    samples: dict[str, list[float]] = {name: [] for name in routes}
    gc.collect()
    for _ in range(max(1, calls // batch)):
        for name, timer in timers.items():
            samples[name].extend(timer() for _ in range(batch))
    return {name: statistics.median(values) for name, values in samples.items()}


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.3f} ms"


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


# --- the run --------------------------------------------------------------------

def registry_reload_seconds(app, repeat: int = 20) -> float:
    registry = app.extensions["quartier_registry"]
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        registry._load()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def tree_with_one_more_migration(workdir: Path) -> Path:
    """A copy of migrations/tenant with an ``add_column`` migration on top of head."""
    tree = workdir / "tenant"
    shutil.copytree(tenant_migrations.TENANT_TREE, tree,
                    ignore=shutil.ignore_patterns("__pycache__"))
    head = tenant_migrations.head_revision()
    (tree / "versions" / "29991231_t9999_bench_note.py").write_text(textwrap.dedent(f'''\
        """Benchmark only: one new column in every town.

        Revision ID: t9999
        Revises: {head}
        """
        from alembic import op
        import sqlalchemy as sa

        revision = "t9999"
        down_revision = "{head}"
        branch_labels = None
        depends_on = None


        def upgrade():
            op.add_column("districts", sa.Column("bench_note", sa.Text(), nullable=True))


        def downgrade():
            op.drop_column("districts", "bench_note")
        '''))
    return tree


def use_tenant_tree(app, tree: Path) -> None:
    """Point tenant migrations at ``tree`` (the app's hook, or the module constant)."""
    if hasattr(tenant_migrations, "tenant_tree"):
        app.config["TENANT_MIGRATIONS_PATH"] = str(tree)
    else:
        tenant_migrations.TENANT_TREE = tree
        tenant_migrations.tenant_scripts.cache_clear()


def build_app(database_url: str, instance_path: Path):
    """An app on ``database_url`` with the public tree migrated and the two demo towns."""
    # The registry TTL as in production (10 s), not the tests' 0.
    app = make_app(database_url, instance_path, TENANT_REGISTRY_CHECK_SECONDS=10.0)
    add_bench_routes(app)
    with app.app_context():
        upgrade(directory=str(app.extensions["migrate"].directory))
        tenant_services.create_tenant("stollberg", "Stollberg")
        tenant_services.create_tenant("burgstaedt", "Burgstädt")
        db.session.remove()
    return app


TOWN_PAGES = {
    "town_plain": "/stollberg/bench/plain",
    "town_query": "/stollberg/bench/query",
    "town_home": "/stollberg/",
    "town_impressum": "/stollberg/impressum",
}


def run(towns: int, calls: int) -> dict:
    results: dict = {"towns": towns, "calls_per_route": calls,
                     "date": datetime.now(timezone.utc).isoformat(timespec="seconds")}
    # Two scratch databases, the second created from inside the first (so its
    # name differs): 2 towns in one, `towns` towns in the other, measured
    # side by side so that the machine's drift hits both alike.
    with scratch_postgres_database(TEST_DATABASE_URL) as few_url, \
            scratch_postgres_database(TEST_DATABASE_URL, "many") as many_url, \
            tempfile.TemporaryDirectory(prefix="quartier-bench-") as workdir:
        few = build_app(few_url, Path(workdir) / "few")
        many = build_app(many_url, Path(workdir) / "many")
        print(f"PostgreSQL scratch databases; 2 towns and {towns} towns; "
              f"{calls} calls per route, interleaved.\n")

        print(f"(c) Creating towns until there are {towns}:")
        create_times = []
        with many.app_context():
            for number in range(3, towns + 1):
                started = time.perf_counter()
                tenant_services.create_tenant(f"stadt-{number:04d}", f"Stadt {number}")
                create_times.append(time.perf_counter() - started)
                db.session.remove()
        create_median = statistics.median(create_times)
        results["create_seconds"] = {"median": create_median, "max": max(create_times),
                                     "total": sum(create_times)}
        print(f"    one town: median {create_median:.3f} s, slowest {max(create_times):.3f} s "
              f"({len(create_times)} towns in {sum(create_times):.1f} s) — target < 1 s: "
              f"{verdict(max(create_times) < TARGETS['create_seconds'])}")

        routes = {"healthz": (few, "/healthz"), "plain": (few, "/bench/plain"),
                  "query": (few, "/bench/query"), "many_healthz": (many, "/healthz")}
        for name, path in TOWN_PAGES.items():
            routes[name] = (few, path)
            routes["many_" + name] = (many, path)
        latency = median_latencies(routes, calls)
        results["median_seconds"] = latency

        print("\n(a) Resolving the town, per request (median; the same view with and without a town):")
        overhead_plain = latency["town_plain"] / latency["plain"] - 1
        overhead_query = latency["town_query"] / latency["query"] - 1
        added = latency["town_query"] - latency["query"]
        print(f"    empty view  /bench/plain {ms(latency['plain'])}  vs  /stollberg/bench/plain "
              f"{ms(latency['town_plain'])}   {overhead_plain:+.1%}  (resolution only)")
        print(f"    one query   /bench/query {ms(latency['query'])}  vs  /stollberg/bench/query "
              f"{ms(latency['town_query'])}   {overhead_query:+.1%}  (resolution; both transactions carry the schema map) — "
              f"target < +10 %: {verdict(overhead_query < TARGETS['resolution_overhead'])}")
        print(f"    for scale   /healthz {ms(latency['healthz'])}, /stollberg/ {ms(latency['town_home'])}, "
              f"/stollberg/impressum {ms(latency['town_impressum'])}; the town adds "
              f"{added * 1e6:+.0f} µs, {added / latency['town_home']:+.1%} of the town home page")
        results["resolution"] = {"plain_overhead": overhead_plain, "query_overhead": overhead_query,
                                 "added_seconds": added}

        print(f"\n(b) The same town pages with 2 and with {towns} towns (median):")
        ratios = {}
        for name, path in (("healthz", "/healthz"), *TOWN_PAGES.items()):
            ratios[name] = latency["many_" + name] / latency[name]
            print(f"    {path:<26} {ms(latency[name])} → {ms(latency['many_' + name])}   "
                  f"×{ratios[name]:.3f}")
        worst = max(ratios.values())
        print(f"    worst ×{worst:.3f} — target within 10 %: "
              f"{verdict(worst < 1 + TARGETS['many_towns_overhead'])}")
        reload_few, reload_many = registry_reload_seconds(few), registry_reload_seconds(many)
        print(f"    reloading the registry: {ms(reload_few)} with 2 towns, {ms(reload_many)} with "
              f"{towns} (each process: every 10 s, and at most once a second after a miss)")
        results["many_towns"] = {"ratios": ratios, "worst": worst,
                                 "registry_reload_seconds": {"2": reload_few, str(towns): reload_many}}

        print(f"\n(d) flask tenants migrate --all over {towns} towns:")
        use_tenant_tree(many, tree_with_one_more_migration(Path(workdir)))
        migrate_seconds, summary = timed_cli(many, "tenants", "migrate", "--all")
        noop_seconds, noop_summary = timed_cli(many, "tenants", "migrate", "--all")
        _check_the_column_reached_every_town(many, towns)
        print(f"    one new migration (add_column): {migrate_seconds:6.2f} s, "
              f"{migrate_seconds / towns * 1000:.0f} ms per town ({summary}) — target < "
              f"{TARGETS['migrate_seconds']:.0f} s: {verdict(migrate_seconds < TARGETS['migrate_seconds'])}")
        print(f"    nothing to migrate:             {noop_seconds:6.2f} s ({noop_summary}) — target < "
              f"{TARGETS['noop_migrate_seconds']:.0f} s: "
              f"{verdict(noop_seconds < TARGETS['noop_migrate_seconds'])}")
        results["migrate_seconds"] = migrate_seconds
        results["noop_migrate_seconds"] = noop_seconds
        for app in (few, many):
            with app.app_context():
                db.session.remove()
                db.engine.dispose()
    return results


def timed_cli(app, *arguments) -> tuple[float, str]:
    """Run a ``flask`` command in this process; return its seconds and last line."""
    started = time.perf_counter()
    outcome = app.test_cli_runner().invoke(args=list(arguments))
    seconds = time.perf_counter() - started
    if outcome.exit_code != 0:
        raise SystemExit(f"flask {' '.join(arguments)} failed:\n{outcome.output}")
    return seconds, outcome.output.strip().splitlines()[-1]


def _check_the_column_reached_every_town(app, towns: int) -> None:
    """The add_column landed in each town's schema, never in a placeholder."""
    with app.app_context(), db.engine.connect() as connection:
        schemas = connection.execute(text(
            "SELECT count(DISTINCT table_schema) FROM information_schema.columns "
            "WHERE table_name = 'districts' AND column_name = 'bench_note'")).scalar()
        placeholder = connection.execute(text(
            "SELECT count(*) FROM information_schema.schemata WHERE schema_name = 'tenant'")).scalar()
    if schemas != towns or placeholder:
        raise SystemExit(f"The new column reached {schemas} of {towns} towns "
                         f"(placeholder schema present: {bool(placeholder)}).")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--towns", type=int, default=500, help="towns in the large registry (500)")
    parser.add_argument("--calls", type=int, default=3000, help="requests per route and phase (3000)")
    arguments = parser.parse_args(argv)
    started = time.perf_counter()
    results = run(arguments.towns, arguments.calls)
    results["total_seconds"] = time.perf_counter() - started
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2))
    print(f"\nDone in {results['total_seconds']:.0f} s; figures also in {RESULTS.relative_to(ROOT)}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
