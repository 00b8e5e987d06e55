"""Spreadsheet imports: upload, map the columns, check every row, then import all or nothing.

The file is kept as an attachment of the town. Checking runs in the request
(20,000 rows take about a second); importing runs as a job on the default
queue, which reports its progress to Redis for the staff page's bar.
"""
from __future__ import annotations

import hashlib
import json
import uuid
from datetime import timedelta
from pathlib import Path

from flask import (
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from sqlalchemy import select

from blueprints.actors import services as actors
from blueprints.attachments import services as attachments
from blueprints.attachments.models import Attachment
from blueprints.town import services as town
from blueprints.vacancies import services
from blueprints.vacancies.forms import ImportUploadForm
from blueprints.vacancies.models import Unit, UnitImport
from blueprints.vacancies.spreadsheet_checks import suggest_mapping, validate_rows
from blueprints.vacancies.spreadsheet_fields import FIELDS
from blueprints.vacancies.spreadsheet_reading import SpreadsheetError, read_table
from tenants.access import requires
from tenants.current import current_tenant
from tenants.db import db
from tenants.jobs import enqueue_after_commit, enqueue_now, in_every_town, job, relay
from tenants.models import utcnow
from tenants.redis_link import redis_connection, redis_failed, redis_is_down

SPREADSHEET_TYPES = {".csv": "text/csv", ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
PREVIEW_ROWS = 10
PROGRESS_EVERY_ROWS = 500
PROGRESS_TTL_SECONDS = 24 * 3600


# --- views ---------------------------------------------------------------------------

@requires("town.manage")
def upload():
    form = ImportUploadForm()
    if form.validate_on_submit():
        data, filename = form.spreadsheet.data.read(), form.spreadsheet.data.filename or ""
        try:
            table = read_table(data, filename)
        except SpreadsheetError as problem:
            form.spreadsheet.errors.append(str(problem))
        else:
            unit_import = start_import(data, filename, table, by_user_id=current_user.id)
            db.session.commit()
            return redirect(url_for("vacancies.import_show", import_id=unit_import.id))
    return render_template("vacancies/import_upload.html", form=form), 422 if form.errors else 200


@requires("town.manage")
def show(import_id):
    unit_import = db.session.get(UnitImport, import_id) or abort(404)
    table = _table_of(unit_import)
    if request.method == "POST" and unit_import.status in ("uploaded", "invalid"):
        mapping = {header: request.form.get(f"column-{index}") or None
                   for index, header in enumerate(table.headers)}
        try:
            ready = check_import(unit_import, table, mapping)
        except SpreadsheetError as problem:
            flash(str(problem), "error")
            return _import_page(unit_import, table), 422
        db.session.commit()
        if not ready:
            return _import_page(unit_import, table), 422
        return redirect(url_for("vacancies.import_show", import_id=unit_import.id))
    return _import_page(unit_import, table)


@requires("town.manage")
def progress(import_id):
    unit_import = db.session.get(UnitImport, import_id) or abort(404)
    return jsonify(import_progress(unit_import))


def _import_page(unit_import, table):
    return render_template("vacancies/import_show.html", unit_import=unit_import, table=table,
                           preview=table.rows[:PREVIEW_ROWS], fields=FIELDS,
                           progress=import_progress(unit_import))


# --- the steps ---------------------------------------------------------------------------

def start_import(data: bytes, filename: str, table, *, by_user_id: int | None) -> UnitImport:
    """Keep the file and suggest a mapping of its columns."""
    suffix = Path(filename).suffix.lower()
    stored = Attachment(filename=filename[:255], content_type=SPREADSHEET_TYPES.get(suffix, "text/csv"),
                        size=len(data), sha256=hashlib.sha256(data).hexdigest(),
                        storage_key=f"import-{uuid.uuid4().hex}{suffix}")
    path = attachments.file_path(stored)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    db.session.add(stored)
    unit_import = UnitImport(filename=filename[:255], attachment=stored, status="uploaded",
                             total_rows=len(table.rows), by_user_id=by_user_id,
                             mapping=suggest_mapping(table.headers), problems=[])
    db.session.add(unit_import)
    return unit_import


def check_import(unit_import: UnitImport, table, mapping: dict) -> bool:
    """Check every row with ``mapping``; queue the import if all pass (after the commit)."""
    unit_import.mapping = mapping
    validation = validate_rows(table, mapping, districts=_districts_by_name())
    unit_import.problems = [{"row": p.row, "column": p.column, "message": str(p.message)}
                            for p in validation.problems]
    if validation.problems:
        unit_import.status = "invalid"
        return False
    unit_import.status = "running"
    enqueue_after_commit(run_import, unit_import.id)
    return True


@relay
def relay_waiting_imports(older_than_seconds: float = 10) -> int:
    """Queue again the imports checked but never run (Redis was down, or their worker died).

    A job still waiting or running is skipped; one queued twice anyway imports
    once, as ``run_import`` only takes an import that is still ``running``.
    """
    def queue_waiting() -> int:
        cutoff = utcnow() - timedelta(seconds=older_than_seconds)
        waiting = list(db.session.scalars(select(UnitImport.id).where(
            UnitImport.status == "running", UnitImport.created_at <= cutoff)))
        db.session.rollback()  # nothing to write; end the read before talking to Redis
        return sum(enqueue_now(run_import, import_id, skip_if_waiting=True) for import_id in waiting)

    return in_every_town(queue_waiting, "waiting imports")


@job("default", timeout=1800)
def run_import(import_id: int) -> None:
    """Import every row in one transaction: all rows land, or none.

    The import's row stays locked until that transaction ends, so a second run
    of the same job (the relay, two workers) skips it, and a run that died
    leaves it ``running`` for the relay to queue again.
    """
    unit_import = db.session.scalars(select(UnitImport).where(
        UnitImport.id == import_id, UnitImport.status == "running")
        .with_for_update(skip_locked=True)).first()
    if unit_import is None:
        return
    table = _table_of(unit_import)
    validation = validate_rows(table, unit_import.mapping,
                                            districts=_districts_by_name())
    if validation.problems:  # the districts changed since the check
        _fail(unit_import, [{"row": p.row, "column": p.column, "message": str(p.message)}
                            for p in validation.problems])
        return
    try:
        created, updated = apply_records(validation.records, unit_import)
    except Exception as error:
        db.session.rollback()
        unit_import = db.session.get(UnitImport, import_id)
        _fail(unit_import, [{"row": 0, "column": "", "message": f"{type(error).__name__}: {error}"}])
        raise
    unit_import.status, unit_import.finished_at = "done", utcnow()
    unit_import.processed_rows = unit_import.total_rows
    unit_import.created_count, unit_import.updated_count = created, updated
    db.session.commit()
    _report_progress(unit_import, unit_import.total_rows)


def apply_records(records: list[dict], unit_import: UnitImport) -> tuple[int, int]:
    """Create or update a unit per record; a known reference or address updates."""
    by_reference, by_address = _existing_units()
    owners = actors.actors_by_name()
    created = updated = 0
    for number, record in enumerate(records, start=1):
        values = _unit_values(record, owners)
        unit = (by_reference.get(values.get("reference")) if values.get("reference") else None) \
            or by_address.get(_address_key(values["address"], values.get("postcode", "")))
        status = record.get("status")
        if unit is None:
            unit = services.create_unit(values, status=status or "vacant",
                                        status_on=record.get("vacant_since"),
                                        by_user_id=unit_import.by_user_id)
            by_address[_address_key(unit.address, unit.postcode)] = unit
            created += 1
        else:
            services.update_unit(unit, values, by_user_id=unit_import.by_user_id)
            if status:
                services.change_status(unit, status, on=record.get("vacant_since"),
                                       by_user_id=unit_import.by_user_id)
            updated += 1
        if values.get("reference"):
            by_reference[values["reference"]] = unit
        if number % PROGRESS_EVERY_ROWS == 0:
            db.session.flush()
            _report_progress(unit_import, number)
    return created, updated


def _unit_values(record: dict, owners: dict) -> dict:
    values = {name: value for name, value in record.items() if name in services.UNIT_FIELDS}
    if record.get("owner_name"):
        values["owner_id"] = None
        owner = actors.find_or_create_owner(record["owner_name"], record.get("owner_email") or "",
                                            record.get("owner_phone") or "", known=owners)
        if owner.id is None:
            db.session.flush()
        values["owner_id"] = owner.id
    if record.get("vacant_since"):
        values["vacant_since"] = record["vacant_since"]
    return values


def _existing_units() -> tuple[dict, dict]:
    units = db.session.scalars(select(Unit)).all()
    return ({unit.reference: unit for unit in units if unit.reference},
            {_address_key(unit.address, unit.postcode): unit for unit in units})


def _address_key(address: str, postcode: str | None) -> tuple[str, str]:
    return " ".join(address.lower().replace("str.", "straße").split()), (postcode or "").strip()


def _districts_by_name() -> dict[str, int]:
    return {district.name.lower(): district.id for district in town.list_districts()}


def _table_of(unit_import: UnitImport):
    if unit_import.attachment is None:
        abort(404)
    data = attachments.file_path(unit_import.attachment).read_bytes()
    return read_table(data, unit_import.filename)


def _fail(unit_import: UnitImport, problems: list[dict]) -> None:
    unit_import.status, unit_import.problems, unit_import.finished_at = "failed", problems, utcnow()
    db.session.commit()


# --- progress ------------------------------------------------------------------------------

def _progress_key(import_id: int) -> str:
    return f"quartier:import-progress:{current_tenant().id}:{import_id}"


def _report_progress(unit_import: UnitImport, done: int) -> None:
    """Tell the staff page how far the import is (Redis; the transaction is still open)."""
    app = current_app._get_current_object()
    if not app.config.get("REDIS_URL") or redis_is_down(app):
        return  # in-process, the import ends before the page is shown again
    try:
        redis_connection(app).set(_progress_key(unit_import.id), json.dumps(done),
                                  ex=PROGRESS_TTL_SECONDS)
    except Exception as exc:  # progress is a courtesy; the import itself must not fail for it
        redis_failed(app, exc)


def import_progress(unit_import: UnitImport) -> dict:
    done = unit_import.processed_rows
    app = current_app._get_current_object()
    if unit_import.status == "running" and app.config.get("REDIS_URL"):
        done = 0
        if not redis_is_down(app):
            try:
                reported = redis_connection(app).get(_progress_key(unit_import.id))
                done = json.loads(reported) if reported else 0
            except Exception as exc:
                redis_failed(app, exc)
    total = unit_import.total_rows
    return {"status": unit_import.status, "total": total, "done": done,
            "percent": 100 if not total else int(100 * done / total),
            "finished": unit_import.status in ("done", "failed", "invalid", "uploaded"),
            "created": unit_import.created_count, "updated": unit_import.updated_count}
