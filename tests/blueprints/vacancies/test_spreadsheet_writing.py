"""Exporting the register as CSV, XLSX and GeoJSON: pure functions, no app needed."""
import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook

from blueprints.vacancies.spreadsheet_fields import FIELDS
from blueprints.vacancies.spreadsheet_reading import read_table
from blueprints.vacancies.spreadsheet_writing import (csv_cell, units_to_csv, units_to_geojson,
                                                      units_to_xlsx, xlsx_cell)
from tests.blueprints.vacancies.spreadsheet_files import DISTRICTS, validate


UNITS = [
    {"reference": "A-1", "address": "Marktstraße 3", "postcode": "01067", "district": "Altstadt",
     "lat": 51.05089, "lon": 13.73832, "area_sqm": Decimal("1234.50"),
     "sales_area_sqm": Decimal("80.00"), "secondary_area_sqm": None,
     "frontage_m": Decimal("6.25"), "floor": -1, "usage": "gastronomy",
     "condition": "light_work", "step_free": True, "restrictions": "",
     "rent_eur_month": Decimal("1200.00"), "service_charge_eur_month": Decimal("0.50"),
     "available_from": date(2026, 12, 31), "status": "vacant", "vacant_since": date(1998, 3, 1),
     "owner_name": "Müller & Söhne GbR", "owner_email": "mueller@example.org",
     "owner_phone": "+49 351 123456", "publish": "approximate", "interim_use_consent": False,
     "tags": ["Ecklage", "Schaufenster"], "notes": '=HYPERLINK("https://example.org")',
     "description": "Heller Laden; mit Lager\nund Hof"},
    {"reference": "B-2", "address": "Am Ring 1", "postcode": "", "district": None, "lat": None,
     "lon": None, "floor": 0, "usage": "retail", "status": "let", "tags": [],
     "publish": "no"},
]


def expected_records():
    """What the import makes of UNITS: blank values left out, the district as its id."""
    records = []
    for unit in UNITS:
        record = {name: value for name, value in unit.items() if value not in (None, "", [])}
        if "district" in record:
            record["district_id"] = DISTRICTS[record.pop("district")]
        records.append(record)
    return records


def test_the_csv_export_opens_in_german_excel_and_reads_back_unchanged():
    data = units_to_csv(UNITS, list(FIELDS))

    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert text.startswith("Objektnummer;Adresse;PLZ;Stadtteil;Breitengrad;Längengrad;")
    assert ";1234,50;" in text and ";31.12.2026;" in text and ";nur ungefähre Lage;" in text
    assert "\"'=HYPERLINK(" in text and ";'+49 351 123456;" in text  # never run as formulas
    table = read_table(data, "export.csv")
    result = validate(table)
    assert result.problems == []
    assert result.row_numbers == [2, 3]  # the line break inside a cell stays in its row
    assert result.records == expected_records()


def test_the_xlsx_export_has_a_frozen_bold_header_typed_cells_and_reads_back_unchanged():
    data = units_to_xlsx(UNITS, list(FIELDS))

    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet["A1"].value == "Objektnummer" and sheet["A1"].font.b
    assert sheet.freeze_panes == "A2"
    columns = {cell.value: cell.column_letter for cell in sheet[1]}
    assert sheet[f"{columns['Fläche (m²)']}2"].value == 1234.5
    assert sheet[f"{columns['Verfügbar ab']}2"].is_date
    assert sheet[f"{columns['Notizen (intern)']}2"].data_type == "s"  # text, not a formula
    result = validate(read_table(data, "export.xlsx"))
    assert result.problems == []
    assert result.records == expected_records()


def test_the_export_writes_only_the_chosen_fields():
    text = units_to_csv(UNITS, ["address", "status"]).decode("utf-8-sig")
    assert text.splitlines() == ["Adresse;Status", "Marktstraße 3;leer", "Am Ring 1;vermietet"]
    with pytest.raises(ValueError, match="owner_id"):
        units_to_csv(UNITS, ["address", "owner_id"])


def test_the_geojson_export_has_a_point_per_unit_with_coordinates():
    collection = units_to_geojson(UNITS)

    assert collection["type"] == "FeatureCollection"
    [feature] = collection["features"]  # B-2 has no coordinates
    assert feature["geometry"] == {"type": "Point", "coordinates": [13.73832, 51.05089]}
    properties = feature["properties"]
    assert "lat" not in properties and "lon" not in properties
    assert properties["reference"] == "A-1" and properties["area_sqm"] == 1234.5
    assert properties["available_from"] == "2026-12-31"
    assert properties["tags"] == ["Ecklage", "Schaufenster"]


# --- Formulas ----------------------------------------------------------------------------

FORMULAS = ['=HYPERLINK("http://evil.example","x")', "+1", "-2+3", "@SUM(A1)"]
# A tab or line break first also starts a formula for some spreadsheets (OWASP).
WHITESPACE_FORMULAS = ["\t=1+1", "\r=1+1"]


def formula_units():
    """A unit whose text fields start like formulas, with a negative floor and longitude."""
    texts = {"reference": FORMULAS[0], "address": FORMULAS[1], "owner_name": FORMULAS[2],
             "notes": FORMULAS[3]}
    return [{**texts, "floor": -2, "lat": 51.5, "lon": -0.125}], texts


def test_csv_text_that_starts_like_a_formula_gets_an_apostrophe_and_numbers_stay_numbers():
    units, texts = formula_units()
    data = units_to_csv(units, list(FIELDS))

    header, row = csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";")
    cells = dict(zip(header, row, strict=True))
    for name, text in texts.items():
        assert cells[str(FIELDS[name].label)] == "'" + text
    assert cells["Etage"] == "-2" and cells["Längengrad"] == "-0,125"  # numbers, not text
    [record] = validate(read_table(data, "export.csv")).records
    assert {name: record[name] for name in texts} == texts  # the import drops the apostrophe


def test_xlsx_text_that_starts_like_a_formula_is_a_string_cell_and_numbers_stay_numbers():
    units, texts = formula_units()
    data = units_to_xlsx(units, list(FIELDS))

    sheet = load_workbook(io.BytesIO(data)).active
    cells = {header.value: cell for header, cell in zip(sheet[1], sheet[2], strict=True)}
    for name, text in texts.items():
        cell = cells[str(FIELDS[name].label)]
        assert (cell.value, cell.data_type, cell.quotePrefix) == (text, "s", True)
    assert (cells["Etage"].value, cells["Etage"].data_type) == (-2, "n")
    assert (cells["Längengrad"].value, cells["Längengrad"].data_type) == (-0.125, "n")
    [record] = validate(read_table(data, "export.xlsx")).records
    assert {name: record[name] for name in texts} == texts


def test_the_shared_cells_keep_numbers_and_dates_typed_and_text_inert():
    assert [csv_cell(value) for value in (-3, Decimal("-1.50"), -0.5, None, date(2026, 1, 2))] == \
        ["-3", "-1,50", "-0,5", "", "02.01.2026"]
    formulas = FORMULAS + WHITESPACE_FORMULAS
    assert [csv_cell(text) for text in formulas] == ["'" + text for text in formulas]
    assert csv_cell("Markt 1 - Eingang") == "Markt 1 - Eingang"  # only the first character counts
    sheet = Workbook(write_only=True).create_sheet()
    assert all((xlsx_cell(sheet, text).data_type, xlsx_cell(sheet, text).quotePrefix) == ("s", True)
               for text in formulas)
    assert xlsx_cell(sheet, -2).data_type == "n" and xlsx_cell(sheet, None) is None
    assert not xlsx_cell(sheet, "Markt 1").quotePrefix
