"""Demo data of interim use: applications in several steps and an open call for entries.

Runs after the vacancies contribution (units exist). Applicants are invented;
the demo applicant account owns one application, so the portal shows it.
"""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from blueprints.interim_use import calls, services, workflow
from blueprints.interim_use.forms import CONSENT_WORDING
from blueprints.interim_use.models import Application, Call
from tenants.db import db
from tenants.models import User, utcnow

# (name, organisation, email, category, concept, m² from–to, budget, status, demo account's?)
APPLICATIONS = {
    "stollberg": (
        ("Aylin Demir", "Ladenprojekt „Tante Emma“", "applicant", "retail_popup",
         "Ein Dorfladen auf Zeit: regionale Lebensmittel, ein Kaffeetisch und ein Schwarzes Brett "
         "für die Altstadt.", "40", "80", "450", "submitted"),
        ("Jonas Keil", "Keramik Kollektiv Erzgebirge", "keramik@demo.quartier.example", "crafts",
         "Eine offene Keramikwerkstatt mit Verkauf und Abendkursen für Anfänger:innen.",
         "50", "100", "500", "in_review"),
    ),
    "burgstaedt": (
        ("Mira Schulz", "Kulturverein Taurastein", "kultur@demo.quartier.example", "art_culture",
         "Wechselnde Ausstellungen junger Künstler:innen aus der Region, mit Lesungen am Freitag.",
         "50", "90", "300", "submitted"),
    ),
}


def load(town, people: dict[str, int]) -> None:
    """Add the town's demo applications and call where missing."""
    known = set(db.session.scalars(select(Application.concept)))
    for (name, organisation, email, category, concept, area_min, area_max, budget,
         status) in APPLICATIONS.get(town.slug, ()):
        if concept in known:
            continue
        user = db.session.get(User, people[email]) if email in people else None
        application = services.start_draft(user=user)
        services.save_step(application, {
            "applicant_name": name, "organisation": organisation,
            "email": user.email if user else email, "legal_form": "association",
            "category": category, "concept": concept, "area_min_sqm": Decimal(area_min),
            "area_max_sqm": Decimal(area_max), "budget_eur_month": Decimal(budget),
            "start_date": date.today() + timedelta(days=30),
            "end_date": date.today() + timedelta(days=210)})
        application.status = "unconfirmed" if user is None else "draft"
        application.consent_at, application.consent_wording = utcnow(), str(CONSENT_WORDING)
        application.submitted_at, application.email_confirmed_at = utcnow(), utcnow()
        application.user_id = user.id if user else None
        workflow.record_event(application, "submitted", "", people["manager"])
        if status == "in_review":
            workflow.record_event(application, "in_review", "", people["manager"])
    if town.slug == "stollberg" and not db.session.scalars(select(Call)).first():
        calls.create_call(
            title="Sommer in der Altstadt 2027",
            description="Drei leere Läden am Markt suchen Ideen für den Sommer: Handel, Kultur, "
                        "Handwerk. Die Stadt trägt die Hälfte der Miete.",
            eligibility="Gründer:innen, Vereine und Kulturschaffende aus dem Erzgebirgskreis.",
            deadline=date.today() + timedelta(days=45), unit_ids=[],
            criteria=[("Belebung der Altstadt", 3), ("Tragfähigkeit des Konzepts", 2),
                      ("Bezug zur Region", 1)],
            jury_user_ids=[people["partner_stollberg"]])
