"""The public submissions that store something and (most of them) mail, as a visitor sends them.

Each ``submit_*`` function sends one submission through a :class:`Visitor`
(the form page first, for its token, then the form; or the API twin) and
returns a :class:`Submission`: the answer, the answer it must be, the address
that must get exactly one mail, and what must be stored.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import func, select

from tenants.context import tenant_context
from tenants.db import db
from tests.conftest import PASSWORD, unique

TOWN = "stollberg"


@dataclass
class Submission:
    kind: str
    phase: str
    status: int
    expected_status: int
    mail_to: str | None  # gets exactly one mail
    stored: tuple[str, str] | None = None  # (what, key): a row that must exist afterwards

    @property
    def answered_as_expected(self) -> bool:
        return self.status == self.expected_status


@dataclass(frozen=True)
class Accounts:
    """Accounts made before the run: confirmed ones (reset, login) and unconfirmed ones (resend)."""

    confirmed: list[str]
    unconfirmed: list[str]

    def take(self, kind: str) -> str:
        return (self.unconfirmed if kind == "unconfirmed" else self.confirmed).pop()


def make_accounts(app, confirmed: int, unconfirmed: int) -> Accounts:
    from blueprints.accounts import services as accounts

    made = Accounts([], [])
    with app.app_context():
        for count, is_confirmed, into in ((confirmed, True, made.confirmed),
                                          (unconfirmed, False, made.unconfirmed)):
            for _ in range(count):
                user = accounts.create_user(f"{unique('konto')}@example.org", PASSWORD, "Kim Konto",
                                            confirmed=is_confirmed)
                into.append(user.email)
        db.session.commit()
        db.session.remove()
    return made


def new_address(kind: str) -> str:
    return f"{unique(kind)}@example.org"


def submit_password_reset(visitor, phase, ids, accounts) -> Submission:
    email = accounts.take("confirmed")
    answer = visitor.post_form("/passwort/vergessen", "/passwort/vergessen", {"email": email})
    return Submission("password reset", phase, answer.status_code, 302, email)


def submit_registration(visitor, phase, ids, accounts) -> Submission:
    email = new_address("neu")
    answer = visitor.post_form("/registrieren", "/registrieren", {
        "email": email, "name": "Nora Neu", "password": PASSWORD, "password_repeat": PASSWORD,
        "consent": "y"})
    return Submission("registration", phase, answer.status_code, 302, email, ("account", email))


def submit_resend_confirmation(visitor, phase, ids, accounts) -> Submission:
    email = accounts.take("unconfirmed")
    answer = visitor.post_form("/konto/bestaetigen-erneut", "/konto/bestaetigen-erneut",
                               {"email": email})
    return Submission("resend confirmation", phase, answer.status_code, 302, email)


def submit_newsletter(visitor, phase, ids, accounts) -> Submission:
    email = new_address("leser")
    answer = visitor.post_form(f"/{TOWN}/newsletter", f"/{TOWN}/newsletter", {
        "email": email, "lists": "residents", "consent": "y"})
    return Submission("newsletter subscription", phase, answer.status_code, 200, email,
                      ("subscriber", email))


def submit_event_form(visitor, phase, ids, accounts) -> Submission:
    email = new_address("gast")
    event = f"/{TOWN}/veranstaltungen/{ids.event_with_registration}"
    answer = visitor.post_form(event, f"{event}/anmelden", {"name": "Gina Gast", "email": email,
                                                            "consent": "y"})
    return Submission("event registration (form)", phase, answer.status_code, 302, email,
                      ("registration", email))


def submit_event_api(visitor, phase, ids, accounts) -> Submission:
    email = new_address("api-gast")
    answer = visitor.post_json(f"/{TOWN}/api/v1/events/{ids.event_with_registration}/registrations",
                               {"name": "Ali Api", "email": email, "consent": True})
    return Submission("event registration (API)", phase, answer.status_code, 201, email,
                      ("registration", email))


def submit_interim_first_step(visitor, phase, ids, accounts) -> Submission:
    email = new_address("entwurf")
    step = f"/{TOWN}/zwischennutzung/bewerben/bewerber"
    answer = visitor.post_form(step, step, {"applicant_name": "Enno Entwurf", "email": email,
                                            "legal_form": "person"})
    return Submission("interim use, first step (form)", phase, answer.status_code, 302, None,
                      ("application", email))


def submit_interim_api(visitor, phase, ids, accounts) -> Submission:
    email = new_address("bewerberin")
    answer = visitor.post_json(f"/{TOWN}/api/v1/applications", {
        "applicant_name": "Berta Bewerberin", "email": email, "category": "art_culture",
        "concept": "Eine offene Werkstatt für Kinder und Jugendliche, drei Tage die Woche.",
        "consent": True})
    return Submission("interim use (API)", phase, answer.status_code, 201, email,
                      ("application", email))


def submit_unit_enquiry(visitor, phase, ids, accounts) -> Submission:
    email = new_address("interesse")
    unit = f"/{TOWN}/leerstand/{ids.listed_unit}"
    answer = visitor.post_form(unit, f"{unit}/interesse", {
        "name": "Ines Interesse", "email": email, "message": "Ein Café, ab Frühjahr.", "consent": "y"})
    return Submission("unit enquiry", phase, answer.status_code, 302, email, ("enquiry", email))


def submit_resident_report(visitor, phase, ids, accounts) -> Submission:
    street = unique("Lindenweg ")
    answer = visitor.post_form(f"/{TOWN}/leerstand/melden", f"/{TOWN}/leerstand/melden",
                               {"address": street, "note": "Seit Wochen geschlossen."})
    return Submission("resident report", phase, answer.status_code, 302, None, ("report", street))


def submit_login(visitor, phase, ids, accounts) -> Submission:
    """Sign in; the answer that counts is the account page's, which only a signed-in visitor sees."""
    email = accounts.take("confirmed")
    answer = visitor.sign_in(email, PASSWORD)
    status = visitor.get("/konto").status_code if answer.status_code == 302 else answer.status_code
    return Submission("login, then /konto", phase, status, 200, None)


EVERY_KIND: tuple[Callable, ...] = (
    submit_password_reset, submit_registration, submit_resend_confirmation, submit_newsletter,
    submit_event_form, submit_event_api, submit_interim_first_step, submit_interim_api,
    submit_unit_enquiry, submit_resident_report, submit_login)
# What each kind takes from the accounts made beforehand, per submission.
CONFIRMED_PER_ROUND = 2  # password reset, login
UNCONFIRMED_PER_ROUND = 1  # resend confirmation


def missing_rows(app, submissions: list[Submission]) -> list[str]:
    """The submissions whose row is not in the database."""
    from blueprints.events.models import Registration
    from blueprints.interim_use.models import Application
    from blueprints.marketing.models import Subscriber
    from blueprints.vacancies.models import UnitEnquiry, VacancyReport
    from tenants.models import User

    column_of = {"account": User.email, "subscriber": Subscriber.email,
                 "registration": Registration.email, "application": Application.email,
                 "enquiry": UnitEnquiry.email, "report": VacancyReport.address}
    missing = []
    with app.app_context():
        town = app.extensions["quartier_registry"].by_slug(TOWN)
        for submission in submissions:
            if submission.stored is None:
                continue
            what, key = submission.stored
            column = column_of[what]
            with tenant_context(town):
                found = db.session.scalar(select(func.count()).where(func.lower(column) == key.lower()))
            if found != 1:
                missing.append(f"{submission.kind} ({submission.phase}): {found} {what} rows for {key}")
        db.session.remove()
    return missing


def add_confirmed_readers(town, count: int, prefix: str) -> None:
    """``count`` confirmed readers of the residents' newsletter in the current town (as if each
    had followed the mailed link), written in one go."""
    import secrets
    from datetime import datetime, timezone

    from sqlalchemy import insert

    from blueprints.marketing import newsletter
    from blueprints.marketing.models import Subscriber, Subscription

    now = datetime.now(timezone.utc)
    wording = newsletter.consent_wording(town.name)
    ids = db.session.scalars(insert(Subscriber).returning(Subscriber.id), [
        {"email": f"{prefix}{number}@example.org", "status": "confirmed", "locale": "de",
         "token": secrets.token_urlsafe(24), "created_at": now, "confirmed_at": now}
        for number in range(count)]).all()
    db.session.execute(insert(Subscription), [
        {"subscriber_id": subscriber_id, "list_key": "residents", "consent_wording": wording,
         "given_at": now, "confirmed_at": now} for subscriber_id in ids])
    db.session.commit()
