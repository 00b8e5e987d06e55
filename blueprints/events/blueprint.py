"""Events: the public calendar with its iCalendar feeds, and the staff's events."""
from flask import Blueprint

from blueprints.events import services, views

bp = Blueprint("events", __name__, template_folder="templates", url_prefix="/<town:tenant>")
bp.add_url_rule("/veranstaltungen", "calendar", views.calendar_page)
bp.add_url_rule("/veranstaltungen.ics", "feed", views.calendar_feed)
bp.add_url_rule("/veranstaltungen/<int:event_id>", "event", views.event)
bp.add_url_rule("/veranstaltungen/<int:event_id>.ics", "event_feed", views.event_feed)
bp.add_url_rule("/veranstaltungen/<int:event_id>/bild", "image", views.image)
bp.add_url_rule("/verwaltung/veranstaltungen/", "staff_list", views.staff_list)
bp.add_url_rule("/verwaltung/veranstaltungen/neu", "create", views.create, methods=["GET", "POST"])
bp.add_url_rule("/verwaltung/veranstaltungen/<int:event_id>/bearbeiten", "edit", views.edit,
                methods=["GET", "POST"])
bp.add_url_rule("/veranstaltungen/<int:event_id>/anmelden", "register", views.register,
                methods=["POST"])
bp.add_url_rule("/veranstaltungen/anmeldung/<token>/bestaetigen", "confirm_registration",
                views.confirm_registration)
bp.add_url_rule("/veranstaltungen/anmeldung/<token>/abmelden", "cancel_registration",
                views.cancel_registration, methods=["GET", "POST"])
bp.add_url_rule("/verwaltung/veranstaltungen/<int:event_id>/anmeldungen", "registration_list",
                views.registration_list)
bp.add_url_rule("/verwaltung/veranstaltungen/<int:event_id>/anmeldungen.pdf", "registration_pdf",
                views.registration_pdf)
bp.add_url_rule("/verwaltung/veranstaltungen/anmeldungen/<int:registration_id>/eingecheckt",
                "check_in", views.check_in, methods=["POST"])
# The town's dashboard (another blueprint) shows the events' figures through this.
bp.add_app_template_global(services.attendance_this_year, "events_attendance_this_year")
