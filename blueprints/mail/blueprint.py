"""The mail blueprint: no pages yet; it lends every blueprint the mail layout.

Importing the services here makes sure the after-commit delivery is hooked up
whenever the app is.
"""
from flask import Blueprint

from blueprints.mail import services  # noqa: F401  (registers the session events)

bp = Blueprint("mail", __name__, template_folder="templates")
