"""``flask demo load``: the demo towns and accounts, idempotent, on both backends.

It runs on a fresh database of its own, so the demo towns never mix with the
session's towns and the first load starts from nothing.
"""
from __future__ import annotations

import pytest
from sqlalchemy import select

from blueprints.accounts import services as accounts
from blueprints.demo import services as demo
from blueprints.town.models import District, Page
from blueprints.vacancies.models import Unit
from tenants.context import tenant_context
from tenants.db import db
from tenants.models import Membership, Tenant, User
from tests.tenants.test_portability import fresh_app


@pytest.fixture(scope="module")
def demo_app(backend, tmp_path_factory):
    """A fresh app with the demo loaded once; yields the app and that first load's output."""
    with fresh_app(backend, tmp_path_factory.mktemp("demo")) as app:
        first = load(app)
        assert first.exit_code == 0, first.output
        yield app, first.output


def load(app):
    return app.test_cli_runner().invoke(args=["demo", "load"])


def demo_state(app) -> dict:
    """Everything the demo writes, with the values that would show any change."""
    with app.app_context():
        state = {
            "towns": sorted(db.session.execute(select(Tenant.slug, Tenant.name, Tenant.status,
                                                      Tenant.primary_color)).all()),
            "users": sorted(db.session.execute(select(
                User.id, User.email, User.name, User.password_hash, User.is_platform_admin,
                User.totp_secret, User.session_version, User.email_confirmed_at)).all()),
            "memberships": sorted(db.session.execute(select(
                Membership.id, Membership.user_id, Membership.tenant_id, Membership.role)).all()),
        }
        for town in demo.TOWNS:
            with tenant_context(app.extensions["quartier_registry"].by_slug(town.slug)):
                state[town.slug] = {
                    "districts": db.session.execute(select(District.id, District.name,
                                                           District.created_at)).all(),
                    "pages": db.session.execute(select(Page.id, Page.key, Page.title, Page.body,
                                                       Page.updated_at)).all(),
                    "units": db.session.execute(select(Unit.id, Unit.reference, Unit.status,
                                                       Unit.updated_at)).all(),
                }
        db.session.remove()
    return state


def districts_of(app, slug: str) -> list[str]:
    with app.app_context():
        with tenant_context(app.extensions["quartier_registry"].by_slug(slug)):
            names = sorted(db.session.scalars(select(District.name)))
        db.session.remove()
    return names


def roles_of(app, email: str) -> dict[str, str]:
    with app.app_context():
        user = accounts.get_user_by_email(email)
        roles = {m.tenant.slug: m.role for m in user.memberships}
        db.session.remove()
    return roles


def test_loading_again_changes_nothing_and_does_not_fail(demo_app):
    app, first_output = demo_app
    before = demo_state(app)

    again = load(app)

    assert again.exit_code == 0, again.output
    assert again.output == first_output
    assert demo_state(app) == before


def test_the_demo_towns_have_their_districts_and_legal_pages(demo_app):
    app, _ = demo_app
    assert districts_of(app, "stollberg") == ["Altstadt", "Bahnhofsvorstadt"]
    assert districts_of(app, "burgstaedt") == ["Innenstadt"]
    with app.app_context():
        registry = app.extensions["quartier_registry"]
        assert registry.by_slug("burgstaedt").name == "Burgstädt"
        for slug, name in (("stollberg", "Stollberg"), ("burgstaedt", "Burgstädt")):
            with tenant_context(registry.by_slug(slug)):
                pages = {p.key: p for p in db.session.scalars(select(Page))}
                assert set(pages) == {"impressum", "datenschutz"}
                for page in pages.values():
                    assert "WGS mbH" in page.body and name in page.body
        db.session.remove()


def test_every_role_has_an_account_with_the_shared_password(demo_app):
    app, _ = demo_app
    with app.app_context():
        for person in demo.PEOPLE:
            user = accounts.get_user_by_email(person.email)
            assert accounts.password_matches(user, demo.DEMO_PASSWORD), person.email
            assert user.email_confirmed
            assert user.is_platform_admin == person.platform_admin
        admin = accounts.get_user_by_email("admin@demo.quartier.example")
        assert admin.totp_secret == demo.ADMIN_TOTP_SECRET
        db.session.remove()
    assert roles_of(app, "manager@demo.quartier.example") == \
        {"stollberg": "manager", "burgstaedt": "manager"}  # the one who switches towns
    assert roles_of(app, "manager.stollberg@demo.quartier.example") == {"stollberg": "manager"}
    assert roles_of(app, "partner.stollberg@demo.quartier.example") == {"stollberg": "partner"}
    assert roles_of(app, "partner.burgstaedt@demo.quartier.example") == {"burgstaedt": "partner"}
    assert roles_of(app, "applicant@demo.quartier.example") == {"stollberg": "applicant"}


def test_the_output_shows_the_logins_password_and_totp_secret(demo_app):
    _, output = demo_app
    for person in demo.PEOPLE:
        assert person.email in output
    assert f"Password of every demo account: {demo.DEMO_PASSWORD}" in output
    assert demo.ADMIN_TOTP_SECRET in output and "otpauth://totp/" in output


def test_edited_content_survives_a_load_while_logins_are_restored(demo_app):
    app, _ = demo_app
    info = app.extensions["quartier_registry"].by_slug("stollberg")
    with app.app_context():
        with tenant_context(info):
            db.session.scalar(select(Page).where(Page.key == "impressum")).body = "Eigener Text"
            db.session.commit()
        accounts.set_password(accounts.get_user_by_email("manager@demo.quartier.example"), "anders-1")
        db.session.commit()

    assert load(app).exit_code == 0

    with app.app_context():
        with tenant_context(info):
            assert db.session.scalar(select(Page.body).where(Page.key == "impressum")) == "Eigener Text"
        manager = accounts.get_user_by_email("manager@demo.quartier.example")
        assert accounts.password_matches(manager, demo.DEMO_PASSWORD)
        db.session.remove()


def test_the_demo_towns_have_a_register_with_owners_history_and_a_public_listing(demo_app):
    app, _ = demo_app
    client = app.test_client()
    listing = client.get("/stollberg/leerstand").get_data(as_text=True)
    assert "Hauptmarkt 9" in listing  # published with its address
    assert "Herrenstraße" in listing and "Herrenstraße 4" not in listing  # only approximate
    assert "Bahnhofstraße 21" not in listing  # an interim use, not offered
    with app.app_context():
        with tenant_context(app.extensions["quartier_registry"].by_slug("burgstaedt")):
            units = {unit.reference: unit for unit in db.session.scalars(select(Unit))}
            assert set(units) == {"BU-001", "BU-002", "BU-003"}
            assert units["BU-001"].owner.name == "Familie Brückner"
            assert units["BU-003"].status == "let" and len(units["BU-003"].history) == 1
        db.session.remove()
    standort = client.get("/burgstaedt/standort").get_data(as_text=True)
    assert "Kaufkraftindex" in standort and "Leerstandsquote" in standort


def test_the_demo_has_applications_a_call_and_the_applicant_sees_their_own(demo_app):
    from blueprints.demo.services import DEMO_PASSWORD, PEOPLE
    from blueprints.interim_use.models import Application, Call

    app, _ = demo_app
    with app.app_context():
        with tenant_context(app.extensions["quartier_registry"].by_slug("stollberg")):
            statuses = sorted(a.status for a in db.session.scalars(select(Application)))
            assert statuses == ["in_review", "submitted"]
            [call] = db.session.scalars(select(Call)).all()
            assert call.title == "Sommer in der Altstadt 2027" and len(call.criteria) == 3
        db.session.remove()
    applicant = next(person for person in PEOPLE if person.key == "applicant")
    client = app.test_client()
    client.post("/login", data={"email": applicant.email, "password": DEMO_PASSWORD})
    portal = client.get("/konto/bewerbungen").get_data(as_text=True)
    assert "Stollberg" in portal and "eingereicht" in portal


def test_the_demo_calendar_has_a_weekly_market_and_a_pop_up_in_an_empty_shop(demo_app):
    from icalendar import Calendar

    app, _ = demo_app
    client = app.test_client()
    feed = Calendar.from_ical(client.get("/stollberg/veranstaltungen.ics").data)
    titles = [str(event["SUMMARY"]) for event in feed.walk("VEVENT")]
    assert titles.count("Wochenmarkt Stollberg") == 9  # this week's and eight more
    assert "Pop-up-Ausstellung im Leerstand" in titles
    assert "Lange Einkaufsnacht" in client.get("/burgstaedt/veranstaltungen").get_data(as_text=True)


def test_the_demo_has_a_past_walk_whose_attendance_the_figures_count(demo_app):
    from datetime import date, timedelta

    from blueprints.events.services import attendance_figures

    app, _ = demo_app
    with app.app_context(), tenant_context(app.extensions["quartier_registry"].by_slug("stollberg")):
        figures = attendance_figures(date.today() - timedelta(weeks=5), date.today())
    assert figures.events_held >= 1 and (figures.confirmed, figures.checked_in) == (6, 4)
    feed = app.test_client().get("/stollberg/veranstaltungen.ics").get_data(as_text=True)
    assert "Stadtteilspaziergang" in feed  # the feed carries the last 90 days
