"""The WSGI entry point: ``gunicorn wsgi:app`` or ``flask --app wsgi run``."""
from blueprints.app import create_app
from config import ConfigurationError

try:
    app = create_app()
except ConfigurationError as error:  # a setting to mend: say which and why, without a traceback
    raise SystemExit(f"Quartier cannot start: {error}") from None
