"""The printable exposé: German figures, escaped user text, the public address only."""
from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest
from flask import Flask
from flask_babel import Babel
from PIL import Image as PILImage
from pypdf import PdfReader

from blueprints.town.models import District
from blueprints.vacancies.expose import render_expose
from blueprints.vacancies.models import Unit

EXACT = "Marktstraße 12"
STREET = "Marktstraße"
DESCRIPTION = "Helles Ladenlokal.\n\n<script>alert(1)</script> & <b>nicht fett</b>"
TOWN = SimpleNamespace(name="Musterstadt", primary_color="#0b5394", slug="musterstadt")


@pytest.fixture
def request_context():
    """A bare Flask app with Flask-Babel: no database needed for a PDF."""
    app = Flask(__name__)
    Babel(app, locale_selector=lambda: "de")
    with app.test_request_context():
        yield app


def jpeg(width=40, height=30, color=(200, 30, 30)) -> bytes:
    buffer = io.BytesIO()
    PILImage.new("RGB", (width, height), color).save(buffer, format="JPEG")
    return buffer.getvalue()


def full_unit() -> Unit:
    unit = Unit(address=EXACT, postcode="12345", area_sqm=Decimal("45.5"),
                sales_area_sqm=Decimal("1234.5"), secondary_area_sqm=Decimal("8"),
                frontage_m=Decimal("6.20"), floor=0, usage="retail", condition="ready",
                step_free=True, restrictions="Keine Gastronomie", rent_eur_month=Decimal("480"),
                service_charge_eur_month=Decimal("1234.5"), available_from=date(2025, 3, 1),
                publish="approximate", status="vacant", description=DESCRIPTION)
    unit.district = District(name="Altstadt")
    return unit


def pdf_text(data: bytes) -> str:
    assert data.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return text.replace("\u00a0", " ")


def render(unit, **overrides) -> bytes:
    arguments = dict(photos=[jpeg(), jpeg(30, 60), jpeg(), jpeg()],
                     contact={"name": "Erika Mustermann", "email": "erika@example.org",
                              "phone": "+49 30 1234"},
                     public_address=STREET, url="https://example.org/musterstadt/leerstand/7?a=1&b=2")
    arguments.update(overrides)
    return render_expose(unit, TOWN, **arguments)


def test_the_expose_shows_the_facts_in_german(request_context):
    text = pdf_text(render(full_unit()))
    for expected in ("Musterstadt", STREET, "Altstadt", "45,5 m²", "1.234,5 m²", "6,2 m",
                     "480,00 €", "1.234,50 €", "Erdgeschoss", "Einzelhandel", "bezugsfertig",
                     "ja", "Keine Gastronomie", "01.03.2025", "Helles Ladenlokal.",
                     "Erika Mustermann", "erika@example.org", "+49 30 1234",
                     "https://example.org/musterstadt/leerstand/7?a=1&b=2", "Stand: ", "Seite 1"):
        assert expected in text, expected


def test_user_text_is_printed_literally(request_context):
    text = pdf_text(render(full_unit()))
    assert "<script>alert(1)</script> & <b>nicht fett</b>" in text


def test_the_exact_address_stays_out_when_only_the_street_is_public(request_context):
    text = pdf_text(render(full_unit()))
    assert STREET in text
    assert EXACT not in text


def test_photos_are_embedded_and_capped_at_three(request_context):
    reader = PdfReader(io.BytesIO(render(full_unit())))
    images = [image for page in reader.pages for image in page.images]
    assert len(images) == 3


def test_a_broken_photo_is_left_out(request_context):
    data = render(full_unit(), photos=[b"not an image", jpeg()])
    reader = PdfReader(io.BytesIO(data))
    assert sum(len(page.images) for page in reader.pages) == 1


def test_an_empty_unit_renders_without_empty_rows(request_context):
    unit = Unit(address=EXACT)
    unit.district = None
    text = pdf_text(render(unit, photos=[], contact=None, public_address=EXACT, url=""))
    assert EXACT in text
    for absent in ("Fläche", "Kaltmiete", "Etage", "Beschreibung", "Kontakt", "Stufenloser"):
        assert absent not in text, absent


@pytest.mark.parametrize(("floor", "label"), [(-2, "2. Untergeschoss"), (-1, "Untergeschoss"),
                                              (1, "1. Obergeschoss"), (3, "3. Obergeschoss")])
def test_floors_are_named(request_context, floor, label):
    unit = full_unit()
    unit.floor = floor
    assert label in pdf_text(render(unit))


def test_long_and_unusual_text_does_not_break_the_pdf(request_context):
    unit = full_unit()
    unit.description = "\n\n".join(["Łódź 😀 ∑ – „Zitat“ " * 40] * 30)
    unit.restrictions = "sehr lang " * 500
    data = render(unit, public_address="<Straße & Co>")
    text = pdf_text(data)
    assert "<Straße & Co>" in text
    assert len(PdfReader(io.BytesIO(data)).pages) > 1


def test_it_renders_outside_a_request_in_german():
    text = pdf_text(render(full_unit()))
    assert "45,5 m²" in text and "480,00 €" in text
