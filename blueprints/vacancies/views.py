"""Thin handlers for the vacancy register (staff), the public listing, reports and location."""
from __future__ import annotations

from datetime import date

from flask import Response, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from blueprints.actors import services as actors
from blueprints.attachments import services as attachments
from blueprints.formfields import error_summary
from blueprints.interim_use import matching
from blueprints.interim_use import services as interim_use
from blueprints.mail.services import send_mail
from blueprints.paging import page_of
from blueprints.request_values import record_id_arg
from blueprints.town import services as town
from blueprints.vacancies import exports, services
from blueprints.vacancies.forms import (EnquiryForm, FloorPlanForm, ListingFilterForm, PhotoForm,
                                        RejectForm, ReportForm, StatusForm, UnitForm)
from blueprints.vacancies.models import STATUSES
from tenants.access import public, requires
from tenants.db import db

LISTING_PAGE_SIZE = 24
REGISTER_PAGE_SIZE = 100
# Flask adds "; charset=utf-8" to every text/* type itself.
EXPORT_TYPES = {"csv": "text/csv",
                "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "geojson": "application/geo+json"}


# --- the register (staff) ----------------------------------------------------------

@requires("town.view")
def register():
    wanted = services.RegisterFilter(
        status=request.args.get("status") if request.args.get("status") in STATUSES else None,
        district_id=record_id_arg("stadtteil"),
        endangered=request.args.get("gefaehrdet") == "1",
        search=request.args.get("suche", "").strip())
    page = page_of(services.register_query(wanted), REGISTER_PAGE_SIZE)
    return render_template("vacancies/register.html", units=page.items, page=page, wanted=wanted,
                           districts=town.list_districts(), figures=services.register_figures(),
                           map_features=exports.map_features(page.items, staff=True))


@requires("town.manage")
def create():
    form = _unit_form()
    if form.validate_on_submit():
        unit = services.create_unit(_unit_values(form), by_user_id=current_user.id)
        db.session.commit()
        flash(_("Die Einheit %(address)s ist im Register.", address=unit.address), "success")
        return redirect(url_for("vacancies.show", unit_id=unit.id))
    return render_template("vacancies/edit.html", form=form, unit=None), 422 if form.errors else 200


@requires("town.view")
def show(unit_id):
    unit = services.get_unit(unit_id) or abort(404)
    return _unit_page(unit)


def _unit_page(unit, status_code=200, **forms):
    forms.setdefault("status_form", StatusForm(status=unit.status))
    forms.setdefault("photo_form", PhotoForm())
    forms.setdefault("floor_plan_form", FloorPlanForm())
    candidates, _excluded = interim_use.applications_for(unit)
    return render_template("vacancies/show.html", unit=unit, periods=services.status_periods(unit),
                           days_empty=services.days_empty(unit), candidates=candidates,
                           enquiries=services.enquiries_of(unit), **forms), status_code


@requires("town.manage")
def edit(unit_id):
    unit = services.get_unit(unit_id) or abort(404)
    form = _unit_form(obj=unit)
    if request.method == "GET":
        form.tags.data = ", ".join(unit.tags or [])
        form.district_id.data = unit.district_id or 0
        form.owner_id.data = unit.owner_id or 0
    if form.validate_on_submit():
        services.update_unit(unit, _unit_values(form), by_user_id=current_user.id)
        db.session.commit()
        flash(_("Gespeichert."), "success")
        return redirect(url_for("vacancies.show", unit_id=unit.id))
    return render_template("vacancies/edit.html", form=form, unit=unit), 422 if form.errors else 200


@requires("town.manage")
def change_status(unit_id):
    unit = services.get_unit(unit_id) or abort(404)
    form = StatusForm()
    if not form.validate_on_submit():
        return _unit_page(unit, 422, status_form=form)
    if services.change_status(unit, form.status.data, on=form.changed_on.data, note=form.note.data,
                              by_user_id=current_user.id):
        db.session.commit()
        flash(_("Status geändert: %(status)s seit %(date)s.", status=STATUSES[unit.status],
                date=form.changed_on.data.strftime("%d.%m.%Y")), "success")
    else:
        flash(_("Die Einheit hat diesen Status schon."), "error")
    return redirect(url_for("vacancies.show", unit_id=unit.id))


@requires("town.manage")
def upload_photo(unit_id):
    unit = services.get_unit(unit_id) or abort(404)
    form = PhotoForm()
    if form.validate_on_submit():
        try:
            stored = attachments.store_upload(form.photo.data, form.photo.data.filename,
                                              kinds=("image",))
        except attachments.UploadRejected as rejected:
            form.photo.errors.append(str(rejected))
        else:
            services.add_photo(unit, stored, form.caption.data or "")
            db.session.commit()
            flash(_("Foto hinzugefügt."), "success")
            return redirect(url_for("vacancies.show", unit_id=unit.id))
    return _unit_page(unit, 422, photo_form=form)


@requires("town.manage")
def upload_floor_plan(unit_id):
    unit = services.get_unit(unit_id) or abort(404)
    form = FloorPlanForm()
    if form.validate_on_submit():
        try:
            unit.floor_plan = attachments.store_upload(form.floor_plan.data,
                                                       form.floor_plan.data.filename, kinds=("pdf",))
        except attachments.UploadRejected as rejected:
            form.floor_plan.errors.append(str(rejected))
        else:
            db.session.commit()
            flash(_("Grundriss gespeichert."), "success")
            return redirect(url_for("vacancies.show", unit_id=unit.id))
    return _unit_page(unit, 422, floor_plan_form=form)


@requires("town.view")
def staff_photo(unit_id, photo_id):
    unit = services.get_unit(unit_id) or abort(404)
    photo = services.get_photo(unit, photo_id) or abort(404)
    return attachments.send_attachment(photo.attachment, thumbnail=request.args.get("klein") == "1")


@requires("town.view")
def staff_floor_plan(unit_id):
    unit = services.get_unit(unit_id) or abort(404)
    if unit.floor_plan is None:
        abort(404)
    return attachments.send_attachment(unit.floor_plan, download_name=f"Grundriss-{unit.id}.pdf")


@requires("town.view")
def export(kind):
    if kind not in EXPORT_TYPES:
        abort(404)
    units = list(db.session.scalars(services.register_query()))
    body = exports.render(kind, units)
    filename = f"leerstand-{g.tenant.slug}-{date.today():%Y-%m-%d}.{kind}"
    return Response(body, mimetype=EXPORT_TYPES[kind],
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


# --- residents' reports (staff side) -----------------------------------------------

@requires("town.view")
def reports():
    status = request.args.get("status", "new")
    return render_template("vacancies/reports.html", reports=services.reports(status or None),
                           status=status, reject_form=RejectForm())


@requires("town.manage")
def accept_report(report_id):
    report = services.get_report(report_id) or abort(404)
    try:
        unit = services.accept_report(report, by_user_id=current_user.id)
    except services.AlreadyDecided:
        flash(_("Diese Meldung ist schon entschieden."), "error")
        return redirect(url_for("vacancies.reports"))
    db.session.commit()
    flash(_("Aus der Meldung wurde eine Einheit. Bitte Angaben ergänzen."), "success")
    return redirect(url_for("vacancies.edit", unit_id=unit.id))


@requires("town.manage")
def reject_report(report_id):
    report = services.get_report(report_id) or abort(404)
    form = RejectForm()
    if not form.validate_on_submit():
        return render_template("vacancies/reports.html", reports=services.reports("new"),
                               status="new", reject_form=form, rejecting=report.id), 422
    try:
        services.reject_report(report, reason=form.reason.data, by_user_id=current_user.id)
    except services.AlreadyDecided:
        flash(_("Diese Meldung ist schon entschieden."), "error")
    else:
        db.session.commit()
        flash(_("Meldung abgelehnt."), "success")
    return redirect(url_for("vacancies.reports"))


@requires("town.view")
def report_photo(report_id):
    report = services.get_report(report_id) or abort(404)
    if report.photo is None:
        abort(404)
    return attachments.send_attachment(report.photo, thumbnail=request.args.get("klein") == "1")


# --- the public listing (Leerstandsbörse) ---------------------------------------------

@public
def listing():
    form = ListingFilterForm(request.args)
    districts = town.list_districts()
    form.district.choices = [(0, _("alle"))] + [(d.id, d.name) for d in districts]
    wanted = services.ListingFilter()
    if form.validate():
        wanted = services.ListingFilter(district_id=form.district.data or None,
                                        usage=form.usage.data or None, area_min=form.area_min.data,
                                        area_max=form.area_max.data, rent_max=form.rent_max.data)
    page = page_of(services.listing_query(wanted), LISTING_PAGE_SIZE)
    return render_template("vacancies/listing.html", form=form, units=page.items, page=page,
                           map_features=exports.map_features(page.items, staff=False),
                           public_address=services.public_address), 200 if not form.errors else 422


@public
def listed_unit(unit_id):
    unit = services.get_listed_unit(unit_id) or abort(404)
    return render_template("vacancies/listed_unit.html", unit=unit, form=EnquiryForm(),
                           public_address=services.public_address(unit),
                           map_features=exports.map_features([unit], staff=False))


@public
def public_photo(unit_id, photo_id):
    unit = services.get_listed_unit(unit_id) or abort(404)
    photo = services.get_photo(unit, photo_id) or abort(404)
    return attachments.send_attachment(photo.attachment, thumbnail=request.args.get("klein") == "1")


@public
def public_floor_plan(unit_id):
    unit = services.get_listed_unit(unit_id) or abort(404)
    if unit.floor_plan is None:
        abort(404)
    return attachments.send_attachment(unit.floor_plan, download_name=f"Grundriss-{unit.id}.pdf")


@public
def expose(unit_id):
    from blueprints.vacancies.expose import render_expose
    from blueprints.vacancies.location import town_contact

    unit = services.get_listed_unit(unit_id) or abort(404)
    photos = [attachments.read_bytes(photo.attachment, thumbnail=False) for photo in unit.photos[:3]]
    pdf = render_expose(unit, g.tenant, photos=photos, contact=town_contact(),
                        public_address=services.public_address(unit),
                        url=url_for("vacancies.listed_unit", unit_id=unit.id, _external=True))
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="Expose-{g.tenant.slug}-{unit.id}.pdf"'})


@public
def enquire(unit_id):
    unit = services.get_listed_unit(unit_id) or abort(404)
    form = EnquiryForm()
    if not form.validate_on_submit():
        return render_template("vacancies/listed_unit.html", unit=unit, form=form,
                               public_address=services.public_address(unit),
                               map_features=exports.map_features([unit], staff=False)), 422
    enquiry = services.create_enquiry(unit, name=form.name.data, email=form.email.data,
                                      phone=form.phone.data or "", message=form.message.data or "")
    send_mail(enquiry.email, "vacancies/enquiry_received", _("Ihre Anfrage zu %(address)s",
                                                              address=services.public_address(unit)),
              enquiry=enquiry, address=services.public_address(unit))
    db.session.commit()
    flash(_("Danke! Ihre Anfrage ist angekommen; wir melden uns bei Ihnen."), "success")
    return redirect(url_for("vacancies.listed_unit", unit_id=unit.id))


@public
def report():
    form = ReportForm()
    if form.validate_on_submit():
        photo = None
        try:
            if form.photo.data:
                photo = attachments.store_upload(form.photo.data, form.photo.data.filename,
                                                 kinds=("image",))
        except attachments.UploadRejected as rejected:
            form.photo.errors.append(str(rejected))
        else:
            services.create_report(address=form.address.data, note=form.note.data or "",
                                   photo=photo, reporter_name=form.reporter_name.data or "",
                                   reporter_email=form.reporter_email.data or "")
            db.session.commit()
            flash(_("Danke für Ihre Meldung! Das Quartiersmanagement sieht sie sich an."), "success")
            return redirect(url_for("vacancies.listing"))
    return render_template("vacancies/report.html", form=form), 422 if form.errors else 200


# --- helpers -----------------------------------------------------------------------------

def _unit_form(**options) -> UnitForm:
    form = UnitForm(**options)
    form.district_id.choices = [(0, _("ohne Stadtteil"))] + \
        [(district.id, district.name) for district in town.list_districts()]
    form.owner_id.choices = [(0, _("unbekannt"))] + \
        [(actor.id, actor.name) for actor in actors.list_actors()]
    form.features.choices = list(matching.FEATURE_LABELS.items())
    form.excluded_categories.choices = list(matching.CATEGORIES.items())
    return form


def _unit_values(form: UnitForm) -> dict:
    values = {name: form[name].data for name in services.UNIT_FIELDS
              if name in form and name not in ("tags", "lat", "lon")}
    values["district_id"] = form.district_id.data or None
    values["owner_id"] = form.owner_id.data or None
    values["condition"] = form.condition.data or None
    values["reference"] = (form.reference.data or "").strip() or None
    values["lat"] = float(form.lat.data) if form.lat.data is not None else None
    values["lon"] = float(form.lon.data) if form.lon.data is not None else None
    values["tags"] = [tag.strip() for tag in (form.tags.data or "").split(",") if tag.strip()]
    values["features"] = list(form.features.data or [])
    values["excluded_categories"] = list(form.excluded_categories.data or [])
    values["vacant_since"] = form.vacant_since.data
    for text in ("postcode", "restrictions", "endangered_reason", "description", "notes"):
        values[text] = values.get(text) or ""
    values["floor"] = values.get("floor") or 0
    return values


# --- location information for investors -------------------------------------------------

@public
def location_page():
    from blueprints.vacancies import location

    units = list(db.session.scalars(services.listing_query()))
    return render_template("vacancies/location.html", areas=location.areas(), units=units,
                           public_address=services.public_address)


@public
def location_download(download_id):
    from blueprints.vacancies import location

    download = location.get_download(download_id) or abort(404)
    return attachments.send_attachment(download.attachment, download_name=f"{download.title}.pdf")


@requires("town.manage")
def edit_location():
    from blueprints.vacancies import location
    from blueprints.vacancies.forms import DownloadForm, FootfallForm, ProfileForm

    district_id = record_id_arg("stadtteil")
    if district_id is not None and town.get_district(district_id) is None:
        abort(404)
    profile = location.profile_for(district_id)
    form = ProfileForm(obj=profile)
    if form.validate_on_submit():
        location.save_profile(district_id, {name: form[name].data if form[name].data is not None
                                            else (None if name in ("population", "purchasing_power_index") else "")
                                            for name in location.PROFILE_FIELDS})
        db.session.commit()
        flash(_("Standortdaten gespeichert."), "success")
        return redirect(url_for("vacancies.edit_location", stadtteil=district_id))
    return render_template("vacancies/edit_location.html", form=form, profile=profile,
                           district=town.get_district(district_id) if district_id else None,
                           districts=town.list_districts(), footfall_form=FootfallForm(),
                           download_form=DownloadForm()), 422 if form.errors else 200


@requires("town.manage")
def add_footfall():
    from blueprints.vacancies import location
    from blueprints.vacancies.forms import FootfallForm

    district_id = record_id_arg("stadtteil")
    form = FootfallForm()
    if form.validate_on_submit():
        profile = location.profile_for(district_id) or location.save_profile(district_id, {})
        location.add_footfall(profile, place=form.place.data, counted_on=form.counted_on.data,
                              count_per_hour=form.count_per_hour.data)
        db.session.commit()
        flash(_("Zählung gespeichert."), "success")
    else:
        flash(error_summary(form), "error")
    return redirect(url_for("vacancies.edit_location", stadtteil=district_id))


@requires("town.manage")
def add_location_download():
    from blueprints.vacancies import location
    from blueprints.vacancies.forms import DownloadForm

    district_id = record_id_arg("stadtteil")
    form = DownloadForm()
    if form.validate_on_submit():
        try:
            stored = attachments.store_upload(form.document.data, form.document.data.filename,
                                              kinds=("pdf",))
        except attachments.UploadRejected as rejected:
            flash(str(rejected), "error")
        else:
            profile = location.profile_for(district_id) or location.save_profile(district_id, {})
            location.add_download(profile, title=form.title.data, attachment=stored)
            db.session.commit()
            flash(_("Dokument hinzugefügt."), "success")
    else:
        flash(error_summary(form), "error")
    return redirect(url_for("vacancies.edit_location", stadtteil=district_id))
