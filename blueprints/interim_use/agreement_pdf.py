"""The usage agreement as a PDF: parties, unit, purpose, period, money, handover, approval."""
from __future__ import annotations

import io
from xml.sax.saxutils import escape

from babel.numbers import format_currency
from flask_babel import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle


def render_agreement(agreement, town) -> bytes:
    """An A4 PDF of ``agreement``; every entered text is escaped for reportlab's markup."""
    buffer = io.BytesIO()
    document = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm,
                                 topMargin=18 * mm, bottomMargin=18 * mm,
                                 title=_("Nutzungsvereinbarung"), author=town.name)
    styles = getSampleStyleSheet()
    story = [Paragraph(escape(town.name), styles["Heading3"]),
             Paragraph(_("Nutzungsvereinbarung (Zwischennutzung)"), styles["Title"]),
             _facts_table(agreement, styles), Spacer(1, 6 * mm)]
    for paragraph in agreement.text.split("\n\n"):
        story.append(Paragraph(escape(paragraph).replace("\n", "<br/>"), styles["BodyText"]))
    story += [Spacer(1, 8 * mm), Paragraph(_approval_line(agreement), styles["Italic"])]
    document.build(story)
    return buffer.getvalue()


def _facts_table(agreement, styles) -> Table:
    application, unit = agreement.application, agreement.unit

    def money(amount):
        return format_currency(amount, "EUR", locale="de_DE")

    rows = [
        (_("Eigentümer:in"), unit.owner.name if unit.owner else "–"),
        (_("Nutzer:in"), application.organisation or application.applicant_name),
        (_("Fläche"), unit.address),
        (_("Zweck"), agreement.purpose),
        (_("Zeitraum"), f"{agreement.starts_on:%d.%m.%Y} – {agreement.ends_on:%d.%m.%Y}"),
        (_("Kündigungsfrist"), _("%(weeks)s Wochen", weeks=agreement.notice_weeks)),
        (_("Miete im Monat"), money(agreement.rent_eur_month)),
        (_("davon Zuschuss der Stadt"), money(agreement.subsidy_eur_month)),
        (_("Kaution"), money(agreement.deposit_eur)),
        (_("Schlüssel und Übergabe"), agreement.keys_and_handover or "–"),
    ]
    table = Table([[Paragraph(escape(str(label)), styles["BodyText"]),
                    Paragraph(escape(str(value)), styles["BodyText"])] for label, value in rows],
                  colWidths=(55 * mm, None))
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                               ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return table


def _approval_line(agreement) -> str:
    if agreement.status != "approved":
        return escape(_("Entwurf – noch nicht von der Stadt freigegeben."))
    who = agreement.approved_by.name or agreement.approved_by.email if agreement.approved_by else ""
    return escape(_("Freigegeben von %(who)s am %(date)s.", who=who,
                    date=f"{agreement.approved_at:%d.%m.%Y}"))
