"""Calls for entries (Ausschreibungen) and their juries.

A call offers units until a deadline, under rules, and names weighted
criteria. Applications sent to it are scored by each jury member on each
criterion (0–10). ``jury_ranking`` is pure: it averages the members per
criterion, weights the criteria to a total of 0–100, and measures how far the
members disagree, so staff see where to talk before they decide.
"""
from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from blueprints.interim_use.models import (
    Application,
    Call,
    CallCriterion,
    CallEntry,
    JuryMember,
    JuryScore,
)
from blueprints.interim_use.workflow import StepRefused
from tenants.db import db

# Members who differ by this many points (of 10) on a criterion should talk.
DISAGREEMENT_POINTS = 4


# --- the pure part ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Ranked:
    application_id: int
    total: float | None  # 0–100; None while nobody has scored
    by_criterion: dict[int, float]  # criterion id → members' mean (0–10)
    spread: dict[int, int]  # criterion id → highest minus lowest score
    scored_by: int  # how many members scored at least one criterion

    @property
    def disputed(self) -> list[int]:
        return [criterion for criterion, spread in self.spread.items()
                if spread >= DISAGREEMENT_POINTS]


def jury_ranking(application_ids: list[int], weights: dict[int, int],
                 scores: list[tuple[int, int, int, int]]) -> list[Ranked]:
    """Rank applications from ``(application_id, criterion_id, member_id, score)`` rows."""
    ranked = [_rank_one(application_id, weights,
                        [row for row in scores if row[0] == application_id])
              for application_id in application_ids]
    return sorted(ranked, key=lambda r: (r.total is None, -(r.total or 0), r.application_id))


def _rank_one(application_id, weights, rows) -> Ranked:
    per_criterion: dict[int, list[int]] = {}
    for _application, criterion, _member, score in rows:
        per_criterion.setdefault(criterion, []).append(score)
    means = {criterion: statistics.fmean(values) for criterion, values in per_criterion.items()}
    spread = {criterion: max(values) - min(values) for criterion, values in per_criterion.items()}
    weighed = {criterion: weight for criterion, weight in weights.items() if criterion in means}
    total = None
    if weighed and sum(weighed.values()):
        total = round(10 * sum(means[c] * w for c, w in weighed.items()) / sum(weighed.values()), 1)
    return Ranked(application_id, total, means, spread, len({row[2] for row in rows}))


# --- the register's part -------------------------------------------------------------------------

def list_calls() -> list[Call]:
    return list(db.session.scalars(select(Call).order_by(Call.deadline.desc(), Call.id.desc())))


def open_calls(today: date | None = None) -> list[Call]:
    today = today or date.today()
    return list(db.session.scalars(select(Call).where(Call.status == "open", Call.deadline >= today)
                                   .order_by(Call.deadline)))


def get_call(call_id: int) -> Call | None:
    return db.session.get(Call, call_id)


def create_call(*, title: str, description: str, eligibility: str, deadline: date,
                unit_ids: list[int], criteria: list[tuple[str, int]], jury_user_ids: list[int]) -> Call:
    if not criteria:
        raise StepRefused(_("Bitte mindestens ein Kriterium angeben."))
    call = Call(title=title.strip(), description=description.strip(), eligibility=eligibility.strip(),
                deadline=deadline, unit_ids=sorted(set(unit_ids)), status="open")
    call.criteria = [CallCriterion(name=name.strip(), weight=weight, position=index)
                     for index, (name, weight) in enumerate(criteria)]
    call.jury = [JuryMember(user_id=user_id) for user_id in sorted(set(jury_user_ids))]
    db.session.add(call)
    return call


def accepting(call: Call, today: date | None = None) -> bool:
    return call.status == "open" and (today or date.today()) <= call.deadline


def enter(application: Application, call: Call) -> None:
    """Send the application to the call; refused after the deadline."""
    if not accepting(call):
        raise StepRefused(_("Die Frist dieser Ausschreibung ist abgelaufen."))
    db.session.add(CallEntry(call=call, application=application))


def call_of(application: Application) -> Call | None:
    entry = db.session.scalars(select(CallEntry).where(CallEntry.application_id == application.id)).first()
    return entry.call if entry else None


def entries(call: Call) -> list[Application]:
    """The call's applications that reached the town (confirmed, not drafts)."""
    return list(db.session.scalars(
        select(Application).join(CallEntry, CallEntry.application_id == Application.id)
        .where(CallEntry.call_id == call.id, Application.status.notin_(("draft", "unconfirmed")))
        .order_by(Application.id)))


def is_juror(call: Call, user_id: int) -> bool:
    return any(member.user_id == user_id for member in call.jury)


def record_scores(call: Call, user_id: int, scores: dict[tuple[int, int], int]) -> None:
    """Store one member's scores ``{(application_id, criterion_id): 0–10}``, replacing earlier ones."""
    if not is_juror(call, user_id):
        raise StepRefused(_("Sie gehören nicht zur Jury dieser Ausschreibung."))
    allowed_applications = {application.id for application in entries(call)}
    allowed_criteria = {criterion.id for criterion in call.criteria}
    existing = {(s.application_id, s.criterion_id): s for s in db.session.scalars(
        select(JuryScore).where(JuryScore.user_id == user_id,
                                JuryScore.criterion_id.in_(allowed_criteria)))}
    for (application_id, criterion_id), score in scores.items():
        if application_id not in allowed_applications or criterion_id not in allowed_criteria:
            continue
        if not 0 <= score <= 10:
            raise StepRefused(_("Punkte von 0 bis 10, bitte."))
        row = existing.get((application_id, criterion_id))
        if row is None:
            db.session.add(JuryScore(application_id=application_id, criterion_id=criterion_id,
                                     user_id=user_id, score=score))
        else:
            row.score = score


def my_scores(call: Call, user_id: int) -> dict[tuple[int, int], int]:
    criteria = [criterion.id for criterion in call.criteria]
    return {(s.application_id, s.criterion_id): s.score for s in db.session.scalars(
        select(JuryScore).where(JuryScore.user_id == user_id, JuryScore.criterion_id.in_(criteria)))}


def ranking(call: Call) -> list[tuple[Ranked, Application]]:
    applications = {application.id: application for application in entries(call)}
    criteria = [criterion.id for criterion in call.criteria]
    rows = db.session.execute(select(JuryScore.application_id, JuryScore.criterion_id,
                                     JuryScore.user_id, JuryScore.score)
                              .where(JuryScore.criterion_id.in_(criteria))).all() if criteria else []
    ranked = jury_ranking(list(applications), {c.id: c.weight for c in call.criteria},
                          [tuple(row) for row in rows])
    return [(item, applications[item.application_id]) for item in ranked]
