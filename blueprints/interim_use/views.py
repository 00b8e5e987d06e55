"""Thin handlers: the online application in steps, its confirmation, staff review, the portal."""
from __future__ import annotations

import json

from flask import (
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from blueprints.attachments import services as attachments
from blueprints.extensions import limiter
from blueprints.formfields import error_summary
from blueprints.interim_use import calls, matching, services, workflow
from blueprints.interim_use.forms import (
    CONSENT_WORDING,
    AgreementForm,
    ApplicantStep,
    CallForm,
    CloseForm,
    ConceptStep,
    DocumentsStep,
    SpaceStep,
    StepForm,
    SubmitStep,
    TemplateForm,
    WeightsForm,
)
from blueprints.interim_use.models import OUTCOMES, STATUSES, Application
from blueprints.request_values import record_id_arg, record_ids_arg
from blueprints.town import services as town
from blueprints.vacancies import services as vacancies
from tenants.access import public, requires, signed_in
from tenants.context import tenant_context
from tenants.db import db
from tenants.resolver import registry as town_registry

# URL part → (title, form); the order is the order of the steps.
STEPS = {
    "bewerber": (_l("Wer bewirbt sich?"), ApplicantStep),
    "konzept": (_l("Ihr Vorhaben"), ConceptStep),
    "flaeche": (_l("Fläche und Zeitraum"), SpaceStep),
    "unterlagen": (_l("Unterlagen"), DocumentsStep),
    "absenden": (_l("Prüfen und absenden"), SubmitStep),
}


def _draft_key() -> str:
    return f"interim-draft-{g.tenant.id}"


def _user():
    return current_user if current_user.is_authenticated else None


def _edit_key() -> str:
    return f"interim-edit-{g.tenant.id}"


def _current_draft():
    """The application this browser fills in: a draft, or (from the portal) one being edited."""
    editing = session.get(_edit_key())
    if editing and _user() is not None:
        application = services.editable_application(editing, _user())
        if application is not None:
            return application
    return services.find_draft(session.get(_draft_key()), _user())


@public
def apply():
    """Start (or resume) an application; ``?einheit=`` preselects a listed unit.

    No row is written yet: a draft exists from the first valid step on, so that
    visits (and crawlers) leave nothing behind.
    """
    draft = _current_draft()
    unit = vacancies.get_listed_unit(record_id_arg("einheit") or 0)
    if unit is not None and draft is not None:
        draft.unit_id = unit.id
        db.session.commit()
    elif unit is not None:
        session[_unit_key()] = unit.id
    call = calls.get_call(record_id_arg("ausschreibung") or 0)
    if call is not None and calls.accepting(call):
        session[_call_key()] = call.id
    return redirect(url_for("interim_use.step", step="bewerber"))


def _unit_key() -> str:
    return f"interim-unit-{g.tenant.id}"


def _call_key() -> str:
    return f"interim-call-{g.tenant.id}"


def _chosen_call():
    return calls.get_call(session.get(_call_key()) or 0)


@limiter.limit(lambda: current_app.config["APPLICATION_RATE_LIMIT"], methods=["POST"])
@public
def step(step):
    if step not in STEPS:
        abort(404)
    draft = _current_draft()
    if draft is None:
        if step != "bewerber":
            return redirect(url_for("interim_use.step", step="bewerber"))
        draft = services.new_draft(user=_user(), unit_id=session.get(_unit_key()))
    title, form_class = STEPS[step]
    form = form_class(obj=draft) if request.method == "GET" else form_class()
    _fill_choices(form)
    if request.method == "POST" and form.validate():
        if draft not in db.session:  # the first valid step: now the draft is kept
            db.session.add(draft)
            session[_draft_key()] = draft.draft_token
            session.pop(_unit_key(), None)
        if step == "unterlagen" and not _store_document(draft, form):
            return _step_page(draft, step, title, form), 422
        if step == "absenden":
            return _submit(draft)
        services.save_step(draft, {name: field.data for name, field in form._fields.items()
                                   if name in services.DRAFT_FIELDS})
        db.session.commit()
        return redirect(url_for("interim_use.step", step=_next(step, request.form.get("weiter"))))
    return _step_page(draft, step, title, form), 422 if form.errors else 200


def _step_page(draft, step, title, form):
    return render_template("interim_use/step.html", draft=draft, step=step, title=title, form=form,
                           call=_chosen_call(),
                           steps=STEPS, unit=draft.unit or vacancies.get_listed_unit(draft.unit_id or 0),
                           statuses=STATUSES,
                           category_labels=matching.CATEGORIES, feature_labels=matching.FEATURE_LABELS,
                           districts={d.id: d.name for d in town.list_districts()})


def _fill_choices(form) -> None:
    if "category" in form:
        form.category.choices = list(matching.CATEGORIES.items())
    if "features" in form:
        form.features.choices = list(matching.FEATURE_LABELS.items())
    if "district_ids" in form:
        form.district_ids.choices = [(d.id, d.name) for d in town.list_districts()]
    if "legal_form" in form and request.method == "GET" and not form.legal_form.data:
        form.legal_form.data = "person"


def _store_document(draft, form) -> bool:
    upload = form.document.data
    if not upload or not getattr(upload, "filename", ""):
        return True  # nothing chosen: go on
    try:
        stored = attachments.store_upload(upload, upload.filename, kinds=("pdf", "image"))
    except attachments.UploadRejected as rejected:
        form.document.errors.append(str(rejected))
        return False
    services.add_document(draft, stored, form.title.data or "")
    db.session.commit()
    flash(_("„%(name)s“ ist angehängt.", name=stored.filename), "success")
    return True


def _next(step: str, wanted: str | None) -> str:
    names = list(STEPS)
    if wanted in STEPS:
        return wanted
    return names[min(names.index(step) + 1, len(names) - 1)]


def _submit(draft):
    if draft.status != "draft":  # an application edited from the portal
        workflow.record_event(draft, draft.status, _("Angaben geändert"), current_user.id)
        db.session.commit()
        session.pop(_edit_key(), None)
        flash(_("Ihre Änderungen sind gespeichert."), "success")
        return redirect(url_for("interim_use.portal"))
    missing = [str(STEPS[step][0]) for step, ready in (("bewerber", draft.applicant_name and draft.email),
                                                   ("konzept", draft.concept)) if not ready]
    if missing:
        flash(_("Bitte noch ausfüllen: %(steps)s.", steps=", ".join(missing)), "error")
        return redirect(url_for("interim_use.step", step="bewerber" if not draft.email else "konzept"))
    call = _chosen_call()
    if call is not None:
        try:
            calls.enter(draft, call)
        except workflow.StepRefused as refused:
            flash(str(refused), "error")
            session.pop(_call_key(), None)
            return redirect(url_for("interim_use.step", step="absenden"))
    services.submit(draft, user=_user(), consent_wording=str(CONSENT_WORDING))
    db.session.commit()
    session.pop(_draft_key(), None)
    session.pop(_call_key(), None)
    session["interim-submitted"] = draft.id
    return redirect(url_for("interim_use.thanks"))


@public
def thanks():
    application = services.get_application(session.get("interim-submitted") or 0)
    if application is None:
        return redirect(url_for("interim_use.apply"))
    return render_template("interim_use/thanks.html", application=application)


@public
def confirm(token):
    try:
        application = services.confirm(token)
    except services.InvalidLink:
        return render_template("interim_use/invalid_link.html"), 400
    db.session.commit()
    flash(_("Danke! Ihre E-Mail-Adresse ist bestätigt, die Bewerbung ist eingegangen."), "success")
    session["interim-submitted"] = application.id
    return redirect(url_for("interim_use.thanks"))


# --- staff -------------------------------------------------------------------------------

@requires("town.view")
def applications():
    status = request.args.get("status") if request.args.get("status") in STATUSES else None
    return render_template("interim_use/applications.html", status=status, statuses=STATUSES,
                           applications=services.list_applications(status),
                           subsidies=workflow.subsidy_figures(),
                           category_labels=matching.CATEGORIES)


@requires("town.view")
def application(application_id):
    found = services.get_application(application_id) or abort(404)
    return _application_page(found)


def _application_page(found, status_code=200, agreement_form=None):
    ranked, excluded = services.matches_for(found)
    step_form = StepForm()
    step_form.unit_ids.choices = [(unit.id, unit.address) for _match, unit in ranked]
    step_form.unit_id.choices = [(unit_id, _unit_address(unit_id)) for unit_id in found.proposed_unit_ids or []]
    step_form.outcome.choices = list(OUTCOMES.items())
    return render_template(
        "interim_use/application.html", application=found, ranked=ranked, excluded=excluded,
        statuses=STATUSES, outcomes=OUTCOMES, category_labels=matching.CATEGORIES,
        feature_labels=matching.FEATURE_LABELS, districts={d.id: d.name for d in town.list_districts()},
        allowed=workflow.allowed_steps(found), step_form=step_form, close_form=CloseForm(),
        agreement_form=agreement_form or _agreement_form(found),
        agreements=workflow.agreements_of(found)), status_code


def _unit_address(unit_id: int) -> str:
    unit = vacancies.get_unit(unit_id)
    return unit.address if unit else str(unit_id)


def _agreement_form(found) -> AgreementForm:
    form = AgreementForm()
    if request.method == "GET":
        form.purpose.data = found.concept[:500]
        form.starts_on.data, form.ends_on.data = found.start_date, found.end_date
        if found.unit is not None:
            form.rent_eur_month.data = found.unit.rent_eur_month
    return form


@requires("town.manage")
def take_step(application_id):
    found = services.get_application(application_id) or abort(404)
    form = StepForm()
    try:
        workflow.advance(found, form.to.data, by_user_id=current_user.id, note=form.note.data or "",
                         unit_ids=record_ids_arg("unit_ids", request.form),
                         unit_id=record_id_arg("unit_id", request.form),
                         outcome=request.form.get("outcome"))
    except workflow.StepRefused as refused:
        db.session.rollback()
        flash(str(refused), "error")
        return redirect(url_for("interim_use.application", application_id=application_id))
    db.session.commit()
    flash(_("Neuer Stand: %(status)s. Die Bewerber:in ist benachrichtigt.", status=STATUSES[found.status]),
          "success")
    return redirect(url_for("interim_use.application", application_id=application_id))


@requires("town.manage")
def reject(application_id):
    found = services.get_application(application_id) or abort(404)
    form = CloseForm()
    if not form.validate_on_submit():
        flash(error_summary(form), "error")
        return redirect(url_for("interim_use.application", application_id=application_id))
    try:
        workflow.close(found, "rejected", reason=form.reason.data, by_user_id=current_user.id)
    except workflow.StepRefused as refused:
        flash(str(refused), "error")
    else:
        db.session.commit()
        flash(_("Die Bewerbung ist abgelehnt; die Bewerber:in ist benachrichtigt."), "success")
    return redirect(url_for("interim_use.application", application_id=application_id))


@requires("town.manage")
def draw_up_agreement(application_id):
    found = services.get_application(application_id) or abort(404)
    form = AgreementForm()
    if not form.validate_on_submit():
        return _application_page(found, 422, agreement_form=form)
    try:
        workflow.draw_up(found, {name: form[name].data if form[name].data is not None else 0
                                 for name in workflow.AGREEMENT_FIELDS}, town_name=g.tenant.name)
    except workflow.StepRefused as refused:
        flash(str(refused), "error")
        return _application_page(found, 422, agreement_form=form)
    db.session.commit()
    flash(_("Die Vereinbarung ist aufgesetzt; ein kommunaler Partner muss sie freigeben."), "success")
    return redirect(url_for("interim_use.application", application_id=application_id) + "#vereinbarung")


@requires("town.approve")
def approve_agreement(agreement_id):
    agreement = workflow.get_agreement(agreement_id) or abort(404)
    try:
        workflow.approve(agreement, by_user_id=current_user.id)
    except workflow.StepRefused as refused:
        flash(str(refused), "error")
    else:
        db.session.commit()
        flash(_("Vereinbarung freigegeben: sie gilt als unterzeichnet."), "success")
    return redirect(url_for("interim_use.application", application_id=agreement.application_id))


@requires("town.view")
def agreement_pdf(agreement_id):
    from blueprints.interim_use.agreement_pdf import render_agreement

    agreement = workflow.get_agreement(agreement_id) or abort(404)
    return Response(render_agreement(agreement, g.tenant), mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="Nutzungsvereinbarung-{agreement.id}.pdf"'})


@requires("town.view")
def document(application_id, document_id):
    found = services.get_application(application_id) or abort(404)
    attached = next((d for d in found.attachments if d.id == document_id), None) or abort(404)
    return attachments.send_attachment(attached.attachment)


# --- the applicant's portal (across towns) -------------------------------------------------

@signed_in
def portal():
    """Every town the account belongs to, visited in a context of its own."""
    found = []
    user_id = current_user.id
    for membership in current_user.memberships:
        info = town_registry().by_id(membership.tenant_id)
        if info is None or not info.is_active:
            continue
        # A fresh app context per town: the request's session (and its user) stays untouched.
        with current_app.app_context(), tenant_context(info):
            for found_application in services.applications_of_user(user_id):
                db.session.expunge(found_application)
                found.append((info, found_application))
    return render_template("interim_use/portal.html", found=found, statuses=STATUSES,
                           category_labels=matching.CATEGORIES)


def _own_application(application_id):
    found = db.session.get(Application, application_id)
    if found is None or found.user_id != current_user.id:
        abort(404)  # someone else's application does not exist for this account
    return found


@signed_in
def edit_own(application_id):
    found = _own_application(application_id)
    if found.status not in services.EDITABLE_STATUSES:
        flash(_("Diese Bewerbung ist schon in Prüfung und kann nicht mehr geändert werden."), "error")
        return redirect(url_for("interim_use.portal"))
    session[_edit_key()] = found.id
    return redirect(url_for("interim_use.step", step="bewerber"))


@signed_in
def withdraw_own(application_id):
    found = _own_application(application_id)
    form = CloseForm()
    if not form.validate_on_submit():
        flash(error_summary(form), "error")
        return redirect(url_for("interim_use.portal"))
    try:
        workflow.close(found, "withdrawn", reason=form.reason.data, by_user_id=current_user.id)
    except workflow.StepRefused as refused:
        flash(str(refused), "error")
    else:
        db.session.commit()
        flash(_("Ihre Bewerbung ist zurückgezogen."), "success")
    return redirect(url_for("interim_use.portal"))


@signed_in
def download_own(application_id):
    found = _own_application(application_id)
    body = json.dumps(services.personal_data(found), ensure_ascii=False, indent=2, default=str)
    return Response(body, mimetype="application/json", headers={
        "Content-Disposition": f'attachment; filename="bewerbung-{g.tenant.slug}-{found.id}.json"'})


@signed_in
def delete_own(application_id):
    found = _own_application(application_id)
    try:
        services.erase(found)
    except workflow.StepRefused as refused:
        flash(str(refused), "error")
    else:
        db.session.commit()
        flash(_("Ihre Bewerbung und alle Unterlagen dazu sind gelöscht."), "success")
    return redirect(url_for("interim_use.portal"))


@requires("town.manage")
def weights():
    form = WeightsForm(data=services.town_weights().as_dict())
    if request.method == "POST":
        form = WeightsForm()
        if form.validate():
            services.save_weights({name: form[name].data for name in matching.CRITERIA})
            db.session.commit()
            flash(_("Die Gewichtung gilt ab jetzt für alle Vorschläge."), "success")
            return redirect(url_for("interim_use.weights"))
    return render_template("interim_use/weights.html", form=form), 422 if form.errors else 200


# --- calls for entries ------------------------------------------------------------------------

@public
def public_calls():
    return render_template("interim_use/public_calls.html", calls=calls.open_calls())


@public
def public_call(call_id):
    call = calls.get_call(call_id) or abort(404)
    units = [unit for unit in (vacancies.get_listed_unit(unit_id) for unit_id in call.unit_ids) if unit]
    return render_template("interim_use/public_call.html", call=call, units=units,
                           open=calls.accepting(call), public_address=vacancies.public_address)


@requires("town.view")
def staff_calls():
    return render_template("interim_use/calls.html", calls=calls.list_calls())


@requires("town.manage")
def create_call():
    from blueprints.accounts import services as accounts

    form = CallForm()
    units = [unit for unit in db.session.scalars(vacancies.register_query())
             if unit.interim_use_consent and unit.status in ("vacant", "negotiating")]
    form.unit_ids.choices = [(unit.id, unit.address) for unit in units]
    if form.validate_on_submit():
        emails = [line.strip() for line in (form.jury.data or "").splitlines() if line.strip()]
        members = {email: accounts.get_user_by_email(email) for email in emails}
        unknown = [email for email, user in members.items() if user is None]
        if unknown:
            form.jury.errors.append(_("Kein Konto bei Quartier: %(emails)s. Bitte zuerst einladen.",
                                      emails=", ".join(unknown)))
        else:
            call = calls.create_call(title=form.title.data, description=form.description.data or "",
                                     eligibility=form.eligibility.data or "",
                                     deadline=form.deadline.data, unit_ids=form.unit_ids.data or [],
                                     criteria=form.criteria(),
                                     jury_user_ids=[user.id for user in members.values()])
            db.session.commit()
            flash(_("Die Ausschreibung ist veröffentlicht."), "success")
            return redirect(url_for("interim_use.staff_call", call_id=call.id))
    return render_template("interim_use/call_form.html", form=form), 422 if form.errors else 200


@requires("town.view")
def staff_call(call_id):
    call = calls.get_call(call_id) or abort(404)
    return render_template("interim_use/call.html", call=call, ranking=calls.ranking(call),
                           statuses=STATUSES, juror=calls.is_juror(call, current_user.id))


@signed_in
def score_call(call_id):
    call = calls.get_call(call_id) or abort(404)
    if not calls.is_juror(call, current_user.id):
        abort(404)  # the jury's page does not exist for anyone else
    applications = calls.entries(call)
    if request.method == "POST":
        scores, problems = {}, []
        for application in applications:
            for criterion in call.criteria:
                raw = request.form.get(f"score-{application.id}-{criterion.id}", "").strip()
                if not raw:
                    continue
                if not raw.isdigit() or not 0 <= int(raw) <= 10:
                    problems.append((application.id, criterion.id))
                    continue
                scores[(application.id, criterion.id)] = int(raw)
        if problems:
            flash(_("Bitte Punkte von 0 bis 10 eintragen; markierte Felder prüfen."), "error")
            return render_template("interim_use/score.html", call=call, applications=applications,
                                   scores={**calls.my_scores(call, current_user.id), **scores},
                                   problems=set(problems), raw=request.form), 422
        calls.record_scores(call, current_user.id, scores)
        db.session.commit()
        flash(_("Ihre Bewertung ist gespeichert."), "success")
        return redirect(url_for("interim_use.score_call", call_id=call.id))
    return render_template("interim_use/score.html", call=call, applications=applications,
                           scores=calls.my_scores(call, current_user.id), problems=set(), raw={})


@requires("town.manage")
def agreement_template():
    stored = workflow.template()
    form = TemplateForm(data={"title": stored.title if stored else _("Nutzungsvereinbarung"),
                              "body": stored.body if stored else str(workflow.DEFAULT_TEMPLATE)})
    if request.method == "POST":
        form = TemplateForm()
        if form.validate():
            workflow.save_template(form.title.data, form.body.data)
            db.session.commit()
            flash(_("Die Vorlage gilt für alle neuen Vereinbarungen."), "success")
            return redirect(url_for("interim_use.agreement_template"))
    return render_template("interim_use/template.html", form=form), 422 if form.errors else 200
