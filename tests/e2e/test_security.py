"""The Content-Security-Policy in a real browser: our pages and the map run under it, injected code does not."""
from __future__ import annotations

import pytest

from tests.conftest import make_app, unique

pytestmark = pytest.mark.e2e


def published_unit(live_server, tmp_path) -> str:
    """A vacant unit with a point on the map, published exactly, in Stollberg; returns its address."""
    from blueprints.vacancies import services as vacancies
    from tenants import services as tenants
    from tenants.context import tenant_context
    from tenants.db import db

    address = unique("Kartenweg ") + " 5"
    app = make_app(live_server.database_url, tmp_path)
    with app.app_context():
        with tenant_context(tenants.get_tenant("stollberg").info()):
            vacancies.create_unit({"address": address, "publish": "exact", "lat": 50.7079,
                                   "lon": 12.7776})
            db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return address


def test_the_map_draws_its_units_under_the_policy(page, live_server, tmp_path, artifacts):
    address = published_unit(live_server, tmp_path)
    response = page.goto("/stollberg/leerstand")
    assert "script-src 'self';" in response.headers["content-security-policy"]
    page.locator(".unit-map:not([hidden])").wait_for()
    page.locator(".unit-map path.leaflet-interactive").first.wait_for()
    assert page.get_by_text(address).count() >= 1
    page.screenshot(path=str(artifacts / "csp-map.png"), full_page=True)


def test_an_injected_inline_script_does_not_run_and_is_reported(page):
    page.goto("/login")
    page.evaluate("""() => {
        const script = document.createElement("script");
        script.textContent = "window.injected = true;";
        document.body.appendChild(script);
    }""")
    page.wait_for_timeout(200)
    assert page.evaluate("() => window.injected === undefined")
    assert any("script-src" in report for report in page.csp_violations), page.csp_violations
    page.csp_violations.clear()  # provoked on purpose
