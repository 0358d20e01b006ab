"""Compliance reviews: each workflow step and its refusals, tailoring, answers that never
overwrite each other, the stored overall level and its audited override, findings,
dispensations with expiry (on an injected clock) and re-reviews."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from contract_factory import make_cast
from pydantic import ValidationError
from sqlmodel import select

from eagov.errors import Conflict, Forbidden, Invalid
from eagov.models import AuditEvent, Review, ReviewState
from eagov.permissions import SYSTEM
from eagov.schemas.reviews import (
    AdvanceIn,
    AnswerIn,
    CustomItemIn,
    DispensationDecision,
    DispensationRequest,
    FindingIn,
    FindingMove,
    OverrideIn,
    ParticipantIn,
    ReviewRequest,
    TailorIn,
)
from eagov.services import checklists, dispensations, reviews

BASELINE = (
    Path(__file__).resolve().parent.parent / "eagov" / "library" / "checklists" / "baseline.yaml"
)
MEETING = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def cast(session):
    return make_cast(session)


@pytest.fixture
def library(session):
    return checklists.import_library(session, SYSTEM, BASELINE.read_bytes())


def requested(session, cast) -> Review:
    return reviews.request_review(
        session,
        cast.actor("viewer"),
        ReviewRequest(
            title="Payments hub review",
            project="Payments hub",
            board_id=cast.board_id,
            checkpoint="initial_design",
            org_unit_id=cast.unit_id,
            scope="The **integration** design of the payments hub.",
        ),
    )


def to_state(session, cast, library, target: str) -> Review:
    """A review walked to ``target`` with the security category tailored and answered."""
    review = requested(session, cast)
    reviews.add_participant(
        session,
        cast.actor("coordinator"),
        review.id,
        ParticipantIn(person_id=cast.person["lead"], role="lead_architect"),
    )
    steps = {
        "scoped": ("coordinator", AdvanceIn()),
        "tailored": ("lead", AdvanceIn()),
        "scheduled": ("coordinator", AdvanceIn(meeting_at=MEETING)),
        "interviewing": ("lead", AdvanceIn()),
        "analysing": ("lead", AdvanceIn()),
        "report_drafted": ("lead", AdvanceIn(report_summary="Sound design; two gaps.")),
        "presented": ("lead", AdvanceIn()),
        "signed_off": ("chair", AdvanceIn(decision="rejected")),
        "closed": ("coordinator", AdvanceIn()),
    }
    for state, (who, data) in steps.items():
        if state == "tailored":
            reviews.tailor(
                session,
                cast.actor("lead"),
                review.id,
                TailorIn(library_id=library.id, categories=["security"]),
            )
        if state == "report_drafted":
            for item in reviews.items_of(session, review.id):
                reviews.answer_item(
                    session,
                    cast.actor("lead"),
                    item.id,
                    AnswerIn(answer="Checked.", level="conformant"),
                    item.version,
                )
        reviews.advance(session, cast.actor(who), review.id, data)
        if state == target:
            break
    return review


def test_anyone_may_request_a_review_with_a_yearly_reference(session, cast):
    review = requested(session, cast)
    assert review.state == ReviewState.REQUESTED
    assert review.reference == f"CR-{date.today().year}-0001"


def test_the_whole_workflow_in_order(session, cast, library):
    review = to_state(session, cast, library, "closed")
    assert review.state == ReviewState.CLOSED and review.decision == "rejected"
    actions = [
        e.action
        for e in session.exec(
            select(AuditEvent).where(
                AuditEvent.entity_type == "review", AuditEvent.entity_id == str(review.id)
            )
        )
    ]
    assert actions[:1] == ["request"]
    for step in (
        "scope",
        "tailor",
        "schedule",
        "interview",
        "analyse",
        "draft_report",
        "present",
        "sign_off",
        "close",
    ):
        assert step in actions


def test_each_step_says_who_acts_and_refuses_others(session, cast, library):
    review = requested(session, cast)
    with pytest.raises(Forbidden):  # scoping is the co-ordinator's
        reviews.advance(session, cast.actor("lead"), review.id, AdvanceIn())
    with pytest.raises(Invalid) as exc:  # and needs a lead architect first
        reviews.advance(session, cast.actor("coordinator"), review.id, AdvanceIn())
    assert "participants" in exc.value.errors
    review = to_state(session, cast, library, "presented")
    with pytest.raises(Forbidden):
        reviews.advance(
            session, cast.actor("coordinator"), review.id, AdvanceIn(decision="accepted")
        )
    with pytest.raises(Invalid):  # conditions are required for a conditional acceptance
        reviews.advance(
            session, cast.actor("chair"), review.id, AdvanceIn(decision="accepted_with_conditions")
        )
    states = reviews.step_states(session, cast.actor("chair"), review)
    current = next(s for s in states if s["current"])
    assert current["step"].action == "sign_off" and current["allowed"]


def test_the_report_needs_every_item_answered(session, cast, library):
    review = to_state(session, cast, library, "analysing")
    with pytest.raises(Invalid) as exc:
        reviews.advance(session, cast.actor("lead"), review.id, AdvanceIn(report_summary="x"))
    assert "items" in exc.value.errors


def test_tailoring_copies_texts_and_takes_custom_items(session, cast, library):
    review = to_state(session, cast, library, "scoped")
    added = reviews.tailor(
        session,
        cast.actor("lead"),
        review.id,
        TailorIn(library_id=library.id, references=["HW-01", "SEC-02"]),
    )
    assert [i.reference for i in added] == ["HW-01", "SEC-02"]
    assert added[0].question["zh_Hans"]
    custom = reviews.add_custom_item(
        session,
        cast.actor("lead"),
        review.id,
        CustomItemIn(
            category_key="payments",
            category_title="Payments",
            question="Does the hub settle in real time?",
        ),
    )
    assert custom.reference == "CUS-01"
    with pytest.raises(Forbidden):
        reviews.tailor(session, cast.actor("viewer"), review.id, TailorIn(library_id=library.id))


def test_a_newer_library_version_leaves_the_review_alone(session, cast, library):
    review = to_state(session, cast, library, "tailored")
    before = [(i.reference, i.question["en"]) for i in reviews.items_of(session, review.id)]
    newer = BASELINE.read_text(encoding="utf-8").replace('version: "1.0.0"', 'version: "1.1.0"')
    checklists.import_library(session, SYSTEM, newer)
    assert [(i.reference, i.question["en"]) for i in reviews.items_of(session, review.id)] == before


def test_answers_never_overwrite_another_reviewers_edit(session, cast, library):
    review = to_state(session, cast, library, "interviewing")
    item = reviews.items_of(session, review.id)[0]
    seen = item.version
    reviews.answer_item(session, cast.actor("lead"), item.id, AnswerIn(level="compliant"), seen)
    with pytest.raises(Conflict):
        reviews.answer_item(
            session, cast.actor("coordinator"), item.id, AnswerIn(level="conformant"), seen
        )
    session.refresh(item)
    assert item.level == "compliant"


def test_the_overall_level_is_stored_and_explained(session, cast, library):
    review = to_state(session, cast, library, "interviewing")
    items = reviews.items_of(session, review.id)
    reviews.answer_item(session, cast.actor("lead"), items[0].id, AnswerIn(level="compliant"), None)
    reviews.answer_item(
        session, cast.actor("lead"), items[1].id, AnswerIn(level="irrelevant"), None
    )
    session.refresh(review)
    assert review.computed_level == "compliant"
    result = reviews.overall(session, review)
    assert result.deciding == [items[0].reference] and result.provisional
    reviews.answer_item(
        session, cast.actor("lead"), items[2].id, AnswerIn(level="non_conformant"), None
    )
    session.refresh(review)
    assert review.level == "non_conformant"


def test_override_needs_the_lead_and_a_justification_and_is_audited(session, cast, library):
    review = to_state(session, cast, library, "analysing")
    with pytest.raises(Forbidden):
        reviews.override_level(
            session,
            cast.actor("coordinator"),
            review.id,
            OverrideIn(level="compliant", justification="x" * 25),
        )
    with pytest.raises(ValidationError):  # too short a justification never reaches the service
        OverrideIn(level="compliant", justification="because")
    reviews.override_level(
        session,
        cast.actor("lead"),
        review.id,
        OverrideIn(level="compliant", justification="The gap is covered by the vendor's roadmap."),
    )
    session.refresh(review)
    assert review.level == "compliant"
    # Named lead architect by mistake, a viewer still holds no role that works on reviews.
    reviews.add_participant(
        session,
        cast.actor("coordinator"),
        review.id,
        ParticipantIn(person_id=cast.person["viewer"], role="lead_architect"),
    )
    with pytest.raises(Forbidden):
        reviews.override_level(
            session,
            cast.actor("viewer"),
            review.id,
            OverrideIn(level="conformant", justification="x" * 25),
        )
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "override_level")).one()
    assert event.changes["override_justification"][1].startswith("The gap")


def test_progress_per_category(session, cast, library):
    review = to_state(session, cast, library, "interviewing")
    item = reviews.items_of(session, review.id)[0]
    reviews.answer_item(session, cast.actor("lead"), item.id, AnswerIn(level="conformant"), None)
    [security] = reviews.progress(session, review.id)
    assert security.key == "security" and security.answered == 1 and security.total >= 5


def test_findings_go_to_verified_closure(session, cast, library):
    review = to_state(session, cast, library, "analysing")
    ref = reviews.items_of(session, review.id)[0].reference
    finding = reviews.raise_finding(
        session,
        cast.actor("lead"),
        review.id,
        FindingIn(
            severity="high",
            description="Keys are kept in the code.",
            recommendation="Move them to the vault.",
            item_references=[ref],
            owner_id=cast.person["partner"],
            due_date=date.today() + timedelta(days=30),
        ),
    )
    with pytest.raises(Invalid):
        reviews.raise_finding(
            session,
            cast.actor("lead"),
            review.id,
            FindingIn(severity="low", description="Nope nope", item_references=["ZZ-99"]),
        )
    reviews.move_finding(
        session, cast.actor("partner"), finding.id, FindingMove(status="in_progress"), None
    )
    reviews.move_finding(
        session, cast.actor("partner"), finding.id, FindingMove(status="resolved"), None
    )
    with pytest.raises(Forbidden):  # the owner cannot verify their own fix
        reviews.move_finding(
            session, cast.actor("partner"), finding.id, FindingMove(status="verified"), None
        )
    done = reviews.move_finding(
        session, cast.actor("lead"), finding.id, FindingMove(status="verified"), None
    )
    assert done.verified_by_id == cast.lead.id
    with pytest.raises(Conflict):
        reviews.move_finding(
            session, cast.actor("lead"), finding.id, FindingMove(status="open"), None
        )


def rejected_review(session, cast, library) -> Review:
    review = to_state(session, cast, library, "signed_off")
    assert review.decision == "rejected"
    return review


def test_dispensation_lifecycle_and_waived_items(session, cast, library):
    review = rejected_review(session, cast, library)
    refs = [i.reference for i in reviews.items_of(session, review.id)]
    today = date(2026, 11, 26)
    req = dispensations.request(
        session,
        cast.actor("lead"),
        DispensationRequest(
            review_id=review.id,
            item_references=[refs[0]],
            standards=["TLS policy"],
            justification="The legacy switch cannot do TLS 1.3 before its replacement.",
            conditions="Traffic stays inside the data centre.",
            requested_expiry=date(2027, 6, 1),
        ),
        today=today,
    )
    assert req.reference.startswith("DSP-") and req.state == "requested"
    with pytest.raises(Forbidden):
        dispensations.grant(
            session,
            cast.actor("lead"),
            req.id,
            DispensationDecision(expires_on=date(2027, 6, 1)),
            None,
            today=today,
        )
    with pytest.raises(Invalid):  # an expiry is mandatory ...
        dispensations.grant(
            session, cast.actor("chair"), req.id, DispensationDecision(), None, today=today
        )
    with pytest.raises(Invalid):  # ... and at most 12 months ahead
        dispensations.grant(
            session,
            cast.actor("chair"),
            req.id,
            DispensationDecision(expires_on=date(2028, 1, 1)),
            None,
            today=today,
        )
    granted = dispensations.grant(
        session,
        cast.actor("chair"),
        req.id,
        DispensationDecision(expires_on=date(2027, 6, 1)),
        None,
        today=today,
    )
    assert granted.state == "granted"
    assert refs[0] in reviews.waived_references(session, review.id, today)


def test_expiry_reopens_the_compliance_cycle(session, cast, library):
    review = rejected_review(session, cast, library)
    ref = reviews.items_of(session, review.id)[0].reference
    today = date.today()
    req = dispensations.request(
        session,
        cast.actor("lead"),
        DispensationRequest(
            review_id=review.id,
            item_references=[ref],
            justification="Needs the new platform, planned for next year.",
            requested_expiry=today + timedelta(days=30),
        ),
        today=today,
    )
    dispensations.grant(
        session,
        cast.actor("chair"),
        req.id,
        DispensationDecision(expires_on=today + timedelta(days=30)),
        None,
        today=today,
    )
    assert dispensations.expire_due(session, SYSTEM, today + timedelta(days=30)) == []
    assert dispensations.expire_due(session, SYSTEM, today + timedelta(days=31)) == [req.reference]
    session.refresh(req)
    assert req.state == "expired" and req.follow_up_review_id
    follow_up = session.get(Review, req.follow_up_review_id)
    assert follow_up.state == "requested" and follow_up.previous_review_id == review.id
    assert req.reference in follow_up.scope


def test_refusal_and_revocation_need_reasons(session, cast, library):
    review = rejected_review(session, cast, library)
    ref = reviews.items_of(session, review.id)[0].reference
    data = DispensationRequest(
        review_id=review.id,
        item_references=[ref],
        justification="A long enough justification text.",
        requested_expiry=date.today() + timedelta(days=60),
    )
    first = dispensations.request(session, cast.actor("lead"), data)
    with pytest.raises(Invalid):
        dispensations.refuse(session, cast.actor("chair"), first.id, DispensationDecision(), None)
    dispensations.refuse(
        session, cast.actor("chair"), first.id, DispensationDecision(note="Realign instead."), None
    )
    second = dispensations.request(session, cast.actor("lead"), data)
    dispensations.grant(
        session,
        cast.actor("chair"),
        second.id,
        DispensationDecision(expires_on=date.today() + timedelta(days=60)),
        None,
    )
    dispensations.revoke(
        session,
        cast.actor("chair"),
        second.id,
        DispensationDecision(note="The conditions were broken."),
        None,
    )
    assert ref not in reviews.waived_references(session, review.id)


def test_no_dispensation_from_an_accepted_review_without_a_finding(session, cast, library):
    review = to_state(session, cast, library, "presented")
    reviews.advance(session, cast.actor("chair"), review.id, AdvanceIn(decision="accepted"))
    ref = reviews.items_of(session, review.id)[0].reference
    with pytest.raises(Conflict):
        dispensations.request(
            session,
            cast.actor("lead"),
            DispensationRequest(
                review_id=review.id,
                item_references=[ref],
                justification="Twenty characters at least.",
                requested_expiry=date.today() + timedelta(days=10),
            ),
        )


def test_renewal_links_to_the_old_one_and_recurring_view(session, cast, library):
    review = rejected_review(session, cast, library)
    ref = reviews.items_of(session, review.id)[0].reference
    data = DispensationRequest(
        review_id=review.id,
        item_references=[ref],
        standards=["TLS policy"],
        justification="The legacy switch is replaced next spring.",
        requested_expiry=date.today() + timedelta(days=60),
    )
    first = dispensations.request(session, cast.actor("lead"), data)
    dispensations.grant(
        session,
        cast.actor("chair"),
        first.id,
        DispensationDecision(expires_on=date.today() + timedelta(days=60)),
        None,
    )
    renewal = dispensations.renew(
        session,
        cast.actor("lead"),
        first.id,
        date.today() + timedelta(days=200),
        "The replacement slipped by a quarter.",
    )
    assert renewal.renewal_of_id == first.id and renewal.state == "requested"
    found = {
        (r.kind, r.key): r.count for r in dispensations.recurring(session, cast.actor("viewer"))
    }
    assert found[("item", ref)] == 2 and found[("standard", "TLS policy")] == 2


def test_rereview_keeps_answers_resets_levels_and_shows_the_trend(session, cast, library):
    old = rejected_review(session, cast, library)
    reviews.advance(session, cast.actor("coordinator"), old.id, AdvanceIn())
    new = reviews.start_rereview(session, cast.actor("coordinator"), old.id)
    old_items = reviews.items_of(session, old.id)
    new_items = reviews.items_of(session, new.id)
    assert [i.answer for i in new_items] == [i.answer for i in old_items]
    assert all(i.level is None for i in new_items)
    assert new.state == "requested" and new.previous_review_id == old.id
    comparison = reviews.compare_with_previous(session, cast.actor("viewer"), new.id)
    assert comparison.new == [] and comparison.removed == []
    assert [ref for ref, _lvl in comparison.trend] == [old.reference, new.reference]


def test_cli_expires_dispensations(app, session, cast, library):
    review = rejected_review(session, cast, library)
    ref = reviews.items_of(session, review.id)[0].reference
    req = dispensations.request(
        session,
        cast.actor("lead"),
        DispensationRequest(
            review_id=review.id,
            item_references=[ref],
            justification="Waiting for the replacement platform.",
            requested_expiry=date.today() + timedelta(days=5),
        ),
    )
    dispensations.grant(
        session,
        cast.actor("chair"),
        req.id,
        DispensationDecision(expires_on=date.today() + timedelta(days=5)),
        None,
    )
    result = app.test_cli_runner().invoke(args=["dispensations", "expire-due"])
    assert "No dispensation has passed its expiry." in result.output
