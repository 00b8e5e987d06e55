"""Mail delivery fixtures: apps and worker processes on the test Redis and SMTP servers."""
from __future__ import annotations

import asyncio
import threading
from collections import Counter
from email import message_from_bytes
from email import policy as mail_policy
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from blueprints.mail.models import TownOutboxMail
from blueprints.mail.services import mail_batch, send_mail
from tenants.context import tenant_context
from tenants.db import db
from tests.conftest import make_app, unique
from tests.workers import running_worker, worker_environment


def town_mail(address: str):
    """Queue a mail in the current scope, as a service of a town would."""
    return send_mail(address, "accounts/reset_password", "Ihr Link",
                     user=SimpleNamespace(name="Tina Town", email=address),
                     link="http://localhost/x", hours=2)


def batch_of_town_mails(label: str, addresses) -> int:
    """Send one batch to ``addresses`` in the current town, as a newsletter would; its id."""
    with mail_batch(label) as batch:
        for address in addresses:
            town_mail(address)
    db.session.commit()
    return batch.id


def town_rows(flask_app, town, address=None) -> list[TownOutboxMail]:
    """A town's outbox rows (to ``address``), detached."""
    with flask_app.app_context(), tenant_context(town):
        query = select(TownOutboxMail).order_by(TownOutboxMail.id)
        if address:
            query = query.where(TownOutboxMail.to_address == address)
        rows = db.session.scalars(query).all()
        db.session.expunge_all()
        return rows


@pytest.fixture
def delivery(database_url, fresh_redis, tmp_path):
    """Factory: ``delivery(mail_url, **settings)`` → (app, worker environment) on the test Redis."""
    apps = []

    def factory(mail_url: str, **settings):
        config = {"MAIL_URL": mail_url, "MAIL_FROM": "Quartier <noreply@quartier.test>",
                  "REDIS_URL": fresh_redis.url,
                  **{name.upper(): value for name, value in settings.items()}}
        application = make_app(database_url, tmp_path / unique("instance"), **config)
        apps.append(application)
        environment = worker_environment(database_url, application.instance_path,
                                         fresh_redis.url, mail_url, **_as_environment(settings))
        return application, environment

    yield factory
    for application in apps:
        with application.app_context():
            db.engine.dispose()


def _as_environment(settings: dict) -> dict:
    return {name: ",".join(map(str, value)) if isinstance(value, list | tuple) else value
            for name, value in settings.items()}


@pytest.fixture
def worker(tmp_path):
    """Factory: ``with worker(environment):`` runs one `flask jobs worker` process."""
    count = iter(range(100))

    def factory(environment, *options):
        return running_worker(environment, tmp_path / f"worker-{next(count)}.log", *options)

    return factory


class GatedCollector:
    """An SMTP handler that records accepted mails (and the connection of each),
    refuses chosen recipients and can hold one mail mid-DATA.

    ``hold_at=n``: the n-th DATA waits until ``release()`` and is then refused,
    as its client is gone by then (the test kills the worker meanwhile).
    ``refuse``: recipients answered with 550 (unknown user) for good.
    """

    def __init__(self, hold_at: int | None = None, refuse: set[str] = frozenset()):
        self.messages = []
        self.connections = []  # the client's (host, port) per accepted mail
        self.hold_at = hold_at
        self.refuse = set(refuse)
        self.data_seen = 0
        self.holding = threading.Event()
        self.released = threading.Event()

    async def handle_RCPT(self, smtp, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, smtp, session, envelope):
        self.data_seen += 1
        if self.data_seen == self.hold_at:
            self.holding.set()
            while not self.released.is_set():
                await asyncio.sleep(0.01)
            return "451 Try again later"
        raw = envelope.original_content or envelope.content
        self.messages.append(message_from_bytes(raw, policy=mail_policy.default))
        self.connections.append(session.peer)
        return "250 Message accepted for delivery"

    def release(self):
        self.released.set()

    def message_id_counts(self) -> Counter:
        return Counter(m["Message-ID"] for m in self.messages)


@pytest.fixture
def smtp_on(request):
    """Factory: ``smtp_on(port, handler)`` starts an aiosmtpd server; stopped after the test."""
    from aiosmtpd.controller import Controller

    controllers = []

    def factory(port: int, handler=None):
        handler = handler or GatedCollector()
        controller = Controller(handler, hostname="127.0.0.1", port=port)
        controller.start()
        controllers.append(controller)
        return handler

    yield factory
    for controller in controllers:
        controller.stop()
