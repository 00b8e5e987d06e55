"""Thin handlers for the register of actors, their contact log and due follow-ups."""
from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from blueprints.actors import services
from blueprints.actors.forms import ActorForm, ContactForm
from blueprints.actors.models import ACTOR_KINDS
from blueprints.vacancies.services import units_of_owner
from tenants.access import requires
from tenants.db import db


@requires("town.view")
def index():
    kind = request.args.get("art") if request.args.get("art") in ACTOR_KINDS else None
    search = request.args.get("suche", "").strip()
    return render_template("actors/index.html", actors=services.list_actors(kind, search),
                           kind=kind, search=search, kinds=ACTOR_KINDS)


@requires("town.manage")
def create():
    form = ActorForm()
    if form.validate_on_submit():
        actor = services.save_actor(**_actor_values(form))
        db.session.commit()
        flash(_("„%(name)s“ ist im Register.", name=actor.name), "success")
        return redirect(url_for("actors.show", actor_id=actor.id))
    return render_template("actors/edit.html", form=form, actor=None), 422 if form.errors else 200


@requires("town.view")
def show(actor_id):
    actor = services.get_actor(actor_id) or abort(404)
    return render_template("actors/show.html", actor=actor, form=ContactForm(),
                           units=units_of_owner(actor))


@requires("town.manage")
def edit(actor_id):
    actor = services.get_actor(actor_id) or abort(404)
    form = ActorForm(obj=actor)
    if form.validate_on_submit():
        services.save_actor(actor, **_actor_values(form))
        db.session.commit()
        flash(_("Gespeichert."), "success")
        return redirect(url_for("actors.show", actor_id=actor.id))
    return render_template("actors/edit.html", form=form, actor=actor), 422 if form.errors else 200


@requires("town.manage")
def log_contact(actor_id):
    actor = services.get_actor(actor_id) or abort(404)
    form = ContactForm()
    if not form.validate_on_submit():
        return render_template("actors/show.html", actor=actor, form=form,
                               units=units_of_owner(actor)), 422
    services.log_contact(actor, contacted_on=form.contacted_on.data, channel=form.channel.data,
                         content=form.content.data, follow_up_on=form.follow_up_on.data,
                         by_user_id=current_user.id)
    db.session.commit()
    flash(_("Kontakt festgehalten."), "success")
    return redirect(url_for("actors.show", actor_id=actor.id))


@requires("town.view")
def follow_ups():
    return render_template("actors/follow_ups.html", contacts=services.due_follow_ups(date.today()),
                           today=date.today())


@requires("town.manage")
def complete_follow_up(contact_id):
    contact = services.get_contact(contact_id) or abort(404)
    services.complete_follow_up(contact)
    db.session.commit()
    flash(_("Wiedervorlage erledigt."), "success")
    return redirect(request.form.get("next") if request.form.get("next", "").startswith("/")
                    else url_for("actors.follow_ups"))


def _actor_values(form: ActorForm) -> dict:
    return {name: getattr(form, name).data or ("" if name != "contact_consent_on" else None)
            for name in services.ACTOR_FIELDS}
