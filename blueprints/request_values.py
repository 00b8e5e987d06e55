"""What a page reads from its URL, bounded before it reaches the database.

A record's id is a BIGINT; a larger number in a path or a query string is
"no such record" (404, or the filter left off), never a database overflow.
A NUL byte fits no text column: a request carrying one is refused at the
edge (400), before a view stores or looks anything up with it.
"""
from __future__ import annotations

from flask import abort, request
from flask_babel import gettext as _
from werkzeug.routing import IntegerConverter

from tenants.db import MAX_ID


class RecordNumberConverter(IntegerConverter):
    """``<int:…>`` for every page: 1 to a BIGINT's largest; beyond matches no rule (404)."""

    def __init__(self, url_map, fixed_digits=0, min=1, max=MAX_ID, signed=False):
        super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def record_id_arg(name: str, source=None) -> int | None:
    """The id in ``?name=`` (or a form field of ``source``), or None if absent or no id."""
    value = (request.args if source is None else source).get(name, type=int)
    return value if value is not None and 1 <= value <= MAX_ID else None


def record_ids_arg(name: str, source=None) -> list[int]:
    """The ids among the values of ``name`` (checkboxes), leaving out what is none."""
    values = (request.args if source is None else source).getlist(name)
    return [int(value) for value in values if value.isdecimal() and 1 <= int(value) <= MAX_ID]


def refuse_nul_bytes() -> None:
    """Before every page's view: a NUL in the path, the query or a form field is a 400.

    The API answers such values itself, field by field (its text types forbid NUL)."""
    if request.blueprint == "api":
        return
    texts = [request.path]
    for values in (request.args, request.form):
        for name, given in values.lists():
            texts += [name, *given]
    if any("\x00" in text for text in texts):
        abort(400, description=_("Die Anfrage enthält ein Nullzeichen (NUL), das in keiner "
                                 "Eingabe stehen darf. Bitte prüfen Sie die Adresse oder das Formular."))
