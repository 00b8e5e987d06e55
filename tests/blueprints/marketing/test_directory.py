"""The traders' directory: the public list and map, staff entries, the trader's mailed link."""
from __future__ import annotations

import io
import json
import re
from datetime import timedelta

from sqlalchemy import update

from blueprints.marketing.models import DirectoryEditLink, DirectoryEntry
from blueprints.town import services as town_services
from tenants.context import tenant_context
from tenants.db import db
from tenants.models import utcnow
from tests.blueprints.mail.conftest import town_rows
from tests.blueprints.marketing.conftest import create_entry, png_bytes
from tests.conftest import login, unique
from tests.isolation import assert_same_id_stays_home, assert_town_closed

HOURS = {f"hours_{day}": "" for day in range(7)}


def directory_url(town, suffix=""):
    return f"/{town.slug}/gewerbe{suffix}"


def staff_url(town, actor_id, suffix=""):
    return f"/{town.slug}/verwaltung/akteure/{actor_id}/verzeichnis{suffix}"


def map_points(page_text) -> list[str]:
    island = re.search(r'<script type="application/json" class="map-data">(.*?)</script>', page_text, re.S)
    return [feature["properties"]["title"] for feature in json.loads(island.group(1))["features"]]


def district_in(app, town, name) -> int:
    with app.app_context(), tenant_context(town):
        district = town_services.create_district(unique(name))
        db.session.commit()
        return district.id


def edit_token(app, town, address) -> str:
    """The token of the newest edit link mailed to ``address`` (the town's outbox)."""
    mail = town_rows(app, town, address)[-1]
    return re.search(r"/gewerbe/eintrag/([\w-]+)", mail.text_body).group(1)


def send_link(client, town, actor_id):
    return client.post(staff_url(town, actor_id, "/link"), follow_redirects=True)


# --- the public directory ---------------------------------------------------------

def test_the_list_shows_published_entries_filtered_with_map_points_for_those_placed(app, client, towns):
    old_town = district_in(app, towns.a, "Altstadt ")
    cafe = unique("Café Sonne ")
    create_entry(app, towns.a, name=cafe, category="gastronomy", district_id=old_town,
                 lat=50.7085, lon=12.7774, description="Hausgemachte Torten")
    books = unique("Bücherstube ")
    create_entry(app, towns.a, name=books, category="retail")
    hidden = unique("Geheimladen ")
    create_entry(app, towns.a, name=hidden, published=False, category="gastronomy")

    everything = client.get(directory_url(towns.a))
    assert everything.status_code == 200
    assert cafe in everything.text and books in everything.text and hidden not in everything.text
    assert cafe in map_points(everything.text) and books not in map_points(everything.text)  # no point

    gastronomy = client.get(directory_url(towns.a, "?kategorie=gastronomy")).text
    assert cafe in gastronomy and books not in gastronomy and hidden not in gastronomy
    by_word = client.get(directory_url(towns.a, "?suche=torten")).text
    assert cafe in by_word and books not in by_word
    by_district = client.get(directory_url(towns.a, f"?stadtteil={old_town}")).text
    assert cafe in by_district and books not in by_district


def test_the_detail_page_shows_hours_contact_and_description_and_hides_unpublished(app, client, towns):
    name = unique("Fahrrad Uhlig ")
    hours = ["9–18 Uhr"] * 5 + ["9–12 Uhr", "geschlossen"]
    _, entry_id = create_entry(app, towns.b, name=name, address="Bahnhofstraße 15",
                               opening_hours=hours, public_phone="037296 0004",
                               public_email="rad@example.org", website="https://rad.example",
                               description="Reparatur und Verleih")
    page = client.get(directory_url(towns.b, f"/{entry_id}"))
    assert page.status_code == 200
    for shown in (name, "Bahnhofstraße 15", "Samstag", "9–12 Uhr", "037296 0004", "rad@example.org",
                  "https://rad.example", "Reparatur und Verleih", "Öffnungszeiten"):
        assert shown in page.text, shown
    _, unpublished = create_entry(app, towns.b, published=False)
    assert client.get(directory_url(towns.b, f"/{unpublished}")).status_code == 404
    assert client.get(directory_url(towns.b, f"/{unpublished}/bild")).status_code == 404


# --- staff ---------------------------------------------------------------------------

def test_a_manager_creates_an_entry_with_a_picture_publishes_it_and_the_public_sees_it(
        app, client, towns, login_as):
    login_as("manager", towns.a)
    actor_id, _ = create_entry(app, towns.a, published=False)
    with app.app_context(), tenant_context(towns.a):  # start from an actor without an entry
        db.session.execute(DirectoryEntry.__table__.delete().where(DirectoryEntry.actor_id == actor_id))
        db.session.commit()
    assert "Eintrag anlegen" in client.get(f"/{towns.a.slug}/verwaltung/akteure/{actor_id}").text

    saved = client.post(staff_url(towns.a, actor_id), data={
        **HOURS, "hours_0": "10–18 Uhr", "category": "crafts", "district_id": "0",
        "description": "Goldschmiede", "website": "www.gold.example", "public_email": "",
        "public_phone": "", "lat": "50,7081", "lon": "12,7765",
        "picture": (io.BytesIO(png_bytes()), "schaufenster.png")},
        content_type="multipart/form-data", follow_redirects=True)
    assert saved.status_code == 200 and "Eintrag gespeichert." in saved.text
    with app.app_context(), tenant_context(towns.a):
        entry = db.session.query(DirectoryEntry).filter_by(actor_id=actor_id).one()
        entry_id, picture_type = entry.id, entry.picture.content_type
        assert entry.website == "https://www.gold.example" and entry.lat == 50.7081
    assert picture_type == "image/png"
    assert client.get(directory_url(towns.a, f"/{entry_id}")).status_code == 404  # not yet published

    client.post(staff_url(towns.a, actor_id, "/veroeffentlichen"), data={"published": "1"})
    public = client.get(directory_url(towns.a, f"/{entry_id}"))
    assert "Goldschmiede" in public.text and f"/gewerbe/{entry_id}/bild" in public.text
    picture = client.get(directory_url(towns.a, f"/{entry_id}/bild"))
    assert picture.status_code == 200 and picture.mimetype == "image/png"
    assert client.get(directory_url(towns.a, f"/{entry_id}/bild?klein=1")).mimetype == "image/jpeg"


def test_a_fake_picture_and_a_script_link_are_refused_beside_their_fields(app, client, towns, login_as):
    login_as("manager", towns.b)
    actor_id, _ = create_entry(app, towns.b, description="Vorher")
    refused = client.post(staff_url(towns.b, actor_id), data={
        **HOURS, "category": "retail", "district_id": "0", "description": "Nachher",
        "website": "javascript:alert(1)", "picture": (io.BytesIO(b"not an image"), "bild.png")},
        content_type="multipart/form-data")
    assert refused.status_code == 422
    assert "https://www.beispiel.de" in refused.text and "Nachher" in refused.text
    only_picture = client.post(staff_url(towns.b, actor_id), data={
        **HOURS, "category": "retail", "district_id": "0", "description": "Nachher",
        "picture": (io.BytesIO(b"not an image"), "bild.png")}, content_type="multipart/form-data")
    assert only_picture.status_code == 422 and "kein Bild" in only_picture.text
    with app.app_context(), tenant_context(towns.b):
        assert db.session.query(DirectoryEntry).filter_by(actor_id=actor_id).one().description == "Vorher"


def test_a_partner_sees_the_overview_but_cannot_edit(app, client, towns, login_as):
    actor_id, _ = create_entry(app, towns.a, name=unique("Optik "))
    login_as("partner", towns.a)
    assert client.get(f"/{towns.a.slug}/verwaltung/gewerbe").status_code == 200
    assert client.get(staff_url(towns.a, actor_id)).status_code == 403
    assert client.post(staff_url(towns.a, actor_id, "/veroeffentlichen"), data={"published": "0"}).status_code == 403


# --- the trader's mailed link ---------------------------------------------------------

def test_the_link_arrives_by_smtp_and_the_trader_keeps_their_entry_current(
        app, mail_app, smtp_server, towns, create_user):
    address = f"{unique('baeckerei')}@example.org"
    name = unique("Bäckerei Sonntag ")
    actor_id, entry_id = create_entry(app, towns.a, name=name, email=address, category="gastronomy")
    staff = mail_app.test_client()
    login(staff, create_user(role="manager", town=towns.a))
    sent = send_link(staff, towns.a, actor_id)
    assert "Der Bearbeitungslink ist an" in sent.text

    [mail] = smtp_server.messages_to(address)
    assert "Gewerbeverzeichnis" in mail["Subject"]
    link = re.search(r"http://localhost(/\S+/gewerbe/eintrag/[\w-]+)", mail.get_body(("plain",)).get_content()).group(1)

    trader = mail_app.test_client()
    form = trader.get(link)
    assert form.status_code == 200 and name in form.text
    assert form.headers["Referrer-Policy"] == "no-referrer"
    saved = trader.post(link, data={
        **HOURS, "hours_0": "6–18 Uhr", "hours_6": "7–11 Uhr", "description": "Holzofenbrot",
        "website": "", "public_email": address, "public_phone": "037296 0001",
        "category": "health",  # not the trader's to change: ignored
        "picture": (io.BytesIO(png_bytes("yellow")), "laden.png")},
        content_type="multipart/form-data", follow_redirects=True)
    assert "Danke! Ihr Eintrag ist gespeichert." in saved.text

    public = trader.get(directory_url(towns.a, f"/{entry_id}")).text
    assert "Holzofenbrot" in public and "7–11 Uhr" in public and "Gastronomie" in public
    assert trader.get(directory_url(towns.a, f"/{entry_id}/bild")).mimetype == "image/png"
    overview = staff.get(f"/{towns.a.slug}/verwaltung/gewerbe").text
    row = re.search(rf"{re.escape(name)}.*?</tr>", overview, re.S).group(0)
    assert "noch nie" not in row  # staff see the trader's own change, dated


def test_sending_without_an_address_says_what_to_do(app, client, towns, login_as):
    login_as("manager", towns.a)
    actor_id, _ = create_entry(app, towns.a, email="")
    response = send_link(client, towns.a, actor_id)
    assert "keine E-Mail-Adresse im Register" in response.text


def test_a_new_link_replaces_the_old_and_an_expired_link_is_refused(app, client, towns, login_as):
    login_as("manager", towns.b)
    address = f"{unique('kiosk')}@example.org"
    actor_id, _ = create_entry(app, towns.b, email=address, description="Zeitungen")
    send_link(client, towns.b, actor_id)
    first = edit_token(app, towns.b, address)
    send_link(client, towns.b, actor_id)
    second = edit_token(app, towns.b, address)
    assert first != second
    client.post("/logout")

    replaced = client.get(directory_url(towns.b, f"/eintrag/{first}"))
    assert replaced.status_code == 410 and "nicht mehr gültig" in replaced.text
    assert "neuen Link" in replaced.text
    assert client.get(directory_url(towns.b, f"/eintrag/{second}")).status_code == 200

    with app.app_context(), tenant_context(towns.b):
        db.session.execute(update(DirectoryEditLink).values(expires_at=utcnow() - timedelta(minutes=1)))
        db.session.commit()
    expired = client.post(directory_url(towns.b, f"/eintrag/{second}"),
                          data={**HOURS, "description": "Überschrieben"})
    assert expired.status_code == 410 and "nicht mehr gültig" in expired.text
    with app.app_context(), tenant_context(towns.b):
        assert db.session.query(DirectoryEntry).filter_by(actor_id=actor_id).one().description == "Zeitungen"


def test_a_link_of_one_town_is_unknown_in_another(app, client, towns, login_as):
    login_as("manager", towns.a)
    address = f"{unique('metzger')}@example.org"
    actor_id, _ = create_entry(app, towns.a, email=address)
    send_link(client, towns.a, actor_id)
    token = edit_token(app, towns.a, address)
    client.post("/logout")
    elsewhere = client.get(directory_url(towns.b, f"/eintrag/{token}"))
    assert elsewhere.status_code == 404 and "nicht mehr gültig" in elsewhere.text
    assert client.get(directory_url(towns.b, f"/eintrag/{token}/bild")).status_code == 404
    assert client.get(directory_url(towns.a, f"/eintrag/{token}")).status_code == 200


def test_the_trader_form_is_rate_limited_like_other_public_forms(
        limits_switched_on, app, client, towns, login_as):
    login_as("manager", towns.a)
    address = f"{unique('schuster')}@example.org"
    actor_id, _ = create_entry(app, towns.a, email=address)
    send_link(client, towns.a, actor_id)
    limited = limits_switched_on()
    limited.config["APPLICATION_RATE_LIMIT"] = "2 per minute"
    trader = limited.test_client()
    url = directory_url(towns.a, f"/eintrag/{edit_token(app, towns.a, address)}")
    answers = [trader.post(url, data={**HOURS, "description": "Absätze"}).status_code for _ in range(3)]
    assert answers == [302, 302, 429]
    assert trader.get(url).status_code == 200  # reading the entry is not limited


# --- isolation -----------------------------------------------------------------------

def test_the_directory_staff_pages_stay_closed_to_another_towns_manager(app, client, towns, login_as):
    login_as("manager", towns.a)
    tried = assert_town_closed(app, client, towns.b)
    assert tried >= 5  # the directory's own staff routes are among them


def test_the_same_entry_id_in_two_towns_shows_each_towns_own(app, client, towns):
    def create(town, record_id, marker):
        create_entry(app, town, name=marker, entry_id=record_id)

    assert_same_id_stays_home(client, towns, create=create,
                              url_for_record=lambda town, record_id: directory_url(town, f"/{record_id}"),
                              record_id=990_311)


# --- demo data ----------------------------------------------------------------------

def test_the_demo_traders_are_published_once_however_often_the_demo_loads(app, client, towns):
    from blueprints.demo import directory as demo_directory
    from blueprints.demo.services import TOWNS

    stollberg = next(town for town in TOWNS if town.slug == "stollberg")
    for _ in range(2):  # `make run` loads the demo on every start
        with app.app_context(), tenant_context(towns.b):
            demo_directory.load(stollberg, {})
            db.session.commit()
    listing = client.get(directory_url(towns.b, "?suche=Bäckerei Sonntag")).text
    assert listing.count(">Bäckerei Sonntag</a>") == 1
    assert "Café Herrenstraße" in client.get(directory_url(towns.b, "?kategorie=gastronomy")).text
