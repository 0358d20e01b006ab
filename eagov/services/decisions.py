"""The decision log of the Architecture Boards.

A decision recorded on an agenda item of a meeting in session applies its effect in the same
transaction: the board approves the contract, grants or refuses the dispensation, accepts or
rejects the compliance assessment (review sign-off). If the effect is refused (wrong state,
an expiry too far ahead, ...) neither the decision nor the effect is saved.

Decisions without an effect (product selections, deviations from standards, ...) may also be
recorded outside a meeting, for the record of what a board settled by correspondence; kinds
with an effect are always taken in a meeting, where the quorum is checked.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from ..errors import Conflict, Invalid, NotFound
from ..labels import label
from ..models import (
    AgendaItem,
    Board,
    Decision,
    DecisionKind,
    DecisionSubject,
    Meeting,
    MeetingState,
    ReviewDecision,
    ReviewState,
    utcnow,
)
from ..permissions import Actor, require
from ..schemas.meetings import DecisionIn
from ..schemas.reviews import AdvanceIn, DispensationDecision
from . import audit
from .agenda import mark_decided, subject_references
from .common import add_numbered, get_or_404, one_transaction
from .meetings import get_meeting, quorum

K = DecisionKind
# Kinds that change the subject of their agenda item, and the subject they need.
EFFECTS: dict[str, str] = {
    K.CONTRACT_APPROVAL: "contract",
    K.DISPENSATION_GRANT: "dispensation",
    K.DISPENSATION_REFUSAL: "dispensation",
    K.REVIEW_ACCEPTANCE: "review",
    K.REVIEW_REJECTION: "review",
}
# The kind a decision on an item about this subject most likely has (the form's default).
DEFAULT_KIND = {
    "contract": K.CONTRACT_APPROVAL,
    "dispensation": K.DISPENSATION_GRANT,
    "review": K.REVIEW_ACCEPTANCE,
    "request": K.CHANGE_REQUEST,
}


def get_decision(session: Session, actor: Actor, decision_id: int) -> Decision:
    require(actor, "decisions.read")
    decision = session.get(Decision, decision_id)
    if decision is None:
        raise NotFound(_l("There is no decision with the id %(id)s.", id=decision_id))
    return decision


# --- recording ---------------------------------------------------------------------------------


@dataclass
class _Context:
    board_id: int
    meeting: Meeting | None
    item: AgendaItem | None


def _context(session: Session, actor: Actor, data: DecisionIn) -> _Context:
    item = None
    meeting_id = data.meeting_id
    if data.agenda_item_id is not None:
        item = session.get(AgendaItem, data.agenda_item_id)
        if item is None or (meeting_id is not None and item.meeting_id != meeting_id):
            raise Invalid(
                errors={"agenda_item_id": _l("The item is not on this meeting's agenda.")}
            )
        meeting_id = item.meeting_id
    if meeting_id is None:
        if data.board_id is None:
            raise Invalid(errors={"board_id": _l("Name the board that decided.")})
        if session.get(Board, data.board_id) is None:
            raise Invalid(errors={"board_id": _l("The board does not exist.")})
        return _Context(data.board_id, None, None)
    meeting = get_meeting(session, actor, meeting_id)
    if data.board_id is not None and data.board_id != meeting.board_id:
        raise Invalid(errors={"board_id": _l("The meeting is of another board.")})
    if meeting.state != MeetingState.IN_SESSION:
        raise Conflict(
            _l(
                "Decisions are recorded while the meeting is in session; %(ref)s is %(state)s.",
                ref=meeting.reference,
                state=label(meeting.state),
            )
        )
    q = quorum(session, meeting)
    if not q.met:
        raise Conflict(
            _l(
                "The meeting has no quorum: %(present)s board members are present and "
                "%(required)s are needed. Record the attendance first.",
                present=q.present,
                required=q.required,
            )
        )
    return _Context(meeting.board_id, meeting, item)


def record(
    session: Session,
    actor: Actor,
    data: DecisionIn,
    *,
    today: date | None = None,
    now: datetime | None = None,
    max_months: int | None = None,
) -> Decision:
    """Log a decision and, on an agenda item, apply its effect, all in one transaction."""
    require(actor, "decisions.record")
    from .dispensations import DEFAULT_MAX_MONTHS

    now = now or utcnow()
    today = today or now.date()
    ctx = _context(session, actor, data)
    needs = EFFECTS.get(data.kind)
    if needs is not None and (ctx.item is None or ctx.item.subject_type != needs):
        raise Invalid(
            errors={
                "kind": _l(
                    "A %(kind)s is recorded on a meeting's agenda item about a %(subject)s.",
                    kind=label(data.kind),
                    subject=_SUBJECT_NAMES[needs],
                )
            }
        )
    supersedes = _superseded(session, data.supersedes_id, ctx.board_id)
    pairs: set[tuple[str, int]] = {(s.subject_type, s.subject_id) for s in data.subjects}
    known = subject_references(session, pairs)
    missing = sorted(f"{t} {i}" for t, i in pairs if (t, i) not in known)
    if missing:
        raise Invalid(
            errors={"subjects": _l("Unknown subjects: %(list)s.", list=", ".join(missing))}
        )
    if ctx.item is not None and ctx.item.subject_type and ctx.item.subject_id is not None:
        pairs.add((ctx.item.subject_type, ctx.item.subject_id))
    with one_transaction(session):
        effect: dict[str, Any] = {}
        if needs is not None:
            assert ctx.item is not None and ctx.item.subject_id is not None
            effect = _apply(
                session,
                actor,
                data,
                ctx.item.subject_id,
                today=today,
                now=now,
                max_months=max_months or DEFAULT_MAX_MONTHS,
            )
        year = data.decided_on.year
        decision = add_numbered(
            session,
            Decision,
            year,
            lambda number: Decision(
                reference=f"DEC-{year}-{number:04d}",
                year=year,
                number=number,
                board_id=ctx.board_id,
                meeting_id=ctx.meeting.id if ctx.meeting else None,
                agenda_item_id=ctx.item.id if ctx.item else None,
                kind=data.kind,
                title=data.title,
                rationale=data.rationale,
                decided_on=data.decided_on,
                method=data.method,
                votes_for=data.votes_for,
                votes_against=data.votes_against,
                abstentions=data.abstentions,
                effect=effect,
                supersedes_id=supersedes.id if supersedes else None,
                recorded_by_id=actor.user_id,
                recorded_at=now,
            ),
        )
        for kind, ident in sorted(pairs):
            session.add(
                DecisionSubject(decision_id=decision.id, subject_type=kind, subject_id=ident)  # type: ignore[arg-type]
            )
        if ctx.item is not None:
            mark_decided(session, ctx.item)
        audit.record(
            session,
            actor,
            "record",
            "decision",
            decision.id,
            audit.snapshot(decision) | {"subjects": [f"{t}:{i}" for t, i in sorted(pairs)]},
            now=now,
        )
    return decision


_SUBJECT_NAMES = {
    "contract": _l("contract"),
    "dispensation": _l("dispensation"),
    "review": _l("compliance review"),
}


def _superseded(session: Session, decision_id: int | None, board_id: int) -> Decision | None:
    if decision_id is None:
        return None
    old = session.get(Decision, decision_id)
    if old is None or old.board_id != board_id:
        raise Invalid(
            errors={"supersedes_id": _l("A decision supersedes only a decision of its board.")}
        )
    later = session.exec(
        select(Decision.reference).where(Decision.supersedes_id == decision_id)
    ).first()
    if later:
        raise Conflict(
            _l("Decision %(old)s is already superseded by %(new)s.", old=old.reference, new=later)
        )
    return old


def _apply(
    session: Session,
    actor: Actor,
    data: DecisionIn,
    subject_id: int,
    *,
    today: date,
    now: datetime,
    max_months: int,
) -> dict[str, Any]:
    """Run the existing use case for the effect; its commit is deferred to ours."""
    from . import contracts, dispensations, reviews

    if data.kind == K.CONTRACT_APPROVAL:
        contract = contracts.approve(session, actor, subject_id, now=now)
        version = contracts.get_version(session, contract)
        return {
            "contract": contract.reference,
            "version": version.number,
            "status": contract.status,
            "content_hash": version.content_hash,
        }
    if data.kind in (K.DISPENSATION_GRANT, K.DISPENSATION_REFUSAL):
        decide = data.kind == K.DISPENSATION_GRANT
        note = DispensationDecision(expires_on=data.expires_on, note=data.rationale)
        if decide:
            item = dispensations.grant(
                session, actor, subject_id, note, None, today=today, max_months=max_months
            )
        else:
            item = dispensations.refuse(session, actor, subject_id, note, None)
        effect: dict[str, Any] = {"dispensation": item.reference, "state": item.state}
        if item.expires_on:
            effect["expires_on"] = item.expires_on.isoformat()
        return effect
    review = reviews.get_review(session, actor, subject_id)
    if review.state != ReviewState.PRESENTED:
        raise Conflict(
            _l(
                "Review %(ref)s is %(state)s; the board decides on a review once it is presented.",
                ref=review.reference,
                state=label(review.state),
            )
        )
    if data.kind == K.REVIEW_REJECTION:
        outcome = ReviewDecision.REJECTED
    elif data.conditions.strip():
        outcome = ReviewDecision.ACCEPTED_WITH_CONDITIONS
    else:
        outcome = ReviewDecision.ACCEPTED
    reviews.advance(
        session,
        actor,
        subject_id,
        AdvanceIn(decision=outcome, conditions=data.conditions),
        now=now,
    )
    effect = {"review": review.reference, "decision": outcome.value}
    if data.conditions:
        effect["conditions"] = data.conditions
    return effect


# --- the log -----------------------------------------------------------------------------------


@dataclass
class DecisionFilter:
    board_id: int | None = None
    kind: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    q: str = ""
    meeting_id: int | None = None
    oldest_first: bool = False


@dataclass
class DecisionRow:
    decision: Decision
    board_name: str
    meeting_reference: str | None
    supersedes_reference: str | None = None
    superseded_by: tuple[int, str] | None = None
    subjects: list[tuple[str, int, str]] = field(default_factory=list)


@dataclass
class Listing:
    items: list[DecisionRow]
    total: int
    page: int
    per_page: int


def _where(f: DecisionFilter) -> list[Any]:
    where: list[Any] = []
    if f.board_id is not None:
        where.append(Decision.board_id == f.board_id)
    if f.kind:
        where.append(Decision.kind == f.kind)
    if f.meeting_id is not None:
        where.append(Decision.meeting_id == f.meeting_id)
    if f.date_from is not None:
        where.append(col(Decision.decided_on) >= f.date_from)
    if f.date_to is not None:
        where.append(col(Decision.decided_on) <= f.date_to)
    if f.q:
        pattern = f"%{f.q.lower()}%"
        where.append(
            func.lower(Decision.title).like(pattern)
            | func.lower(Decision.rationale).like(pattern)
            | func.lower(Decision.reference).like(pattern)
        )
    return where


def _rows(session: Session, f: DecisionFilter, limit: int, offset: int = 0) -> list[DecisionRow]:
    older = aliased(Decision)
    stmt = (
        select(Decision, Board.name, Meeting.reference, older.reference)
        .join(Board, col(Board.id) == Decision.board_id)
        .outerjoin(Meeting, col(Meeting.id) == Decision.meeting_id)
        .outerjoin(older, col(older.id) == Decision.supersedes_id)
        .where(*_where(f))
        .order_by(
            *(
                (col(Decision.decided_on).asc(), col(Decision.id).asc())
                if f.oldest_first
                else (col(Decision.decided_on).desc(), col(Decision.id).desc())
            )
        )
        .limit(limit)
        .offset(offset)
    )
    rows = [DecisionRow(d, board, mtg, old) for d, board, mtg, old in session.exec(stmt).all()]
    _complete(session, rows)
    return rows


def _complete(session: Session, rows: Sequence[DecisionRow]) -> None:
    """Superseded-by and subjects of a page of decisions, in two statements (plus one per
    type of subject for their references)."""
    ids = [r.decision.id for r in rows]
    if not ids:
        return
    later: dict[int | None, tuple[int, str]] = {
        old: (new, ref)  # type: ignore[misc]
        for old, new, ref in session.exec(
            select(Decision.supersedes_id, Decision.id, Decision.reference).where(
                col(Decision.supersedes_id).in_(ids)
            )
        ).all()
    }
    links = session.exec(
        select(DecisionSubject)
        .where(col(DecisionSubject.decision_id).in_(ids))
        .order_by(col(DecisionSubject.id))
    ).all()
    refs = subject_references(session, {(s.subject_type, s.subject_id) for s in links})
    by_decision: dict[int, list[tuple[str, int, str]]] = {}
    for s in links:
        ref = refs.get((s.subject_type, s.subject_id), f"#{s.subject_id}")
        by_decision.setdefault(s.decision_id, []).append((s.subject_type, s.subject_id, ref))
    for r in rows:
        r.superseded_by = later.get(r.decision.id)
        r.subjects = by_decision.get(r.decision.id, [])  # type: ignore[arg-type]


def decisions_page(
    session: Session, actor: Actor, f: DecisionFilter, page: int = 1, per_page: int = 25
) -> Listing:
    require(actor, "decisions.read")
    total = session.exec(select(func.count()).select_from(Decision).where(*_where(f))).one()
    page = max(1, page)
    return Listing(_rows(session, f, per_page, (page - 1) * per_page), int(total), page, per_page)


def decision_row(session: Session, actor: Actor, decision_id: int) -> DecisionRow:
    get_decision(session, actor, decision_id)
    older = aliased(Decision)
    found = session.exec(
        select(Decision, Board.name, Meeting.reference, older.reference)
        .join(Board, col(Board.id) == Decision.board_id)
        .outerjoin(Meeting, col(Meeting.id) == Decision.meeting_id)
        .outerjoin(older, col(older.id) == Decision.supersedes_id)
        .where(Decision.id == decision_id)
    ).one()
    row = DecisionRow(*found)
    _complete(session, [row])
    return row


EXPORT_LIMIT = 10_000


def export_rows(session: Session, actor: Actor, f: DecisionFilter) -> list[DecisionRow]:
    """Every decision the filter matches (up to ``EXPORT_LIMIT``), for CSV and XLSX."""
    require(actor, "decisions.read")
    return _rows(session, f, EXPORT_LIMIT)


def decisions_of_board(session: Session, board_id: int, limit: int = 200) -> list[Decision]:
    """Decisions a new one may supersede (newest first)."""
    return list(
        session.exec(
            select(Decision)
            .where(Decision.board_id == board_id)
            .order_by(col(Decision.decided_on).desc(), col(Decision.id).desc())
            .limit(limit)
        ).all()
    )


def get_item(session: Session, item_id: int) -> AgendaItem:
    return get_or_404(session, AgendaItem, item_id)
