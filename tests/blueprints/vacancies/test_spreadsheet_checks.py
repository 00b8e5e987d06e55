"""Mapping a spreadsheet's columns and checking every cell: pure functions, no app needed."""
import time
from datetime import date
from decimal import Decimal

import pytest

from blueprints.vacancies.spreadsheet_checks import suggest_mapping, validate_rows
from blueprints.vacancies.spreadsheet_fields import FIELDS
from blueprints.vacancies.spreadsheet_reading import SpreadsheetError, Table, read_table
from tests.blueprints.vacancies.spreadsheet_files import DISTRICTS, csv_file, validate


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
