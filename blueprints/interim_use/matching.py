"""Matching interim uses to empty units: pure scoring, no database and no request.

Plain dataclasses in, dataclasses out. Callers (blueprints.interim_use.services)
turn units and applications into ``Offer`` and ``Wish`` and the town's settings
into ``Weights``; ``score`` gives one unit's fit for one application with its
reasons, ``rank_units`` and ``rank_applications`` rank either way round. So the
rules can be tested by properties and reused anywhere.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal

from babel.dates import format_date
from babel.numbers import format_decimal
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

FEATURES = ("shop_window", "water", "step_free", "storage", "kitchen")
FEATURE_LABELS = {
    "shop_window": _l("Schaufenster"),
    "water": _l("Wasseranschluss"),
    "step_free": _l("stufenloser Zugang"),
    "storage": _l("Lagerraum"),
    "kitchen": _l("Küche"),
}
CATEGORIES = {
    "retail_popup": _l("Einzelhandel / Pop-up"),
    "gastronomy": _l("Gastronomie"),
    "crafts": _l("Handwerk"),
    "art_culture": _l("Kunst und Kultur"),
    "social": _l("Soziales Projekt"),
    "startup": _l("Gründung / Start-up"),
    "other": _l("Sonstiges"),
}
CRITERIA = ("area", "budget", "period", "features", "district")
WEIGHT_MIN = 0
WEIGHT_MAX = 10
# Texts are German unless a Flask-Babel locale says otherwise (outside a request, in jobs).
DEFAULT_LOCALE = "de_DE"
# A cost this far over budget (as a share of the budget) no longer fits at all.
BUDGET_TOLERANCE = Decimal("0.5")
# An unknown area or cost is neither a fit nor a misfit: staff should ask, not discard.
UNKNOWN_FIT = 0.5


# --- the data the scoring works on -------------------------------------------------

@dataclass(frozen=True)
class Wish:
    """What an application asks for."""

    category: str
    area_min_sqm: Decimal | None
    area_max_sqm: Decimal | None
    budget_eur_month: Decimal | None
    start_date: date | None
    end_date: date | None
    features: frozenset[str]
    district_ids: frozenset[int]  # empty: any district
    application_id: int | None = None


@dataclass(frozen=True)
class Offer:
    """What a unit offers; the caller decides ``available`` and ``excluded_categories``."""

    unit_id: int
    area_sqm: Decimal | None
    rent_eur_month: Decimal | None
    service_charge_eur_month: Decimal | None
    available_from: date | None
    available: bool  # status is vacant or negotiating
    interim_use_consent: bool
    excluded_categories: frozenset[str]  # what the unit's restrictions rule out
    features: frozenset[str]
    district_id: int | None
    address: str = ""  # for messages only


@dataclass(frozen=True)
class Weights:
    """How much each criterion counts in a town, from 0 (ignored) to 10."""

    area: int = 3
    budget: int = 3
    period: int = 2
    features: int = 2
    district: int = 1

    def __post_init__(self):
        for name, value in self.as_dict().items():
            if not isinstance(value, int) or not WEIGHT_MIN <= value <= WEIGHT_MAX:
                raise ValueError(f"Weight {name}={value!r} must be a whole number from "
                                 f"{WEIGHT_MIN} to {WEIGHT_MAX}; Weights.from_dict() clamps.")

    def as_dict(self) -> dict[str, int]:
        return {field.name: getattr(self, field.name) for field in fields(self)}

    @classmethod
    def from_dict(cls, values: Mapping | None) -> Weights:
        """Read stored weights: ignore unknown keys, clamp to 0..10, keep defaults for junk."""
        known = {}
        for field in fields(cls):
            try:
                number = int((values or {})[field.name])
            except (KeyError, TypeError, ValueError):
                continue
            known[field.name] = min(WEIGHT_MAX, max(WEIGHT_MIN, number))
        return cls(**known)


@dataclass(frozen=True)
class Reason:
    """How well one criterion fits (0..1), in words a person understands."""

    criterion: str
    text: str
    fit: float


@dataclass(frozen=True)
class Match:
    """One unit for one application: a score 0..100 with reasons, or the conflicts that exclude it."""

    unit_id: int
    application_id: int | None
    score: int
    reasons: tuple[Reason, ...]
    conflicts: tuple[str, ...]

    @property
    def excluded(self) -> bool:
        return bool(self.conflicts)


DEFAULT_WEIGHTS = Weights()


# --- scoring -----------------------------------------------------------------------

def score(wish: Wish, offer: Offer, weights: Weights = DEFAULT_WEIGHTS) -> Match:
    """Score one offer for one wish; a hard conflict excludes it unscored."""
    found = conflicts(wish, offer)
    if found:
        return Match(offer.unit_id, wish.application_id, 0, (), found)
    reasons = tuple(criterion(wish, offer) for criterion in _CRITERIA)
    return Match(offer.unit_id, wish.application_id, _total(reasons, weights), reasons, ())


def conflicts(wish: Wish, offer: Offer) -> tuple[str, ...]:
    """List what rules the offer out for the wish, whatever the weights."""
    found = []
    if not offer.interim_use_consent:
        found.append(_("Eigentümer:in hat einer Zwischennutzung nicht zugestimmt."))
    if not offer.available:
        found.append(_("Die Einheit ist nicht frei."))
    if _starts_too_late(wish, offer):
        found.append(_("Frei erst ab %(available)s, gewünscht ab %(start)s.",
                       available=_day(offer.available_from), start=_day(wish.start_date)))
    if wish.category in offer.excluded_categories:
        found.append(_("Die Einheit schließt %(category)s aus.",
                       category=category_label(wish.category)))
    return tuple(found)


def rank_units(wish: Wish, offers: Iterable[Offer],
               weights: Weights = DEFAULT_WEIGHTS) -> tuple[list[Match], list[Match]]:
    """Rank units for an application: (fitting by score, excluded with their conflicts)."""
    return _split([score(wish, offer, weights) for offer in offers], _unit_order)


def rank_applications(offer: Offer, wishes: Iterable[Wish],
                      weights: Weights = DEFAULT_WEIGHTS) -> tuple[list[Match], list[Match]]:
    """Rank applications for a unit: (fitting by score, excluded with their conflicts)."""
    return _split([score(wish, offer, weights) for wish in wishes], _application_order)


def category_label(category: str) -> str:
    return str(CATEGORIES.get(category, category))


def feature_label(feature: str) -> str:
    return str(FEATURE_LABELS.get(feature, feature))


def _total(reasons: tuple[Reason, ...], weights: Weights) -> int:
    by_criterion = weights.as_dict()
    total_weight = sum(by_criterion[reason.criterion] for reason in reasons)
    if total_weight == 0:
        return 0
    weighted = sum(by_criterion[reason.criterion] * reason.fit for reason in reasons)
    # Clamped only against float noise: every fit is already within 0..1.
    return min(100, max(0, round(100 * weighted / total_weight)))


def _split(matches: list[Match], order: Callable[[Match], tuple]) -> tuple[list[Match], list[Match]]:
    ranked = sorted((match for match in matches if not match.excluded),
                    key=lambda match: (-match.score, *order(match)))
    excluded = sorted((match for match in matches if match.excluded), key=order)
    return ranked, excluded


def _unit_order(match: Match) -> tuple:
    return (match.unit_id,)


def _application_order(match: Match) -> tuple:
    # Wishes not yet saved have no id: they go last instead of breaking the sort.
    return (match.application_id is None, match.application_id or 0)


def _starts_too_late(wish: Wish, offer: Offer) -> bool:
    return (offer.available_from is not None and wish.start_date is not None
            and offer.available_from > wish.start_date)


# --- the criteria: each returns a fit 0..1 and says why ----------------------------

def _area_reason(wish: Wish, offer: Offer) -> Reason:
    low, high = _area_range(wish)
    area = offer.area_sqm
    if low is None and high is None:
        text = (_("Fläche unbekannt, kein Flächenwunsch") if area is None
                else _("Fläche %(area)s, kein Flächenwunsch", area=_area(area)))
        return Reason("area", text, 1.0)
    if area is None:
        return Reason("area", _("Fläche unbekannt"), UNKNOWN_FIT)
    wished = _area_range_text(low, high)
    if low is not None and area < low:
        text = _("Fläche %(area)s unter Wunsch %(wish)s", area=_area(area), wish=wished)
    elif high is not None and area > high:
        text = _("Fläche %(area)s über Wunsch %(wish)s", area=_area(area), wish=wished)
    else:
        text = _("Fläche %(area)s im Wunsch %(wish)s", area=_area(area), wish=wished)
    return Reason("area", text, area_fit(area, low, high))


def area_fit(area: Decimal, low: Decimal | None, high: Decimal | None) -> float:
    """Fit 1 inside the wished range, falling linearly with the distance outside it."""
    distance = area_distance(area, low, high)
    if distance == 0:
        return 1.0
    # One scale for both sides, so a unit nearer the range never fits worse,
    # whichever side it lies on.
    scale = max(bound for bound in (low, high) if bound is not None)
    if scale <= 0:
        return 0.0
    return float(max(Decimal(0), 1 - distance / scale))


def area_distance(area: Decimal, low: Decimal | None, high: Decimal | None) -> Decimal:
    """How far the area lies outside the wished range, 0 inside it."""
    below = low - area if low is not None else Decimal(0)
    above = area - high if high is not None else Decimal(0)
    return max(Decimal(0), below, above)


def _area_range(wish: Wish) -> tuple[Decimal | None, Decimal | None]:
    low, high = wish.area_min_sqm, wish.area_max_sqm
    # A range typed the wrong way round still means the same range.
    if low is not None and high is not None and low > high:
        return high, low
    return low, high


def _area_range_text(low: Decimal | None, high: Decimal | None) -> str:
    if low is not None and high is not None:
        return f"{_number(low)}–{_area(high)}"
    if low is not None:
        return _("ab %(area)s", area=_area(low))
    return _("bis %(area)s", area=_area(high))


def _budget_reason(wish: Wish, offer: Offer) -> Reason:
    cost, budget = monthly_cost(offer), wish.budget_eur_month
    label = (_("Miete inkl. Nebenkosten") if offer.service_charge_eur_month
             else _("Miete"))
    if budget is None:
        text = (_("%(label)s unbekannt, kein Budget angegeben", label=label) if cost is None
                else _("%(label)s %(cost)s, kein Budget angegeben", label=label, cost=_money(cost)))
        return Reason("budget", text, 1.0)
    if cost is None:
        return Reason("budget", _("%(label)s unbekannt", label=label), UNKNOWN_FIT)
    if cost <= budget:
        return Reason("budget", _("%(label)s %(cost)s im Budget %(budget)s", label=label,
                                  cost=_money(cost), budget=_money(budget)), 1.0)
    if budget <= 0:
        return Reason("budget", _("%(label)s %(cost)s über Budget %(budget)s", label=label,
                                  cost=_money(cost), budget=_money(budget)), 0.0)
    overshoot = (cost - budget) / budget
    return Reason("budget", _("%(label)s %(cost)s über Budget %(budget)s um %(percent)s",
                              label=label, cost=_money(cost), budget=_money(budget),
                              percent=_percent(overshoot)), budget_fit(cost, budget))


def budget_fit(cost: Decimal, budget: Decimal) -> float:
    """Fit 1 within budget, falling linearly to 0 at BUDGET_TOLERANCE over it."""
    if cost <= budget:
        return 1.0
    if budget <= 0:
        return 0.0
    overshoot = (cost - budget) / budget
    return float(max(Decimal(0), 1 - overshoot / BUDGET_TOLERANCE))


def monthly_cost(offer: Offer) -> Decimal | None:
    """Rent plus service charge; unknown when the rent is, a missing service charge counts 0."""
    if offer.rent_eur_month is None:
        return None
    return offer.rent_eur_month + (offer.service_charge_eur_month or Decimal(0))


def _period_reason(wish: Wish, offer: Offer) -> Reason:
    available, start = offer.available_from, wish.start_date
    if available is None:
        return Reason("period", _("Sofort frei"), 1.0)
    if start is None:
        return Reason("period", _("Frei ab %(available)s, kein Wunschtermin",
                                  available=_day(available)), 1.0)
    fit = 1.0 if available <= start else 0.0
    return Reason("period", _("Frei ab %(available)s, gewünscht ab %(start)s",
                              available=_day(available), start=_day(start)), fit)


def _features_reason(wish: Wish, offer: Offer) -> Reason:
    if not wish.features:
        return Reason("features", _("Keine Ausstattungswünsche"), 1.0)
    present = wish.features & offer.features
    missing = wish.features - offer.features
    fit = len(present) / len(wish.features)
    if not missing:
        return Reason("features", _("Ausstattung vollständig: %(present)s",
                                    present=_feature_list(present)), fit)
    return Reason("features", _("Ausstattung %(present)d von %(wished)d, fehlt: %(missing)s",
                                present=len(present), wished=len(wish.features),
                                missing=_feature_list(missing)), fit)


def _feature_list(features: frozenset[str]) -> str:
    return ", ".join(sorted((feature_label(feature) for feature in features), key=str.casefold))


def _district_reason(wish: Wish, offer: Offer) -> Reason:
    if not wish.district_ids:
        return Reason("district", _("Kein Gebietswunsch"), 1.0)
    if offer.district_id in wish.district_ids:
        return Reason("district", _("Im Wunschgebiet"), 1.0)
    if offer.district_id is None:
        return Reason("district", _("Gebiet der Einheit unbekannt"), 0.0)
    return Reason("district", _("Außerhalb der Wunschgebiete"), 0.0)


# In the order of CRITERIA: the reasons are listed in this order.
_CRITERIA = (_area_reason, _budget_reason, _period_reason, _features_reason, _district_reason)


# --- numbers and dates as people read them -----------------------------------------

def _locale() -> str:
    try:
        return str(get_locale() or DEFAULT_LOCALE)
    except (KeyError, RuntimeError, AttributeError):  # an app without Flask-Babel
        return DEFAULT_LOCALE


def _number(value: Decimal, pattern: str = "#,##0.##") -> str:
    return format_decimal(value, format=pattern, locale=_locale())


def _area(value: Decimal) -> str:
    return f"{_number(value)} m²"


def _money(value: Decimal) -> str:
    # Whole euros read as "480 €"; cents, when there are any, always with two digits.
    pattern = "#,##0" if value == value.to_integral_value() else "#,##0.00"
    return f"{_number(value, pattern)} €"


def _percent(share: Decimal) -> str:
    # Over budget is never "0 %": a tiny overshoot shows as the smallest step.
    return f"{_number(max(share * 100, Decimal('0.1')), '#,##0.#')} %"


def _day(value: date) -> str:
    return format_date(value, format="medium", locale=_locale())
