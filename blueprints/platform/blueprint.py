"""Platform administration: every town, its users and memberships."""
from flask import Blueprint

from blueprints.platform import views

bp = Blueprint("platform", __name__, template_folder="templates", url_prefix="/plattform")
bp.add_url_rule("/", "index", views.index)
bp.add_url_rule("/nutzer", "users", views.users)
