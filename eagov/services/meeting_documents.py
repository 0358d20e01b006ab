"""The meeting pack and the minutes of a board meeting as Word documents.

This module loads what the documents show (a fixed number of statements whatever the size of
the agenda: one query per table, subjects fetched by id in batches) and hands plain data to
``documents.meeting_docx``, which only lays it out.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, col, select

from ..conformance import Answer, Level, roll_up
from ..contract_types import spec
from ..models import (
    AGENDA_ORDER,
    Action,
    AgendaItem,
    Attendance,
    Board,
    Contract,
    ContractVersion,
    Decision,
    DecisionSubject,
    Deliverable,
    Dispensation,
    DispensationState,
    Finding,
    GovernanceRequest,
    Meeting,
    MeetingPaper,
    Person,
    Review,
    ReviewItem,
    utcnow,
)
from ..permissions import Actor, require
from .common import get_or_404

SEVERITIES = ("critical", "high", "medium", "low")


# --- what the documents show -------------------------------------------------------------------


@dataclass
class AgendaEntry:
    item_id: int | None
    number: int
    section: str
    title: str
    description: str
    presenter: str | None
    subject_type: str | None
    subject_id: int | None


@dataclass
class PaperEntry:
    title: str
    kind: str
    agenda_number: int | None
    file_name: str | None


@dataclass
class ReviewSummary:
    reference: str
    title: str
    project: str
    level: str | None  # the override, else the roll-up of the items
    provisional: bool
    findings: dict[str, int]  # severity -> count, most severe first
    decision_asked: str
    agenda_number: int


@dataclass
class ContractSummary:
    reference: str
    type: str
    title: str
    status: str
    sponsor: str
    window_start: date
    window_end: date
    deliverables: int
    version: int
    agenda_number: int


@dataclass
class DispensationSummary:
    reference: str
    review_reference: str
    item_references: list[str]
    standards: list[str]
    justification: str
    conditions: str
    requested_expiry: date
    state: str
    agenda_number: int


@dataclass
class PackData:
    meeting: Meeting
    board: Board
    agenda: list[AgendaEntry]
    papers: list[PaperEntry]
    reviews: list[ReviewSummary]
    contracts: list[ContractSummary]
    dispensations: list[DispensationSummary]


@dataclass
class AttendeeEntry:
    name: str
    board_role: str | None  # None: a guest
    status: str
    note: str


@dataclass
class DecisionEntry:
    reference: str
    kind: str
    title: str
    rationale: str
    decided_on: date
    method: str
    votes_for: int | None
    votes_against: int | None
    abstentions: int | None
    subjects: list[str]


@dataclass
class ActionEntry:
    reference: str
    description: str
    owner: str | None
    due_on: date | None
    priority: str
    status: str


@dataclass
class MinutesData:
    meeting: Meeting
    board: Board
    attendees: list[AttendeeEntry]
    present_members: int
    quorum: int
    decisions: list[DecisionEntry]
    actions: list[ActionEntry]
    agenda: list[AgendaEntry] = field(default_factory=list)

    @property
    def quorum_met(self) -> bool:
        return self.present_members >= self.quorum


# --- the use cases ------------------------------------------------------------------------------


def meeting_pack(
    session: Session,
    actor: Actor,
    meeting_id: int,
    *,
    locale: str | None = None,
    now: datetime | None = None,
) -> tuple[bytes, str]:
    """The meeting pack (.docx bytes, file name): agenda, papers and a summary of each."""
    from ..documents.meeting_docx import build_meeting_pack

    data = pack_data(session, actor, meeting_id, today=(now or utcnow()).date())
    body = build_meeting_pack(data, locale=_locale(locale), now=now)
    return body, f"{data.meeting.reference}-pack.docx"


def minutes(
    session: Session,
    actor: Actor,
    meeting_id: int,
    *,
    locale: str | None = None,
    now: datetime | None = None,
) -> tuple[bytes, str]:
    """The minutes (.docx bytes, file name): attendance, quorum, decisions and actions."""
    from ..documents.meeting_docx import build_minutes

    data = minutes_data(session, actor, meeting_id)
    body = build_minutes(data, locale=_locale(locale), now=now)
    return body, f"{data.meeting.reference}-minutes.docx"


def _locale(locale: str | None) -> str:
    """The reader's language: given, else the request's (as the other documents use)."""
    if locale:
        return locale
    from flask import has_request_context
    from flask_babel import get_locale

    return str(get_locale() or "en") if has_request_context() else "en"


# --- loading ------------------------------------------------------------------------------------


def _meeting(session: Session, actor: Actor, meeting_id: int) -> tuple[Meeting, Board]:
    require(actor, "meetings.read")
    meeting = get_or_404(session, Meeting, meeting_id)
    board = session.get(Board, meeting.board_id)
    assert board is not None
    return meeting, board


def _names(session: Session, ids: Iterable[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = session.exec(select(Person.id, Person.name).where(col(Person.id).in_(wanted))).all()
    return {pid: name for pid, name in rows if pid is not None}


def agenda_of(session: Session, meeting_id: int) -> list[AgendaEntry]:
    """The agenda in the standard order of sections, items numbered from 1."""
    items = session.exec(select(AgendaItem).where(AgendaItem.meeting_id == meeting_id)).all()
    order = {s: i for i, s in enumerate(AGENDA_ORDER)}
    ordered = sorted(items, key=lambda i: (order.get(i.section, len(order)), i.position, i.id or 0))
    presenters = _names(session, (i.presenter_id for i in ordered))
    return [
        AgendaEntry(
            item_id=item.id,
            number=n,
            section=item.section,
            title=item.title,
            description=item.description,
            presenter=presenters.get(item.presenter_id) if item.presenter_id else None,
            subject_type=item.subject_type,
            subject_id=item.subject_id,
        )
        for n, item in enumerate(ordered, start=1)
    ]


def pack_data(
    session: Session, actor: Actor, meeting_id: int, *, today: date | None = None
) -> PackData:
    # The pack summarises every contract on the agenda, so it is for those who may read all
    # contracts (the board, the co-ordinators, architects), not for a project's own sponsor.
    require(actor, "contracts.read_all")
    meeting, board = _meeting(session, actor, meeting_id)
    today = today or utcnow().date()
    agenda = agenda_of(session, meeting_id)
    number_of = {entry.item_id: entry.number for entry in agenda}
    papers = session.exec(
        select(MeetingPaper)
        .where(MeetingPaper.meeting_id == meeting_id)
        .order_by(col(MeetingPaper.added_at), col(MeetingPaper.id))
    ).all()
    paper_entries = [
        PaperEntry(
            title=paper.title,
            kind=paper.kind,
            agenda_number=number_of.get(paper.agenda_item_id) if paper.agenda_item_id else None,
            file_name=paper.file_name,
        )
        for paper in papers
    ]
    subjects: dict[str, list[tuple[int, AgendaEntry]]] = {}
    for entry in agenda:
        if entry.subject_type and entry.subject_id is not None:
            subjects.setdefault(entry.subject_type, []).append((entry.subject_id, entry))
    return PackData(
        meeting=meeting,
        board=board,
        agenda=agenda,
        papers=paper_entries,
        reviews=_review_summaries(session, subjects.get("review", []), today),
        contracts=_contract_summaries(session, subjects.get("contract", [])),
        dispensations=_dispensation_summaries(session, subjects.get("dispensation", [])),
    )


def _unique(pairs: list[tuple[int, AgendaEntry]]) -> dict[int, AgendaEntry]:
    """Subject id -> the first agenda entry about it."""
    out: dict[int, AgendaEntry] = {}
    for subject_id, entry in pairs:
        out.setdefault(subject_id, entry)
    return out


def _review_summaries(
    session: Session, pairs: list[tuple[int, AgendaEntry]], today: date
) -> list[ReviewSummary]:
    wanted = _unique(pairs)
    if not wanted:
        return []
    reviews = {
        r.id: r for r in session.exec(select(Review).where(col(Review.id).in_(wanted))).all()
    }
    items: dict[int, list[ReviewItem]] = {}
    for item in session.exec(select(ReviewItem).where(col(ReviewItem.review_id).in_(wanted))).all():
        items.setdefault(item.review_id, []).append(item)
    # Items waived by a granted dispensation still running: what reviews.overall leaves out.
    waived: dict[int, set[str]] = {}
    for d in session.exec(
        select(Dispensation).where(
            col(Dispensation.review_id).in_(wanted),
            Dispensation.state == DispensationState.GRANTED,
        )
    ).all():
        if d.expires_on and d.expires_on >= today:
            waived.setdefault(d.review_id, set()).update(d.item_references)
    findings: dict[int, Counter[str]] = {}
    for review_id, severity in session.exec(
        select(Finding.review_id, Finding.severity).where(col(Finding.review_id).in_(wanted))
    ).all():
        findings.setdefault(review_id, Counter())[severity] += 1
    out = []
    for review_id, entry in wanted.items():
        review = reviews.get(review_id)
        if review is None:
            continue
        waived_here = waived.get(review_id, set())
        rollup = roll_up(
            Answer(i.reference, Level(i.level) if i.level else None, i.reference in waived_here)
            for i in items.get(review_id, [])
        )
        level = review.level_override or (rollup.level.value if rollup.level else None)
        counts = findings.get(review_id, Counter())
        out.append(
            ReviewSummary(
                reference=review.reference,
                title=review.title,
                project=review.project,
                level=level,
                provisional=rollup.provisional and not review.level_override,
                findings={s: counts.get(s, 0) for s in SEVERITIES},
                decision_asked=entry.description,
                agenda_number=entry.number,
            )
        )
    return out


def _contract_summaries(
    session: Session, pairs: list[tuple[int, AgendaEntry]]
) -> list[ContractSummary]:
    wanted = _unique(pairs)
    if not wanted:
        return []
    # The version awaiting approval is the newest one.
    rows = session.exec(
        select(Contract, ContractVersion)
        .join(
            ContractVersion,
            (col(ContractVersion.contract_id) == Contract.id)
            & (col(ContractVersion.number) == Contract.latest_version),
        )
        .where(col(Contract.id).in_(wanted))
    ).all()
    version_ids = [v.id for _c, v in rows if v.id is not None]
    counts: Counter[int] = Counter(
        session.exec(
            select(Deliverable.version_id).where(col(Deliverable.version_id).in_(version_ids))
        ).all()
    )
    sponsors = _names(session, (v.sponsor_id for _c, v in rows))
    found = {c.id: (c, v) for c, v in rows}
    out = []
    for contract_id, entry in wanted.items():
        if contract_id not in found:
            continue
        contract, version = found[contract_id]
        out.append(
            ContractSummary(
                reference=contract.reference,
                type=str(spec(contract.type).title),
                title=version.title,
                status=contract.status,
                sponsor=sponsors.get(version.sponsor_id, ""),
                window_start=version.window_start,
                window_end=version.window_end,
                deliverables=counts.get(version.id or 0, 0),
                version=version.number,
                agenda_number=entry.number,
            )
        )
    return out


def _dispensation_summaries(
    session: Session, pairs: list[tuple[int, AgendaEntry]]
) -> list[DispensationSummary]:
    wanted = _unique(pairs)
    if not wanted:
        return []
    rows = session.exec(
        select(Dispensation, Review.reference)
        .join(Review, col(Review.id) == Dispensation.review_id)
        .where(col(Dispensation.id).in_(wanted))
    ).all()
    found = {d.id: (d, ref) for d, ref in rows}
    out = []
    for dispensation_id, entry in wanted.items():
        if dispensation_id not in found:
            continue
        d, review_reference = found[dispensation_id]
        out.append(
            DispensationSummary(
                reference=d.reference,
                review_reference=review_reference,
                item_references=list(d.item_references),
                standards=list(d.standards),
                justification=d.justification,
                conditions=d.conditions,
                requested_expiry=d.requested_expiry,
                state=d.state,
                agenda_number=entry.number,
            )
        )
    return out


def minutes_data(session: Session, actor: Actor, meeting_id: int) -> MinutesData:
    meeting, board = _meeting(session, actor, meeting_id)
    role_order = {"chair": 0, "member": 1, "secretary": 2}
    rows = session.exec(
        select(Attendance, Person.name)
        .join(Person, col(Person.id) == Attendance.person_id)
        .where(Attendance.meeting_id == meeting_id)
    ).all()
    attendees = sorted(
        (AttendeeEntry(name, a.board_role, a.status, a.note) for a, name in rows),
        key=lambda e: (role_order.get(e.board_role or "", 9), e.name),
    )
    # Board members (not guests) marked present count towards the quorum.
    present = sum(1 for e in attendees if e.board_role is not None and e.status == "attended")
    decisions = session.exec(
        select(Decision)
        .where(Decision.meeting_id == meeting_id)
        .order_by(col(Decision.year), col(Decision.number))
    ).all()
    subject_rows = session.exec(
        select(DecisionSubject).where(
            col(DecisionSubject.decision_id).in_([d.id for d in decisions])
        )
    ).all()
    names = _subject_names(session, [(s.subject_type, s.subject_id) for s in subject_rows])
    subjects: dict[int, list[str]] = {}
    for s in sorted(subject_rows, key=lambda s: s.id or 0):
        subjects.setdefault(s.decision_id, []).append(
            names.get((s.subject_type, s.subject_id), f"{s.subject_type} {s.subject_id}")
        )
    action_rows = session.exec(
        select(Action, Person.name)
        .outerjoin(Person, col(Person.id) == Action.owner_id)
        .where(Action.meeting_id == meeting_id)
        .order_by(col(Action.year), col(Action.number))
    ).all()
    return MinutesData(
        meeting=meeting,
        board=board,
        attendees=attendees,
        present_members=present,
        quorum=board.quorum,
        decisions=[
            DecisionEntry(
                reference=d.reference,
                kind=d.kind,
                title=d.title,
                rationale=d.rationale,
                decided_on=d.decided_on,
                method=d.method,
                votes_for=d.votes_for,
                votes_against=d.votes_against,
                abstentions=d.abstentions,
                subjects=subjects.get(d.id or 0, []),
            )
            for d in decisions
        ],
        actions=[
            ActionEntry(a.reference, a.description, owner, a.due_on, a.priority, a.status)
            for a, owner in action_rows
        ],
    )


# Subject type -> (model, the column that names it).
_SUBJECTS: dict[str, tuple[Any, Any]] = {
    "contract": (Contract, Contract.reference),
    "review": (Review, Review.reference),
    "dispensation": (Dispensation, Dispensation.reference),
    "request": (GovernanceRequest, GovernanceRequest.reference),
    "action": (Action, Action.reference),
    "decision": (Decision, Decision.reference),
}


def _subject_names(session: Session, pairs: list[tuple[str, int]]) -> dict[tuple[str, int], str]:
    """(type, id) -> reference, one query per type present."""
    by_type: dict[str, set[int]] = {}
    for kind, ident in pairs:
        by_type.setdefault(kind, set()).add(ident)
    out: dict[tuple[str, int], str] = {}
    for kind, ids in by_type.items():
        if kind not in _SUBJECTS:
            continue
        model, name = _SUBJECTS[kind]
        for ident, text in session.exec(select(model.id, name).where(col(model.id).in_(ids))):
            out[(kind, ident)] = text
    return out
