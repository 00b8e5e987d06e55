"""Alembic environment for the public schema, run by Flask-Migrate (`flask db …`)."""
from alembic import context
from flask import current_app

from tenants.db import TENANT_SCHEMA, db


def include_object(obj, name, type_, reflected, compare_to):
    """Only public tables belong to this tree; town tables have their own."""
    table = obj if type_ == "table" else getattr(obj, "table", None)
    return table is None or table.schema != TENANT_SCHEMA


def run_migrations_online():
    with db.engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=db.metadata,
            include_object=include_object,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


if context.is_offline_mode():
    context.configure(url=current_app.config["SQLALCHEMY_DATABASE_URI"],
                      target_metadata=db.metadata, include_object=include_object,
                      literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    run_migrations_online()
