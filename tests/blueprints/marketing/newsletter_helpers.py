"""Factories for the newsletter tests: subscribe through the form, confirm by the mailed link,
write campaigns and news through the services."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

from sqlalchemy import select

from blueprints.marketing import campaigns, newsletter
from blueprints.marketing.models import Campaign, NewsPost, Subscriber
from tenants.context import tenant_context
from tenants.db import db
from tests.conftest import unique

CONFIRM_LINK = re.compile(r"https?://\S+/newsletter/bestaetigen/[\w-]+")


def new_address(prefix: str = "leser") -> str:
    return f"{unique(prefix)}@example.org"


def subscribe(client, town, email, lists=("residents",)):
    """Send the public form with consent; the response."""
    return client.post(f"/{town.slug}/newsletter", data={"email": email, "lists": list(lists), "consent": "y"})


def path_of(url: str) -> str:
    return urlsplit(url).path


def confirm_path(smtp_server, email) -> str:
    """The path of the confirmation link in the newest mail to ``email`` (a real SMTP delivery)."""
    text = smtp_server.messages_to(email)[-1].get_body(preferencelist=("plain",)).get_content()
    return path_of(CONFIRM_LINK.search(text).group(0))


def confirmed_reader(client, smtp_server, town, lists=("residents",), prefix="leser") -> str:
    """A new address subscribed and confirmed through the form and the mailed link."""
    email = new_address(prefix)
    subscribe(client, town, email, lists)
    client.post(confirm_path(smtp_server, email))
    return email


def subscriber(app, town, email) -> Subscriber:
    """The subscriber with its subscriptions, detached."""
    with app.app_context(), tenant_context(town):
        found = newsletter.by_email(email)
        if found is not None:
            found.subscriptions  # noqa: B018 (loaded before detaching)
            db.session.expunge_all()
        return found


def create_campaign(app, town, *, lists=("residents",), blocks=(), subject=None, body="Hallo Quartier!",
                    campaign_id=None) -> int:
    with app.app_context(), tenant_context(town):
        campaign = campaigns.save(None, subject=subject or unique("Neues aus dem Quartier "), body=body,
                                  lists=list(lists), blocks=list(blocks))
        if campaign_id is not None:
            campaign.id = campaign_id
        db.session.commit()
        return campaign.id


def send_now(app, town, campaign_id) -> int:
    """Send as the staff's "jetzt senden" does, in a request of ``app``."""
    with app.test_request_context(), tenant_context(town):
        count = campaigns.send_now(db.session.get(Campaign, campaign_id))
        db.session.commit()
        return count


def make_due(app, town, campaign_id, minutes_ago=1) -> None:
    """Schedule the campaign for a moment just past, as if its time had come."""
    with app.app_context(), tenant_context(town):
        campaign = db.session.get(Campaign, campaign_id)
        campaign.status = "scheduled"
        campaign.scheduled_at = datetime.now(timezone.utc) - timedelta(minutes=minutes_ago)
        db.session.commit()


def campaign_row(app, town, campaign_id) -> Campaign:
    with app.app_context(), tenant_context(town):
        found = db.session.get(Campaign, campaign_id)
        db.session.expunge_all()
        return found


def create_post(app, town, *, title=None, body="Kurz notiert.", in_next_campaign=False, post_id=None,
                published_at=None) -> int:
    with app.app_context(), tenant_context(town):
        post = NewsPost(title=title or unique("Notiz "), body=body, in_next_campaign=in_next_campaign,
                        published_at=published_at or datetime.now(timezone.utc))
        if post_id is not None:
            post.id = post_id
        db.session.add(post)
        db.session.commit()
        return post.id


def news_rows(app, town) -> list[NewsPost]:
    with app.app_context(), tenant_context(town):
        rows = db.session.scalars(select(NewsPost).order_by(NewsPost.id)).all()
        db.session.expunge_all()
        return rows
