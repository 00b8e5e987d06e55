"""German by default, English as the second language (Flask-Babel, blueprints/translations)."""
from gettext import GNUTranslations
from io import BytesIO
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

TRANSLATIONS = Path(__file__).resolve().parent.parent / "blueprints" / "translations"
ENGLISH_PO = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po"


def read_english_catalog():
    with ENGLISH_PO.open("rb") as source:
        return read_po(source, locale="en")


@pytest.fixture(scope="module", autouse=True)
def compiled_catalog():
    """The .mo files are build output (gitignored): build the English one if it is stale."""
    compiled = ENGLISH_PO.with_suffix(".mo")
    if not compiled.exists() or compiled.stat().st_mtime < ENGLISH_PO.stat().st_mtime:
        with compiled.open("wb") as target:
            write_mo(target, read_english_catalog())
    return compiled


def test_the_english_catalog_compiles_without_errors():
    catalog = read_english_catalog()
    problems = [(message.id, errors) for message, errors in catalog.check()]
    assert problems == [], f"Placeholders that do not match their msgid: {problems}"

    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    english = GNUTranslations(buffer)
    assert english.gettext("Anmelden") == "Sign in"
    assert english.ngettext("%(num)d Stadtteil", "%(num)d Stadtteile", 2) == "%(num)d districts"


def test_pages_are_german_by_default(client, towns):
    page = client.get(f"/{towns.a.slug}/").text
    assert '<html lang="de">' in page
    assert ">Anmelden</a>" in page
    assert "Zum Inhalt springen" in page


def test_the_language_switch_shows_english(client, towns):
    home = f"/{towns.a.slug}/"
    response = client.get(f"/sprache/en?next={home}")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(home)

    page = client.get(home).text
    assert '<html lang="en">' in page
    assert ">Sign in</a>" in page
    assert "Skip to content" in page
    assert f"District management {towns.a.name}" in page
    assert ">Anmelden</a>" not in page
    # And back: the link to German is offered on every English page.
    assert "/sprache/de" in page
    assert '<html lang="de">' in client.get("/sprache/de?next=/", follow_redirects=True).text


def test_the_browser_language_is_used_when_nothing_was_chosen(client, towns):
    page = client.get(f"/{towns.a.slug}/", headers={"Accept-Language": "en-GB,en;q=0.8"}).text
    assert ">Sign in</a>" in page
