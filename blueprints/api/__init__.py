"""The town's JSON API (/<slug>/api/v1/…): declared once, served and described from that one place.

How it is arranged:

- registry.py — ``api``, where endpoints are declared: ``@api.get(path, query=…,
  response=…)``, ``@api.post(path, body=…)``… above the view's access rule
  (``@public``, ``@signed_in``, ``@requires``). Each declaration becomes both a
  URL rule and an OpenAPI operation, so the two cannot drift apart.
- schemas.py — base models: ``RequestBody`` (strict JSON types, unknown fields refused),
  ``Changes`` (PATCH bodies), ``Query``/``Pagination``, ``ResponseModel``, the ``Error`` format,
  ``paginate()`` → ``PageResult`` (items + ``Link``/``X-Total-Count``), and the field types
  whose schema says what is accepted: ``Text`` (no NUL; ``at_least`` visible characters),
  ``Money``/``Area`` (JSON numbers in, kept to the cent), ``Number`` (Decimal answered as a
  JSON number), ``RecordId``, ``WholeNumber`` (4.0 counts as the integer it is), ``Moment`` (a time of the years 1900–2999), ``Day`` (a query's date).
- inputs.py, errors.py — JSON and query parsing; every failure becomes
  ``{"error": {"code", "message", "fields"?}}`` with German messages.
- auth.py — bearer token or session cookie (writes then need the CSRF token).
- openapi.py — ``/openapi.json``, generated per request from the registry.
- blueprint.py — the blueprint; ``API_MODULES`` names the modules that declare
  endpoints, e.g. blueprints/town/api.py for ``districts``. A new resource
  lives in its own blueprint's ``api.py`` and adds one line there.
"""
from blueprints.api.errors import ApiError
from blueprints.api.registry import api, id_param
from blueprints.api.schemas import (MAX_ID, Amount, Area, Changes, Day, Email, Moment, Money, Number, PageResult,
                                    Pagination, Query, RecordId, RequestBody, ResponseModel, Text, WholeNumber,
                                    paginate)

__all__ = ["MAX_ID", "Amount", "ApiError", "Area", "Changes", "Day", "Email", "Moment", "Money", "Number", "PageResult",
           "Pagination", "Query", "RecordId", "RequestBody", "ResponseModel", "Text", "WholeNumber", "api",
           "id_param", "paginate"]
