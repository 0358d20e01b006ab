"""The decision log: each kind with an effect applies it atomically with the decision, a
refused effect saves nothing, the quorum, votes, supersedes, decisions outside meetings."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from contract_factory import make_cast, make_contract
from pydantic import ValidationError
from sqlmodel import func, select
from test_agenda import dispensation
from test_meetings_service import schedule
from test_reviews_service import BASELINE, to_state

from eagov.errors import Conflict, Forbidden, Invalid
from eagov.models import AgendaItem, Board, Decision, DecisionSubject, Meeting
from eagov.permissions import SYSTEM
from eagov.schemas.meetings import DecisionIn
from eagov.schemas.reviews import AdvanceIn
from eagov.services import agenda, checklists, contracts, decisions, meetings, reviews

TODAY = date.today()


@pytest.fixture
def cast(session):
    return make_cast(session)


@pytest.fixture
def library(session):
    return checklists.import_library(session, SYSTEM, BASELINE.read_bytes())


def running(session, cast, *, present: bool = True) -> Meeting:
    """A meeting whose agenda was proposed, now in session with the chair present."""
    meeting = schedule(session, cast)
    agenda.apply_proposal(session, cast.actor("coordinator"), meeting.id, today=TODAY)
    meetings.open_meeting(session, cast.actor("chair"), meeting.id, None)
    if present:
        meetings.set_attendance(
            session, cast.actor("chair"), meeting.id, cast.person["chair"], "attended"
        )
    return meeting


def item_about(session, meeting: Meeting, subject_type: str, subject_id: int) -> AgendaItem:
    return next(
        i
        for i in agenda.items_of(session, meeting.id)
        if (i.subject_type, i.subject_id) == (subject_type, subject_id)
    )


def decide(session, cast, item: AgendaItem | None, kind: str, **over: Any) -> Decision:
    data = {
        "kind": kind,
        "title": f"Board decides: {kind}",
        "rationale": "Discussed at length; the board agrees.",
        "decided_on": TODAY,
        "agenda_item_id": item.id if item else None,
    } | over
    return decisions.record(session, cast.actor("chair"), DecisionIn(**data), today=TODAY)


def count(session, model) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


def test_contract_approval_applies_with_the_decision(session, cast):
    contract = make_contract(session, cast)
    contracts.submit(session, cast.actor("coordinator"), contract.id)
    meeting = running(session, cast)
    item = item_about(session, meeting, "contract", contract.id)
    decision = decide(session, cast, item, "contract_approval")
    assert decision.reference == f"DEC-{TODAY.year}-0001"
    session.refresh(contract)
    assert contract.status == "approved"
    assert decision.effect["contract"] == contract.reference and decision.effect["content_hash"]
    assert (decision.meeting_id, decision.board_id) == (meeting.id, cast.board_id)
    session.refresh(item)
    assert item.status == "decided"
    links = session.exec(select(DecisionSubject)).all()
    assert [(s.subject_type, s.subject_id) for s in links] == [("contract", contract.id)]


def test_a_refused_effect_saves_neither_the_decision_nor_the_effect(session, cast):
    contract = make_contract(session, cast)
    contracts.submit(session, cast.actor("coordinator"), contract.id)
    meeting = running(session, cast)
    item = item_about(session, meeting, "contract", contract.id)
    contracts.approve(session, cast.actor("chair"), contract.id)  # approved meanwhile
    with pytest.raises(Conflict):
        decide(session, cast, item, "contract_approval")
    session.expire_all()
    assert count(session, Decision) == 0
    assert session.get(AgendaItem, item.id).status == "open"


def test_dispensation_grant_with_expiry_and_a_refused_expiry(session, cast, library):
    rejected = to_state(session, cast, library, "signed_off")
    asked = dispensation(session, cast, rejected)
    meeting = running(session, cast)
    item = item_about(session, meeting, "dispensation", asked.id)
    with pytest.raises(Invalid) as exc:
        decide(session, cast, item, "dispensation_grant", expires_on=TODAY + timedelta(days=900))
    assert "expires_on" in exc.value.errors
    session.expire_all()
    assert count(session, Decision) == 0 and session.get(type(asked), asked.id).state == "requested"
    until = TODAY + timedelta(days=60)
    decision = decide(session, cast, item, "dispensation_grant", expires_on=until)
    session.refresh(asked)
    assert asked.state == "granted" and asked.expires_on == until
    assert decision.effect == {
        "dispensation": asked.reference,
        "state": "granted",
        "expires_on": until.isoformat(),
    }


def test_dispensation_refusal(session, cast, library):
    rejected = to_state(session, cast, library, "signed_off")
    asked = dispensation(session, cast, rejected)
    meeting = running(session, cast)
    decide(
        session,
        cast,
        item_about(session, meeting, "dispensation", asked.id),
        "dispensation_refusal",
    )
    session.refresh(asked)
    assert asked.state == "refused" and asked.decision_note.startswith("Discussed")


@pytest.mark.parametrize(
    ("kind", "conditions", "outcome"),
    [
        ("review_acceptance", "", "accepted"),
        ("review_acceptance", "Fix SEC-01 within 3 months.", "accepted_with_conditions"),
        ("review_rejection", "", "rejected"),
    ],
)
def test_review_decisions_sign_the_review_off(session, cast, library, kind, conditions, outcome):
    review = to_state(session, cast, library, "presented")
    meeting = running(session, cast)
    item = item_about(session, meeting, "review", review.id)
    decision = decide(session, cast, item, kind, conditions=conditions)
    session.refresh(review)
    assert review.state == "signed_off" and review.decision == outcome
    assert review.decision_conditions == conditions
    assert decision.effect["decision"] == outcome


def test_review_decision_needs_a_presented_review(session, cast, library):
    review = to_state(session, cast, library, "presented")
    meeting = running(session, cast)
    item = item_about(session, meeting, "review", review.id)
    reviews.advance(session, cast.actor("chair"), review.id, AdvanceIn(decision="accepted"))
    with pytest.raises(Conflict):
        decide(session, cast, item, "review_rejection")
    assert count(session, Decision) == 0


def test_no_decision_without_quorum_or_outside_a_session(session, cast):
    meeting = running(session, cast, present=False)
    with pytest.raises(Conflict) as exc:
        decide(session, cast, None, "product_selection", meeting_id=meeting.id)
    assert "quorum" in str(exc.value)
    planned = schedule(session, cast)
    with pytest.raises(Conflict):
        decide(session, cast, None, "product_selection", meeting_id=planned.id)


def test_only_the_chair_records(session, cast):
    meeting = running(session, cast)
    with pytest.raises(Forbidden):
        decisions.record(
            session,
            cast.actor("viewer"),
            DecisionIn(
                kind="other",
                title="Viewer tries",
                rationale="Not allowed to do this.",
                decided_on=TODAY,
                meeting_id=meeting.id,
            ),
        )


def test_effect_kinds_need_their_agenda_item(session, cast):
    meeting = running(session, cast)
    other = agenda.items_of(session, meeting.id)[-1]  # schedule of meetings
    with pytest.raises(Invalid) as exc:
        decide(session, cast, other, "contract_approval")
    assert "kind" in exc.value.errors
    with pytest.raises(Invalid):
        decide(session, cast, None, "dispensation_grant", board_id=cast.board_id)


def test_decisions_outside_a_meeting_and_supersedes(session, cast):
    first = decide(session, cast, None, "product_selection", board_id=cast.board_id)
    assert first.meeting_id is None
    second = decide(
        session, cast, None, "product_selection", board_id=cast.board_id, supersedes_id=first.id
    )
    assert second.supersedes_id == first.id
    row = decisions.decision_row(session, cast.actor("viewer"), first.id)
    assert row.superseded_by == (second.id, second.reference)
    with pytest.raises(Conflict):
        decide(
            session, cast, None, "product_selection", board_id=cast.board_id, supersedes_id=first.id
        )
    other = Board(name="Local board", level="local", quorum=1)
    session.add(other)
    session.commit()
    with pytest.raises(Invalid):
        decide(session, cast, None, "other", board_id=other.id, supersedes_id=second.id)


def test_votes_must_carry():
    base = {"kind": "other", "title": "Vote", "rationale": "Counted by hand.", "decided_on": TODAY}
    with pytest.raises(ValidationError):
        DecisionIn(**base, method="vote", votes_for=2)
    with pytest.raises(ValidationError):
        DecisionIn(**base, method="vote", votes_for=2, votes_against=2, abstentions=0)
    ok = DecisionIn(**base, method="vote", votes_for=3, votes_against=2, abstentions=1)
    assert ok.votes_for == 3


def test_log_filters_and_subjects(session, cast):
    decide(
        session,
        cast,
        None,
        "product_selection",
        board_id=cast.board_id,
        title="Pick the message broker",
        subjects=[{"subject_type": "meeting", "subject_id": schedule(session, cast).id}],
    )
    decide(session, cast, None, "standards_deviation", board_id=cast.board_id)
    viewer = cast.actor("viewer")
    everything = decisions.decisions_page(session, viewer, decisions.DecisionFilter())
    assert everything.total == 2
    found = decisions.decisions_page(session, viewer, decisions.DecisionFilter(q="broker"))
    assert [r.decision.title for r in found.items] == ["Pick the message broker"]
    assert found.items[0].subjects[0][0] == "meeting"
    kinds = decisions.decisions_page(
        session, viewer, decisions.DecisionFilter(kind="standards_deviation")
    )
    assert kinds.total == 1
    with pytest.raises(Invalid):
        decide(
            session,
            cast,
            None,
            "other",
            board_id=cast.board_id,
            subjects=[{"subject_type": "contract", "subject_id": 999}],
        )
