"""The JSON API of a town: /<slug>/api/v1/…"""
from flask import Blueprint

from blueprints.api import views

bp = Blueprint("api", __name__, url_prefix="/<town:tenant>/api/v1")
bp.add_url_rule("/openapi.json", "openapi", views.openapi)
