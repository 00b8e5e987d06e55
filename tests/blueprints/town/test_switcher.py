"""Staff switch towns from the header without signing in again."""
import re

from tests.conftest import login


def switch_links(html):
    return dict(re.findall(r'<a href="([^"]+)" data-town="([^"]+)"', html))


def test_staff_of_two_towns_switch_to_the_same_page_in_the_other(client, towns, create_user, app):
    from blueprints.accounts import services
    from tenants.db import db
    from tenants.models import Tenant, User

    user = create_user(role="manager", town=towns.a)
    with app.app_context():
        services.grant_membership(db.session.get(User, user.id), db.session.get(Tenant, towns.b.id), "partner")
        db.session.commit()
    login(client, user)

    page = client.get(f"/{towns.a.slug}/verwaltung/stadtteile").get_data(as_text=True)
    links = {town: url for url, town in switch_links(page).items()}
    assert links == {towns.b.slug: f"/{towns.b.slug}/verwaltung/stadtteile"}

    landed = client.get(links[towns.b.slug])
    assert landed.status_code == 200
    assert "Stadtteile in Beetzdorf" in landed.get_data(as_text=True)


def test_staff_of_one_town_see_no_switcher(client, towns, login_as):
    login_as("manager", towns.a)
    page = client.get(f"/{towns.a.slug}/verwaltung/").get_data(as_text=True)
    assert "Stadt wechseln" not in page


def test_record_pages_switch_to_the_other_towns_staff_area(app, towns, create_user):
    from blueprints.town.services import switch_targets
    from tenants.db import db
    from tenants.models import User

    user = create_user(platform_admin=True)
    with app.test_request_context(f"/{towns.a.slug}/verwaltung/seiten/impressum"):
        account = db.session.get(User, user.id)
        links = dict((t.slug, url) for t, url in
                     switch_targets(account, towns.a, "town.edit_page", {"key": "impressum"}))
    assert links[towns.b.slug] == f"/{towns.b.slug}/verwaltung/"
