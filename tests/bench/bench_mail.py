"""How fast a large send leaves, measured in one run on PostgreSQL and a real Redis.

    make bench                       # or: .venv/bin/python -m tests.bench.bench_mail [--mails 10000]

(a) baseline: a plain smtplib loop that builds and sends the same mail N times
    over one connection into an aiosmtpd server (a process of its own); once
    more with the messages built as the workers build them, for what SMTP
    alone costs;
(b) Quartier: N mails recorded with ``send_mail`` inside one ``mail_batch``
    (a newsletter), committed, and sent by 2 ``flask jobs worker`` processes
    into the same server, from the commit until the server holds N distinct
    Message-IDs; the same before and after (b), so drift hits both alike;
(c) the peak memory of the workers: the largest single process, and all of
    them together (each worker with its scheduler and forked work horses).

Target (the mail issue): (b) at least half of (a)'s rate.
"""
from __future__ import annotations

import argparse
import json
import smtplib
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path
from types import SimpleNamespace

from flask_migrate import upgrade
from redis import Redis
from rq import Worker
from sqlalchemy import select

from blueprints.mail.models import TownOutboxMail
from blueprints.mail.services import get_batch, mail_batch, send_mail
from blueprints.mail.transport import build_message
from tenants import services as tenant_services
from tenants.context import tenant_context
from tenants.db import db
from tests.conftest import TEST_DATABASE_URL, free_port, make_app, scratch_postgres_database
from tests.workers import RedisServer, descendants, running_worker, wait_for, worker_environment

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "test-artifacts" / "bench_mail.json"
TARGET_RATIO = 0.5
WORKERS = 2
# Production timings for the relay (the test helper's are short, for killed workers).
WORKER_OPTIONS = ("--relay-interval", "30", "--relay-older-than", "10")
MAIL_FROM = "Quartier <noreply@quartier.test>"


class SmtpSink:
    """tests/bench/smtp_sink.py in its own process."""

    def __init__(self, port: int):
        self.port = port
        self.process = subprocess.Popen([sys.executable, "-m", "tests.bench.smtp_sink", str(port)],
                                        cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        text=True)
        if self.process.stdout.readline().strip() != "ready":
            raise SystemExit("The SMTP sink did not start.")

    def ask(self, command: str) -> str:
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()
        return self.process.stdout.readline().strip()

    def distinct(self) -> int:
        return int(self.ask("count").split()[1])

    def reset(self) -> None:
        self.ask("reset")

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=10)


class MemoryWatch:
    """Samples the memory of processes and their descendants; keeps the peaks.

    A work horse is forked from its worker and shares most pages with it, so
    the total counts each process's proportional share (PSS), not its RSS.
    """

    def __init__(self, pids: list[int]):
        self.pids = pids
        self.peak_process = 0  # bytes, the largest single process (its VmHWM)
        self.peak_total = 0  # bytes, all of them at one moment (PSS summed)

    def sample(self) -> None:
        total = 0
        for pid in self.pids:
            for member in (pid, *descendants(pid)):
                self.peak_process = max(self.peak_process, _kib(f"/proc/{member}/status", "VmHWM"))
                total += _kib(f"/proc/{member}/smaps_rollup", "Pss")
        self.peak_total = max(self.peak_total, total)


def _kib(path: str, field: str) -> int:
    """A "Field:   123 kB" line of a /proc file, in bytes; 0 for a process that just ended."""
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def render_newsletter(count: int, slug: str) -> None:
    """``count`` newsletter mails in one batch of the current town, committed."""
    with mail_batch("Benchmark-Newsletter"):
        for number in range(count):
            address = f"leser{number}@example.org"
            send_mail(address, "accounts/reset_password", "Neues aus dem Quartier",
                      unsubscribe_url=f"http://localhost/{slug}/newsletter/abmelden/{number}",
                      user=SimpleNamespace(name=f"Leser {number}", email=address),
                      link="http://localhost/x", hours=2)
    db.session.commit()


def plain_message(sample: TownOutboxMail, number: int) -> EmailMessage:
    """The mail as a plain script builds it, with the standard library's modern API."""
    message = EmailMessage()
    message["Subject"] = sample.subject
    message["From"] = MAIL_FROM
    message["To"] = f"leser{number}@example.org"
    message["Message-ID"] = make_msgid(domain="quartier.test")
    message.set_content(sample.text_body)
    message.add_alternative(sample.html_body, subtype="html")
    return message


def workers_message(sample: TownOutboxMail, number: int):
    """The mail as Quartier's workers build it (``build_message``)."""
    copy = SimpleNamespace(subject=sample.subject, to_address=f"leser{number}@example.org",
                           message_id=make_msgid(domain="quartier.test"), text_body=sample.text_body,
                           html_body=sample.html_body, unsubscribe_url=sample.unsubscribe_url)
    return build_message(copy, MAIL_FROM, attachments=())


def baseline_rate(sink: SmtpSink, sample: TownOutboxMail, count: int, build=plain_message) -> float:
    """Mails per second of a plain smtplib loop over one connection."""
    sink.reset()
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", sink.port) as smtp:
        for number in range(count):
            smtp.send_message(build(sample, number))
    seconds = time.perf_counter() - started
    if sink.distinct() != count:
        raise SystemExit(f"The baseline delivered {sink.distinct()} of {count} mails.")
    return count / seconds


def quartier_rate(app, town, sink: SmtpSink, watch: MemoryWatch, count: int) -> tuple[float, float]:
    """(mails per second from the commit until all arrived, seconds to record them)."""
    sink.reset()
    with app.app_context(), tenant_context(town):
        started = time.perf_counter()
        render_newsletter(count, town.slug)
        committed = time.perf_counter()
    deadline = committed + 600
    while sink.distinct() < count:
        if time.perf_counter() > deadline:
            raise SystemExit(f"Only {sink.distinct()} of {count} mails arrived in 600 s.")
        watch.sample()
        time.sleep(0.05)
    seconds = time.perf_counter() - committed
    return count / seconds, committed - started


def check_everything_sent(app, town) -> dict:
    with app.app_context(), tenant_context(town):
        batch_ids = db.session.scalars(select(TownOutboxMail.batch_id).distinct()).all()
        progress = [get_batch(batch_id)[1] for batch_id in batch_ids if batch_id]
        return {"sent": sum(p.sent for p in progress), "failed": sum(p.failed for p in progress),
                "waiting": sum(p.waiting for p in progress)}


def run(count: int) -> dict:
    results: dict = {"mails": count, "workers": WORKERS,
                     "date": datetime.now(timezone.utc).isoformat(timespec="seconds")}
    redis_server = RedisServer(free_port(), Path(tempfile.gettempdir()) / "bench-redis.log")
    redis_server.start()
    sink = SmtpSink(free_port())
    mail_url = f"smtp://127.0.0.1:{sink.port}"
    with scratch_postgres_database(TEST_DATABASE_URL, "mail") as database_url, \
            tempfile.TemporaryDirectory(prefix="quartier-bench-") as workdir:
        app = make_app(database_url, Path(workdir), MAIL_URL=mail_url, MAIL_FROM=MAIL_FROM,
                       REDIS_URL=redis_server.url, SERVER_NAME="quartier.test")
        with app.app_context():
            upgrade(directory=str(app.extensions["migrate"].directory))
            town = tenant_services.create_tenant("stollberg", "Stollberg")
            db.session.remove()
        environment = worker_environment(database_url, workdir, redis_server.url, mail_url)
        logs = Path(workdir)
        with running_worker(environment, logs / "w1.log", *WORKER_OPTIONS) as first, \
                running_worker(environment, logs / "w2.log", *WORKER_OPTIONS) as second:
            wait_for(lambda: len(Worker.all(connection=Redis.from_url(redis_server.url))) == WORKERS,
                     timeout=30, message="two workers")
            watch = MemoryWatch([first.pid, second.pid])
            quartier_rate(app, town, sink, watch, 200)  # warm both workers up
            with app.app_context(), tenant_context(town):
                sample = db.session.scalars(select(TownOutboxMail).limit(1)).one()
                db.session.expunge(sample)
            print(f"{count} mails, {WORKERS} workers, parts of {app.config['MAIL_BATCH_SIZE']}; "
                  f"aiosmtpd in its own process; PostgreSQL scratch database; own redis-server.\n")
            before = baseline_rate(sink, sample, count)
            rate, record_seconds = quartier_rate(app, town, sink, watch, count)
            after = baseline_rate(sink, sample, count)
            smtp_alone = baseline_rate(sink, sample, count, build=workers_message)
        states = check_everything_sent(app, town)
        with app.app_context():
            db.engine.dispose()
    sink.close()
    redis_server.stop()
    baseline = (before + after) / 2
    ratio = rate / baseline
    print(f"(a) baseline, smtplib loop over one connection: {before:7.0f} mails/s before, "
          f"{after:7.0f} after (mean {baseline:.0f})")
    print(f"    the same loop with the workers' message builder (SMTP alone): {smtp_alone:.0f} mails/s; "
          f"Quartier reaches ×{rate / smtp_alone:.2f} of it")
    print(f"(b) Quartier, {WORKERS} workers from the commit:      {rate:7.0f} mails/s   "
          f"ratio {ratio:.2f} — target ≥ {TARGET_RATIO}: {'met' if ratio >= TARGET_RATIO else 'MISSED'}")
    print(f"    recording the {count} mails (render + insert, one transaction): {record_seconds:.1f} s")
    print(f"    outbox afterwards: {states['sent']} sent, {states['failed']} failed, "
          f"{states['waiting']} waiting")
    print(f"(c) peak worker memory: {watch.peak_process / 2**20:.0f} MiB in one process, "
          f"{watch.peak_total / 2**20:.0f} MiB for both workers with their work horses")
    results.update(baseline_per_second={"before": before, "after": after, "mean": baseline,
                                        "smtp_alone": smtp_alone},
                   quartier_per_second=rate, ratio=ratio, record_seconds=record_seconds,
                   outbox=states, peak_process_mib=watch.peak_process / 2**20,
                   peak_total_mib=watch.peak_total / 2**20)
    return results


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mails", type=int, default=10_000, help="mails per run (10000)")
    options = parser.parse_args(argv)
    results = run(options.mails)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2))
    print(f"\nFigures written to {RESULTS.relative_to(ROOT)}.")
    return 0 if results["ratio"] >= TARGET_RATIO and not results["outbox"]["waiting"] else 1


if __name__ == "__main__":
    sys.exit(main())
