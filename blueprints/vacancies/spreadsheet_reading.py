"""Read a town's spreadsheet of units: an uploaded CSV or XLSX as a table of trimmed strings.

Pure functions: no database, no request. ``read_table`` finds the encoding,
the delimiter and the header row, pads every row to the headers' width, and
refuses what cannot be read (old .xls, archives that unpack too large, too many
rows) with a message that says what to do.
"""
from __future__ import annotations

import codecs
import csv
import io
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal

from babel.numbers import format_decimal
from flask_babel import get_locale
from flask_babel import gettext as _
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

MAX_ROWS = 50_000
# Checked against the sizes the archive declares: Python's zipfile never inflates
# a member beyond its declared size, so the sum bounds what openpyxl can unpack.
MAX_UNPACKED_BYTES = 100_000_000
CSV_DELIMITERS = ";,\t"


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
            "aufteilen.", limit=local_number(max_unpacked_bytes // 1_000_000)))
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
                "höchstens %(limit)s Zeilen aufteilen.", limit=local_number(max_rows)))
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


def local_number(value) -> str:
    """A number as the reader's language writes it, for messages."""
    return format_decimal(value, locale=get_locale() or "de")
