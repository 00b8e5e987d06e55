"""Every mail through a real RQ worker process, none lost and none twice.

Real parts only: a test-owned redis-server, `flask jobs worker` processes and
aiosmtpd servers on loopback. Each test runs on PostgreSQL and on SQLite.
"""
from __future__ import annotations

import time

from rq import Queue
from rq.job import Job
from rq.registry import StartedJobRegistry

from blueprints.mail.services import resend
from tenants.context import tenant_context
from tenants.db import db
from tests.blueprints.accounts.conftest import outbox_rows
from tests.blueprints.mail.conftest import (
    GatedCollector,
    batch_of_town_mails,
    town_mail,
    town_rows,
)
from tests.conftest import free_port, unique
from tests.workers import kill_worker, wait_for

SETTLE_SECONDS = 2  # the worker relays every second: time enough for a duplicate to appear


def addressed_to(smtp, address: str) -> list:
    return [m for m in smtp.messages if m["To"] == address]


def test_a_town_mail_is_sent_by_the_worker_from_inside_its_own_town(delivery, worker, smtp_on,
                                                                   towns):
    port = free_port()
    smtp = smtp_on(port)
    app, environment = delivery(f"smtp://127.0.0.1:{port}")
    to_a, to_b = f"{unique('a')}@example.org", f"{unique('b')}@example.org"
    with app.test_request_context():  # as a town's page would: links can be built
        for town, address in ((towns.a, to_a), (towns.b, to_b)):
            with tenant_context(town):
                town_mail(address)
                db.session.commit()
    assert smtp.messages == []  # the request's process never speaks SMTP
    with worker(environment):
        wait_for(lambda: addressed_to(smtp, to_a) and addressed_to(smtp, to_b),
                 message="both town mails")
    for town, address in ((towns.a, to_a), (towns.b, to_b)):
        [message] = addressed_to(smtp, address)
        [row] = town_rows(app, town, address)
        assert row.status == "sent" and row.sent_at is not None
        assert message["Message-ID"] == row.message_id
        # The worker built the sender from the town it re-entered, not from another.
        assert message["From"] == f"{town.name} <noreply@quartier.test>"
        plain = message.get_body(preferencelist=("plain",)).get_content()
        html = message.get_body(preferencelist=("html",)).get_content()
        assert "Tina Town" in plain and f"{town.name} · Quartier" in plain
        assert f"Impressum: http://localhost/{town.slug}/impressum" in plain
        assert html.startswith("<!doctype html>") and f"{town.name} · Quartier" in html
        assert f'href="http://localhost/{town.slug}/impressum"' in html
        assert f"border-bottom: 4px solid {town.primary_color}" in html  # the town's colour
    assert outbox_rows(app, to_a) == []  # town mails stay out of the public outbox


def test_a_mail_caused_while_redis_is_down_goes_out_exactly_once_when_it_is_back(
        delivery, worker, smtp_on, create_user, fresh_redis):
    port = free_port()
    smtp = smtp_on(port)
    app, environment = delivery(f"smtp://127.0.0.1:{port}")
    user = create_user()
    fresh_redis.stop()
    response = app.test_client().post("/passwort/vergessen", data={"email": user.email})
    assert response.status_code == 302
    # The request only asked for the mail (accounts/mails.py): the job that writes it waits too.
    assert outbox_rows(app, user.email) == []
    fresh_redis.start()
    cli = app.test_cli_runner()
    first, second = (cli.invoke(args=["jobs", "relay", "--older-than", "0"]) for _ in range(2))
    assert first.exit_code == 0 and "0 waiting" not in first.output
    assert "0 waiting job(s) queued." in second.output  # its job is already waiting
    assert addressed_to(smtp, user.email) == []
    with worker(environment):
        wait_for(lambda: addressed_to(smtp, user.email), message="the reset mail")
        time.sleep(SETTLE_SECONDS)
    [message] = addressed_to(smtp, user.email)
    [row] = outbox_rows(app, user.email)
    assert row.status == "sent" and message["Message-ID"] == row.message_id


def test_smtp_down_means_retries_then_failed_and_send_again_delivers_once(
        delivery, worker, smtp_on, towns, fresh_redis):
    port = free_port()
    app, environment = delivery(f"smtp://127.0.0.1:{port}", mail_retry_max=2,
                                mail_retry_intervals=[1])
    address = f"{unique('down')}@example.org"
    with app.app_context(), tenant_context(towns.b):
        mail_id = town_mail(address).id
        db.session.commit()

    def row():
        return town_rows(app, towns.b, address)[0]

    with worker(environment):
        retrying = wait_for(lambda: row().error and row(), message="a failed first try")
        assert retrying.status == "queued"  # tries are left: waiting for the next one
        failed = wait_for(lambda: row().status == "failed" and row(), timeout=30,
                          message="the mail marked failed")
        assert "ConnectionRefusedError" in failed.error and failed.sent_at is None
        job_id = f"deliver_mail-town{towns.b.id}-{mail_id}"
        # RQ files the job as failed a moment after the job committed the row.
        job = wait_for(lambda: (found := Job.fetch(job_id, connection=fresh_redis.client()))
                       .is_failed and found, message="RQ's failed job")
        assert job.retries_left == 0  # RQ tried 1 + 2 times
        smtp = smtp_on(port)
        with app.app_context(), tenant_context(towns.b):
            resend(mail_id)
        wait_for(lambda: addressed_to(smtp, address), message="the mail sent again")
        time.sleep(SETTLE_SECONDS)
    assert len(addressed_to(smtp, address)) == 1
    assert row().status == "sent" and row().error is None


def test_a_worker_killed_mid_batch_loses_no_mail_and_doubles_none(delivery, worker, smtp_on,
                                                                 towns, fresh_redis):
    port = free_port()
    # Parts of 50: the 75th mail is in the middle of the second part.
    smtp = smtp_on(port, GatedCollector(hold_at=75))
    # No pause before a retry: the killed worker's scheduler lock would delay a paused one.
    app, environment = delivery(f"smtp://127.0.0.1:{port}", mail_retry_max=3,
                                mail_retry_intervals=[0], mail_batch_size=50)
    with app.app_context(), tenant_context(towns.a):
        batch_id = batch_of_town_mails("Newsletter", (f"{unique('batch')}@example.org"
                                                      for _ in range(200)))
    message_ids = {row.message_id for row in town_rows(app, towns.a) if row.batch_id == batch_id}
    assert len(message_ids) == 200
    with worker(environment) as first:
        assert smtp.holding.wait(timeout=60), "the first worker never reached the 75th mail"
        kill_worker(first)  # worker, work horse and scheduler, in the middle of mail 75
    smtp.release()
    assert len(smtp.messages) == 74
    assert len(set(smtp.connections)) == 2  # one SMTP session per part
    # The second part's job is left started by a dead worker: only RQ's abandoned-job check frees it.
    assert StartedJobRegistry("emails", connection=fresh_redis.client()).count == 1
    with worker(environment):
        wait_for(lambda: message_ids <= set(smtp.message_id_counts()), timeout=120,
                 message="all 200 mails")
        time.sleep(SETTLE_SECONDS)
    counts = smtp.message_id_counts()
    assert {mid: counts[mid] for mid in message_ids} == dict.fromkeys(message_ids, 1)
    rows = [r for r in town_rows(app, towns.a) if r.message_id in message_ids]
    assert {r.status for r in rows} == {"sent"}


def test_a_batch_caused_while_redis_is_down_is_relayed_part_by_part(delivery, worker, smtp_on,
                                                                   towns, fresh_redis):
    port = free_port()
    smtp = smtp_on(port)
    app, environment = delivery(f"smtp://127.0.0.1:{port}", mail_batch_size=4)
    fresh_redis.stop()
    with app.app_context(), tenant_context(towns.b):
        batch_id = batch_of_town_mails("Newsletter", (f"{unique('relay')}@example.org"
                                                      for _ in range(10)))
    fresh_redis.start()
    cli = app.test_cli_runner()
    first, second = (cli.invoke(args=["jobs", "relay", "--older-than", "0"]) for _ in range(2))
    # Three parts, so three jobs: not one job per mail.
    assert "3 waiting job(s) queued." in first.output
    assert "0 waiting job(s) queued." in second.output
    queued = Queue("emails", connection=fresh_redis.client()).job_ids
    assert sorted(queued) == [f"deliver_batch_part-town{towns.b.id}-{batch_id}-{part}"
                              for part in range(3)]
    with worker(environment):
        wait_for(lambda: len(smtp.messages) == 10, message="the ten mails")
        time.sleep(SETTLE_SECONDS)
    assert sorted(smtp.message_id_counts().values()) == [1] * 10


def test_a_mail_accepted_before_its_sent_commit_was_lost_is_not_sent_again(delivery, worker, smtp_on,
                                                                          towns):
    """What a PostgreSQL restart between the server's 250 OK and the commit leaves behind: the
    row still queued, the acceptance noted in Redis. The next run records it, and sends nothing."""
    from blueprints.mail import handover

    port = free_port()
    smtp = smtp_on(port)
    app, environment = delivery(f"smtp://127.0.0.1:{port}")
    single = f"{unique('single')}@example.org"
    in_batch = [f"{unique('part')}@example.org" for _ in range(3)]
    with app.test_request_context(), tenant_context(towns.a):
        town_mail(single)
        db.session.commit()
        batch_of_town_mails("Probe", in_batch)
    accepted = [town_rows(app, towns.a, single)[0], town_rows(app, towns.a, in_batch[1])[0]]
    with app.app_context():
        for row in accepted:
            handover.note_accepted(row.message_id)
    with worker(environment):
        wait_for(lambda: all(row.status == "sent" for address in [single, *in_batch]
                             for row in town_rows(app, towns.a, address)), message="every row sent")
        time.sleep(SETTLE_SECONDS)
    assert addressed_to(smtp, single) == [] and addressed_to(smtp, in_batch[1]) == []
    assert [len(addressed_to(smtp, address)) for address in (in_batch[0], in_batch[2])] == [1, 1]
