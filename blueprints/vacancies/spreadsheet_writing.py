"""Write the register out as CSV, XLSX or GeoJSON, in a form the import reads back unchanged.

Pure functions: no database, no request. ``units_to_csv`` writes what German
Excel opens, ``units_to_xlsx`` a workbook with typed cells, ``units_to_geojson``
the units with coordinates as points. Every CSV and XLSX the app writes (the
event registrations too) goes through ``csv_cell`` and ``xlsx_cell``, so no
text typed by anyone runs as a formula where the file is opened.
"""
from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from blueprints.vacancies.spreadsheet_fields import FIELDS, Field

# Text starting with one of these is a formula to a spreadsheet (OWASP: "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER_FORMATS = {"decimal": "#,##0.00", "coordinate": "0.000000", "floor": "0"}


# --- every export's cells -------------------------------------------------------------------

def starts_like_formula(value) -> bool:
    """True for text a spreadsheet would run as a formula; a number (-2 too) never is."""
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def csv_cell(value) -> str:
    """A value as German Excel reads it from CSV: 1234,5, 31.12.2026, text as typed.

    Text that starts like a formula gets an apostrophe before it, so it shows
    as text and never runs; the import drops the apostrophe again.
    """
    if value is None:
        return ""
    if isinstance(value, float):
        value = Decimal(repr(value))
    if isinstance(value, Decimal):
        return format(value, "f").replace(".", ",")
    if isinstance(value, datetime):
        return value.strftime("%d.%m.%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    text = str(value)
    return "'" + text if starts_like_formula(text) else text


def csv_file(header: Iterable, rows: Iterable[Iterable]) -> bytes:
    """A CSV file the way German Excel opens it: UTF-8 with BOM, ";", every cell a ``csv_cell``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow([csv_cell(value) for value in header])
    writer.writerows([csv_cell(value) for value in row] for row in rows)
    return codecs.BOM_UTF8 + buffer.getvalue().encode("utf-8")


def xlsx_cell(sheet, value, number_format: str = "General") -> WriteOnlyCell | None:
    """A value as a typed XLSX cell: numbers and dates as such, anything else as text.

    Text is always a string cell, never a formula: openpyxl would store a str
    starting with "=" as one. Formula-like text is also marked as typed text
    (Excel's leading apostrophe), so editing the cell does not run it either.
    """
    if value is None:
        return None
    if isinstance(value, date):
        cell = WriteOnlyCell(sheet, value)
        cell.number_format = "DD.MM.YYYY HH:MM" if isinstance(value, datetime) else "DD.MM.YYYY"
        return cell
    if isinstance(value, (Decimal, float, int)) and not isinstance(value, bool):
        cell = WriteOnlyCell(sheet, value)
        cell.number_format = number_format
        return cell
    text = ILLEGAL_CHARACTERS_RE.sub("", str(value))
    cell = WriteOnlyCell(sheet, text)
    cell.data_type = "s"
    cell.quotePrefix = starts_like_formula(text)
    return cell


# --- the register -----------------------------------------------------------------------------

def units_to_csv(rows: list[dict], fields=tuple(FIELDS)) -> bytes:
    """Rows as CSV the way German Excel opens it: UTF-8 with BOM, ";", 1.234,5 as 1234,5."""
    definitions = _export_fields(fields)
    return csv_file([definition.label for definition in definitions],
                    ([_plain_value(definition, row.get(definition.name))
                      for definition in definitions] for row in rows))


def units_to_xlsx(rows: list[dict], fields=tuple(FIELDS)) -> bytes:
    """Rows as a workbook: bold frozen header, numbers as numbers, dates as dates."""
    definitions = _export_fields(fields)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Objekte"))
    sheet.freeze_panes = "A2"
    for number, definition in enumerate(definitions, 1):
        width = 40 if definition.kind == "text" and definition.max_length > 100 else 16
        sheet.column_dimensions[get_column_letter(number)].width = width
    bold = Font(bold=True)
    header = [xlsx_cell(sheet, str(definition.label)) for definition in definitions]
    for cell in header:
        cell.font = bold
    sheet.append(header)
    for row in rows:
        sheet.append([xlsx_cell(sheet, _plain_value(definition, row.get(definition.name)),
                                _NUMBER_FORMATS.get(definition.kind, "General"))
                      for definition in definitions])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def units_to_geojson(rows: list[dict]) -> dict:
    """Rows with coordinates as a GeoJSON FeatureCollection of points."""
    features = []
    for row in rows:
        if row.get("lat") is None or row.get("lon") is None:
            continue
        feature = {"type": "Feature",
                   "geometry": {"type": "Point",
                                "coordinates": [float(row["lon"]), float(row["lat"])]},
                   "properties": {name: _json_value(value) for name, value in row.items()
                                  if name not in ("lat", "lon")}}
        if "id" in row:
            feature["id"] = row["id"]
        features.append(feature)
    return {"type": "FeatureCollection", "features": features}


def _export_fields(fields) -> list[Field]:
    unknown = [name for name in fields if name not in FIELDS]
    if unknown:
        raise ValueError(f"Not exportable unit fields: {', '.join(unknown)}")
    return [FIELDS[name] for name in fields]


def _plain_value(definition: Field, value):
    """Choices, yes/no and lists as the text a person reads; numbers and dates as they are."""
    if value is None:
        return None
    if definition.kind == "choice":
        return str(definition.choices.get(value, value))
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if isinstance(value, (list, tuple)):
        return ", ".join(map(str, value))
    return value


def _json_value(value):
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple):
        return list(value)
    return value
