"""Base models every API module builds on: bodies, queries, answers, errors, pages,
and the field types whose JSON Schema says exactly what the API accepts."""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated, Any
from urllib.parse import urlencode

from email_validator import EmailNotValidError, validate_email
from flask import request
from flask_babel import lazy_gettext as _l
from pydantic import (AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer,
                      WithJsonSchema)
from sqlalchemy import Select, func, select

from tenants.db import MAX_ID, db

DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 100
# Bounds the SQL OFFSET, so a silly page number is a 422, never a database overflow.
MAX_PAGE = 1_000_000


INVALID_EMAIL = _l("Bitte eine gültige E-Mail-Adresse angeben.")
NOT_A_DAY = _l("Bitte ein Datum im Format JJJJ-MM-TT angeben.")
NOT_A_NUMBER = _l("Bitte eine Zahl angeben.")
NUL_IN_TEXT = _l("Der Text enthält ein NUL-Zeichen (\\0); bitte ohne senden.")
BLANK_TEXT = _l("Darf nicht leer sein.")
TEXT_TOO_SHORT = _l("Mindestens %(count)s Zeichen, ohne Leerzeichen am Anfang und Ende.")
NOT_A_MOMENT = _l("Bitte Datum und Uhrzeit im Format JJJJ-MM-TTThh:mm angeben (Jahr %(first)s bis "
                  "%(last)s, Versatz wie +01:00 freiwillig).")


def _email(value: str) -> str:
    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError:
        raise ValueError(str(INVALID_EMAIL)) from None
    return value


# An address someone sends us (an application, a registration): checked, never looked up.
Email = Annotated[str, Field(min_length=1, max_length=320, json_schema_extra={"format": "email"},
                             description="Eine E-Mail-Adresse; Adressen unter reservierten Domains "
                                         "(.test, .example, .invalid, .local, localhost) werden "
                                         "abgelehnt."),
                  AfterValidator(_email)]

def _json_integer(value: Any) -> Any:
    # JSON Schema counts 4.0 as an integer, as JSON does not tell them apart; strict
    # pydantic would refuse it, so a body that keeps the documented schema is refused.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


# An integer of a JSON body: 4 and 4.0 alike (never "4" or true).
WholeNumber = BeforeValidator(_json_integer)

# A record's id in a body or a query: what the database can hold.
RecordId = Annotated[int, Field(ge=1, le=MAX_ID), WholeNumber]

# PostgreSQL text cannot hold NUL: the pattern says so, and what it refuses is a 422, not a 500.
_NO_NUL = r"[^\x00]"
_VISIBLE = r"[^\s\x00]"


def Text(max_length: int, *, at_least: int = 0) -> Any:
    """A text field of up to ``max_length`` characters, none of them NUL.

    ``at_least`` counts from the first to the last visible character, as the
    text is stored without surrounding spaces: 1 means "not empty or blank".
    The schema's pattern says the same as the check.
    """
    if at_least == 0:
        pattern = f"^{_NO_NUL}*$"
    elif at_least == 1:
        pattern = f"^{_NO_NUL}*{_VISIBLE}{_NO_NUL}*$"
    else:
        pattern = f"^{_NO_NUL}*{_VISIBLE}{_NO_NUL}{{{at_least - 2},}}{_VISIBLE}{_NO_NUL}*$"
    compiled = re.compile(pattern)

    def check(value: str) -> str:
        if compiled.match(value):
            return value
        if "\x00" in value:
            raise ValueError(str(NUL_IN_TEXT))
        if at_least == 1:
            raise ValueError(str(BLANK_TEXT))
        raise ValueError(str(TEXT_TOO_SHORT) % {"count": at_least})

    return Annotated[str, Field(max_length=max_length, json_schema_extra={"pattern": pattern},
                                **({"min_length": at_least} if at_least else {})),
                     AfterValidator(check)]


def _json_number(value: Any) -> Any:
    # A JSON number alone: no numeric text, and true is no 1.
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(str(NOT_A_NUMBER))
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)


def _cents(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def Amount(maximum: str) -> Any:
    """A JSON number from 0 to ``maximum`` (the column's largest), kept to the cent (rounded)."""
    return Annotated[Decimal, BeforeValidator(_json_number), Field(ge=0, le=Decimal(maximum)),
                     AfterValidator(_cents),
                     WithJsonSchema({"type": "number", "minimum": 0, "maximum": float(maximum)},
                                    mode="validation")]


Money = Amount("99999999.99")  # Numeric(10, 2)
Area = Amount("9999999.99")  # Numeric(9, 2)

# Money and areas are stored as Decimal; the API answers them as JSON numbers, as it takes them.
Number = Annotated[Decimal, PlainSerializer(float, return_type=float, when_used="json")]

# A time of day in the years 1900–2999 (events: converted between time zones, where year 1 or
# 9999 would overflow), written as ISO 8601 with "T"; seconds, fractions and the offset are
# optional. The pattern knows the length of each month and the leap years, so that every text
# it matches is a real moment and the schema says exactly what is taken.
FIRST_YEAR, LAST_YEAR = 1900, 2999
_YEAR = r"(?:19|2\d)\d\d"
_LEAP_YEAR = r"(?:(?:19|2\d)(?:0[48]|[2468][048]|[13579][26])|(?:20|24|28)00)"
_DAY = (rf"(?:{_YEAR}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12]\d|3[01])|(?:0[469]|11)-(?:0[1-9]|[12]\d|30)"
        rf"|02-(?:0[1-9]|1\d|2[0-8]))|{_LEAP_YEAR}-02-29)")
_TIME = r"(?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d{1,6})?)?"
_OFFSET = r"(?:Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)?"
MOMENT_PATTERN = f"^{_DAY}T{_TIME}{_OFFSET}$"
_MOMENT = re.compile(MOMENT_PATTERN)


def _moment(value: Any) -> Any:
    if not isinstance(value, str):
        return value  # the datetime type refuses it, with its own message
    if not _MOMENT.match(value):
        raise ValueError(str(NOT_A_MOMENT) % {"first": FIRST_YEAR, "last": LAST_YEAR})
    return datetime.fromisoformat(value)


Moment = Annotated[datetime, BeforeValidator(_moment),
                   WithJsonSchema({"type": "string", "pattern": MOMENT_PATTERN}, mode="validation")]
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _iso_day(value: Any) -> Any:
    # pydantic would read "0" or "1700000000" as a Unix time; a query's day is a written date alone.
    if not isinstance(value, str):
        return value
    if _ISO_DAY.match(value):
        try:
            return date.fromisoformat(value)
        except ValueError:  # e.g. 2027-02-30
            pass
    raise ValueError(str(NOT_A_DAY))


# A day in a query string (``?from=2027-03-01``).
Day = Annotated[date, BeforeValidator(_iso_day)]


class RequestBody(BaseModel):
    """A JSON request body, read strictly: each field must have the JSON type the document
    names ("1" is no integer, 0 no boolean), and unknown fields are refused, so that typos
    do not pass silently. Texts are kept as sent; the services strip them."""

    model_config = ConfigDict(extra="forbid", strict=True)


def _drop_unsent_defaults(schema: dict) -> None:
    for field in schema.get("properties", {}).values():
        if "default" in field and field["default"] is None:
            del field["default"]


class Changes(RequestBody):
    """A PATCH body: give each field the default None, and only the fields sent change.

    pydantic never validates a default, so None marks "not sent" while a sent
    ``null`` still fails a non-optional type. The schema omits those defaults,
    which its types would contradict. Apply with ``model_dump(exclude_unset=True)``.
    """

    @classmethod
    def __get_pydantic_json_schema__(cls, core_schema, handler):
        # Here rather than in json_schema_extra, which a subclass may set for its own needs.
        schema = handler(core_schema)
        _drop_unsent_defaults(handler.resolve_ref_schema(schema))
        return schema


class Query(BaseModel):
    """Query parameters: unknown ones are ignored (caches and trackers add their own).

    Strict like a body: inputs.read_query turns each value into the JSON type the
    document names, and whatever is not written that way is refused.
    """

    model_config = ConfigDict(extra="ignore", strict=True, allow_inf_nan=False)


class Pagination(Query):
    """``?page=&per_page=`` of every list; filters subclass it."""

    page: int = Field(1, ge=1, le=MAX_PAGE, description="Seite, ab 1.")
    per_page: int = Field(DEFAULT_PER_PAGE, ge=1, le=MAX_PER_PAGE,
                          description=f"Einträge je Seite, höchstens {MAX_PER_PAGE}.")


class ResponseModel(BaseModel):
    """An answer built from ORM objects or dicts."""

    model_config = ConfigDict(from_attributes=True)


class ErrorDetail(BaseModel):
    code: str = Field(description="Stabiler, maschinenlesbarer Fehlercode, z. B. `invalid`.")
    message: str = Field(description="Für Menschen, in der Sprache der Anfrage.")
    fields: dict[str, str] | None = Field(
        None, description="Feldname → Meldung, bei 409 und 422.")


class Error(BaseModel):
    """The one error format of the API (CONTRACT.md)."""

    error: ErrorDetail


@dataclass(frozen=True)
class PageResult:
    """One page of a list; the API answers its items and puts the rest in headers."""

    items: list
    total: int
    page: int
    per_page: int

    @property
    def last_page(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    def headers(self) -> dict[str, str]:
        """``X-Total-Count`` and RFC 8288 ``Link`` (first, prev, next, last)."""
        pages = {"first": 1, "last": self.last_page}
        if self.page > 1:
            pages["prev"] = min(self.page - 1, self.last_page)
        if self.page < self.last_page:
            pages["next"] = self.page + 1
        links = ", ".join(f'<{_url_of_page(number)}>; rel="{rel}"' for rel, number in pages.items())
        return {"X-Total-Count": str(self.total), "Link": links}


def _url_of_page(number: int) -> str:
    # Keeps every other parameter (filters, per_page) as the caller sent it.
    params = request.args.to_dict(flat=False)
    params["page"] = [str(number)]
    return f"{request.base_url}?{urlencode(params, doseq=True)}"


def paginate(statement: Select, pagination: Pagination) -> PageResult:
    """Run ``statement`` for one page; the statement must be ordered, or pages overlap."""
    total = db.session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))
    offset = (pagination.page - 1) * pagination.per_page
    items = list(db.session.scalars(statement.limit(pagination.per_page).offset(offset)))
    return PageResult(items=items, total=total, page=pagination.page, per_page=pagination.per_page)
