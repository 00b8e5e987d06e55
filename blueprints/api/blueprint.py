"""The JSON API of a town: /<slug>/api/v1/…

Endpoints are declared with ``@api.get(...)`` & co. (registry.py) in the
module whose data they serve, e.g. blueprints/town/api.py; API_MODULES lists
those modules so that they are declared before the blueprint is built.
"""
import importlib

from flask import Blueprint
from werkzeug.exceptions import HTTPException

from blueprints.api import auth, errors
from blueprints.api.registry import RECORD_ID, ApiRegistry, RecordIdConverter, api
from blueprints.extensions import csrf

URL_PREFIX = "/<town:tenant>/api/v1"
API_MODULES = ("blueprints.api.views", "blueprints.town.api", "blueprints.vacancies.api", "blueprints.interim_use.api",
               "blueprints.events.api")


def make_blueprint(registry: ApiRegistry, name: str = "api", url_prefix: str = URL_PREFIX) -> Blueprint:
    """A blueprint serving ``registry`` with the API's auth and error format."""
    blueprint = Blueprint(name, __name__, url_prefix=url_prefix)
    # Recorded before the rules, so the app knows the converter when it adds them.
    blueprint.record_once(lambda state: state.app.url_map.converters.setdefault(RECORD_ID, RecordIdConverter))
    csrf.exempt(blueprint)  # auth.py checks CSRF itself, and only for cookie writes
    blueprint.before_request(auth.authenticate_api_request)
    blueprint.register_error_handler(errors.ApiError, errors.ApiError.response)
    blueprint.register_error_handler(HTTPException, errors.http_error)
    registry.install(blueprint)
    return blueprint


for module in API_MODULES:
    importlib.import_module(module)
bp = make_blueprint(api)
