"""Write the register out as CSV, XLSX or GeoJSON, in a form the import reads back unchanged.

Pure functions: no database, no request. ``units_to_csv`` writes what German
Excel opens, ``units_to_xlsx`` a workbook with typed cells, ``units_to_geojson``
the units with coordinates as points.
"""
from __future__ import annotations

import codecs
import csv
import io
from datetime import date
from decimal import Decimal

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from blueprints.vacancies.spreadsheet_fields import FIELDS, Field

# A cell starting with one of these is a formula to Excel (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def units_to_csv(rows: list[dict], fields=tuple(FIELDS)) -> bytes:
    """Rows as CSV the way German Excel opens it: UTF-8 with BOM, ";", 1.234,5 as 1234,5."""
    definitions = _export_fields(fields)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow([str(definition.label) for definition in definitions])
    for row in rows:
        writer.writerow([_csv_cell(definition, row.get(definition.name))
                         for definition in definitions])
    return codecs.BOM_UTF8 + buffer.getvalue().encode("utf-8")


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
    header = []
    for definition in definitions:
        cell = WriteOnlyCell(sheet, str(definition.label))
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in rows:
        sheet.append([_xlsx_cell(sheet, definition, row.get(definition.name))
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
    """The value as text for the cells that are text in every format."""
    if definition.kind == "choice":
        return str(definition.choices.get(value, value))
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if isinstance(value, (list, tuple)):
        return ", ".join(map(str, value))
    return value


def _csv_cell(definition: Field, value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        value = Decimal(repr(value))
    if isinstance(value, Decimal):
        return format(value, "f").replace(".", ",")
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    text = str(_plain_value(definition, value))
    # An apostrophe keeps Excel from running text as a formula; the import drops it again.
    return "'" + text if text.startswith(FORMULA_STARTS) else text


_NUMBER_FORMATS = {"decimal": "#,##0.00", "coordinate": "0.000000", "floor": "0"}


def _xlsx_cell(sheet, definition: Field, value):
    if value is None:
        return None
    if isinstance(value, date):
        cell = WriteOnlyCell(sheet, value)
        cell.number_format = "DD.MM.YYYY"
        return cell
    if isinstance(value, (Decimal, float, int)) and not isinstance(value, bool):
        cell = WriteOnlyCell(sheet, value)
        cell.number_format = _NUMBER_FORMATS.get(definition.kind, "General")
        return cell
    text = ILLEGAL_CHARACTERS_RE.sub("", str(_plain_value(definition, value)))
    cell = WriteOnlyCell(sheet, text)
    cell.data_type = "s"  # openpyxl would store "=…" as a formula
    return cell


def _json_value(value):
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple):
        return list(value)
    return value
