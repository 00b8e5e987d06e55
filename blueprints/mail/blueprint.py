"""The mail blueprint: a town's outbox for its staff, and the mail layout for every blueprint.

Importing the views pulls in the delivery job (and, through it, the
after-commit hand-over in tenants.jobs) whenever the app is built.
"""
from flask import Blueprint

from blueprints.mail import jobs  # noqa: F401  (the delivery job and the session events)
from blueprints.mail import views

bp = Blueprint("mail", __name__, template_folder="templates",
               url_prefix="/<town:tenant>/verwaltung/postausgang")
bp.add_url_rule("/", "outbox", views.outbox)
bp.add_url_rule("/<int:mail_id>", "show", views.show)
bp.add_url_rule("/<int:mail_id>/erneut-senden", "resend", views.resend, methods=["POST"])
bp.add_url_rule("/sendungen/<int:batch_id>", "show_batch", views.show_batch)
bp.add_url_rule("/sendungen/<int:batch_id>/fortschritt", "batch_progress", views.batch_progress)
bp.add_url_rule("/sendungen/<int:batch_id>/erneut-senden", "resend_batch", views.resend_batch,
                methods=["POST"])
