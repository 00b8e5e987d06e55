"""Platform administration: every town, its users and memberships."""
from flask import Blueprint

from blueprints.platform import views

bp = Blueprint("platform", __name__, template_folder="templates", url_prefix="/plattform")
bp.add_url_rule("/", "index", views.index)
bp.add_url_rule("/staedte/<slug>", "edit_town", views.edit_town, methods=["GET", "POST"])
bp.add_url_rule("/nutzer", "users", views.users, methods=["GET"])
bp.add_url_rule("/nutzer", "grant_membership", views.grant_membership, methods=["POST"])
bp.add_url_rule("/mitgliedschaften/<int:membership_id>/entfernen", "revoke_membership",
                views.revoke_membership, methods=["POST"])
bp.add_url_rule("/postausgang", "outbox", views.outbox)
bp.add_url_rule("/postausgang/<int:mail_id>", "outbox_mail", views.outbox_mail)
