"""Calls for entries: a call with units, rules and weighted criteria; applications to it; a jury
that scores; a ranking that shows where the members disagree."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from blueprints.interim_use import calls
from blueprints.interim_use.models import Application, Call, CallEntry
from tenants.context import tenant_context
from tenants.db import db
from tests.blueprints.interim_use.test_applications import apply_url, fill_in
from tests.conftest import login, unique
from tests.isolation import assert_same_id_stays_home


def test_the_ranking_weights_the_criteria_and_flags_disagreement():
    # Criterion 1 weighs 3, criterion 2 weighs 1. Two members score application 7 …
    scores = [(7, 1, 100, 9), (7, 1, 200, 3), (7, 2, 100, 8), (7, 2, 200, 8),
              (8, 1, 100, 6), (8, 2, 100, 6)]
    first, second, unscored = calls.jury_ranking([7, 8, 9], {1: 3, 2: 1}, scores)
    assert first.application_id == 7 and first.total == 65.0  # (6·3 + 8·1) / 4 · 10
    assert first.disputed == [1] and first.spread == {1: 6, 2: 0} and first.scored_by == 2
    assert (second.application_id, second.total, second.disputed) == (8, 60.0, [])
    assert unscored.application_id == 9 and unscored.total is None


@given(st.lists(st.integers(0, 10), min_size=1, max_size=5), st.integers(0, 4))
def test_a_higher_score_from_one_member_never_lowers_the_total(member_scores, raised_index):
    rows = [(1, 1, member, score) for member, score in enumerate(member_scores)]
    before = calls.jury_ranking([1], {1: 2}, rows)[0].total
    index = raised_index % len(rows)
    raised = list(rows)
    raised[index] = (1, 1, index, min(10, rows[index][3] + 1))
    after = calls.jury_ranking([1], {1: 2}, raised)[0].total
    assert 0 <= before <= 100 and after >= before


def create_call_page(client, town, **data):
    defaults = {"title": "Sommer in der Altstadt", "deadline": (date.today() + timedelta(days=14)).isoformat(),
                "criterion_1": "Belebung der Straße", "weight_1": "3",
                "criterion_2": "Tragfähigkeit", "weight_2": "1"}
    return client.post(f"/{town.slug}/verwaltung/ausschreibungen/neu", data={**defaults, **data},
                       follow_redirects=True)


def test_a_call_is_answered_scored_by_its_jury_and_ranked(app, client, towns, create_user, create_unit):
    unit_id = create_unit(towns.a, publish="exact", interim_use_consent=True,
                          area_sqm=Decimal("45"), address=unique("Aufrufgasse ") + " 2")
    partner = create_user(role="partner", town=towns.a, name="Sabine Vogel")
    named = create_user(name="Jonas Keil")  # a named member without a role in the town
    login(client, create_user(role="manager", town=towns.a))
    unknown = create_call_page(client, towns.a, jury="niemand@example.org")
    assert unknown.status_code == 422 and "Kein Konto bei Quartier: niemand@example.org" in unknown.text
    created = create_call_page(client, towns.a, unit_ids=[unit_id], jury=f"{partner.email}\n{named.email}")
    assert "Die Ausschreibung ist veröffentlicht." in created.text
    with app.app_context(), tenant_context(towns.a):
        call_id = db.session.query(Call).order_by(Call.id.desc()).first().id
    client.get("/logout")

    public = client.get(f"/{towns.a.slug}/zwischennutzung/ausschreibungen/{call_id}").text
    assert "Belebung der Straße" in public and "Aufrufgasse" in public
    ids = []
    for name in ("Keramik Kollektiv", "Nähcafé"):
        email = f"{unique('call')}@example.org"
        client.get(f"/{towns.a.slug}/zwischennutzung/bewerben?ausschreibung={call_id}")
        fill_in(client, towns.a, email)
        client.post(apply_url(towns.a, "bewerber"), data={"applicant_name": name, "email": email,
                                                           "legal_form": "gbr"})
        assert "Auf die Ausschreibung" in client.get(apply_url(towns.a, "absenden")).text
        client.post(apply_url(towns.a, "absenden"), data={"consent": "y"})
        with app.app_context(), tenant_context(towns.a):
            application = db.session.query(Application).filter_by(email=email).one()
            application.status = "submitted"  # as if the guest had confirmed
            db.session.commit()
            ids.append(application.id)
            assert db.session.query(CallEntry).filter_by(application_id=application.id).one().call_id == call_id

    with app.app_context(), tenant_context(towns.a):
        criteria = [c.id for c in db.session.get(Call, call_id).criteria]
    score_url = f"/{towns.a.slug}/verwaltung/ausschreibungen/{call_id}/bewerten"
    for member, marks in ((partner, ((9, 8), (5, 5))), (named, ((2, 8), (5, 6)))):
        login(client, member)
        wrong = client.post(score_url, data={f"score-{ids[0]}-{criteria[0]}": "11"})
        assert wrong.status_code == 422 and 'aria-invalid="true"' in wrong.text
        data = {f"score-{application_id}-{criterion}": str(mark)
                for application_id, row in zip(ids, marks, strict=True)
                for criterion, mark in zip(criteria, row, strict=True)}
        assert "Ihre Bewertung ist gespeichert." in client.post(score_url, data=data, follow_redirects=True).text
        client.get("/logout")
    login(client, create_user())  # an account outside the jury
    assert client.get(score_url).status_code == 404
    login(client, partner)
    ranking = client.get(f"/{towns.a.slug}/verwaltung/ausschreibungen/{call_id}").text
    first, second = ranking.index("Keramik Kollektiv"), ranking.index("Nähcafé")
    assert first < second  # 61,2 points against 51,2
    assert "uneinig (Spanne 7)" in ranking and "2 / 2" in ranking


def test_after_the_deadline_the_call_refuses_applications(app, client, towns):
    with app.app_context(), tenant_context(towns.b):
        call = calls.create_call(title="Vorbei", description="", eligibility="",
                                 deadline=date.today() - timedelta(days=1), unit_ids=[],
                                 criteria=[("Idee", 1)], jury_user_ids=[])
        db.session.commit()
        call_id = call.id
    client.get(f"/{towns.b.slug}/zwischennutzung/bewerben?ausschreibung={call_id}")
    page = client.get(f"/{towns.b.slug}/zwischennutzung/ausschreibungen/{call_id}").text
    assert "die Frist ist abgelaufen" in page and "Jetzt bewerben" not in page
    with app.app_context(), tenant_context(towns.b):
        assert not calls.accepting(db.session.get(Call, call_id))


def test_a_call_of_one_town_is_never_shown_in_another(client, towns, app, manager_of_both_towns):
    def create(town, record_id, marker):
        with app.app_context(), tenant_context(town):
            db.session.add(Call(id=record_id, title=marker, deadline=date.today(), unit_ids=[]))
            db.session.commit()

    assert_same_id_stays_home(client, towns, create=create, url_for_record=lambda town, record_id:
                              f"/{town.slug}/verwaltung/ausschreibungen/{record_id}")
