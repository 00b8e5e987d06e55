"""The newsletter: lists, subscribers with proof of consent, campaigns, news.

Revision ID: t0012
Revises: t0011
Create Date: 2026-11-24

A tenant migration: never name a schema here.
"""
from alembic import op
import sqlalchemy as sa

revision = "t0012"
down_revision = "t0011"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Timestamp = sa.DateTime(timezone=True)


def upgrade():
    op.create_table('newsletter_subscribers',
    sa.Column('id', BigId, nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('locale', sa.String(length=5), nullable=False),
    sa.Column('created_at', Timestamp, nullable=False),
    sa.Column('confirmed_at', Timestamp, nullable=True),
    sa.Column('unsubscribed_at', Timestamp, nullable=True),
    sa.CheckConstraint("status IN ('pending', 'confirmed', 'unsubscribed')", name='ck_newsletter_subscribers_status'),
    sa.PrimaryKeyConstraint('id', name='pk_newsletter_subscribers'),
    sa.UniqueConstraint('email', name='uq_newsletter_subscribers_email'),
    sa.UniqueConstraint('token', name='uq_newsletter_subscribers_token')
    )
    op.create_table('newsletter_subscriptions',
    sa.Column('id', BigId, nullable=False),
    sa.Column('subscriber_id', BigId, nullable=False),
    sa.Column('list_key', sa.String(length=20), nullable=False),
    sa.Column('consent_wording', sa.Text(), nullable=False),
    sa.Column('given_at', Timestamp, nullable=False),
    sa.Column('confirmed_at', Timestamp, nullable=True),
    sa.Column('withdrawn_at', Timestamp, nullable=True),
    sa.CheckConstraint("list_key IN ('residents', 'traders', 'investors')", name='ck_newsletter_subscriptions_list_key'),
    sa.ForeignKeyConstraint(['subscriber_id'], ['newsletter_subscribers.id'], name='fk_newsletter_subscriptions_subscriber_id', ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name='pk_newsletter_subscriptions')
    )
    op.create_index('ix_newsletter_subscriptions_subscriber_id', 'newsletter_subscriptions', ['subscriber_id'])
    op.create_table('newsletter_campaigns',
    sa.Column('id', BigId, nullable=False),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('lists', sa.JSON(), nullable=False),
    sa.Column('blocks', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('scheduled_at', Timestamp, nullable=True),
    sa.Column('sent_at', Timestamp, nullable=True),
    sa.Column('recipient_count', sa.Integer(), nullable=True),
    sa.Column('batch_id', BigId, nullable=True),
    sa.Column('created_by_id', BigId, nullable=True),
    sa.Column('created_at', Timestamp, nullable=False),
    sa.Column('updated_at', Timestamp, nullable=False),
    sa.CheckConstraint("status IN ('draft', 'scheduled', 'sending', 'sent')", name='ck_newsletter_campaigns_status'),
    sa.ForeignKeyConstraint(['batch_id'], ['mail_batches.id'], name='fk_newsletter_campaigns_batch_id_mail_batches', ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name='fk_newsletter_campaigns_created_by_id_users', ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name='pk_newsletter_campaigns')
    )
    op.create_index('ix_newsletter_campaigns_status', 'newsletter_campaigns', ['status', 'scheduled_at'])
    op.create_table('news_posts',
    sa.Column('id', BigId, nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('published_at', Timestamp, nullable=False),
    sa.Column('in_next_campaign', sa.Boolean(), nullable=False),
    sa.Column('campaign_id', BigId, nullable=True),
    sa.Column('created_at', Timestamp, nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['newsletter_campaigns.id'], name='fk_news_posts_campaign_id_newsletter_campaigns', ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name='pk_news_posts')
    )
    op.create_index('ix_news_posts_published_at', 'news_posts', ['published_at'])


def downgrade():
    op.drop_index('ix_news_posts_published_at', table_name='news_posts')
    op.drop_table('news_posts')
    op.drop_index('ix_newsletter_campaigns_status', table_name='newsletter_campaigns')
    op.drop_table('newsletter_campaigns')
    op.drop_index('ix_newsletter_subscriptions_subscriber_id', table_name='newsletter_subscriptions')
    op.drop_table('newsletter_subscriptions')
    op.drop_table('newsletter_subscribers')
