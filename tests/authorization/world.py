"""The demo towns, completed with one record of every kind that a URL names.

`flask demo load` gives Stollberg and Burgstädt their units, applications,
events, campaigns and accounts for every role. The authorization tests need a
real record behind every id and token a route takes (the probe found photos,
documents, imports, agreements and batches missing), so ``build_world`` adds
what the demo lacks, in both towns, through the modules' own services.

Burgstädt's ids start at 770001, far above Stollberg's, so an id of one
town names nothing in the other: a 404 for it means refused, not absent.
"""
from __future__ import annotations

import io
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal

import pyotp
from PIL import Image
from pypdf import PdfWriter
from sqlalchemy import select, text

from blueprints.accounts import services as accounts
from blueprints.actors import services as actors
from blueprints.attachments import services as attachments
from blueprints.demo import services as demo
from blueprints.events import registrations
from blueprints.events import services as events
from blueprints.interim_use import calls, workflow
from blueprints.interim_use import services as interim_use
from blueprints.interim_use.forms import CONSENT_WORDING
from blueprints.interim_use.models import Application
from blueprints.mail.services import mail_batch, send_mail
from blueprints.marketing import campaigns, directory, news, newsletter
from blueprints.marketing.models import DirectoryEditLink
from blueprints.town import services as town_services
from blueprints.vacancies import location
from blueprints.vacancies import services as vacancies
from blueprints.vacancies.models import Unit
from tenants import services as tenant_services
from tenants.context import tenant_context
from tenants.db import db, tenant_tables
from tenants.models import ApiToken, User
from tests.conftest import PASSWORD

HOME, AWAY = "stollberg", "burgstaedt"
AWAY_IDS_FROM = 770_000
OTHER_TOWN_MANAGER = f"manager.burgstaedt@{demo.EMAIL_DOMAIN}"


@dataclass(frozen=True)
class Person:
    role: str
    email: str
    password: str = demo.DEMO_PASSWORD
    totp_secret: str | None = None

    def totp_code(self) -> str | None:
        return pyotp.TOTP(self.totp_secret).now() if self.totp_secret else None


# The six callers of the matrix, as seen from Stollberg (HOME).
PEOPLE = {
    "anonymous": None,
    "applicant": Person("applicant", f"applicant@{demo.EMAIL_DOMAIN}"),
    "partner": Person("partner", f"partner.stollberg@{demo.EMAIL_DOMAIN}"),
    "other_manager": Person("other_manager", OTHER_TOWN_MANAGER),
    "manager": Person("manager", f"manager.stollberg@{demo.EMAIL_DOMAIN}"),
    "platform_admin": Person("platform_admin", f"admin@{demo.EMAIL_DOMAIN}",
                             totp_secret=demo.ADMIN_TOTP_SECRET),
}
# Signed in to both towns: the cross-town probe's caller, who may see everything in each.
MANAGER_OF_BOTH = Person("manager_of_both", f"manager@{demo.EMAIL_DOMAIN}")


@dataclass
class World:
    """Real values for every URL argument, per town, and the global ones."""

    towns: dict[str, dict[str, object]] = field(default_factory=dict)
    common: dict[str, object] = field(default_factory=dict)
    # Texts written into Burgstädt only, under records whose ids Stollberg has too (see MARKED).
    markers: dict[str, str] = field(default_factory=dict)
    tokens_of: dict[str, int] = field(default_factory=dict)  # e-mail → the id of that person's API token

    def values(self, town: str) -> dict[str, object]:
        return {**self.common, **self.towns[town]}


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 120, 40)).save(buffer, "PNG")
    return buffer.getvalue()


def pdf_bytes() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def build_world(app, client_factory) -> World:
    """Load the demo, then add in both towns what a URL can name; returns the ids."""
    world = World()
    with app.app_context():
        demo.load_demo()
        _add_other_town_manager()
        db.session.commit()
        registry = app.extensions["quartier_registry"]
        for slug in (HOME, AWAY):
            town = registry.by_slug(slug)
            if slug == AWAY:
                _start_ids_at(town, AWAY_IDS_FROM)
            with tenant_context(town):
                world.towns[slug] = _complete_town(town)
                if slug == AWAY:
                    world.markers = _mark_away()
                db.session.commit()
        world.common = _global_records()
        world.tokens_of = _api_tokens()
        db.session.commit()
        db.session.remove()
    for slug in (HOME, AWAY):
        world.towns[slug]["import_id"] = _upload_import(client_factory, slug)
    return world


def _add_other_town_manager() -> None:
    user = accounts.get_user_by_email(OTHER_TOWN_MANAGER) or accounts.create_user(
        OTHER_TOWN_MANAGER, demo.DEMO_PASSWORD, "Uwe Fremd (nur Burgstädt)", confirmed=True)
    accounts.grant_membership(user, tenant_services.get_tenant(AWAY), "manager")


def _start_ids_at(town, first: int) -> None:
    """Every id sequence of the town's schema continues at ``first`` (PostgreSQL)."""
    for table in tenant_tables():
        sequence = db.session.execute(text("SELECT pg_get_serial_sequence(:table, 'id')"),
                                      {"table": f"{town.schema_name}.{table.name}"}).scalar()
        if sequence:
            db.session.execute(text("SELECT setval(:sequence, :value)"),
                               {"sequence": sequence, "value": first})
    db.session.commit()


def _complete_town(town) -> dict[str, object]:
    """Records of every kind, all made here, so that Burgstädt's carry its high ids."""
    manager = accounts.get_user_by_email(MANAGER_OF_BOTH.email)
    district = town_services.create_district(f"Probeviertel {town.name}")
    owner = actors.save_actor(kind="owner", name=f"Probe Eigentümerin {town.name}",
                              email=f"eigentum.{town.slug}@example.org")
    unit = vacancies.create_unit({
        "address": f"Probestraße {len(town.slug)}", "postcode": "09366", "district_id": district.id,
        "lat": 50.7, "lon": 12.78, "area_sqm": Decimal("60"), "rent_eur_month": Decimal("400"),
        "usage": "retail", "publish": "exact", "interim_use_consent": True,
        "description": "Probe"}, status="vacant", by_user_id=manager.id)
    unit.owner = owner
    db.session.flush()
    photo = vacancies.add_photo(unit, attachments.store_upload(png_bytes(), "laden.png"), "Schaufenster")
    unit.floor_plan = attachments.store_upload(pdf_bytes(), "grundriss.pdf", kinds=("pdf",))
    contact = actors.log_contact(owner, contacted_on=date.today(), channel="phone",
                                 content="Angerufen wegen Zwischennutzung.",
                                 follow_up_on=date.today() + timedelta(days=7), by_user_id=manager.id)
    report = vacancies.create_report(address="Probegasse 1", note="Leer seit Mai.",
                                     photo=attachments.store_upload(png_bytes(), "meldung.png"),
                                     reporter_name="Anwohner")
    profile = location.profile_for(None)
    location.add_download(profile, title="Einzelhandelskonzept",
                          attachment=attachments.store_upload(pdf_bytes(), "konzept.pdf", kinds=("pdf",)))
    event, registration = _event_with_registration()
    entry, trader_token = _directory_entry_with_link(town, manager.id)
    application, document = _staff_application()
    agreement = _agreement(_application_agreed_on(unit, manager.id), town_name=town.name)
    guest = _guest_application()
    subscriber = newsletter.subscribe(f"leserin.{town.slug}@example.org", ["residents"],
                                      wording=newsletter.consent_wording(town.name))
    post = news.save(None, {"title": f"Probe-Nachricht {town.name}", "body": "Probe",
                            "in_next_campaign": False})
    campaign = campaigns.save(None, subject=f"Probe-Kampagne {town.name}", body="Probe",
                              lists=["residents"], blocks=[], by_user_id=manager.id)
    mail = send_mail(f"probe.{town.slug}@example.org", "accounts/confirm_email", "Probe",
                     user=manager, link="https://quartier.example/probe", hours=1)
    with mail_batch("Probesendung") as batch:
        send_mail(f"sendung.{town.slug}@example.org", "accounts/confirm_email", "Sendung",
                  user=manager, link="https://quartier.example/probe", hours=1)
    db.session.flush()
    return {
        "district_id": district.id, "unit_id": unit.id, "photo_id": photo.id, "actor_id": owner.id,
        "contact_id": contact.id, "report_id": report.id, "download_id": profile.downloads[-1].id,
        "event_id": event.id, "registration_id": registration.id,
        "registration_token": registration.token, "entry_id": entry.id,
        "entry_actor_id": entry.actor_id, "trader_token": trader_token,
        "application_id": application.id, "document_id": document.id,
        "own_application_id": _own_application().id, "agreement_id": agreement.id,
        "agreement_application_id": agreement.application_id, "call_id": _call(town, unit).id,
        "guest_token": interim_use.confirmation_token(guest), "subscriber_token": subscriber.token,
        "post_id": post.id, "campaign_id": campaign.id, "mail_id": mail.id, "batch_id": batch.id,
    }


# The demo's first unit and application exist in both towns under the same id (1).
SHARED_ID = 1
MARKED = ("agreement_template", "location_profile", "footfall", "impressum", "status_change",
          "enquiry", "application_step")


def _mark_away() -> dict[str, str]:
    """A marker in each record of Burgstädt that Stollberg's pages could show by mistake."""
    markers = {name: f"Nur-in-Burgstaedt-{name}-{secrets.token_hex(3)}" for name in MARKED}
    workflow.save_template("Vereinbarung", f"{markers['agreement_template']} {{applicant}}")
    profile = location.save_profile(None, {"anchor_tenants": markers["location_profile"]})
    location.add_footfall(profile, place=markers["footfall"], counted_on=date.today(), count_per_hour=7)
    town_services.save_page("impressum", "Impressum", markers["impressum"], None)
    unit = db.session.get(Unit, SHARED_ID)
    # The history shows each status change by its date: a date no other record has.
    markers["status_change"] = "03.02.2001"
    vacancies.change_status(unit, "negotiating", on=date(2001, 2, 3))
    vacancies.create_enquiry(unit, name=markers["enquiry"], email="anfrage@example.org",
                             message="Ist die Fläche noch frei?")
    workflow.record_event(db.session.get(Application, SHARED_ID), "in_review",
                          markers["application_step"], None)
    interim_use.save_weights({"area": 9})
    return markers


def _event_with_registration():
    [event] = events.create_events(
        {"title": "Probe-Abend", "category": "meeting", "address": "Markt 1",
         "description": "Ein Abend zum Ausprobieren.", "capacity": 30, "registration_open": True},
        day=date.today() + timedelta(days=14), starts=time(18), ends=time(20))
    event.image = attachments.store_upload(png_bytes(), "abend.png")
    db.session.flush()
    registration = registrations.register(event, name="Probe Person",
                                          email=f"{secrets.token_hex(4)}@example.org")
    return event, registration


def _directory_entry_with_link(town, by_user_id: int):
    trader = actors.save_actor(kind="trader", name=f"Probe Laden {town.name}",
                               email=f"laden.{town.slug}@example.org")
    db.session.flush()
    entry = directory.create_entry(trader)
    directory.save_by_staff(entry, {"category": "retail", "description": "Probe"},
                            picture=png_bytes())
    directory.set_published(entry, True)
    token = secrets.token_urlsafe(32)
    db.session.add(DirectoryEditLink(entry=entry, token_digest=directory._digest(token),
                                     created_by_id=by_user_id,
                                     expires_at=datetime.now(timezone.utc) + timedelta(days=30)))
    return entry, token


def _new_application(name: str, email: str, *, user=None) -> Application:
    application = interim_use.start_draft(user=user)
    interim_use.save_step(application, {
        "applicant_name": name, "organisation": "", "email": email, "legal_form": "association",
        "category": "crafts", "concept": "Eine Werkstatt auf Zeit mit Verkauf und Kursen am Abend.",
        "area_min_sqm": Decimal("20"), "area_max_sqm": Decimal("200"),
        "budget_eur_month": Decimal("900"), "start_date": date.today() + timedelta(days=20),
        "end_date": date.today() + timedelta(days=200)})
    application.consent_at, application.consent_wording = datetime.now(timezone.utc), str(CONSENT_WORDING)
    return application


def _staff_application():
    application = _new_application("Probe Werkstatt", f"{secrets.token_hex(4)}@example.org")
    application.status, application.submitted_at = "submitted", datetime.now(timezone.utc)
    application.email_confirmed_at = datetime.now(timezone.utc)
    workflow.record_event(application, "submitted", "", None)
    document = interim_use.add_document(
        application, attachments.store_upload(pdf_bytes(), "konzept.pdf", kinds=("pdf",)), "Konzept")
    return application, document


def _application_agreed_on(unit, by_user_id: int) -> Application:
    application, _document = _staff_application()
    db.session.flush()
    workflow.advance(application, "in_review", by_user_id=by_user_id)
    workflow.advance(application, "proposed", by_user_id=by_user_id, unit_ids=[unit.id])
    workflow.advance(application, "owner_agreed", by_user_id=by_user_id, unit_id=unit.id)
    return application


def _agreement(application_with_unit: Application, town_name: str):
    agreement = workflow.draw_up(application_with_unit, {
        "purpose": "Werkstatt", "starts_on": date.today() + timedelta(days=30),
        "ends_on": date.today() + timedelta(days=200), "notice_weeks": 4,
        "rent_eur_month": Decimal("300"), "subsidy_eur_month": Decimal("100"),
        "deposit_eur": Decimal("0"), "keys_and_handover": "Am ersten Tag."}, town_name=town_name)
    db.session.flush()
    return agreement


def _call(town, unit):
    jury = [accounts.get_user_by_email(PEOPLE["partner"].email).id] if town.slug == HOME else []
    call = calls.create_call(title="Probe-Ausschreibung", description="Zum Ausprobieren.",
                             eligibility="Alle.", deadline=date.today() + timedelta(days=30),
                             unit_ids=[unit.id], criteria=[("Idee", 2)], jury_user_ids=jury)
    db.session.flush()
    return call


def _guest_application() -> Application:
    application = _new_application("Gast Person", f"{secrets.token_hex(4)}@example.org")
    application.status, application.submitted_at = "unconfirmed", datetime.now(timezone.utc)
    db.session.flush()
    return application


def _own_application() -> Application:
    """An application of the demo applicant's own, still editable."""
    applicant = accounts.get_user_by_email(PEOPLE["applicant"].email)
    application = _new_application(applicant.name, applicant.email, user=applicant)
    application.status, application.submitted_at = "submitted", datetime.now(timezone.utc)
    application.user_id, application.email_confirmed_at = applicant.id, datetime.now(timezone.utc)
    db.session.flush()
    return application


def _global_records() -> dict[str, object]:
    """Values of the routes outside any town: account links, the platform's records."""
    unconfirmed = accounts.create_user(f"unbestaetigt.{secrets.token_hex(3)}@example.org", PASSWORD,
                                       "Noch Unbestätigt")
    resetting = accounts.get_user_by_email(PEOPLE["applicant"].email)
    throwaway = accounts.create_user(f"wegwerf.{secrets.token_hex(3)}@example.org", PASSWORD, "Weg Werf",
                                     confirmed=True)
    membership = accounts.grant_membership(throwaway, tenant_services.get_tenant(HOME), "partner")
    account_mail = send_mail(f"konto.{secrets.token_hex(3)}@example.org", "accounts/confirm_email",
                             "Konto", user=throwaway, link="https://quartier.example/konto", hours=1)
    db.session.flush()
    return {"confirm_token": accounts._confirmation_token(unconfirmed),
            "reset_token": accounts._reset_token(resetting), "membership_id": membership.id,
            "account_mail_id": account_mail.id, "slug": HOME, "lang": "en",
            "key": "impressum", "kind": "csv", "step": "bewerber"}


def _api_tokens() -> dict[str, int]:
    """One API token for each person of the matrix, so that each can revoke their own."""
    ids = {}
    for person in (*filter(None, PEOPLE.values()), MANAGER_OF_BOTH):
        user = db.session.scalar(select(User).where(User.email == person.email))
        accounts.issue_token(user, name="Matrix")
        db.session.flush()
        ids[person.email] = db.session.scalar(select(ApiToken.id).where(ApiToken.user_id == user.id)
                                              .order_by(ApiToken.id.desc()))
    return ids


def _upload_import(client_factory, slug: str) -> int:
    """An uploaded spreadsheet, through the staff page as a manager would."""
    client = client_factory(MANAGER_OF_BOTH)
    csv = "Adresse;Fläche\nProbeweg 1;50\n".encode()
    response = client.post(f"/{slug}/verwaltung/leerstand/import",
                           data={"spreadsheet": (io.BytesIO(csv), "probe.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 302 and "/import/" in response.location, (response.status_code, response.location, response.text[:800])
    return int(response.location.rstrip("/").rsplit("/", 1)[-1])


