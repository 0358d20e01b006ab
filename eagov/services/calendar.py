"""The governance calendar: dated events gathered from the other areas.

Six sources: board meetings, compliance review sessions, deliverable due dates, dispensation
expiries, contract end dates and board action due dates. Each source is one bounded query
(names joined in), whatever the number of rows, and only what the actor may see is read:
contracts and their deliverables through ``services.contracts.visible_filter``, the other
sources through their read permission. Nothing here writes.

A window is a range of calendar days ``[start, end)`` in the viewer's time zone: all-day
events (due dates, expiries, end dates) compare as dates, timed ones (meetings, sessions)
against the UTC instants of the local midnights.
"""

from __future__ import annotations

from calendar import monthrange
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func
from sqlmodel import Session, col

from ..errors import Message
from ..labels import label
from ..models import (
    Action,
    ActionStatus,
    Board,
    Contract,
    ContractVersion,
    Deliverable,
    Dispensation,
    DispensationState,
    Meeting,
    MeetingState,
    Review,
)
from ..permissions import Actor, require
from .audit import as_utc
from .contracts import CLOSED, visible_filter
from .deliverables import DONE

MEETING = "meeting"
REVIEW = "review"
DELIVERABLE = "deliverable"
DISPENSATION = "dispensation"
CONTRACT = "contract"
ACTION = "action"

# The kinds in the order a day lists them (and the legend shows them).
KINDS: tuple[str, ...] = (MEETING, REVIEW, DELIVERABLE, DISPENSATION, CONTRACT, ACTION)
KIND_LABELS: dict[str, Message] = {
    MEETING: _l("Board meeting"),
    REVIEW: _l("Review session"),
    DELIVERABLE: _l("Deliverable due"),
    DISPENSATION: _l("Dispensation expires"),
    CONTRACT: _l("Contract ends"),
    ACTION: _l("Action due"),
}
# The days the calendar navigates: far enough either way, and clear of date.min/date.max,
# which a window or its neighbour would step past.
FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2999, 12, 31)
# Per source: a month of a busy organisation is far below this; it only keeps one request
# from reading a whole table when a client asks for a long window.
MAX_PER_SOURCE = 1000


@dataclass(frozen=True)
class Event:
    """One dated thing on the calendar.

    ``start`` is a date for all-day events and an aware UTC datetime for timed ones;
    ``endpoint``/``args``/``anchor`` name the page that shows the subject.
    """

    kind: str
    id: int
    uid: str
    title: str
    reference: str
    start: date | datetime
    end: date | datetime | None
    board_id: int | None
    board: str | None
    endpoint: str
    args: tuple[tuple[str, Any], ...]
    anchor: str = ""
    location: str = ""
    detail: str = ""

    @property
    def all_day(self) -> bool:
        return not isinstance(self.start, datetime)

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS[self.kind])

    def day(self, tz: tzinfo) -> date:
        """The calendar day the event falls on, in ``tz``."""
        if isinstance(self.start, datetime):
            return self.start.astimezone(tz).date()
        return self.start

    def sort_key(self, tz: tzinfo) -> tuple[Any, ...]:
        moment = self.start.astimezone(tz).time() if isinstance(self.start, datetime) else None
        return (
            self.day(tz),
            moment is not None,
            moment or time(),
            KINDS.index(self.kind),
            self.reference,
            self.id,
        )


def parse_kinds(values: Iterable[str]) -> list[str]:
    """The known kinds among ``values`` (comma-separated or repeated), in the standard order."""
    wanted = {part.strip() for value in values for part in value.split(",") if part.strip()}
    return [k for k in KINDS if k in wanted]


def unknown_kinds(values: Iterable[str]) -> list[str]:
    wanted = {part.strip() for value in values for part in value.split(",") if part.strip()}
    return sorted(wanted - set(KINDS))


def window_instants(start: date, end: date, tz: tzinfo) -> tuple[datetime, datetime]:
    """The UTC instants of local midnight at ``start`` and at ``end``."""
    return (
        datetime.combine(start, time(), tzinfo=tz).astimezone(UTC),
        datetime.combine(end, time(), tzinfo=tz).astimezone(UTC),
    )


@dataclass(frozen=True)
class _Window:
    start: date
    end: date  # exclusive
    since: datetime  # UTC instant of the local midnight at ``start``
    until: datetime  # ... and at ``end``
    board_id: int | None
    limit: int


def events(
    session: Session,
    actor: Actor,
    start: date,
    end: date,
    kinds: Iterable[str] | None = None,
    board_id: int | None = None,
    *,
    tz: tzinfo = UTC,
    limit: int = MAX_PER_SOURCE,
) -> list[Event]:
    """Events on the days ``start`` (inclusive) to ``end`` (exclusive) in ``tz``, of the given
    kinds (default: all) and board, that the actor may see; ordered by day, all-day events
    first, then by time."""
    require(actor, "calendar.read")
    wanted = list(KINDS) if kinds is None else parse_kinds(kinds)
    if end <= start or not wanted:
        return []
    since, until = window_instants(start, end, tz)
    w = _Window(start, end, since, until, board_id, limit)
    out: list[Event] = []
    for kind in wanted:
        permission, source = _SOURCES[kind]
        if actor.can(permission):
            out += source(session, actor, w)
    return sorted(out, key=lambda e: e.sort_key(tz))


# --- the sources -------------------------------------------------------------------------------


def _columns(*columns: Any) -> Any:
    """SELECT of plain columns: more of them than sqlmodel's typed select() overloads take."""
    return sa.select(*columns)


def _meetings(session: Session, actor: Actor, w: _Window) -> list[Event]:
    stmt = (
        _columns(
            Meeting.id,
            Meeting.reference,
            Meeting.title,
            Meeting.starts_at,
            Meeting.ends_at,
            Meeting.location,
            Meeting.board_id,
            Board.name,
        )
        .join(Board, col(Board.id) == Meeting.board_id)
        .where(
            col(Meeting.state) != MeetingState.CANCELLED,
            col(Meeting.starts_at) >= w.since,
            col(Meeting.starts_at) < w.until,
        )
    )
    if w.board_id is not None:
        stmt = stmt.where(Meeting.board_id == w.board_id)
    rows = session.exec(stmt.order_by(col(Meeting.starts_at), col(Meeting.id)).limit(w.limit))
    return [
        Event(
            kind=MEETING,
            id=mid,
            uid=f"{MEETING}-{mid}@eagov",
            title=title,
            reference=ref,
            start=as_utc(starts),
            end=as_utc(ends) if ends else None,
            board_id=bid,
            board=board,
            endpoint="meetings.meeting",
            args=(("meeting_id", mid),),
            location=location,
        )
        for mid, ref, title, starts, ends, location, bid, board in rows
        if mid is not None
    ]


def _reviews(session: Session, actor: Actor, w: _Window) -> list[Event]:
    stmt = (
        _columns(
            Review.id,
            Review.reference,
            Review.title,
            Review.project,
            Review.meeting_at,
            Review.board_id,
            Board.name,
        )
        .join(Board, col(Board.id) == Review.board_id)
        .where(col(Review.meeting_at) >= w.since, col(Review.meeting_at) < w.until)
    )
    if w.board_id is not None:
        stmt = stmt.where(Review.board_id == w.board_id)
    rows = session.exec(stmt.order_by(col(Review.meeting_at), col(Review.id)).limit(w.limit))
    return [
        Event(
            kind=REVIEW,
            id=rid,
            uid=f"{REVIEW}-{rid}@eagov",
            title=title,
            reference=ref,
            start=as_utc(at),
            end=None,
            board_id=bid,
            board=board,
            endpoint="reviews.review",
            args=(("review_id", rid),),
            detail=project,
        )
        for rid, ref, title, project, at, bid, board in rows
        if rid is not None and at is not None
    ]


def _dispensations(session: Session, actor: Actor, w: _Window) -> list[Event]:
    stmt = (
        _columns(
            Dispensation.id,
            Dispensation.reference,
            Dispensation.expires_on,
            Dispensation.item_references,
            Dispensation.standards,
            Review.id,
            Review.title,
            Review.board_id,
            Board.name,
        )
        .join(Review, col(Review.id) == Dispensation.review_id)
        .join(Board, col(Board.id) == Review.board_id)
        .where(
            col(Dispensation.state) == DispensationState.GRANTED,
            col(Dispensation.expires_on) >= w.start,
            col(Dispensation.expires_on) < w.end,
        )
    )
    if w.board_id is not None:
        stmt = stmt.where(Review.board_id == w.board_id)
    rows = session.exec(
        stmt.order_by(col(Dispensation.expires_on), col(Dispensation.id)).limit(w.limit)
    )
    return [
        Event(
            kind=DISPENSATION,
            id=did,
            uid=f"{DISPENSATION}-{did}@eagov",
            title=title,
            reference=ref,
            start=expires,
            end=None,
            board_id=bid,
            board=board,
            endpoint="reviews.review",
            args=(("review_id", rid),),
            anchor=f"dispensation-{did}",
            detail=", ".join([*items, *standards]),
        )
        for did, ref, expires, items, standards, rid, title, bid, board in rows
        if did is not None and expires is not None
    ]


def _current_version() -> Any:
    """Join condition: the version in force, else the newest one (a contract not yet signed)."""
    return and_(
        col(ContractVersion.contract_id) == Contract.id,
        col(ContractVersion.number)
        == func.coalesce(col(Contract.effective_version), col(Contract.latest_version)),
    )


def _contract_where(session: Session, actor: Actor, w: _Window) -> list[Any]:
    where: list[Any] = [col(Contract.status).not_in([s.value for s in CLOSED])]
    visible = visible_filter(session, actor)
    if visible is not None:
        where.append(visible)
    if w.board_id is not None:
        where.append(col(Contract.board_id) == w.board_id)
    return where


def _deliverables(session: Session, actor: Actor, w: _Window) -> list[Event]:
    stmt = (
        _columns(
            Deliverable.id,
            Deliverable.lineage,
            Deliverable.title,
            Deliverable.due_date,
            Contract.id,
            Contract.reference,
            ContractVersion.number,
            ContractVersion.title,
            Contract.board_id,
            Board.name,
        )
        .join(ContractVersion, col(ContractVersion.id) == Deliverable.version_id)
        .join(Contract, _current_version())
        .join(Board, col(Board.id) == Contract.board_id)
        .where(
            *_contract_where(session, actor, w),
            col(Deliverable.status).not_in([s.value for s in DONE]),
            col(Deliverable.due_date) >= w.start,
            col(Deliverable.due_date) < w.end,
        )
    )
    rows = session.exec(
        stmt.order_by(col(Deliverable.due_date), col(Deliverable.id)).limit(w.limit)
    )
    # The UID follows the lineage: an amendment copies deliverables under new ids, and a
    # subscribed calendar should see the same event move, not one vanish and another appear.
    return [
        Event(
            kind=DELIVERABLE,
            id=did,
            uid=f"{DELIVERABLE}-{lineage}@eagov",
            title=title,
            reference=ref,
            start=due,
            end=None,
            board_id=bid,
            board=board,
            endpoint="contracts.contract",
            args=(("contract_id", cid), ("v", number)),
            anchor=f"deliverable-{did}",
            detail=contract_title,
        )
        for did, lineage, title, due, cid, ref, number, contract_title, bid, board in rows
        if did is not None
    ]


def _contract_ends(session: Session, actor: Actor, w: _Window) -> list[Event]:
    stmt = (
        _columns(
            Contract.id,
            Contract.reference,
            ContractVersion.title,
            ContractVersion.window_end,
            Contract.board_id,
            Board.name,
        )
        .join(ContractVersion, _current_version())
        .join(Board, col(Board.id) == Contract.board_id)
        .where(
            *_contract_where(session, actor, w),
            col(ContractVersion.window_end) >= w.start,
            col(ContractVersion.window_end) < w.end,
        )
    )
    rows = session.exec(
        stmt.order_by(col(ContractVersion.window_end), col(Contract.id)).limit(w.limit)
    )
    return [
        Event(
            kind=CONTRACT,
            id=cid,
            uid=f"{CONTRACT}-{cid}@eagov",
            title=title,
            reference=ref,
            start=ends,
            end=None,
            board_id=bid,
            board=board,
            endpoint="contracts.contract",
            args=(("contract_id", cid),),
        )
        for cid, ref, title, ends, bid, board in rows
        if cid is not None
    ]


def _actions(session: Session, actor: Actor, w: _Window) -> list[Event]:
    stmt = (
        _columns(
            Action.id,
            Action.reference,
            Action.description,
            Action.due_on,
            Action.priority,
            Action.board_id,
            Board.name,
        )
        .outerjoin(Board, col(Board.id) == Action.board_id)
        .where(
            col(Action.status).in_([ActionStatus.OPEN.value, ActionStatus.IN_PROGRESS.value]),
            col(Action.due_on) >= w.start,
            col(Action.due_on) < w.end,
        )
    )
    if w.board_id is not None:
        stmt = stmt.where(Action.board_id == w.board_id)
    rows = session.exec(stmt.order_by(col(Action.due_on), col(Action.id)).limit(w.limit))
    return [
        Event(
            kind=ACTION,
            id=aid,
            uid=f"{ACTION}-{aid}@eagov",
            title=description,
            reference=ref,
            start=due,
            end=None,
            board_id=bid,
            board=board,
            endpoint="actions.action",
            args=(("action_id", aid),),
            detail=str(_l("Priority: %(priority)s", priority=label(priority))),
        )
        for aid, ref, description, due, priority, bid, board in rows
        if aid is not None and due is not None
    ]


_Source = Callable[[Session, Actor, _Window], list[Event]]
# kind -> (the permission to read that source, the source)
_SOURCES: dict[str, tuple[str, _Source]] = {
    MEETING: ("meetings.read", _meetings),
    REVIEW: ("reviews.read", _reviews),
    DELIVERABLE: ("contracts.read", _deliverables),
    DISPENSATION: ("reviews.read", _dispensations),
    CONTRACT: ("contracts.read", _contract_ends),
    ACTION: ("actions.read", _actions),
}


# --- laying out days ---------------------------------------------------------------------------


def month_weeks(year: int, month: int) -> list[list[date]]:
    """The weeks (Monday first) that show ``month``: whole weeks, so the first and the last
    may hold days of the neighbouring months."""
    first = date(year, month, 1)
    last = date(year, month, monthrange(year, month)[1])
    start = first - timedelta(days=first.weekday())
    end = last + timedelta(days=6 - last.weekday())
    return [
        [start + timedelta(days=week * 7 + day) for day in range(7)]
        for week in range(((end - start).days + 1) // 7)
    ]


def week_days(day: date) -> list[date]:
    """Monday to Sunday of the week holding ``day``."""
    monday = day - timedelta(days=day.weekday())
    return [monday + timedelta(days=i) for i in range(7)]


def by_day(items: Iterable[Event], tz: tzinfo) -> dict[date, list[Event]]:
    """Events grouped by their day in ``tz``, keeping their order."""
    out: dict[date, list[Event]] = {}
    for event in items:
        out.setdefault(event.day(tz), []).append(event)
    return out
