"""Spreadsheet import and export of the vacancy register: pure functions, no app needed."""
import io
import time
import zipfile
from datetime import date, datetime
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook

from blueprints.vacancies.spreadsheets import (
    FIELDS,
    SpreadsheetError,
    Table,
    read_table,
    suggest_mapping,
    units_to_csv,
    units_to_geojson,
    units_to_xlsx,
    validate_rows,
)

DISTRICTS = {"Altstadt": 1, "Neustadt": 2}


def csv_file(*lines: str, encoding: str = "utf-8") -> bytes:
    return "\r\n".join(lines).encode(encoding)


def xlsx_file(*rows) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def zip_file(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def validate(table: Table, districts=DISTRICTS):
    return validate_rows(table, suggest_mapping(table.headers), districts=districts)


def error_of(data: bytes, filename: str, **limits) -> str:
    with pytest.raises(SpreadsheetError) as raised:
        read_table(data, filename, **limits)
    return raised.value.message


# --- Reading ------------------------------------------------------------------------------

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


# --- Mapping ------------------------------------------------------------------------------

def test_german_headers_are_mapped_to_fields():
    headers = ["Objekt-Nr.", "Straße", "PLZ", "Quartier", "Fläche in m²", "Miete €/Monat",
               "Leerstand seit", "EIGENTÜMERIN", "E-Mail", "Bemerkung", "Eigene Spalte",
               "ID", "Geschoss", "Barrierefrei?", "Schlagworte"]
    assert suggest_mapping(headers) == {
        "Objekt-Nr.": "reference", "Straße": "address", "PLZ": "postcode",
        "Quartier": "district", "Fläche in m²": "area_sqm", "Miete €/Monat": "rent_eur_month",
        "Leerstand seit": "vacant_since", "EIGENTÜMERIN": "owner_name", "E-Mail": "owner_email",
        "Bemerkung": "notes", "Eigene Spalte": None,
        "ID": None,  # the first column that names the reference has it
        "Geschoss": "floor", "Barrierefrei?": "step_free", "Schlagworte": "tags"}


def test_a_header_naming_the_field_exactly_wins_over_one_with_units():
    assert suggest_mapping(["Fläche in m²", "Flaeche"]) == {"Fläche in m²": None,
                                                            "Flaeche": "area_sqm"}


def test_every_field_label_maps_back_to_its_field():
    labels = [str(definition.label) for definition in FIELDS.values()]
    assert list(suggest_mapping(labels).values()) == list(FIELDS)


def test_a_mapping_without_the_address_or_with_unknown_fields_is_refused():
    table = Table(["Nr", "Straße"], [["1", "Markt 1"]], [2])
    with pytest.raises(SpreadsheetError, match="Bitte eine Spalte der Adresse zuordnen."):
        validate_rows(table, {"Nr": "reference", "Straße": None}, districts={})
    with pytest.raises(SpreadsheetError, match="Unbekanntes Feld „owner_id“"):
        validate_rows(table, {"Nr": "owner_id", "Straße": "address"}, districts={})
    with pytest.raises(SpreadsheetError, match="Spalte „Ort“ gibt es in der Datei nicht"):
        validate_rows(table, {"Ort": "postcode", "Straße": "address"}, districts={})
    with pytest.raises(SpreadsheetError, match="„Nr“ und „Straße“ sind beide „Adresse“"):
        validate_rows(table, {"Nr": "address", "Straße": "address"}, districts={})


# --- Validating ---------------------------------------------------------------------------

def test_each_problem_names_row_column_and_what_is_wrong():
    table = read_table(csv_file("Nr;Adresse;Fläche;Stadtteil;verfügbar ab;Status",
                                "1;Markt 1;abc;Altstadt;;leer",
                                "2;;45;Altstadt;;leer",
                                "3;Markt 3;45;Oberdorf;31.02.2026;leer",
                                "1;Markt 4;-5;Altstadt;;weg",
                                "5;Markt 5;45 m²;ALTSTADT;1.3.2026;in Verhandlung"), "liste.csv")

    result = validate(table)

    assert [problem.as_dict() for problem in result.problems] == [
        {"row": 2, "column": "Fläche", "message": "„abc“ ist keine Zahl."},
        {"row": 3, "column": "Adresse", "message": "Die Adresse fehlt."},
        {"row": 4, "column": "Stadtteil",
         "message": "Stadtteil „Oberdorf“ gibt es nicht; vorhanden: Altstadt, Neustadt."},
        {"row": 4, "column": "verfügbar ab", "message": "„31.02.2026“ ist kein gültiges Datum."},
        {"row": 5, "column": "Fläche",
         "message": "„-5“: negative Zahlen sind hier nicht erlaubt."},
        {"row": 5, "column": "Status", "message": "„weg“ ist kein erlaubter Wert; erlaubt: "
                                                  "genutzt, leer, Zwischennutzung, "
                                                  "in Verhandlung, vermietet."},
        {"row": 5, "column": "Nr", "message": "Die Nummer „1“ steht schon in Zeile 2."},
    ]
    assert result.row_numbers == [6]
    assert result.records == [{"reference": "5", "address": "Markt 5",
                               "area_sqm": Decimal("45.00"), "district_id": 1,
                               "available_from": date(2026, 3, 1), "status": "negotiating"}]


@pytest.mark.parametrize(("text", "value"), [
    ("45", Decimal(45)), ("45,5", Decimal("45.5")), ("45.5", Decimal("45.5")),
    ("1.234,50", Decimal("1234.5")), ("1,234.50", Decimal("1234.5")), ("1.200", Decimal(1200)),
    ("€ 480,00", Decimal(480)), ("480 €", Decimal(480)), ("480,00 EUR", Decimal(480)),
    ("45 m²", Decimal(45)), ("1 234,5", Decimal("1234.5")), ("0,125", Decimal("0.13")),
])
def test_german_numbers_are_understood(text, value):
    table = Table(["Adresse", "Fläche"], [["Markt 1", text]], [2])
    assert validate(table).records[0]["area_sqm"] == value


@pytest.mark.parametrize(("text", "message"), [
    ("1,2,3", "„1,2,3“ ist keine Zahl."), ("ca. 40", "„ca. 40“ ist keine Zahl."),
    ("12345678", "„12345678“ ist zu groß (höchstens 9.999.999,99)."),
    ("9" * 40, "ist zu groß"),
])
def test_impossible_numbers_are_problems(text, message):
    table = Table(["Adresse", "Fläche"], [["Markt 1", text]], [2])
    assert message in validate(table).problems[0].message


@pytest.mark.parametrize(("column", "text", "value"), [
    ("Etage", "EG", 0), ("Etage", "UG", -1), ("Etage", "1. OG", 1), ("Etage", "OG 2", 2),
    ("Etage", "-1", -1), ("Etage", "3", 3),
    ("verfügbar ab", "31.12.2026", date(2026, 12, 31)),
    ("verfügbar ab", "31.12.26", date(2026, 12, 31)),
    ("verfügbar ab", "1.2.98", date(1998, 2, 1)),
    ("verfügbar ab", "2026-12-31", date(2026, 12, 31)),
    ("Barrierefrei", "x", True), ("Barrierefrei", "WAHR", True), ("Barrierefrei", "0", False),
    ("Barrierefrei", "No", False), ("Status", "Leerstand", "vacant"),
    ("Status", "belegt", "occupied"),
    ("Status", "ZWISCHENNUTZUNG", "interim"), ("Status", "let", "let"),
    ("Nutzung", "gastronomie", "gastronomy"), ("Zustand", "Rohbau", "shell"),
    ("Veröffentlichen", "ja", "exact"), ("Veröffentlichen", "nein", "no"),
    ("Veröffentlichen", "ungefähre Lage", "approximate"),
    ("Schlagworte", "Ecklage; Schaufenster, Ecklage", ["Ecklage", "Schaufenster"]),
    ("Breite", "-33,8688", -33.8688),
])
def test_german_cell_values_are_understood(column, text, value):
    table = Table(["Adresse", column], [["Markt 1", text]], [2])
    result = validate(table)
    assert result.problems == []
    assert list(result.records[0].values())[1] == value


@pytest.mark.parametrize(("field", "text", "message"), [
    ("floor", "Dachboden", "„Dachboden“ ist keine Etage"),
    ("available_from", "morgen", "„morgen“ ist kein Datum; bitte als TT.MM.JJJJ schreiben."),
    ("step_free", "vielleicht", "„vielleicht“ ist weder ja noch nein."),
    ("lat", "91", "„91“ liegt nicht zwischen -90 und 90."),
    ("lon", "181,5", "„181,5“ liegt nicht zwischen -180 und 180."),
    ("postcode", "12345-67890", "erlaubt sind höchstens 10."),
    ("owner_email", "kein-at.example.org", "„kein-at.example.org“ ist keine E-Mail-Adresse."),
    ("owner_name", "x" * 201, "Der Text ist 201 Zeichen lang; erlaubt sind höchstens 200."),
    ("frontage_m", "12345", "„12345“ ist zu groß (höchstens 9.999,99)."),
])
def test_unusable_cell_values_are_problems(field, text, message):
    table = Table(["Straße", "Angabe"], [["Markt 1", text]], [7])
    result = validate_rows(table, {"Straße": "address", "Angabe": field}, districts=DISTRICTS)
    [problem] = result.problems
    assert (problem.row, problem.column) == (7, "Angabe")
    assert message in problem.message
    assert result.records == []


def test_a_blank_cell_leaves_the_field_out():
    table = Table(["Adresse", "Fläche", "Barrierefrei"], [["Markt 1", "", ""]], [2])
    assert validate(table).records == [{"address": "Markt 1"}]


def test_twenty_thousand_rows_validate_quickly():
    lines = [("Nr;Adresse;PLZ;Stadtteil;Fläche;Miete;Etage;Status;verfügbar ab;Barrierefrei;"
              "Nutzung;Schlagworte;Notizen")]
    lines += [f"R-{number};Marktstraße {number};01067;Altstadt;{number % 500},5;1.200,00 €;EG;"
              f"leer;31.12.2026;ja;Einzelhandel;Ecklage, Altbau;Notiz {number}"
              for number in range(20_000)]
    table = read_table(csv_file(*lines), "gross.csv")
    mapping = suggest_mapping(table.headers)

    started = time.perf_counter()
    result = validate_rows(table, mapping, districts=DISTRICTS)
    elapsed = time.perf_counter() - started

    assert len(result.records) == 20_000 and result.problems == []
    assert elapsed < 5, f"validating 20,000 rows took {elapsed:.1f} s"


# --- Writing ------------------------------------------------------------------------------

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
