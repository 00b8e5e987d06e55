"""Interim use: the online application, its review with matching, and the applicant's portal."""
from flask import Blueprint

from blueprints.interim_use import views

bp = Blueprint("interim_use", __name__, template_folder="templates")
bp.add_url_rule("/<town:tenant>/zwischennutzung/bewerben", "apply", views.apply)
bp.add_url_rule("/<town:tenant>/zwischennutzung/bewerben/<step>", "step", views.step,
                methods=["GET", "POST"])
bp.add_url_rule("/<town:tenant>/zwischennutzung/danke", "thanks", views.thanks)
bp.add_url_rule("/<town:tenant>/zwischennutzung/bestaetigen/<token>", "confirm", views.confirm)
bp.add_url_rule("/<town:tenant>/verwaltung/zwischennutzung/", "applications", views.applications)
bp.add_url_rule("/<town:tenant>/verwaltung/zwischennutzung/<int:application_id>", "application",
                views.application)
bp.add_url_rule("/<town:tenant>/verwaltung/zwischennutzung/<int:application_id>/unterlagen/"
                "<int:document_id>", "document", views.document)
bp.add_url_rule("/konto/bewerbungen", "portal", views.portal)
