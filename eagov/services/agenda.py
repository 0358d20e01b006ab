"""The agenda of a board meeting: proposed from what is pending for the board, then edited
by hand (add, edit, remove, move, status and notes).

Proposal rules (``propose``), in the standard order of a board agenda:
- the minutes of the board's last closed meeting, first;
- requests for change referred (escalated) to the board;
- dispensations requested on the board's reviews, and granted ones that expire before the
  next planned meeting (within 60 days when none is planned);
- the board's reviews presented for acceptance (compliance assessments);
- complaints referred to the board (dispute resolution);
- strategy and direction, on a global board's agenda;
- the board's actions still open or in progress (overdue ones say so);
- contracts of the board whose newest version awaits approval (contract documentation);
- any other business and the schedule of meetings, last.
A subject already on the agenda is not proposed again.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, or_
from sqlmodel import Session, col, select

from ..errors import Conflict, Invalid, NotFound
from ..models import (
    AGENDA_ORDER,
    Action,
    ActionStatus,
    AgendaItem,
    AgendaSection,
    Board,
    BoardLevel,
    Contract,
    ContractVersion,
    Decision,
    Dispensation,
    DispensationState,
    GovernanceRequest,
    Meeting,
    MeetingState,
    Person,
    RequestState,
    RequestType,
    Review,
    ReviewState,
    VersionState,
    utcnow,
)
from ..permissions import Actor, require
from ..schemas.meetings import AgendaItemEdit, AgendaItemIn
from . import audit
from .common import check_version, commit, flush, get_or_404, stage_delete
from .meetings import get_meeting, next_planned, previous_closed, stage_generated_paper

S = AgendaSection
EXPIRY_HORIZON_DAYS = 60
RANK = {section: i for i, section in enumerate(AGENDA_ORDER)}
# Sections that appear once and are about no record.
SINGLE = (S.STRATEGY, S.OTHER_BUSINESS, S.SCHEDULE)


@dataclass(frozen=True)
class ProposedItem:
    section: str
    title: str
    subject_type: str | None = None
    subject_id: int | None = None
    description: str = ""

    @property
    def key(self) -> tuple[Any, ...]:
        return item_key(self.section, self.subject_type, self.subject_id)


def item_key(section: str, subject_type: str | None, subject_id: int | None) -> tuple[Any, ...]:
    return (subject_type, subject_id) if subject_type else (section,)


def _day(moment: datetime) -> date:
    return audit.as_utc(moment).date()


def propose(
    session: Session,
    board_id: int,
    meeting_start: datetime,
    next_meeting_start: datetime | None,
    today: date,
) -> list[ProposedItem]:
    """What the board has pending, as agenda items in the standard order (pure read)."""
    board = session.get(Board, board_id)
    if board is None:
        raise NotFound(_l("There is no Architecture Board with the id %(id)s.", id=board_id))
    out: list[ProposedItem] = []
    previous = previous_closed(session, board_id, meeting_start)
    if previous is not None:
        out.append(
            ProposedItem(
                S.PREVIOUS_MINUTES,
                str(_l("Minutes of %(ref)s", ref=previous.reference)),
                "meeting",
                previous.id,
            )
        )
    out += _requests(session, board_id, RequestType.CHANGE, S.CHANGE_REQUESTS)
    out += _dispensations(session, board_id, next_meeting_start, today)
    reviews = session.exec(
        select(Review)
        .where(Review.board_id == board_id, Review.state == ReviewState.PRESENTED)
        .order_by(col(Review.reference))
    ).all()
    out += [
        ProposedItem(
            S.COMPLIANCE_ASSESSMENTS,
            str(_l("Compliance assessment %(ref)s: %(title)s", ref=r.reference, title=r.title)),
            "review",
            r.id,
        )
        for r in reviews
    ]
    out += _requests(session, board_id, RequestType.COMPLAINT, S.DISPUTES)
    if board.level == BoardLevel.GLOBAL:
        out.append(ProposedItem(S.STRATEGY, str(_l("Strategy and direction"))))
    actions = session.exec(
        select(Action)
        .where(
            Action.board_id == board_id,
            col(Action.status).in_([ActionStatus.OPEN, ActionStatus.IN_PROGRESS]),
        )
        .order_by(col(Action.due_on).is_(None), col(Action.due_on), col(Action.reference))
    ).all()
    for a in actions:
        overdue = a.due_on is not None and a.due_on < today
        title = (
            _l("Overdue action %(ref)s: %(text)s", ref=a.reference, text=a.description)
            if overdue
            else _l("Action %(ref)s: %(text)s", ref=a.reference, text=a.description)
        )
        out.append(ProposedItem(S.ACTIONS, str(title)[:300], "action", a.id))
    contracts = session.exec(
        select(Contract, ContractVersion)
        .join(
            ContractVersion,
            (col(ContractVersion.contract_id) == Contract.id)
            & (col(ContractVersion.number) == Contract.latest_version),
        )
        .where(Contract.board_id == board_id, ContractVersion.state == VersionState.IN_REVIEW)
        .order_by(col(Contract.reference))
    ).all()
    out += [
        ProposedItem(
            S.CONTRACT_DOCUMENTATION,
            str(
                _l(
                    "Approval of contract %(ref)s (version %(n)s): %(title)s",
                    ref=c.reference,
                    n=v.number,
                    title=v.title,
                )
            )[:300],
            "contract",
            c.id,
        )
        for c, v in contracts
    ]
    out.append(ProposedItem(S.OTHER_BUSINESS, str(_l("Any other business"))))
    out.append(ProposedItem(S.SCHEDULE, str(_l("Schedule of meetings"))))
    return out


def _requests(session: Session, board_id: int, kind: str, section: str) -> list[ProposedItem]:
    rows = session.exec(
        select(GovernanceRequest)
        .where(
            GovernanceRequest.board_id == board_id,
            GovernanceRequest.type == kind,
            GovernanceRequest.state == RequestState.ESCALATED,
        )
        .order_by(col(GovernanceRequest.reference))
    ).all()
    return [ProposedItem(section, f"{r.reference}: {r.title}"[:300], "request", r.id) for r in rows]


def _dispensations(
    session: Session, board_id: int, next_meeting_start: datetime | None, today: date
) -> list[ProposedItem]:
    horizon = (
        _day(next_meeting_start)
        if next_meeting_start is not None
        else today + timedelta(days=EXPIRY_HORIZON_DAYS)
    )
    rows = session.exec(
        select(Dispensation)
        .join(Review, col(Review.id) == Dispensation.review_id)
        .where(
            Review.board_id == board_id,
            or_(
                col(Dispensation.state) == DispensationState.REQUESTED,
                and_(
                    col(Dispensation.state) == DispensationState.GRANTED,
                    col(Dispensation.expires_on) >= today,
                    col(Dispensation.expires_on) < horizon,
                ),
            ),
        )
        .order_by(col(Dispensation.reference))
    ).all()
    out = []
    for d in rows:
        waived = ", ".join(d.item_references + d.standards)
        if d.state == DispensationState.REQUESTED:
            title = _l("Dispensation request %(ref)s: %(items)s", ref=d.reference, items=waived)
        else:
            title = _l(
                "Dispensation %(ref)s expires on %(day)s: %(items)s",
                ref=d.reference,
                day=d.expires_on.isoformat() if d.expires_on else "",
                items=waived,
            )
        out.append(ProposedItem(S.DISPENSATIONS, str(title)[:300], "dispensation", d.id))
    return out


# --- the agenda of a meeting ----------------------------------------------------------------------


def items_of(session: Session, meeting_id: int) -> list[AgendaItem]:
    return list(
        session.exec(
            select(AgendaItem)
            .where(AgendaItem.meeting_id == meeting_id)
            .order_by(col(AgendaItem.position), col(AgendaItem.id))
        ).all()
    )


def _require_edit(actor: Actor, meeting: Meeting) -> None:
    """Before the meeting the organisers shape the agenda; in session the chair and the
    secretary record what happens to each item. A finished meeting's agenda stays."""
    if meeting.state == MeetingState.PLANNED:
        require(actor, "meetings.manage")
    elif meeting.state == MeetingState.IN_SESSION:
        if not actor.can("meetings.manage"):
            require(actor, "meetings.run")
    else:
        raise Conflict(
            _l("The agenda of meeting %(ref)s no longer changes.", ref=meeting.reference)
        )


def _insert(items: list[AgendaItem], new: AgendaItem) -> None:
    """Place ``new`` after the last item of its section or of an earlier one."""
    rank = RANK.get(new.section, len(RANK))
    at = 0
    for i, item in enumerate(items):
        if RANK.get(item.section, len(RANK)) <= rank:
            at = i + 1
    items.insert(at, new)


def _renumber(session: Session, items: list[AgendaItem]) -> None:
    for position, item in enumerate(items, start=1):
        if item.position != position:
            item.position = position
            session.add(item)
    flush(session)


def apply_proposal(
    session: Session, actor: Actor, meeting_id: int, *, today: date | None = None
) -> list[AgendaItem]:
    """Add to a planned meeting's agenda what ``propose`` finds and is not on it yet, and
    attach the papers of its reviews and contracts. Returns the items added."""
    require(actor, "meetings.manage")
    meeting = get_meeting(session, actor, meeting_id)
    if meeting.state != MeetingState.PLANNED:
        raise Conflict(_l("The agenda is proposed before the meeting opens."))
    today = today or utcnow().date()
    following = next_planned(session, meeting)
    proposed = propose(
        session,
        meeting.board_id,
        meeting.starts_at,
        following.starts_at if following else None,
        today,
    )
    items = items_of(session, meeting_id)
    known = {item_key(i.section, i.subject_type, i.subject_id) for i in items}
    added: list[AgendaItem] = []
    for p in proposed:
        if p.key in known:
            continue
        known.add(p.key)
        item = AgendaItem(
            meeting_id=meeting_id,
            position=0,
            section=p.section,
            title=p.title,
            description=p.description,
            subject_type=p.subject_type,
            subject_id=p.subject_id,
        )
        _insert(items, item)
        added.append(item)
    if added:
        for item in added:
            session.add(item)
        _renumber(session, items)
        for item in added:
            if item.subject_type in ("review", "contract") and item.subject_id is not None:
                stage_generated_paper(
                    session,
                    actor,
                    meeting,
                    item.subject_type,
                    item.subject_id,
                    agenda_item_id=item.id,
                )
        audit.record(
            session,
            actor,
            "propose_agenda",
            "meeting",
            meeting_id,
            {"added": [i.title for i in added]},
        )
        commit(session)
    return added


def _check_refs(session: Session, subject_type: str | None, subject_id: int | None) -> None:
    if subject_type is None or subject_id is None:
        return
    if (subject_type, subject_id) not in subject_references(session, {(subject_type, subject_id)}):
        raise Invalid(errors={"subject_id": _l("The subject does not exist.")})


def add_item(session: Session, actor: Actor, meeting_id: int, data: AgendaItemIn) -> AgendaItem:
    meeting = get_meeting(session, actor, meeting_id)
    _require_edit(actor, meeting)
    _check_refs(session, data.subject_type, data.subject_id)
    if data.presenter_id is not None:
        get_or_404(session, Person, data.presenter_id)
    items = items_of(session, meeting_id)
    key = item_key(data.section, data.subject_type, data.subject_id)
    keys = {item_key(i.section, i.subject_type, i.subject_id) for i in items}
    if data.subject_type and key in keys:
        raise Invalid(errors={"subject_id": _l("This subject is already on the agenda.")})
    item = AgendaItem(meeting_id=meeting_id, position=0, **data.model_dump())
    _insert(items, item)
    session.add(item)
    _renumber(session, items)
    audit.record(session, actor, "create", "agenda_item", item.id, audit.snapshot(item))
    commit(session)
    return item


def _item_and_meeting(
    session: Session, actor: Actor, item_id: int, expected: int | None
) -> tuple[AgendaItem, Meeting]:
    item = get_or_404(session, AgendaItem, item_id)
    meeting = get_meeting(session, actor, item.meeting_id)
    _require_edit(actor, meeting)
    check_version(item, expected)
    return item, meeting


def edit_item(
    session: Session, actor: Actor, item_id: int, data: AgendaItemEdit, expected: int | None
) -> AgendaItem:
    """Change an item's text, presenter, status or notes (fields left out stay)."""
    item, _meeting = _item_and_meeting(session, actor, item_id, expected)
    values = data.model_dump(exclude_unset=True)
    if values.get("presenter_id") is not None:
        get_or_404(session, Person, values["presenter_id"])
    for name in ("section", "title", "status", "description", "notes"):
        if name in values and values[name] is None:
            del values[name]
    before = audit.snapshot(item)
    for key, value in values.items():
        setattr(item, key, value)
    changes = audit.diff(before, audit.snapshot(item))
    if not changes:
        return item
    session.add(item)
    flush(session)
    audit.record(session, actor, "update", "agenda_item", item.id, changes)
    commit(session)
    return item


def remove_item(session: Session, actor: Actor, item_id: int, expected: int | None) -> int:
    """Take an item off the agenda (not one a decision was recorded on); returns the meeting."""
    item, meeting = _item_and_meeting(session, actor, item_id, expected)
    decided = session.exec(select(Decision.id).where(Decision.agenda_item_id == item.id)).first()
    if decided:
        raise Conflict(_l("A decision was recorded on this item; it stays on the agenda."))
    stage_delete(session, actor, item)
    _renumber(session, items_of(session, meeting.id))  # type: ignore[arg-type]
    commit(session)
    return meeting.id  # type: ignore[return-value]


def move_item(
    session: Session, actor: Actor, item_id: int, direction: str, expected: int | None
) -> AgendaItem:
    """Swap an item with its neighbour above or below."""
    item, meeting = _item_and_meeting(session, actor, item_id, expected)
    items = items_of(session, meeting.id)  # type: ignore[arg-type]
    at = next(i for i, it in enumerate(items) if it.id == item.id)
    other = at - 1 if direction == "up" else at + 1
    if not 0 <= other < len(items):
        return item
    items[at], items[other] = items[other], items[at]
    _renumber(session, items)
    audit.record(session, actor, "move", "agenda_item", item.id, {"position": [at + 1, other + 1]})
    commit(session)
    return item


def mark_decided(session: Session, item: AgendaItem) -> None:
    """A decision was recorded on the item (the caller commits)."""
    item.status = "decided"
    session.add(item)
    flush(session)


# --- what items, papers and decisions are about ---------------------------------------------------

_SUBJECT_MODELS: dict[str, Any] = {
    "contract": Contract,
    "review": Review,
    "dispensation": Dispensation,
    "action": Action,
    "request": GovernanceRequest,
    "meeting": Meeting,
}


def subject_references(
    session: Session, pairs: Iterable[tuple[str, int]]
) -> dict[tuple[str, int], str]:
    """The reference (e.g. "CT-2026-0003") of each existing subject, one statement per type."""
    wanted: dict[str, set[int]] = {}
    for kind, ident in pairs:
        if kind in _SUBJECT_MODELS and ident is not None:
            wanted.setdefault(kind, set()).add(ident)
    out: dict[tuple[str, int], str] = {}
    for kind, ids in wanted.items():
        model = _SUBJECT_MODELS[kind]
        for ident, ref in session.exec(
            select(model.id, model.reference).where(col(model.id).in_(ids))
        ).all():
            out[(kind, ident)] = ref
    return out
