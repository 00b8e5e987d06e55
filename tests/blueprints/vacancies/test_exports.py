"""The register's downloads as staff get them: no cell runs as a formula, one charset."""
from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

from tests.conftest import unique

FORMULA_TEXTS = {"address": '=HYPERLINK("http://evil.example","x")', "notes": "+1",
                 "description": "-2+3", "restrictions": "@SUM(A1)"}
LABELS = {"reference": "Objektnummer", "address": "Adresse", "notes": "Notizen (intern)",
          "description": "Beschreibung (öffentlich)", "restrictions": "Einschränkungen",
          "floor": "Etage", "lon": "Längengrad"}


def formula_unit(create_unit, town) -> str:
    reference = unique("F")
    create_unit(town, reference=reference, floor=-1, lat=50.7, lon=-0.5, **FORMULA_TEXTS)
    return reference


def test_the_csv_download_keeps_formulas_as_text_and_names_its_charset_once(client, towns, login_as,
                                                                             create_unit):
    reference = formula_unit(create_unit, towns.a)
    login_as("manager", towns.a)

    response = client.get(f"/{towns.a.slug}/verwaltung/leerstand/export.csv")

    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    header, *rows = csv.reader(io.StringIO(response.data.decode("utf-8-sig"), newline=""),
                               delimiter=";")
    [row] = [dict(zip(header, row, strict=True)) for row in rows if reference in row]
    for name, text in FORMULA_TEXTS.items():
        assert row[LABELS[name]] == "'" + text
    assert (row[LABELS["floor"]], row[LABELS["lon"]]) == ("-1", "-0,5")  # numbers stay numbers


def test_the_xlsx_download_writes_formulas_as_string_cells(client, towns, login_as, create_unit):
    reference = formula_unit(create_unit, towns.a)
    login_as("manager", towns.a)

    response = client.get(f"/{towns.a.slug}/verwaltung/leerstand/export.xlsx")

    assert response.headers["Content-Type"] == \
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(response.data)).active
    header = [cell.value for cell in sheet[1]]
    [row] = [dict(zip(header, cells, strict=True)) for cells in sheet.iter_rows(min_row=2)
             if cells[0].value == reference]
    for name, text in FORMULA_TEXTS.items():
        cell = row[LABELS[name]]
        assert (cell.value, cell.data_type) == (text, "s")  # never "f"
    assert (row[LABELS["floor"]].value, row[LABELS["floor"]].data_type) == (-1, "n")
    assert (row[LABELS["lon"]].value, row[LABELS["lon"]].data_type) == (-0.5, "n")
