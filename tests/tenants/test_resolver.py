"""Finding the town of a request: own host, SLUG.TENANT_HOST_SUFFIX, or /<slug>/."""
import pytest

from tenants.resolver import validate_slug
from tenants.services import create_tenant
from tests.conftest import make_app, unique


@pytest.fixture(scope="module")
def hosted(app, database_url, tmp_path_factory):
    """A town with its own host, and an app that also knows a host suffix."""
    slug = unique("hosted")
    with app.app_context():
        create_tenant(slug, "Gastdorf", hosts=[f"www.{slug}.example"])
    suffixed = make_app(database_url, tmp_path_factory.mktemp("suffix"),
                        TENANT_HOST_SUFFIX="quartier.example.de")
    return slug, suffixed


def test_a_town_is_found_by_its_own_host(app, hosted):
    slug, _ = hosted
    response = app.test_client().get("/impressum", headers={"Host": f"www.{slug}.example"})
    assert response.status_code == 200
    assert "Gastdorf" in response.get_data(as_text=True)


def test_links_on_a_towns_own_host_drop_the_slug_prefix(app, hosted):
    slug, _ = hosted
    page = app.test_client().get("/", headers={"Host": f"www.{slug}.example:8000"}).get_data(as_text=True)
    assert 'href="/impressum"' in page
    assert f'href="/{slug}/impressum"' not in page


def test_the_slug_prefix_still_works_on_the_towns_own_host(app, hosted):
    slug, _ = hosted
    response = app.test_client().get(f"/{slug}/impressum", headers={"Host": f"www.{slug}.example"})
    assert response.status_code == 200


def test_the_towns_api_is_reached_on_its_own_host(app, hosted):
    slug, _ = hosted
    response = app.test_client().get("/api/v1/openapi.json", headers={"Host": f"www.{slug}.example"})
    assert response.status_code == 200
    assert response.is_json


def test_global_pages_stay_global_on_a_towns_host(app, hosted):
    slug, _ = hosted
    response = app.test_client().get("/healthz", headers={"Host": f"www.{slug}.example"})
    assert response.json == {"status": "ok"}


def test_a_town_is_found_by_slug_and_host_suffix(hosted):
    slug, suffixed = hosted
    response = suffixed.test_client().get("/", headers={"Host": f"{slug}.quartier.example.de"})
    assert response.status_code == 200
    assert "Gastdorf" in response.get_data(as_text=True)


def test_an_unknown_subdomain_is_a_404(hosted):
    _, suffixed = hosted
    response = suffixed.test_client().get("/stadt-die-fehlt/", headers={"Host": "nix.quartier.example.de"})
    assert response.status_code == 404


def test_a_town_is_found_by_path_prefix(client, towns):
    assert "Beetzdorf" in client.get(f"/{towns.b.slug}/").get_data(as_text=True)


@pytest.mark.parametrize("slug", ["plattform", "login", "konto", "api", "Gross", "-x", "a_b", ""])
def test_reserved_or_malformed_slugs_are_refused(slug):
    with pytest.raises(ValueError):
        validate_slug(slug)


def test_a_job_links_into_the_town_it_runs_in(database_url, tmp_path, towns):
    """Workers and commands have no request: the town comes from tenant_context()."""
    from tenants.context import tenant_context
    from tenants.db import db
    from tenants.resolver import external_url

    app = make_app(database_url, tmp_path / unique("instance"), PUBLIC_URL="https://quartier.example.de")
    with app.app_context():
        with tenant_context(towns.a):
            assert external_url("events.calendar") == \
                f"https://quartier.example.de/{towns.a.slug}/veranstaltungen"
        with tenant_context(towns.b):
            assert external_url("events.calendar") == \
                f"https://quartier.example.de/{towns.b.slug}/veranstaltungen"
        db.engine.dispose()
