"""The printable list of an event's participants, for checking people in on paper.

An A4 PDF (reportlab, like the vacancies' exposé): title, date, place, then
the registrations with a blank column to sign or note in, and the waiting list
apart, in the order in which it moves up. Cancelled registrations are left
out. Names and addresses are escaped, so they print as text, never as markup.
"""
from __future__ import annotations

import io
from datetime import date
from xml.sax.saxutils import escape

from babel.dates import format_date
from flask_babel import get_locale
from flask_babel import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from blueprints.events.models import REGISTRATION_STATUSES
from blueprints.events.services import local
from blueprints.pdf import MARGIN, page_footer, town_color

ROW_HEIGHT = 0.9 * cm  # room for a signature
GRID = colors.HexColor("#999999")


def render_participants(event, town, registrations, *, when: str, place: str) -> bytes:
    """The participants of ``event`` as PDF bytes; ``when`` and ``place`` as the town shows them."""
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN,
                            topMargin=MARGIN, bottomMargin=MARGIN, title=event.title,
                            author=town.name or "", subject=_("Teilnehmende"), creator="Quartier")
    styles = _styles(town_color(town))
    attending = [each for each in registrations if each.status in ("confirmed", "pending")]
    waiting = sorted((each for each in registrations if each.status == "waitlisted"),
                     key=lambda each: (each.confirmed_at or each.created_at, each.id))
    story = [
        Paragraph(_text(town.name or ""), styles["town"]),
        Paragraph(_text(event.title), styles["title"]),
        Paragraph(_text(f"{when} · {place}"), styles["body"]),
        *_section(_("Teilnehmende (%(count)s)", count=len(attending)), attending, styles, doc.width),
        *_section(_("Warteliste (%(count)s)", count=len(waiting)), waiting, styles, doc.width),
    ]
    footer = page_footer(format_date(date.today(), format="medium", locale=str(get_locale() or "de_DE")))
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


def _text(value) -> str:
    return escape(str(value or ""))




def _styles(color) -> dict[str, ParagraphStyle]:
    body = ParagraphStyle("body", fontName="Helvetica", fontSize=9, leading=12)
    return {
        "body": body,
        "town": ParagraphStyle("town", body, fontName="Helvetica-Bold", fontSize=12, textColor=color),
        "title": ParagraphStyle("title", body, fontName="Helvetica-Bold", fontSize=18, leading=22,
                                spaceBefore=6, spaceAfter=4),
        "heading": ParagraphStyle("heading", body, fontName="Helvetica-Bold", fontSize=12, leading=15,
                                  spaceBefore=14, spaceAfter=6, textColor=color),
        "head": ParagraphStyle("head", body, fontName="Helvetica-Bold"),
    }


def _section(heading: str, registrations, styles, width) -> list:
    parts = [Paragraph(_text(heading), styles["heading"])]
    if not registrations:
        return [*parts, Paragraph(_text(_("Niemand.")), styles["body"])]
    return [*parts, _table(registrations, styles, width), Spacer(1, 4)]


def _table(registrations, styles, width) -> Table:
    header = [_("Name"), _("E-Mail"), _("Status"), _("Eingecheckt"), _("Unterschrift / Notiz")]
    rows = [[Paragraph(_text(label), styles["head"]) for label in header]]
    for each in registrations:
        rows.append([Paragraph(_text(value), styles["body"]) for value in (
            each.name, each.email, REGISTRATION_STATUSES[each.status], _checked_in(each))] + [""])
    widths = [0.2, 0.26, 0.2, 0.14, 0.2]
    table = Table(rows, colWidths=[width * share for share in widths], repeatRows=1,
                  rowHeights=[None] + [ROW_HEIGHT] * len(registrations), hAlign="LEFT")
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.5, GRID),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ]))
    return table


def _checked_in(registration) -> str:
    if registration.checked_in_at is None:
        return ""
    return f"{local(registration.checked_in_at):%H:%M}"
