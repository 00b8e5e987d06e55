"""One line naming the fix, never a traceback: how every ``flask`` command of ours fails.

Each command group is declared with ``cls=ClearErrors``. What an operator can
mend (a database without its tables, a database that cannot be reached, a
town that does not exist, a file that cannot be read or written) becomes a
click error: ``Error: …`` on stderr and exit status 1. Anything else is a bug
and keeps its traceback.
"""
from __future__ import annotations

import click
from sqlalchemy.exc import OperationalError, ProgrammingError

NO_TABLES = ("does not exist", "no such table", "UndefinedTable")
FILE_ERRORS = (FileNotFoundError, FileExistsError, IsADirectoryError, NotADirectoryError, PermissionError)


class ClearErrors(click.Group):
    """A click group whose commands turn an operator's mendable errors into one clear line."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except (ProgrammingError, OperationalError) as error:
            raise click.ClickException(describe_database_error(error)) from None
        except (KeyError, IndexError):
            raise  # a bug's lookup, not a town or account the operator named
        except LookupError as error:  # an unknown town, account or record, named by the service
            raise click.ClickException(_message_of(error)) from None
        except FILE_ERRORS as error:
            raise click.ClickException(describe_file_error(error)) from None


def describe_database_error(error: Exception) -> str:
    first_line = str(getattr(error, "orig", error)).strip().splitlines()[0]
    if any(sign in str(error) or sign in type(getattr(error, "orig", error)).__name__
           for sign in NO_TABLES):
        return ("The database has no Quartier tables yet: run `flask db upgrade` first "
                f"({first_line}).")
    if isinstance(error, OperationalError):
        return (f"The database cannot be reached: check DATABASE_URL and that PostgreSQL runs "
                f"({first_line}).")
    return f"The database refused the command: {first_line}"


def describe_file_error(error: OSError) -> str:
    where = f" {error.filename}" if error.filename else ""
    return f"Cannot use the file{where}: {error.strerror or error}."


def _message_of(error: LookupError) -> str:
    return str(error.args[0]) if error.args else type(error).__name__
