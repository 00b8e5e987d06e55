"""/konto: name, language, password, and logging out everywhere."""
from click.testing import Result

from tests.blueprints.accounts.conftest import account
from tests.conftest import PASSWORD, login, unique

NEW_PASSWORD = "noch-ein-passwort-42"


def test_logout_everywhere_ends_every_session_including_remembered_ones(app, client, create_user):
    user = create_user()
    other = app.test_client()
    login(client, user)
    other.post("/login", data={"email": user.email, "password": user.password, "remember": "y"})
    assert other.get("/konto").status_code == 200

    response = client.post("/konto/ueberall-abmelden", follow_redirects=True)
    assert "auf allen Geräten abgemeldet" in response.text
    assert client.get("/konto").status_code == 302
    assert other.get("/konto").status_code == 302
    assert login(other, user).request.path == "/konto"  # signing in again works


def test_the_account_page_offers_every_setting_without_javascript(client, login_as):
    login_as()
    page = client.get("/konto").text
    for action in ("/konto/profil", "/konto/passwort", "/konto/ueberall-abmelden"):
        assert f'action="{action}"' in page
    assert "Überall abmelden" in page and "<script" not in page


def test_name_and_language_are_saved_and_the_language_applies(client, login_as):
    login_as()
    response = client.post("/konto/profil", data={"name": "Erika Neu", "locale": "en"},
                           follow_redirects=True)
    assert 'lang="en"' in response.text.split("\n", 2)[1]
    assert "Erika Neu" in response.text
    assert '<option lang="en" selected value="en">' in response.text


def test_an_empty_name_is_explained_beside_the_field(client, login_as):
    login_as()
    response = client.post("/konto/profil", data={"name": "", "locale": "de"})
    assert response.status_code == 422 and 'id="name-error"' in response.text


def test_changing_the_password_needs_the_current_one_and_ends_other_sessions(app, client, create_user):
    user = create_user()
    other = app.test_client()
    login(client, user)
    login(other, user)

    wrong = client.post("/konto/passwort", data={"current_password": "geraten-geraten",
                                                 "new_password": NEW_PASSWORD,
                                                 "new_password_repeat": NEW_PASSWORD})
    assert wrong.status_code == 422
    assert '<p class="field-error" id="current_password-error">Das bisherige Passwort stimmt nicht.' \
        in wrong.text
    assert 'value="Test Person"' in wrong.text  # the other form keeps the saved name

    changed = client.post("/konto/passwort", data={"current_password": PASSWORD,
                                                   "new_password": NEW_PASSWORD,
                                                   "new_password_repeat": NEW_PASSWORD})
    assert changed.status_code == 302
    assert client.get("/konto").status_code == 200  # this session carries on
    assert other.get("/konto").status_code == 302
    assert login(other, account(user.email, NEW_PASSWORD)).request.path == "/konto"


def test_flask_users_create_makes_an_account_that_can_sign_in(app, client):
    email = f"{unique('cli')}@example.org"
    result: Result = app.test_cli_runner().invoke(
        args=["users", "create", email, "--password", PASSWORD, "--name", "Carla Cli"])
    assert result.exit_code == 0, result.output
    assert f"User {email} created" in result.output
    assert login(client, account(email)).request.path == "/konto"
