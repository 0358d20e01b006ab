"""The demo maturity assessments: three units assessed twice and published (trends show),
disagreements and targets, one assessment in scoring; the audit chain still verifies."""

from __future__ import annotations

from sqlmodel import select

from eagov.demo import load_demo
from eagov.models import MaturityAssessment, OrgUnit, User
from eagov.permissions import Actor
from eagov.services import audit
from eagov.services import maturity_results as mr


def test_demo_maturity(session):
    load_demo(session)  # loads the demo assessments with the rest
    rows = session.exec(select(MaturityAssessment)).all()
    assert len(rows) == 7
    assert sorted(a.state for a in rows) == ["published"] * 6 + ["scoring"]
    viewer = Actor.of(session.exec(select(User).where(User.email.startswith("viewer@"))).one())
    units = dict(session.exec(select(OrgUnit.name, OrgUnit.id)).all())
    for name in ("Retail Banking", "Corporate Banking", "Data & Analytics"):
        trend = mr.trend(session, viewer, units[name], "acmm")
        assert len(trend) == 2 and trend[0].score < trend[1].score, name
        assert (trend[1].assessed_on - trend[0].assessed_on).days > 300
    latest = next(a for a in rows if a.previous_id is not None)
    res = mr.results(session, viewer, latest.id)
    assert res.previous is not None and any(e.gap for e in res.elements)
    assert any(
        e.disagreement
        for a in rows
        if a.state == "published"
        for e in mr.results(session, viewer, a.id).elements
    )
    cmp = mr.comparison(session, viewer, "acmm")
    assert len(cmp.rows) == 3 and len(cmp.elements) == 9
    # In the scoring one, the architect sees nothing of the others yet.
    scoring = next(a for a in rows if a.state == "scoring")
    architect = Actor.of(
        session.exec(select(User).where(User.email.startswith("architect@"))).one()
    )
    assert all(not e.marks for e in mr.results(session, architect, scoring.id).elements)
    assert audit.verify_chain(session).ok
