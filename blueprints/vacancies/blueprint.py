"""The vacancy register: staff keep units; the public browses the Leerstandsbörse,
reports empty shops and reads the location information."""
from flask import Blueprint

from blueprints.vacancies import imports, views

bp = Blueprint("vacancies", __name__, template_folder="templates", url_prefix="/<town:tenant>")
# Staff: the register
bp.add_url_rule("/verwaltung/leerstand/", "register", views.register)
bp.add_url_rule("/verwaltung/leerstand/neu", "create", views.create, methods=["GET", "POST"])
bp.add_url_rule("/verwaltung/leerstand/<int:unit_id>", "show", views.show)
bp.add_url_rule("/verwaltung/leerstand/<int:unit_id>/bearbeiten", "edit", views.edit,
                methods=["GET", "POST"])
bp.add_url_rule("/verwaltung/leerstand/<int:unit_id>/status", "change_status",
                views.change_status, methods=["POST"])
bp.add_url_rule("/verwaltung/leerstand/<int:unit_id>/fotos", "upload_photo", views.upload_photo,
                methods=["POST"])
bp.add_url_rule("/verwaltung/leerstand/<int:unit_id>/fotos/<int:photo_id>", "staff_photo",
                views.staff_photo)
bp.add_url_rule("/verwaltung/leerstand/<int:unit_id>/grundriss", "upload_floor_plan",
                views.upload_floor_plan, methods=["POST"])
bp.add_url_rule("/verwaltung/leerstand/<int:unit_id>/grundriss.pdf", "staff_floor_plan",
                views.staff_floor_plan)
bp.add_url_rule("/verwaltung/leerstand/export.<kind>", "export", views.export)
# Staff: imports
bp.add_url_rule("/verwaltung/leerstand/import", "import_upload", imports.upload,
                methods=["GET", "POST"])
bp.add_url_rule("/verwaltung/leerstand/import/<int:import_id>", "import_show", imports.show,
                methods=["GET", "POST"])
bp.add_url_rule("/verwaltung/leerstand/import/<int:import_id>/fortschritt", "import_progress",
                imports.progress)
# Staff: residents' reports and location data
bp.add_url_rule("/verwaltung/leerstand/meldungen", "reports", views.reports)
bp.add_url_rule("/verwaltung/leerstand/meldungen/<int:report_id>/uebernehmen", "accept_report",
                views.accept_report, methods=["POST"])
bp.add_url_rule("/verwaltung/leerstand/meldungen/<int:report_id>/ablehnen", "reject_report",
                views.reject_report, methods=["POST"])
bp.add_url_rule("/verwaltung/leerstand/meldungen/<int:report_id>/foto", "report_photo",
                views.report_photo)
bp.add_url_rule("/verwaltung/standort", "edit_location", views.edit_location,
                methods=["GET", "POST"])
bp.add_url_rule("/verwaltung/standort/zaehlungen", "add_footfall", views.add_footfall,
                methods=["POST"])
bp.add_url_rule("/verwaltung/standort/dokumente", "add_location_download",
                views.add_location_download, methods=["POST"])
# Public
bp.add_url_rule("/leerstand", "listing", views.listing)
bp.add_url_rule("/leerstand/melden", "report", views.report, methods=["GET", "POST"])
bp.add_url_rule("/leerstand/<int:unit_id>", "listed_unit", views.listed_unit)
bp.add_url_rule("/leerstand/<int:unit_id>/interesse", "enquire", views.enquire, methods=["POST"])
bp.add_url_rule("/leerstand/<int:unit_id>/expose.pdf", "expose", views.expose)
bp.add_url_rule("/leerstand/<int:unit_id>/fotos/<int:photo_id>", "public_photo", views.public_photo)
bp.add_url_rule("/leerstand/<int:unit_id>/grundriss.pdf", "public_floor_plan",
                views.public_floor_plan)
bp.add_url_rule("/standort", "location", views.location_page)
bp.add_url_rule("/standort/dokumente/<int:download_id>", "location_download",
                views.location_download)


@bp.app_context_processor
def unit_labels():
    """The register's labels, for every module's pages that show units."""
    from blueprints.vacancies.models import CONDITIONS, PUBLISH, STATUSES, USAGES

    return {"unit_statuses": STATUSES, "unit_usages": USAGES, "unit_conditions": CONDITIONS,
            "publish_labels": PUBLISH}
