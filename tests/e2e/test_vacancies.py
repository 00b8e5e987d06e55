"""End to end: staff import their list, edit and publish a unit; a visitor finds it and
reads the exposé. axe-core checks the public pages."""
from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from tests.e2e.conftest import axe_violations, describe, sign_in

pytestmark = pytest.mark.e2e

SPREADSHEET = ("Nr;Adresse;PLZ;Fläche m²;Kaltmiete;Nutzung;Status;Eigentümer\n"
               "E2E-1;Töpfergasse 3;09366;48,5;420,00;Einzelhandel;leer;Familie Weber\n"
               "E2E-2;Rathausstraße 11;09366;95;890,00;Gastronomie;leer;Stadtwerke\n").encode("cp1252")


def test_staff_import_edit_and_publish_and_a_visitor_finds_the_unit(page, browser, live_server):
    page.goto("/login?next=/stollberg/verwaltung/leerstand/import")
    sign_in(page, live_server.manager.email, live_server.manager.password)
    page.wait_for_url("**/verwaltung/leerstand/import")
    page.get_by_label("Tabelle (CSV oder XLSX)").set_input_files(
        {"name": "leerstand.csv", "mimeType": "text/csv", "buffer": SPREADSHEET})
    page.get_by_role("button", name="Hochladen").click()
    page.get_by_role("heading", name="Spalten zuordnen").wait_for()
    preview = page.get_by_role("region", name="Vorschau der ersten Zeilen")
    assert preview.get_by_role("cell", name="Töpfergasse 3").count() == 1
    page.get_by_role("button", name="Prüfen und importieren").click()
    page.get_by_text("Import abgeschlossen: 2 neu angelegt, 0 aktualisiert.").wait_for()

    page.goto("/stollberg/verwaltung/leerstand/?suche=Töpfergasse")
    page.get_by_role("link", name="Töpfergasse 3").click()
    page.get_by_role("link", name="Bearbeiten").click()
    page.get_by_label("Veröffentlichung (Einwilligung der Eigentümer:in)").select_option("exact")
    page.get_by_label("Öffentliche Beschreibung").fill("Helles Ladenlokal mit zwei Schaufenstern.")
    page.get_by_role("button", name="Speichern").click()
    page.get_by_text("Gespeichert.").wait_for()

    visitor = browser.new_context(base_url=live_server.url, locale="de-DE")
    public = visitor.new_page()
    try:
        public.goto("/stollberg/leerstand")
        public.get_by_label("Nutzung").select_option("retail")
        public.get_by_label("Fläche bis (m²)").fill("60")
        public.get_by_role("button", name="Filtern").click()
        public.get_by_role("link", name="Töpfergasse 3, 09366").click()
        public.get_by_text("Helles Ladenlokal mit zwei Schaufenstern.").wait_for()
        violations = axe_violations(public)
        assert not violations, f"axe-core on the unit page:\n{describe(violations)}"
        href = public.get_by_role("link", name="Exposé als PDF").get_attribute("href")
        exposé = visitor.request.get(live_server.url + href)
        assert exposé.ok and exposé.headers["content-type"] == "application/pdf"
        text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(exposé.body())).pages)
        assert "Töpfergasse 3" in text and "48,5 m²" in text and "420,00 €" in text
        assert "Rathausstraße" not in public.content()  # filtered out: gastronomy, 95 m²
    finally:
        visitor.close()


@pytest.mark.parametrize("path", ["/stollberg/leerstand", "/stollberg/leerstand/melden",
                                  "/stollberg/standort"])
def test_public_vacancy_pages_have_no_serious_accessibility_problems(page, path):
    page.goto(path)
    violations = axe_violations(page)
    assert not violations, f"axe-core on {path}:\n{describe(violations)}"


@pytest.mark.parametrize("path", ["/stollberg/verwaltung/leerstand/", "/stollberg/verwaltung/leerstand/neu",
                                  "/stollberg/verwaltung/leerstand/import",
                                  "/stollberg/verwaltung/akteure/", "/stollberg/verwaltung/standort"])
def test_staff_vacancy_pages_have_no_serious_accessibility_problems(page, live_server, path):
    page.goto(f"/login?next={path}")
    sign_in(page, live_server.manager.email, live_server.manager.password)
    page.wait_for_url(f"**{path}")
    violations = axe_violations(page)
    assert not violations, f"axe-core on {path}:\n{describe(violations)}"
