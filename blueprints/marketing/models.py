"""City marketing's records: directory entries, newsletter lists, subscribers, campaigns, news."""
from __future__ import annotations

from datetime import datetime, timezone

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, CheckConstraint, Float, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from blueprints.actors.models import Actor
from blueprints.attachments.models import Attachment
from blueprints.town.models import District
from tenants.db import BigId, PrimaryKey, TenantModel, Timestamp, one_of, tenant_table_args
from tenants.models import User, utcnow

# --- the traders' directory ----------------------------------------------------

DIRECTORY_CATEGORIES = {
    "retail": _l("Einzelhandel"),
    "gastronomy": _l("Gastronomie"),
    "services": _l("Dienstleistung"),
    "health": _l("Gesundheit"),
    "crafts": _l("Handwerk"),
    "leisure": _l("Kultur & Freizeit"),
    "other": _l("Sonstiges"),
}
WEEKDAYS = (_l("Montag"), _l("Dienstag"), _l("Mittwoch"), _l("Donnerstag"), _l("Freitag"),
            _l("Samstag"), _l("Sonntag"))


class DirectoryEntry(TenantModel):
    """An actor's public entry in the traders' directory; name and address stay the actor's."""

    __tablename__ = "directory_entries"

    id: Mapped[PrimaryKey]
    actor_id: Mapped[int] = mapped_column(BigId, ForeignKey("tenant.actors.id", ondelete="CASCADE"),
                                          unique=True)
    category: Mapped[str] = mapped_column(String(20), default="other")
    description: Mapped[str] = mapped_column(Text, default="")
    # Seven free-text lines, Monday first ("9–18 Uhr", "geschlossen"); "" = not given.
    opening_hours: Mapped[list] = mapped_column(JSON, default=list)
    website: Mapped[str] = mapped_column(String(300), default="")
    # Shown to the public instead of the register's (possibly private) contact data.
    public_email: Mapped[str] = mapped_column(String(320), default="")
    public_phone: Mapped[str] = mapped_column(String(50), default="")
    picture_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("tenant.attachments.id", ondelete="SET NULL"))
    district_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("tenant.districts.id", ondelete="SET NULL"))
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    published: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[Timestamp] = mapped_column(default=utcnow)
    updated_at: Mapped[Timestamp] = mapped_column(default=utcnow, onupdate=utcnow)
    # Set only by the trader's own edits: staff see who keeps their entry current.
    updated_by_trader_at: Mapped[Timestamp | None]

    actor: Mapped[Actor] = relationship()
    picture: Mapped[Attachment | None] = relationship()
    district: Mapped[District | None] = relationship()

    @declared_attr.directive
    def __table_args__(cls):
        return tenant_table_args(CheckConstraint(one_of("category", DIRECTORY_CATEGORIES), name="category"))

    @property
    def category_label(self) -> str:
        return str(DIRECTORY_CATEGORIES.get(self.category, self.category))

    def hours_by_day(self) -> list[tuple[str, str]]:
        """(weekday, hours) for the days that have hours, Monday first."""
        hours = list(self.opening_hours or []) + [""] * 7
        return [(str(day), hours[index]) for index, day in enumerate(WEEKDAYS) if hours[index]]


class DirectoryEditLink(TenantModel):
    """A mailed link with which a trader edits their entry without an account.

    Only the SHA-256 digest of the token is stored, so a leaked database holds no working link.
    """

    __tablename__ = "directory_edit_links"

    id: Mapped[PrimaryKey]
    entry_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("tenant.directory_entries.id", ondelete="CASCADE"))
    token_digest: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[Timestamp]
    # A newer link replaces this one: set when it was sent.
    revoked_at: Mapped[Timestamp | None]
    last_used_at: Mapped[Timestamp | None]
    created_by_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[Timestamp] = mapped_column(default=utcnow)

    entry: Mapped[DirectoryEntry] = relationship()
    created_by: Mapped[User | None] = relationship()

    @declared_attr.directive
    def __table_args__(cls):
        return tenant_table_args(Index("ix_directory_edit_links_entry_id", "entry_id"))

    def usable_at(self, moment: datetime) -> bool:
        expires_at = self.expires_at
        if expires_at.tzinfo is None:  # SQLite hands back naive UTC
            expires_at = expires_at.replace(tzinfo=timezone.utc)
        return self.revoked_at is None and moment < expires_at

# --- newsletter, campaigns and news --------------------------------------------

from sqlalchemy import Integer  # noqa: E402  (this section's own import, beside its models)

NEWSLETTER_LISTS = {
    "residents": _l("Anwohner:innen"),
    "traders": _l("Gewerbetreibende"),
    "investors": _l("Investor:innen"),
}
# pending: subscribed, address not yet confirmed (never mailed a campaign);
# confirmed: receives the campaigns of its lists; unsubscribed: withdrew every list.
SUBSCRIBER_STATUSES = {
    "pending": _l("unbestätigt"),
    "confirmed": _l("bestätigt"),
    "unsubscribed": _l("abgemeldet"),
}
# scheduled: waits for its time (the due-runner claims it); sending: claimed,
# inside the transaction that writes its mails; sent: its mails are in the outbox.
CAMPAIGN_STATUSES = {
    "draft": _l("Entwurf"),
    "scheduled": _l("geplant"),
    "sending": _l("wird versandt"),
    "sent": _l("versandt"),
}
# Generated parts a campaign may carry below its text; news flagged for the
# next campaign are added on their own (NewsPost.in_next_campaign).
CAMPAIGN_BLOCKS = {
    "events": _l("Kommende Veranstaltungen"),
    "units": _l("Neu verfügbare Ladenflächen"),
    "interim_uses": _l("Neue Zwischennutzungen"),
}


class Subscriber(TenantModel):
    """One address on the town's newsletter; its token is the secret of its mailed links."""

    __tablename__ = "newsletter_subscribers"

    id: Mapped[PrimaryKey]
    email: Mapped[str] = mapped_column(String(320), unique=True)  # stored lower-case
    status: Mapped[str] = mapped_column(String(12), default="pending")
    token: Mapped[str] = mapped_column(String(64), unique=True)
    locale: Mapped[str] = mapped_column(String(5), default="de")
    created_at: Mapped[Timestamp] = mapped_column(default=utcnow)
    confirmed_at: Mapped[Timestamp | None]
    unsubscribed_at: Mapped[Timestamp | None]

    subscriptions: Mapped[list[Subscription]] = relationship(
        back_populates="subscriber", order_by="Subscription.id", cascade="all, delete-orphan")

    @declared_attr.directive
    def __table_args__(cls):
        return tenant_table_args(CheckConstraint(one_of("status", SUBSCRIBER_STATUSES), name="status"))

    @property
    def active_lists(self) -> list[str]:
        """The lists this address is confirmed for and has not withdrawn."""
        return [s.list_key for s in self.subscriptions if s.confirmed_at and not s.withdrawn_at]

    @property
    def pending_lists(self) -> list[str]:
        return [s.list_key for s in self.subscriptions if not s.confirmed_at and not s.withdrawn_at]


class Subscription(TenantModel):
    """The proof of consent for one list: when, the exact wording shown, when confirmed.

    Kept after the list is withdrawn (``withdrawn_at``): the proof outlives the consent.
    """

    __tablename__ = "newsletter_subscriptions"

    id: Mapped[PrimaryKey]
    subscriber_id: Mapped[int] = mapped_column(
        # Named by hand: the convention's name would pass PostgreSQL's 63 characters.
        BigId, ForeignKey("tenant.newsletter_subscribers.id", ondelete="CASCADE",
                          name="fk_newsletter_subscriptions_subscriber_id"))
    list_key: Mapped[str] = mapped_column(String(20))
    consent_wording: Mapped[str] = mapped_column(Text)
    given_at: Mapped[Timestamp]
    confirmed_at: Mapped[Timestamp | None]
    withdrawn_at: Mapped[Timestamp | None]

    subscriber: Mapped[Subscriber] = relationship(back_populates="subscriptions")

    @declared_attr.directive
    def __table_args__(cls):
        return tenant_table_args(CheckConstraint(one_of("list_key", NEWSLETTER_LISTS), name="list_key"),
                                 Index("ix_newsletter_subscriptions_subscriber_id", "subscriber_id"))

    @property
    def list_label(self) -> str:
        return str(NEWSLETTER_LISTS.get(self.list_key, self.list_key))


class Campaign(TenantModel):
    """A newsletter: text and generated blocks, sent once to the confirmed subscribers of its lists."""

    __tablename__ = "newsletter_campaigns"

    id: Mapped[PrimaryKey]
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")  # Markdown-lite (marketing.richtext)
    lists: Mapped[list] = mapped_column(JSON, default=list)
    blocks: Mapped[list] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(10), default="draft")
    scheduled_at: Mapped[Timestamp | None]
    sent_at: Mapped[Timestamp | None]
    recipient_count: Mapped[int | None] = mapped_column(Integer)
    # Delivered / failed are counted from the batch's mails, never kept twice.
    batch_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("tenant.mail_batches.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[Timestamp] = mapped_column(default=utcnow)
    updated_at: Mapped[Timestamp] = mapped_column(default=utcnow, onupdate=utcnow)

    created_by: Mapped[User | None] = relationship()

    @declared_attr.directive
    def __table_args__(cls):
        return tenant_table_args(CheckConstraint(one_of("status", CAMPAIGN_STATUSES), name="status"),
                                 Index("ix_newsletter_campaigns_status", "status", "scheduled_at"))

    @property
    def status_label(self) -> str:
        return str(CAMPAIGN_STATUSES.get(self.status, self.status))

    @property
    def editable(self) -> bool:
        return self.status in ("draft", "scheduled")


class NewsPost(TenantModel):
    """A short post on the town's public home; optionally carried by the next campaign."""

    __tablename__ = "news_posts"

    id: Mapped[PrimaryKey]
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    published_at: Mapped[Timestamp] = mapped_column(default=utcnow)
    in_next_campaign: Mapped[bool] = mapped_column(default=False)
    # The campaign that carried it; set once, so a post goes out once.
    campaign_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("tenant.newsletter_campaigns.id", ondelete="SET NULL"))
    created_at: Mapped[Timestamp] = mapped_column(default=utcnow)

    campaign: Mapped[Campaign | None] = relationship()

    @declared_attr.directive
    def __table_args__(cls):
        return tenant_table_args(Index("ix_news_posts_published_at", "published_at"))
