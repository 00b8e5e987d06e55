"""Marketing: the traders' directory, the newsletter with its campaigns, and news."""
from flask import Blueprint

from blueprints.marketing import directory_views, views

bp = Blueprint("marketing", __name__, template_folder="templates", url_prefix="/<town:tenant>")

# --- the traders' directory ----------------------------------------------------

# --- newsletter, campaigns and news --------------------------------------------
