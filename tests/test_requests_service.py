"""The request desk's service layer: filing, triage and its permissions, the work, the two
conversions (each atomic), service-target standing, and the lists."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from contract_factory import make_cast
from sqlmodel import select

from eagov.errors import Conflict, Forbidden, Invalid, NotFound
from eagov.models import (
    AuditEvent,
    Dispensation,
    GovernanceRequest,
    RequestNote,
    Review,
    SurveyInvitation,
)
from eagov.permissions import SYSTEM, Actor
from eagov.schemas.requests import (
    ConvertToReviewIn,
    EscalateIn,
    NoteIn,
    ReasonIn,
    RequestIn,
    ResolveIn,
    TargetIn,
    TargetsIn,
    TriageIn,
)
from eagov.schemas.reviews import DispensationRequest, FindingIn, ReviewRequest
from eagov.services import requests as svc
from eagov.services import reviews, service_targets
from eagov.services.service_targets import Target

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
SURVEY = svc.SurveyConfig(secret="test-secret")


@pytest.fixture
def cast(session):
    return make_cast(session)


def file_one(session, actor, type_="architecture_question", now=NOW, **extra):
    data = RequestIn(
        type=type_,
        title=extra.pop("title", "Which message broker for the payments hub?"),
        description="We need a decision on the broker before the design review.",
        **extra,
    )
    return svc.file(session, actor, data, now=now)


def test_filing_numbers_per_year_and_records_the_requester(session, cast):
    viewer = cast.actor("viewer")
    first = file_one(session, viewer)
    second = file_one(session, viewer, requested_outcome="A named broker and its standard.")
    assert (first.reference, second.reference) == ("GR-2026-0001", "GR-2026-0002")
    assert first.state == "new" and first.requester_id == cast.viewer.id
    assert first.channel == "web_form" and first.priority == "normal"
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "file")).all()


def test_only_the_desk_files_on_someones_behalf(session, cast):
    with pytest.raises(Invalid) as exc:
        file_one(session, cast.actor("viewer"), channel="phone", requester_name="Pat Caller")
    assert "channel" in exc.value.errors
    with pytest.raises(Invalid) as exc:
        file_one(session, cast.actor("coordinator"), channel="phone")
    assert "requester_name" in exc.value.errors
    taken = file_one(
        session,
        cast.actor("coordinator"),
        channel="email",
        requester_name="Vera Viewer",
        requester_email="VIEWER@example.com",
    )
    # The requester has an account: the request shows under their "My requests".
    assert taken.requester_id == cast.viewer.id and taken.requester_name == "Vera Viewer"


def test_a_requester_sees_only_their_own_requests(session, cast):
    mine = file_one(session, cast.actor("viewer"))
    other = file_one(session, cast.actor("partner"))
    with pytest.raises(NotFound):
        svc.get_request(session, cast.actor("viewer"), other.id)
    listing = svc.requests_page(session, cast.actor("viewer"), svc.RequestFilter(), 1, 25, now=NOW)
    assert [r.request.id for r in listing.items] == [mine.id]
    desk = svc.requests_page(session, cast.actor("lead"), svc.RequestFilter(), 1, 25, now=NOW)
    assert desk.total == 2


def test_triage_needs_the_desk_and_an_eligible_assignee(session, cast):
    req = file_one(session, cast.actor("viewer"))
    with pytest.raises(Forbidden):
        svc.triage(session, cast.actor("lead"), req.id, TriageIn(assignee_id=cast.lead.id), None)
    with pytest.raises(Invalid) as exc:
        svc.triage(
            session, cast.actor("coordinator"), req.id, TriageIn(assignee_id=cast.viewer.id), None
        )
    assert "assignee_id" in exc.value.errors
    later = NOW + timedelta(hours=2)
    done = svc.triage(
        session,
        cast.actor("coordinator"),
        req.id,
        TriageIn(assignee_id=cast.lead.id, priority="high"),
        req.version,
        now=later,
    )
    assert (done.state, done.priority, done.assignee_id) == ("assigned", "high", cast.lead.id)
    assert done.first_response_at == later and done.triaged_at == later
    with pytest.raises(Conflict):  # a stale version
        svc.triage(session, cast.actor("coordinator"), req.id, TriageIn(priority="low"), 1)


def test_the_assignee_works_and_resolves_and_the_desk_reopens(session, cast):
    req = file_one(session, cast.actor("viewer"))
    coordinator, lead = cast.actor("coordinator"), cast.actor("lead")
    svc.triage(session, coordinator, req.id, TriageIn(assignee_id=cast.lead.id), None, now=NOW)
    with pytest.raises(Forbidden):
        svc.start(session, cast.actor("viewer"), req.id, None)
    svc.start(session, lead, req.id, None, now=NOW)
    assert req.state == "in_progress"
    with pytest.raises(ValueError):
        ResolveIn(outcome="")  # the outcome is required
    resolved = svc.resolve(
        session,
        lead,
        req.id,
        ResolveIn(outcome="Use the group broker."),
        None,
        survey=SURVEY,
        now=NOW,
    )
    assert resolved.state == "resolved" and resolved.resolved_at == NOW
    assert session.exec(select(SurveyInvitation).where(SurveyInvitation.request_id == req.id)).one()
    with pytest.raises(Forbidden):
        svc.reopen(session, lead, req.id, ReasonIn(reason="Not answered yet."), None)
    svc.reopen(session, coordinator, req.id, ReasonIn(reason="The broker is end of life."), None)
    assert req.state == "assigned" and req.resolved_at is None and req.outcome == ""
    notes = session.exec(select(RequestNote).where(RequestNote.request_id == req.id)).all()
    assert any("end of life" in n.body and not n.internal for n in notes)
    svc.resolve(
        session, lead, req.id, ResolveIn(outcome="Use the new broker."), None, survey=SURVEY
    )
    svc.close(session, cast.actor("viewer"), req.id, None)
    assert req.state == "closed" and req.closed_at is not None


def test_internal_notes_do_not_count_as_first_response_and_stay_hidden(session, cast):
    req = file_one(session, cast.actor("viewer"))
    lead = cast.actor("lead")
    svc.add_note(
        session,
        lead,
        req.id,
        NoteIn(body="Checking with security.", internal=True, with_unit_id=cast.business_unit_id),
        now=NOW,
    )
    assert req.first_response_at is None
    with pytest.raises(Invalid):
        svc.add_note(session, cast.actor("viewer"), req.id, NoteIn(body="Psst", internal=True))
    svc.add_note(session, cast.actor("viewer"), req.id, NoteIn(body="Any news?"), now=NOW)
    assert req.first_response_at is None  # the requester's own note
    later = NOW + timedelta(hours=1)
    svc.add_note(session, lead, req.id, NoteIn(body="We are on it."), now=later)
    assert req.first_response_at == later
    seen = svc.detail(session, cast.actor("viewer"), req.id, now=NOW)
    assert [n.note.body for n in seen.notes] == ["Any news?", "We are on it."]
    desk = svc.detail(session, lead, req.id, now=NOW)
    assert desk.notes[0].unit == "Retail" and desk.notes[0].note.internal


def test_withdraw_by_the_requester_and_reject_by_the_desk(session, cast):
    mine = file_one(session, cast.actor("viewer"))
    with pytest.raises(NotFound):  # someone else's request is not even shown
        svc.withdraw(session, cast.actor("partner"), mine.id, ReasonIn(reason="Not mine"), None)
    svc.withdraw(session, cast.actor("viewer"), mine.id, ReasonIn(reason="Solved locally."), None)
    assert mine.state == "withdrawn" and mine.first_response_at is None
    other = file_one(session, cast.actor("partner"))
    svc.withdraw(
        session, cast.actor("coordinator"), other.id, ReasonIn(reason="Duplicate of GR-1."), None
    )
    assert other.state == "withdrawn" and other.first_response_at is not None
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "reject")).one()


def test_escalation_puts_a_change_request_before_a_board(session, cast):
    change = file_one(session, cast.actor("viewer"), type_="change_request")
    done = svc.escalate(
        session,
        cast.actor("coordinator"),
        change.id,
        EscalateIn(board_id=cast.board_id, note="For the next meeting."),
        None,
    )
    assert (done.state, done.board_id) == ("escalated", cast.board_id)
    review_request = file_one(session, cast.actor("viewer"), type_="review_request")
    with pytest.raises(Conflict):
        svc.escalate(
            session,
            cast.actor("coordinator"),
            review_request.id,
            EscalateIn(board_id=cast.board_id),
            None,
        )


def test_a_review_request_turns_into_a_review_in_one_transaction(session, cast):
    req = file_one(
        session, cast.actor("viewer"), type_="review_request", requested_outcome="A sign-off"
    )
    data = ConvertToReviewIn(
        board_id=cast.board_id, project="Payments hub", checkpoint="initial_design"
    )
    review = svc.convert_to_review(
        session, cast.actor("coordinator"), req.id, data, req.version, survey=SURVEY, now=NOW
    )
    session.refresh(req)
    assert req.review_id == review.id and req.state == "resolved"
    assert req.first_response_at is not None and review.reference in req.outcome
    assert review.title == req.title and "A sign-off" in review.scope


def test_a_failing_conversion_to_a_review_changes_nothing(session, cast):
    req = file_one(session, cast.actor("viewer"), type_="review_request")
    before = (req.state, req.version, req.first_response_at)
    data = ConvertToReviewIn(board_id=9999, project="Payments hub", checkpoint="initial_design")
    with pytest.raises(Invalid) as exc:
        svc.convert_to_review(session, cast.actor("coordinator"), req.id, data, None, survey=SURVEY)
    assert "board_id" in exc.value.errors
    session.expire_all()
    again = session.get(GovernanceRequest, req.id)
    assert (again.state, again.version, again.first_response_at) == before
    assert not session.exec(select(SurveyInvitation)).all()
    assert not session.exec(select(Review)).all()


def _review_with_finding(session, cast):
    review = reviews.request_review(
        session,
        cast.actor("viewer"),
        ReviewRequest(
            title="Cards platform", project="Cards", board_id=cast.board_id, checkpoint="ad_hoc"
        ),
    )
    finding = reviews.raise_finding(
        session,
        cast.actor("coordinator"),
        review.id,
        FindingIn(severity="high", description="Uses TLS 1.0"),
    )
    return review, finding


def test_a_dispensation_request_turns_into_one_in_one_transaction(session, cast):
    review, finding = _review_with_finding(session, cast)
    req = file_one(session, cast.actor("viewer"), type_="dispensation_request")
    data = DispensationRequest(
        review_id=review.id,
        finding_id=finding.id,
        standards=["TLS 1.2 minimum"],
        justification="The vendor ships TLS 1.2 support in the next release only.",
        requested_expiry=date(2026, 6, 30),
    )
    with pytest.raises(Forbidden):
        svc.convert_to_dispensation(
            session, cast.actor("lead"), req.id, data, None, survey=SURVEY, now=NOW
        )
    item = svc.convert_to_dispensation(
        session, cast.actor("coordinator"), req.id, data, None, survey=SURVEY, now=NOW
    )
    session.refresh(req)
    assert req.dispensation_id == item.id and req.state == "resolved"
    assert item.state == "requested"


def test_a_failing_conversion_to_a_dispensation_changes_nothing(session, cast):
    review, finding = _review_with_finding(session, cast)
    req = file_one(session, cast.actor("viewer"), type_="dispensation_request")
    data = DispensationRequest(
        review_id=review.id,
        finding_id=finding.id,
        standards=["TLS 1.2 minimum"],
        justification="The vendor ships TLS 1.2 support in the next release only.",
        requested_expiry=date(2030, 1, 1),  # too far ahead
    )
    with pytest.raises(Invalid) as exc:
        svc.convert_to_dispensation(
            session, cast.actor("coordinator"), req.id, data, None, survey=SURVEY, now=NOW
        )
    assert "requested_expiry" in exc.value.errors
    session.expire_all()
    again = session.get(GovernanceRequest, req.id)
    assert (again.state, again.dispensation_id, again.first_response_at) == ("new", None, None)
    assert not session.exec(select(Dispensation)).all()
    assert not session.exec(select(SurveyInvitation)).all()


def test_a_conversion_needs_the_matching_type(session, cast):
    req = file_one(session, cast.actor("viewer"), type_="complaint")
    data = ConvertToReviewIn(
        board_id=cast.board_id, project="Payments hub", checkpoint="initial_design"
    )
    with pytest.raises(Conflict):
        svc.convert_to_review(session, cast.actor("coordinator"), req.id, data, None, survey=SURVEY)


# --- service targets ---------------------------------------------------------------------------


def _req(**values):
    base = {"submitted_at": NOW, "state": "new", "priority": "high"}
    return GovernanceRequest(
        reference="GR-x",
        year=2026,
        number=1,
        type="complaint",
        title="t",
        description="d",
        **(base | values),
    )


TARGET = Target("high", 8, 72)


@pytest.mark.parametrize(
    ("values", "now", "response", "resolution"),
    [
        ({}, NOW + timedelta(hours=7), False, False),
        ({}, NOW + timedelta(hours=9), True, False),
        ({"first_response_at": NOW + timedelta(hours=1)}, NOW + timedelta(hours=73), False, True),
        (
            {
                "first_response_at": NOW + timedelta(hours=9),
                "resolved_at": NOW + timedelta(hours=10),
            },
            NOW + timedelta(days=9),
            True,
            False,
        ),
        (
            {"state": "withdrawn", "closed_at": NOW + timedelta(hours=2)},
            NOW + timedelta(days=30),
            False,
            False,
        ),
        (
            {"state": "withdrawn", "closed_at": NOW + timedelta(hours=10)},
            NOW + timedelta(days=30),
            True,
            False,
        ),
    ],
)
def test_standing_against_the_targets(values, now, response, resolution):
    s = service_targets.standing(_req(**values), TARGET, now)
    assert (s.response_breached, s.resolution_breached) == (response, resolution)
    assert s.response_due == NOW + timedelta(hours=8)


def test_the_breached_filter_in_sql_agrees_with_standing(session, cast):
    viewer, coordinator = cast.actor("viewer"), cast.actor("coordinator")
    late = file_one(session, viewer, now=NOW - timedelta(days=2))  # normal: 24 h to respond
    fresh = file_one(session, viewer, now=NOW - timedelta(hours=1))
    answered_late = file_one(session, viewer, now=NOW - timedelta(days=3))
    svc.add_note(
        session,
        cast.actor("lead"),
        answered_late.id,
        NoteIn(body="Looking."),
        now=NOW - timedelta(days=1),
    )
    withdrawn = file_one(session, viewer, now=NOW - timedelta(days=3))
    svc.withdraw(
        session,
        viewer,
        withdrawn.id,
        ReasonIn(reason="Never mind."),
        None,
        now=NOW - timedelta(days=3) + timedelta(hours=1),
    )
    svc.triage(session, coordinator, fresh.id, TriageIn(priority="urgent"), None, now=NOW)
    listing = svc.requests_page(
        session, coordinator, svc.RequestFilter(breached=True), 1, 25, now=NOW
    )
    assert {r.request.id for r in listing.items} == {late.id, answered_late.id}
    every = svc.requests_page(session, coordinator, svc.RequestFilter(), 1, 25, now=NOW)
    assert {r.request.id for r in every.items if r.standing.breached} == {late.id, answered_late.id}


def test_targets_are_configurable_with_a_version_check(session, cast):
    coordinator = cast.actor("coordinator")
    assert service_targets.targets(session)["urgent"].first_response_hours == 4
    with pytest.raises(Forbidden):
        service_targets.set_targets(
            session,
            cast.actor("lead"),
            TargetsIn(
                targets=[TargetIn(priority="urgent", first_response_hours=2, resolution_hours=8)]
            ),
            0,
        )
    service_targets.set_targets(
        session,
        coordinator,
        TargetsIn(
            targets=[TargetIn(priority="urgent", first_response_hours=2, resolution_hours=8)]
        ),
        0,
    )
    assert service_targets.targets(session)["urgent"].first_response_hours == 2
    assert service_targets.version(session) == 1
    with pytest.raises(Conflict):
        service_targets.set_targets(
            session,
            coordinator,
            TargetsIn(
                targets=[TargetIn(priority="low", first_response_hours=2, resolution_hours=8)]
            ),
            0,
        )
    with pytest.raises(ValueError):
        TargetIn(priority="low", first_response_hours=10, resolution_hours=5)


def test_the_queue_puts_untriaged_first_then_the_most_urgent(session, cast):
    viewer, coordinator = cast.actor("viewer"), cast.actor("coordinator")
    old_assigned = file_one(session, viewer, now=NOW - timedelta(days=5))
    svc.triage(
        session, coordinator, old_assigned.id, TriageIn(assignee_id=cast.lead.id), None, now=NOW
    )
    low = file_one(session, viewer, now=NOW - timedelta(hours=2), priority="low")
    urgent = file_one(session, viewer, now=NOW - timedelta(hours=1), priority="urgent")
    queue = svc.queue_page(session, coordinator, 1, 25, now=NOW)
    assert [r.request.id for r in queue.items] == [urgent.id, low.id, old_assigned.id]
    with pytest.raises(Forbidden):
        svc.queue_page(session, cast.actor("lead"), 1, 25)
    work = svc.work_page(session, cast.actor("lead"), 1, 25, now=NOW)
    assert [r.request.id for r in work.items] == [old_assigned.id]


def test_the_system_actor_may_do_everything(session, cast):
    req = file_one(session, Actor(cast.viewer.id, "v", frozenset({"viewer"})))
    svc.triage(session, SYSTEM, req.id, TriageIn(priority="urgent"), None)
    assert req.priority == "urgent"
