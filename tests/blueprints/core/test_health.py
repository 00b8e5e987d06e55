"""/healthz says the process is up; /readyz that its database and Redis answer."""
from tests.conftest import TEST_REDIS_URL, make_app


def test_healthz_answers_without_touching_the_database(client):
    assert client.get("/healthz").json == {"status": "ok"}


def test_readyz_reports_the_database(client, backend):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json["checks"]["database"]["ok"] is True
    if backend == "postgresql":  # catalog size, watched as towns multiply
        assert response.json["checks"]["database"]["catalog_relations"] > 0


def test_readyz_checks_redis_when_configured(database_url, tmp_path):
    app = make_app(database_url, tmp_path, REDIS_URL=TEST_REDIS_URL)
    response = app.test_client().get("/readyz")
    assert response.status_code == 200
    assert response.json["checks"]["redis"]["ok"] is True


def test_readyz_is_unavailable_when_redis_is_unreachable(database_url, tmp_path):
    app = make_app(database_url, tmp_path, REDIS_URL="redis://127.0.0.1:1/0")
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json["status"] == "unavailable"
    assert response.json["checks"]["redis"]["ok"] is False
    assert response.json["failing"] == ["redis"]
    assert "Error" in response.json["checks"]["redis"]["error"]
    assert app.test_client().get("/healthz").status_code == 200  # the process itself is fine


def test_the_start_page_lists_the_towns(client, towns):
    page = client.get("/").get_data(as_text=True)
    assert "Altdorf" in page and "Beetzdorf" in page
    assert f'href="/{towns.a.slug}/"' in page


def test_healthz_answers_even_when_the_database_is_unreachable(tmp_path):
    app = make_app("postgresql+psycopg://postgres@127.0.0.1:1/none", tmp_path)
    client = app.test_client()
    assert client.get("/healthz", headers={"Host": "stadt.example"}).json == {"status": "ok"}
    assert client.get("/readyz").status_code == 503


def test_pages_say_the_service_is_unavailable_while_the_database_is_unreachable(tmp_path):
    """503 with Retry-After, never a 500: the operator's restart is not the visitor's error."""
    app = make_app("postgresql+psycopg://postgres@127.0.0.1:1/none", tmp_path)
    client = app.test_client()
    page = client.get("/stollberg/leerstand")
    assert page.status_code == 503 and page.headers["Retry-After"] == "5"
    assert "gerade nicht erreichbar" in page.text
    api = client.get("/stollberg/api/v1/units")
    assert api.status_code == 503 and api.json["error"]["code"] == "unavailable"


def test_the_language_switch_never_redirects_off_site(client):
    for target in ("https://evil.example/", "//evil.example", "/\\evil.example"):
        response = client.get("/sprache/en", query_string={"next": target})
        assert response.location == "/"
    assert client.get("/sprache/de?next=/konto").location == "/konto"
