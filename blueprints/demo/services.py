"""The demo: two towns of the WGS mbH, users for every role, and each module's demo data.

``load_demo()`` is idempotent: `make run` calls it on every start. Accounts
are brought to what this file says (so the printed logins always work);
content (districts, pages, later vacancies …) is only added where missing, so
what someone edits during a demo survives the next start.

Each module contributes its own demo data: a module ``blueprints/demo/<name>.py``
with ``load(town: DemoTown, people: dict[str, int])``, listed in
``CONTRIBUTIONS``. It runs inside the town's context, finds its records by a
natural key (a name, a key), adds only what is missing, and does not commit.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass, field

from blueprints.accounts import services as accounts
from tenants import services as tenants
from tenants.context import tenant_context
from tenants.db import db
from tenants.models import User, utcnow

DEMO_PASSWORD = "quartier-demo"
# Fixed so the printed secret can be typed into an authenticator app once.
ADMIN_TOTP_SECRET = "QUARTIERDEMOADMINTOTPSECRET23456"
EMAIL_DOMAIN = "demo.quartier.example"

# In order: a later contribution may use what an earlier one made.
CONTRIBUTIONS = ("blueprints.demo.town", "blueprints.demo.vacancies", "blueprints.demo.interim_use",
                 "blueprints.demo.events", "blueprints.demo.directory", "blueprints.demo.newsletter")


@dataclass(frozen=True)
class DemoTown:
    slug: str
    name: str
    districts: tuple[tuple[str, str], ...]  # (name, description)
    primary_color: str


@dataclass(frozen=True)
class DemoPerson:
    key: str  # how contributions refer to this person
    email: str
    name: str
    roles: dict[str, str] = field(default_factory=dict)  # town slug → role
    platform_admin: bool = False
    totp_secret: str | None = None

    def describe_roles(self) -> str:
        towns = [f"{role} ({slug})" for slug, role in self.roles.items()]
        return ", ".join((["platform_admin"] if self.platform_admin else []) + towns)


TOWNS = (
    DemoTown("stollberg", "Stollberg", (
        ("Altstadt", "Historischer Stadtkern rund um Markt und Hauptstraße mit Einzelhandel, "
                     "Gastronomie und Wohnen über den Läden."),
        ("Bahnhofsvorstadt", "Gründerzeitquartier zwischen Bahnhof und Altstadt mit vielen "
                             "kleinen Ladenlokalen."),
    ), "#0b5394"),
    DemoTown("burgstaedt", "Burgstädt", (
        ("Innenstadt", "Die Innenstadt rund um den Markt und die Brühl."),
    ), "#8a1c1c"),
)


def _email(local_part: str) -> str:
    return f"{local_part}@{EMAIL_DOMAIN}"


PEOPLE = (
    DemoPerson("admin", _email("admin"), "Petra Hofmann (WGS mbH)", platform_admin=True,
               totp_secret=ADMIN_TOTP_SECRET),
    DemoPerson("manager", _email("manager"), "Katrin Lehmann",
               {"stollberg": "manager", "burgstaedt": "manager"}),
    DemoPerson("manager_stollberg", _email("manager.stollberg"), "Jens Richter",
               {"stollberg": "manager"}),
    DemoPerson("partner_stollberg", _email("partner.stollberg"), "Sabine Vogel (Stadt Stollberg)",
               {"stollberg": "partner"}),
    DemoPerson("partner_burgstaedt", _email("partner.burgstaedt"),
               "Thomas Krause (Stadt Burgstädt)", {"burgstaedt": "partner"}),
    DemoPerson("applicant", _email("applicant"), "Aylin Demir (Ladenprojekt „Tante Emma“)",
               {"stollberg": "applicant"}),
)


def load_demo() -> None:
    """Create or complete the demo towns, accounts and every module's demo data."""
    for town in TOWNS:
        tenants.create_tenant(town.slug, town.name, primary_color=town.primary_color)
    people = {person.key: ensure_person(person).id for person in PEOPLE}
    db.session.commit()
    for town in TOWNS:
        with tenant_context(tenants.registry().by_slug(town.slug)):
            for contribution in CONTRIBUTIONS:
                importlib.import_module(contribution).load(town, people)
            db.session.commit()


def ensure_person(person: DemoPerson) -> User:
    """The person's account as described, changing only what differs."""
    user = accounts.get_user_by_email(person.email)
    if user is None:
        user = accounts.create_user(person.email, DEMO_PASSWORD, person.name, confirmed=True)
    elif not accounts.password_matches(user, DEMO_PASSWORD):
        accounts.set_password(user, DEMO_PASSWORD)
    user.is_platform_admin = person.platform_admin
    if person.totp_secret:  # a second factor someone set up during the demo stays
        user.totp_secret = person.totp_secret
    if user.email_confirmed_at is None:
        user.email_confirmed_at = utcnow()
    for slug, role in person.roles.items():
        accounts.grant_membership(user, tenants.get_tenant(slug), role)
    return user
