"""A town's pages: public home, legal pages, districts and page editing by staff."""
from tenants.context import tenant_context
from tenants.db import db
from blueprints.town.models import District, Page
from tests.conftest import unique
from tests.isolation import assert_same_id_stays_home


def test_the_town_home_shows_the_towns_name_and_districts(client, towns, login_as):
    login_as("manager", towns.a)
    name = unique("Viertel ")
    client.post(f"/{towns.a.slug}/verwaltung/stadtteile", data={"name": name})
    page = client.get(f"/{towns.a.slug}/").get_data(as_text=True)
    assert "Altdorf" in page and name in page
    assert name not in client.get(f"/{towns.b.slug}/").get_data(as_text=True)


def test_an_unknown_town_is_a_404_page_not_an_error(client):
    response = client.get("/gibt-es-nicht/")
    assert response.status_code == 404
    assert "Seite nicht gefunden" in response.get_data(as_text=True)


def test_legal_pages_exist_before_staff_write_them(client, towns):
    for path in ("impressum", "datenschutz"):
        response = client.get(f"/{towns.b.slug}/{path}")
        assert response.status_code == 200
        assert "wird gerade vom Quartiersmanagement Beetzdorf erstellt" in response.get_data(as_text=True)


def test_the_manager_edits_the_impressum_and_the_public_sees_it(client, towns, login_as):
    login_as("manager", towns.a)
    response = client.post(f"/{towns.a.slug}/verwaltung/seiten/impressum",
                           data={"title": "Impressum", "body": "WGS mbH\n\nStollberg <b>fett</b>"},
                           follow_redirects=True)
    body = response.get_data(as_text=True)
    assert "Die Seite wurde gespeichert." in body
    assert "WGS mbH" in body and "&lt;b&gt;fett&lt;/b&gt;" in body  # escaped, never markup
    client.post("/logout")
    assert "WGS mbH" in client.get(f"/{towns.a.slug}/impressum").get_data(as_text=True)
    assert "WGS mbH" not in client.get(f"/{towns.b.slug}/impressum").get_data(as_text=True)


def test_a_partner_may_read_but_not_edit_pages(client, towns, login_as):
    login_as("partner", towns.a)
    assert client.get(f"/{towns.a.slug}/verwaltung/").status_code == 200
    refused = client.post(f"/{towns.a.slug}/verwaltung/seiten/impressum",
                          data={"title": "Gekapert", "body": "x"})
    assert refused.status_code == 403


def test_a_page_without_title_is_refused_beside_the_field(client, towns, login_as):
    login_as("manager", towns.a)
    response = client.post(f"/{towns.a.slug}/verwaltung/seiten/datenschutz",
                           data={"title": "", "body": "Getippter Text bleibt"})
    body = response.get_data(as_text=True)
    assert "Bitte einen Titel angeben." in body
    assert "Getippter Text bleibt" in body
    assert 'aria-invalid="true"' in body


def test_a_duplicate_district_is_refused_with_a_message(client, towns, login_as):
    login_as("manager", towns.a)
    name = unique("Doppelt ")
    client.post(f"/{towns.a.slug}/verwaltung/stadtteile", data={"name": name})
    response = client.post(f"/{towns.a.slug}/verwaltung/stadtteile", data={"name": name.upper()})
    assert response.status_code == 422
    assert "Diesen Stadtteil gibt es schon." in response.get_data(as_text=True)


def test_the_same_page_id_in_two_towns_never_crosses(app, client, towns):
    def create(town, record_id, marker):
        with app.app_context(), tenant_context(town):
            db.session.merge(Page(id=record_id, key="datenschutz", title="Datenschutz", body=marker))
            db.session.commit()

    assert_same_id_stays_home(client, towns, create=create,
                              url_for_record=lambda town, _id: f"/{town.slug}/datenschutz")


def test_the_same_district_id_in_two_towns_never_crosses(app, client, towns):
    def create(town, record_id, marker):
        with app.app_context(), tenant_context(town):
            db.session.merge(District(id=record_id, name=marker, description=""))
            db.session.commit()

    assert_same_id_stays_home(client, towns, create=create, record_id=990002,
                              url_for_record=lambda town, _id: f"/{town.slug}/")
