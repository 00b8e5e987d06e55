"""The calendar and the newsletter under load, measured in one run on PostgreSQL.

    make bench                       # or: .venv/bin/python -m tests.bench.bench_events

(a) a town with 2,000 events (a year ahead, some behind); gunicorn with 2
    workers (config/gunicorn.conf.py) on a scratch database; for each page in
    turn, 4 anonymous keep-alive clients ask for it as fast as they can for a
    few seconds: requests per second of ``/healthz``, the public calendar (list
    and month view) and the ``.ics`` feed, and each page's ratio to ``/healthz``
    (how many times slower);
(b) a campaign to 10,000 confirmed subscribers: from the staff's "send now"
    (the campaign is rendered for every subscriber, committed) until an
    aiosmtpd server in its own process holds 10,000 distinct mails, sent by
    2 ``flask jobs worker`` processes; against the baseline of a plain smtplib
    loop sending the same mails over one connection into the same server.

Targets (the events issue): the calendar within 3× of /healthz; 10,000 mails
in under 60 s.
"""
from __future__ import annotations

import argparse
import json
import random
import secrets
import statistics
import sys
import tempfile
import threading
import time
from datetime import date, datetime, time as clock, timedelta, timezone
from pathlib import Path

import requests
from flask_migrate import upgrade
from redis import Redis
from rq import Worker
from sqlalchemy import insert, select

from blueprints.events import services as events
from blueprints.marketing import campaigns
from blueprints.marketing.models import Subscriber, Subscription
from blueprints.town import services as town_services
from tenants import services as tenant_services
from tenants.context import tenant_context
from tenants.db import db
from blueprints.mail.models import TownOutboxMail
from tests.bench.bench_mail import WORKER_OPTIONS, SmtpSink, baseline_rate, check_everything_sent
from tests.bench.bench_vacancies import Server
from tests.conftest import TEST_DATABASE_URL, free_port, make_app, scratch_postgres_database
from tests.workers import RedisServer, running_worker, wait_for, worker_environment

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "test-artifacts" / "bench_events.json"
TARGET_CALENDAR_RATIO = 3.0
TARGET_CAMPAIGN_SECONDS = 60.0
PAGES = {"healthz": "/healthz", "calendar": "/stollberg/veranstaltungen",
         "month": "/stollberg/veranstaltungen?ansicht=monat", "feed": "/stollberg/veranstaltungen.ics"}
CATEGORIES = ("market", "shopping", "culture", "popup", "workshop", "meeting")
WORKERS = 2
CONSENT = "Ich möchte den Newsletter erhalten und kann ihn jederzeit abbestellen."


def prepare_calendar(app, count: int) -> None:
    """Migrate; Stollberg with two districts and ``count`` events, 10 % of them past."""
    randomly = random.Random(11)
    with app.app_context():
        upgrade(directory=str(app.extensions["migrate"].directory))
        town = tenant_services.create_tenant("stollberg", "Stollberg")
        with tenant_context(town):
            districts = [town_services.create_district(name).id for name in ("Altstadt", "Neustadt")]
            today = date.today()
            for number in range(count):
                day = today + timedelta(days=randomly.randint(-30, 335))
                starts = clock(randomly.randint(8, 19), randomly.choice((0, 15, 30, 45)))
                events.create_events({
                    "title": f"Veranstaltung {number + 1}",
                    "description": "Markt, Musik und offene Läden in der Innenstadt. " * 3,
                    "category": CATEGORIES[number % len(CATEGORIES)],
                    "address": f"Markt {number % 40 + 1}", "district_id": districts[number % 2],
                    "capacity": 30 if number % 3 == 0 else None,
                    "registration_open": number % 3 == 0},
                    day=day, starts=starts, ends=clock(min(starts.hour + 2, 23), starts.minute))
                if number % 500 == 499:
                    db.session.flush()
                    db.session.expunge_all()
            db.session.commit()
        db.session.remove()


def requests_per_second(base: str, path: str, clients: int, seconds: float) -> float:
    """``clients`` keep-alive sessions ask for ``path`` for ``seconds``; answered requests per second."""
    counts = [0] * clients
    stop_at = time.perf_counter() + seconds + 1.0  # the first second warms up and is not counted
    count_from = stop_at - seconds

    def client(index: int) -> None:
        with requests.Session() as session:
            while (now := time.perf_counter()) < stop_at:
                response = session.get(base + path)
                if response.status_code != 200:
                    raise SystemExit(f"{path} answered {response.status_code}")
                if now >= count_from:
                    counts[index] += 1

    threads = [threading.Thread(target=client, args=(index,)) for index in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(counts) / seconds


def measure_calendar(server: Server, clients: int, seconds: float) -> dict:
    """Each page alone under load, ``/healthz`` before and after (drift hits both alike)."""
    before = requests_per_second(server.url, PAGES["healthz"], clients, seconds)
    rates = {name: requests_per_second(server.url, path, clients, seconds)
             for name, path in PAGES.items() if name != "healthz"}
    after = requests_per_second(server.url, PAGES["healthz"], clients, seconds)
    rates["healthz"] = statistics.mean((before, after))
    feed_bytes = len(requests.get(server.url + PAGES["feed"]).content)
    return {"per_second": rates, "healthz_before_after": (before, after), "feed_bytes": feed_bytes,
            "ratio": {name: rates["healthz"] / rate for name, rate in rates.items()}}


def run_calendar(event_count: int, clients: int, seconds: float) -> dict:
    with scratch_postgres_database(TEST_DATABASE_URL, "ev") as database_url, \
            tempfile.TemporaryDirectory(prefix="quartier-bench-") as workdir:
        app = make_app(database_url, Path(workdir))
        started = time.perf_counter()
        prepare_calendar(app, event_count)
        print(f"(a) {event_count} events in Stollberg ({time.perf_counter() - started:.0f} s to create); "
              f"gunicorn with 2 workers; {clients} clients per page for {seconds:.0f} s each.")
        server = Server(database_url, Path(workdir))
        try:
            figures = measure_calendar(server, clients, seconds)
        finally:
            server.stop()
        with app.app_context():
            db.engine.dispose()
    rates, ratios = figures["per_second"], figures["ratio"]
    for name, path in PAGES.items():
        print(f"    {path:<44} {rates[name]:8.0f} requests/s   ×{ratios[name]:.2f} of /healthz")
    print(f"    (/healthz {figures['healthz_before_after'][0]:.0f} before, "
          f"{figures['healthz_before_after'][1]:.0f} after; the feed is "
          f"{figures['feed_bytes'] / 1024:.0f} KiB)")
    figures["calendar_ok"] = max(ratios["calendar"], ratios["month"]) <= TARGET_CALENDAR_RATIO
    print(f"    calendar within {TARGET_CALENDAR_RATIO:.0f}× of /healthz: "
          f"{'met' if figures['calendar_ok'] else 'MISSED'}")
    return figures


# --- (b) a campaign to 10,000 subscribers -------------------------------------------

def add_confirmed_subscribers(count: int) -> None:
    """``count`` readers of the residents' list, confirmed, in the current town."""
    now = datetime.now(timezone.utc)
    for start in range(0, count, 2000):
        numbers = range(start, min(start + 2000, count))
        ids = db.session.scalars(insert(Subscriber).returning(Subscriber.id), [
            {"email": f"leserin{number}@example.org", "status": "confirmed", "locale": "de",
             "token": secrets.token_urlsafe(24), "created_at": now, "confirmed_at": now}
            for number in numbers]).all()
        db.session.execute(insert(Subscription), [
            {"subscriber_id": subscriber_id, "list_key": "residents", "consent_wording": CONSENT,
             "given_at": now, "confirmed_at": now} for subscriber_id in ids])
    db.session.commit()


def campaign_seconds(app, town, sink: SmtpSink, count: int) -> dict:
    """From "send now" until the SMTP server holds ``count`` distinct mails."""
    sink.reset()
    with app.app_context(), tenant_context(town):
        started = time.perf_counter()
        campaign = campaigns.send_new_campaign(
            "Neues aus der Innenstadt", "Liebe Leserinnen und Leser,\n\n**Markttag** am Samstag!",
            ["residents"], blocks=["events"])
        db.session.commit()
        committed = time.perf_counter()
        campaign_id = campaign.id
    deadline = committed + 600
    while sink.distinct() < count:
        if time.perf_counter() > deadline:
            raise SystemExit(f"Only {sink.distinct()} of {count} mails arrived in 600 s.")
        time.sleep(0.05)
    arrived = time.perf_counter()
    return {"campaign_id": campaign_id, "record_seconds": committed - started,
            "seconds": arrived - started, "delivery_seconds": arrived - committed}


def run_campaign(subscribers: int) -> dict:
    redis_server = RedisServer(free_port(), Path(tempfile.gettempdir()) / "bench-events-redis.log")
    redis_server.start()
    sink = SmtpSink(free_port())
    mail_url = f"smtp://127.0.0.1:{sink.port}"
    try:
        with scratch_postgres_database(TEST_DATABASE_URL, "nl") as database_url, \
                tempfile.TemporaryDirectory(prefix="quartier-bench-") as workdir:
            app = make_app(database_url, Path(workdir), MAIL_URL=mail_url, REDIS_URL=redis_server.url,
                           PUBLIC_URL="https://quartier.example.de")
            with app.app_context():
                upgrade(directory=str(app.extensions["migrate"].directory))
                town = tenant_services.create_tenant("stollberg", "Stollberg")
                with tenant_context(town):
                    add_confirmed_subscribers(subscribers)
                db.session.remove()
            environment = worker_environment(database_url, workdir, redis_server.url, mail_url)
            logs = Path(workdir)
            with running_worker(environment, logs / "w1.log", *WORKER_OPTIONS), \
                    running_worker(environment, logs / "w2.log", *WORKER_OPTIONS):
                wait_for(lambda: len(Worker.all(connection=Redis.from_url(redis_server.url))) == WORKERS,
                         timeout=30, message="two workers")
                figures = campaign_seconds(app, town, sink, subscribers)
            with app.app_context(), tenant_context(town):
                sample = db.session.scalars(select(TownOutboxMail).limit(1)).one()
                db.session.expunge(sample)
            figures["baseline_seconds"] = subscribers / baseline_rate(sink, sample, subscribers)
            figures["outbox"] = check_everything_sent(app, town)
            with app.app_context(), tenant_context(town):
                figures["status"] = db.session.scalar(
                    select(campaigns.Campaign.status).where(campaigns.Campaign.id == figures["campaign_id"]))
            with app.app_context():
                db.engine.dispose()
    finally:
        sink.close()
        redis_server.stop()
    figures["ok"] = figures["seconds"] < TARGET_CAMPAIGN_SECONDS and figures["outbox"]["sent"] == subscribers
    print(f"\n(b) a campaign to {subscribers} confirmed subscribers, {WORKERS} workers, aiosmtpd in its own "
          f"process:\n    {figures['seconds']:.1f} s from \"send now\" until all arrived "
          f"({figures['record_seconds']:.1f} s to render and record them, "
          f"{figures['delivery_seconds']:.1f} s to deliver; {subscribers / figures['seconds']:.0f} mails/s)"
          f" — target < {TARGET_CAMPAIGN_SECONDS:.0f} s: {'met' if figures['ok'] else 'MISSED'}")
    print(f"    baseline, the same mails from a plain smtplib loop over one connection: "
          f"{figures['baseline_seconds']:.1f} s; the campaign took ×{figures['seconds'] / figures['baseline_seconds']:.2f}")
    print(f"    outbox afterwards: {figures['outbox']['sent']} sent, {figures['outbox']['failed']} failed, "
          f"{figures['outbox']['waiting']} waiting; campaign {figures['status']}")
    return figures


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=8.0, help="per page")
    parser.add_argument("--subscribers", type=int, default=10_000)
    options = parser.parse_args(argv)
    results = {"date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
               "calendar": run_calendar(options.events, options.clients, options.seconds),
               "campaign": run_campaign(options.subscribers)}
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2, default=str))
    print(f"\nFigures written to {RESULTS.relative_to(ROOT)}.")
    return 0 if results["calendar"]["calendar_ok"] and results["campaign"]["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
