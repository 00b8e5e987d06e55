"""Global pages: the list of towns, health checks, the language switch."""
from flask import Blueprint

from blueprints.core import views

bp = Blueprint("core", __name__, template_folder="templates")
bp.add_url_rule("/", "index", views.index)
bp.add_url_rule("/healthz", "healthz", views.healthz)
bp.add_url_rule("/readyz", "readyz", views.readyz)
bp.add_url_rule("/sprache/<lang>", "set_language", views.set_language)
