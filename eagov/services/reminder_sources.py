"""What each kind of reminder is about: the subjects with their anchor (the date or moment
the reminder counts from), whether they are still open and who stands in which relation to
them, as user ids.

One source function per kind builds drafts from one or two queries; ``_resolve`` then maps
people to users and adds board chairs, co-ordinators, managers and escalation targets in a
fixed number of batched queries, so the cost does not grow in statements with the data.

Without ``ids`` a source returns the open subjects only (what the sweep plans from), and only
those whose anchor lies in the ``AnchorSpan`` the sweep's window and rules can reach, filtered
in SQL: a sweep reads what can fall due, not everything open (a deliverable due in two years
costs nothing today). With ``ids`` it returns those subjects whatever their state and anchor
(what ``cancel_stale`` checks), and a subject it no longer finds at all (deleted, or out of its
contract's version in force) is gone.

Escalation ("the next person up the org structure"): the holders of the positions that the
positions of the subject's owner report to (``Position.reports_to_id``); when there is no such
person, the chair of the subject's board. The owner is the relation named in
``ESCALATE_FROM``.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar, cast

from sqlalchemy import and_, func, or_
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from ..models import (
    Action,
    ActionStatus,
    AssessmentState,
    Attendance,
    AttendanceStatus,
    BoardMember,
    BoardRole,
    Contract,
    ContractAudit,
    ContractStatus,
    ContractVersion,
    Deliverable,
    DeliverableStatus,
    Dispensation,
    DispensationState,
    GovernanceRequest,
    MaturityAssessment,
    Meeting,
    MeetingState,
    OrgUnit,
    Person,
    Position,
    ReminderKind,
    RequestState,
    Review,
    ReviewParticipant,
    ReviewRole,
    ReviewState,
    Role,
    SkillAssessment,
    User,
    UserRole,
)
from ..schemas.reminders import (
    ASSIGNEE,
    ATTENDEES,
    BOARD_CHAIR,
    COORDINATOR,
    FACILITATOR,
    LEAD_ARCHITECT,
    MANAGER,
    OWNER,
    PERSON,
    SETTINGS,
    SPONSOR,
)
from . import service_targets

K = ReminderKind
_Stmt = TypeVar("_Stmt")
Anchor = date | datetime

# Whose superior hears of an overdue subject (see the module docstring).
ESCALATE_FROM: dict[str, str | None] = {
    K.DELIVERABLE_DUE: OWNER,
    K.CONTRACT_ENDING: SPONSOR,
    K.CONTRACT_AUDIT: SPONSOR,
    K.REVIEW_STEP_DUE: LEAD_ARCHITECT,
    K.DISPENSATION_EXPIRING: OWNER,
    K.ACTION_DUE: OWNER,
    K.MEETING_UPCOMING: None,
    K.MATURITY_REASSESSMENT: FACILITATOR,
    K.REQUEST_TARGET: ASSIGNEE,
    K.SKILLS_REASSESSMENT: MANAGER,
}


@dataclass(frozen=True)
class Subject:
    subject_type: str
    subject_id: int
    title: str
    link: str
    anchor: Anchor  # a date, or an aware UTC datetime (meetings, requests)
    open: bool
    recipients: Mapping[str, frozenset[int]]  # relation -> user ids
    escalation: frozenset[int]  # user ids told when it is overdue long enough

    def users(self, relations: Iterable[str]) -> set[int]:
        found: set[int] = set()
        for relation in relations:
            found |= self.recipients.get(relation, frozenset())
        return found


@dataclass
class _Draft:
    subject_type: str
    subject_id: int
    title: str
    link: str
    anchor: Anchor
    open: bool
    board_id: int | None = None
    people: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    users: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))

    def person(self, relation: str, person_id: int | None) -> None:
        if person_id is not None:
            self.people[relation].add(person_id)

    def user(self, relation: str, user_id: int | None) -> None:
        if user_id is not None:
            self.users[relation].add(user_id)


@dataclass(frozen=True)
class AnchorSpan:
    """The anchors that can give a reminder in the sweep's window: at most ``latest``, and at
    least ``earliest`` unless that is None (overdue reminders repeat without end)."""

    earliest: datetime | None
    latest: datetime

    def days(self, months: int = 0) -> tuple[date | None, date]:
        """The span of a date anchor that lies ``months`` after the filtered date, widened to
        whole days and to the shortest and longest months so that the SQL filter never drops a
        subject (the exact check is the occurrence's own)."""
        hi = self.latest.date() - timedelta(days=28 * months)
        lo = None if self.earliest is None else self.earliest.date() - timedelta(days=31 * months)
        return lo, hi


def _within(column: Any, lo: Any, hi: Any) -> Any:
    return col(column) <= hi if lo is None else and_(col(column) >= lo, col(column) <= hi)


def _selected(
    stmt: _Stmt,
    key: Any,
    ids: Collection[int] | None,
    open_when: Iterable[Any],
    anchor: Any,
    bounds: tuple[Any, Any] | None,
) -> _Stmt:
    """Exactly the subjects ``ids``; or the open ones whose ``anchor`` lies within ``bounds``
    (None: any anchor)."""
    query: Any = stmt
    if ids is not None:
        return cast(_Stmt, query.where(col(key).in_(ids)))
    query = query.where(*open_when)
    return cast(_Stmt, query if bounds is None else query.where(_within(anchor, *bounds)))


Source = Callable[
    [Session, datetime, Mapping[str, Any], Collection[int] | None, AnchorSpan | None],
    list[_Draft],
]


def aware(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes; everything is stored in UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def setting(kind: str, settings: Mapping[str, Any], name: str) -> int | None:
    value = settings.get(name)
    if value is None:
        value = SETTINGS.get(kind, {}).get(name, (0, 0, None))[2]
    return None if value is None else int(value)


def _title(reference: str, text: str) -> str:
    return f"{reference} · {text}"[:250]


# --- contracts ---------------------------------------------------------------------------------


def _in_force() -> Any:
    return and_(
        col(Contract.id) == col(ContractVersion.contract_id),
        col(ContractVersion.number) == col(Contract.effective_version),
    )


def _contract_people(draft: _Draft, version: ContractVersion) -> None:
    draft.person(SPONSOR, version.sponsor_id)
    draft.person(LEAD_ARCHITECT, version.lead_architect_id)


def deliverable_due(
    session: Session,
    now: datetime,
    settings: Mapping[str, Any],
    ids: Collection[int] | None,
    span: AnchorSpan | None,
) -> list[_Draft]:
    done = (DeliverableStatus.ACCEPTED, DeliverableStatus.WAIVED)
    stmt = (
        select(Deliverable, ContractVersion, Contract)
        .join(ContractVersion, col(Deliverable.version_id) == col(ContractVersion.id))
        .join(Contract, _in_force())
    )
    stmt = _selected(
        stmt,
        Deliverable.id,
        ids,
        [col(Contract.status) == ContractStatus.ACTIVE, col(Deliverable.status).not_in(done)],
        Deliverable.due_date,
        span.days() if span else None,
    )
    drafts = []
    for d, version, contract in session.exec(stmt).all():
        draft = _Draft(
            "deliverable",
            d.id,  # type: ignore[arg-type]
            _title(contract.reference, d.title),
            f"/contracts/{contract.id}",
            d.due_date,
            contract.status == ContractStatus.ACTIVE and d.status not in done,
            contract.board_id,
        )
        draft.person(OWNER, d.owner_id)
        _contract_people(draft, version)
        drafts.append(draft)
    return drafts


def _contracts(ids: Collection[int] | None) -> Any:
    stmt = select(Contract, ContractVersion).join(ContractVersion, _in_force())
    if ids is None:
        return stmt.where(col(Contract.status) == ContractStatus.ACTIVE)
    return stmt.where(col(Contract.id).in_(ids))


def _audit_start_within(last_on: Any, lo: date | None, hi: date) -> Any:
    """The audit clock starts at the last audit, else the signature, else the window's start;
    the signature is a timestamp, compared as one so that the filter reads the same in SQLite
    and PostgreSQL."""
    signed = col(ContractVersion.signed_at)
    signed_lo = None if lo is None else datetime.combine(lo, datetime.min.time(), tzinfo=UTC)
    signed_hi = datetime.combine(hi + timedelta(days=1), datetime.min.time(), tzinfo=UTC)
    return or_(
        _within(last_on, lo, hi),
        and_(
            last_on.is_(None),
            signed.is_not(None),
            signed < signed_hi,
            *([] if signed_lo is None else [signed >= signed_lo]),
        ),
        and_(last_on.is_(None), signed.is_(None), _within(ContractVersion.window_start, lo, hi)),
    )


def _contract_draft(contract: Contract, version: ContractVersion, anchor: date) -> _Draft:
    draft = _Draft(
        "contract",
        contract.id,  # type: ignore[arg-type]
        _title(contract.reference, version.title),
        f"/contracts/{contract.id}",
        anchor,
        contract.status == ContractStatus.ACTIVE,
        contract.board_id,
    )
    _contract_people(draft, version)
    return draft


def contract_ending(
    session: Session,
    now: datetime,
    settings: Mapping[str, Any],
    ids: Collection[int] | None,
    span: AnchorSpan | None,
) -> list[_Draft]:
    stmt = _contracts(ids)
    if ids is None and span is not None:
        stmt = stmt.where(_within(ContractVersion.window_end, *span.days()))
    return [_contract_draft(c, v, v.window_end) for c, v in session.exec(stmt).all()]


def contract_audit(
    session: Session,
    now: datetime,
    settings: Mapping[str, Any],
    ids: Collection[int] | None,
    span: AnchorSpan | None,
) -> list[_Draft]:
    """Due ``months`` after the contract's last audit, or after it came into force."""
    months = setting(K.CONTRACT_AUDIT, settings, "months") or 3
    last = (
        select(ContractAudit.contract_id, func.max(ContractAudit.audited_on).label("on"))
        .group_by(col(ContractAudit.contract_id))
        .subquery()
    )
    stmt = _contracts(ids).add_columns(last.c.on).outerjoin(last, last.c.contract_id == Contract.id)
    if ids is None and span is not None:
        stmt = stmt.where(_audit_start_within(last.c.on, *span.days(months)))
    drafts = []
    for contract, version, audited_on in session.exec(stmt).all():
        if audited_on is None:
            start = aware(version.signed_at).date() if version.signed_at else version.window_start
        else:
            start = audited_on if isinstance(audited_on, date) else date.fromisoformat(audited_on)
        drafts.append(_contract_draft(contract, version, add_months(start, months)))
    return drafts


# --- reviews and dispensations -----------------------------------------------------------------


def _review_leads(session: Session, review_ids: set[int]) -> dict[int, set[int]]:
    leads: dict[int, set[int]] = defaultdict(set)
    if review_ids:
        rows = session.exec(
            select(ReviewParticipant.review_id, ReviewParticipant.person_id).where(
                col(ReviewParticipant.review_id).in_(review_ids),
                col(ReviewParticipant.role) == ReviewRole.LEAD_ARCHITECT,
            )
        ).all()
        for review_id, person_id in rows:
            leads[review_id].add(person_id)
    return leads


def review_step_due(
    session: Session,
    now: datetime,
    settings: Mapping[str, Any],
    ids: Collection[int] | None,
    span: AnchorSpan | None,
) -> list[_Draft]:
    finished = (ReviewState.SIGNED_OFF, ReviewState.CLOSED)
    stmt = select(Review).where(col(Review.due_date).is_not(None))
    stmt = _selected(
        stmt,
        Review.id,
        ids,
        [col(Review.state).not_in(finished)],
        Review.due_date,
        span.days() if span else None,
    )
    reviews = session.exec(stmt).all()
    leads = _review_leads(session, {r.id for r in reviews})  # type: ignore[misc]
    drafts = []
    for r in reviews:
        assert r.due_date is not None
        draft = _Draft(
            "review",
            r.id,  # type: ignore[arg-type]
            _title(r.reference, r.title),
            f"/reviews/{r.id}",
            r.due_date,
            r.state not in finished,
            r.board_id,
        )
        draft.user(OWNER, r.requested_by_id)
        draft.people[LEAD_ARCHITECT] |= leads[r.id]  # type: ignore[index]
        drafts.append(draft)
    return drafts


def dispensation_expiring(
    session: Session,
    now: datetime,
    settings: Mapping[str, Any],
    ids: Collection[int] | None,
    span: AnchorSpan | None,
) -> list[_Draft]:
    stmt = (
        select(Dispensation, Review)
        .join(Review, col(Review.id) == col(Dispensation.review_id))
        .where(col(Dispensation.expires_on).is_not(None))
    )
    stmt = _selected(
        stmt,
        Dispensation.id,
        ids,
        [col(Dispensation.state) == DispensationState.GRANTED],
        Dispensation.expires_on,
        span.days() if span else None,
    )
    rows = session.exec(stmt).all()
    leads = _review_leads(session, {r.id for _, r in rows})  # type: ignore[misc]
    drafts = []
    for d, review in rows:
        assert d.expires_on is not None
        draft = _Draft(
            "dispensation",
            d.id,  # type: ignore[arg-type]
            _title(d.reference, review.title),
            f"/reviews/{review.id}",
            d.expires_on,
            d.state == DispensationState.GRANTED,
            review.board_id,
        )
        draft.user(OWNER, d.requested_by_id)
        draft.people[LEAD_ARCHITECT] |= leads[review.id]  # type: ignore[index]
        drafts.append(draft)
    return drafts


# --- board operations --------------------------------------------------------------------------


def action_due(
    session: Session,
    now: datetime,
    settings: Mapping[str, Any],
    ids: Collection[int] | None,
    span: AnchorSpan | None,
) -> list[_Draft]:
    live = (ActionStatus.OPEN, ActionStatus.IN_PROGRESS)
    stmt = select(Action).where(col(Action.due_on).is_not(None))
    stmt = _selected(
        stmt,
        Action.id,
        ids,
        [col(Action.status).in_(live)],
        Action.due_on,
        span.days() if span else None,
    )
    drafts = []
    for a in session.exec(stmt).all():
        assert a.due_on is not None
        draft = _Draft(
            "action",
            a.id,  # type: ignore[arg-type]
            _title(a.reference, a.description),
            f"/actions/{a.id}",
            a.due_on,
            a.status in live,
            a.board_id,
        )
        draft.person(OWNER, a.owner_id)
        drafts.append(draft)
    return drafts


def meeting_upcoming(
    session: Session,
    now: datetime,
    settings: Mapping[str, Any],
    ids: Collection[int] | None,
    span: AnchorSpan | None,
) -> list[_Draft]:
    stmt = _selected(
        select(Meeting),
        Meeting.id,
        ids,
        [col(Meeting.state) == MeetingState.PLANNED],
        Meeting.starts_at,
        (span.earliest, span.latest) if span else None,
    )
    meetings = session.exec(stmt).all()
    attendees: dict[int, set[int]] = defaultdict(set)
    if meetings:
        away = (AttendanceStatus.DECLINED, AttendanceStatus.APOLOGIES, AttendanceStatus.ABSENT)
        rows = session.exec(
            select(Attendance.meeting_id, Attendance.person_id).where(
                col(Attendance.meeting_id).in_([m.id for m in meetings]),
                col(Attendance.status).not_in(away),
            )
        ).all()
        for meeting_id, person_id in rows:
            attendees[meeting_id].add(person_id)
    drafts = []
    for m in meetings:
        draft = _Draft(
            "meeting",
            m.id,  # type: ignore[arg-type]
            _title(m.reference, m.title),
            f"/meetings/{m.id}",
            aware(m.starts_at),
            m.state == MeetingState.PLANNED,
            m.board_id,
        )
        draft.people[ATTENDEES] |= attendees[m.id]  # type: ignore[index]
        drafts.append(draft)
    return drafts


def request_target(
    session: Session,
    now: datetime,
    settings: Mapping[str, Any],
    ids: Collection[int] | None,
    span: AnchorSpan | None,
) -> list[_Draft]:
    """Anchored at the moment the resolution target is breached (``service_targets``)."""
    finished = (RequestState.RESOLVED, RequestState.CLOSED, RequestState.WITHDRAWN)
    table = service_targets.targets(session)
    stmt = select(GovernanceRequest)
    if ids is None:
        stmt = stmt.where(
            col(GovernanceRequest.state).not_in(finished),
            col(GovernanceRequest.resolved_at).is_(None),
        )
        if span is not None:
            # The anchor is the submission plus the priority's resolution time.
            longest = max((t.resolution_hours for t in table.values()), default=0)
            lo = None if span.earliest is None else span.earliest - timedelta(hours=longest)
            stmt = stmt.where(_within(GovernanceRequest.submitted_at, lo, span.latest))
    else:
        stmt = stmt.where(col(GovernanceRequest.id).in_(ids))
    drafts = []
    for r in session.exec(stmt).all():
        target = table.get(r.priority) or table["normal"]
        draft = _Draft(
            "request",
            r.id,  # type: ignore[arg-type]
            _title(r.reference, r.title),
            f"/requests/{r.id}",
            service_targets.standing(r, target, now).resolution_due,
            r.state not in finished and r.resolved_at is None,
            r.board_id,
        )
        draft.user(ASSIGNEE, r.assignee_id)
        drafts.append(draft)
    return drafts


# --- maturity and skills -----------------------------------------------------------------------


def maturity_reassessment(
    session: Session,
    now: datetime,
    settings: Mapping[str, Any],
    ids: Collection[int] | None,
    span: AnchorSpan | None,
) -> list[_Draft]:
    """One subject per unit with a published assessment: due ``months`` after the date of
    its latest one. A new published assessment moves the anchor (and so the reminders)."""
    months = setting(K.MATURITY_REASSESSMENT, settings, "months") or 12
    published = col(MaturityAssessment.state) == AssessmentState.PUBLISHED
    latest = (
        select(MaturityAssessment.org_unit_id, func.max(MaturityAssessment.assessed_on).label("on"))
        .where(published)
        .group_by(col(MaturityAssessment.org_unit_id))
        .subquery()
    )
    stmt = (
        select(MaturityAssessment, OrgUnit)
        .join(
            latest,
            and_(
                latest.c.org_unit_id == MaturityAssessment.org_unit_id,
                latest.c.on == MaturityAssessment.assessed_on,
            ),
        )
        .join(OrgUnit, col(OrgUnit.id) == col(MaturityAssessment.org_unit_id))
        .where(published)
        .order_by(col(MaturityAssessment.id))
    )
    if ids is not None:
        stmt = stmt.where(col(MaturityAssessment.org_unit_id).in_(ids))
    elif span is not None:
        stmt = stmt.where(_within(latest.c.on, *span.days(months)))
    drafts: dict[int, _Draft] = {}
    for a, unit in session.exec(stmt).all():
        # Two published on the same day: the later one counts (ordered by id).
        draft = _Draft(
            "org_unit",
            unit.id,  # type: ignore[arg-type]
            unit.name,
            f"/maturity/units/{unit.id}/trend",
            add_months(a.assessed_on, months),
            True,
        )
        draft.user(FACILITATOR, a.facilitator_id)
        drafts[unit.id] = draft  # type: ignore[index]
    return list(drafts.values())


def skills_reassessment(
    session: Session,
    now: datetime,
    settings: Mapping[str, Any],
    ids: Collection[int] | None,
    span: AnchorSpan | None,
) -> list[_Draft]:
    """One subject per person with an agreed assessment: due ``months`` after the latest."""
    months = setting(K.SKILLS_REASSESSMENT, settings, "months") or 12
    stmt = (
        select(Person, func.max(SkillAssessment.assessed_on))
        .join(SkillAssessment, col(SkillAssessment.person_id) == col(Person.id))
        .where(col(SkillAssessment.agreed).is_(True))
        .group_by(col(Person.id))
    )
    if ids is not None:
        stmt = stmt.where(col(Person.id).in_(ids))
    elif span is not None:
        lo, hi = span.days(months)
        last_on = func.max(SkillAssessment.assessed_on)
        stmt = stmt.having(last_on <= hi if lo is None else and_(last_on >= lo, last_on <= hi))
    rows = session.exec(stmt).all()
    managers = managers_of(session, {p.id for p, _ in rows})  # type: ignore[misc]
    drafts = []
    for person, last in rows:
        last_day = last if isinstance(last, date) else date.fromisoformat(last)
        draft = _Draft(
            "person",
            person.id,  # type: ignore[arg-type]
            person.name,
            f"/skills/people/{person.id}",
            add_months(last_day, months),
            True,
        )
        draft.person(PERSON, person.id)
        draft.people[MANAGER] |= managers.get(person.id, set())  # type: ignore[arg-type]
        drafts.append(draft)
    return drafts


SOURCES: dict[str, Source] = {
    K.DELIVERABLE_DUE: deliverable_due,
    K.CONTRACT_ENDING: contract_ending,
    K.CONTRACT_AUDIT: contract_audit,
    K.REVIEW_STEP_DUE: review_step_due,
    K.DISPENSATION_EXPIRING: dispensation_expiring,
    K.ACTION_DUE: action_due,
    K.MEETING_UPCOMING: meeting_upcoming,
    K.MATURITY_REASSESSMENT: maturity_reassessment,
    K.REQUEST_TARGET: request_target,
    K.SKILLS_REASSESSMENT: skills_reassessment,
}


def subjects(
    session: Session,
    kind: str,
    now: datetime,
    settings: Mapping[str, Any] | None = None,
    ids: Collection[int] | None = None,
    span: AnchorSpan | None = None,
) -> list[Subject]:
    """The subjects of ``kind`` (open ones with an anchor in ``span``, or exactly ``ids``) with
    their recipients."""
    drafts = SOURCES[kind](session, now, settings or {}, ids, span)
    return _resolve(session, drafts, now, ESCALATE_FROM[kind])


# --- who is who --------------------------------------------------------------------------------


def managers_of(session: Session, person_ids: Collection[int]) -> dict[int, set[int]]:
    """person id -> the holders of the positions their positions report to."""
    found: dict[int, set[int]] = defaultdict(set)
    if not person_ids:
        return found
    own, boss = aliased(Position), aliased(Position)
    rows = session.exec(
        select(own.holder_id, boss.holder_id)
        .join(boss, col(own.reports_to_id) == col(boss.id))
        .where(col(own.holder_id).in_(person_ids), col(boss.holder_id).is_not(None))
    ).all()
    for person_id, manager_id in rows:
        if person_id is not None and manager_id is not None and manager_id != person_id:
            found[person_id].add(manager_id)
    return found


def _resolve(
    session: Session, drafts: list[_Draft], now: datetime, escalate_from: str | None
) -> list[Subject]:
    if not drafts:
        return []
    # Escalation starts from the owner as a person; owners known as users are looked up.
    owner_users = {u for d in drafts for u in d.users.get(escalate_from or "", ())}
    person_of_user: dict[int, set[int]] = defaultdict(set)
    if owner_users:
        for person_id, user_id in session.exec(
            select(Person.id, Person.user_id).where(col(Person.user_id).in_(owner_users))
        ).all():
            person_of_user[user_id].add(person_id)  # type: ignore[index,arg-type]
    owners: dict[int, set[int]] = {}
    for i, d in enumerate(drafts):
        if escalate_from is None:
            owners[i] = set()
            continue
        owners[i] = set(d.people.get(escalate_from, ()))
        for user_id in d.users.get(escalate_from, ()):
            owners[i] |= person_of_user.get(user_id, set())
    managers = managers_of(session, {p for ps in owners.values() for p in ps})

    people = {p for d in drafts for ps in d.people.values() for p in ps}
    people |= {m for ms in managers.values() for m in ms}
    user_of_person: dict[int, int] = {}
    if people:
        user_of_person = {
            int(pid): int(uid)  # type: ignore[arg-type]
            for pid, uid in session.exec(
                select(Person.id, Person.user_id)
                .join(User, col(User.id) == col(Person.user_id))
                .where(col(Person.id).in_(people), col(User.is_active).is_(True))
            ).all()
        }
    direct = {u for d in drafts for us in d.users.values() for u in us}
    active: set[int] = set()
    if direct:
        active = {
            int(u)  # type: ignore[arg-type]
            for u in session.exec(
                select(User.id).where(col(User.id).in_(direct), col(User.is_active).is_(True))
            ).all()
        }
    chairs = _chairs(session, {d.board_id for d in drafts if d.board_id is not None}, now)
    coordinators = frozenset(
        int(u)  # type: ignore[arg-type]
        for u in session.exec(
            select(User.id)
            .join(UserRole, col(UserRole.user_id) == col(User.id))
            .where(col(UserRole.role) == Role.REVIEW_COORDINATOR, col(User.is_active).is_(True))
        ).all()
    )

    def users_of(person_ids: Iterable[int]) -> set[int]:
        return {user_of_person[p] for p in person_ids if p in user_of_person}

    result = []
    for i, d in enumerate(drafts):
        board_chairs = chairs.get(d.board_id, frozenset()) if d.board_id else frozenset()
        recipients: dict[str, frozenset[int]] = {
            BOARD_CHAIR: board_chairs,
            COORDINATOR: coordinators,
        }
        for relation in {*d.people, *d.users}:
            found = users_of(d.people.get(relation, ()))
            found |= {u for u in d.users.get(relation, ()) if u in active}
            recipients[relation] = frozenset(found)
        up = users_of(m for p in owners[i] for m in managers.get(p, ()))
        escalation = frozenset(up) if up else board_chairs
        result.append(
            Subject(
                d.subject_type,
                d.subject_id,
                d.title,
                d.link,
                d.anchor,
                d.open,
                recipients,
                escalation,
            )
        )
    return result


def _chairs(session: Session, board_ids: set[int], now: datetime) -> dict[int, frozenset[int]]:
    if not board_ids:
        return {}
    today = now.date()
    rows = session.exec(
        select(BoardMember.board_id, Person.user_id)
        .join(Person, col(Person.id) == col(BoardMember.person_id))
        .join(User, col(User.id) == col(Person.user_id))
        .where(
            col(BoardMember.board_id).in_(board_ids),
            col(BoardMember.role) == BoardRole.CHAIR,
            col(BoardMember.term_start) <= today,
            or_(col(BoardMember.term_end).is_(None), col(BoardMember.term_end) >= today),
            col(User.is_active).is_(True),
        )
    ).all()
    found: dict[int, set[int]] = defaultdict(set)
    for board_id, user_id in rows:
        found[board_id].add(user_id)  # type: ignore[arg-type]
    return {b: frozenset(u) for b, u in found.items()}
