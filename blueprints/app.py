"""The application factory: settings, extensions, the town edge, blueprints."""
from __future__ import annotations

import importlib
from pathlib import Path

from flask import Flask, abort, current_app, g, has_request_context, redirect, render_template, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.exc import DBAPIError, DisconnectionError, InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException, NotFound

from blueprints import security
from blueprints.api.auth import load_token_caller
from blueprints.api.errors import api_error, is_api_request
from blueprints.api.errors import http_error as api_http_error
from blueprints.caching import cache_config
from blueprints.extensions import babel, cache, csrf, db, limiter, login_manager, migrate
from blueprints.request_values import RecordNumberConverter, refuse_nul_bytes
from config import Settings, load_settings
from tenants import access, resolver
from tenants.registry import TenantRegistry

BLUEPRINTS = ("core", "accounts", "mail", "town", "actors", "vacancies", "interim_use", "events", "marketing",
              "platform", "api")
COMMAND_GROUPS = ("tenants.cli", "tenants.jobs_cli", "blueprints.accounts.cli", "blueprints.demo.cli")
LANGUAGES = ("de", "en")


class Quartier(Flask):
    """Flask, with links that drop the ``/<slug>`` prefix on a town's own host."""

    def url_for(self, endpoint, **values):
        url = super().url_for(endpoint, **values)
        return url if values.get("_external") else resolver.strip_host_prefix(url)


def create_app(settings: Settings | None = None, **config_overrides) -> Quartier:
    """Build the application from ``settings`` (default: the environment)."""
    settings = settings or load_settings()
    app = Quartier(__name__, instance_path=str(settings.instance_path))
    app.config.update(settings.flask_config())
    app.config.update(config_overrides)
    settings.instance_path.mkdir(parents=True, exist_ok=True)

    _init_extensions(app)
    _init_town_edge(app)
    security.init_app(app)  # after the town edge: ProxyFix must see the request first
    _register_blueprints(app)
    _register_error_pages(app)
    _register_template_helpers(app)
    for module in COMMAND_GROUPS:
        app.cli.add_command(importlib.import_module(module).cli)

    missing = access.undeclared_views(app)
    if missing:
        raise RuntimeError(f"These views declare no access rule: {', '.join(missing)}")
    return app


def _init_extensions(app):
    db.init_app(app)
    migrate.init_app(app, db, directory=str(_migrations_dir("public")))
    csrf.init_app(app)
    limiter.init_app(app)
    cache.init_app(app, config=cache_config(app.config.get("REDIS_URL")))
    babel.init_app(app, locale_selector=_select_locale)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Bitte melden Sie sich an.")
    login_manager.session_protection = "strong"
    from blueprints.accounts import services as accounts

    login_manager.user_loader(accounts.load_user)
    # No request loader: an API token signs in to the API alone (load_token_caller).


def _migrations_dir(tree: str):
    return Path(__file__).resolve().parent.parent / "migrations" / tree


def _init_town_edge(app):
    with app.app_context():
        engine = db.engine
    registry = TenantRegistry(lambda: engine, check_interval=app.config["TENANT_REGISTRY_CHECK_SECONDS"])
    app.extensions["quartier_registry"] = registry
    app.url_map.converters["town"] = resolver.TownConverter
    app.url_map.converters["int"] = RecordNumberConverter  # before any rule is added
    app.before_request(refuse_nul_bytes)
    app.url_value_preprocessor(resolver.enter_requested_town)
    app.url_defaults(resolver.add_town_to_url)
    app.teardown_request(resolver.leave_town)
    app.before_request(load_token_caller)  # before the access check, which needs the caller
    app.before_request(_enforce_access)
    app.wsgi_app = resolver.TenantHostMiddleware(
        app.wsgi_app, registry, app.config.get("TENANT_HOST_SUFFIX")
    )


def _enforce_access():
    """The one place where every view's declared access rule is checked."""
    view = app_view(request.endpoint)
    rule = access.access_of(view)
    if rule is None:
        return None
    status = access.check(rule, current_user, g.get("tenant"))
    if status is not None:
        abort(status)
    return None


def app_view(endpoint):
    return current_app.view_functions.get(endpoint) if endpoint else None


def _register_blueprints(app):
    for name in BLUEPRINTS:
        module = importlib.import_module(f"blueprints.{name}.blueprint")
        app.register_blueprint(module.bp)


def _register_error_pages(app):
    @app.errorhandler(HTTPException)
    def http_error(error):
        if is_api_request():  # also URLs no API rule matched: keep Allow on 405, German texts
            return api_http_error(error)
        if error.code == 401:
            return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))
        return render_template("error.html", error=error), error.code

    @app.errorhandler(Exception)
    def server_error(error):
        _roll_back_quietly()
        if _town_went_away():  # deleted while this request ran: as if it never existed
            return http_error(NotFound())
        if is_database_outage(error):  # e.g. PostgreSQL restarting: say so, and when to retry
            app.logger.warning("Database unavailable: %s", str(error).splitlines()[0])
            return _error_answer(503, "unavailable", _l("Der Dienst ist gerade nicht erreichbar. "
                                                        "Bitte versuchen Sie es gleich erneut."))
        app.logger.exception("Unhandled error")
        return _error_answer(500, "server_error", _l("Interner Fehler."))


DATABASE_OUTAGES = (OperationalError, InterfaceError, DisconnectionError)
RETRY_AFTER_SECONDS = 5


def is_database_outage(error: Exception) -> bool:
    """Whether ``error`` says the database cannot be reached right now (not that a query is wrong)."""
    return isinstance(error, DATABASE_OUTAGES) or \
        (isinstance(error, DBAPIError) and error.connection_invalidated)


def _roll_back_quietly():
    try:
        db.session.rollback()
    except Exception:  # the connection itself is gone; the pool replaces it
        pass


def _town_went_away() -> bool:
    town = g.get("tenant")
    if town is None:
        return False
    try:
        return not resolver.registry().still_active(town)
    except Exception:  # the registry cannot be read either: nothing to tell
        return False


def _error_answer(status: int, code: str, message):
    if is_api_request():
        response = api_error(status, code, str(message))
    else:
        try:
            response = current_app.make_response((render_template("error.html", error=None,
                                                                   code=status), status))
        except Exception:  # the layout itself failed (e.g. it needs the database): answer plainly
            response = current_app.make_response((str(message), status))
    if status == 503:
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _select_locale():
    if not has_request_context():  # commands and jobs: German, the default
        return None
    chosen = session.get("lang")
    if chosen in LANGUAGES:
        return chosen
    if getattr(current_user, "is_authenticated", False) and current_user.locale in LANGUAGES:
        return current_user.locale
    return request.accept_languages.best_match(LANGUAGES, default="de")


def labels_of(keys, labels: dict) -> str:
    """``["water", "kitchen"]|labels(FEATURE_LABELS)`` → "Wasseranschluss, Küche"."""
    return ", ".join(str(labels[key]) for key in keys or () if key in labels)


def _register_template_helpers(app):
    from flask_babel import format_currency, format_decimal, get_locale

    # Numbers as the reader writes them: 10.000 in German, 10,000 in English.
    app.add_template_filter(format_decimal, "numberformat")
    app.add_template_filter(format_currency, "currency")
    app.add_template_filter(labels_of, "labels")

    from blueprints.town.services import switch_targets

    @app.context_processor
    def quartier_globals():
        return {
            "current_town": g.get("tenant"),
            "can": lambda permission: access.can(current_user, permission, g.get("tenant")),
            "role_labels": access.ROLE_LABELS,
            "current_locale": str(get_locale()),
            "town_switch_links": lambda: switch_targets(
                current_user, g.get("tenant"), request.endpoint, request.view_args),
        }
