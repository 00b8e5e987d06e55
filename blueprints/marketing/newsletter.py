"""Subscribing with double opt-in, the proof of consent, and one-click unsubscribing.

A subscription waits (``pending``) until the mailed link is confirmed; only
confirmed addresses ever receive a campaign. Every list keeps its proof: when
consent was given, the exact wording shown, when it was confirmed, and when
withdrawn. Everything here runs inside the current town; callers commit.
"""
from __future__ import annotations

import secrets

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from blueprints.mail.services import send_mail
from blueprints.marketing.models import NEWSLETTER_LISTS, Subscriber, Subscription
from tenants.current import current_tenant
from tenants.db import db
from tenants.models import utcnow
from tenants.resolver import external_url

CONSENT_WORDING = _l(
    "Ja, ich möchte die gewählten Newsletter von %(town)s per E-Mail erhalten. "
    "Meine E-Mail-Adresse wird nur dafür gespeichert. Ich kann mich jederzeit mit einem Klick "
    "abmelden.")


def consent_wording(town_name: str) -> str:
    """The consent text as the form shows it, in the visitor's language; stored verbatim."""
    return str(CONSENT_WORDING % {"town": town_name})


def subscribe(email: str, lists: list[str], *, wording: str, locale: str = "de") -> Subscriber:
    """Record consent for ``lists`` and mail the confirmation link, where there is news to confirm.

    The same address twice never makes a second subscriber, and the caller
    answers alike either way, so the form does not tell who is subscribed.
    """
    email = email.strip().lower()
    subscriber = by_email(email)
    if subscriber is None:
        subscriber = Subscriber(email=email, status="pending", token=secrets.token_urlsafe(32),
                                locale=locale)
        db.session.add(subscriber)
    elif subscriber.status == "unsubscribed":
        subscriber.status, subscriber.unsubscribed_at = "pending", None
    held = set(subscriber.active_lists) | set(subscriber.pending_lists)
    new_lists = [key for key in NEWSLETTER_LISTS if key in lists and key not in held]
    now = utcnow()
    for key in new_lists:
        subscriber.subscriptions.append(Subscription(list_key=key, consent_wording=wording, given_at=now))
    if new_lists:
        db.session.flush()
        _mail_confirmation(subscriber)
    return subscriber


def confirm(subscriber: Subscriber) -> list[str]:
    """Confirm the address and every list waiting for it; return the lists now confirmed."""
    now = utcnow()
    waiting = [s for s in subscriber.subscriptions if not s.confirmed_at and not s.withdrawn_at]
    for subscription in waiting:
        subscription.confirmed_at = now
    if subscriber.active_lists and subscriber.status != "confirmed":
        subscriber.status, subscriber.confirmed_at = "confirmed", now
    return [s.list_key for s in waiting]


def unsubscribe(subscriber: Subscriber) -> bool:
    """Withdraw every list (the proofs stay); False if there was nothing left to withdraw."""
    if subscriber.status == "unsubscribed":
        return False
    now = utcnow()
    for subscription in subscriber.subscriptions:
        if subscription.withdrawn_at is None:
            subscription.withdrawn_at = now
    subscriber.status, subscriber.unsubscribed_at = "unsubscribed", now
    return True


def by_email(email: str) -> Subscriber | None:
    return db.session.scalars(select(Subscriber).where(Subscriber.email == email.strip().lower())).first()


def by_token(token: str) -> Subscriber | None:
    return db.session.scalars(select(Subscriber).where(Subscriber.token == token)).first()


def town_link(endpoint: str, **values) -> str | None:
    """An absolute link into the current town for a mail, also from a worker (see external_url)."""
    return external_url(endpoint, tenant=current_tenant().slug, **values)


def unsubscribe_link(subscriber_token: str) -> str:
    """The personal one-click address of a campaign mail (RFC 8058 POSTs to it)."""
    link = town_link("marketing.unsubscribe", token=subscriber_token)
    if link is None:
        raise RuntimeError("A newsletter needs absolute unsubscribe links outside a request: "
                           "set PUBLIC_URL (e.g. https://quartier.example.de).")
    return link


def list_counts() -> dict[str, dict[str, int]]:
    """Per list: how many addresses are confirmed, and how many still wait for confirmation."""
    rows = db.session.execute(
        select(Subscription.list_key, Subscription.confirmed_at.is_not(None), func.count())
        .where(Subscription.withdrawn_at.is_(None))
        .group_by(Subscription.list_key, Subscription.confirmed_at.is_not(None)))
    counts = {key: {"confirmed": 0, "pending": 0} for key in NEWSLETTER_LISTS}
    for key, confirmed, count in rows:
        counts[key]["confirmed" if confirmed else "pending"] += count
    return counts


def confirmed_recipients(lists: list[str]) -> list[tuple[str, str, str]]:
    """(email, token, locale) of each confirmed address on any of ``lists``, once each."""
    query = _confirmed_addresses(lists).order_by(Subscriber.email)
    return [tuple(row) for row in db.session.execute(query)]


def confirmed_count(lists: list[str]) -> int:
    """How many addresses ``confirmed_recipients(lists)`` returns, counted by the database."""
    return db.session.scalar(select(func.count()).select_from(_confirmed_addresses(lists).subquery()))


def _confirmed_addresses(lists: list[str]):
    """The one query of who gets a campaign: what is sent and what is counted cannot differ."""
    return (select(Subscriber.email, Subscriber.token, Subscriber.locale)
            .join(Subscription, Subscription.subscriber_id == Subscriber.id)
            .where(Subscriber.status == "confirmed", Subscription.list_key.in_(lists),
                   Subscription.confirmed_at.is_not(None), Subscription.withdrawn_at.is_(None))
            .distinct())


def _mail_confirmation(subscriber: Subscriber) -> None:
    send_mail(subscriber.email, "marketing/newsletter_confirm", _l("Bitte bestätigen Sie Ihr Newsletter-Abo"),
              locale=subscriber.locale,
              lists=[NEWSLETTER_LISTS[key] for key in subscriber.pending_lists],
              confirm_link=town_link("marketing.confirm_subscription", token=subscriber.token))
