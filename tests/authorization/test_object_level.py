"""Object level: within one town, an account reaches only the records that are its own.

The matrix (test_matrix.py) proves who reaches which route; here: an applicant
sees their own applications and not another's, on pages and in the API; an
account revokes its own API tokens only.
"""
from __future__ import annotations

from tests.authorization.conftest import sign_in
from tests.authorization.world import HOME, MANAGER_OF_BOTH, PEOPLE

PORTAL_ROUTES = (("GET", "bearbeiten"), ("GET", "daten"), ("POST", "zurueckziehen"), ("POST", "loeschen"))


def test_an_applicant_reaches_their_own_application_and_no_other(copy_of_world, world_database):
    app = copy_of_world("own_applications")
    client = app.test_client()
    sign_in(client, PEOPLE["applicant"])
    values = world_database.world.values(HOME)
    own, foreign = values["own_application_id"], values["application_id"]

    assert client.get(f"/konto/bewerbungen/{HOME}/{own}/daten").status_code == 200
    for method, action in PORTAL_ROUTES:
        response = client.open(f"/konto/bewerbungen/{HOME}/{foreign}/{action}", method=method,
                               data={"reason": "Nicht meine"})
        assert response.status_code == 404, (method, action, response.status_code)

    api = f"/{HOME}/api/v1/applications"
    assert client.get(f"{api}/{own}").status_code == 200
    assert client.get(f"{api}/{foreign}").status_code == 404
    listed = {application["id"] for application in client.get(f"{api}?per_page=100").json}
    assert own in listed and foreign not in listed
    assert client.get(f"/{HOME}/verwaltung/zwischennutzung/{own}").status_code == 403


def test_the_portal_lists_only_the_applicants_own_applications(copy_of_world, world_database):
    app = copy_of_world("portal")
    client = app.test_client()
    sign_in(client, PEOPLE["applicant"])
    page = client.get("/konto/bewerbungen").text
    assert "Probe Werkstatt" not in page  # the staff's test application, someone else's
    assert f"/konto/bewerbungen/{HOME}/{world_database.world.values(HOME)['own_application_id']}/" in page


def test_an_api_token_is_revoked_by_its_owner_alone(copy_of_world, world_database):
    app = copy_of_world("tokens")
    client = app.test_client()
    sign_in(client, PEOPLE["partner"])
    someone_elses = world_database.world.tokens_of[MANAGER_OF_BOTH.email]
    own = world_database.world.tokens_of[PEOPLE["partner"].email]
    assert client.post(f"/konto/api-schluessel/{someone_elses}/widerrufen").status_code == 404
    assert client.post(f"/konto/api-schluessel/{own}/widerrufen").status_code == 302
