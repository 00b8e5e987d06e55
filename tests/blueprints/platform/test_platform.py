"""/plattform/: platform admins see every town, its users and memberships."""
import pyotp

from tests.conftest import login


def sign_in_admin(client, create_user):
    secret = pyotp.random_base32()
    admin = create_user(platform_admin=True, totp_secret=secret)
    response = login(client, admin, totp_code=pyotp.TOTP(secret).now())
    assert response.status_code == 200
    return admin


def test_platform_admins_see_all_towns_with_their_revision(client, create_user, towns):
    sign_in_admin(client, create_user)
    page = client.get("/plattform/").get_data(as_text=True)
    assert "Altdorf" in page and "Beetzdorf" in page
    assert "veraltet" not in page  # every town's schema is at head


def test_platform_admins_see_users_and_their_memberships(client, create_user, towns):
    manager = create_user(role="manager", town=towns.b, name="Manja Muster")
    sign_in_admin(client, create_user)
    page = client.get("/plattform/nutzer").get_data(as_text=True)
    assert manager.email in page
    assert "Beetzdorf: Quartiersmanagement" in page


def test_town_staff_cannot_open_the_platform_area(client, towns, login_as):
    login_as("manager", towns.a)
    assert client.get("/plattform/").status_code == 403
    assert client.get("/plattform/nutzer").status_code == 403


def test_platform_admins_may_enter_every_towns_staff_area(client, create_user, towns):
    sign_in_admin(client, create_user)
    for town in (towns.a, towns.b):
        assert client.get(f"/{town.slug}/verwaltung/").status_code == 200


def test_platform_admins_change_a_towns_colour_and_the_layout_follows(client, create_user, towns):
    from tests.conftest import unique
    from tenants.services import create_tenant

    slug = unique("farbe")
    with client.application.app_context():
        create_tenant(slug, "Farbstadt")
    sign_in_admin(client, create_user)
    response = client.post(f"/plattform/staedte/{slug}", data={
        "name": "Farbstadt", "primary_color": "#7A1F5C", "logo_url": "", "plan": "basis",
        "status": "active"}, follow_redirects=True)
    assert "Die Stadt Farbstadt wurde gespeichert." in response.get_data(as_text=True)
    assert "--town-color: #7a1f5c" in client.get(f"/{slug}/").get_data(as_text=True)


def test_a_malformed_colour_is_refused_beside_the_field(client, create_user, towns):
    sign_in_admin(client, create_user)
    response = client.post(f"/plattform/staedte/{towns.b.slug}", data={
        "name": "Beetzdorf", "primary_color": "red;}body{display:none", "logo_url": "",
        "plan": "basis", "status": "active"})
    assert response.status_code == 422
    assert "Bitte als #RRGGBB angeben" in response.get_data(as_text=True)


def test_a_suspended_town_is_no_longer_served(client, create_user):
    from tests.conftest import unique
    from tenants.services import create_tenant

    slug = unique("gesperrt")
    with client.application.app_context():
        create_tenant(slug, "Sperrstadt")
    sign_in_admin(client, create_user)
    client.post(f"/plattform/staedte/{slug}", data={
        "name": "Sperrstadt", "primary_color": "#0b5394", "logo_url": "", "plan": "basis",
        "status": "suspended"})
    assert client.get(f"/{slug}/").status_code == 404


def test_platform_admins_grant_and_revoke_memberships(client, create_user, towns):
    import re

    person = create_user()
    sign_in_admin(client, create_user)
    response = client.post("/plattform/nutzer", data={
        "email": person.email, "town": towns.a.slug, "role": "partner"}, follow_redirects=True)
    assert "Mitgliedschaft gespeichert." in response.get_data(as_text=True)

    other = client.application.test_client()
    login(other, person)
    assert other.get(f"/{towns.a.slug}/verwaltung/").status_code == 200

    page = client.get("/plattform/nutzer").get_data(as_text=True)
    row = page[page.index(person.email):]
    revoke_url = re.search(r'action="(/plattform/mitgliedschaften/\d+/entfernen)"', row).group(1)
    client.post(revoke_url)
    assert other.get(f"/{towns.a.slug}/verwaltung/").status_code == 403


def test_granting_to_an_unknown_account_says_so(client, create_user, towns):
    sign_in_admin(client, create_user)
    response = client.post("/plattform/nutzer", data={
        "email": "niemand@example.org", "town": towns.a.slug, "role": "manager"})
    assert response.status_code == 422
    assert "Es gibt kein Konto für niemand@example.org." in response.get_data(as_text=True)


def test_without_mail_url_a_registration_mail_is_readable_in_the_outbox(client, create_user):
    import re

    from tests.conftest import unique

    email = f"{unique('neu')}@example.org"
    client.post("/registrieren", data={"email": email, "name": "Nora Neu", "password": "lang-genug-123",
                                       "password_repeat": "lang-genug-123", "consent": "y"})
    sign_in_admin(client, create_user)
    listing = client.get("/plattform/postausgang").get_data(as_text=True)
    assert email in listing and "gespeichert" in listing
    row = listing[listing.index(email):]
    detail_url = re.search(r'href="(/plattform/postausgang/\d+)"', row).group(1)
    detail = client.get(detail_url).get_data(as_text=True)
    assert "/konto/bestaetigen/" in detail
    assert 'sandbox srcdoc="' in detail  # the mail's HTML never runs in the admin's page


def test_the_outbox_is_for_platform_admins_only(client, towns, login_as):
    login_as("manager", towns.a)
    assert client.get("/plattform/postausgang").status_code == 403


def test_platform_admins_see_every_towns_outbox_counted(app, client, create_user, towns):
    from tests.blueprints.mail.test_outbox_page import store_mail

    store_mail(app, towns.b, "failed", error="SMTPDataError: 451")
    sign_in_admin(client, create_user)
    page = client.get("/plattform/postausgang").get_data(as_text=True)
    assert "Postausgänge der Städte" in page
    row = page[page.index(f'href="/{towns.b.slug}/verwaltung/postausgang/"'):].split("</tr>")[0]
    failed_column = row.split("<td>")[3]  # queued, sent, failed, stored
    assert "Beetzdorf" in row and int(failed_column.split("<")[0]) >= 1
