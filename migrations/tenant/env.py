"""Alembic environment for a town's schema, for developers running Alembic by hand.

Quartier itself migrates towns through ``tenants.migrations`` (``flask tenants
migrate``). By hand: ``alembic -c migrations/tenant/alembic.ini -x url=URL
-x schema=town_x upgrade head`` — for autogenerate, only against a template
schema in a development database.
"""
from alembic import context
from sqlalchemy import create_engine

from tenants.migrations import configure_context

arguments = context.get_x_argument(as_dictionary=True)
engine = create_engine(arguments["url"])
with engine.begin() as connection:
    configure_context(context, connection, arguments["schema"])
    context.run_migrations()
