"""Base models every API module builds on: bodies, queries, answers, errors, pages."""
from __future__ import annotations

import math
from dataclasses import dataclass
from urllib.parse import urlencode

from typing import Annotated

from email_validator import EmailNotValidError, validate_email
from flask import request
from flask_babel import lazy_gettext as _l
from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from sqlalchemy import Select, func, select

from tenants.db import db

DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 100
# Bounds the SQL OFFSET, so a silly page number is a 422, never a database overflow.
MAX_PAGE = 1_000_000


INVALID_EMAIL = _l("Bitte eine gültige E-Mail-Adresse angeben.")


def _email(value: str) -> str:
    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError:
        raise ValueError(str(INVALID_EMAIL)) from None
    return value


# An address someone sends us (an application, a registration): checked, never looked up.
Email = Annotated[str, Field(min_length=1, max_length=320, json_schema_extra={"format": "email"}),
                  AfterValidator(_email)]


class RequestBody(BaseModel):
    """A JSON request body: unknown fields are refused, so typos do not pass silently."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


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

    model_config = ConfigDict(json_schema_extra=_drop_unsent_defaults)


class Query(BaseModel):
    """Query parameters: unknown ones are ignored (caches and trackers add their own)."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)


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
