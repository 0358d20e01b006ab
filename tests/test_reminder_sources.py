"""Reminder sources: each kind finds its open subjects with their anchor and recipients, in a
bounded number of statements. ``build_world`` is shared with the other reminder tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from conftest import count_statements
from flask import Flask
from skills_people_factory import make_framework
from sqlmodel import Session

from eagov.models import (
    Action,
    Attendance,
    Board,
    BoardMember,
    Contract,
    ContractAudit,
    ContractVersion,
    Deliverable,
    Dispensation,
    GovernanceRequest,
    MaturityAssessment,
    MaturityModel,
    Meeting,
    OrgUnit,
    Person,
    Position,
    ReminderKind,
    Review,
    ReviewParticipant,
    SkillAssessment,
    User,
)
from eagov.services import reminder_sources as src

K = ReminderKind
NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
TODAY = NOW.date()


@dataclass
class World:
    users: dict[str, User]
    people: dict[str, Person]
    ids: dict[str, int] = field(default_factory=dict)
    counter: int = 0

    def uid(self, name: str) -> int:
        uid = self.users[name].id
        assert uid is not None
        return uid

    def ref(self, prefix: str) -> tuple[str, int]:
        self.counter += 1
        return f"{prefix}-2026-{self.counter:03d}", self.counter


def _add(session: Session, obj: Any) -> Any:
    session.add(obj)
    session.flush()
    return obj


ROLES = {
    "coordinator": "review_coordinator",
    "chair": "board_chair",
    "sponsor": "sponsor",
    "owner": "contributor",
    "boss": "contributor",
    "lead": "architect",
    "assignee": "architect",
    "attendee": "board_member",
    "facilitator": "architect",
}


def build_world(session: Session, make_user: Any) -> World:
    """Users with people, an org line (owner reports to boss), a board with a chair."""
    users = {name: make_user(role, name=name.title()) for name, role in ROLES.items()}
    unit = _add(session, OrgUnit(name="EA", kind="function"))
    people = {
        name: _add(
            session,
            Person(
                name=name.title(), email=f"{name}@people.test", org_unit_id=unit.id, user_id=u.id
            ),
        )
        for name, u in users.items()
    }
    people["ghost"] = _add(session, Person(name="Ghost", email="ghost@people.test"))
    boss_pos = _add(
        session, Position(title="Head", org_unit_id=unit.id, holder_id=people["boss"].id)
    )
    _add(
        session,
        Position(
            title="Architect",
            org_unit_id=unit.id,
            holder_id=people["owner"].id,
            reports_to_id=boss_pos.id,
        ),
    )
    board = _add(session, Board(name="ARB", level="global"))
    _add(
        session,
        BoardMember(
            board_id=board.id,
            person_id=people["chair"].id,
            role="chair",
            term_start=date(2026, 1, 1),
        ),
    )
    session.commit()
    world = World(users, people)
    world.ids.update(unit=unit.id, board=board.id)
    return world


def add_contract(
    session: Session, w: World, *, ends: date, status: str = "active", signed: date | None = None
) -> tuple[Contract, ContractVersion]:
    reference, number = w.ref("CTR")
    contract = _add(
        session,
        Contract(
            reference=reference,
            year=2026,
            number=number,
            type="soaw",
            status=status,
            board_id=w.ids["board"],
            effective_version=1,
        ),
    )
    version = _add(
        session,
        ContractVersion(
            contract_id=contract.id,
            number=1,
            state="signed",
            title="Data platform",
            architecture_unit_id=w.ids["unit"],
            sponsor_id=w.people["sponsor"].id,
            lead_architect_id=w.people["lead"].id,
            window_start=date(2026, 1, 1),
            window_end=ends,
            signed_at=datetime.combine(signed or date(2026, 6, 1), datetime.min.time(), UTC),
        ),
    )
    session.commit()
    return contract, version


def add_deliverable(
    session: Session, version: ContractVersion, w: World, due: date, status: str = "planned"
) -> Deliverable:
    d = _add(
        session,
        Deliverable(
            version_id=version.id,
            lineage=f"l{w.ref('D')[1]}",
            title="Vision",
            phase="a_vision",
            kind="Vision",
            owner_id=w.people["owner"].id,
            due_date=due,
            status=status,
        ),
    )
    session.commit()
    return d


def add_review(session: Session, w: World, due: date, state: str = "scoped") -> Review:
    reference, number = w.ref("REV")
    review = _add(
        session,
        Review(
            reference=reference,
            year=2026,
            number=number,
            title="CRM review",
            project="CRM",
            board_id=w.ids["board"],
            checkpoint="initiation",
            state=state,
            due_date=due,
            requested_by_id=w.uid("coordinator"),
        ),
    )
    _add(
        session,
        ReviewParticipant(
            review_id=review.id, person_id=w.people["lead"].id, role="lead_architect"
        ),
    )
    session.commit()
    return review


def add_dispensation(
    session: Session, w: World, review: Review, expires: date, state: str = "granted"
) -> Dispensation:
    reference, number = w.ref("DSP")
    d = _add(
        session,
        Dispensation(
            reference=reference,
            year=2026,
            number=number,
            review_id=review.id,
            justification="Needed for the migration.",
            requested_expiry=expires,
            expires_on=expires,
            state=state,
            requested_by_id=w.uid("owner"),
        ),
    )
    session.commit()
    return d


def add_action(session: Session, w: World, due: date, status: str = "open") -> Action:
    reference, number = w.ref("ACT")
    a = _add(
        session,
        Action(
            reference=reference,
            year=2026,
            number=number,
            board_id=w.ids["board"],
            description="Write the migration plan",
            owner_id=w.people["owner"].id,
            raised_on=date(2026, 10, 1),
            due_on=due,
            status=status,
        ),
    )
    session.commit()
    return a


def add_meeting(session: Session, w: World, starts: datetime, state: str = "planned") -> Meeting:
    reference, number = w.ref("MTG")
    m = _add(
        session,
        Meeting(
            reference=reference,
            year=2026,
            number=number,
            board_id=w.ids["board"],
            title="Monthly board",
            starts_at=starts,
            state=state,
        ),
    )
    for name, status in (("attendee", "confirmed"), ("ghost", "invited"), ("lead", "declined")):
        _add(session, Attendance(meeting_id=m.id, person_id=w.people[name].id, status=status))
    session.commit()
    return m


def add_maturity(session: Session, w: World, on: date, state: str = "published") -> Any:
    model = session.get(MaturityModel, 1) or _add(
        session,
        MaturityModel(key="acmm", version="1", name={"en": "ACMM"}, method="weighted_mean"),
    )
    reference, number = w.ref("MAT")
    a = _add(
        session,
        MaturityAssessment(
            reference=reference,
            year=2026,
            number=number,
            model_id=model.id,
            org_unit_id=w.ids["unit"],
            assessed_on=on,
            state=state,
            facilitator_id=w.uid("facilitator"),
        ),
    )
    session.commit()
    return a


def add_request(
    session: Session, w: World, submitted: datetime, state: str = "assigned"
) -> GovernanceRequest:
    reference, number = w.ref("REQ")
    r = _add(
        session,
        GovernanceRequest(
            reference=reference,
            year=2026,
            number=number,
            type="architecture_question",
            priority="normal",  # resolution target: 120 hours
            title="Which integration pattern?",
            description="Question",
            assignee_id=w.uid("assignee"),
            board_id=w.ids["board"],
            state=state,
            submitted_at=submitted,
        ),
    )
    session.commit()
    return r


def add_skills(session: Session, w: World, person: str, on: date, agreed: bool = True) -> None:
    fw = make_framework(session) if "skill" not in w.ids else None
    if fw is not None:
        w.ids["skill"] = fw.sid("leadership")
    _add(
        session,
        SkillAssessment(
            person_id=w.people[person].id,
            skill_id=w.ids["skill"],
            level=2,
            source="manager" if agreed else "self",
            assessed_on=on,
            agreed=agreed,
        ),
    )
    session.commit()


# --- tests ---------------------------------------------------------------------------------------


def one(found: list[src.Subject]) -> src.Subject:
    assert len(found) == 1, found
    return found[0]


def test_deliverables_of_active_contracts_with_owner_sponsor_and_escalation(
    session: Session, make_user: Any
) -> None:
    w = build_world(session, make_user)
    contract, version = add_contract(session, w, ends=date(2027, 6, 30))
    due = add_deliverable(session, version, w, date(2026, 12, 8))
    add_deliverable(session, version, w, date(2026, 12, 8), status="accepted")
    _, closed = add_contract(session, w, ends=date(2027, 6, 30), status="completed")
    add_deliverable(session, closed, w, date(2026, 12, 8))

    s = one(src.subjects(session, K.DELIVERABLE_DUE, NOW))
    assert (s.subject_type, s.subject_id, s.anchor, s.open) == (
        "deliverable",
        due.id,
        date(2026, 12, 8),
        True,
    )
    assert s.link == f"/contracts/{contract.id}"
    assert s.title.startswith(contract.reference)
    assert s.recipients["owner"] == {w.uid("owner")}
    assert s.recipients["sponsor"] == {w.uid("sponsor")}
    assert s.recipients["lead_architect"] == {w.uid("lead")}
    assert s.recipients["board_chair"] == {w.uid("chair")}
    assert s.recipients["coordinator"] == {w.uid("coordinator")}
    # The owner's position reports to the boss's.
    assert s.escalation == {w.uid("boss")}


def test_with_ids_a_closed_subject_comes_back_marked_closed(
    session: Session, make_user: Any
) -> None:
    w = build_world(session, make_user)
    _, version = add_contract(session, w, ends=date(2027, 6, 30))
    accepted = add_deliverable(session, version, w, date(2026, 12, 8), status="accepted")
    s = one(src.subjects(session, K.DELIVERABLE_DUE, NOW, ids=[accepted.id]))  # type: ignore[list-item]
    assert s.open is False


def test_contract_ending_and_audit_cadence(session: Session, make_user: Any) -> None:
    w = build_world(session, make_user)
    contract, _ = add_contract(session, w, ends=date(2027, 1, 31), signed=date(2026, 5, 31))
    ending = one(src.subjects(session, K.CONTRACT_ENDING, NOW))
    assert (ending.subject_id, ending.anchor) == (contract.id, date(2027, 1, 31))
    assert ending.escalation == {w.uid("chair")}  # the sponsor reports to nobody: the chair

    audit = one(src.subjects(session, K.CONTRACT_AUDIT, NOW, {"months": 3}))
    assert audit.anchor == date(2026, 8, 31)  # signed 31 May + 3 months
    _add(
        session,
        ContractAudit(
            contract_id=contract.id, period="2026-Q4", audited_on=date(2026, 11, 30), passed=True
        ),
    )
    session.commit()
    audit = one(src.subjects(session, K.CONTRACT_AUDIT, NOW, {"months": 3}))
    assert audit.anchor == date(2027, 2, 28)  # clamped to the month's end


def test_review_and_dispensation(session: Session, make_user: Any) -> None:
    w = build_world(session, make_user)
    review = add_review(session, w, date(2026, 12, 10))
    add_review(session, w, date(2026, 12, 10), state="closed")
    granted = add_dispensation(session, w, review, date(2026, 12, 31))
    add_dispensation(session, w, review, date(2026, 12, 31), state="revoked")

    r = one(src.subjects(session, K.REVIEW_STEP_DUE, NOW))
    assert (r.subject_id, r.anchor, r.link) == (
        review.id,
        date(2026, 12, 10),
        f"/reviews/{review.id}",
    )
    assert r.recipients["owner"] == {w.uid("coordinator")}
    assert r.recipients["lead_architect"] == {w.uid("lead")}

    d = one(src.subjects(session, K.DISPENSATION_EXPIRING, NOW))
    assert (d.subject_type, d.subject_id, d.anchor) == (
        "dispensation",
        granted.id,
        date(2026, 12, 31),
    )
    assert d.recipients["owner"] == {w.uid("owner")}
    assert d.escalation == {w.uid("boss")}  # the requester is a user: through their person


def test_actions_meetings_and_requests(session: Session, make_user: Any) -> None:
    w = build_world(session, make_user)
    action = add_action(session, w, date(2026, 12, 5))
    add_action(session, w, date(2026, 12, 5), status="done")
    starts = datetime(2026, 12, 9, 9, 30, tzinfo=UTC)
    meeting = add_meeting(session, w, starts)
    add_meeting(session, w, starts, state="cancelled")
    request = add_request(session, w, datetime(2026, 11, 28, 10, 0, tzinfo=UTC))
    add_request(session, w, datetime(2026, 11, 28, 10, 0, tzinfo=UTC), state="resolved")

    a = one(src.subjects(session, K.ACTION_DUE, NOW))
    assert (a.subject_id, a.anchor, a.recipients["owner"]) == (
        action.id,
        date(2026, 12, 5),
        {w.uid("owner")},
    )

    m = one(src.subjects(session, K.MEETING_UPCOMING, NOW))
    assert (m.subject_id, m.anchor) == (meeting.id, starts)
    # The ghost has no login and the lead declined.
    assert m.recipients["attendees"] == {w.uid("attendee")}

    r = one(src.subjects(session, K.REQUEST_TARGET, NOW))
    assert r.subject_id == request.id
    assert r.anchor == datetime(2026, 12, 3, 10, 0, tzinfo=UTC)  # 120 hours after submission
    assert r.recipients["assignee"] == {w.uid("assignee")}
    assert r.escalation == {w.uid("chair")}  # the assignee has no manager


def test_maturity_and_skills_reassessment(session: Session, make_user: Any) -> None:
    w = build_world(session, make_user)
    add_maturity(session, w, date(2025, 11, 20))
    add_maturity(session, w, date(2026, 2, 10), state="scoring")  # not published: ignored
    m = one(src.subjects(session, K.MATURITY_REASSESSMENT, NOW, {"months": 12}))
    assert (m.subject_type, m.subject_id, m.anchor) == (
        "org_unit",
        w.ids["unit"],
        date(2026, 11, 20),
    )
    assert m.recipients["facilitator"] == {w.uid("facilitator")}

    add_skills(session, w, "owner", date(2025, 12, 1))
    add_skills(session, w, "owner", date(2026, 3, 1), agreed=False)  # not agreed: ignored
    add_skills(session, w, "ghost", date(2025, 12, 1))
    found = {
        s.subject_id: s for s in src.subjects(session, K.SKILLS_REASSESSMENT, NOW, {"months": 12})
    }
    owner = found[w.people["owner"].id]  # type: ignore[index]
    assert owner.anchor == date(2026, 12, 1)
    assert owner.recipients["person"] == {w.uid("owner")}
    assert owner.recipients["manager"] == {w.uid("boss")}
    # A person without a login has nobody to tell but is still a subject.
    assert found[w.people["ghost"].id].recipients["person"] == frozenset()  # type: ignore[index]


def test_an_inactive_user_is_never_a_recipient(session: Session, make_user: Any) -> None:
    w = build_world(session, make_user)
    add_action(session, w, date(2026, 12, 5))
    w.users["owner"].is_active = False
    session.add(w.users["owner"])
    session.commit()
    assert one(src.subjects(session, K.ACTION_DUE, NOW)).recipients["owner"] == frozenset()


def _fill(session: Session, w: World, n: int) -> None:
    _, version = add_contract(session, w, ends=date(2027, 1, 31))
    for i in range(n):
        add_deliverable(session, version, w, TODAY + timedelta(days=i))
        review = add_review(session, w, TODAY + timedelta(days=i))
        add_dispensation(session, w, review, TODAY + timedelta(days=i))
        add_action(session, w, TODAY + timedelta(days=i))
        add_meeting(session, w, NOW + timedelta(days=i))
        add_request(session, w, NOW - timedelta(days=i))
        add_contract(session, w, ends=TODAY + timedelta(days=i))
    add_maturity(session, w, date(2025, 12, 1))
    add_skills(session, w, "owner", date(2025, 12, 1))


def test_statements_do_not_grow_with_the_data(app: Flask, session: Session, make_user: Any) -> None:
    w = build_world(session, make_user)

    def count() -> tuple[int, int]:
        with count_statements(app) as seen:
            found = sum(len(src.subjects(session, kind, NOW)) for kind in K)
        return len(seen), found

    _fill(session, w, 2)
    small, found_small = count()
    _fill(session, w, 20)
    large, found_large = count()
    assert found_large > found_small * 5
    assert large == small
