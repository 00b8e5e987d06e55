"""Thin handlers: load, check, call services, render."""
from flask import abort, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from blueprints.town import services
from blueprints.town.forms import DistrictForm, PageForm
from blueprints.town.models import LEGAL_PAGES
from tenants.access import public, requires


@public
def home():
    return render_template("town/home.html", districts=services.list_districts())


@public
def impressum():
    return _legal_page("impressum")


@public
def datenschutz():
    return _legal_page("datenschutz")


def _legal_page(key):
    shown = services.get_page(key) or services.default_page(key)
    return render_template("town/page.html", page=shown)


@requires("town.view")
def dashboard():
    return render_template("town/dashboard.html", districts=services.list_districts(),
                           pages={key: services.get_page(key) for key in LEGAL_PAGES})


@requires("town.manage")
def edit_page(key):
    if key not in LEGAL_PAGES:
        abort(404)
    existing = services.get_page(key) or services.default_page(key)
    form = PageForm(obj=existing)
    if form.validate_on_submit():
        services.save_page(key, form.title.data, form.body.data, current_user.id)
        flash(_("Die Seite wurde gespeichert."), "success")
        return redirect(url_for(f"town.{key}"))
    return render_template("town/edit_page.html", form=form, key=key)


@requires("town.view")
def districts():
    return _districts_page(DistrictForm())


@requires("town.manage")
def create_district():
    form = DistrictForm()
    if form.validate_on_submit():
        try:
            services.create_district(form.name.data, form.description.data or "")
        except services.DuplicateName:
            form.name.errors.append(_("Diesen Stadtteil gibt es schon."))
        else:
            flash(_("Stadtteil „%(name)s“ angelegt.", name=form.name.data), "success")
            return redirect(url_for("town.districts"))
    return _districts_page(form), 422


def _districts_page(form):
    return render_template("town/districts.html", districts=services.list_districts(), form=form,
                           town=g.tenant)
