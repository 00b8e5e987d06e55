"""The printable exposé of a listed unit: an A4 PDF for investors and shop owners.

Everything typed by people (address, description, restrictions, contact) is
escaped for reportlab's paragraph markup, so it is printed as text, never read
as tags. The caller passes the address the public may see: the exact address
only when the owner allowed it (``unit.address`` is never printed here).
"""
from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from itertools import islice
from xml.sax.saxutils import escape, quoteattr

from babel.dates import format_date
from babel.numbers import format_currency, format_decimal
from flask_babel import get_locale
from flask_babel import gettext as _
from PIL import Image as PILImage
from PIL import ImageOps
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.platypus import (HRFlowable, Image, KeepTogether, Paragraph, SimpleDocTemplate,
                                Spacer, Table, TableStyle)

from blueprints.pdf import GREY, MARGIN, page_footer, town_color
from blueprints.vacancies.models import CONDITIONS, USAGES

DEFAULT_LOCALE = "de_DE"
MAX_PHOTOS = 3
MAX_CELL_CHARS = 600  # a table row must fit on one page


def render_expose(unit, town, *, photos: list[bytes], contact: dict | None,
                  public_address: str, url: str) -> bytes:
    """The exposé of ``unit`` as PDF bytes."""
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
        bottomMargin=MARGIN, title=public_address or "", author=town.name or "",
        subject=_("Exposé"), creator="Quartier")
    styles = _styles(town_color(town))
    story = [
        *_header(town, public_address, styles),
        *_facts(unit, styles, doc.width),
        *_photos(photos, doc.width),
        *_description(unit.description, styles),
        *_contact(contact, styles),
        *_link(url, styles),
    ]
    footer = page_footer(format_date(date.today(), format="medium", locale=_locale()))
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


# ---------------------------------------------------------------- text and style

def _locale() -> str:
    try:
        return str(get_locale() or DEFAULT_LOCALE)
    except (KeyError, RuntimeError, AttributeError):  # no Flask-Babel set up
        return DEFAULT_LOCALE


def _text(value) -> str:
    """User text as paragraph markup: escaped, line breaks kept."""
    return escape(str(value)).replace("\r\n", "\n").replace("\n", "<br/>")




def _styles(color) -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("body", fontName="Helvetica", fontSize=10, leading=14, alignment=TA_LEFT)
    return {
        "body": base,
        "town": ParagraphStyle("town", base, fontName="Helvetica-Bold", fontSize=13,
                               leading=16, textColor=color),
        "title": ParagraphStyle("title", base, fontName="Helvetica-Bold", fontSize=20,
                                leading=24, spaceBefore=6, spaceAfter=10),
        "heading": ParagraphStyle("heading", base, fontName="Helvetica-Bold", fontSize=12,
                                  leading=15, spaceBefore=12, spaceAfter=4, textColor=color),
        "label": ParagraphStyle("label", base, fontName="Helvetica-Bold", textColor=GREY),
    }


# ---------------------------------------------------------------- the parts

def _header(town, public_address, styles) -> list:
    return [
        Paragraph(_text(town.name or ""), styles["town"]),
        HRFlowable(width="100%", thickness=2, color=styles["town"].textColor, spaceBefore=4),
        Paragraph(_text(public_address or ""), styles["title"]),
    ]


def _facts(unit, styles, width) -> list:
    rows = [(label, value) for label, value in _fact_rows(unit) if value not in (None, "")]
    if not rows:
        return []
    cells = [[Paragraph(_text(label), styles["label"]),
              Paragraph(_text(_shorten(value)), styles["body"])] for label, value in rows]
    table = Table(cells, colWidths=[5.5 * cm, width - 5.5 * cm], hAlign="LEFT")
    table.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.5, colors.HexColor("#cccccc")),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]))
    return [Paragraph(_text(_("Eckdaten")), styles["heading"]), table]


def _fact_rows(unit) -> list[tuple[str, str | None]]:
    district = getattr(unit, "district", None)
    return [
        (_("Stadtteil"), district.name if district is not None else None),
        (_("Fläche"), _measure(unit.area_sqm, "m²")),
        (_("Verkaufsfläche"), _measure(unit.sales_area_sqm, "m²")),
        (_("Nebenfläche"), _measure(unit.secondary_area_sqm, "m²")),
        (_("Schaufensterfront"), _measure(unit.frontage_m, "m")),
        (_("Etage"), _floor(unit.floor)),
        (_("Nutzung"), _label(USAGES, unit.usage)),
        (_("Zustand"), _label(CONDITIONS, unit.condition)),
        (_("Stufenloser Zugang"), None if unit.step_free is None else (_("ja") if unit.step_free else _("nein"))),
        (_("Einschränkungen"), (unit.restrictions or "").strip()),
        (_("Kaltmiete"), _money_per_month(unit.rent_eur_month)),
        (_("Nebenkosten"), _money_per_month(unit.service_charge_eur_month)),
        (_("Verfügbar ab"), _date(unit.available_from)),
    ]


def _shorten(value: str) -> str:
    value = str(value)
    return value if len(value) <= MAX_CELL_CHARS else value[:MAX_CELL_CHARS - 1].rstrip() + "…"


def _measure(value, unit_sign: str) -> str | None:
    if value is None:
        return None
    return f"{format_decimal(Decimal(value), format='#,##0.##', locale=_locale())}\u00a0{unit_sign}"


def _money_per_month(value) -> str | None:
    if value is None:
        return None
    amount = format_currency(Decimal(value), "EUR", locale=_locale())
    return _("%(amount)s / Monat", amount=amount)


def _date(value) -> str | None:
    return None if value is None else format_date(value, format="medium", locale=_locale())


def _floor(floor) -> str | None:
    if floor is None:
        return None
    if floor == 0:
        return _("Erdgeschoss")
    if floor == -1:
        return _("Untergeschoss")
    if floor < 0:
        return _("%(n)s. Untergeschoss", n=-floor)
    return _("%(n)s. Obergeschoss", n=floor)


def _label(labels: dict, key) -> str | None:
    return None if not key else str(labels.get(key, key))


def _photos(photos, width) -> list:
    readable = (image for image in (_image(data, width, 9 * cm) for data in photos or []) if image)
    images = list(islice(readable, MAX_PHOTOS))
    return [Spacer(1, 8), *_photo_rows(images, width)] if images else []


def _photo_rows(images, width) -> list:
    """The first photo across the page, the others side by side below it."""
    first, others = images[0], images[1:]
    if not others:
        return [first]
    half = (width - 0.5 * cm) / 2
    small = [_image(image.source, half, 6 * cm) for image in others]
    row = Table([small + [""] * (2 - len(small))], colWidths=[half + 0.5 * cm, half], hAlign="LEFT")
    row.setStyle(TableStyle([("LEFTPADDING", (0, 0), (-1, -1), 0), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return [first, Spacer(1, 6), row]


def _image(data: bytes, max_width: float, max_height: float) -> Image | None:
    """A photo scaled to fit the box, aspect ratio kept; None if it is no readable image."""
    try:
        data = _upright(data)
        with PILImage.open(io.BytesIO(data)) as picture:
            pixel_width, pixel_height = picture.size
    except Exception:  # noqa: BLE001 — a broken photo is left out, not the exposé
        return None
    scale = min(max_width / pixel_width, max_height / pixel_height)
    image = Image(io.BytesIO(data), width=pixel_width * scale, height=pixel_height * scale)
    image.source = data
    image.hAlign = "LEFT"
    return image


def _upright(data: bytes) -> bytes:
    """The photo turned as its camera meant it (EXIF orientation), else unchanged."""
    with PILImage.open(io.BytesIO(data)) as picture:
        if picture.getexif().get(0x0112, 1) == 1:
            return data
        turned = ImageOps.exif_transpose(picture).convert("RGB")
    out = io.BytesIO()
    turned.save(out, format="JPEG", quality=85)
    return out.getvalue()


def _description(description, styles) -> list:
    text = (description or "").strip()
    if not text:
        return []
    paragraphs = [part.strip() for part in text.replace("\r\n", "\n").split("\n\n") if part.strip()]
    return [Paragraph(_text(_("Beschreibung")), styles["heading"]),
            *(Paragraph(_text(part), styles["body"]) for part in paragraphs)]


def _contact(contact, styles) -> list:
    lines = [str(contact.get(key) or "").strip() for key in ("name", "email", "phone")] if contact else []
    lines = [line for line in lines if line]
    if not lines:
        return []
    return [KeepTogether([Paragraph(_text(_("Kontakt")), styles["heading"]),
                          Paragraph("<br/>".join(_text(line) for line in lines), styles["body"])])]


def _link(url, styles) -> list:
    if not url:
        return []
    link = f"<link href={quoteattr(str(url))} color='blue'>{_text(url)}</link>"
    return [Paragraph(_text(_("Online ansehen")), styles["heading"]), Paragraph(link, styles["body"])]
