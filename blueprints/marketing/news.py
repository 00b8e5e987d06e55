"""News: short posts on the town's public home, optionally carried by the next campaign.

Everything here runs inside the current town; callers commit.
"""
from __future__ import annotations

from sqlalchemy import select

from blueprints.marketing.models import NewsPost
from tenants.db import db

NEWS_FIELDS = ("title", "body", "in_next_campaign")


def latest(limit: int = 3) -> list[NewsPost]:
    return list(db.session.scalars(select(NewsPost).order_by(NewsPost.published_at.desc(),
                                                             NewsPost.id.desc()).limit(limit)))


def get_post(post_id: int) -> NewsPost | None:
    return db.session.get(NewsPost, post_id)


def save(post: NewsPost | None, values: dict) -> NewsPost:
    """Create or change a post; one already sent with a campaign is not flagged again."""
    if post is None:
        post = NewsPost()
        db.session.add(post)
    for name in NEWS_FIELDS:
        value = values[name]
        setattr(post, name, value.strip() if isinstance(value, str) else value)
    if post.campaign_id is not None:
        post.in_next_campaign = False
    return post


def delete(post: NewsPost) -> None:
    db.session.delete(post)
