"""An applicant registers, confirms by the mailed link, and signs in."""
import re
import time
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e

CONFIRMATION_LINK = re.compile(r"(?:https?://[^\s\"'<>]+)?/konto/bestaetigen/[^\s\"'<>]+")


def wait_for_mail(smtp_server, address: str, seconds: float = 15.0):
    """The first mail to ``address``; delivery happens after the server's commit."""
    deadline = time.monotonic() + seconds
    while not smtp_server.messages_to(address):
        assert time.monotonic() < deadline, f"No mail to {address} within {seconds}s."
        time.sleep(0.1)
    return smtp_server.messages_to(address)[0]


def confirmation_path(message) -> str:
    text = message.get_body(preferencelist=("plain", "html")).get_content()
    found = CONFIRMATION_LINK.search(text)
    assert found, f"No /konto/bestaetigen/… link in the mail:\n{text}"
    link = urlsplit(found.group(0))
    return link.path + (f"?{link.query}" if link.query else "")


def test_an_applicant_registers_confirms_by_mail_and_signs_in(page, smtp_server):
    email, password = "anna.antrag@example.org", "ein-langes-passwort-7"

    page.goto("/registrieren")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=name]").fill("Anna Antrag")
    page.locator("input[name=password]").fill(password)
    page.locator("input[name=password_repeat]").fill(password)
    page.locator("input[name=consent]").check()
    page.get_by_role("main").get_by_role("button", name=re.compile("Registrieren|Konto anlegen")).click()
    expect(page.locator(".field-error")).to_have_count(0)

    mail = wait_for_mail(smtp_server, email)
    page.goto(confirmation_path(mail))
    expect(page.get_by_role("heading", level=1)).not_to_have_text(re.compile("nicht gefunden|Fehler"))

    page.context.clear_cookies()
    page.goto("/login")
    sign_in(page, email, password)
    expect(page.locator(".field-error")).to_have_count(0)
    expect(page.get_by_role("banner").get_by_role("button", name="Abmelden", exact=True)).to_be_visible()
    expect(page.get_by_role("banner").get_by_role("link", name="Anna Antrag")).to_be_visible()
