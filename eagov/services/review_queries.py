"""Read helpers for the review pages: the filtered list with its dashboard tiles, and one
review with everything its page and the reviewer workspace show.

Each helper runs a fixed number of statements whatever the number of rows (joins for names,
one ``IN`` query per related table); the list paginates in the database. Writing stays in
``services.reviews`` and ``services.dispensations``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import and_, case, func, or_
from sqlmodel import Session, col, select

from ..conformance import RollUp
from ..models import (
    AuditEvent,
    Board,
    Dispensation,
    Finding,
    OrgUnit,
    Person,
    Review,
    ReviewItem,
    ReviewParticipant,
    ReviewState,
    User,
    utcnow,
)
from ..permissions import Actor, require
from . import dispensations as dispensation_service
from . import reviews as review_service
from .org_queries import like_pattern

FINISHED = (ReviewState.SIGNED_OFF, ReviewState.CLOSED)


@dataclass
class ReviewFilter:
    q: str = ""
    state: str | None = None
    checkpoint: str | None = None
    level: str | None = None  # the overall level (override, else computed)
    board_id: int | None = None
    due_from: date | None = None
    due_to: date | None = None


@dataclass
class ReviewRow:
    review: Review
    board_name: str
    overdue: bool


@dataclass
class Listing:
    items: list[ReviewRow]
    total: int
    page: int
    per_page: int


def _overall_level() -> Any:
    return func.coalesce(col(Review.level_override), col(Review.computed_level))


def _where(f: ReviewFilter) -> list[Any]:
    where: list[Any] = []
    if f.q:
        pattern = like_pattern(f.q)
        where.append(
            or_(
                col(Review.title).ilike(pattern, escape="\\"),
                col(Review.project).ilike(pattern, escape="\\"),
                col(Review.reference).ilike(pattern, escape="\\"),
            )
        )
    if f.state:
        where.append(col(Review.state) == f.state)
    if f.checkpoint:
        where.append(col(Review.checkpoint) == f.checkpoint)
    if f.level:
        where.append(_overall_level() == f.level)
    if f.board_id:
        where.append(col(Review.board_id) == f.board_id)
    if f.due_from:
        where.append(col(Review.due_date) >= f.due_from)
    if f.due_to:
        where.append(col(Review.due_date) <= f.due_to)
    return where


def is_overdue(review: Review, today: date) -> bool:
    return review.due_date is not None and review.due_date < today and review.state not in FINISHED


def reviews_page(
    session: Session, actor: Actor, f: ReviewFilter, page: int, per_page: int
) -> Listing:
    """One page of reviews, newest first: two statements whatever the number of reviews."""
    require(actor, "reviews.read")
    where = _where(f)
    total = session.exec(select(func.count()).select_from(Review).where(*where)).one()
    page = max(1, page)
    rows = session.exec(
        select(Review, Board.name)
        .join(Board, col(Board.id) == Review.board_id)
        .where(*where)
        .order_by(col(Review.year).desc(), col(Review.number).desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    today = utcnow().date()
    return Listing(
        [ReviewRow(r, name, is_overdue(r, today)) for r, name in rows], int(total), page, per_page
    )


@dataclass
class Dashboard:
    by_level: list[tuple[str | None, int]]
    overdue: int
    expiring: list[Dispensation]
    expiring_reviews: dict[int, str] = field(default_factory=dict)


# (database, day) -> (audit chain head, reviews per level, overdue reviews); see _summary.
_SUMMARIES: dict[tuple[str, date], tuple[int, list[tuple[str | None, int]], int]] = {}
_SUMMARIES_KEPT = 64


def _summary(session: Session, today: date) -> tuple[list[tuple[str | None, int]], int]:
    """Reviews per overall level and overdue reviews: aggregates over every review, so their
    cost grows with the register. They are computed again only when the audit chain's head
    has moved, since every change appends an event to it in the change's own transaction;
    one indexed statement otherwise. Per process: each worker computes once per change."""
    head = int(session.exec(select(func.coalesce(func.max(AuditEvent.seq), 0))).one())
    key = (str(session.get_bind().engine.url), today)
    cached = _SUMMARIES.get(key)
    if cached is not None and cached[0] == head:
        return cached[1], cached[2]
    level = _overall_level()
    overdue = and_(
        col(Review.due_date) < today,
        col(Review.state).not_in([s.value for s in FINISHED]),
    )
    rows = session.exec(
        select(level, func.count(), func.sum(case((overdue, 1), else_=0)))
        .select_from(Review)
        .group_by(level)
    ).all()
    order = [
        "non_conformant",
        "consistent",
        "compliant",
        "conformant",
        "fully_conformant",
        "irrelevant",
        None,
    ]
    by_level = sorted(
        ((lv, int(n)) for lv, n, _late in rows),
        key=lambda p: order.index(p[0]) if p[0] in order else len(order),
    )
    late = sum(int(n or 0) for _lv, _n, n in rows)
    if len(_SUMMARIES) >= _SUMMARIES_KEPT:
        _SUMMARIES.clear()
    _SUMMARIES[key] = (head, by_level, late)
    return by_level, late


def dashboard(session: Session, actor: Actor, days: int = 30) -> Dashboard:
    require(actor, "reviews.read")
    today = utcnow().date()
    by_level, overdue = _summary(session, today)
    expiring = dispensation_service.expiring_within(session, actor, days, today)
    refs: dict[int, str] = {}
    ids = {d.review_id for d in expiring}
    if ids:
        refs = {
            rid: ref
            for rid, ref in session.exec(
                select(Review.id, Review.reference).where(col(Review.id).in_(ids))
            ).all()
            if rid is not None
        }
    return Dashboard(by_level, overdue, expiring, refs)


# --- one review ----------------------------------------------------------------------------------


@dataclass
class ReviewDetail:
    review: Review
    board: Board | None
    org_unit: OrgUnit | None
    items: list[ReviewItem]
    waived: set[str]
    participants: list[tuple[ReviewParticipant, Person]]
    findings: list[Finding]
    dispensations: list[Dispensation]
    people: dict[int, str]
    users: dict[int, str]
    overall: RollUp
    progress: list[review_service.CategoryProgress]
    previous: Review | None = None

    @property
    def categories(self) -> list[tuple[str, dict[str, str], list[ReviewItem]]]:
        out: dict[str, tuple[str, dict[str, str], list[ReviewItem]]] = {}
        for item in self.items:
            out.setdefault(item.category_key, (item.category_key, item.category_title, []))[
                2
            ].append(item)
        return list(out.values())


def review_detail(session: Session, actor: Actor, review_id: int) -> ReviewDetail:
    review = review_service.get_review(session, actor, review_id)
    assert review.id is not None
    items = review_service.items_of(session, review.id)
    waived = review_service.waived_references(session, review.id)
    findings = review_service.findings_of(session, review.id)
    disps = list(
        session.exec(
            select(Dispensation)
            .where(Dispensation.review_id == review.id)
            .order_by(col(Dispensation.number))
        ).all()
    )
    user_ids = {
        u
        for u in (
            review.requested_by_id,
            review.override_by_id,
            review.signed_off_by_id,
            *(i.answered_by_id for i in items),
            *(d.decided_by_id for d in disps),
        )
        if u is not None
    }
    users = (
        {
            uid: name
            for uid, name in session.exec(
                select(User.id, User.name).where(col(User.id).in_(user_ids))
            ).all()
            if uid is not None
        }
        if user_ids
        else {}
    )
    person_ids = {f.owner_id for f in findings if f.owner_id is not None}
    people = (
        {
            pid: name
            for pid, name in session.exec(
                select(Person.id, Person.name).where(col(Person.id).in_(person_ids))
            ).all()
            if pid is not None
        }
        if person_ids
        else {}
    )
    return ReviewDetail(
        review=review,
        board=session.get(Board, review.board_id),
        org_unit=session.get(OrgUnit, review.org_unit_id) if review.org_unit_id else None,
        items=items,
        waived=waived,
        participants=review_service.participants(session, review.id),
        findings=findings,
        dispensations=disps,
        people=people,
        users=users,
        overall=review_service.overall(session, review),
        progress=review_service.progress(session, review.id),
        previous=session.get(Review, review.previous_review_id)
        if review.previous_review_id
        else None,
    )


def dispensations_query(state: str | None = None) -> Any:
    """(Dispensation, Review) rows, newest first, optionally in one state."""
    stmt = (
        select(Dispensation, Review)
        .join(Review, col(Review.id) == Dispensation.review_id)
        .order_by(col(Dispensation.requested_at).desc(), col(Dispensation.id).desc())
    )
    if state:
        stmt = stmt.where(Dispensation.state == state)
    return stmt
