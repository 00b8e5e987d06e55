"""``flask tenants create/list/migrate/delete`` through Flask's CLI runner, on both backends."""
from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import func, inspect, select, text

from blueprints.town.models import District
from tenants import migrations
from tenants.context import tenant_context
from tenants.db import db, schema_for_slug
from tenants.models import Membership, User
from tests.conftest import unique
from tests.tenants.test_portability import fresh_app, registry_entry, run, schema_exists

EXTRA_MIGRATION = '''"""Test only: a column added to every town's districts.

Revision ID: t9001
Revises: {down}
"""
from alembic import op
import sqlalchemy as sa

revision = "t9001"
down_revision = "{down}"
branch_labels = None
depends_on = None


def upgrade():
    # Written as a developer would, without a schema: it must land in each town.
    op.add_column("districts", sa.Column("note", sa.Text()))


def downgrade():
    op.drop_column("districts", "note")
'''


@dataclass(frozen=True)
class Trees:
    before: Path  # a copy of migrations/tenant as it is
    after: Path   # the same plus migration t9001


@pytest.fixture
def trees(tmp_path) -> Trees:
    """Two copies of the tenant tree for TENANT_MIGRATIONS_PATH (one path per state)."""
    before, after = tmp_path / "tree-before", tmp_path / "tree-after"
    for copy in (before, after):
        shutil.copytree(migrations.TENANT_TREE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    head = migrations.head_revision()
    (after / "versions" / "29991231_t9001_test_note.py").write_text(EXTRA_MIGRATION.format(down=head))
    return Trees(before, after)


def listing_row(app, slug: str) -> str:
    result = run(app, "list")
    assert result.exit_code == 0, result.output
    return next(line for line in result.output.splitlines() if line.split()[0] == slug)


def district_columns(app, slug: str) -> set[str]:
    with app.app_context():
        with tenant_context(app.extensions["quartier_registry"].by_slug(slug)):
            columns = inspect(db.session.connection()).get_columns(
                "districts", schema=schema_for_slug(slug))
        db.session.remove()
    return {column["name"] for column in columns}


def alter_town(app, slug: str, statement: str) -> None:
    """Run raw SQL on one town's table (``{schema}`` is replaced by its schema)."""
    with app.app_context():
        with tenant_context(app.extensions["quartier_registry"].by_slug(slug)):
            db.session.execute(text(statement.format(schema=f'"{schema_for_slug(slug)}"')))
            db.session.commit()
        db.session.remove()


def add_district(app, slug: str, name: str) -> None:
    with app.app_context():
        with tenant_context(app.extensions["quartier_registry"].by_slug(slug)):
            db.session.add(District(name=name))
            db.session.commit()
        db.session.remove()


def district_names(app, slug: str) -> list[str]:
    with app.app_context():
        with tenant_context(app.extensions["quartier_registry"].by_slug(slug)):
            names = list(db.session.scalars(select(District.name).order_by(District.id)))
        db.session.remove()
    return names


# --- create ---------------------------------------------------------------------

def test_create_twice_is_repeatable_without_harm(app):
    slug = unique("neu")
    first = run(app, "create", slug, "--name", "Neustadt", "--host", f"{slug}.example.org")
    add_district(app, slug, "Mitte")

    second = run(app, "create", slug, "--name", "Neustadt", "--host", f"{slug}.example.org")

    assert first.exit_code == 0 and second.exit_code == 0, first.output + second.output
    assert f"Town {slug} (Neustadt) is ready in schema {schema_for_slug(slug)}" in second.output
    entry = registry_entry(app, slug)
    assert entry["hosts"] == [f"{slug}.example.org"]
    assert entry["revision"] == migrations.head_revision() and entry["status"] == "active"
    assert district_names(app, slug) == ["Mitte"]


@pytest.mark.parametrize("slug, message", [
    ("Nicht Gültig!", "is not a valid town slug"),
    ("am-rand-", "is not a valid town slug"),
    ("plattform", "is reserved"),
])
def test_create_refuses_bad_slugs_with_a_clear_error(app, slug, message):
    result = run(app, "create", slug, "--name", "Irgendwo")
    assert result.exit_code == 2
    assert message in result.output and "Traceback" not in result.output
    assert registry_entry(app, slug) is None


# --- list -----------------------------------------------------------------------

def test_list_shows_slug_name_hosts_revision_and_plan(app):
    slug = unique("liste")
    run(app, "create", slug, "--name", "Listenstadt", "--host", f"{slug}.example.org")
    row = listing_row(app, slug)
    assert row.split() == [slug, "Listenstadt", f"{slug}.example.org", migrations.head_revision(),
                           "basis", "active"]


# --- migrate --------------------------------------------------------------------

def test_migrate_needs_towns_or_all(app):
    result = run(app, "migrate")
    assert result.exit_code == 2 and "--all" in result.output


def test_migrate_refuses_unknown_towns(app):
    result = run(app, "migrate", "gibt-es-nicht")
    assert result.exit_code == 1 and "Unknown town(s): gibt-es-nicht" in result.output


def test_migrate_a_town_at_head_changes_nothing(app):
    slug = unique("aktuell")
    run(app, "create", slug, "--name", "Aktuell")
    result = run(app, "migrate", slug)
    assert result.exit_code == 0, result.output
    assert "0 migrated, 1 already at" in result.output


BREAKAGES = {
    # The new migration adds a column that someone already added by hand.
    "conflicting column": "ALTER TABLE {schema}.districts ADD COLUMN note TEXT",
    # The town forgot its revision, so Alembic would create its tables again.
    "lost version row": "DELETE FROM {schema}.alembic_version",
}


@pytest.mark.parametrize("breakage", BREAKAGES)
def test_one_broken_town_does_not_stop_the_others(backend, tmp_path, trees, breakage):
    with fresh_app(backend, tmp_path, TENANT_MIGRATIONS_PATH=str(trees.before)) as app:
        for slug in ("eins", "kaputt", "zwei"):
            assert run(app, "create", slug, "--name", slug.title()).exit_code == 0
        add_district(app, "zwei", "Mitte")
        alter_town(app, "kaputt", BREAKAGES[breakage])
        app.config["TENANT_MIGRATIONS_PATH"] = str(trees.after)  # a release with t9001

        result = run(app, "migrate", "--all")

        assert result.exit_code == 1
        assert "2 migrated, 0 already at t9001, 1 failed" in result.output
        assert "FAILED kaputt:" in result.output
        for slug in ("eins", "zwei"):
            assert "note" in district_columns(app, slug)  # add_column reached each schema
            assert listing_row(app, slug).split()[3] == "t9001"
        assert "(behind)" in listing_row(app, "kaputt")
        assert not schema_exists(app, "tenant")  # nothing went to the placeholder
        assert district_names(app, "zwei") == ["Mitte"]


def test_an_old_export_imports_into_newer_code(backend, tmp_path, trees):
    with fresh_app(backend, tmp_path, TENANT_MIGRATIONS_PATH=str(trees.before)) as app:
        run(app, "create", "alt", "--name", "Altstadt")
        add_district(app, "alt", "Am Markt")
        assert run(app, "export", "alt", str(tmp_path / "alt.jsonl.gz")).exit_code == 0
        app.config["TENANT_MIGRATIONS_PATH"] = str(trees.after)

        result = run(app, "import", str(tmp_path / "alt.jsonl.gz"), "--as", "neu")

        assert result.exit_code == 0, result.output
        assert "Imported neu at revision t9001" in result.output
        assert district_names(app, "neu") == ["Am Markt"]
        assert "note" in district_columns(app, "neu")
        assert listing_row(app, "neu").split()[3] == "t9001"


# --- delete ---------------------------------------------------------------------

def test_delete_needs_yes(app):
    slug = unique("bleibt")
    run(app, "create", slug, "--name", "Bleibt")
    result = run(app, "delete", slug)
    assert result.exit_code == 2 and "--yes" in result.output
    assert registry_entry(app, slug) is not None


def test_delete_drops_schema_registry_entry_and_memberships(app, create_user):
    slug = unique("weg")
    run(app, "create", slug, "--name", "Weg", "--host", f"{slug}.example.org")
    town = app.extensions["quartier_registry"].by_slug(slug)
    member = create_user(role="manager", town=town)

    result = run(app, "delete", slug, "--yes")

    assert result.exit_code == 0, result.output
    assert registry_entry(app, slug) is None
    assert app.extensions["quartier_registry"].by_slug(slug) is None
    assert not schema_exists(app, schema_for_slug(slug))
    with app.app_context():
        assert db.session.scalar(select(func.count(Membership.id))
                                 .where(Membership.tenant_id == town.id)) == 0
        assert db.session.get(User, member.id) is not None  # accounts are global and stay
        db.session.remove()


def test_deleting_an_unknown_town_says_so(app):
    result = run(app, "delete", "gibt-es-nicht", "--yes")
    assert result.exit_code == 1 and "Unknown town: gibt-es-nicht" in result.output


def test_a_deleted_town_can_be_created_again_under_its_slug(app):
    slug = unique("wieder")
    run(app, "create", slug, "--name", "Erstmals")
    add_district(app, slug, "Vorher")  # a pooled connection now knows the town's file
    assert run(app, "delete", slug, "--yes").exit_code == 0

    assert run(app, "create", slug, "--name", "Wieder").exit_code == 0
    add_district(app, slug, "Nachher")

    assert district_names(app, slug) == ["Nachher"]
