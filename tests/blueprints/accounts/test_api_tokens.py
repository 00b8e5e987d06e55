"""People make and revoke their own API tokens on /konto."""
import re

from tests.conftest import login


def create_token(client, name="Auswertung"):
    page = client.post("/konto/api-schluessel", data={"token_name": name}).get_data(as_text=True)
    return re.search(r'<code id="new-token">(qt_[^<]+)</code>', page).group(1)


def test_a_token_made_on_the_account_page_opens_the_api(client, towns, create_user):
    user = create_user(role="manager", town=towns.a)
    login(client, user)
    token = create_token(client)

    api = client.application.test_client()
    me = api.get(f"/{towns.a.slug}/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200 and me.json["email"] == user.email

    page = client.get("/konto").get_data(as_text=True)
    assert token not in page  # shown once, never again
    assert token[:10] in page and "Auswertung" in page
    assert "noch nie" not in page  # the use was recorded


def test_a_revoked_token_no_longer_opens_the_api(client, towns, create_user):
    login(client, create_user(role="manager", town=towns.a))
    token = create_token(client, "Wegwerf")
    page = client.get("/konto").get_data(as_text=True)
    revoke = re.search(r'action="(/konto/api-schluessel/\d+/widerrufen)"', page).group(1)
    assert "widerrufen" in client.post(revoke, follow_redirects=True).get_data(as_text=True)

    refused = client.application.test_client().get(
        f"/{towns.a.slug}/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert refused.status_code == 401


def test_nobody_revokes_another_persons_token(client, towns, create_user):
    owner_client = client.application.test_client()
    login(owner_client, create_user(role="manager", town=towns.a))
    create_token(owner_client, "Fremd")
    revoke = re.search(r'action="(/konto/api-schluessel/\d+/widerrufen)"',
                       owner_client.get("/konto").get_data(as_text=True)).group(1)

    login(client, create_user())
    assert client.post(revoke).status_code == 404
    assert "Fremd" in owner_client.get("/konto").get_data(as_text=True)


def test_a_token_needs_a_name(client, create_user):
    login(client, create_user())
    response = client.post("/konto/api-schluessel", data={"token_name": "  "})
    assert response.status_code == 422
    assert "Bitte einen Namen angeben" in response.get_data(as_text=True)
