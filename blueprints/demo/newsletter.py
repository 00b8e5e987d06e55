"""Demo data of the newsletter: confirmed readers on each list, a draft campaign, two news posts."""
from __future__ import annotations

import secrets

from sqlalchemy import select

from blueprints.marketing import campaigns, newsletter
from blueprints.marketing.models import Campaign, NewsPost, Subscriber, Subscription
from tenants.db import db
from tenants.models import utcnow

READERS = (("anwohnerin", ("residents",)), ("haendler", ("traders", "residents")),
           ("investorin", ("investors",)))


def load(town, people: dict[str, int]) -> None:
    """Add the town's demo readers, campaign and news where missing (found again by their keys)."""
    _readers(town)
    subject = f"Neues aus {town.name}"
    if db.session.scalars(select(Campaign.id).where(Campaign.subject == subject)).first() is None:
        campaigns.save(None, subject=subject, lists=["residents", "traders"], blocks=["events", "units"],
                       body="Liebe Leserinnen und Leser,\n\nhier ist, was im Quartier **diesen Monat** los ist.",
                       by_user_id=people.get("manager"))
    known = set(db.session.scalars(select(NewsPost.title)))
    posts = (("Wochenmarkt wieder mit Blumenstand",
              "Ab dieser Woche gibt es auf dem Markt wieder Blumen.", False),
             ("Neue Ladenflächen in der Innenstadt",
              "Zwei Läden suchen neue Mieter:innen. Mehr in der Leerstandsbörse.", True))
    for title, body, in_next_campaign in posts:
        if title not in known:
            db.session.add(NewsPost(title=title, body=body, in_next_campaign=in_next_campaign))


def _readers(town) -> None:
    now = utcnow()
    wording = newsletter.consent_wording(town.name)
    for name, lists in READERS:
        email = f"{name}.{town.slug}@example.org"
        if newsletter.by_email(email) is not None:
            continue
        reader = Subscriber(email=email, status="confirmed", token=secrets.token_urlsafe(32),
                            confirmed_at=now)
        reader.subscriptions = [Subscription(list_key=key, consent_wording=wording, given_at=now,
                                             confirmed_at=now) for key in lists]
        db.session.add(reader)
