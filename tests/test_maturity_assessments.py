"""Maturity assessments: set-up, hidden independent scoring, submission, closing,
consolidation with targets, publication and the lock that follows."""

from __future__ import annotations

from datetime import date

import pytest
from maturity_factory import create_assessment, make_setup, published, score_all
from sqlmodel import select

from eagov.errors import Conflict, Forbidden, Invalid
from eagov.models import AuditEvent
from eagov.permissions import Actor
from eagov.schemas.maturity import (
    AssessmentCreate,
    AssessmentUpdate,
    AssessorIn,
    CloseScoringIn,
    ConsolidationIn,
    ScoreIn,
    ScoresIn,
)
from eagov.services import audit, maturity_results
from eagov.services import maturity_assessments as svc


def _open(session, st):
    aid = create_assessment(session, st)
    fac = Actor.of(st.facilitator)
    svc.open_scoring(session, fac, aid, svc.get(session, fac, aid).version)
    return aid


def _save(session, st, aid, user, levels, **kw):
    return svc.save_scores(
        session,
        Actor.of(user),
        aid,
        ScoresIn(
            scores=[
                ScoreIn(element_id=e.id, level=lv, **kw)
                for e, lv in zip(st.elements, levels, strict=False)
            ]
        ),
    )


def test_create_numbers_and_checks_the_facilitator(session):
    st = make_setup(session)
    aid = create_assessment(session, st)
    item = svc.get(session, Actor.of(st.outsider), aid)
    assert item.reference == "MA-2025-001" and item.state == "draft"
    assert [r.name for r in svc.assessors_of(session, aid)] == sorted(u.name for u in st.assessors)
    data = AssessmentCreate(
        model_id=st.model.id,
        org_unit_id=st.unit_id,
        assessed_on=date(2025, 4, 1),
        facilitator_id=st.assessors[0].id,  # a viewer may not facilitate
    )
    with pytest.raises(Invalid) as exc:
        svc.create(session, Actor.of(st.coordinator), data)
    assert "facilitator_id" in exc.value.errors
    with pytest.raises(Forbidden):
        svc.create(session, Actor.of(st.facilitator), data)  # architects do not set up


def test_scoring_opens_by_the_facilitator_only(session):
    st = make_setup(session)
    aid = create_assessment(session, st)
    with pytest.raises(Forbidden):
        svc.open_scoring(session, Actor.of(st.outsider), aid, None)
    with pytest.raises(Conflict):
        svc.open_scoring(session, Actor.of(st.facilitator), aid, 99)  # stale version
    svc.open_scoring(session, Actor.of(st.facilitator), aid, 1)
    assert svc.get(session, Actor.of(st.outsider), aid).state == "scoring"


def test_an_assessor_sees_only_their_own_scores_until_they_submit(session):
    st = make_setup(session)
    aid = _open(session, st)
    first, second, third = st.assessors
    score_all(session, st, aid, first, [1, 2, 3])
    _save(session, st, aid, second, [4, 4])  # a draft, two of three elements

    # The second assessor has not submitted: only their own marks, whatever they ask.
    mine = svc.my_scores(session, Actor.of(second), aid)
    assert sorted(s.level for s in mine.scores.values()) == [4, 4]
    seen = maturity_results.results(session, Actor.of(second), aid)
    assert all(m.assessor_name == second.name for e in seen.elements for m in e.marks)
    assert [len(e.marks) for e in seen.elements] == [1, 1, 0]

    # Neither the facilitator nor a reader sees anything while scoring runs.
    for who in (st.facilitator, st.outsider, st.coordinator, third):
        shown = maturity_results.results(session, Actor.of(who), aid)
        assert all(not e.marks for e in shown.elements), who.email

    # The first assessor (submitted) sees submitted scores only, not the second's draft.
    shown = maturity_results.results(session, Actor.of(first), aid)
    assert [[m.level for m in e.marks] for e in shown.elements] == [[1], [2], [3]]

    # Only assessors have scores of their own.
    with pytest.raises(Forbidden):
        svc.my_scores(session, Actor.of(st.outsider), aid)

    # Once the second submits, both see both.
    score_all(session, st, aid, second, [4, 4, 4])
    shown = maturity_results.results(session, Actor.of(first), aid)
    assert [sorted(m.level for m in e.marks) for e in shown.elements] == [[1, 4], [2, 4], [3, 4]]


def test_the_audit_trail_does_not_reveal_unsubmitted_levels(session):
    st = make_setup(session)
    aid = _open(session, st)
    _save(session, st, aid, st.assessors[0], [5, 5, 5], evidence="secret evidence")
    events = session.exec(select(AuditEvent).where(AuditEvent.action == "score")).all()
    assert events and all(
        "5" not in str(e.changes) and "secret" not in str(e.changes) for e in events
    )


def test_submitting_needs_every_element_and_freezes_the_scores(session):
    st = make_setup(session)
    aid = _open(session, st)
    user = st.assessors[0]
    _save(session, st, aid, user, [2, 3])
    with pytest.raises(Invalid) as exc:
        svc.submit(session, Actor.of(user), aid)
    assert "Element 3" in str(exc.value)
    _save(session, st, aid, user, [2, 3, 1])
    svc.submit(session, Actor.of(user), aid)
    with pytest.raises(Conflict):
        _save(session, st, aid, user, [0, 0, 0])
    with pytest.raises(Conflict):
        svc.submit(session, Actor.of(user), aid)


def test_scores_outside_the_model_and_stale_edits_are_refused(session):
    st = make_setup(session)
    aid = _open(session, st)
    user = st.assessors[0]
    with pytest.raises(Invalid):
        _save(session, st, aid, user, [9])
    mine = _save(session, st, aid, user, [2])
    version = mine.scores[st.elements[0].id].version
    _save(session, st, aid, user, [3], version=version)
    with pytest.raises(Conflict):
        _save(session, st, aid, user, [1], version=version)  # edited from the older copy


def test_closing_waits_for_everyone_unless_told_to_leave_them_out(session):
    st = make_setup(session)
    aid = _open(session, st)
    fac = Actor.of(st.facilitator)
    score_all(session, st, aid, st.assessors[0], [1, 2, 5])
    score_all(session, st, aid, st.assessors[1], [3, 2, 2])
    _save(session, st, aid, st.assessors[2], [0, 0, 0])  # never submitted
    version = svc.get(session, fac, aid).version
    with pytest.raises(Conflict) as exc:
        svc.close_scoring(session, fac, aid, CloseScoringIn(), version)
    assert st.assessors[2].name in str(exc.value)
    svc.close_scoring(session, fac, aid, CloseScoringIn(leave_out_missing=True), version)

    shown = maturity_results.results(session, fac, aid)
    # Proposals: the median of the submitted scores, rounded down; the draft is left out.
    assert [e.level for e in shown.elements] == [2, 2, 3]
    assert [e.spread for e in shown.elements] == [(1, 3), (2, 2), (2, 5)]
    assert [e.disagreement for e in shown.elements] == [True, False, True]
    assert all(len(e.marks) == 2 for e in shown.elements)
    # The late assessor can no longer score.
    with pytest.raises(Conflict):
        svc.submit(session, Actor.of(st.assessors[2]), aid)


def test_consolidation_needs_a_rationale_for_a_higher_target(session):
    st = make_setup(session, assessors=1)
    aid = _open(session, st)
    fac = Actor.of(st.facilitator)
    score_all(session, st, aid, st.assessors[0], [1, 2, 3])
    svc.close_scoring(session, fac, aid, CloseScoringIn(), svc.get(session, fac, aid).version)
    element = st.elements[0]
    version = svc.results_of(session, aid)[element.id].version
    with pytest.raises(Invalid) as exc:
        svc.consolidate(session, fac, aid, element.id, ConsolidationIn(level=1, target=3), version)
    assert "target_rationale" in exc.value.errors
    with pytest.raises(Forbidden):
        svc.consolidate(
            session, Actor.of(st.assessors[0]), aid, element.id, ConsolidationIn(level=1), version
        )
    data = ConsolidationIn(level=1, target=3, target_rationale="Board asks for level 3")
    done = svc.consolidate(session, fac, aid, element.id, data, version)
    assert (done.level, done.target) == (1, 3)
    with pytest.raises(Conflict):
        svc.consolidate(session, fac, aid, element.id, ConsolidationIn(level=2), version)


def test_publish_stores_the_overall_links_the_previous_and_locks(session):
    st = make_setup(session, assessors=2)
    first = published(session, st, [[1, 1, 2], [1, 2, 2]], on=date(2024, 3, 1))
    second = published(session, st, [[2, 3, 3], [2, 3, 4]], on=date(2025, 3, 1), targets=[4, 4, 3])
    fac = Actor.of(st.facilitator)
    item = svc.get(session, fac, second)
    assert item.state == "published" and item.previous_id == first
    assert item.overall_score == pytest.approx((2 + 3 + 3) / 3, abs=0.01)
    assert item.overall_level == 2

    with pytest.raises(Conflict):
        svc.update(
            session,
            fac,
            second,
            AssessmentUpdate(assessed_on=date(2025, 1, 1), facilitator_id=st.facilitator.id),
            item.version,
        )
    with pytest.raises(Conflict):
        svc.consolidate(session, fac, second, st.elements[0].id, ConsolidationIn(level=5), None)
    with pytest.raises(Conflict):
        svc.add_assessor(session, fac, second, AssessorIn(user_id=st.outsider.id))
    with pytest.raises(Conflict):
        svc.publish(session, fac, second, item.version)
    assert audit.verify_chain(session).ok


def test_publish_needs_a_level_for_every_element(session):
    st = make_setup(session, assessors=1)
    aid = _open(session, st)
    fac = Actor.of(st.facilitator)
    score_all(session, st, aid, st.assessors[0], [1, 2, 3])
    svc.close_scoring(session, fac, aid, CloseScoringIn(), svc.get(session, fac, aid).version)
    row = svc.results_of(session, aid)[st.elements[1].id]
    svc.consolidate(session, fac, aid, st.elements[1].id, ConsolidationIn(level=None), row.version)
    with pytest.raises(Conflict) as exc:
        svc.publish(session, fac, aid, svc.get(session, fac, aid).version)
    assert "Element 2" in str(exc.value)
    assert maturity_results.results(session, fac, aid).provisional


def test_assessors_are_added_and_removed_before_they_submit(session):
    st = make_setup(session, assessors=1)
    aid = _open(session, st)
    fac = Actor.of(st.facilitator)
    svc.add_assessor(session, fac, aid, AssessorIn(user_id=st.outsider.id))
    with pytest.raises(Invalid):
        svc.add_assessor(session, fac, aid, AssessorIn(user_id=st.outsider.id))
    _save(session, st, aid, st.outsider, [1])
    svc.remove_assessor(session, fac, aid, st.outsider.id)
    score_all(session, st, aid, st.assessors[0], [1, 1, 1])
    with pytest.raises(Conflict):
        svc.remove_assessor(session, fac, aid, st.assessors[0].id)
    assert [r.assessor.user_id for r in svc.assessors_of(session, aid)] == [st.assessors[0].id]
