"""Spreadsheet files made in memory for the tests, and the check an import puts them through."""
from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import Workbook

from blueprints.vacancies.spreadsheet_checks import suggest_mapping, validate_rows
from blueprints.vacancies.spreadsheet_reading import SpreadsheetError, Table, read_table

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
