"""Accounts fixtures: an app that mails through a real SMTP server, and mail helpers."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from blueprints.mail.models import OutboxMail
from tenants.db import db
from tests.conftest import PASSWORD, TestUser, unique

LINK = re.compile(r"https?://[^\s\"'<>]+")


@pytest.fixture
def mail_client(mail_app):
    return mail_app.test_client()


def only_mail_to(smtp_server, address: str):
    """The one mail ``address`` received; fails if there is none or more."""
    received = smtp_server.messages_to(address)
    assert len(received) == 1, f"expected one mail to {address}, got {len(received)}"
    return received[0]


def link_path(message, path_prefix: str) -> str:
    """The path of the link starting with ``path_prefix`` in a mail's plain-text part."""
    text = message.get_body(preferencelist=("plain",)).get_content()
    for url in LINK.findall(text):
        if urlsplit(url).path.startswith(path_prefix):
            return urlsplit(url).path
    raise AssertionError(f"No {path_prefix}… link in the mail:\n{text}")


def outbox_rows(flask_app, address: str) -> list[OutboxMail]:
    with flask_app.app_context():
        rows = db.session.scalars(select(OutboxMail).where(OutboxMail.to_address == address)
                                  .order_by(OutboxMail.id)).all()
        db.session.expunge_all()
        return rows


def registration(email=None, **overrides) -> dict:
    """Form data for /registrieren, valid unless overridden."""
    data = {"email": email or f"{unique('neu')}@example.org", "name": "Nina Neu",
            "password": PASSWORD, "password_repeat": PASSWORD, "consent": "y"}
    data.update(overrides)
    return data


def account(email: str, password: str = PASSWORD) -> TestUser:
    """An account made through the UI, in the shape ``tests.conftest.login`` takes."""
    return TestUser(id=0, email=email, password=password)
