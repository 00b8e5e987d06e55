"""Turn a request's query string and JSON body into validated pydantic models, or an ApiError."""
from __future__ import annotations

import json
import typing

from flask import request
from flask_babel import lazy_gettext as _l
from pydantic import BaseModel, ValidationError

from blueprints.api.errors import ApiError, invalid

NOT_JSON = _l("Der Anfragetext ist kein gültiges JSON.")
NOT_AN_OBJECT = _l("Der Anfragetext muss ein JSON-Objekt sein.")


def read_query(model: type[BaseModel]) -> BaseModel:
    """``request.args`` as ``model``; list fields take every value of a repeated parameter."""
    values = {}
    for name, field in model.model_fields.items():
        key = field.alias or name
        if key not in request.args:
            continue
        values[key] = request.args.getlist(key) if _is_list(field.annotation) else request.args[key]
    try:
        return model.model_validate(values)
    except ValidationError as error:
        raise invalid(error) from None


def _is_list(annotation) -> bool:
    candidates = typing.get_args(annotation) if typing.get_origin(annotation) else ()
    return typing.get_origin(annotation) in (list, tuple, set) or any(map(_is_list, candidates))


def read_body(model: type[BaseModel]) -> BaseModel:
    """The JSON body as ``model``: 415 for another media type, 400 for broken JSON, 422 if invalid."""
    if not request.is_json:
        raise ApiError(415)
    try:
        data = json.loads(request.get_data(cache=True))
    except ValueError:  # also UnicodeDecodeError
        raise ApiError(400, NOT_JSON) from None
    if not isinstance(data, dict):
        raise ApiError(422, NOT_AN_OBJECT)
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise invalid(error) from None
