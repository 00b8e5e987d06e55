"""Views of the newsletter (subscribe, confirm, unsubscribe), campaigns and news."""
from __future__ import annotations

from flask import abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import format_decimal, get_locale
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from blueprints.events.services import local, town_time
from blueprints.extensions import limiter
from blueprints.marketing import campaigns, news, newsletter
from blueprints.marketing.forms import CONFIRMED, CampaignForm, NewsForm, SendForm, SubscribeForm
from blueprints.marketing.models import CAMPAIGN_BLOCKS, NEWSLETTER_LISTS, Campaign, NewsPost
from tenants.access import public, requires
from tenants.db import db

# --- public: subscribe, confirm, unsubscribe ------------------------------------------------


@limiter.limit(lambda: current_app.config["APPLICATION_RATE_LIMIT"], methods=["POST"])
@public
def subscribe():
    form = SubscribeForm()
    wording = newsletter.consent_wording(g.tenant.name)
    form.consent.label.text = wording
    if not form.validate_on_submit():
        return render_template("marketing/subscribe.html", form=form), 422 if form.errors else 200
    try:
        newsletter.subscribe(form.email.data, form.lists.data, wording=wording, locale=str(get_locale()))
        db.session.commit()
    except IntegrityError:  # the same new address sent twice at once: the first one stands
        db.session.rollback()
    # The same answer whether or not the address was known: the form tells no one who reads it.
    return render_template("marketing/subscribed.html")


@public
def confirm_subscription(token):
    """GET shows the button (mail scanners open links); only the POST confirms."""
    subscriber = newsletter.by_token(token) or abort(404)
    confirmed = None
    if request.method == "POST":
        confirmed = newsletter.confirm(subscriber)
        db.session.commit()
    return render_template("marketing/confirm.html", subscriber=subscriber, confirmed=confirmed,
                           lists=NEWSLETTER_LISTS)


@public
def unsubscribe(token):
    """GET shows one button; the POST unsubscribes, also as RFC 8058 one-click from a mail client.

    Exempt from CSRF (blueprint.py): a mail client posts ``List-Unsubscribe=One-Click``
    without session or token, and the secret token in the address is the proof.
    """
    subscriber = newsletter.by_token(token) or abort(404)
    done = False
    if request.method == "POST":
        newsletter.unsubscribe(subscriber)
        db.session.commit()
        done = True
    return render_template("marketing/unsubscribe.html", subscriber=subscriber, done=done)


# --- public: news ---------------------------------------------------------------------------

@public
def news_list():
    return render_template("marketing/news_list.html", posts=news.latest(50), local=local)


@public
def news_post(post_id):
    post = news.get_post(post_id) or abort(404)
    return render_template("marketing/news_post.html", post=post, local=local)


def latest_news(limit: int = 3) -> list[NewsPost]:
    """For the town's home page (a template global): the newest posts."""
    return news.latest(limit)


# --- staff: overview and campaigns -----------------------------------------------------------

@requires("town.view")
def overview():
    listed = list(db.session.scalars(select(Campaign).order_by(Campaign.created_at.desc(), Campaign.id.desc())
                                     .limit(100)))
    return render_template("marketing/overview.html", counts=newsletter.list_counts(), lists=NEWSLETTER_LISTS,
                           campaigns=[(campaign, campaigns.progress(campaign)) for campaign in listed],
                           posts=news.latest(20), local=local)


@requires("town.manage")
def campaign_create():
    form = CampaignForm()
    if request.method == "GET":
        form.blocks.data = list(CAMPAIGN_BLOCKS)
    return _campaign_editor(form, None)


@requires("town.manage")
def campaign_edit(campaign_id):
    campaign = _campaign(campaign_id)
    if not campaign.editable:
        flash(_("Eine versandte Kampagne lässt sich nicht mehr ändern."), "error")
        return redirect(url_for("marketing.campaign", campaign_id=campaign.id))
    return _campaign_editor(CampaignForm(obj=campaign), campaign)


def _campaign_editor(form: CampaignForm, campaign: Campaign | None):
    """Save and go to the campaign; or, for "Vorschau", show the unsaved text as the mail would."""
    preview = None
    if form.validate_on_submit():
        if "preview" in request.form:
            draft = Campaign(subject=form.subject.data, body=form.body.data or "", lists=form.lists.data,
                             blocks=form.blocks.data or [])
            preview = _mail_preview(draft)
        else:
            saved = campaigns.save(campaign, subject=form.subject.data, body=form.body.data or "",
                                   lists=form.lists.data, blocks=form.blocks.data or [],
                                   by_user_id=current_user.id)
            db.session.commit()
            flash(_("Gespeichert."), "success")
            return redirect(url_for("marketing.campaign", campaign_id=saved.id))
    return render_template("marketing/campaign_edit.html", form=form, campaign=campaign,
                           preview=preview), 422 if form.errors else 200


@requires("town.view")
def campaign(campaign_id):
    found = _campaign(campaign_id)
    return _campaign_page(found, SendForm())


def _campaign_page(found: Campaign, send_form: SendForm, status_code: int = 200):
    return render_template("marketing/campaign.html", campaign=found, send_form=send_form,
                           progress=campaigns.progress(found), preview=_mail_preview(found),
                           lists=NEWSLETTER_LISTS, blocks=CAMPAIGN_BLOCKS, local=local), status_code


def _mail_preview(found: Campaign) -> str:
    """The campaign's HTML exactly as a subscriber's mail renders it (with a sample unsubscribe link)."""
    content = campaigns.render_parts(found, campaigns.build_blocks(found.blocks),
                                     campaigns.news_for_next_campaign() if found.status != "sent" else [])
    return render_template(f"emails/{campaigns.MAIL_TEMPLATE}.html", subject=found.subject, town=g.tenant,
                           unsubscribe_url="#", impressum_link=url_for("town.impressum", _external=True),
                           **content)


@requires("town.manage")
def campaign_test(campaign_id):
    found = _campaign(campaign_id)
    campaigns.send_test(found, current_user.email)
    db.session.commit()
    flash(_("Ein Testversand geht an %(email)s.", email=current_user.email), "success")
    return redirect(url_for("marketing.campaign", campaign_id=found.id))


@requires("town.manage")
def campaign_send(campaign_id):
    """First answer with a page asking "An … Empfänger:innen senden?"; its confirmation sends or schedules."""
    found = _campaign(campaign_id)
    form = SendForm()
    if not form.validate_on_submit():
        return _campaign_page(found, form, 422)
    at = town_time(form.day.data, form.at.data) if form.when.data == "later" else None
    try:
        campaigns.check_sendable(found, at)
        count = campaigns.recipient_count(found)
        if not form.confirmed_for(count):
            return _send_confirmation(found, form, at, count)
        _send_or_schedule(found, at)
    except campaigns.NotSendable as refused:
        db.session.rollback()
        flash(str(refused), "error")
    return redirect(url_for("marketing.campaign", campaign_id=found.id))


def _send_confirmation(found: Campaign, form: SendForm, at, count: int):
    """The question with the count; asked again, with a note, if the count changed since it was asked."""
    # In the town's time by zoneinfo: pytz, which Babel would rebase with, knows no summer time after 2037.
    local_at = local(at) if at is not None else None
    return render_template("marketing/campaign_send.html", campaign=found, form=form, local_at=local_at,
                           recipients=count, confirmed=CONFIRMED, changed=form.confirm.data == CONFIRMED,
                           lists=NEWSLETTER_LISTS)


def _send_or_schedule(found: Campaign, at) -> None:
    if at is not None:
        campaigns.schedule(found, at)
        db.session.commit()
        flash(_("Der Versand ist geplant für %(when)s.", when=f"{local(at):%d.%m.%Y %H:%M}"), "success")
    else:
        count = campaigns.send_now(found)
        db.session.commit()
        flash(ngettext("Die Kampagne geht an %(count)s Empfänger:in.",
                       "Die Kampagne geht an %(count)s Empfänger:innen.", count, count=format_decimal(count)),
              "success")


@requires("town.manage")
def campaign_unschedule(campaign_id):
    found = _campaign(campaign_id)
    campaigns.unschedule(found)
    db.session.commit()
    flash(_("Der geplante Versand ist aufgehoben; die Kampagne ist wieder ein Entwurf."), "success")
    return redirect(url_for("marketing.campaign", campaign_id=found.id))


def _campaign(campaign_id: int) -> Campaign:
    return db.session.get(Campaign, campaign_id) or abort(404)


# --- staff: news ------------------------------------------------------------------------------

@requires("town.manage")
def news_create():
    return _news_editor(NewsForm(), None)


@requires("town.manage")
def news_edit(post_id):
    post = news.get_post(post_id) or abort(404)
    return _news_editor(NewsForm(obj=post), post)


def _news_editor(form: NewsForm, post: NewsPost | None):
    if form.validate_on_submit():
        news.save(post, {"title": form.title.data, "body": form.body.data or "",
                         "in_next_campaign": form.in_next_campaign.data})
        db.session.commit()
        flash(_("Gespeichert."), "success")
        return redirect(url_for("marketing.overview") + "#aktuelles")
    return render_template("marketing/news_edit.html", form=form, post=post), 422 if form.errors else 200


@requires("town.manage")
def news_delete(post_id):
    post = news.get_post(post_id) or abort(404)
    news.delete(post)
    db.session.commit()
    flash(_("Der Beitrag ist gelöscht."), "success")
    return redirect(url_for("marketing.overview") + "#aktuelles")
