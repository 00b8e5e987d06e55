"""The application form in a real browser: every step is usable and accessible."""
from __future__ import annotations

import pytest

from tests.e2e.conftest import axe_violations, describe

pytestmark = pytest.mark.e2e


def test_every_step_of_the_application_form_is_accessible(page):
    page.goto("/stollberg/zwischennutzung/bewerben")
    page.wait_for_url("**/bewerben/bewerber")
    checked = []
    for step in ("bewerber", "konzept", "flaeche", "unterlagen", "absenden"):
        page.goto(f"/stollberg/zwischennutzung/bewerben/{step}")
        violations = axe_violations(page)
        assert not violations, f"axe-core on step {step}:\n{describe(violations)}"
        checked.append(step)
    # An error is announced and tied to its field.
    page.goto("/stollberg/zwischennutzung/bewerben/bewerber")
    page.get_by_role("button", name="Speichern und weiter").click()
    page.get_by_role("alert").wait_for()
    name = page.get_by_label("Ihr Name")
    assert name.get_attribute("aria-invalid") == "true"
    violations = axe_violations(page)
    assert not violations, f"axe-core on the step with errors:\n{describe(violations)}"
    assert len(checked) == 5
