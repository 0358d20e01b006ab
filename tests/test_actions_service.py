"""The action tracker: raising (on its own, from a meeting, from a decision), references,
edits with version checks, the status flow with its permissions (the owner moves their own
action), resolution dates and reasons, overdue on an injected day, and the list filters."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from contract_factory import make_cast
from pydantic import ValidationError
from sqlmodel import select

from eagov.errors import Conflict, Forbidden, Invalid
from eagov.models import AuditEvent, Decision, Meeting
from eagov.permissions import SYSTEM
from eagov.schemas.actions import ActionCreate, ActionEdit, ActionMove, ActionPatch
from eagov.schemas.org import BoardIn
from eagov.services import actions, org

TODAY = date(2026, 5, 4)


@pytest.fixture
def cast(session):
    return make_cast(session)


def raise_one(session, cast, who: str = "coordinator", today: date = TODAY, **over):
    values = {
        "description": "Write the integration standard",
        "owner_id": cast.person["lead"],
        "board_id": cast.board_id,
        "due_on": today + timedelta(days=14),
    } | over
    return actions.raise_action(session, cast.actor(who), ActionCreate(**values), today=today)


def add_meeting(session, board_id: int, number: int = 1) -> Meeting:
    meeting = Meeting(
        reference=f"MTG-2026-{number:03d}",
        year=2026,
        number=number,
        board_id=board_id,
        title="Monthly board",
        starts_at=datetime(2026, 5, 4, 9, 0, tzinfo=UTC),
    )
    session.add(meeting)
    session.commit()
    return meeting


def test_raise_numbers_per_year_and_records_who_and_when(session, cast):
    first = raise_one(session, cast)
    second = raise_one(session, cast)
    later = raise_one(session, cast, today=date(2027, 1, 5))
    assert (first.reference, second.reference) == ("ACT-2026-0001", "ACT-2026-0002")
    assert later.reference == "ACT-2027-0001"
    assert first.raised_on == TODAY and first.status == "open" and first.resolved_on is None
    assert first.raised_by_id == cast.coordinator.id and first.board_id == cast.board_id
    event = session.exec(
        select(AuditEvent).where(
            AuditEvent.entity_type == "action", AuditEvent.entity_id == str(first.id)
        )
    ).one()
    assert event.action == "create" and event.changes["description"] == first.description


def test_raising_needs_actions_manage(session, cast):
    for who in ("lead", "viewer", "sponsor"):
        with pytest.raises(Forbidden):
            raise_one(session, cast, who)
    assert raise_one(session, cast, "chair").reference.startswith("ACT-")


def test_raising_checks_board_owner_and_due_date(session, cast):
    with pytest.raises(Invalid) as no_board:
        raise_one(session, cast, board_id=None)
    assert "board_id" in no_board.value.errors
    with pytest.raises(Invalid) as no_person:
        raise_one(session, cast, owner_id=99999)
    assert "owner_id" in no_person.value.errors
    with pytest.raises(Invalid) as past:
        raise_one(session, cast, due_on=TODAY - timedelta(days=1))
    assert "due_on" in past.value.errors
    with pytest.raises(ValidationError):
        ActionCreate(description="ok", owner_id=cast.person["lead"], priority="urgent")


def test_raised_from_a_meeting_belongs_to_the_meetings_board(session, cast):
    other = org.create_board(
        session, SYSTEM, BoardIn(name="Local board", level="local", parent_board_id=cast.board_id)
    )
    meeting = add_meeting(session, other.id)
    action = raise_one(session, cast, meeting_id=meeting.id)  # the named board is ignored
    assert action.board_id == other.id and action.meeting_id == meeting.id
    with pytest.raises(Invalid) as missing:
        raise_one(session, cast, meeting_id=4242)
    assert "meeting_id" in missing.value.errors


def test_raised_from_a_decision_takes_its_board_and_meeting(session, cast):
    meeting = add_meeting(session, cast.board_id)
    decision = Decision(
        reference="DEC-2026-0001",
        year=2026,
        number=1,
        board_id=cast.board_id,
        meeting_id=meeting.id,
        kind="product_selection",
        title="Adopt the message broker",
        rationale="One broker for all teams.",
        decided_on=TODAY,
    )
    session.add(decision)
    session.commit()
    action = raise_one(session, cast, board_id=None, decision_id=decision.id)
    assert (action.board_id, action.meeting_id, action.decision_id) == (
        cast.board_id,
        meeting.id,
        decision.id,
    )


def test_edit_checks_the_version_and_audits_the_change(session, cast):
    action = raise_one(session, cast)
    data = ActionEdit(
        description="Write and publish the integration standard",
        owner_id=cast.person["chair"],
        priority="high",
        type="document",
        due_on=TODAY + timedelta(days=30),
    )
    edited = actions.edit(session, cast.actor("coordinator"), action.id, data, 1)
    assert edited.version == 2 and edited.priority == "high"
    assert edited.owner_id == cast.person["chair"]
    with pytest.raises(Conflict):
        actions.edit(session, cast.actor("coordinator"), action.id, data, 1)
    with pytest.raises(Forbidden):
        actions.edit(session, cast.actor("lead"), action.id, data, 2)
    events = session.exec(
        select(AuditEvent.action).where(
            AuditEvent.entity_type == "action", AuditEvent.entity_id == str(action.id)
        )
    ).all()
    assert list(events) == ["create", "update"]


def test_a_patch_changes_only_the_fields_it_names(session, cast):
    action = raise_one(session, cast, details="Keep this.")
    patched = actions.edit(
        session, cast.actor("chair"), action.id, ActionPatch(priority="critical"), 1
    )
    assert patched.priority == "critical" and patched.details == "Keep this."
    assert patched.description == "Write the integration standard"
    with pytest.raises(ValidationError):
        ActionPatch(description=None)


def test_the_owner_moves_their_own_action_others_may_not(session, cast):
    action = raise_one(session, cast)  # owned by the lead
    for who in ("viewer", "sponsor", "partner"):
        with pytest.raises(Forbidden):
            actions.move(session, cast.actor(who), action.id, ActionMove(status="in_progress"), 1)
    started = actions.move(
        session, cast.actor("lead"), action.id, ActionMove(status="in_progress"), 1
    )
    assert started.status == "in_progress" and started.resolved_on is None
    done = actions.move(
        session,
        cast.actor("lead"),
        action.id,
        ActionMove(status="done", resolution="Published on the intranet."),
        2,
        today=TODAY + timedelta(days=3),
    )
    assert done.status == "done" and done.resolved_on == TODAY + timedelta(days=3)
    assert done.resolution == "Published on the intranet."
    # Someone who manages actions may move anyone's action, here: reopen it.
    reopened = actions.move(session, cast.actor("chair"), action.id, ActionMove(status="open"), 3)
    assert reopened.status == "open" and reopened.resolved_on is None
    assert reopened.resolution == ""
    moves = session.exec(
        select(AuditEvent.action)
        .where(AuditEvent.entity_type == "action", AuditEvent.entity_id == str(action.id))
        .order_by(AuditEvent.seq)
    ).all()
    assert list(moves) == ["create", "in_progress", "done", "open"]


def test_cancelling_needs_a_reason_and_stale_or_impossible_moves_fail(session, cast):
    action = raise_one(session, cast)
    coordinator = cast.actor("coordinator")
    with pytest.raises(Invalid) as why:
        actions.move(session, coordinator, action.id, ActionMove(status="cancelled"), 1)
    assert "resolution" in why.value.errors
    with pytest.raises(Conflict):
        actions.move(session, coordinator, action.id, ActionMove(status="open"), 1)
    cancelled = actions.move(
        session,
        coordinator,
        action.id,
        ActionMove(status="cancelled", resolution="Overtaken by the new policy."),
        1,
        today=TODAY,
    )
    assert cancelled.resolved_on == TODAY
    with pytest.raises(Conflict):  # stale version
        actions.move(session, coordinator, action.id, ActionMove(status="open"), 1)
    with pytest.raises(Conflict):  # cancelled -> done is not a move
        actions.move(session, coordinator, action.id, ActionMove(status="done"), 2)


def test_overdue_is_before_today_and_still_open(session, cast):
    late = raise_one(session, cast, due_on=TODAY + timedelta(days=1))
    started = raise_one(session, cast, due_on=TODAY + timedelta(days=1))
    actions.move(session, cast.actor("lead"), started.id, ActionMove(status="in_progress"), 1)
    finished = raise_one(session, cast, due_on=TODAY + timedelta(days=1))
    actions.move(session, cast.actor("lead"), finished.id, ActionMove(status="done"), 1)
    undated = raise_one(session, cast, due_on=None)
    later = TODAY + timedelta(days=2)
    assert not actions.is_overdue(late, TODAY + timedelta(days=1))  # due today: not yet
    assert actions.is_overdue(late, later) and actions.is_overdue(started, later)
    assert not actions.is_overdue(finished, later) and not actions.is_overdue(undated, later)
    page = actions.actions_page(
        session, cast.actor("viewer"), actions.ActionFilter(overdue=True), today=later
    )
    assert {r.action.reference for r in page.items} == {late.reference, started.reference}
    assert all(r.overdue for r in page.items)
    assert (
        actions.actions_page(
            session, cast.actor("viewer"), actions.ActionFilter(overdue=True), today=TODAY
        ).items
        == []
    )


def test_list_filters_search_and_mine(session, cast):
    other = org.create_board(
        session, SYSTEM, BoardIn(name="Local board", level="local", parent_board_id=cast.board_id)
    )
    a = raise_one(session, cast, description="Publish the API guideline", priority="high")
    b = raise_one(session, cast, owner_id=cast.person["chair"], board_id=other.id)
    c = raise_one(session, cast, owner_id=cast.person["chair"], details="Mention **Kafka**.")
    actions.move(
        session,
        cast.actor("chair"),
        c.id,
        ActionMove(status="cancelled", resolution="Not needed."),
        1,
    )
    viewer = cast.actor("viewer")

    def refs(**kw) -> list[str]:
        page = actions.actions_page(session, viewer, actions.ActionFilter(**kw), today=TODAY)
        return [r.action.reference for r in page.items]

    assert refs(board_id=other.id) == [b.reference]
    assert refs(status="cancelled") == [c.reference]
    assert sorted(refs(owner_id=cast.person["chair"])) == sorted([b.reference, c.reference])
    assert refs(priority="high") == [a.reference]
    assert refs(q="api guide") == [a.reference]
    assert refs(q="kafka") == [c.reference]
    assert refs(q=a.reference) == [a.reference]
    assert refs(q="100%") == []
    # Open work first: the cancelled one comes last.
    assert refs()[-1] == c.reference
    mine = actions.actions_page(
        session, cast.actor("chair"), actions.ActionFilter(mine=True), today=TODAY
    )
    assert [r.action.reference for r in mine.items] == [b.reference, c.reference]
    assert mine.items[0].board_name == "Local board"
    assert mine.items[0].owner_name == cast.chair.name
    nobody = actions.actions_page(session, SYSTEM, actions.ActionFilter(mine=True))
    assert nobody.items == [] and nobody.total == 0
