"""An event's image: uploaded with the staff form, shown on the public pages, removable."""
from __future__ import annotations

import io

from PIL import Image

from blueprints.attachments.models import Attachment
from tenants.context import tenant_context
from tenants.db import db
from tests.blueprints.events.test_calendar import events_titled
from tests.conftest import unique

FORM = {"category": "culture", "day": "2099-09-09", "starts": "18:00", "ends": "20:00",
        "address": "Markt", "unit_id": "0", "district_id": "0", "organiser_id": "0", "repeat": ""}


def png(color="orange", size=(60, 40)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="PNG")
    return buffer.getvalue()


def post_event(client, town, path="neu", **data):
    return client.post(f"/{town.slug}/verwaltung/veranstaltungen/{path}", data={**FORM, **data},
                       content_type="multipart/form-data", follow_redirects=True)


def test_an_uploaded_image_shows_on_the_event_and_in_the_list(app, client, towns, login_as):
    login_as("manager", towns.a)
    title = unique("Fotoausstellung ")
    page = post_event(client, towns.a, title=title, image_upload=(io.BytesIO(png()), "plakat.png"))
    assert page.status_code == 200
    [event] = events_titled(app, towns.a, title)
    assert f'src="/{towns.a.slug}/veranstaltungen/{event.id}/bild" alt="{title}"' in page.text
    served = client.get(f"/{towns.a.slug}/veranstaltungen/{event.id}/bild")
    assert served.mimetype == "image/png" and Image.open(io.BytesIO(served.data)).size == (60, 40)
    listing = client.get(f"/{towns.a.slug}/veranstaltungen").text
    assert f'src="/{towns.a.slug}/veranstaltungen/{event.id}/bild?klein=1" alt=""' in listing


def test_a_file_that_is_no_image_is_refused_beside_the_field_and_the_rest_stays(
        app, client, towns, login_as):
    login_as("manager", towns.b)
    title = unique("Flohmarkt ")
    page = post_event(client, towns.b, title=title, description="Mit Kuchenbasar",
                      image_upload=(io.BytesIO(b"%!PS-Adobe nothing to see"), "plakat.png"))
    assert page.status_code == 422
    assert "kein Bild im Format JPEG, PNG oder WebP" in page.text
    assert f'value="{title}"' in page.text and "Mit Kuchenbasar" in page.text
    assert events_titled(app, towns.b, title) == []


def test_an_image_is_replaced_and_removed_through_the_edit_form(app, client, towns, login_as):
    login_as("manager", towns.a)
    title = unique("Hoffest ")
    post_event(client, towns.a, title=title, image_upload=(io.BytesIO(png("red")), "alt.png"))
    [event] = events_titled(app, towns.a, title)
    edit = f"{event.id}/bearbeiten"
    assert "Bild entfernen" in client.get(f"/{towns.a.slug}/verwaltung/veranstaltungen/{edit}").text

    post_event(client, towns.a, edit, title=title, image_upload=(io.BytesIO(png("blue")), "neu.png"))
    [replaced] = events_titled(app, towns.a, title)
    assert replaced.image_id not in (None, event.image_id)
    with app.app_context(), tenant_context(towns.a):
        assert db.session.get(Attachment, event.image_id) is None  # the old file went with it
    blue = client.get(f"/{towns.a.slug}/veranstaltungen/{event.id}/bild").data
    assert Image.open(io.BytesIO(blue)).convert("RGB").getpixel((0, 0)) == (0, 0, 255)

    post_event(client, towns.a, edit, title=title, remove_image="y")
    [removed] = events_titled(app, towns.a, title)
    assert removed.image_id is None
    assert client.get(f"/{towns.a.slug}/veranstaltungen/{event.id}/bild").status_code == 404
