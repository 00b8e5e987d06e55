"""Importing a town's list: map, check every row, import all or nothing, update on a second run;
exports that read back."""
from __future__ import annotations

import io
import json
from decimal import Decimal

from sqlalchemy import func, select

from blueprints.vacancies.models import Unit, UnitImport
from blueprints.vacancies.spreadsheet_checks import suggest_mapping, validate_rows
from blueprints.vacancies.spreadsheet_reading import read_table
from tenants.context import tenant_context
from tenants.db import db
from tests.conftest import unique

GERMAN_HEADER = "Nr;Adresse;PLZ;Fläche m²;Kaltmiete;Status;leer seit;Eigentümer;Veröffentlichen\n"


def german_csv(rows: list[str], header: str = GERMAN_HEADER) -> bytes:
    """What German Excel writes: semicolons, decimal commas, Windows-1252."""
    return (header + "\n".join(rows) + "\n").encode("cp1252")


def upload(client, town, data: bytes, filename: str):
    return client.post(f"/{town.slug}/verwaltung/leerstand/import", data={
        "spreadsheet": (io.BytesIO(data), filename)}, content_type="multipart/form-data")


def import_id_from(response) -> int:
    return int(response.location.rstrip("/").rsplit("/", 1)[1])


def confirm(client, town, import_id, mapping: list[str | None] | None = None):
    """Post the mapping the page suggested (or ``mapping``), as the manager's click does."""
    page = client.get(f"/{town.slug}/verwaltung/leerstand/import/{import_id}").text
    data = {}
    if mapping is None:
        import re
        for index, chosen in re.findall(r'name="column-(\d+)">.*?(?:<option value="(\w+)" selected)', page, re.S):
            data[f"column-{index}"] = chosen
    else:
        data = {f"column-{index}": name or "" for index, name in enumerate(mapping)}
    return client.post(f"/{town.slug}/verwaltung/leerstand/import/{import_id}", data=data,
                       follow_redirects=True)


def units_with_reference(app, town, prefix) -> list[Unit]:
    with app.app_context(), tenant_context(town):
        units = db.session.scalars(select(Unit).where(Unit.reference.like(f"{prefix}%"))
                                   .order_by(Unit.reference)).all()
        for unit in units:
            _ = unit.owner, unit.history
        db.session.expunge_all()
        return units


def test_a_german_excel_csv_is_mapped_previewed_imported_and_a_second_run_updates(
        client, towns, login_as, app):
    login_as("manager", towns.a)
    prefix = unique("L")
    rows = [f"{prefix}-1;Hauptstraße 5;09366;45,5;480,00;leer;01.03.2025;Familie Köhler;ja",
            f"{prefix}-2;Markt 2;09366;1.200;1.250,50;vermietet;;Stadtwerke;nein"]
    response = upload(client, towns.a, german_csv(rows), "leerstand.csv")
    assert response.status_code == 302
    import_id = import_id_from(response)
    page = client.get(response.location).text
    assert "Hauptstraße 5" in page and "Familie Köhler" in page  # the preview, umlauts intact
    assert 'value="area_sqm" selected' in page and 'value="owner_name" selected' in page
    done = confirm(client, towns.a, import_id)
    assert "Import abgeschlossen: 2 neu angelegt, 0 aktualisiert." in done.text
    first, second = units_with_reference(app, towns.a, prefix)
    assert (first.address, first.area_sqm, first.rent_eur_month) == ("Hauptstraße 5", Decimal("45.50"), Decimal("480.00"))
    assert first.status == "vacant" and first.vacant_since.isoformat() == "2025-03-01"
    assert first.owner.name == "Familie Köhler" and first.publish == "exact"
    assert second.area_sqm == Decimal("1200") and second.status == "let"

    rows[0] = rows[0].replace("480,00", "450,00").replace(";leer;", ";in Verhandlung;")
    again = upload(client, towns.a, german_csv(rows), "leerstand.csv")
    done = confirm(client, towns.a, import_id_from(again))
    assert "Import abgeschlossen: 0 neu angelegt, 2 aktualisiert." in done.text
    first, _second = units_with_reference(app, towns.a, prefix)
    assert first.rent_eur_month == Decimal("450.00") and first.status == "negotiating"
    assert [change.status for change in first.history] == ["vacant", "negotiating"]


def test_a_bad_row_is_reported_by_row_column_and_problem_and_nothing_is_imported(
        client, towns, login_as, app):
    login_as("manager", towns.b)
    prefix = unique("B")
    rows = [f"{prefix}-1;Bahnhofstraße 1;09366;50;400;leer;;;ja",
            f"{prefix}-2;;09366;viel;400;leer;;;ja",
            f"{prefix}-3;Ring 3;09366;60;400;kaputt;31.02.2025;;ja"]
    import_id = import_id_from(upload(client, towns.b, german_csv(rows), "liste.csv"))
    report = confirm(client, towns.b, import_id)
    assert report.status_code == 422
    text = report.text
    assert "Es wurde nichts übernommen" in text
    assert "<td>3</td><td>Adresse</td>" in text and "<td>3</td><td>Fläche m²</td>" in text
    assert "„viel“ ist keine Zahl." in text
    assert "<td>4</td><td>Status</td>" in text and "<td>4</td><td>leer seit</td>" in text
    assert units_with_reference(app, towns.b, prefix) == []  # not even the good first row


def test_unusable_files_are_refused_with_a_clear_message(client, towns, login_as):
    login_as("manager", towns.a)
    for data, filename, message in (
            (b"PK\x03\x04kaputt", "liste.xlsx", "keine gültige XLSX-Datei"),
            (b"", "liste.csv", "leer"),
            (b"%PDF-1.4", "liste.pdf", "Dateiformat")):
        response = upload(client, towns.a, data, filename)
        assert response.status_code == 422 and message in response.text, filename


def test_wrong_columns_are_explained_when_no_column_holds_the_address(client, towns, login_as):
    login_as("manager", towns.a)
    data = german_csv(["1;2;3"], header="Spalte A;Spalte B;Spalte C\n")
    import_id = import_id_from(upload(client, towns.a, data, "x.csv"))
    response = confirm(client, towns.a, import_id, mapping=[None, None, None])
    assert response.status_code == 422 and "Bitte eine Spalte der Adresse zuordnen." in response.text


def test_twenty_thousand_rows_import_in_one_go(client, towns, login_as, app, backend):
    login_as("manager", towns.b)
    prefix = unique("G")
    rows = [f"{prefix}-{n:05d};Lange Straße {n};09366;{40 + n % 50},5;{300 + n % 700},00;leer;;Eigner {n % 40};nein"
            for n in range(20_000)]
    response = upload(client, towns.b, german_csv(rows), "gross.csv")
    done = confirm(client, towns.b, import_id_from(response))
    assert "Import abgeschlossen: 20000 neu angelegt" in done.text or \
        "Import abgeschlossen: 20.000 neu angelegt" in done.text
    with app.app_context(), tenant_context(towns.b):
        count = db.session.scalar(select(func.count()).select_from(Unit)
                                  .where(Unit.reference.like(f"{prefix}%")))
        assert count == 20_000
        finished = db.session.scalars(select(UnitImport).order_by(UnitImport.id.desc())).first()
        assert finished.status == "done" and finished.processed_rows == 20_000


def test_the_exports_read_back_as_the_register(client, towns, login_as, create_unit):
    prefix = unique("E")
    create_unit(towns.a, reference=f"{prefix}-1", address="Schillerplatz 1", area_sqm=Decimal("75.25"),
                rent_eur_month=Decimal("1234.50"), lat=50.7, lon=12.78, tags=["Ecke"])
    login_as("manager", towns.a)
    csv_export = client.get(f"/{towns.a.slug}/verwaltung/leerstand/export.csv")
    assert csv_export.status_code == 200 and csv_export.headers["Content-Disposition"].startswith("attachment")
    xlsx_export = client.get(f"/{towns.a.slug}/verwaltung/leerstand/export.xlsx")
    for data, name in ((csv_export.data, "x.csv"), (xlsx_export.data, "x.xlsx")):
        table = read_table(data, name)
        mapping = suggest_mapping(table.headers)
        records = validate_rows(table, mapping, districts={}).records
        [record] = [r for r in records if r.get("reference") == f"{prefix}-1"]
        assert record["area_sqm"] == Decimal("75.25") and record["rent_eur_month"] == Decimal("1234.50")
        assert record["tags"] == ["Ecke"] and record["address"] == "Schillerplatz 1"
    geojson = json.loads(client.get(f"/{towns.a.slug}/verwaltung/leerstand/export.geojson").data)
    [feature] = [f for f in geojson["features"] if f["properties"].get("reference") == f"{prefix}-1"]
    assert feature["geometry"]["coordinates"] == [12.78, 50.7]


def test_a_running_import_shows_its_progress_from_the_worker(database_url, tmp_path, fresh_redis,
                                                            towns, client, login_as):
    from blueprints.vacancies import imports
    from tests.conftest import make_app

    worker_side = make_app(database_url, tmp_path, REDIS_URL=fresh_redis.url)
    login_as("manager", towns.a)
    data = "Adresse\nA 1\nB 2\nC 3\nD 4\n".encode()
    import_id = import_id_from(upload(client, towns.a, data, "klein.csv"))
    with worker_side.test_request_context(), tenant_context(towns.a):
        unit_import = db.session.get(UnitImport, import_id)
        unit_import.status = "running"  # as if the check passed and a worker took it
        db.session.commit()
        imports._report_progress(unit_import, 3)
        assert imports.import_progress(unit_import)["done"] == 3
    page = client.get(f"/{towns.a.slug}/verwaltung/leerstand/import/{import_id}").text
    assert "<progress" in page and "data-reload-when-finished" in page
    with worker_side.app_context(), tenant_context(towns.a):  # no worker will take it: leave none waiting
        db.session.get(UnitImport, import_id).status = "failed"
        db.session.commit()
    with worker_side.app_context():
        db.engine.dispose()



def test_an_import_confirmed_while_redis_is_down_runs_once_when_it_is_back(
        database_url, tmp_path, fresh_redis, towns, create_user):
    """Nothing waits forever: the relay queues the import, and a second run imports nothing twice."""
    from rq import Queue, SimpleWorker

    from blueprints.vacancies import imports
    from tenants.jobs import serve_jobs_for
    from tenants.redis_link import redis_connection
    from tests.conftest import login, make_app

    app = make_app(database_url, tmp_path, REDIS_URL=fresh_redis.url)
    client = app.test_client()
    login(client, create_user(role="manager", town=towns.a))
    street = unique("Relaisweg ")
    import_id = import_id_from(upload(client, towns.a, f"Adresse\n{street} 1\n{street} 2\n".encode(),
                                      "relais.csv"))
    fresh_redis.stop()
    assert confirm(client, towns.a, import_id).status_code == 200  # the import page, as with Redis up

    def state():
        with app.app_context(), tenant_context(towns.a):
            unit_import = db.session.get(UnitImport, import_id)
            units = db.session.scalar(select(func.count(Unit.id)).where(Unit.address.startswith(street)))
            db.session.rollback()
            return unit_import.status, units

    assert state() == ("running", 0)  # checked, waiting for a worker
    fresh_redis.start()
    with app.app_context():
        serve_jobs_for(app)
        queue = Queue("default", connection=redis_connection(app))
        assert imports.relay_waiting_imports(0) == 1
        assert imports.relay_waiting_imports(0) == 0  # its job waits already: not queued twice
        assert queue.job_ids == [f"run_import-town{towns.a.id}-{import_id}"]
        SimpleWorker([queue], connection=redis_connection(app)).work(burst=True)
        assert imports.relay_waiting_imports(0) == 0
    assert state() == ("done", 2)
    with app.app_context():
        db.engine.dispose()
