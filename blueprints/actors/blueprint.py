"""The town's register of actors (owners, traders, associations), shared by every module."""
from flask import Blueprint

from blueprints.actors import views

bp = Blueprint("actors", __name__, template_folder="templates",
               url_prefix="/<town:tenant>/verwaltung/akteure")
bp.add_url_rule("/", "index", views.index)
bp.add_url_rule("/neu", "create", views.create, methods=["GET", "POST"])
bp.add_url_rule("/<int:actor_id>", "show", views.show)
bp.add_url_rule("/<int:actor_id>/bearbeiten", "edit", views.edit, methods=["GET", "POST"])
bp.add_url_rule("/<int:actor_id>/kontakte", "log_contact", views.log_contact, methods=["POST"])
bp.add_url_rule("/wiedervorlagen", "follow_ups", views.follow_ups)
bp.add_url_rule("/kontakte/<int:contact_id>/erledigt", "complete_follow_up",
                views.complete_follow_up, methods=["POST"])


@bp.app_context_processor
def actor_labels():
    """The register's labels, for every module's pages that show actors."""
    from blueprints.actors.models import ACTOR_KINDS, CONTACT_CHANNELS

    return {"actor_kinds": ACTOR_KINDS, "contact_channels": CONTACT_CHANNELS}
