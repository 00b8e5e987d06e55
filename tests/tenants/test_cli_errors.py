"""Every command of ours fails as an operator can act on: one line naming the fix, exit 1.

Run as an operator runs them (``flask --app wsgi …`` in a subprocess), first
on a PostgreSQL database without ``flask db upgrade``, then on the same
database upgraded, with a town that does not exist and files that cannot be
used.
"""
from __future__ import annotations

import pytest

from tests.conftest import TEST_DATABASE_URL, scratch_postgres_database
from tests.test_start_up import start

BEFORE_UPGRADE = [
    ("tenants", "create", "probe", "--name", "Probe"),
    ("tenants", "list"),
    ("tenants", "migrate", "--all"),
    ("tenants", "delete", "probe", "--yes"),
    ("tenants", "export", "probe", "probe.qexport"),
    ("users", "create", "a@example.org", "--password", "ein-langes-passwort"),
    ("users", "token", "a@example.org"),
    ("demo", "load"),
    ("jobs", "relay"),
]


@pytest.fixture(scope="module")
def empty_database(tmp_path_factory):
    with scratch_postgres_database(TEST_DATABASE_URL, suffix="cli") as url:
        yield {"DATABASE_URL": url, "QUARTIER_INSTANCE_PATH": str(tmp_path_factory.mktemp("cli"))}


def assert_one_line(done, *words: str) -> str:
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    [line] = done.stderr.strip().splitlines()
    assert line.startswith("Error: ") and all(word in line for word in words), line
    return line


@pytest.mark.parametrize("command", BEFORE_UPGRADE, ids=" ".join)
def test_a_command_before_db_upgrade_says_to_run_it(empty_database, command, tmp_path):
    assert_one_line(start(empty_database, *command), "flask db upgrade")


def test_a_database_that_cannot_be_reached_is_named(tmp_path):
    done = start({"DATABASE_URL": "postgresql+psycopg://postgres@127.0.0.1:1/quartier",
                  "QUARTIER_INSTANCE_PATH": str(tmp_path)}, "tenants", "list")
    assert_one_line(done, "DATABASE_URL", "cannot be reached")


@pytest.fixture(scope="module")
def upgraded_database(empty_database):
    done = start(empty_database, "db", "upgrade")
    assert done.returncode == 0, done.stderr
    return empty_database


@pytest.mark.parametrize("command", [
    ("tenants", "delete", "gibt-es-nicht", "--yes"),
    ("tenants", "migrate", "gibt-es-nicht"),
    ("tenants", "export", "gibt-es-nicht", "x.qexport"),
    ("users", "create", "b@example.org", "--password", "ein-langes-passwort", "--tenant", "gibt-es-nicht",
     "--role", "manager"),
], ids=" ".join)
def test_an_unknown_town_says_how_to_find_the_towns(upgraded_database, command):
    assert_one_line(start(upgraded_database, *command), "gibt-es-nicht", "flask tenants list")


def test_an_unknown_account_says_how_to_make_one(upgraded_database):
    assert_one_line(start(upgraded_database, "users", "token", "niemand@example.org"),
                    "niemand@example.org", "flask users create")


def test_files_that_cannot_be_used_are_named(upgraded_database, tmp_path):
    not_an_export = tmp_path / "notizen.txt"
    not_an_export.write_text("keine Stadt")
    for command, named in [(("tenants", "import", str(tmp_path / "fehlt.qexport")), "fehlt.qexport"),
                           (("tenants", "import", str(tmp_path)), str(tmp_path)),
                           (("tenants", "import", str(not_an_export)), "notizen.txt")]:
        assert_one_line(start(upgraded_database, *command), named)
    assert start(upgraded_database, "tenants", "create", "probe", "--name", "Probe").returncode == 0
    assert_one_line(start(upgraded_database, "tenants", "export", "probe",
                          str(tmp_path / "kein-ordner" / "probe.qexport")), "kein-ordner")
