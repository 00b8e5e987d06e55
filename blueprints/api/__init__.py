"""The town's JSON API (/<slug>/api/v1/…): declared once, served and described from that one place.

How it is arranged:

- registry.py — ``api``, where endpoints are declared: ``@api.get(path, query=…,
  response=…)``, ``@api.post(path, body=…)``… above the view's access rule
  (``@public``, ``@signed_in``, ``@requires``). Each declaration becomes both a
  URL rule and an OpenAPI operation, so the two cannot drift apart.
- schemas.py — base models: ``RequestBody`` (unknown fields refused),
  ``Changes`` (PATCH bodies), ``Query``/``Pagination``, ``ResponseModel``, the ``Error`` format, and
  ``paginate()`` → ``PageResult`` (items + ``Link``/``X-Total-Count``).
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
from blueprints.api.schemas import (Changes, Email, PageResult, Pagination, Query, RequestBody, ResponseModel,
                                    paginate)

__all__ = ["ApiError", "Changes", "Email", "PageResult", "Pagination", "Query", "RequestBody", "ResponseModel", "api",
           "id_param", "paginate"]
