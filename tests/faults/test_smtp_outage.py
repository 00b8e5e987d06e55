"""Run (b): the SMTP server down while mails and a campaign are caused, then up again.

A real ``flask jobs worker`` tries each mail, records the error and lets RQ
try again after ``MAIL_RETRY_INTERVALS`` (short here: 1, 2, then every 3 s).
Meanwhile staff see every one of them waiting, with its error, on the
town's outbox page. Once the server is started on its port, every mail
arrives exactly once.
"""
from __future__ import annotations

import time

import pytest
from rq.job import Job
from sqlalchemy import func, select

from blueprints.mail.models import TownOutboxMail
from blueprints.marketing import campaigns
from tenants.context import tenant_context
from tenants.db import db
from tests.blueprints.mail.conftest import GatedCollector
from tests.conftest import make_app, unique
from tests.faults.conftest import DEMO_MANAGER, DEMO_PASSWORD
from tests.faults.figures import count_mails
from tests.faults.servers import StoppableSmtp, app_environment
from tests.faults.submissions import TOWN, add_confirmed_readers
from tests.workers import running_worker, wait_for

pytestmark = pytest.mark.faults
RETRY_MAX, RETRY_INTERVALS, BATCH_SIZE = 10, (1, 2, 3), 25
READERS = 40  # with the demo's readers: two parts of 25
SETTLE_SECONDS = 2.5


def transactional_mails(client, ids) -> list[str]:
    """Forms that mail the visitor: newsletter, unit enquiry, event registration; the addresses."""
    addresses = []
    for _ in range(2):
        reader, enquirer, guest = (f"{unique(kind)}@example.org" for kind in ("abo", "frage", "gast"))
        answers = [
            client.post(f"/{TOWN}/newsletter", data={"email": reader, "lists": "residents", "consent": "y"}),
            client.post(f"/{TOWN}/leerstand/{ids.listed_unit}/interesse", data={
                "name": "Ines", "email": enquirer, "message": "Ab März.", "consent": "y"}),
            client.post(f"/{TOWN}/veranstaltungen/{ids.event_with_registration}/anmelden",
                        data={"name": "Gina", "email": guest, "consent": "y"})]
        assert [answer.status_code for answer in answers] == [200, 302, 302]
        addresses += [reader, enquirer, guest]
    return addresses


def test_mails_caused_while_smtp_is_down_arrive_once_when_it_is_up(world_copy, own_redis, tmp_path,
                                                                   record_figures):
    figures = record_figures("(b) SMTP down, then up")
    collector = GatedCollector()
    smtp = StoppableSmtp(collector)  # not started: its port refuses connections
    # The process that queues a mail gives its job the tries and pauses (RQ's Retry).
    app = make_app(world_copy.database_url, world_copy.instance_path, REDIS_URL=own_redis.url,
                   MAIL_URL=smtp.url, MAIL_BATCH_SIZE=BATCH_SIZE, MAIL_RETRY_MAX=RETRY_MAX,
                   MAIL_RETRY_INTERVALS=list(RETRY_INTERVALS), PUBLIC_URL="https://quartier.example.de")
    environment = app_environment(
        world_copy.database_url, world_copy.instance_path, own_redis.url, smtp.url,
        mail_retry_max=RETRY_MAX, mail_retry_intervals=",".join(map(str, RETRY_INTERVALS)),
        mail_batch_size=BATCH_SIZE)
    town = app.extensions["quartier_registry"].by_slug(TOWN)

    def waiting_rows() -> list[TownOutboxMail]:
        with app.app_context(), tenant_context(town):
            rows = list(db.session.scalars(select(TownOutboxMail).where(TownOutboxMail.id > first_id)))
            db.session.expunge_all()
        return rows

    def tries(job_id: str) -> int:
        return 1 + RETRY_MAX - Job.fetch(job_id, connection=own_redis.client()).retries_left

    with app.app_context(), tenant_context(town):
        first_id = db.session.scalar(select(func.coalesce(func.max(TownOutboxMail.id), 0)))
    try:
        with running_worker(environment, tmp_path / "worker.log"):
            expected = form_mails = transactional_mails(app.test_client(), world_copy.ids)
            with app.app_context(), tenant_context(town):
                add_confirmed_readers(town, READERS, f"{unique('leser')}-")
                campaign = campaigns.send_new_campaign("Markttag", "Am Samstag ist Markt.", ["residents"])
                db.session.commit()
                batch_id = campaign.batch_id
                expected = expected + [email for email, _token, _locale
                             in campaigns.newsletter.confirmed_recipients(["residents"])]
                db.session.remove()
            rows = wait_for(lambda: (found := waiting_rows()) and len(found) == len(expected) and
                            all(row.status == "queued" and row.error for row in found) and found,
                            timeout=30, message="every mail tried once and waiting with its error")
            single = next(row for row in rows if row.batch_id is None)
            single_job = f"deliver_mail-town{town.id}-{single.id}"
            part_job = f"deliver_batch_part-town{town.id}-{batch_id}-0"
            wait_for(lambda: tries(single_job) >= 3 and tries(part_job) >= 3, timeout=30,
                     message="three tries (after 1 s and 2 s) of a mail and of a batch part")
            staff = app.test_client()
            assert staff.post("/login", data={"email": DEMO_MANAGER, "password": DEMO_PASSWORD}
                              ).status_code == 302
            page = staff.get(f"/{TOWN}/verwaltung/postausgang/?status=queued")
            tried_before_up = {"a mail": tries(single_job), "a batch part": tries(part_job)}
            smtp.start()
            try:
                wait_for(lambda: count_mails(expected, collector.messages).delivered == len(expected),
                         timeout=60, interval=0.2, message="every mail")
            except AssertionError:
                pass  # counted and reported below
            time.sleep(SETTLE_SECONDS)
    finally:
        smtp.stop()
    mails = count_mails(expected, collector.messages)
    figures.mails = mails
    figures.notes.append(f"{len(form_mails)} form mails and a campaign to {len(expected) - len(form_mails)} readers "
                         f"in parts of {BATCH_SIZE}; tries before the server was up: "
                         + ", ".join(f"{what} {count}" for what, count in tried_before_up.items()))
    assert page.status_code == 200
    shown = page.text
    assert f"wartet ({len(expected)})" in shown  # the count beside the status filter
    assert all(address in shown for address in expected), "every waiting mail is listed"
    assert shown.count("wartet: ConnectionRefusedError") == len(expected)
    assert (mails.lost, mails.doubled) == (0, 0), f"missing: {mails.missing}"
    assert {row.status for row in waiting_rows()} == {"sent"}
