"""Global accounts: sign in and out, register, confirm, reset, the own account."""
from flask import Blueprint

from blueprints.accounts import views

bp = Blueprint("accounts", __name__, template_folder="templates")
bp.add_url_rule("/login", "login", views.login, methods=["GET", "POST"])
bp.add_url_rule("/logout", "logout", views.logout, methods=["POST"])
bp.add_url_rule("/registrieren", "register", views.register, methods=["GET", "POST"])
bp.add_url_rule("/konto", "account", views.account)
