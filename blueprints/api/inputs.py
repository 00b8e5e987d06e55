"""Turn a request's query string and JSON body into validated pydantic models, or an ApiError."""
from __future__ import annotations

import json
import re
import typing
from functools import lru_cache

from flask import request
from flask_babel import lazy_gettext as _l
from pydantic import BaseModel, TypeAdapter, ValidationError

from blueprints.api.errors import ApiError, invalid

NOT_JSON = _l("Der Anfragetext ist kein gültiges JSON.")
NOT_AN_OBJECT = _l("Der Anfragetext muss ein JSON-Objekt sein.")


INTEGER_TEXT = re.compile(r"-?\d+")
NUMBER_TEXT = re.compile(r"-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?")
BOOLEAN_TEXTS = {"true": True, "false": False}


def read_query(model: type[BaseModel]) -> BaseModel:
    """``request.args`` as ``model``; list fields take every value of a repeated parameter.

    Each value is read as the JSON type the document names for it, written as JSON
    writes it: ``1`` is an integer, ``1.0``, ``+1`` or ``1_000`` are not; a boolean is
    ``true`` or ``false``. Anything else stays text, which the strict query model refuses.
    """
    types = _query_types(model)
    values = {}
    for name, field in model.model_fields.items():
        key = field.alias or name
        if key not in request.args:
            continue
        if _is_list(field.annotation):
            values[key] = [_typed(value, types.get(key)) for value in request.args.getlist(key)]
        else:
            values[key] = _typed(request.args[key], types.get(key))
    try:
        return model.model_validate(values)
    except ValidationError as error:
        raise invalid(error) from None


def _typed(text: str, json_type: str | None):
    if json_type == "integer" and INTEGER_TEXT.fullmatch(text):
        return int(text)
    if json_type == "number" and NUMBER_TEXT.fullmatch(text):
        return float(text)
    if json_type == "boolean":
        return BOOLEAN_TEXTS.get(text, text)
    return text


@lru_cache(maxsize=None)
def _query_types(model: type[BaseModel]) -> dict[str, str]:
    """Parameter name → its JSON type (``integer``, ``number``, ``boolean``, ``string``…)."""
    types = {}
    for name, schema in model.model_json_schema().get("properties", {}).items():
        for choice in schema.get("anyOf", [schema]):
            if choice.get("type") == "array":  # a repeated parameter: the type of each value
                choice = choice.get("items", {})
            if choice.get("type") not in (None, "null"):
                types[name] = choice["type"]
                break
    return types


def _is_list(annotation) -> bool:
    candidates = typing.get_args(annotation) if typing.get_origin(annotation) else ()
    return typing.get_origin(annotation) in (list, tuple, set) or any(map(_is_list, candidates))


def read_body(model) -> BaseModel:
    """The JSON body as ``model`` (a model or a union of models): 415 for another media type,
    400 for broken JSON, 422 if invalid.

    The body is validated from its JSON text, so strict models take JSON's own types
    (an ISO date is a string) and nothing that merely converts to them.
    """
    if not request.is_json:
        raise ApiError(415)
    raw = request.get_data(cache=True)
    try:
        data = json.loads(raw)
    except ValueError:  # also UnicodeDecodeError
        raise ApiError(400, NOT_JSON) from None
    if not isinstance(data, dict):
        raise ApiError(422, NOT_AN_OBJECT)
    try:
        return _adapter(model).validate_json(raw)
    except ValidationError as error:
        if any(problem["type"] == "json_invalid" for problem in error.errors()):
            raise ApiError(400, NOT_JSON) from None  # e.g. a lone surrogate in a string
        raise invalid(error) from None


@lru_cache(maxsize=None)
def _adapter(model) -> TypeAdapter:
    return TypeAdapter(model)
