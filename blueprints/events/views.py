"""Thin handlers: the public calendar (list, month, detail, iCalendar) and the staff's events."""
from __future__ import annotations

import re
from datetime import date

from flask import (
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_datetime, ngettext
from flask_babel import gettext as _

from blueprints.actors import services as actors
from blueprints.attachments import services as attachments
from blueprints.events import registrations, services
from blueprints.events.forms import EventForm, RegistrationForm
from blueprints.events.ical import calendar_bytes
from blueprints.events.models import CATEGORIES, REGISTRATION_STATUSES
from blueprints.caching import cached_for_visitors
from blueprints.extensions import limiter
from blueprints.paging import page_of
from blueprints.request_values import record_id_arg
from blueprints.town import services as town
from blueprints.vacancies import services as vacancies
from blueprints.vacancies.spreadsheet_writing import csv_file
from tenants.access import public, requires
from tenants.db import db

CALENDAR_PAGE_SIZE = 25
MONTH = re.compile(r"^(\d{4})-(\d{2})$")
FIRST_YEAR, LAST_YEAR = 1900, 2999  # as the API's times (blueprints/api/schemas.py, Moment)
UNCHANGED, REFUSED = object(), object()  # outcomes of an image field besides a new image or None
EVENT_FIELDS = ("title", "description", "category", "address", "capacity", "registration_open",
                "cancelled")


def _wanted() -> services.CalendarFilter:
    category = request.args.get("kategorie")
    return services.CalendarFilter(category=category if category in CATEGORIES else None,
                                   district_id=record_id_arg("stadtteil"))


@public
@cached_for_visitors(services.calendar_stamp)
def calendar_page():
    wanted = _wanted()
    shown = MONTH.match(request.args.get("monat", ""))
    if request.args.get("ansicht") == "monat" or shown:
        today = date.today()
        year, month_number = (int(shown[1]), int(shown[2])) if _shown_month_exists(shown) \
            else (today.year, today.month)
        events = services.month(year, month_number, wanted)
        return render_template("events/month.html", wanted=wanted, year=year, month=month_number,
                               weeks=services.month_grid(year, month_number, events), events=events,
                               **_calendar_context(year, month_number))
    page = page_of(services.upcoming(wanted), CALENDAR_PAGE_SIZE)
    return render_template("events/calendar.html", events=page.items, page=page, wanted=wanted,
                           **_calendar_context())


def _shown_month_exists(shown) -> bool:
    # The years the calendar pages through: its neighbours must be dates too.
    return bool(shown) and FIRST_YEAR <= int(shown[1]) <= LAST_YEAR and 1 <= int(shown[2]) <= 12


def _calendar_context(year=None, month_number=None) -> dict:
    context = {"categories": CATEGORIES, "districts": town.list_districts(), "local": services.local}
    if year:
        previous = (year - 1, 12) if month_number == 1 else (year, month_number - 1)
        following = (year + 1, 1) if month_number == 12 else (year, month_number + 1)
        context.update(previous=f"{previous[0]}-{previous[1]:02d}",
                       following=f"{following[0]}-{following[1]:02d}",
                       month_start=date(year, month_number, 1))
    return context


@public
def event(event_id):
    found = services.get_event(event_id) or abort(404)
    return _event_page(found, RegistrationForm())


def _event_page(found, form, status_code=200):
    return render_template("events/event.html", event=found, local=services.local, form=form,
                           places_left=registrations.places_left(found)), status_code


@limiter.limit(lambda: current_app.config["APPLICATION_RATE_LIMIT"], methods=["POST"])
@public
def register(event_id):
    found = services.get_event(event_id) or abort(404)
    form = RegistrationForm()
    if not form.validate_on_submit():
        return _event_page(found, form, 422)
    try:
        registrations.register(found, name=form.name.data, email=form.email.data)
    except registrations.RegistrationRefused as refused:
        if found.registration_open and not found.cancelled:
            form.email.errors.append(str(refused))  # beside the address it is about
        else:
            flash(str(refused), "error")  # there is no form to show it beside
        return _event_page(found, form, 422)
    db.session.commit()
    flash(_("Fast geschafft: Bitte bestätigen Sie Ihre Anmeldung mit dem Link in der E-Mail."), "success")
    return redirect(url_for("events.event", event_id=found.id))


@public
def confirm_registration(token):
    registration = registrations.by_token(token) or abort(404)
    registrations.confirm(registration)
    db.session.commit()
    return render_template("events/registration.html", registration=registration, local=services.local)


@public
def cancel_registration(token):
    """GET shows the button (mail scanners open links); only the POST cancels."""
    registration = registrations.by_token(token) or abort(404)
    if request.method == "POST":
        registrations.cancel(registration)
        db.session.commit()
        flash(_("Sie sind abgemeldet."), "success")
    return render_template("events/registration.html", registration=registration, local=services.local,
                           cancelling=request.method == "GET")


@requires("town.view")
def registration_list(event_id):
    found = services.get_event(event_id) or abort(404)
    listed = registrations.of_event(found)
    if request.args.get("format") == "csv":
        return _registrations_csv(found, listed)
    return render_template("events/registrations.html", event=found, registrations=listed,
                           statuses=REGISTRATION_STATUSES,
                           attendance=registrations.attendance(found), local=services.local,
                           places_left=registrations.places_left(found))


def _registrations_csv(found, listed) -> Response:
    header = [_("Name"), _("E-Mail"), _("Status"), _("Angemeldet am"), _("Eingecheckt")]
    rows = ([each.name, each.email, str(REGISTRATION_STATUSES[each.status]),
             f"{services.local(each.created_at):%d.%m.%Y %H:%M}",
             f"{services.local(each.checked_in_at):%H:%M}" if each.checked_in_at else ""]
            for each in listed)
    return Response(csv_file(header, rows), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="anmeldungen-{found.id}.csv"'})


@requires("town.view")
def registration_pdf(event_id):
    """The participants as a PDF for checking people in on paper."""
    from blueprints.events.participants_pdf import render_participants

    found = services.get_event(event_id) or abort(404)
    when = "–".join((format_datetime(found.starts_at, "EEEE, d. MMMM y, HH:mm"),
                     format_datetime(found.ends_at, "HH:mm")))
    pdf = render_participants(found, g.tenant, registrations.of_event(found), when=when,
                              place=found.location)
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="teilnehmende-{found.id}.pdf"',
        "Cache-Control": "private, no-store"})


@requires("town.manage")
def check_in(registration_id):
    from blueprints.events.models import Registration

    registration = db.session.get(Registration, registration_id) or abort(404)
    registrations.check_in(registration)
    db.session.commit()
    return redirect(url_for("events.registration_list", event_id=registration.event_id))


@public
def image(event_id):
    """The event's image (``?klein=1``: the thumbnail); events are public, so is their image."""
    found = services.get_event(event_id) or abort(404)
    if found.image is None:
        abort(404)
    return attachments.send_attachment(found.image, thumbnail=request.args.get("klein") == "1")


@public
@cached_for_visitors(services.calendar_stamp)
def calendar_feed():
    events = services.feed(_wanted())
    return _ics(calendar_bytes(events, calendar_name=_("Veranstaltungen in %(town)s", town=g.tenant.name),
                               event_url=_event_url, domain=_domain()), f"veranstaltungen-{g.tenant.slug}.ics")


@public
def event_feed(event_id):
    found = services.get_event(event_id) or abort(404)
    return _ics(calendar_bytes([found], calendar_name=found.title, event_url=_event_url,
                               domain=_domain()), f"veranstaltung-{found.id}.ics")


def _event_url(found) -> str:
    return url_for("events.event", event_id=found.id, _external=True)


def _domain() -> str:
    return services.calendar_domain()


def _ics(body: bytes, filename: str) -> Response:
    return Response(body, mimetype="text/calendar", headers={
        "Content-Disposition": f'inline; filename="{filename}"', "Cache-Control": "public, max-age=300"})


# --- staff ------------------------------------------------------------------------------

@requires("town.view")
def staff_list():
    events = list(db.session.scalars(services.search_staff(request.args.get("suche", "").strip()).limit(300)))
    return render_template("events/staff_list.html", events=events, local=services.local)


@requires("town.manage")
def create():
    form = _event_form()
    if form.validate_on_submit() and (new_image := _image_change(form)) is not REFUSED:
        try:
            made = services.create_events(_values(form), day=form.day.data, starts=form.starts.data,
                                          ends=form.ends.data, repeat=form.repeat.data or None,
                                          until=form.until.data)
        except services.SeriesTooLong:
            form.until.errors.append(_("So viele Termine sind zu viel für eine Serie (höchstens %(max)s).",
                                       max=services.MAX_SERIES_DATES))
        else:
            if new_image is not UNCHANGED:
                services.replace_image(made, new_image)
            db.session.commit()
            flash(ngettext("%(num)d Termin angelegt.", "%(num)d Termine angelegt.", len(made)),
                  "success")
            return redirect(url_for("events.event", event_id=made[0].id))
    return render_template("events/edit.html", form=form, event=None), 422 if form.errors else 200


@requires("town.manage")
def edit(event_id):
    found = services.get_event(event_id) or abort(404)
    form = _event_form(obj=found)
    if request.method == "GET":
        starts, ends = services.local(found.starts_at), services.local(found.ends_at)
        form.day.data, form.starts.data, form.ends.data = starts.date(), starts.time(), ends.time()
        form.unit_id.data = found.unit_id or 0
        form.district_id.data = found.district_id or 0
        form.organiser_id.data = found.organiser_id or 0
    if form.validate_on_submit() and (new_image := _image_change(form)) is not REFUSED:
        services.update_event(found, _values(form), day=form.day.data, starts=form.starts.data,
                              ends=form.ends.data)
        if new_image is not UNCHANGED:
            services.replace_image([found], new_image)
        db.session.commit()
        flash(_("Gespeichert."), "success")
        return redirect(url_for("events.event", event_id=found.id))
    return render_template("events/edit.html", form=form, event=found), 422 if form.errors else 200


def _image_change(form: EventForm):
    """The new image (an Attachment), None to remove it, UNCHANGED, or REFUSED with the
    reason beside the field (everything else typed stays in the form)."""
    upload = form.image_upload.data
    if upload:
        try:
            return attachments.store_upload(upload, upload.filename, kinds=("image",))
        except attachments.UploadRejected as rejected:
            form.image_upload.errors.append(str(rejected))
            return REFUSED
    return None if form.remove_image.data else UNCHANGED


def _event_form(**options) -> EventForm:
    form = EventForm(**options)
    form.unit_id.choices = [(0, _("keine"))] + [(unit.id, unit.address) for unit in
                                                 db.session.scalars(vacancies.register_query())]
    form.district_id.choices = [(0, _("ohne Stadtteil"))] + [(d.id, d.name) for d in town.list_districts()]
    form.organiser_id.choices = [(0, _("das Quartiersmanagement"))] + \
        [(actor.id, actor.name) for actor in actors.list_actors()]
    return form


def _values(form: EventForm) -> dict:
    values = {name: form[name].data for name in EVENT_FIELDS}
    values["address"] = values["address"] or ""
    values["description"] = values["description"] or ""
    values["unit_id"] = form.unit_id.data or None
    values["district_id"] = form.district_id.data or None
    values["organiser_id"] = form.organiser_id.data or None
    return values
