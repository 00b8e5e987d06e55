"""Thin handlers for the global pages."""
from flask import abort, redirect, render_template, request, session, url_for

from blueprints.core import services
from tenants.access import public
from tenants.resolver import registry


@public
def index():
    towns = [town for town in registry().all() if town.is_active]
    return render_template("core/index.html", towns=towns)


@public
def healthz():
    return {"status": "ok"}


@public
def readyz():
    checks = services.readiness()
    failing = [name for name, check in checks.items() if not check["ok"]]
    answer = {"status": "unavailable" if failing else "ok", "checks": checks}
    if failing:
        answer["failing"] = failing  # e.g. ["redis"]: what the operator has to bring back
    return answer, 503 if failing else 200


@public
def set_language(lang):
    if lang not in ("de", "en"):
        abort(404)
    session["lang"] = lang
    target = request.args.get("next", "")
    return redirect(target if services.is_local_path(target) else url_for("core.index"))
