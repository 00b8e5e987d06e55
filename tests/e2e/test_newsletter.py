"""The newsletter in a real browser: a visitor subscribes and confirms, the manager sends a
campaign (confirming the number of recipients first), the visitor receives it and unsubscribes
in one click; the public pages and the send confirmation pass axe-core."""
import re
import time
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import axe_violations, describe, sign_in

pytestmark = pytest.mark.e2e

CONFIRM_LINK = re.compile(r"https?://\S+/newsletter/bestaetigen/[\w-]+")


def wait_for_mails(smtp_server, address: str, count: int, seconds: float = 15.0) -> list:
    """The mails to ``address`` once there are ``count``; delivery follows the server's commit."""
    deadline = time.monotonic() + seconds
    while len(smtp_server.messages_to(address)) < count:
        assert time.monotonic() < deadline, f"Fewer than {count} mails to {address} within {seconds}s."
        time.sleep(0.1)
    return smtp_server.messages_to(address)


def plain_text(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def test_a_visitor_subscribes_confirms_receives_a_campaign_and_unsubscribes_in_one_click(
        page, browser, live_server, smtp_server, artifacts):
    email = "nina.nachbarin@example.org"

    page.goto("/stollberg/newsletter")
    page.get_by_label("Ihre E-Mail-Adresse").fill(email)
    page.get_by_label("Anwohner:innen").check()
    page.get_by_label(re.compile("Ja, ich möchte die gewählten Newsletter von Stollberg")).check()
    page.get_by_role("button", name="Newsletter bestellen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bitte bestätigen Sie Ihre E-Mail-Adresse")

    [confirmation] = wait_for_mails(smtp_server, email, 1)
    page.goto(urlsplit(CONFIRM_LINK.search(plain_text(confirmation)).group(0)).path)
    page.get_by_role("button", name="Ja, Newsletter bestätigen").click()
    expect(page.get_by_role("status")).to_contain_text("Sie erhalten jetzt den Newsletter von Stollberg")

    manager = page.context.browser.new_context(base_url=live_server.url, locale="de-DE").new_page()
    manager.goto("/login")
    sign_in(manager, live_server.manager.email, live_server.manager.password)
    manager.goto("/stollberg/verwaltung/newsletter/aktuelles/neu")
    manager.get_by_label("Titel").fill("Neue Bänke am Markt")
    manager.get_by_label("Text").fill("Ab **heute** stehen zwölf neue Bänke am Markt.")
    manager.get_by_label("Im nächsten Newsletter mitschicken").check()
    manager.get_by_role("button", name="Speichern").click()
    manager.goto("/stollberg/verwaltung/newsletter/kampagnen/neu")
    manager.get_by_label("Betreff").fill("Frühlingsfest in der Altstadt")
    manager.get_by_label("Text", exact=True).fill("Kommen Sie am **Samstag** auf den Markt!")
    manager.get_by_role("group", name="An die Listen").get_by_label("Anwohner:innen").check()
    manager.get_by_role("button", name="Speichern").click()
    expect(manager.get_by_role("heading", level=1)).to_have_text("Frühlingsfest in der Altstadt")
    manager.get_by_label("jetzt senden").check()
    manager.get_by_role("button", name="Versenden").click()
    # Nothing goes out before the manager has seen to how many it would go.
    expect(manager.get_by_role("heading", level=1)).to_have_text("An 1 Empfänger:in senden?")
    assert smtp_server.messages_to(email) == [confirmation]
    violations = axe_violations(manager)
    assert not violations, f"axe-core on the send confirmation:\n{describe(violations)}"
    manager.get_by_role("button", name="Ja, jetzt senden").click()
    expect(manager.locator(".flashes")).to_contain_text("Die Kampagne geht an 1 Empfänger:in.")
    expect(manager.get_by_test_id("delivered")).to_have_text("1", timeout=10_000)
    manager.screenshot(path=str(artifacts / "newsletter-campaign.png"), full_page=True)
    manager.context.close()

    campaign = wait_for_mails(smtp_server, email, 2)[1]
    assert campaign["Subject"] == "Frühlingsfest in der Altstadt"
    assert "Neue Bänke am Markt" in plain_text(campaign)  # the news flagged for this campaign
    assert campaign["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = re.search(r"Abbestellen: (\S+)", plain_text(campaign)).group(1)
    assert f"<{unsubscribe}>" == campaign["List-Unsubscribe"].strip()  # a folded header keeps a space

    page.goto(urlsplit(unsubscribe).path)
    violations = axe_violations(page)
    assert not violations, f"axe-core on the unsubscribe page:\n{describe(violations)}"
    page.get_by_role("button", name="Newsletter abbestellen").click()
    expect(page.get_by_role("status")).to_contain_text(f"{email} erhält keinen Newsletter von Stollberg mehr.")


@pytest.mark.parametrize("path", ["/stollberg/newsletter", "/stollberg/aktuelles"])
def test_the_public_newsletter_and_news_pages_have_no_serious_accessibility_problems(page, path):
    page.goto(path)
    violations = axe_violations(page)
    assert not violations, f"axe-core on {path}:\n{describe(violations)}"
