"""Check a town's spreadsheet of units: which column is which field, and every cell.

Pure functions: no database, no request. ``suggest_mapping`` guesses each
header's unit field, ``validate_rows`` parses every mapped cell the German way
and reports each problem with its row and column; the rows without problems
become typed records ready for the register.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache, partial

from flask_babel import gettext as _

from blueprints.vacancies.spreadsheet_fields import FIELDS, Field
from blueprints.vacancies.spreadsheet_reading import SpreadsheetError, Table, local_number
from blueprints.vacancies.spreadsheet_writing import FORMULA_STARTS

TAG_LENGTH = 50


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
                         value=_shown(text), maximum=local_number(maximum)))
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
