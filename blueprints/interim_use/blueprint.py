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
bp.add_url_rule("/<town:tenant>/verwaltung/zwischennutzung/<int:application_id>/schritt",
                "take_step", views.take_step, methods=["POST"])
bp.add_url_rule("/<town:tenant>/verwaltung/zwischennutzung/<int:application_id>/ablehnen", "reject",
                views.reject, methods=["POST"])
bp.add_url_rule("/<town:tenant>/verwaltung/zwischennutzung/<int:application_id>/vereinbarung",
                "draw_up_agreement", views.draw_up_agreement, methods=["POST"])
bp.add_url_rule("/<town:tenant>/verwaltung/zwischennutzung/vereinbarungen/<int:agreement_id>/freigeben",
                "approve_agreement", views.approve_agreement, methods=["POST"])
bp.add_url_rule("/<town:tenant>/verwaltung/zwischennutzung/vereinbarungen/<int:agreement_id>.pdf",
                "agreement_pdf", views.agreement_pdf)
bp.add_url_rule("/konto/bewerbungen", "portal", views.portal)
bp.add_url_rule("/konto/bewerbungen/<town:tenant>/<int:application_id>/bearbeiten", "edit_own",
                views.edit_own)
bp.add_url_rule("/konto/bewerbungen/<town:tenant>/<int:application_id>/zurueckziehen",
                "withdraw_own", views.withdraw_own, methods=["POST"])
bp.add_url_rule("/konto/bewerbungen/<town:tenant>/<int:application_id>/daten", "download_own",
                views.download_own)
bp.add_url_rule("/konto/bewerbungen/<town:tenant>/<int:application_id>/loeschen", "delete_own",
                views.delete_own, methods=["POST"])
bp.add_url_rule("/<town:tenant>/verwaltung/zwischennutzung/gewichtung", "weights", views.weights,
                methods=["GET", "POST"])
bp.add_url_rule("/<town:tenant>/zwischennutzung/ausschreibungen", "public_calls", views.public_calls)
bp.add_url_rule("/<town:tenant>/zwischennutzung/ausschreibungen/<int:call_id>", "public_call",
                views.public_call)
bp.add_url_rule("/<town:tenant>/verwaltung/ausschreibungen/", "staff_calls", views.staff_calls)
bp.add_url_rule("/<town:tenant>/verwaltung/ausschreibungen/neu", "create_call", views.create_call,
                methods=["GET", "POST"])
bp.add_url_rule("/<town:tenant>/verwaltung/ausschreibungen/<int:call_id>", "staff_call",
                views.staff_call)
bp.add_url_rule("/<town:tenant>/verwaltung/ausschreibungen/<int:call_id>/bewerten", "score_call",
                views.score_call, methods=["GET", "POST"])
bp.add_url_rule("/<town:tenant>/verwaltung/zwischennutzung/vorlage", "agreement_template",
                views.agreement_template, methods=["GET", "POST"])
