"""Board meetings: scheduling invites the current members, the state flow, edits with version
checks, attendance before and during the meeting, the quorum, papers and minutes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from contract_factory import make_cast
from pydantic import ValidationError
from sqlmodel import select

from eagov.errors import Conflict, Forbidden, Invalid
from eagov.models import Attendance, Board, Meeting, MeetingState
from eagov.permissions import SYSTEM
from eagov.schemas.meetings import GuestIn, MeetingIn, MeetingUpdate
from eagov.schemas.org import BoardMemberIn, PersonIn
from eagov.services import meetings, org

START = datetime.now(UTC).replace(microsecond=0) + timedelta(days=7)


@pytest.fixture
def cast(session):
    return make_cast(session)


def schedule(session, cast, start: datetime = START, **over) -> Meeting:
    data = {"board_id": cast.board_id, "title": "Monthly board", "starts_at": start} | over
    return meetings.schedule(session, cast.actor("coordinator"), MeetingIn(**data))


def add_member(session, cast, name: str, role: str = "member", start: date | None = None) -> int:
    person = org.create_person(session, SYSTEM, PersonIn(name=name, email=f"{name}@example.com"))
    org.add_member(
        session,
        SYSTEM,
        cast.board_id,
        BoardMemberIn(
            person_id=person.id, role=role, term_start=start or date.today() - timedelta(days=5)
        ),
    )
    return person.id  # type: ignore[return-value]


def in_session(session, cast, **over) -> Meeting:
    """A meeting opened by the chair with the chair marked present (quorum 1)."""
    meeting = schedule(session, cast, **over)
    meetings.open_meeting(session, cast.actor("chair"), meeting.id, meeting.version)
    meetings.set_attendance(
        session, cast.actor("chair"), meeting.id, cast.person["chair"], "attended"
    )
    return meeting


def test_scheduling_numbers_the_meeting_and_invites_current_members(session, cast):
    later = add_member(session, cast, "future", start=START.date() + timedelta(days=30))
    member = add_member(session, cast, "member")
    meeting = schedule(session, cast)
    assert meeting.reference == f"MTG-{START.year}-001"
    assert schedule(session, cast).reference == f"MTG-{START.year}-002"
    invited = {
        a.person_id: a
        for a in session.exec(select(Attendance).where(Attendance.meeting_id == meeting.id))
    }
    assert set(invited) == {cast.person["chair"], member}
    assert later not in invited
    assert invited[cast.person["chair"]].board_role == "chair"
    assert invited[member].status == "invited"


def test_only_organisers_schedule(session, cast):
    with pytest.raises(Forbidden):
        meetings.schedule(
            session,
            cast.actor("viewer"),
            MeetingIn(board_id=cast.board_id, title="Monthly board", starts_at=START),
        )
    with pytest.raises(ValidationError):
        schedule(session, cast, ends_at=START - timedelta(hours=1))


def test_edit_while_planned_with_version_check(session, cast):
    meeting = schedule(session, cast)
    meetings.update(
        session, cast.actor("coordinator"), meeting.id, MeetingUpdate(location="Room 4"), 1
    )
    assert meeting.location == "Room 4" and meeting.version == 2
    with pytest.raises(Conflict):
        meetings.update(
            session, cast.actor("coordinator"), meeting.id, MeetingUpdate(title="Stale"), 1
        )
    meetings.open_meeting(session, cast.actor("chair"), meeting.id, 2)
    with pytest.raises(Conflict):
        meetings.update(
            session, cast.actor("coordinator"), meeting.id, MeetingUpdate(title="Late"), None
        )


def test_state_flow_and_minutes_needed_to_close(session, cast):
    meeting = schedule(session, cast)
    with pytest.raises(Forbidden):
        meetings.open_meeting(session, cast.actor("viewer"), meeting.id, None)
    with pytest.raises(Conflict):
        meetings.close(session, cast.actor("chair"), meeting.id, None)
    meetings.open_meeting(session, cast.actor("chair"), meeting.id, None)
    assert meeting.state == MeetingState.IN_SESSION and meeting.opened_at
    with pytest.raises(Invalid) as exc:
        meetings.close(session, cast.actor("chair"), meeting.id, None)
    assert "minutes" in exc.value.errors
    meetings.save_minutes(session, cast.actor("chair"), meeting.id, "We met.", None)
    meetings.close(session, cast.actor("chair"), meeting.id, None)
    assert meeting.state == MeetingState.CLOSED and meeting.minutes == "We met."
    with pytest.raises(Conflict):
        meetings.save_minutes(session, cast.actor("chair"), meeting.id, "Later edit", None)


def test_cancel_only_planned(session, cast):
    meeting = schedule(session, cast)
    meetings.cancel(session, cast.actor("coordinator"), meeting.id, None)
    assert meeting.state == MeetingState.CANCELLED
    with pytest.raises(Conflict):
        meetings.open_meeting(session, cast.actor("chair"), meeting.id, None)


def test_attendance_replies_before_and_marks_during(session, cast):
    member = add_member(session, cast, "member")
    meeting = schedule(session, cast)
    # an invitee without organiser rights answers for themselves only
    meetings.set_attendance(session, cast.actor("chair"), meeting.id, member, "confirmed")
    with pytest.raises(Invalid):
        meetings.set_attendance(session, cast.actor("chair"), meeting.id, member, "attended")
    with pytest.raises(Forbidden):
        meetings.set_attendance(
            session, cast.actor("viewer"), meeting.id, cast.person["chair"], "declined"
        )
    meetings.set_attendance(
        session, cast.actor("viewer"), meeting.id, cast.person["viewer"], "confirmed"
    )
    guest = meetings.add_guest(
        session, cast.actor("coordinator"), meeting.id, GuestIn(person_id=cast.person["lead"])
    )
    assert guest.board_role is None
    meetings.open_meeting(session, cast.actor("chair"), meeting.id, None)
    with pytest.raises(Invalid):
        meetings.set_attendance(session, cast.actor("chair"), meeting.id, member, "confirmed")
    meetings.set_attendance(session, cast.actor("chair"), meeting.id, member, "apologies")


def test_quorum_counts_present_board_members_not_guests(session, cast):
    add_member(session, cast, "member")
    meeting = schedule(session, cast)
    board = session.get(Board, cast.board_id)
    board.quorum = 2
    session.add(board)
    session.commit()
    meetings.open_meeting(session, cast.actor("chair"), meeting.id, None)
    meetings.add_guest(
        session, cast.actor("coordinator"), meeting.id, GuestIn(person_id=cast.person["lead"])
    )
    assert meetings.quorum(session, meeting).present == 0
    meetings.set_attendance(
        session, cast.actor("chair"), meeting.id, cast.person["chair"], "attended"
    )
    q = meetings.quorum(session, meeting)
    assert (q.present, q.required, q.met) == (1, 2, False)


def test_uploaded_and_generated_papers(session, cast, tmp_path: Path):
    from contract_factory import make_contract

    from eagov.services import contracts

    contract = make_contract(session, cast)
    contracts.submit(session, cast.actor("coordinator"), contract.id)
    meeting = schedule(session, cast)
    with pytest.raises(Conflict):
        meetings.circulate_papers(session, cast.actor("coordinator"), meeting.id, None)
    paper = meetings.upload_paper(
        session,
        cast.actor("coordinator"),
        meeting.id,
        "notes.txt",
        b"Budget notes",
        tmp_path,
        title="Budget",
    )
    assert paper.kind == "uploaded" and paper.size == 12
    got = meetings.paper_file(session, cast.actor("viewer"), paper.id, tmp_path)
    assert got.path is not None and got.path.read_bytes() == b"Budget notes"
    with pytest.raises(Invalid):
        meetings.upload_paper(
            session, cast.actor("coordinator"), meeting.id, "x.exe", b"MZ\x00", tmp_path
        )
    from eagov.schemas.meetings import PaperIn

    doc = meetings.add_paper(
        session,
        cast.actor("coordinator"),
        meeting.id,
        PaperIn(subject_type="contract", subject_id=contract.id),
    )
    built = meetings.paper_file(session, cast.actor("viewer"), doc.id, tmp_path)
    assert built.data and built.data.startswith(b"PK")
    # a contributor with no part in the contract may not read it through the meeting
    from eagov.errors import NotFound

    with pytest.raises(NotFound):
        meetings.paper_file(session, cast.actor("outsider"), doc.id, tmp_path)
    meetings.circulate_papers(session, cast.actor("coordinator"), meeting.id, None)
    assert meeting.papers_circulated_at is not None
    meetings.remove_paper(session, cast.actor("coordinator"), paper.id, tmp_path)
    assert not got.path.exists()
