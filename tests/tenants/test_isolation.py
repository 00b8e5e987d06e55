"""Tenant isolation, the first security property, proven over every route."""
import pytest

from tests.isolation import assert_town_closed, protected_town_routes


def test_there_are_protected_town_routes_to_check(app):
    assert len(list(protected_town_routes(app))) >= 4


def test_a_manager_of_one_town_is_refused_everywhere_in_another(app, client, towns, login_as):
    login_as("manager", towns.a)
    assert assert_town_closed(app, client, towns.b) >= 4


def test_a_partner_of_one_town_is_refused_everywhere_in_another(app, client, towns, login_as):
    login_as("partner", towns.b)
    assert_town_closed(app, client, towns.a)


def test_an_anonymous_visitor_reaches_no_staff_page(app, client, towns):
    assert_town_closed(app, client, towns.a)


def test_an_applicant_reaches_no_staff_page_of_their_own_town(app, client, towns, login_as):
    login_as("applicant", towns.a)
    refused = client.get(f"/{towns.a.slug}/verwaltung/")
    assert refused.status_code == 403


@pytest.mark.parametrize("path", ["/verwaltung/", "/verwaltung/stadtteile"])
def test_the_manager_reaches_their_own_staff_pages(client, towns, login_as, path):
    login_as("manager", towns.a)
    assert client.get(f"/{towns.a.slug}{path}").status_code == 200
