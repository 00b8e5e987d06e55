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
