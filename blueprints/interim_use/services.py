"""Interim use: applications from draft to submission, and matching them to the register.

Drafts are kept, submitted once, and a guest's address is confirmed by mail.
The matching below turns units and applications into the plain values that
the pure scoring (blueprints.interim_use.matching) ranks, with the town's weights.
"""
from __future__ import annotations

import secrets

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from itsdangerous import BadData, URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from blueprints.interim_use.matching import Offer, Weights, Wish, rank_applications, rank_units
from blueprints.interim_use.models import Application, ApplicationAttachment, MatchWeights
from blueprints.interim_use.workflow import StepRefused, record_event
from blueprints.mail.services import send_mail
from blueprints.vacancies.models import AVAILABLE_STATUSES, Unit
from tenants.current import current_tenant
from tenants.db import db
from tenants.models import utcnow
from tenants.resolver import external_url


# --- applications: drafts, submission, confirmation --------------------------------------

CONFIRM_SALT = "interim-use-confirm"
CONFIRM_DAYS = 7
DRAFT_FIELDS = ("applicant_name", "organisation", "legal_form", "team", "email", "phone",
                "concept", "category", "area_min_sqm", "area_max_sqm", "budget_eur_month",
                "start_date", "end_date", "features", "district_ids")
# Applicants may still change their application until staff start to review it.
EDITABLE_STATUSES = ("draft", "unconfirmed", "submitted")
FINAL_STATUSES = ("ended", "rejected", "withdrawn")


def new_draft(*, user=None, unit_id: int | None = None) -> Application:
    """A draft not yet kept; a signed-in applicant's name and address are filled in."""
    draft = Application(status="draft", draft_token=secrets.token_urlsafe(32), features=[],
                        district_ids=[], unit_id=unit_id)
    if user is not None:
        draft.user_id, draft.applicant_name, draft.email = user.id, user.name or "", user.email
    return draft


def start_draft(*, user=None, unit_id: int | None = None) -> Application:
    """A new draft, kept in the session's transaction."""
    draft = new_draft(user=user, unit_id=unit_id)
    db.session.add(draft)
    return draft


def find_draft(token: str | None, user=None) -> Application | None:
    """The draft of this browser (its token) or of this account, if still a draft."""
    query = select(Application).where(Application.status == "draft")
    if token:
        found = db.session.scalars(query.where(Application.draft_token == token)).first()
        if found is not None:
            return found
    if user is not None:
        return db.session.scalars(query.where(Application.user_id == user.id)
                                  .order_by(Application.id.desc())).first()
    return None


TEXT_FIELDS = ("applicant_name", "organisation", "team", "email", "phone", "concept")


def save_step(application: Application, values: dict) -> None:
    for name, value in values.items():
        if name in TEXT_FIELDS:
            value = (value or "").strip()
        if name in DRAFT_FIELDS:
            setattr(application, name, value)


def add_document(application: Application, attachment, title: str) -> ApplicationAttachment:
    document = ApplicationAttachment(attachment=attachment, title=title.strip() or attachment.filename)
    application.attachments.append(document)
    return document


def submit(application: Application, *, user=None, consent_wording: str) -> bool:
    """Send the draft in; False if it was sent already (a second click changes nothing).

    A signed-in applicant's address is known, so the application is submitted
    at once; a guest first confirms the address through the mailed link.
    """
    if application.status != "draft":
        return False
    application.consent_at, application.consent_wording = utcnow(), consent_wording
    application.submitted_at = utcnow()
    if user is not None and user.email_confirmed_at is not None and \
            user.email.lower() == application.email.lower():
        application.user_id = user.id
        _confirmed(application, by_user_id=user.id)
        _make_applicant(user)
    else:
        record_event(application, "unconfirmed", "", None)
        send_mail(application.email, "interim_use/confirm_email",
                  _l("Bitte bestätigen Sie Ihre Bewerbung"), application=application,
                  link=external_url("interim_use.confirm", token=confirmation_token(application)),
                  days=CONFIRM_DAYS)
    return True


def confirmation_token(application: Application) -> str:
    return URLSafeTimedSerializer(current_app.secret_key, salt=CONFIRM_SALT).dumps(
        {"town": current_tenant().id, "application": application.id})


class InvalidLink(ValueError):
    """The confirmation link is broken, expired, or of another town."""


def confirm(token: str) -> Application:
    """Confirm a guest's address from the mailed link; confirming twice is harmless."""
    try:
        data = URLSafeTimedSerializer(current_app.secret_key, salt=CONFIRM_SALT).loads(
            token, max_age=CONFIRM_DAYS * 86400)
    except BadData:
        raise InvalidLink(token) from None
    application = db.session.get(Application, data.get("application"))
    if data.get("town") != current_tenant().id or application is None:
        raise InvalidLink(token)
    if application.status == "unconfirmed":
        _confirmed(application, by_user_id=None)
        _link_to_account(application)
    return application


def _link_to_account(application: Application) -> None:
    """An account with this (confirmed) address finds the application in its portal."""
    from blueprints.accounts import services as accounts

    user = accounts.get_user_by_email(application.email)
    if user is not None and user.email_confirmed_at is not None and application.user_id is None:
        application.user_id = user.id
        _make_applicant(user)


def _confirmed(application: Application, *, by_user_id) -> None:
    application.email_confirmed_at = utcnow()
    record_event(application, "submitted", "", by_user_id)
    send_mail(application.email, "interim_use/received", _l("Ihre Bewerbung ist eingegangen"),
              application=application)


def _make_applicant(user) -> None:
    """A first application makes its author an applicant of the town, for their portal."""
    from blueprints.accounts import services as accounts
    from tenants.models import Tenant

    if not any(m.tenant_id == current_tenant().id for m in user.memberships):
        accounts.grant_membership(user, db.session.get(Tenant, current_tenant().id), "applicant")


def list_applications(status: str | None = None) -> list[Application]:
    query = select(Application).where(Application.status != "draft") \
        .order_by(Application.submitted_at.desc(), Application.id.desc())
    if status:
        query = query.where(Application.status == status)
    return list(db.session.scalars(query))


def get_application(application_id: int) -> Application | None:
    application = db.session.get(Application, application_id)
    return None if application is None or application.status == "draft" else application


def applications_of_user(user_id: int) -> list[Application]:
    """The account's own applications in the current town (drafts included)."""
    return list(db.session.scalars(select(Application).options(selectinload(Application.events))
                                   .where(Application.user_id == user_id)
                                   .order_by(Application.created_at.desc())))


# --- matching with the register -----------------------------------------------------------------

def town_weights() -> Weights:
    stored = db.session.scalars(select(MatchWeights)).first()
    return Weights.from_dict(stored.weights) if stored else Weights()


def wish_of(application: Application) -> Wish:
    return Wish(category=application.category or "other", area_min_sqm=application.area_min_sqm,
                area_max_sqm=application.area_max_sqm, budget_eur_month=application.budget_eur_month,
                start_date=application.start_date, end_date=application.end_date,
                features=frozenset(application.features or ()),
                district_ids=frozenset(application.district_ids or ()),
                application_id=application.id)


def offer_of(unit: Unit) -> Offer:
    features = set(unit.features or ())
    if unit.step_free:
        features.add("step_free")
    if unit.frontage_m:
        features.add("shop_window")
    return Offer(unit_id=unit.id, area_sqm=unit.area_sqm, rent_eur_month=unit.rent_eur_month,
                 service_charge_eur_month=unit.service_charge_eur_month,
                 available_from=unit.available_from,
                 available=unit.status in AVAILABLE_STATUSES,
                 interim_use_consent=unit.interim_use_consent,
                 excluded_categories=frozenset(unit.excluded_categories or ()),
                 features=frozenset(features), district_id=unit.district_id, address=unit.address)


def matches_for(application: Application):
    """(ranked units, excluded units with reasons) for an application, from the whole register."""
    # Archived units are no longer watched: matching leaves them out (vacancies.watched_units).
    units = {unit.id: unit for unit in db.session.scalars(select(Unit).where(Unit.archived_at.is_(None)))}
    ranked, excluded = rank_units(wish_of(application), [offer_of(u) for u in units.values()],
                                 town_weights())
    return [(match, units[match.unit_id]) for match in ranked], \
        [(match, units[match.unit_id]) for match in excluded]



def editable_application(application_id: int, user) -> Application | None:
    """The account's own application, while it may still be changed."""
    application = db.session.get(Application, application_id)
    if application is None or application.user_id != user.id or \
            application.status not in EDITABLE_STATUSES:
        return None
    return application


def personal_data(application: Application) -> dict:
    """Everything the town keeps of this application, for its author (DSGVO Art. 15 and 20)."""
    fields = ("id", "status", "applicant_name", "organisation", "legal_form", "team", "email",
              "phone", "concept", "category", "area_min_sqm", "area_max_sqm", "budget_eur_month",
              "start_date", "end_date", "features", "district_ids", "consent_at",
              "consent_wording", "email_confirmed_at", "submitted_at", "outcome")
    return {**{name: getattr(application, name) for name in fields},
            "history": [{"status": e.status, "note": e.note, "at": e.created_at}
                        for e in application.events],
            "documents": [{"title": d.title, "filename": d.attachment.filename}
                          for d in application.attachments]}


# During a running use the agreement binds others too; staff end it first.
ERASE_REFUSED_STATUSES = ("owner_agreed", "agreement_signed", "active")


def erase(application: Application) -> None:
    """Delete the application with its documents (DSGVO Art. 17), unless a use is running."""
    from blueprints.attachments import services as attachments

    if application.status in ERASE_REFUSED_STATUSES:
        raise StepRefused(_("Während einer vereinbarten Zwischennutzung können wir die Bewerbung "
                            "nicht löschen. Bitte wenden Sie sich an das Quartiersmanagement."))
    for document in list(application.attachments):
        attachments.delete_attachment(document.attachment)
    db.session.delete(application)


def create_application(values: dict, *, user=None) -> Application:
    """An application sent in one go (the API twin of the form): submitted at once for a
    confirmed account, else waiting for the guest to confirm the address."""
    from blueprints.interim_use.forms import CONSENT_WORDING

    application = start_draft(user=user, unit_id=values.get("unit_id"))
    save_step(application, values)
    db.session.flush()  # the confirmation link carries the id
    submit(application, user=user, consent_wording=str(CONSENT_WORDING))
    return application


# Applications that still look for a unit: the reverse matching ranks these.
SEEKING_STATUSES = ("submitted", "in_review", "proposed")


def save_weights(values: dict) -> Weights:
    """Store the town's weights (each 0 to 10); returns them as they will be used."""
    chosen = Weights.from_dict(values)
    stored = db.session.scalars(select(MatchWeights)).first() or MatchWeights()
    stored.weights = chosen.as_dict()
    db.session.add(stored)
    return chosen


def applications_for(unit: Unit):
    """(ranked applications, excluded ones with reasons) for a unit: the reverse matching."""
    seeking = {application.id: application for application in db.session.scalars(
        select(Application).where(Application.status.in_(SEEKING_STATUSES)))}
    ranked, excluded = rank_applications(offer_of(unit), [wish_of(a) for a in seeking.values()],
                                         town_weights())
    return [(match, seeking[match.application_id]) for match in ranked], \
        [(match, seeking[match.application_id]) for match in excluded]
