"""The way of an application after it was submitted, and its usage agreement.

submitted → in review → proposed (units offered) → owner agreed → agreement
signed (only by a partner's approval of the agreement) → active → ended with an
outcome; rejected or withdrawn from any open step, with a reason. Every step
is an ``application_events`` row with who and when, mails the applicant, and
mails the owner where the owner consented to be contacted. The unit's status
follows: negotiating once the owner agreed, interim while active, let or
vacant again at the end.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from blueprints.interim_use.models import (
    OUTCOMES,
    STATUSES,
    Agreement,
    AgreementTemplate,
    Application,
    ApplicationEvent,
)
from blueprints.mail.services import send_mail
from blueprints.vacancies import services as vacancies
from blueprints.vacancies.models import Unit
from tenants.db import db
from tenants.models import utcnow

NEXT_STEPS = {
    "submitted": ("in_review",),
    "in_review": ("proposed",),
    "proposed": ("owner_agreed",),
    "owner_agreed": (),  # agreement_signed comes only from approve_agreement
    "agreement_signed": ("active",),
    "active": ("ended",),
}
OPEN_STATUSES = ("unconfirmed", *NEXT_STEPS)
# Steps that concern the owner of the unit: they hear of these, if they agreed to contact.
OWNER_STEPS = ("owner_agreed", "agreement_signed", "active", "ended")
DEFAULT_TEMPLATE = _l(
    "Zwischen {owner} (Eigentümer:in) und {applicant} (Nutzer:in) wird unter Begleitung des "
    "Quartiersmanagements {town} folgende Nutzung vereinbart:\n\n"
    "Fläche: {unit}\nZweck: {purpose}\nZeitraum: {starts_on} bis {ends_on}; kündbar mit einer "
    "Frist von {notice_weeks} Wochen.\nMiete: {rent} im Monat, davon trägt die Stadt {subsidy}.\n"
    "Kaution: {deposit}.\nSchlüssel und Übergabe: {keys_and_handover}\n\n"
    "Die Fläche wird im vereinbarten Zustand zurückgegeben.")


class StepRefused(ValueError):
    """The step is not possible now; the message says why, for the person who tried."""


def record_event(application: Application, status: str, note: str, by_user_id) -> ApplicationEvent:
    """Set the application's status and write it into its history, with who and why."""
    application.status = status
    event = ApplicationEvent(status=status, note=note, by_user_id=by_user_id)
    application.events.append(event)
    return event


def allowed_steps(application: Application) -> tuple[str, ...]:
    return NEXT_STEPS.get(application.status, ())


def advance(application: Application, to: str, *, by_user_id: int | None, note: str = "",
            unit_ids: list[int] | None = None, unit_id: int | None = None,
            outcome: str | None = None) -> None:
    """Take the application one step on its way; raises StepRefused with the reason."""
    if to not in allowed_steps(application):
        raise StepRefused(_("Von „%(from)s“ geht es nicht zu „%(to)s“.",
                            **{"from": STATUSES[application.status], "to": STATUSES.get(to, to)}))
    if to == "proposed":
        application.proposed_unit_ids = _offerable(unit_ids or [])
    elif to == "owner_agreed":
        unit = _proposed_unit(application, unit_id)
        application.unit = unit
        vacancies.change_status(unit, "negotiating", note=_("Zwischennutzung vereinbart"),
                                by_user_id=by_user_id)
    elif to == "active":
        vacancies.change_status(application.unit, "interim", by_user_id=by_user_id)
    elif to == "ended":
        _end(application, outcome, by_user_id)
    _step(application, to, note, by_user_id)


def close(application: Application, status: str, *, reason: str, by_user_id: int | None) -> None:
    """Reject (staff) or withdraw (the applicant) an open application, with a reason."""
    if status not in ("rejected", "withdrawn"):
        raise ValueError(status)
    if application.status not in OPEN_STATUSES:
        raise StepRefused(_("Diese Bewerbung ist schon abgeschlossen."))
    if not reason.strip():
        raise StepRefused(_("Bitte einen Grund angeben."))
    if application.status in ("owner_agreed", "agreement_signed", "active") and application.unit:
        vacancies.change_status(application.unit, "vacant", by_user_id=by_user_id)
    _step(application, status, reason.strip(), by_user_id)


def _offerable(unit_ids: list[int]) -> list[int]:
    units = db.session.scalars(select(Unit).where(Unit.id.in_(unit_ids))).all() if unit_ids else []
    if not units:
        raise StepRefused(_("Bitte mindestens eine Fläche vorschlagen."))
    refused = [unit.address for unit in units if not unit.interim_use_consent]
    if refused:
        raise StepRefused(_("Ohne Zustimmung der Eigentümer:in: %(units)s.", units=", ".join(refused)))
    return sorted(unit.id for unit in units)


def _proposed_unit(application: Application, unit_id: int | None) -> Unit:
    if unit_id not in (application.proposed_unit_ids or []):
        raise StepRefused(_("Bitte eine der vorgeschlagenen Flächen wählen."))
    return db.session.get(Unit, unit_id)


def _end(application: Application, outcome: str | None, by_user_id) -> None:
    if outcome not in OUTCOMES:
        raise StepRefused(_("Bitte angeben, wie die Zwischennutzung endete."))
    application.outcome = outcome
    vacancies.change_status(application.unit, "let" if outcome == "became_lease" else "vacant",
                            by_user_id=by_user_id)


def _step(application: Application, status: str, note: str, by_user_id) -> None:
    record_event(application, status, note, by_user_id)
    send_mail(application.email, "interim_use/status_changed",
              _l("Ihre Bewerbung: %(status)s", status=STATUSES[status]),
              application=application, status_label=STATUSES[status], note=note)
    owner = application.unit.owner if application.unit else None
    if status in OWNER_STEPS and owner is not None and owner.email and owner.contact_consent_on:
        send_mail(owner.email, "interim_use/owner_notice",
                  _l("Zwischennutzung in %(address)s: %(status)s", address=application.unit.address,
                     status=STATUSES[status]),
                  owner=owner, application=application, status_label=STATUSES[status])


# --- agreements ------------------------------------------------------------------------------

AGREEMENT_FIELDS = ("purpose", "starts_on", "ends_on", "notice_weeks", "rent_eur_month",
                    "subsidy_eur_month", "deposit_eur", "keys_and_handover")


def template() -> AgreementTemplate | None:
    return db.session.scalars(select(AgreementTemplate).order_by(AgreementTemplate.id)).first()


def draw_up(application: Application, values: dict, *, town_name: str) -> Agreement:
    """The agreement for the application's unit, filled in from the town's template."""
    if application.status != "owner_agreed" or application.unit is None:
        raise StepRefused(_("Eine Vereinbarung gibt es erst, wenn die Eigentümer:in zugestimmt hat."))
    if values["ends_on"] < values["starts_on"]:
        raise StepRefused(_("Das Ende liegt vor dem Beginn."))
    if values["subsidy_eur_month"] > values["rent_eur_month"]:
        raise StepRefused(_("Der Zuschuss ist höher als die Miete."))
    agreement = Agreement(application=application, unit=application.unit, status="draft",
                          **{name: values[name] for name in AGREEMENT_FIELDS})
    agreement.text = fill_in(agreement, town_name)
    db.session.add(agreement)
    return agreement


def fill_in(agreement: Agreement, town_name: str) -> str:
    from babel.numbers import format_currency

    def money(amount: Decimal) -> str:
        return format_currency(amount, "EUR", locale="de_DE")

    body = template().body if template() else str(DEFAULT_TEMPLATE)
    application, unit = agreement.application, agreement.unit
    values = {
        "owner": unit.owner.name if unit.owner else _("die Eigentümer:in"),
        "applicant": application.organisation or application.applicant_name,
        "town": town_name, "unit": unit.address, "purpose": agreement.purpose,
        "starts_on": f"{agreement.starts_on:%d.%m.%Y}", "ends_on": f"{agreement.ends_on:%d.%m.%Y}",
        "notice_weeks": agreement.notice_weeks, "rent": money(agreement.rent_eur_month),
        "subsidy": money(agreement.subsidy_eur_month), "deposit": money(agreement.deposit_eur),
        "keys_and_handover": agreement.keys_and_handover or "–",
    }
    return body.format_map(_Blank(values))


class _Blank(dict):
    """A placeholder the template names but we do not know stays visible, never crashes."""

    def __missing__(self, key):
        return "{" + key + "}"


def revise(agreement: Agreement, values: dict, *, town_name: str) -> Agreement:
    """Change a draft's terms (any of AGREEMENT_FIELDS) and fill the template in again."""
    if agreement.status == "approved":
        raise StepRefused(_("Diese Vereinbarung ist schon freigegeben und bleibt, wie sie ist."))
    changed = {name: values.get(name, getattr(agreement, name)) for name in AGREEMENT_FIELDS}
    if changed["ends_on"] < changed["starts_on"]:
        raise StepRefused(_("Das Ende liegt vor dem Beginn."))
    if changed["subsidy_eur_month"] > changed["rent_eur_month"]:
        raise StepRefused(_("Der Zuschuss ist höher als die Miete."))
    for name, value in changed.items():
        setattr(agreement, name, value)
    agreement.text = fill_in(agreement, town_name)
    return agreement


def discard(agreement: Agreement) -> None:
    """Delete a draft; an approved agreement stays, for the application's history and the subsidies."""
    if agreement.status == "approved":
        raise StepRefused(_("Eine freigegebene Vereinbarung bleibt: sie gehört zum Verlauf der "
                            "Bewerbung und zu den Zuschüssen der Stadt."))
    db.session.delete(agreement)


def agreements_of(application: Application) -> list[Agreement]:
    return list(db.session.scalars(select(Agreement).where(Agreement.application_id == application.id)
                                   .order_by(Agreement.id)))


def get_agreement(agreement_id: int) -> Agreement | None:
    return db.session.get(Agreement, agreement_id)


def approve(agreement: Agreement, *, by_user_id: int) -> None:
    """A partner's approval: the agreement counts as signed, the application moves on."""
    if agreement.status == "approved":
        raise StepRefused(_("Diese Vereinbarung ist schon freigegeben."))
    if agreement.application.status != "owner_agreed":
        raise StepRefused(_("Die Bewerbung ist nicht (mehr) bei diesem Schritt."))
    agreement.status, agreement.approved_by_id, agreement.approved_at = "approved", by_user_id, utcnow()
    _step(agreement.application, "agreement_signed", "", by_user_id)


def subsidy_figures(on: date | None = None) -> dict:
    """The town's subsidies of approved agreements: per month running now, and in total."""
    on = on or date.today()
    approved = select(Agreement).where(Agreement.status == "approved")
    running = db.session.scalar(select(func.coalesce(func.sum(Agreement.subsidy_eur_month), 0))
                                .where(Agreement.status == "approved", Agreement.starts_on <= on,
                                       Agreement.ends_on >= on))
    total = Decimal(0)
    for agreement in db.session.scalars(approved):
        months = (agreement.ends_on.year - agreement.starts_on.year) * 12 + \
            agreement.ends_on.month - agreement.starts_on.month + 1
        total += agreement.subsidy_eur_month * months
    return {"running_per_month": Decimal(str(running)), "committed_total": total}


def save_template(title: str, body: str) -> AgreementTemplate:
    stored = template() or AgreementTemplate()
    stored.title, stored.body = title.strip(), body.strip()
    db.session.add(stored)
    return stored
