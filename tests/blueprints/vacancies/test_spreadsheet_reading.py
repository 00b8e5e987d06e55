"""Reading an uploaded CSV or XLSX into a table: pure functions, no app needed."""
from datetime import date, datetime
from decimal import Decimal

import pytest

from blueprints.vacancies.spreadsheet_reading import Table, read_table
from tests.blueprints.vacancies.spreadsheet_files import (csv_file, error_of, validate, xlsx_file,
                                                         zip_file)


def test_a_german_excel_csv_reads_with_umlauts_and_decimal_commas():
    data = csv_file("Nr;Straße;PLZ;Stadtteil;Fläche;Miete;Status;leer seit;Barrierefrei;Nutzung",
                    "1;Königstraße 5;1067;Altstadt;45,5;€ 480,00;Leerstand;31.12.26;ja;Büro",
                    ";;;;;;;;;",
                    "2;Große Gasse 12;01069;neustadt;1.234,50;1.200 €;vermietet;2026-12-31;nein;"
                    "Einzelhandel", encoding="cp1252")

    table = read_table(data, "Leerstand.csv")

    assert table.headers[:5] == ["Nr", "Straße", "PLZ", "Stadtteil", "Fläche"]
    assert table.rows[0][1] == "Königstraße 5"
    assert table.row_numbers == [2, 4]  # the empty row 3 is skipped, not renumbered
    result = validate(table)
    assert result.problems == []
    first, second = result.records
    assert first == {"reference": "1", "address": "Königstraße 5", "postcode": "01067",
                     "district_id": 1, "area_sqm": Decimal("45.50"),
                     "rent_eur_month": Decimal("480.00"), "status": "vacant",
                     "vacant_since": date(2026, 12, 31), "step_free": True, "usage": "office"}
    assert second["area_sqm"] == Decimal("1234.50")
    assert second["rent_eur_month"] == Decimal("1200.00")  # German thousands point
    assert second["district_id"] == 2 and second["status"] == "let"
    assert second["step_free"] is False and second["usage"] == "retail"
    assert result.row_numbers == [2, 4]


def test_a_utf8_csv_with_bom_and_commas_reads_with_decimal_points():
    data = b"\xef\xbb\xbf" + csv_file("Objektnummer,Adresse,Fläche,Breite,Länge",
                                      'A-1,"Markt 1, Hinterhaus",12.125,51.05089,13.73832')

    table = read_table(data, "export.csv")

    assert table.headers == ["Objektnummer", "Adresse", "Fläche", "Breite", "Länge"]
    record = validate(table).records[0]
    assert record["address"] == "Markt 1, Hinterhaus"
    assert record["area_sqm"] == Decimal("12.13")  # a decimal point here, rounded to cents
    assert (record["lat"], record["lon"]) == (51.05089, 13.73832)


def test_text_in_an_unknown_encoding_is_refused_with_the_way_out():
    undecodable = b"Nr;Adresse\r\n1;Stra\x81e\r\n"  # 0x81 is neither UTF-8 nor Windows-1252
    assert "CSV UTF-8" in error_of(undecodable, "alt.csv")
    assert "keine Textdatei" in error_of(b"\x00\x01\x02binary\x00", "bild.csv")


def test_excels_unicode_text_export_reads_too():
    data = "Adresse\tFläche\r\nMarktstraße 1\t45,5\r\n".encode("utf-16")
    table = read_table(data, "Unicode-Text.txt")
    assert table.headers == ["Adresse", "Fläche"]
    assert validate(table).records[0]["area_sqm"] == Decimal("45.50")


def test_an_xlsx_reads_numbers_without_float_noise_and_dates_as_iso():
    data = xlsx_file(["Nr", "Adresse", "Fläche", "Miete", "verfügbar ab", None],
                     [17, "Markt 1", 45.0, 0.1 + 0.2, datetime(2026, 12, 31), None],
                     [None, None, None, None, None, None],
                     ["A-2", "  Markt 2  ", 45.5, 1200, date(2027, 1, 2), None])

    table = read_table(data, "Leerstand.xlsx")

    assert table.headers == ["Nr", "Adresse", "Fläche", "Miete", "verfügbar ab"]
    assert table.rows == [["17", "Markt 1", "45", "0.3", "2026-12-31"],
                          ["A-2", "Markt 2", "45.5", "1200", "2027-01-02"]]
    assert table.row_numbers == [2, 4]
    records = validate(table).records
    assert records[1]["area_sqm"] == Decimal("45.50")
    assert records[1]["available_from"] == date(2027, 1, 2)


def test_text_cells_in_a_workbook_may_hold_german_numbers():
    data = xlsx_file(["Adresse", "Fläche", "Miete", "Breite"],
                     ["Markt 1", "45,5 m²", "1.234,50 €", "51,05"])
    record = validate(read_table(data, "getippt.xlsx")).records[0]
    assert (record["area_sqm"], record["rent_eur_month"]) == (Decimal("45.50"), Decimal("1234.50"))
    assert record["lat"] == 51.05


def test_an_unknown_district_lists_the_towns_districts():
    table = Table(["Adresse", "Stadtteil"], [["Markt 1", "Oberdorf"]], [2])
    [problem] = validate(table, districts={}).problems
    assert problem.message == "Stadtteil „Oberdorf“ gibt es nicht; vorhanden: keine."
    many = {f"Viertel {number:02d}": number for number in range(20)}
    [problem] = validate(table, districts=many).problems
    assert problem.message.endswith("Viertel 10, Viertel 11 und 8 weitere.")


def test_blank_and_repeated_headers_still_name_their_column():
    table = read_table(csv_file("Adresse;;Notiz;Notiz", "Markt 1;x;a;b"), "liste.csv")
    assert table.headers == ["Adresse", "Spalte B", "Notiz", "Notiz (2)"]


@pytest.mark.parametrize(("data", "filename", "message"), [
    (b"\x8f\x13 not a workbook at all", "Leerstand.xlsx", "keine gültige XLSX-Datei"),
    (zip_file({"readme.txt": b"hello"}), "Leerstand.xlsx", "keine gültige XLSX-Datei"),
    (zip_file({"[Content_Types].xml": b"<broken"}), "Leerstand.xlsx", "keine gültige XLSX"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500, "Leerstand.xls", "alten Excel-Format"),
    (b"%PDF-1.7", "Leerstand.pdf", "Unbekanntes Dateiformat: bitte .csv oder .xlsx hochladen."),
    (b"", "Leerstand.csv", "Die Datei ist leer."),
    (b"\r\n;;\r\n", "Leerstand.csv", "Die Datei ist leer."),
    (b"Adresse;Fl\xc3\xa4che\r\n", "Leerstand.csv", "nur die Kopfzeile"),
])
def test_unusable_files_are_refused_with_what_to_do(data, filename, message):
    assert message in error_of(data, filename)


def test_a_renamed_workbook_is_read_as_a_workbook():
    table = read_table(xlsx_file(["Adresse"], ["Markt 1"]), "Leerstand.csv")
    assert table.rows == [["Markt 1"]]


def test_a_workbook_that_unpacks_too_large_is_refused():
    bomb = zip_file({"[Content_Types].xml": b"<Types/>", "xl/zeros.xml": b"\0" * 2_000_000})
    assert len(bomb) < 10_000
    assert "entpackt größer als 1 MB" in error_of(bomb, "klein.xlsx", max_unpacked_bytes=1_000_000)


def test_too_many_rows_are_refused_before_validation():
    lines = ["Adresse"] + [f"Markt {number}" for number in range(11)]
    assert "mehr als 10 Zeilen" in error_of(csv_file(*lines), "viel.csv", max_rows=10)
    assert len(read_table(csv_file(*lines[:11]), "genau.csv", max_rows=10).rows) == 10
    rows = [[line] for line in lines]
    assert "mehr als 10 Zeilen" in error_of(xlsx_file(*rows), "viel.xlsx", max_rows=10)
    default = error_of(csv_file("Adresse", *["x"] * 50_001), "riesig.csv")
    assert default.startswith("Die Datei hat mehr als 50.000 Zeilen.")
