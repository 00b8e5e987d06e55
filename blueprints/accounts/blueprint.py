"""Global accounts: sign in and out, register, confirm, reset, the own account."""
from flask import Blueprint

from blueprints.accounts import views

bp = Blueprint("accounts", __name__, template_folder="templates")
bp.add_url_rule("/login", "login", views.login, methods=["GET", "POST"])
bp.add_url_rule("/login/zwei-faktor", "two_factor", views.two_factor_login, methods=["GET", "POST"])
bp.add_url_rule("/login/zwei-faktor/einrichten", "two_factor_setup", views.two_factor_setup,
                methods=["GET", "POST"])
bp.add_url_rule("/logout", "logout", views.logout, methods=["POST"])
bp.add_url_rule("/registrieren", "register", views.register, methods=["GET", "POST"])
bp.add_url_rule("/konto/bestaetigen/<token>", "confirm_email", views.confirm_email)
bp.add_url_rule("/konto/bestaetigen-erneut", "resend_confirmation", views.resend_confirmation,
                methods=["GET", "POST"])
bp.add_url_rule("/passwort/vergessen", "forgot_password", views.forgot_password,
                methods=["GET", "POST"])
bp.add_url_rule("/passwort/neu/<token>", "reset_password", views.reset_password,
                methods=["GET", "POST"])
bp.add_url_rule("/konto", "account", views.account)
bp.add_url_rule("/konto/profil", "account_profile", views.account_profile, methods=["POST"])
bp.add_url_rule("/konto/passwort", "account_password", views.account_password, methods=["POST"])
bp.add_url_rule("/konto/ueberall-abmelden", "logout_everywhere", views.logout_everywhere,
                methods=["POST"])
bp.add_url_rule("/konto/api-schluessel", "create_token", views.create_token, methods=["POST"])
bp.add_url_rule("/konto/api-schluessel/<int:token_id>/widerrufen", "revoke_token", views.revoke_token,
                methods=["POST"])
