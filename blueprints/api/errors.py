"""The API's errors: one JSON format, German messages, field messages from pydantic."""
from __future__ import annotations

from flask import jsonify, request
from flask_babel import lazy_gettext as _l
from pydantic import ValidationError
from werkzeug.exceptions import HTTPException

ERROR_CODES = {
    400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
    405: "method_not_allowed", 409: "conflict", 413: "too_large",
    415: "unsupported_media_type", 422: "invalid", 429: "too_many_requests",
    500: "server_error", 503: "unavailable",
}

HTTP_MESSAGES = {
    400: _l("Die Anfrage ist fehlerhaft."),
    401: _l("Bitte melden Sie sich an oder senden Sie ein gültiges API-Token "
            "(Authorization: Bearer …)."),
    403: _l("Dafür fehlt Ihnen die Berechtigung in dieser Stadt."),
    404: _l("Nicht gefunden."),
    405: _l("Diese Methode ist hier nicht erlaubt."),
    409: _l("Das widerspricht vorhandenen Daten."),
    413: _l("Der Anfragetext ist zu groß."),
    415: _l("Bitte senden Sie JSON mit Content-Type: application/json."),
    422: _l("Die Angaben sind ungültig."),
    429: _l("Zu viele Anfragen. Bitte warten Sie einen Moment."),
}

# pydantic's error types (https://docs.pydantic.dev/latest/errors/validation_errors/)
# in German; placeholders come from the error's ``ctx``. Unlisted types keep
# pydantic's English text, which still names the problem.
FIELD_MESSAGES = {
    "missing": _l("Bitte angeben."),
    "string_type": _l("Bitte einen Text angeben."),
    "string_too_short": _l("Mindestens %(min_length)s Zeichen."),
    "string_too_long": _l("Höchstens %(max_length)s Zeichen."),
    "string_pattern_mismatch": _l("Das Format stimmt nicht."),
    "int_type": _l("Bitte eine ganze Zahl angeben."),
    "int_parsing": _l("Bitte eine ganze Zahl angeben."),
    "int_from_float": _l("Bitte eine ganze Zahl angeben."),
    "int_parsing_size": _l("Die Zahl ist zu groß."),
    "float_type": _l("Bitte eine Zahl angeben."),
    "float_parsing": _l("Bitte eine Zahl angeben."),
    "decimal_type": _l("Bitte eine Zahl angeben."),
    "decimal_parsing": _l("Bitte eine Zahl angeben."),
    "bool_type": _l("Bitte true oder false angeben."),
    "bool_parsing": _l("Bitte true oder false angeben."),
    "greater_than": _l("Muss größer als %(gt)s sein."),
    "greater_than_equal": _l("Mindestens %(ge)s."),
    "less_than": _l("Muss kleiner als %(lt)s sein."),
    "less_than_equal": _l("Höchstens %(le)s."),
    "date_type": _l("Bitte ein Datum im Format JJJJ-MM-TT angeben."),
    "date_parsing": _l("Bitte ein Datum im Format JJJJ-MM-TT angeben."),
    "date_from_datetime_parsing": _l("Bitte ein Datum im Format JJJJ-MM-TT angeben."),
    "date_from_datetime_inexact": _l("Bitte ein Datum ohne Uhrzeit angeben."),
    "datetime_type": _l("Bitte Datum und Uhrzeit im Format JJJJ-MM-TTThh:mm angeben."),
    "datetime_parsing": _l("Bitte Datum und Uhrzeit im Format JJJJ-MM-TTThh:mm angeben."),
    "datetime_from_date_parsing": _l("Bitte Datum und Uhrzeit im Format JJJJ-MM-TTThh:mm angeben."),
    "enum": _l("Erlaubt sind: %(expected)s."),
    "literal_error": _l("Erlaubt sind: %(expected)s."),
    "list_type": _l("Bitte eine Liste angeben."),
    "too_short": _l("Mindestens %(min_length)s Einträge."),
    "too_long": _l("Höchstens %(max_length)s Einträge."),
    "dict_type": _l("Bitte ein Objekt angeben."),
    "model_type": _l("Bitte ein Objekt angeben."),
    "model_attributes_type": _l("Bitte ein Objekt angeben."),
    "extra_forbidden": _l("Dieses Feld gibt es nicht."),
    "url_type": _l("Bitte eine gültige URL angeben."),
    "url_parsing": _l("Bitte eine gültige URL angeben."),
}
NOT_EMPTY = _l("Darf nicht leer sein.")
INVALID_TOKEN = _l("Das API-Token ist ungültig oder widerrufen.")


def is_api_request() -> bool:
    return "/api/v1" in request.path


def api_error(status: int, code: str, message: str, fields: dict | None = None):
    """The API's one error format (CONTRACT.md)."""
    body = {"error": {"code": code, "message": message}}
    if fields:
        body["error"]["fields"] = fields
    response = jsonify(body)
    response.status_code = status
    return response


class ApiError(Exception):
    """Raise in an API view to answer with the error format; ``fields`` name the culprits."""

    def __init__(self, status: int, message: str | None = None, *, code: str | None = None,
                 fields: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.code = code or ERROR_CODES.get(status, "error")
        self.message = message
        self.fields = fields

    def response(self):
        return error_response(self.status, self.message, code=self.code, fields=self.fields)


def error_response(status: int, message: str | None = None, *, code: str | None = None,
                   fields: dict[str, str] | None = None):
    """``api_error`` with our default texts, and the challenge RFC 6750 asks for on a 401."""
    text = message or HTTP_MESSAGES.get(status) or HTTP_MESSAGES[400]
    response = api_error(status, code or ERROR_CODES.get(status, "error"), str(text), fields)
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="Quartier"'
    return response


def unauthorized() -> ApiError:
    """A 401 that tells a rejected token from a missing sign-in."""
    if "Authorization" in request.headers:
        return ApiError(401, INVALID_TOKEN, code="invalid_token")
    return ApiError(401)


def invalid(error: ValidationError) -> ApiError:
    """A 422 whose ``fields`` map each field (dotted path) to its first German message."""
    fields: dict[str, str] = {}
    for problem in error.errors(include_url=False):
        field = ".".join(str(part) for part in problem["loc"]) or "body"
        fields.setdefault(field, field_message(problem))
    return ApiError(422, fields=fields)


def field_message(problem: dict) -> str:
    kind, context = problem["type"], problem.get("ctx") or {}
    if kind in {"value_error", "assertion_error"} and "error" in context:
        return str(context["error"])  # our own validators speak German already
    if kind == "string_too_short" and context.get("min_length") == 1:
        return str(NOT_EMPTY)
    template = FIELD_MESSAGES.get(kind)
    if template is None:
        return problem["msg"]
    readable = {key: str(value).replace(" or ", " oder ") for key, value in context.items()}
    return str(template) % readable


def http_error(error: HTTPException):
    """Errors of Flask, Werkzeug and the access check, in the API's format and in German."""
    status = error.code or 500
    if status == 401:
        return unauthorized().response()
    # Werkzeug's texts are English and generic; API views that want a specific
    # text raise ApiError instead of calling abort().
    message = None if status in HTTP_MESSAGES else error.description
    response = error_response(status, message)
    for name, value in error.get_headers():  # e.g. Allow on a 405
        if name.lower() != "content-type":
            response.headers[name] = value
    return response
