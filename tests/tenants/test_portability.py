"""``flask tenants export`` / ``import``: one town's data, portable between backends."""
from __future__ import annotations

import gzip
import itertools
import json
import uuid
from contextlib import contextmanager
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade
from sqlalchemy import func, select

from blueprints.accounts import services as accounts
from blueprints.town.models import District, Page
from tenants import migrations
from tenants import services as tenant_services
from tenants.context import tenant_context
from tenants.db import db, schema_for_slug, tenant_tables
from tenants.models import Membership, User
from tenants.portability import KINDS, column_kind, decode, encode, user_columns
from tenants.sqlite import town_database_path
from tests.conftest import TEST_DATABASE_URL, make_app, scratch_postgres_database, unique

_databases = itertools.count(1)


# --- fresh apps (another database, or the other backend) ---------------------

@contextmanager
def fresh_database_url(backend: str, tmp_path):
    """An empty database of ``backend`` that only the calling test uses."""
    if backend == "sqlite":
        folder = tmp_path / f"fresh{next(_databases)}"
        folder.mkdir()
        yield f"sqlite:///{folder / 'quartier.db'}"
        return
    with scratch_postgres_database(TEST_DATABASE_URL, f"fresh{next(_databases)}_") as url:
        yield url


@contextmanager
def fresh_app(backend: str, tmp_path, **config):
    """A whole app on a fresh database of ``backend``, public schema migrated, no towns."""
    with fresh_database_url(backend, tmp_path) as url:
        application = make_app(url, tmp_path / f"instance{next(_databases)}", **config)
        with application.app_context():
            upgrade(directory=str(application.extensions["migrate"].directory))
        try:
            yield application
        finally:
            with application.app_context():
                db.engine.dispose()


def other_backend(backend: str) -> str:
    return "sqlite" if backend == "postgresql" else "postgresql"


# --- building and reading a town ------------------------------------------------

def run(app, *args):
    return app.test_cli_runner().invoke(args=["tenants", *args])


def build_town(app, slug: str, host: str | None = None) -> dict[str, str]:
    """A town with districts, a page edited by a non-member, a manager and a partner."""
    with app.app_context():
        tenant_services.create_tenant(slug, f"Stadt {slug}", hosts=[host] if host else [],
                                      primary_color="#123456")
        town = tenant_services.get_tenant(slug)
        emails = {role: f"{unique(role)}@example.org" for role in ("manager", "partner", "author")}
        for role in ("manager", "partner"):
            user = accounts.create_user(emails[role], "ein-passwort-1", f"Die {role}")
            accounts.grant_membership(user, town, role)
        author = accounts.create_user(emails["author"], "ein-passwort-1", "Autorin ohne Rolle")
        db.session.commit()
        author_id, info = author.id, town.info()
        with tenant_context(info):
            db.session.add_all([
                District(name="Altstadt", description="Rund um den Markt",
                         created_at=datetime(2025, 3, 1, 9, 30, 15, tzinfo=timezone.utc)),
                District(name="Bahnhofsvorstadt", description="Zwischen Bahnhof und Park"),
                Page(key="impressum", title="Impressum", body="Zeile 1\n\nZeile «2» – äöü",
                     updated_by_id=author_id),
            ])
            db.session.commit()
        db.session.remove()
    return emails


def snapshot(app, slug: str) -> dict:
    """Every row of every tenant table, user ids replaced by e-mails, zones normalised."""
    with app.app_context():
        info = app.extensions["quartier_registry"].by_slug(slug)
        emails = dict(db.session.execute(select(User.id, User.email)).all())
        rows = {}
        with tenant_context(info):
            for table in tenant_tables():
                by_user = set(user_columns(table))
                result = db.session.execute(select(table).order_by(*table.primary_key.columns))
                rows[table.name] = [
                    {key: emails.get(value) if key in by_user else normalise(value)
                     for key, value in row._mapping.items()}
                    for row in result
                ]
        db.session.remove()
    return rows


def normalise(value):
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)  # SQLite gives UTC back without its zone
    return value


def registry_entry(app, slug: str) -> dict:
    with app.app_context():
        town = tenant_services.get_tenant(slug)
        entry = None if town is None else {
            "name": town.name, "plan": town.plan, "status": town.status,
            "primary_color": town.primary_color, "hosts": [h.host for h in town.hosts],
            "revision": town.schema_revision,
            "members": sorted((m.user.email, m.role) for m in db.session.scalars(
                select(Membership).where(Membership.tenant_id == town.id))),
        }
        db.session.remove()
    return entry


def user_count(app) -> int:
    with app.app_context():
        count = db.session.scalar(select(func.count(User.id)))
        db.session.remove()
    return count


def export(app, slug, path):
    result = run(app, "export", slug, str(path))
    assert result.exit_code == 0, result.output
    return result


# --- values --------------------------------------------------------------------

@pytest.mark.parametrize("kind, value", [
    ("datetime", datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=timezone(timedelta(hours=1)))),
    ("naive-datetime", datetime(2026, 1, 2, 3, 4, 5)),
    ("date", date(2026, 2, 28)),
    ("decimal", Decimal("1234.50")),
    ("bytes", b"\x00\xffQuartier"),
    ("uuid", uuid.UUID("12345678-1234-5678-1234-567812345678")),
    ("json", {"a": [1, 2, {"b": None}]}),
    ("plain", "Straße"),
])
def test_every_kind_survives_json(kind, value):
    through_json = json.loads(json.dumps(encode(kind, value)))
    assert decode(kind, through_json) == value


def test_datetimes_are_written_in_utc_with_their_zone():
    assert encode("datetime", datetime(2026, 6, 1, 12, 0, tzinfo=timezone(timedelta(hours=2)))) \
        == "2026-06-01T10:00:00+00:00"
    # SQLite returns zone-less values for zone-aware columns; they are UTC.
    assert encode("datetime", datetime(2026, 6, 1, 12, 0)) == "2026-06-01T12:00:00+00:00"


def test_a_missing_json_value_stays_sql_null():
    assert isinstance(decode("json", None), sa.sql.elements.Null)


def test_kinds_follow_column_types():
    columns = {
        "datetime": sa.Column("a", sa.DateTime(timezone=True)),
        "naive-datetime": sa.Column("b", sa.DateTime()),
        "decimal": sa.Column("c", sa.Numeric(10, 2)),
        "bytes": sa.Column("d", sa.LargeBinary()),
        "json": sa.Column("e", sa.JSON()),
        "plain": sa.Column("f", sa.String(10)),
    }
    assert {kind: column_kind(column) for kind, column in columns.items()} == \
        {kind: kind for kind in columns}
    assert set(KINDS) >= set(columns)


def test_user_references_are_found_through_foreign_keys():
    assert user_columns(Page.__table__) == ["updated_by_id"]
    assert user_columns(District.__table__) == []


# --- export and import ------------------------------------------------------------

def test_round_trip_under_a_new_slug_keeps_rows_ids_users_and_memberships(app, tmp_path):
    source, copy = unique("src"), unique("copy")
    build_town(app, source, host=f"{source}.example.org")
    users_before = user_count(app)
    export(app, source, tmp_path / "town.jsonl.gz")

    result = run(app, "import", str(tmp_path / "town.jsonl.gz"), "--as", copy)

    assert result.exit_code == 0, result.output
    assert snapshot(app, copy) == snapshot(app, source)
    assert user_count(app) == users_before  # matched by e-mail, none created
    imported, original = registry_entry(app, copy), registry_entry(app, source)
    assert imported["members"] == original["members"]
    assert imported["revision"] == migrations.head_revision()
    assert {k: imported[k] for k in ("name", "plan", "status", "primary_color")} == \
        {k: original[k] for k in ("name", "plan", "status", "primary_color")}
    # The host still belongs to the source town: not taken over, but said so.
    assert imported["hosts"] == []
    assert f"Host {source}.example.org belongs to another town" in result.output


def test_export_from_one_backend_imports_into_the_other(app, backend, tmp_path):
    slug = unique("wander")
    emails = build_town(app, slug)
    export(app, slug, tmp_path / "town.jsonl.gz")
    with fresh_app(other_backend(backend), tmp_path) as target:
        with target.app_context():  # other ids there, so user references must be remapped
            for number in range(3):
                accounts.create_user(f"schon-da-{number}@example.org", None)
            accounts.create_user(emails["partner"], "eigenes-passwort", "Schon registriert")
            db.session.commit()

        result = run(target, "import", str(tmp_path / "town.jsonl.gz"))

        assert result.exit_code == 0, result.output
        assert snapshot(target, slug) == snapshot(app, slug)
        assert registry_entry(target, slug)["members"] == registry_entry(app, slug)["members"]
        with target.app_context():
            created = accounts.get_user_by_email(emails["author"])
            kept = accounts.get_user_by_email(emails["partner"])
            assert created.password_hash is None and not created.is_platform_admin
            assert accounts.password_matches(kept, "eigenes-passwort")
            assert kept.name == "Schon registriert"


def test_ids_continue_after_the_imported_rows(app, tmp_path):
    source, copy = unique("seq"), unique("seqcopy")
    build_town(app, source)
    export(app, source, tmp_path / "town.jsonl.gz")
    assert run(app, "import", str(tmp_path / "town.jsonl.gz"), "--as", copy).exit_code == 0
    with app.app_context():
        with tenant_context(app.extensions["quartier_registry"].by_slug(copy)):
            highest = db.session.scalar(select(func.max(District.id)))
            district = District(name="Neu nach dem Import")
            db.session.add(district)
            db.session.commit()
            assert district.id == highest + 1
        db.session.remove()


def test_importing_onto_an_existing_slug_fails_and_changes_nothing(app, tmp_path):
    slug = unique("taken")
    build_town(app, slug)
    export(app, slug, tmp_path / "town.jsonl.gz")
    before = snapshot(app, slug), registry_entry(app, slug), user_count(app)

    result = run(app, "import", str(tmp_path / "town.jsonl.gz"))

    assert result.exit_code == 1
    assert f"A town {slug} exists already" in result.output and "--as" in result.output
    assert "Traceback" not in result.output
    assert (snapshot(app, slug), registry_entry(app, slug), user_count(app)) == before


def test_a_cut_off_file_is_refused_and_leaves_nothing_behind(app, backend, tmp_path):
    source, copy = unique("cut"), unique("cutcopy")
    build_town(app, source)
    export(app, source, tmp_path / "town.jsonl.gz")
    with gzip.open(tmp_path / "town.jsonl.gz", "rt", encoding="utf-8") as handle:
        lines = handle.readlines()
    with gzip.open(tmp_path / "cut.jsonl.gz", "wt", encoding="utf-8") as handle:
        handle.writelines(lines[:-1])  # without the end marker
    with app.app_context():  # a member unknown here would be created by the import
        db.session.delete(accounts.get_user_by_email(json.loads(lines[0])["memberships"][0]["email"]))
        db.session.commit()
    users_before = user_count(app)

    result = run(app, "import", str(tmp_path / "cut.jsonl.gz"), "--as", copy)

    assert result.exit_code == 1
    assert "cut off" in result.output
    assert registry_entry(app, copy) is None
    assert user_count(app) == users_before
    assert not schema_exists(app, schema_for_slug(copy))


def test_a_file_that_is_no_export_is_refused(app, tmp_path):
    (tmp_path / "note.txt").write_text("kein Export")
    result = run(app, "import", str(tmp_path / "note.txt"), "--as", unique("nix"))
    assert result.exit_code == 1
    assert "cannot be read as a town export" in result.output


def test_the_file_holds_no_password_hashes_and_names_its_revision(app, tmp_path):
    slug = unique("secret")
    emails = build_town(app, slug)
    export(app, slug, tmp_path / "town.jsonl.gz")
    with gzip.open(tmp_path / "town.jsonl.gz", "rt", encoding="utf-8") as handle:
        text = handle.read()
    header = json.loads(text.splitlines()[0])
    assert "argon2" not in text and "password" not in text
    assert header["revision"] == migrations.head_revision()
    assert {u["email"] for u in header["users"]} == set(emails.values())
    assert [t["name"] for t in header["tables"]] == [t.name for t in tenant_tables()]


def test_exporting_an_unknown_town_says_so(app, tmp_path):
    result = run(app, "export", "gibt-es-nicht", str(tmp_path / "x.jsonl.gz"))
    assert result.exit_code == 1
    assert "Unknown town: gibt-es-nicht" in result.output
    assert not (tmp_path / "x.jsonl.gz").exists()


def schema_exists(app, schema: str) -> bool:
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            return town_database_path(str(db.engine.url), schema).exists()
        with db.engine.connect() as connection:
            return connection.execute(
                sa.text("SELECT 1 FROM information_schema.schemata WHERE schema_name = :s"),
                {"s": schema}).first() is not None


def test_an_export_from_newer_code_is_refused(app, tmp_path):
    slug = unique("zukunft")
    build_town(app, slug)
    export(app, slug, tmp_path / "town.jsonl.gz")
    with gzip.open(tmp_path / "town.jsonl.gz", "rt", encoding="utf-8") as handle:
        header, *rest = handle.readlines()
    with gzip.open(tmp_path / "future.jsonl.gz", "wt", encoding="utf-8") as handle:
        handle.write(json.dumps({**json.loads(header), "revision": "t9999"}) + "\n")
        handle.writelines(rest)

    result = run(app, "import", str(tmp_path / "future.jsonl.gz"), "--as", unique("neu"))

    assert result.exit_code == 1
    assert "revision t9999, which this code does not know" in result.output


def test_an_invalid_new_slug_is_refused(app, tmp_path):
    slug = unique("quelle")
    build_town(app, slug)
    export(app, slug, tmp_path / "town.jsonl.gz")
    result = run(app, "import", str(tmp_path / "town.jsonl.gz"), "--as", "plattform")
    assert result.exit_code == 1 and "is reserved" in result.output
