"""The register's rules: status history, consent-based publishing, the approximate location."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from blueprints.vacancies import services
from blueprints.vacancies.models import Unit
from tenants.db import db


def test_every_status_change_is_kept_with_its_date_and_vacant_since_follows(create_unit, in_town,
                                                                            towns):
    emptied = date.today() - timedelta(days=400)
    unit_id = create_unit(towns.a, status="occupied", status_on=emptied - timedelta(days=100))
    with in_town(towns.a):
        unit = services.get_unit(unit_id)
        services.change_status(unit, "vacant", on=emptied)
        assert unit.vacant_since == emptied
        services.change_status(unit, "negotiating", on=emptied + timedelta(days=300))
        assert unit.vacant_since == emptied  # still empty while they negotiate
        services.change_status(unit, "let", on=emptied + timedelta(days=350))
        db.session.commit()
        periods = services.status_periods(services.get_unit(unit_id))
        assert [(p.status, p.days) for p in periods] == [
            ("occupied", 100), ("vacant", 300), ("negotiating", 50),
            ("let", (date.today() - emptied).days - 350)]
        assert services.days_empty(services.get_unit(unit_id)) == 350
        assert services.get_unit(unit_id).vacant_since is None


def test_the_same_status_again_is_not_a_change(create_unit, in_town, towns):
    unit_id = create_unit(towns.a)
    with in_town(towns.a):
        unit = services.get_unit(unit_id)
        assert services.change_status(unit, "vacant") is None
        assert len(unit.history) == 1


def test_an_endangered_unit_is_an_early_warning_until_it_is_used_again(create_unit, in_town, towns):
    unit_id = create_unit(towns.a, status="occupied", endangered=True,
                          endangered_reason="Inhaberin geht 2027 in Rente")
    with in_town(towns.a):
        assert services.register_figures().endangered >= 1
        unit = services.get_unit(unit_id)
        services.change_status(unit, "interim")
        assert unit.endangered is False


def test_only_units_whose_owner_agreed_and_that_are_available_are_listed(create_unit, in_town,
                                                                         towns):
    listed = create_unit(towns.b, publish="exact")
    unpublished = create_unit(towns.b, publish="no")
    let = create_unit(towns.b, publish="exact", status="let")
    with in_town(towns.b):
        shown = set(db.session.scalars(select(Unit.id).where(
            Unit.id.in_(services.listing_query().with_only_columns(Unit.id).scalar_subquery()))))
        assert listed in shown and unpublished not in shown and let not in shown
        assert services.get_listed_unit(unpublished) is None
        assert services.get_listed_unit(let) is None


def test_listing_filters_by_area_usage_and_rent(create_unit, in_town, towns):
    small = create_unit(towns.b, publish="exact", area_sqm=Decimal("40"), rent_eur_month=Decimal("400"),
                        usage="retail")
    large = create_unit(towns.b, publish="exact", area_sqm=Decimal("120"), rent_eur_month=Decimal("1200"),
                        usage="gastronomy")
    with in_town(towns.b):
        def ids(**wanted):
            return {u.id for u in db.session.scalars(services.listing_query(services.ListingFilter(**wanted)))}
        assert small in ids(area_max=Decimal("50")) and large not in ids(area_max=Decimal("50"))
        assert large in ids(usage="gastronomy") and small not in ids(usage="gastronomy")
        assert small in ids(rent_max=Decimal("500")) and large not in ids(rent_max=Decimal("500"))


def test_the_approximate_location_never_reveals_the_exact_point_and_never_changes(
        create_unit, in_town, towns):
    exact = (50.7000, 12.7800)
    unit_id = create_unit(towns.a, publish="approximate", lat=exact[0], lon=exact[1],
                          address="Markt 7")
    with in_town(towns.a):
        unit = services.get_unit(unit_id)
        shown = services.public_point(unit)
        distance = services.distance_metres(exact, shown)
        assert services.APPROXIMATE_MIN_METRES - 1 <= distance <= services.APPROXIMATE_MAX_METRES + 1
        # Asked again and again, the point stays: nothing to average.
        assert {services.public_point(services.get_unit(unit_id)) for _ in range(5)} == {shown}
        services.update_unit(unit, {"description": "frisch renoviert"})
        assert services.public_point(unit) == shown
        assert services.public_address(unit) == "Markt"  # no house number
        # Moved: a new exact point draws a new displaced one.
        services.update_unit(unit, {"lat": 50.71, "lon": 12.79})
        assert services.public_point(unit) != shown
        assert services.distance_metres((50.71, 12.79), services.public_point(unit)) >= 79


def test_an_exact_publication_shows_the_address_and_point(create_unit, in_town, towns):
    unit_id = create_unit(towns.a, publish="exact", lat=50.7, lon=12.78, address="Markt 7",
                          postcode="09366")
    with in_town(towns.a):
        unit = services.get_unit(unit_id)
        assert services.public_point(unit) == (50.7, 12.78)
        assert services.public_address(unit) == "Markt 7, 09366"


def test_every_displaced_point_keeps_its_distance_in_every_direction():
    points = [services.displaced_point(50.7, 12.78) for _ in range(400)]
    distances = [services.distance_metres((50.7, 12.78), point) for point in points]
    assert min(distances) >= services.APPROXIMATE_MIN_METRES - 1
    assert max(distances) <= services.APPROXIMATE_MAX_METRES + 1
    # North, south, east and west all occur: the direction tells nothing either.
    assert {p[0] > 50.7 for p in points} == {True, False}
    assert {p[1] > 12.78 for p in points} == {True, False}


def test_the_register_computes_its_figures(create_unit, in_town, towns, app):
    from blueprints.town import services as town

    with app.app_context():
        from tenants.context import tenant_context
        with tenant_context(towns.b):
            district = town.create_district(f"Figuren {date.today().isoformat()} {id(app)}")
            district_id = district.id
    create_unit(towns.b, district_id=district_id, area_sqm=Decimal("50"))
    create_unit(towns.b, district_id=district_id, area_sqm=Decimal("70"), status="negotiating")
    create_unit(towns.b, district_id=district_id, area_sqm=Decimal("90"), status="let")
    create_unit(towns.b, district_id=district_id, area_sqm=Decimal("30"), status="occupied")
    with in_town(towns.b):
        figures = services.register_figures(district_id)
        assert (figures.units, figures.empty) == (4, 2)
        assert figures.vacancy_rate == 0.5
        assert figures.available_area_sqm == Decimal("120")
        assert services.figures_by_district()[district_id] == figures
