"""Account mails (reset link, new confirmation link, registration) sent by a job, for every address alike.

A request never looks at whether the address has an account: it stores an
``AccountMailRequest`` and queues ``deliver_account_mail`` after the commit,
the same work for every address, so neither the answer nor its time tells
who has an account. The job looks the account up, mails or does nothing,
and deletes the request. A request whose job could not be queued (Redis
down) is queued again by the relay. Without ``REDIS_URL`` the job runs in
the request itself (the embedded default), which then takes longer for an
address with an account: only a worker hides that.
"""
from __future__ import annotations

from datetime import timedelta

from flask import current_app, request
from sqlalchemy import delete, select

from blueprints.accounts import services
from blueprints.accounts.models import MAIL_KINDS, AccountMailRequest
from tenants.db import db
from tenants.jobs import enqueue_after_commit, enqueue_now, job, relay
from tenants.models import utcnow

SENDERS = {
    "registration": services.send_registration_mail,
    "confirmation": services.send_new_confirmation,
    "password_reset": services.send_reset_link,
}
assert set(SENDERS) == set(MAIL_KINDS)
# A request older than this is dropped instead of relayed: its links would be stale.
REQUEST_MAX_AGE = timedelta(hours=services.RESET_HOURS)


def request_account_mail(kind: str, email: str) -> None:
    """Ask for the ``kind`` mail to ``email``, sent after the commit if the address has an account."""
    wanted = AccountMailRequest(kind=kind, email=services.normalize_email(email),
                                base_url=request.url_root)
    db.session.add(wanted)
    db.session.flush()
    enqueue_after_commit(deliver_account_mail, wanted.id)


@job("emails")
def deliver_account_mail(request_id: int) -> None:
    """Send what the request asks for if its address has an account; then forget the request."""
    wanted = db.session.get(AccountMailRequest, request_id, with_for_update=True)
    if wanted is None:
        return  # handled already (the relay and the first job may both run)
    user = services.get_user_by_email(wanted.email)
    if user is not None:
        # The links start like the request that asked for them.
        with current_app.test_request_context(base_url=wanted.base_url):
            SENDERS[wanted.kind](user)
    db.session.delete(wanted)
    db.session.commit()


@relay
def relay_account_mails(older_than_seconds: float = 10) -> int:
    """Queue the requests whose job was never queued (Redis was down); drop the stale ones."""
    now = utcnow()
    db.session.execute(delete(AccountMailRequest).where(AccountMailRequest.created_at < now - REQUEST_MAX_AGE))
    db.session.commit()
    waiting = list(db.session.scalars(select(AccountMailRequest.id).where(
        AccountMailRequest.created_at < now - timedelta(seconds=older_than_seconds))))
    db.session.rollback()  # end the read before talking to Redis
    return sum(enqueue_now(deliver_account_mail, request_id, skip_if_waiting=True)
               for request_id in waiting)
