"""The agenda proposal: each source of pending business, the standard order, no duplicates,
the papers attached; and editing the agenda by hand."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from contract_factory import make_cast, make_contract
from sqlmodel import select
from test_meetings_service import START, in_session, schedule
from test_reviews_service import BASELINE, to_state

from eagov.errors import Conflict, Forbidden, Invalid
from eagov.models import Action, GovernanceRequest, MeetingPaper
from eagov.permissions import SYSTEM
from eagov.schemas.meetings import AgendaItemEdit, AgendaItemIn
from eagov.schemas.reviews import DispensationDecision, DispensationRequest
from eagov.services import agenda, checklists, contracts, dispensations, meetings, reviews

TODAY = date.today()


@pytest.fixture
def cast(session):
    return make_cast(session)


@pytest.fixture
def library(session):
    return checklists.import_library(session, SYSTEM, BASELINE.read_bytes())


def request_row(session, cast, kind: str, state: str = "escalated", n: int = 1, board=True):
    row = GovernanceRequest(
        reference=f"GR-{kind[:3]}-{n}",
        year=2026,
        number=n + (100 if kind == "complaint" else 0) + (0 if state == "escalated" else 50),
        type=kind,
        title=f"{kind} {n}",
        description="Please decide.",
        state=state,
        board_id=cast.board_id if board else None,
    )
    session.add(row)
    session.commit()
    return row


def action_row(session, cast, n: int, status: str = "open", due: date | None = None):
    row = Action(
        reference=f"ACT-2026-{n:03d}",
        year=2026,
        number=n,
        board_id=cast.board_id,
        description=f"Action {n}",
        raised_on=TODAY - timedelta(days=30),
        due_on=due,
        status=status,
    )
    session.add(row)
    session.commit()
    return row


def dispensation(session, cast, review, *, grant_days: int | None = None):
    ref = reviews.items_of(session, review.id)[0].reference
    until = TODAY + timedelta(days=grant_days or 90)
    item = dispensations.request(
        session,
        cast.actor("lead"),
        DispensationRequest(
            review_id=review.id,
            item_references=[ref],
            justification="Waiting for the replacement platform.",
            requested_expiry=until,
        ),
    )
    if grant_days is not None:
        dispensations.grant(
            session, cast.actor("chair"), item.id, DispensationDecision(expires_on=until), None
        )
    return item


def close_meeting(session, cast, start: datetime):
    meeting = in_session(session, cast, start=start)
    meetings.close(session, cast.actor("chair"), meeting.id, None, minutes="Done.")
    return meeting


def test_proposal_takes_each_source_in_the_standard_order(session, cast, library):
    previous = close_meeting(session, cast, START - timedelta(days=30))
    presented = to_state(session, cast, library, "presented")
    rejected = to_state(session, cast, library, "signed_off")
    asked = dispensation(session, cast, rejected)
    soon = dispensation(session, cast, rejected, grant_days=20)
    dispensation(session, cast, rejected, grant_days=200)  # far off: not on the agenda
    contract = make_contract(session, cast)
    contracts.submit(session, cast.actor("coordinator"), contract.id)
    make_contract(session, cast)  # still a draft: not for approval
    change = request_row(session, cast, "change_request")
    request_row(session, cast, "change_request", state="in_progress", n=2)
    dispute = request_row(session, cast, "complaint")
    overdue = action_row(session, cast, 1, due=TODAY - timedelta(days=1))
    later = action_row(session, cast, 2, due=TODAY + timedelta(days=10))
    action_row(session, cast, 3, status="done")

    proposed = agenda.propose(session, cast.board_id, START, None, TODAY)
    got = [(p.section, p.subject_type, p.subject_id) for p in proposed]
    assert got == [
        ("previous_minutes", "meeting", previous.id),
        ("change_requests", "request", change.id),
        ("dispensations", "dispensation", asked.id),
        ("dispensations", "dispensation", soon.id),
        ("compliance_assessments", "review", presented.id),
        ("disputes", "request", dispute.id),
        ("strategy", None, None),  # the cast's board is a global one
        ("actions", "action", overdue.id),
        ("actions", "action", later.id),
        ("contract_documentation", "contract", contract.id),
        ("other_business", None, None),
        ("schedule_of_meetings", None, None),
    ]
    assert proposed[7].title.startswith("Overdue action")


def test_expiring_dispensations_up_to_the_next_meeting(session, cast, library):
    rejected = to_state(session, cast, library, "signed_off")
    in_40 = dispensation(session, cast, rejected, grant_days=40)
    subjects = lambda nxt: [  # noqa: E731
        p.subject_id
        for p in agenda.propose(session, cast.board_id, START, nxt, TODAY)
        if p.section == "dispensations"
    ]
    assert subjects(None) == [in_40.id]  # within 60 days when no next meeting is planned
    assert subjects(datetime.now(UTC) + timedelta(days=30)) == []
    assert subjects(datetime.now(UTC) + timedelta(days=45)) == [in_40.id]


def test_applying_the_proposal_twice_adds_nothing_new_and_attaches_papers(session, cast, library):
    presented = to_state(session, cast, library, "presented")
    contract = make_contract(session, cast)
    contracts.submit(session, cast.actor("coordinator"), contract.id)
    meeting = schedule(session, cast)
    manual = agenda.add_item(
        session,
        cast.actor("coordinator"),
        meeting.id,
        AgendaItemIn(
            section="compliance_assessments",
            title="Our own wording",
            subject_type="review",
            subject_id=presented.id,
        ),
    )
    added = agenda.apply_proposal(session, cast.actor("coordinator"), meeting.id, today=TODAY)
    assert manual.id not in {i.id for i in added}
    assert [i.subject_type for i in added] == [None, "contract", None, None]
    assert agenda.apply_proposal(session, cast.actor("coordinator"), meeting.id) == []
    items = agenda.items_of(session, meeting.id)
    assert [i.section for i in items] == [
        "compliance_assessments",
        "strategy",
        "contract_documentation",
        "other_business",
        "schedule_of_meetings",
    ]
    assert [i.position for i in items] == [1, 2, 3, 4, 5]
    papers = session.exec(select(MeetingPaper).where(MeetingPaper.meeting_id == meeting.id)).all()
    assert {(p.kind, p.subject_id) for p in papers} == {("contract_document", contract.id)}


def test_proposal_only_for_planned_meetings_and_organisers(session, cast):
    meeting = schedule(session, cast)
    with pytest.raises(Forbidden):
        agenda.apply_proposal(session, cast.actor("viewer"), meeting.id)
    meetings.open_meeting(session, cast.actor("chair"), meeting.id, None)
    with pytest.raises(Conflict):
        agenda.apply_proposal(session, cast.actor("coordinator"), meeting.id)


def test_edit_move_remove_items(session, cast):
    meeting = schedule(session, cast)
    agenda.apply_proposal(session, cast.actor("coordinator"), meeting.id)
    aob = agenda.add_item(
        session,
        cast.actor("coordinator"),
        meeting.id,
        AgendaItemIn(section="dispensations", title="Waiver policy"),
    )
    titles = [i.section for i in agenda.items_of(session, meeting.id)]
    assert titles.index("dispensations") < titles.index("other_business")
    agenda.move_item(session, cast.actor("coordinator"), aob.id, "down", aob.version)
    assert agenda.items_of(session, meeting.id)[1].id == aob.id
    with pytest.raises(Conflict):
        agenda.edit_item(session, cast.actor("coordinator"), aob.id, AgendaItemEdit(notes="x"), 1)
    agenda.edit_item(
        session,
        cast.actor("coordinator"),
        aob.id,
        AgendaItemEdit(status="deferred", notes="Next time."),
        aob.version,
    )
    assert aob.status == "deferred" and aob.notes == "Next time."
    with pytest.raises(Invalid):
        agenda.add_item(
            session,
            cast.actor("coordinator"),
            meeting.id,
            AgendaItemIn(section="actions", title="Ghost", subject_type="action", subject_id=99),
        )
    agenda.remove_item(session, cast.actor("coordinator"), aob.id, aob.version)
    assert [i.position for i in agenda.items_of(session, meeting.id)] == [1, 2, 3]
