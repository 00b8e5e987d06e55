"""What every printable A4 document of a town shares (reportlab): margins, colours, the footer."""
from __future__ import annotations

from flask_babel import gettext as _
from reportlab.lib import colors
from reportlab.lib.units import cm

MARGIN = 2 * cm
GREY = colors.HexColor("#555555")
DEFAULT_COLOR = "#0b5394"


def town_color(town):
    """The town's brand colour, or Quartier's where it has none (or an unreadable one)."""
    try:
        return colors.HexColor(getattr(town, "primary_color", None) or DEFAULT_COLOR)
    except (ValueError, TypeError):
        return colors.HexColor(DEFAULT_COLOR)


def page_footer(stand: str):
    """Draws "Stand: <stand>" (the date, formatted) and the page number at the foot of every page."""

    def draw(canvas, doc):
        canvas.saveState()
        canvas.setFont("Helvetica", 8)
        canvas.setFillColor(GREY)
        canvas.drawString(doc.leftMargin, MARGIN / 2, _("Stand: %(date)s", date=stand))
        canvas.drawRightString(doc.pagesize[0] - doc.rightMargin, MARGIN / 2,
                               _("Seite %(page)s", page=doc.page))
        canvas.restoreState()
    return draw
