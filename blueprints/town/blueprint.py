"""A town's public home, its legal pages and the start of its staff area."""
from flask import Blueprint

from blueprints.town import views

bp = Blueprint("town", __name__, template_folder="templates", url_prefix="/<town:tenant>")
bp.add_url_rule("/", "home", views.home)
bp.add_url_rule("/impressum", "impressum", views.impressum)
bp.add_url_rule("/datenschutz", "datenschutz", views.datenschutz)
bp.add_url_rule("/verwaltung/", "dashboard", views.dashboard)
bp.add_url_rule("/verwaltung/seiten/<key>", "edit_page", views.edit_page, methods=["GET", "POST"])
bp.add_url_rule("/verwaltung/stadtteile", "districts", views.districts, methods=["GET"])
bp.add_url_rule("/verwaltung/stadtteile", "create_district", views.create_district, methods=["POST"])
