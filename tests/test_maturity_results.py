"""The results of an assessment: overall figures by the model's method, shares, gaps,
the previous assessment, the unit's trend and the comparison of units, in bounded queries."""

from __future__ import annotations

from datetime import date

import pytest
from conftest import count_statements
from maturity_factory import make_model, make_setup, published

from eagov.permissions import Actor
from eagov.services import maturity_results as mr


def test_results_numbers(session):
    st = make_setup(session, assessors=2, model=make_model(session, weights=[2.0, 1.0, 1.0]))
    first = published(session, st, [[1, 1, 2], [1, 2, 2]], on=date(2024, 3, 1))
    second = published(session, st, [[2, 3, 1], [2, 3, 5]], on=date(2025, 3, 1), targets=[4, 3, 4])
    res = mr.results(session, Actor.of(st.outsider), second)
    assert res.method == "weighted_mean"
    # Levels 2, 3, 3 (median of 1 and 5 rounded down) weighted 2, 1, 1: (4 + 3 + 3) / 4.
    assert [e.level for e in res.elements] == [2, 3, 3]
    assert res.overall_score == 2.5 and res.overall_level == 2
    assert res.target_score == pytest.approx((8 + 3 + 4) / 4, abs=0.01)
    assert res.level_shares[2] == pytest.approx(1 / 3) and res.level_shares[3] == pytest.approx(
        2 / 3
    )
    assert sum(res.level_shares.values()) == pytest.approx(1)
    assert [e.gap for e in res.elements] == [2, 0, 1]
    assert [e.previous_level for e in res.elements] == [1, 1, 2]
    assert res.elements[2].disagreement and res.elements[2].spread == (1, 5)
    assert res.elements[0].descriptor["en"].startswith("E1 at level 2")
    assert res.elements[0].target_descriptor["en"].startswith("E1 at level 4")
    assert res.previous is not None and res.previous.assessment_id == first
    assert [p.assessment_id for p in res.trend] == [first, second]
    assert not res.provisional
    # Published: everyone sees the submitted marks.
    assert all(len(e.marks) == 2 for e in res.elements)


@pytest.mark.parametrize(("method", "score", "level"), [("lowest", 1.0, 1), ("high_water", 4.0, 4)])
def test_results_follow_the_models_method(session, method, score, level):
    st = make_setup(session, assessors=1, method=method)
    aid = published(session, st, [[1, 4, 2]])
    res = mr.results(session, Actor.of(st.outsider), aid)
    assert (res.overall_score, res.overall_level) == (score, level)


def test_comparison_takes_each_units_latest_published_assessment(session):
    model = make_model(session, elements=2)
    a = make_setup(session, "a", assessors=1, model=model)
    b = make_setup(session, "b", assessors=1, model=model)
    published(session, a, [[1, 1]], on=date(2024, 1, 10))
    latest_a = published(session, a, [[2, 3]], on=date(2025, 1, 10))
    latest_b = published(session, b, [[4, 0]], on=date(2024, 6, 1))
    cmp = mr.comparison(session, Actor.of(a.outsider), "acmm")
    assert [e.key for e in cmp.elements] == ["e1", "e2"]
    assert [(r.unit_name, r.assessment_id, r.levels) for r in cmp.rows] == [
        ("Unit a", latest_a, {"e1": 2, "e2": 3}),
        ("Unit b", latest_b, {"e1": 4, "e2": 0}),
    ]
    only_b = mr.comparison(session, Actor.of(a.outsider), "acmm", [b.unit_id])
    assert [r.unit_id for r in only_b.rows] == [b.unit_id]
    assert mr.comparison(session, Actor.of(a.outsider), "other").rows == []


def _statements(app, session, actor, aid, unit_ids):
    with count_statements(app) as seen:
        mr.results(session, actor, aid)
        mr.comparison(session, actor, "acmm", unit_ids)
    session.expire_all()
    return len(seen)


def test_results_and_comparison_run_a_bounded_number_of_statements(app, session):
    model = make_model(session, elements=3)
    small = make_setup(session, "s", assessors=1, model=model)
    published(session, small, [[1, 2, 3]], on=date(2024, 1, 1))
    aid = published(session, small, [[2, 2, 3]], on=date(2025, 1, 1))
    actor = Actor.of(small.outsider)
    session.expire_all()
    few = _statements(app, session, actor, aid, None)

    big_model = make_model(session, key="acmm", version="2.0", elements=30)
    big = make_setup(session, "b", assessors=10, model=big_model)
    for year in range(2015, 2025):
        big_aid = published(session, big, [[3] * 30] * 10, on=date(year, 1, 1))
    for i in range(9):
        other = make_setup(session, f"o{i}", assessors=1, model=big_model)
        published(session, other, [[1] * 30], on=date(2024, 6, 1))
    session.expire_all()
    many = _statements(app, session, actor, big_aid, None)
    assert many == few, (few, many)
