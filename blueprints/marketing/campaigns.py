"""Campaigns: written by staff, rendered with generated blocks, sent once in a mail batch.

``send_campaign(campaign)`` mails every confirmed subscriber of the campaign's
lists (once per address) inside ``mail_batch``, each mail with its personal
one-click unsubscribe link. A campaign is *claimed* before it is sent: one
UPDATE from ``draft``/``scheduled`` to ``sending``, in the same transaction
that writes its mails. A second claim (a double click, two workers, a repeated
run of the due-runner) waits for that transaction and then finds nothing to
claim, so a campaign goes out exactly once. Callers commit.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask_babel import format_decimal
from flask_babel import gettext as _
from sqlalchemy import select, update

from blueprints.events import services as events
from blueprints.interim_use.models import Application, ApplicationEvent
from blueprints.interim_use.matching import CATEGORIES as INTERIM_CATEGORIES
from blueprints.mail.services import Recipient, get_batch, mail_batch, send_mail, send_marketing_mail
from blueprints.marketing import newsletter, richtext
from blueprints.marketing.models import CAMPAIGN_BLOCKS, NEWSLETTER_LISTS, Campaign, NewsPost
from blueprints.vacancies import services as vacancies
from blueprints.vacancies.models import Unit
from tenants.db import db
from tenants.jobs import enqueue_now, in_every_town, job, relay
from tenants.models import utcnow

log = logging.getLogger(__name__)
MAIL_TEMPLATE = "marketing/newsletter_campaign"
RECENT_DAYS = 30  # "new" units and interim uses: available or started within this many days
BLOCK_ITEMS = 5
CLAIMABLE = ("draft", "scheduled")


class NotSendable(ValueError):
    """The campaign cannot be sent as asked; the message says why."""


# --- writing -----------------------------------------------------------------------

def save(campaign: Campaign | None, *, subject: str, body: str, lists: list[str], blocks: list[str],
         by_user_id: int | None = None) -> Campaign:
    """Create or change a draft or scheduled campaign."""
    if campaign is None:
        campaign = Campaign(status="draft", created_by_id=by_user_id)
        db.session.add(campaign)
    elif not campaign.editable:
        raise NotSendable(_("Eine versandte Kampagne lässt sich nicht mehr ändern."))
    campaign.subject, campaign.body = subject.strip(), body.strip()
    campaign.lists = [key for key in NEWSLETTER_LISTS if key in lists]
    campaign.blocks = [key for key in CAMPAIGN_BLOCKS if key in blocks]
    return campaign


def check_sendable(campaign: Campaign, at: datetime | None = None, *, now: datetime | None = None) -> None:
    """NotSendable unless ``campaign`` may still go out, now or at ``at`` (UTC)."""
    if not campaign.editable:
        raise NotSendable(_("Diese Kampagne ist schon versandt."))
    if at is not None and at <= (now or utcnow()):
        raise NotSendable(_("Der Zeitpunkt liegt in der Vergangenheit."))


def recipient_count(campaign: Campaign) -> int:
    """How many addresses the campaign would go to if it were sent now (as ``send_campaign`` picks them)."""
    return newsletter.confirmed_count(campaign.lists)


def schedule(campaign: Campaign, at: datetime, *, now: datetime | None = None) -> None:
    """Send at ``at`` (UTC): the due-runner claims it then."""
    check_sendable(campaign, at, now=now)
    campaign.status, campaign.scheduled_at = "scheduled", at


def unschedule(campaign: Campaign) -> None:
    if campaign.status == "scheduled":
        campaign.status, campaign.scheduled_at = "draft", None


def send_now(campaign: Campaign) -> int:
    """Claim and send a draft or scheduled campaign; NotSendable if it is gone already."""
    if not _claim(campaign.id, CLAIMABLE):
        raise NotSendable(_("Diese Kampagne wird schon versandt."))
    db.session.refresh(campaign)
    return send_campaign(campaign)


def send_new_campaign(subject: str, body: str, lists: list[str], blocks: list[str] = ()) -> Campaign:
    """Write a campaign and send it at once to the confirmed subscribers of ``lists`` (scripts, benchmarks)."""
    campaign = save(None, subject=subject, body=body, lists=lists, blocks=list(blocks))
    db.session.flush()
    send_now(campaign)
    return campaign


# --- sending -------------------------------------------------------------------------

def send_campaign(campaign: Campaign, *, now: datetime | None = None) -> int:
    """Mail ``campaign`` to every confirmed subscriber of its lists, once per address, in one batch.

    The news flagged for the next campaign go with it and are marked as sent
    with it. Returns the number of recipients; the caller commits.
    """
    now = now or utcnow()
    news = news_for_next_campaign()
    content = render_parts(campaign, build_blocks(campaign.blocks, now=now), news)
    recipients = newsletter.confirmed_recipients(campaign.lists)
    with mail_batch(_("Newsletter: %(subject)s", subject=campaign.subject)) as batch:
        send_marketing_mail((Recipient(email, newsletter.unsubscribe_link(token), locale)
                             for email, token, locale in recipients), MAIL_TEMPLATE, campaign.subject,
                            **content)
    campaign.status, campaign.sent_at = "sent", now
    campaign.batch_id, campaign.recipient_count = batch.id, len(recipients)
    for post in news:
        post.campaign_id, post.in_next_campaign = campaign.id, False
    return len(recipients)


def send_test(campaign: Campaign, to: str) -> None:
    """One copy to ``to`` (the signed-in staff member's own address), marked as a test."""
    content = render_parts(campaign, build_blocks(campaign.blocks), news_for_next_campaign())
    send_mail(to, MAIL_TEMPLATE, _("[Test] %(subject)s", subject=campaign.subject), **content)


def render_parts(campaign: Campaign, blocks: list[Block], news: list[NewsPost]) -> dict:
    """What the mail template gets besides the subject: the same for the mail and the preview."""
    return {"body_html": richtext.to_html(campaign.body), "body_text": richtext.to_text(campaign.body),
            "blocks": blocks, "news": [news_item(post) for post in news]}


def progress(campaign: Campaign):
    """(batch, BatchProgress) of a sent campaign: delivered and failed come from its mails."""
    return get_batch(campaign.batch_id) if campaign.batch_id else None


def _claim(campaign_id: int, from_statuses: tuple[str, ...], due_by: datetime | None = None) -> bool:
    """Move the campaign to ``sending`` unless another transaction did; True if this one did."""
    query = update(Campaign).where(Campaign.id == campaign_id, Campaign.status.in_(from_statuses))
    if due_by is not None:
        query = query.where(Campaign.scheduled_at <= due_by)
    return db.session.execute(query.values(status="sending")).rowcount == 1


# --- scheduled campaigns: the due-runner -------------------------------------------------

def due_campaign_ids(now: datetime | None = None) -> list[int]:
    return list(db.session.scalars(select(Campaign.id).where(
        Campaign.status == "scheduled", Campaign.scheduled_at <= (now or utcnow())).order_by(Campaign.id)))


@job("default")
def send_due_campaigns() -> int:
    """Send the town's campaigns whose time has come; safe to run twice or at once."""
    now = utcnow()
    ids = due_campaign_ids(now)
    db.session.rollback()  # each claim opens its own transaction, with a write first
    sent = 0
    for campaign_id in ids:
        if not _claim(campaign_id, ("scheduled",), due_by=now):
            db.session.rollback()
            continue  # another run has it
        try:
            send_campaign(db.session.get(Campaign, campaign_id), now=now)
            db.session.commit()
            sent += 1
        except Exception:  # e.g. no PUBLIC_URL for the links: the others still go
            db.session.rollback()  # the claim goes too: it stays scheduled for the next run
            log.exception("Scheduled campaign %s could not be sent", campaign_id)
    return sent


@relay
def queue_due_campaigns(older_than_seconds: float = 0) -> int:
    """In every town with a campaign due, queue ``send_due_campaigns`` (the worker's relay runs this)."""
    def queue_if_due() -> int:
        due = bool(due_campaign_ids())
        db.session.rollback()  # nothing to write; end the read before talking to Redis
        return enqueue_now(send_due_campaigns, skip_if_waiting=True) if due else 0

    return in_every_town(queue_if_due, "due campaigns")


# --- generated blocks ---------------------------------------------------------------------

@dataclass(frozen=True)
class BlockItem:
    title: str
    detail: str = ""
    url: str | None = None


@dataclass(frozen=True)
class Block:
    key: str
    title: str
    items: list[BlockItem] = field(default_factory=list)


def build_blocks(keys: list[str], *, now: datetime | None = None) -> list[Block]:
    """The chosen blocks with their current content; empty blocks are left out."""
    now = now or utcnow()
    builders = {"events": events_block, "units": units_block, "interim_uses": interim_uses_block}
    blocks = [Block(key, str(CAMPAIGN_BLOCKS[key]), builders[key](now)) for key in keys if key in builders]
    return [block for block in blocks if block.items]


def events_block(now: datetime) -> list[BlockItem]:
    """The next events that are not cancelled, with date and place."""
    upcoming = db.session.scalars(events.upcoming(now=now).limit(BLOCK_ITEMS * 2))
    return [BlockItem(event.title, f"{events.local(event.starts_at):%d.%m.%Y, %H:%M} · {event.location}",
                      newsletter.town_link("events.event", event_id=event.id))
            for event in upcoming if not event.cancelled][:BLOCK_ITEMS]


def units_block(now: datetime) -> list[BlockItem]:
    """Published units that became available within the last RECENT_DAYS days."""
    since = (now - timedelta(days=RECENT_DAYS)).date()
    units = db.session.scalars(vacancies.listing_query().where(Unit.vacant_since >= since).limit(BLOCK_ITEMS))
    return [BlockItem(vacancies.public_address(unit), _unit_detail(unit),
                      newsletter.town_link("vacancies.listed_unit", unit_id=unit.id)) for unit in units]


def _unit_detail(unit: Unit) -> str:
    return f"{format_decimal(unit.area_sqm)} m²" if unit.area_sqm else ""


def interim_uses_block(now: datetime) -> list[BlockItem]:
    """Interim uses started within RECENT_DAYS days: kind and place only, never who runs them."""
    started = (select(ApplicationEvent.application_id)
               .where(ApplicationEvent.status == "active",
                      ApplicationEvent.created_at >= now - timedelta(days=RECENT_DAYS)))
    applications = db.session.scalars(select(Application).where(
        Application.status == "active", Application.id.in_(started)).order_by(Application.id.desc())
        .limit(BLOCK_ITEMS))
    return [_interim_use_item(application) for application in applications]


def _interim_use_item(application: Application) -> BlockItem:
    kind = str(INTERIM_CATEGORIES.get(application.category, _("Zwischennutzung")))
    unit = application.unit
    if unit is None:
        return BlockItem(kind)
    place = vacancies.public_address(unit) if unit.is_published else \
        (unit.district.name if unit.district else "")
    return BlockItem(kind, place)


# --- news --------------------------------------------------------------------------------

def news_for_next_campaign() -> list[NewsPost]:
    return list(db.session.scalars(select(NewsPost).where(
        NewsPost.in_next_campaign.is_(True), NewsPost.campaign_id.is_(None)).order_by(NewsPost.published_at)))


def news_item(post: NewsPost) -> BlockItem:
    return BlockItem(post.title, richtext.to_text(post.body),
                     newsletter.town_link("marketing.news_post", post_id=post.id))
