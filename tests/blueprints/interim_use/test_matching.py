"""Matching interim-use applications to units: the pure scoring, by properties and by example."""
from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import flask_babel
import pytest
from flask import Flask
from hypothesis import given, settings
from hypothesis import strategies as st

from blueprints.interim_use.matching import (CATEGORIES, CRITERIA, FEATURES, Match, Offer, Weights,
                                             Wish, conflicts, rank_applications, rank_units, score)

# Enough examples to find edge cases, few enough that the file runs in seconds;
# no deadline because the first example loads Babel's locale data.
PROPERTY = settings(max_examples=100, deadline=None)


@pytest.fixture(scope="module", autouse=True)
def german_request():
    """A bare German Flask-Babel request around every test: gettext and number formats need one."""
    app = Flask(__name__)
    app.config["BABEL_DEFAULT_LOCALE"] = "de"
    flask_babel.Babel(app)
    with app.test_request_context():
        yield


def make_wish(**overrides) -> Wish:
    values = dict(category="retail_popup", area_min_sqm=Decimal(30), area_max_sqm=Decimal(60),
                  budget_eur_month=Decimal(400), start_date=date(2026, 6, 1),
                  end_date=date(2026, 12, 31), features=frozenset(), district_ids=frozenset(),
                  application_id=1)
    return Wish(**{**values, **overrides})


def make_offer(**overrides) -> Offer:
    values = dict(unit_id=1, area_sqm=Decimal(45), rent_eur_month=Decimal(350),
                  service_charge_eur_month=None, available_from=date(2026, 5, 1), available=True,
                  interim_use_consent=True, excluded_categories=frozenset(), features=frozenset(),
                  district_id=1, address="Hauptstraße 1")
    return Offer(**{**values, **overrides})


def reason(match: Match, criterion: str):
    return next(reason for reason in match.reasons if reason.criterion == criterion)


# --- strategies --------------------------------------------------------------------

money = st.decimals(min_value=0, max_value=5000, places=2)
areas = st.decimals(min_value=0, max_value=1000, places=1)
days = st.dates(min_value=date(2025, 1, 1), max_value=date(2028, 12, 31))
# Before every wished start above: an offer with such a date never conflicts on time.
early_days = st.dates(min_value=date(2024, 1, 1), max_value=date(2024, 12, 31))
feature_sets = st.frozensets(st.sampled_from(FEATURES))
category_keys = st.sampled_from(tuple(CATEGORIES))
district_ids = st.integers(min_value=1, max_value=5)
weight_sets = st.builds(Weights, **{criterion: st.integers(0, 10) for criterion in CRITERIA})


@st.composite
def wishes(draw, application_id=st.integers(min_value=1, max_value=10**6)) -> Wish:
    low, high = draw(st.none() | areas), draw(st.none() | areas)
    if low is not None and high is not None and low > high:
        low, high = high, low
    return Wish(category=draw(category_keys), area_min_sqm=low, area_max_sqm=high,
                budget_eur_month=draw(st.none() | money), start_date=draw(st.none() | days),
                end_date=draw(st.none() | days), features=draw(feature_sets),
                district_ids=draw(st.frozensets(district_ids, max_size=3)),
                application_id=draw(application_id))


@st.composite
def offers(draw, unit_id=st.integers(min_value=1, max_value=10**6), open_only=False) -> Offer:
    """Any offer, or with ``open_only`` one no wish can conflict with."""
    return Offer(unit_id=draw(unit_id), area_sqm=draw(st.none() | areas),
                 rent_eur_month=draw(st.none() | money),
                 service_charge_eur_month=draw(st.none() | money),
                 available_from=draw(st.none() | (early_days if open_only else days)),
                 available=open_only or draw(st.booleans()),
                 interim_use_consent=open_only or draw(st.booleans()),
                 excluded_categories=frozenset() if open_only else draw(st.frozensets(category_keys)),
                 features=draw(feature_sets), district_id=draw(st.none() | district_ids))


def open_offers() -> st.SearchStrategy[Offer]:
    return offers(open_only=True)


def distinct_offers() -> st.SearchStrategy[list[Offer]]:
    return st.lists(offers(), max_size=8, unique_by=lambda offer: offer.unit_id)


def distinct_wishes() -> st.SearchStrategy[list[Wish]]:
    return st.lists(wishes(), max_size=8, unique_by=lambda wish: wish.application_id)


def distance(area: Decimal, wish: Wish) -> Decimal:
    """How far outside the wished range, computed here independently of the service."""
    if wish.area_min_sqm is not None and area < wish.area_min_sqm:
        return wish.area_min_sqm - area
    if wish.area_max_sqm is not None and area > wish.area_max_sqm:
        return area - wish.area_max_sqm
    return Decimal(0)


# --- properties --------------------------------------------------------------------

@PROPERTY
@given(wish=wishes(), offer=offers(), weights=weight_sets)
def test_the_score_is_a_whole_number_from_0_to_100(wish, offer, weights):
    match = score(wish, offer, weights)
    assert type(match.score) is int
    assert 0 <= match.score <= 100
    assert all(0 <= reason.fit <= 1 and reason.text for reason in match.reasons)
    assert match.excluded == bool(conflicts(wish, offer))


@PROPERTY
@given(wish=wishes(), offers=distinct_offers(), weights=weight_sets)
def test_a_conflicting_unit_is_never_ranked_and_always_excluded_with_reasons(wish, offers, weights):
    ranked, excluded = rank_units(wish, offers, weights)
    conflicting = {offer.unit_id for offer in offers if conflicts(wish, offer)}
    assert not conflicting & {match.unit_id for match in ranked}
    assert {match.unit_id for match in excluded} == conflicting
    assert all(match.conflicts and match.score == 0 and not match.reasons for match in excluded)
    assert len(ranked) + len(excluded) == len(offers)


@PROPERTY
@given(offer=offers(), wishes=distinct_wishes(), weights=weight_sets)
def test_a_conflicting_application_is_never_ranked_for_a_unit(offer, wishes, weights):
    ranked, excluded = rank_applications(offer, wishes, weights)
    conflicting = {wish.application_id for wish in wishes if conflicts(wish, offer)}
    assert not conflicting & {match.application_id for match in ranked}
    assert {match.application_id for match in excluded} == conflicting
    assert all(match.conflicts for match in excluded)


@PROPERTY
@given(wish=wishes(), offer=open_offers(), weights=weight_sets, rents=st.lists(money, min_size=2, max_size=2))
def test_a_cheaper_unit_never_scores_lower(wish, offer, weights, rents):
    cheaper, dearer = (score(wish, replace(offer, rent_eur_month=rent), weights)
                       for rent in sorted(rents))
    assert reason(cheaper, "budget").fit >= reason(dearer, "budget").fit
    assert cheaper.score >= dearer.score


@PROPERTY
@given(wish=wishes(), offer=open_offers(), weights=weight_sets, sizes=st.lists(areas, min_size=2, max_size=2))
def test_an_area_closer_to_the_wish_never_scores_lower(wish, offer, weights, sizes):
    closer_area, farther_area = sorted(sizes, key=lambda area: distance(area, wish))
    closer, farther = (score(wish, replace(offer, area_sqm=area), weights)
                       for area in (closer_area, farther_area))
    assert reason(closer, "area").fit >= reason(farther, "area").fit
    assert closer.score >= farther.score


@PROPERTY
@given(wish=wishes(), offer=open_offers(), weights=weight_sets, extra=feature_sets)
def test_more_of_the_wished_features_never_scores_lower(wish, offer, weights, extra):
    richer = score(wish, replace(offer, features=offer.features | extra), weights)
    plainer = score(wish, offer, weights)
    assert reason(richer, "features").fit >= reason(plainer, "features").fit
    assert richer.score >= plainer.score


@PROPERTY
@given(wish=wishes(), offers=distinct_offers(), weights=weight_sets, data=st.data())
def test_the_ranking_is_sorted_and_does_not_depend_on_input_order(wish, offers, weights, data):
    ranked, excluded = rank_units(wish, offers, weights)
    assert [(-match.score, match.unit_id) for match in ranked] == sorted(
        (-match.score, match.unit_id) for match in ranked)
    assert [match.unit_id for match in excluded] == sorted(match.unit_id for match in excluded)
    assert rank_units(wish, data.draw(st.permutations(offers)), weights) == (ranked, excluded)


@PROPERTY
@given(offer=offers(), wishes=distinct_wishes(), weights=weight_sets, data=st.data())
def test_the_applications_are_sorted_and_do_not_depend_on_input_order(offer, wishes, weights, data):
    ranked, excluded = rank_applications(offer, wishes, weights)
    assert [(-match.score, match.application_id) for match in ranked] == sorted(
        (-match.score, match.application_id) for match in ranked)
    assert rank_applications(offer, data.draw(st.permutations(wishes)), weights) == (ranked, excluded)


def variation(criterion: str, wish: Wish) -> st.SearchStrategy[dict]:
    """Other values for the offer fields that only ``criterion`` looks at."""
    latest_start = wish.start_date or date(2028, 12, 31)
    return st.fixed_dictionaries({
        "area": {"area_sqm": st.none() | areas},
        "budget": {"rent_eur_month": st.none() | money,
                   "service_charge_eur_month": st.none() | money},
        # Never after the wished start: that would be a conflict, not a score.
        "period": {"available_from": st.none() | st.dates(max_value=latest_start)},
        "features": {"features": feature_sets},
        "district": {"district_id": st.none() | district_ids},
    }[criterion])


@pytest.mark.parametrize("criterion", CRITERIA)
@settings(max_examples=50, deadline=None)
@given(wish=wishes(), offer=open_offers(), weights=weight_sets, data=st.data())
def test_a_criterion_weighted_zero_cannot_change_the_total(criterion, wish, offer, weights, data):
    weights = replace(weights, **{criterion: 0})
    other = replace(offer, **data.draw(variation(criterion, wish)))
    assert score(wish, other, weights).score == score(wish, offer, weights).score


# --- examples: the texts people read ------------------------------------------------

def test_an_area_within_the_wish_fits_fully_and_says_so():
    area = reason(score(make_wish(), make_offer(area_sqm=Decimal(45))), "area")
    assert area.text == "Fläche 45 m² im Wunsch 30–60 m²"
    assert area.fit == 1


def test_an_area_outside_the_wish_falls_with_the_distance():
    below = reason(score(make_wish(), make_offer(area_sqm=Decimal(24))), "area")
    above = reason(score(make_wish(), make_offer(area_sqm=Decimal(90))), "area")
    assert below.text == "Fläche 24 m² unter Wunsch 30–60 m²"
    assert below.fit == pytest.approx(0.9)
    assert above.text == "Fläche 90 m² über Wunsch 30–60 m²"
    assert above.fit == pytest.approx(0.5)


def test_an_unknown_area_counts_half():
    area = reason(score(make_wish(), make_offer(area_sqm=None)), "area")
    assert (area.text, area.fit) == ("Fläche unbekannt", 0.5)


def test_rent_over_budget_says_by_how_much():
    budget = reason(score(make_wish(), make_offer(rent_eur_month=Decimal(480))), "budget")
    assert budget.text == "Miete 480 € über Budget 400 € um 20 %"
    assert budget.fit == pytest.approx(0.6)


def test_rent_within_budget_fits_fully():
    budget = reason(score(make_wish(), make_offer(rent_eur_month=Decimal(350))), "budget")
    assert (budget.text, budget.fit) == ("Miete 350 € im Budget 400 €", 1)


def test_the_service_charge_counts_towards_the_budget():
    offer = make_offer(rent_eur_month=Decimal(350), service_charge_eur_month=Decimal("150.50"))
    budget = reason(score(make_wish(), offer), "budget")
    assert budget.text == "Miete inkl. Nebenkosten 500,50 € über Budget 400 € um 25,1 %"


def test_rent_half_over_budget_no_longer_fits():
    budget = reason(score(make_wish(), make_offer(rent_eur_month=Decimal(600))), "budget")
    assert budget.fit == 0


def test_missing_features_are_named():
    wish = make_wish(features=frozenset({"kitchen", "water", "shop_window"}))
    features = reason(score(wish, make_offer(features=frozenset({"shop_window"}))), "features")
    assert features.text == "Ausstattung 1 von 3, fehlt: Küche, Wasseranschluss"
    assert features.fit == pytest.approx(1 / 3)


@pytest.mark.parametrize(("overrides", "text"), [
    ({"interim_use_consent": False}, "Eigentümer:in hat einer Zwischennutzung nicht zugestimmt."),
    ({"available": False}, "Die Einheit ist nicht frei."),
    ({"available_from": date(2026, 9, 1)}, "Frei erst ab 01.09.2026, gewünscht ab 01.06.2026."),
    ({"excluded_categories": frozenset({"gastronomy"})}, "Die Einheit schließt Gastronomie aus."),
])
def test_each_hard_conflict_excludes_the_unit_and_says_why(overrides, text):
    match = score(make_wish(category="gastronomy"), make_offer(**overrides))
    assert match.conflicts == (text,)
    assert match.excluded and match.score == 0 and match.reasons == ()


def test_all_conflicts_are_listed_together():
    offer = make_offer(interim_use_consent=False, available=False)
    assert len(score(make_wish(), offer).conflicts) == 2


def test_all_weights_zero_scores_zero_without_excluding():
    zero = Weights(**{criterion: 0 for criterion in CRITERIA})
    match = score(make_wish(), make_offer(), zero)
    assert (match.score, match.excluded, len(match.reasons)) == (0, False, len(CRITERIA))


def test_a_perfect_unit_scores_100():
    assert score(make_wish(), make_offer()).score == 100


def test_units_are_ranked_by_score_then_id_and_conflicts_set_apart():
    offers = [make_offer(unit_id=3, rent_eur_month=Decimal(480)), make_offer(unit_id=2),
              make_offer(unit_id=1), make_offer(unit_id=4, available=False)]
    ranked, excluded = rank_units(make_wish(), offers)
    assert [match.unit_id for match in ranked] == [1, 2, 3]
    assert [match.unit_id for match in excluded] == [4]


def test_applications_are_ranked_for_a_unit_with_ties_by_application_id():
    wishes = [make_wish(application_id=7), make_wish(application_id=5, budget_eur_month=Decimal(300)),
              make_wish(application_id=6), make_wish(application_id=8, category="gastronomy")]
    ranked, excluded = rank_applications(
        make_offer(excluded_categories=frozenset({"gastronomy"})), wishes)
    assert [match.application_id for match in ranked] == [6, 7, 5]
    assert [match.application_id for match in excluded] == [8]


def test_weights_from_settings_ignore_unknown_keys_and_clamp():
    weights = Weights.from_dict({"area": 12, "budget": -1, "period": "4", "features": "viel",
                                 "colour": 5})
    assert weights.as_dict() == {"area": 10, "budget": 0, "period": 4, "features": 2, "district": 1}
    assert Weights.from_dict(None) == Weights()


def test_weights_out_of_range_are_refused():
    with pytest.raises(ValueError, match="from_dict"):
        Weights(area=11)
