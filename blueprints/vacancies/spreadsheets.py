"""Read a town's spreadsheet of units, check it row by row, and write the register back out.

Pure functions: no database, no request. ``read_table`` turns an uploaded CSV or
XLSX into trimmed strings, ``suggest_mapping`` guesses which column is which
unit field, ``validate_rows`` parses every cell the German way and reports each
problem with its row and column, and ``units_to_csv`` / ``units_to_xlsx`` /
``units_to_geojson`` export rows in a form the import reads back unchanged.
"""
from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache, partial

from babel.numbers import format_decimal
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from blueprints.actors.models import Actor
from blueprints.vacancies.models import CONDITIONS, PUBLISH, STATUSES, USAGES, Unit

MAX_ROWS = 50_000
# Checked against the sizes the archive declares: Python's zipfile never inflates
# a member beyond its declared size, so the sum bounds what openpyxl can unpack.
MAX_UNPACKED_BYTES = 100_000_000
LONG_TEXT = 10_000  # for Text columns, which have no length of their own
TAG_LENGTH = 50
CSV_DELIMITERS = ";,\t"
# A cell starting with one of these is a formula to Excel (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class SpreadsheetError(Exception):
    """The file or the mapping cannot be used at all; the message says what to do."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class Table:
    """A sheet as trimmed strings: one header per column, every row as wide as the headers."""

    headers: list[str]
    rows: list[list[str]]
    row_numbers: list[int]  # the row each entry of ``rows`` has in the spreadsheet (header = 1)
    # What a lone "," or "." is: German CSV writes "1.200" for 1200 (","), comma-separated
    # CSV "1,200" (".") — while in XLSX numbers come as 1200 and 1.25 and a comma in a
    # text cell is German, so there a lone mark is always the decimal mark (None).
    decimal_separator: str | None = ","


@dataclass(frozen=True)
class Problem:
    """Why one cell (or row) cannot be imported."""

    row: int
    column: str
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class Validation:
    """The rows that can be imported, typed, and the problems of the others."""

    records: list[dict] = field(default_factory=list)
    row_numbers: list[int] = field(default_factory=list)  # the spreadsheet row of each record
    problems: list[Problem] = field(default_factory=list)


@dataclass(frozen=True)
class Field:
    """A unit field a column can be mapped to."""

    name: str
    label: LazyString  # str() gives it in the current language
    kind: str  # text, postcode, email, decimal, coordinate, floor, boolean, date, choice, …
    aliases: tuple[str, ...] = ()
    max_length: int = LONG_TEXT
    precision: int = 0  # decimal: total digits …
    scale: int = 0  # … of which after the decimal mark
    bound: int = 0  # coordinate: allowed from -bound to bound
    choices: dict | None = None
    synonyms: dict | None = None


def _length(model, column: str) -> int:
    return model.__table__.c[column].type.length or LONG_TEXT


def _text(name, label, *aliases, model=Unit, column=None) -> Field:
    return Field(name, label, "text", aliases, max_length=_length(model, column or name))


def _decimal(name, label, *aliases) -> Field:
    column_type = Unit.__table__.c[name].type
    return Field(name, label, "decimal", aliases, precision=column_type.precision,
                 scale=column_type.scale)


def _choice(name, label, choices, synonyms, *aliases) -> Field:
    return Field(name, label, "choice", aliases, choices=choices, synonyms=synonyms)


STATUS_SYNONYMS = {"leer": "vacant", "leerstand": "vacant", "leerstehend": "vacant",
                   "vermietet": "let", "genutzt": "occupied", "belegt": "occupied",
                   "zwischennutzung": "interim", "in verhandlung": "negotiating",
                   "verhandlung": "negotiating", "reserviert": "negotiating"}
USAGE_SYNONYMS = {"einzelhandel": "retail", "handel": "retail", "laden": "retail",
                  "gastronomie": "gastronomy", "gastro": "gastronomy",
                  "dienstleistung": "services", "dienstleistungen": "services",
                  "büro": "office", "kultur": "culture", "sonstiges": "other", "sonstige": "other"}
CONDITION_SYNONYMS = {"bezugsfertig": "ready", "kleinere arbeiten nötig": "light_work",
                      "renovierungsbedürftig": "renovation", "rohbau": "shell"}
PUBLISH_SYNONYMS = {"ja": "exact", "genau": "exact", "mit genauer adresse": "exact",
                    "nein": "no", "nicht veröffentlichen": "no", "ungefähr": "approximate",
                    "ungefähre lage": "approximate", "nur ungefähre lage": "approximate"}

FIELDS: dict[str, Field] = {definition.name: definition for definition in (
    _text("reference", _l("Objektnummer"), "Nr", "Nummer", "Objektnummer", "Objekt-Nr", "ID",
          "Referenz"),
    _text("address", _l("Adresse"), "Adresse", "Straße", "Straße und Hausnummer", "Anschrift"),
    Field("postcode", _l("PLZ"), "postcode", ("PLZ", "Postleitzahl"),
          max_length=_length(Unit, "postcode")),
    Field("district", _l("Stadtteil"), "district", ("Stadtteil", "Quartier", "Ortsteil")),
    Field("lat", _l("Breitengrad"), "coordinate", ("Breite", "Lat", "Latitude", "Breitengrad"),
          bound=90),
    Field("lon", _l("Längengrad"), "coordinate",
          ("Länge", "Lon", "Lng", "Longitude", "Längengrad"), bound=180),
    _decimal("area_sqm", _l("Fläche (m²)"), "Fläche", "Fläche m²", "Gesamtfläche"),
    _decimal("sales_area_sqm", _l("Verkaufsfläche (m²)"), "Verkaufsfläche"),
    _decimal("secondary_area_sqm", _l("Nebenfläche (m²)"), "Nebenfläche"),
    _decimal("frontage_m", _l("Schaufensterfront (m)"), "Schaufenster", "Schaufensterfront"),
    Field("floor", _l("Etage"), "floor", ("Etage", "Geschoss", "Stockwerk")),
    _choice("usage", _l("Nutzung"), USAGES, USAGE_SYNONYMS, "Nutzung", "Nutzungsart", "Branche"),
    _choice("condition", _l("Zustand"), CONDITIONS, CONDITION_SYNONYMS, "Zustand"),
    Field("step_free", _l("Barrierefrei"), "boolean", ("Barrierefrei", "stufenlos")),
    _text("restrictions", _l("Einschränkungen"), "Einschränkungen"),
    _decimal("rent_eur_month", _l("Kaltmiete (€/Monat)"), "Miete", "Kaltmiete", "Miete €/Monat"),
    _decimal("service_charge_eur_month", _l("Nebenkosten (€/Monat)"), "Nebenkosten"),
    Field("available_from", _l("Verfügbar ab"), "date", ("verfügbar ab", "frei ab")),
    _choice("status", _l("Status"), STATUSES, STATUS_SYNONYMS, "Status"),
    Field("vacant_since", _l("Leer seit"), "date", ("leer seit", "Leerstand seit")),
    _text("owner_name", _l("Eigentümer:in"), "Eigentümer", "Eigentümerin", "Eigentümer:in",
          model=Actor, column="name"),
    Field("owner_email", _l("E-Mail Eigentümer:in"), "email",
          ("E-Mail", "Email", "E-Mail Eigentümer"), max_length=_length(Actor, "email")),
    _text("owner_phone", _l("Telefon Eigentümer:in"), "Telefon", "Tel", "Telefon Eigentümer",
          model=Actor, column="phone"),
    _choice("publish", _l("Veröffentlichen"), PUBLISH, PUBLISH_SYNONYMS, "Veröffentlichen",
            "Veröffentlichung"),
    Field("interim_use_consent", _l("Zwischennutzung möglich"), "boolean",
          ("Zwischennutzung", "Zwischennutzung erlaubt")),
    Field("tags", _l("Schlagworte"), "tags", ("Schlagworte", "Schlagwörter", "Tags")),
    _text("notes", _l("Notizen (intern)"), "Notizen", "Notiz", "Bemerkung", "Bemerkungen"),
    _text("description", _l("Beschreibung (öffentlich)"), "Beschreibung", "Exposé"),
)}


# --- Reading -------------------------------------------------------------------------------

def read_table(data: bytes, filename: str, *, max_rows: int = MAX_ROWS,
               max_unpacked_bytes: int = MAX_UNPACKED_BYTES) -> Table:
    """Read the first sheet of an uploaded ``.csv`` or ``.xlsx`` as trimmed strings."""
    if not data.strip():
        raise SpreadsheetError(_("Die Datei ist leer."))
    extension = filename.rpartition(".")[2].lower() if "." in filename else ""
    if data.startswith(b"\xd0\xcf\x11\xe0") and extension in ("xls", "xlsx", "xlsm", "csv"):
        raise SpreadsheetError(_("Die Datei ist im alten Excel-Format (.xls) oder verschlüsselt. "
                                 "Bitte ohne Kennwort als .xlsx oder .csv speichern."))
    # A renamed workbook is read as what it is.
    if extension in ("xlsx", "xlsm", "xls") or (extension in ("csv", "txt", "tsv")
                                                and data.startswith(b"PK\x03\x04")):
        return _read_xlsx(data, max_rows, max_unpacked_bytes)
    if extension in ("csv", "txt", "tsv"):
        return _read_csv(data, max_rows)
    raise SpreadsheetError(_("Unbekanntes Dateiformat: bitte .csv oder .xlsx hochladen."))


def _read_csv(data: bytes, max_rows: int) -> Table:
    text = _decode(data)
    if "\x00" in text:
        raise SpreadsheetError(_("Die Datei ist keine Textdatei. Bitte als .csv oder .xlsx "
                                 "hochladen."))
    delimiter = _sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        # Excel shows a quoted line break as one row, so records are counted, not lines.
        return _build_table(enumerate(reader, 1), max_rows, "," if delimiter != "," else ".")
    except csv.Error:
        raise SpreadsheetError(_("Die CSV-Datei ist in Zeile %(row)d fehlerhaft. Bitte in Excel "
                                 "öffnen und erneut als .csv speichern.",
                                 row=reader.line_num)) from None


def _decode(data: bytes) -> str:
    """Text from UTF-8 (with or without BOM), UTF-16 with BOM, or else Windows-1252."""
    try:
        if data.startswith(codecs.BOM_UTF8):
            return data.decode("utf-8-sig")
        if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return data.decode("utf-16")  # Excel's "Unicode-Text"
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            return data.decode("cp1252")  # what German Excel calls plain "CSV"
    except UnicodeDecodeError:
        raise SpreadsheetError(_(
            "Die Zeichenkodierung der Datei ist unbekannt. Bitte in Excel als „CSV UTF-8 "
            "(durch Trennzeichen getrennt)“ speichern.")) from None


def _sniff_delimiter(text: str) -> str:
    sample = text[:32_768]
    if len(text) > len(sample):
        sample = sample[:sample.rfind("\n") + 1] or sample  # a cut line would look inconsistent
    first_line = sample.lstrip("\r\n").split("\n", 1)[0]
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=CSV_DELIMITERS).delimiter
    except csv.Error:  # one column, or too irregular to tell
        delimiter = ""
    # The sniffer prefers "," when counts tie, as with one decimal comma per German row;
    # headers hardly ever contain a delimiter, so the header line breaks the tie.
    if not delimiter or delimiter not in first_line:
        delimiter = max(CSV_DELIMITERS, key=first_line.count)
    return delimiter


def _read_xlsx(data: bytes, max_rows: int, max_unpacked_bytes: int) -> Table:
    not_xlsx = SpreadsheetError(_("Die Datei ist keine gültige XLSX-Datei. Bitte als .xlsx oder "
                                  ".csv speichern."))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
            is_workbook = "[Content_Types].xml" in archive.namelist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError):
        raise not_xlsx from None
    if unpacked > max_unpacked_bytes:
        raise SpreadsheetError(_(
            "Die Datei ist entpackt größer als %(limit)s MB. Bitte in mehrere Dateien "
            "aufteilen.", limit=_number(max_unpacked_bytes // 1_000_000)))
    if not is_workbook:
        raise not_xlsx
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 — a broken part raises anything (KeyError, XML errors, …)
        raise not_xlsx from None
    try:
        if not workbook.worksheets:
            raise SpreadsheetError(_("Die Datei ist leer."))
        sheet = workbook.worksheets[0]
        # The stored size can claim 16,384 columns; rows are then padded to it.
        sheet.reset_dimensions()
        rows = sheet.iter_rows(values_only=True)
        cells = (list(map(_cell_text, values)) for values in rows)
        return _build_table(enumerate(cells, 1), max_rows, None)
    except SpreadsheetError:
        raise
    except Exception:  # noqa: BLE001 — the sheet is parsed lazily: a broken one fails here
        raise not_xlsx from None
    finally:
        workbook.close()


def _cell_text(value) -> str:
    """A cell value as the text a person reads: 45 not 45.0, dates as YYYY-MM-DD."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        # 15 significant digits, as Excel shows them: 0.1 + 0.2 reads "0.3".
        return format(Decimal(f"{value:.15g}"), "f")
    if isinstance(value, datetime):
        if value.time() == time():
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.strftime("%H:%M")
    return str(value).strip()


def _build_table(numbered_rows, max_rows: int, decimal_separator: str | None) -> Table:
    """The first non-empty row as headers, the following non-empty rows as data."""
    header = None
    rows, row_numbers = [], []
    for number, cells in numbered_rows:
        cells = [cell.strip() for cell in cells]
        if not any(cells):
            continue
        if header is None:
            header = cells
            continue
        if len(rows) >= max_rows:
            raise SpreadsheetError(_(
                "Die Datei hat mehr als %(limit)s Zeilen. Bitte in mehrere Dateien mit "
                "höchstens %(limit)s Zeilen aufteilen.", limit=_number(max_rows)))
        rows.append(cells)
        row_numbers.append(number)
    if header is None:
        raise SpreadsheetError(_("Die Datei ist leer."))
    if not rows:
        raise SpreadsheetError(_("Die Datei enthält nur die Kopfzeile, aber keine Daten."))
    width = max(_used_width(cells) for cells in [header, *rows])
    padding = [""] * width
    rows = [(cells + padding)[:width] for cells in rows]
    return Table(_unique_headers(header, width), rows, row_numbers, decimal_separator)


def _used_width(cells: list[str]) -> int:
    for index in range(len(cells), 0, -1):
        if cells[index - 1]:
            return index
    return 0


def _unique_headers(header: list[str], width: int) -> list[str]:
    """Headers a mapping can name: blank ones get their column letter, repeats a number."""
    headers, seen = [], set()
    for index in range(width):
        name = header[index] if index < len(header) and header[index] else ""
        name = name or _("Spalte %(letter)s", letter=get_column_letter(index + 1))
        unique, count = name, 1
        while unique in seen:
            count += 1
            unique = f"{name} ({count})"
        seen.add(unique)
        headers.append(unique)
    return headers


# --- Mapping -------------------------------------------------------------------------------

_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
_WORD_SEPARATORS = re.compile(r"[^a-z0-9]+")
_BRACKETS = re.compile(r"\(.*?\)|\[.*?\]")
# Units in a header say nothing about the field: "Fläche in m²" is "Fläche".
_UNIT_WORDS = frozenset({"in", "m", "m2", "qm", "eur", "euro", "monat", "monatlich", "pro", "je"})


def _words(text: str) -> list[str]:
    folded = unicodedata.normalize("NFKC", text).casefold().translate(_UMLAUTS)
    return _WORD_SEPARATORS.split(unicodedata.normalize("NFKD", folded))


def _key(text: str) -> str:
    """``text`` compared without case, spacing, punctuation or umlaut spelling."""
    return "".join(_words(text))


def _core_key(text: str) -> str:
    return "".join(word for word in _words(_BRACKETS.sub(" ", text)) if word not in _UNIT_WORDS)


def suggest_mapping(headers: list[str]) -> dict[str, str | None]:
    """Guess each header's unit field, each field for one column.

    A header naming a field exactly wins over one that needs its units or
    brackets dropped ("Fläche" over "Fläche in m²"); otherwise the first column wins.
    """
    mapping: dict[str, str | None] = dict.fromkeys(headers)
    used: set[str] = set()
    for make_key in (_key, _core_key):
        index: dict[str, str] = {}
        for definition in FIELDS.values():
            for name in (definition.name, str(definition.label), *definition.aliases):
                if key := make_key(name):
                    index.setdefault(key, definition.name)
        for header in headers:
            name = index.get(make_key(header))
            if mapping[header] is None and name and name not in used:
                mapping[header] = name
                used.add(name)
    return mapping


# --- Validating ----------------------------------------------------------------------------

class _Invalid(ValueError):
    """A cell's value cannot be used; ``message`` says why."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def validate_rows(table: Table, mapping: dict[str, str | None], *,
                  districts: dict[str, int]) -> Validation:
    """Parse every mapped cell; rows without problems become typed records.

    A blank cell leaves its field out of the record, so an import keeps what the
    unit has. The district comes back as ``district_id``; ``districts`` maps the
    town's district names (any case) to their ids.
    """
    columns = _mapped_columns(table, mapping)
    parsers = [(index, header, "district_id" if name == "district" else name,
                _parser(FIELDS[name], table, districts)) for index, header, name in columns]
    address = next((index, header) for index, header, name in columns if name == "address")
    reference = next(((index, header) for index, header, name in columns
                      if name == "reference"), None)
    first_rows: dict[str, int] = {}
    result = Validation()
    for number, cells in zip(table.row_numbers, table.rows, strict=True):
        record, problems = {}, []
        for index, header, key, parse in parsers:
            text = cells[index]
            if not text:
                continue
            if text[0] == "'" and text[1:2] in FORMULA_STARTS:
                text = text[1:]  # the apostrophe our export puts before formula-like text
            try:
                record[key] = parse(text)
            except _Invalid as invalid:
                problems.append(Problem(number, header, invalid.message))
        if not cells[address[0]]:
            problems.append(Problem(number, address[1], _("Die Adresse fehlt.")))
        if reference and cells[reference[0]]:
            value = cells[reference[0]]
            if value in first_rows:
                problems.append(Problem(number, reference[1], _(
                    "Die Nummer „%(value)s“ steht schon in Zeile %(row)d.",
                    value=_shown(value), row=first_rows[value])))
            else:
                first_rows[value] = number
        if problems:
            result.problems.extend(problems)
        else:
            result.records.append(record)
            result.row_numbers.append(number)
    return result


def _mapped_columns(table: Table, mapping: dict[str, str | None]) -> list[tuple[int, str, str]]:
    """``(column index, header, field name)`` per mapped column, or a SpreadsheetError."""
    positions = {header: index for index, header in enumerate(table.headers)}
    columns, header_of = [], {}
    for header, name in mapping.items():
        if not name:
            continue
        if name not in FIELDS:
            raise SpreadsheetError(_("Unbekanntes Feld „%(field)s“ in der Zuordnung.", field=name))
        if header not in positions:
            raise SpreadsheetError(_("Die Spalte „%(column)s“ gibt es in der Datei nicht.",
                                     column=header))
        if name in header_of:
            raise SpreadsheetError(_(
                "Die Spalten „%(first)s“ und „%(second)s“ sind beide „%(field)s“ zugeordnet. "
                "Bitte nur eine wählen.", first=header_of[name], second=header,
                field=FIELDS[name].label))
        header_of[name] = header
        columns.append((positions[header], header, name))
    if "address" not in header_of:
        raise SpreadsheetError(_("Bitte eine Spalte der Adresse zuordnen."))
    return columns


def _parser(definition: Field, table: Table, districts: dict[str, int]):
    """A function from a cell's text to the field's value, raising ``_Invalid``."""
    kind = definition.kind
    if kind == "text":
        return partial(_parse_text, max_length=definition.max_length)
    if kind == "postcode":
        return partial(_parse_postcode, max_length=definition.max_length)
    if kind == "email":
        return partial(_parse_email, max_length=definition.max_length)
    if kind == "decimal":
        return partial(_parse_amount, decimal_separator=table.decimal_separator,
                       precision=definition.precision, scale=definition.scale)
    if kind == "coordinate":
        return partial(_parse_coordinate, bound=definition.bound)
    if kind == "choice":
        return partial(_parse_choice, lookup=_choice_lookup(definition),
                       allowed=", ".join(str(label) for label in definition.choices.values()))
    if kind == "district":
        return partial(_parse_district, ids={name.lower(): district_id
                            for name, district_id in districts.items()},
                       names=_listed(sorted(districts, key=str.lower)))
    return {"floor": _parse_floor, "boolean": _parse_boolean, "date": _parse_date,
            "tags": _parse_tags}[kind]


def _listed(names: list[str], limit: int = 12) -> str:
    """Names for a message; a long list is cut, the rest is counted."""
    if not names:
        return _("keine")
    if len(names) <= limit:
        return ", ".join(names)
    return _("%(names)s und %(count)d weitere", names=", ".join(names[:limit]),
             count=len(names) - limit)


def _shown(text: str) -> str:
    """A cell value short enough to quote in a message."""
    return text if len(text) <= 60 else text[:59] + "…"


def _number(value) -> str:
    return format_decimal(value, locale=get_locale() or "de")


def _parse_text(text: str, max_length: int) -> str:
    if len(text) > max_length:
        raise _Invalid(_("Der Text ist %(length)d Zeichen lang; erlaubt sind höchstens "
                         "%(maximum)d.", length=len(text), maximum=max_length))
    return text


_FOUR_DIGITS = re.compile(r"\d{4}")


def _parse_postcode(text: str, max_length: int) -> str:
    # Excel stores 01067 as the number 1067; German postcodes have five digits.
    if _FOUR_DIGITS.fullmatch(text):
        return "0" + text
    return _parse_text(text, max_length)


_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def _parse_email(text: str, max_length: int) -> str:
    if not _EMAIL.fullmatch(_parse_text(text, max_length)):
        raise _Invalid(_("„%(value)s“ ist keine E-Mail-Adresse.", value=_shown(text)))
    return text


_SPACES = re.compile(r"[\s\u00a0\u202f']+")  # also the apostrophe of Swiss thousands
_NUMBER = re.compile(r"(?P<sign>[-−]?)(?:€|eur)?(?P<digits>[\d.,]+)"
                     r"(?:€|eur|euro|m²|m2|qm|m)?")


def _parse_number(text: str, decimal_separator: str | None, negative: bool) -> Decimal:
    """``45,5``, ``1.234,50``, ``€ 480,00``, ``45 m²``, ``45.5`` as a Decimal.

    With ``decimal_separator`` None a lone "," or "." is always the decimal mark.
    """
    match = len(text) <= 60 and _NUMBER.fullmatch(_SPACES.sub("", text).lower())
    if not match:
        raise _Invalid(_("„%(value)s“ ist keine Zahl.", value=_shown(text)))
    if match["sign"] and not negative:
        raise _Invalid(_("„%(value)s“: negative Zahlen sind hier nicht erlaubt.",
                         value=_shown(text)))
    digits = match["digits"]
    decimal_mark, group_mark = _marks(digits, decimal_separator)
    if not _number_pattern(decimal_mark, group_mark).fullmatch(digits):
        raise _Invalid(_("„%(value)s“ ist keine Zahl.", value=_shown(text)))
    if group_mark:
        digits = digits.replace(group_mark, "")
    if decimal_mark:
        digits = digits.replace(decimal_mark, ".")
    value = Decimal(digits)
    return -value if match["sign"] else value


def _marks(digits: str, decimal_separator: str | None) -> tuple[str | None, str | None]:
    """Which of "," and "." is the decimal mark and which groups thousands."""
    marks = [mark for mark in ".," if mark in digits]
    if not marks:
        return None, None
    if len(marks) == 2:  # the last one is the decimal mark: 1.234,50 or 1,234.50
        decimal_mark = max(marks, key=digits.rfind)
        return decimal_mark, "," if decimal_mark == "." else "."
    mark = marks[0]
    if (decimal_separator and mark != decimal_separator
            and _number_pattern(None, mark).fullmatch(digits)):
        return None, mark  # German 1.200 is twelve hundred
    if digits.count(mark) == 1:
        return mark, None
    return None, mark


@lru_cache
def _number_pattern(decimal_mark: str | None, group_mark: str | None) -> re.Pattern:
    whole = rf"\d{{1,3}}(?:{re.escape(group_mark)}\d{{3}})*" if group_mark else r"\d+"
    fraction = rf"(?:{re.escape(decimal_mark)}\d+)?" if decimal_mark else ""
    return re.compile(whole + fraction)


def _parse_amount(text: str, decimal_separator: str, precision: int, scale: int) -> Decimal:
    value = _parse_number(text, decimal_separator, negative=False)
    step = Decimal(1).scaleb(-scale)
    maximum = Decimal(10) ** (precision - scale) - step
    # Compared before rounding too: quantize fails on more digits than Decimal's precision.
    if value > maximum or (value := value.quantize(step, rounding=ROUND_HALF_UP)) > maximum:
        raise _Invalid(_("„%(value)s“ ist zu groß (höchstens %(maximum)s).",
                         value=_shown(text), maximum=_number(maximum)))
    return value


def _parse_coordinate(text: str, bound: int) -> float:
    value = _parse_number(text, None, negative=True)
    if not -bound <= value <= bound:
        raise _Invalid(_("„%(value)s“ liegt nicht zwischen -%(bound)d und %(bound)d.",
                         value=_shown(text), bound=bound))
    return float(value)


_FLOOR_NAMES = {"EG": 0, "ERDGESCHOSS": 0, "PARTERRE": 0, "UG": -1, "UNTERGESCHOSS": -1,
                "KG": -1, "KELLER": -1, "SOUTERRAIN": -1, "OG": 1, "OBERGESCHOSS": 1}
_FLOOR = re.compile(r"(?P<before>\d+)\.?(?P<name>OG|OBERGESCHOSS|UG|UNTERGESCHOSS)"
                    r"|(?P<name2>OG|UG)(?P<after>\d+)|(?P<number>[-−]?\d+)")


def _parse_floor(text: str) -> int:
    compact = _SPACES.sub("", text).upper()
    if compact in _FLOOR_NAMES:
        return _FLOOR_NAMES[compact]
    match = _FLOOR.fullmatch(compact) if len(compact) < 20 else None
    if match and match["number"]:
        floor = int(match["number"].replace("−", "-"))
    elif match:
        storeys = int(match["before"] or match["after"])
        floor = -storeys if (match["name"] or match["name2"]).startswith("U") else storeys
    if not match or abs(floor) > 200:
        raise _Invalid(_("„%(value)s“ ist keine Etage; bitte eine Zahl (0 = Erdgeschoss) oder "
                         "EG, UG, 1. OG schreiben.", value=_shown(text)))
    return floor


_BOOLEANS = {"ja": True, "j": True, "x": True, "1": True, "true": True, "yes": True,
             "y": True, "wahr": True, "nein": False, "n": False, "0": False, "false": False,
             "no": False, "falsch": False}


def _parse_boolean(text: str) -> bool:
    value = _BOOLEANS.get(text.lower())
    if value is None:
        raise _Invalid(_("„%(value)s“ ist weder ja noch nein.", value=_shown(text)))
    return value


_TIME = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"  # a time after the date is ignored
_GERMAN_DATE = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4}|\d{2})" + _TIME)
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})" + _TIME)


def _parse_date(text: str) -> date:
    if match := _GERMAN_DATE.fullmatch(text):
        day, month, year = map(int, match.groups())
        if len(match[3]) == 2:  # as strptime's %y: 69–99 are the 1900s
            year += 1900 if year >= 69 else 2000
    elif match := _ISO_DATE.fullmatch(text):
        year, month, day = map(int, match.groups())
    else:
        raise _Invalid(_("„%(value)s“ ist kein Datum; bitte als TT.MM.JJJJ schreiben.",
                         value=_shown(text)))
    try:
        if not 1900 <= year <= 2200:
            raise ValueError(year)
        return date(year, month, day)
    except ValueError:
        raise _Invalid(_("„%(value)s“ ist kein gültiges Datum.", value=_shown(text))) from None


def _choice_lookup(definition: Field) -> dict[str, str]:
    lookup = {}
    for key, label in definition.choices.items():
        lookup[_key(key)] = key
        lookup[_key(str(label))] = key  # the label in the current language
    for synonym, key in definition.synonyms.items():
        lookup.setdefault(_key(synonym), key)
    return lookup


def _parse_choice(text: str, lookup: dict[str, str], allowed: str) -> str:
    key = lookup.get(_key(text))
    if key is None:
        raise _Invalid(_("„%(value)s“ ist kein erlaubter Wert; erlaubt: %(allowed)s.",
                         value=_shown(text), allowed=allowed))
    return key


def _parse_district(text: str, ids: dict[str, int], names: str) -> int:
    district_id = ids.get(" ".join(text.split()).lower())
    if district_id is None:
        raise _Invalid(_("Stadtteil „%(value)s“ gibt es nicht; vorhanden: %(names)s.",
                         value=_shown(text), names=names))
    return district_id


_TAG_SEPARATORS = re.compile(r"[,;]")


def _parse_tags(text: str) -> list[str]:
    tags = []
    for tag in _TAG_SEPARATORS.split(text):
        tag = tag.strip()
        if len(tag) > TAG_LENGTH:
            raise _Invalid(_("Das Schlagwort „%(value)s“ ist länger als %(maximum)d Zeichen.",
                             value=_shown(tag), maximum=TAG_LENGTH))
        if tag and tag not in tags:
            tags.append(tag)
    return tags


# --- Writing -------------------------------------------------------------------------------

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
