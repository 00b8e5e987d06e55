"""Views of the traders' directory: the public list and map, the trader's own entry, staff pages."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from blueprints.actors import services as actors
from blueprints.attachments import services as attachments
from blueprints.extensions import limiter
from blueprints.marketing import directory
from blueprints.marketing.directory_forms import (DirectoryFilterForm, StaffEntryForm, TraderEntryForm,
                                                  initial_data)
from blueprints.paging import page_of
from blueprints.town import services as town
from tenants.access import public, requires
from tenants.db import db

PAGE_SIZE = 24
TRADER_TEXT_FIELDS = ("description", "website", "public_email", "public_phone")
STAFF_TEXT_FIELDS = (*TRADER_TEXT_FIELDS, "category")
TOWN_TIME = ZoneInfo("Europe/Berlin")


# --- public ------------------------------------------------------------------------

@public
def directory_list():
    form = DirectoryFilterForm(request.args)
    form.stadtteil.choices = [(0, _("alle"))] + [(d.id, d.name) for d in town.list_districts()]
    wanted = directory.DirectoryFilter()
    if form.validate():
        wanted = directory.DirectoryFilter(category=form.kategorie.data or None,
                                           district_id=form.stadtteil.data or None,
                                           search=form.suche.data or "")
    page = page_of(directory.public_query(wanted), PAGE_SIZE)
    return render_template("marketing/directory_list.html", form=form, entries=page.items, page=page,
                           map_features=_public_map(page.items)), 422 if form.errors else 200


@public
def directory_entry(entry_id):
    entry = directory.get_published(entry_id) or abort(404)
    return render_template("marketing/directory_entry.html", entry=entry,
                           today=datetime.now(TOWN_TIME).weekday(), map_features=_public_map([entry]))


@public
def directory_picture(entry_id):
    entry = directory.get_published(entry_id) or abort(404)
    return _picture_of(entry)


@limiter.limit(lambda: current_app.config["APPLICATION_RATE_LIMIT"], methods=["POST"])
@public
def trader_edit(token):
    """The trader's own entry, reached through the mailed link; no account needed."""
    link = directory.link_by_token(token)
    if not directory.is_usable(link):
        return _no_referrer(render_template("marketing/directory_link_invalid.html", known=link is not None),
                            410 if link is not None else 404)
    entry = link.entry
    form = TraderEntryForm(data=initial_data(entry))
    if form.validate_on_submit():
        values = {"opening_hours": form.opening_hours(), **_texts(form, TRADER_TEXT_FIELDS)}
        if _saved(form, directory.save_by_trader, entry, values):
            directory.mark_used(link)
            db.session.commit()
            flash(_("Danke! Ihr Eintrag ist gespeichert."), "success")
            return redirect(url_for("marketing.trader_edit", token=token))
    return _no_referrer(render_template("marketing/directory_trader_edit.html", entry=entry, form=form,
                                        link=link, token=token), 422 if form.errors else 200)


@public
def trader_picture(token):
    """The entry's picture for its trader, also while the entry is not published."""
    link = directory.link_by_token(token)
    if not directory.is_usable(link):
        abort(404)
    return _picture_of(link.entry)


# --- staff -----------------------------------------------------------------------------

@requires("town.view")
def staff_directory():
    entries = directory.all_entries()
    return render_template("marketing/directory_staff_list.html", entries=entries)


@requires("town.manage")
def edit_entry(actor_id):
    actor = actors.get_actor(actor_id) or abort(404)
    entry = directory.entry_of_actor(actor.id)
    form = StaffEntryForm(data=initial_data(entry) if entry else _defaults_for(actor))
    form.district_id.choices = [(0, _("ohne Stadtteil"))] + [(d.id, d.name) for d in town.list_districts()]
    if form.validate_on_submit():
        target = entry or directory.create_entry(actor)
        values = {"opening_hours": form.opening_hours(), **_texts(form, STAFF_TEXT_FIELDS)}
        values.update(district_id=form.district_id.data or None,
                      lat=_float(form.lat.data), lon=_float(form.lon.data))
        if _saved(form, directory.save_by_staff, target, values):
            db.session.commit()
            flash(_("Eintrag gespeichert."), "success")
            return redirect(url_for("marketing.edit_entry", actor_id=actor.id))
    return _staff_page(actor, entry, form, 422 if form.errors else 200)


@requires("town.manage")
def publish_entry(actor_id):
    entry = directory.entry_of_actor(actor_id) or abort(404)
    directory.set_published(entry, request.form.get("published") == "1")
    db.session.commit()
    flash(_("Der Eintrag ist jetzt öffentlich.") if entry.published
          else _("Der Eintrag ist nicht mehr öffentlich."), "success")
    return redirect(url_for("marketing.edit_entry", actor_id=actor_id))


@requires("town.manage")
def send_edit_link(actor_id):
    entry = directory.entry_of_actor(actor_id) or abort(404)
    try:
        directory.send_edit_link(entry, by_user_id=current_user.id)
    except directory.NoAddress as missing:
        flash(str(missing), "error")
        return redirect(url_for("marketing.edit_entry", actor_id=actor_id))
    db.session.commit()
    flash(_("Der Bearbeitungslink ist an %(email)s unterwegs. Frühere Links gelten nicht mehr.",
            email=entry.actor.email), "success")
    return redirect(url_for("marketing.edit_entry", actor_id=actor_id))


@requires("town.view")
def staff_picture(actor_id):
    entry = directory.entry_of_actor(actor_id) or abort(404)
    return _picture_of(entry)


# --- helpers -------------------------------------------------------------------------

def _staff_page(actor, entry, form, status_code=200):
    return render_template("marketing/directory_edit.html", actor=actor, entry=entry, form=form,
                           link=directory.latest_link(entry) if entry else None), status_code


def _saved(form, save, entry, values) -> bool:
    """Save with the form's picture; a refused picture becomes the field's error, nothing is kept."""
    try:
        save(entry, values, form.uploaded_picture(), form.remove_picture.data)
    except attachments.UploadRejected as rejected:
        db.session.rollback()
        form.picture.errors = [*form.picture.errors, str(rejected)]
        return False
    return True


def _texts(form, names) -> dict:
    return {name: form[name].data or "" for name in names}


def _float(value):
    return float(value) if value is not None else None


def _defaults_for(actor) -> dict:
    return {"public_email": actor.email, "public_phone": actor.phone, "category": "other",
            "district_id": 0}


def _picture_of(entry):
    if entry.picture is None:
        abort(404)
    return attachments.send_attachment(entry.picture, thumbnail=request.args.get("klein") == "1")


def _public_map(entries) -> dict:
    return directory.map_features(entries, lambda entry: url_for("marketing.directory_entry",
                                                                 entry_id=entry.id))




def _no_referrer(rendered, status_code):
    """The token is in the URL: never hand it to the sites the page links to."""
    response = current_app.make_response((rendered, status_code))
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response

