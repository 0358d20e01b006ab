"""The board's action tracker: raise an action (from a meeting, a decision or on its own),
edit it, move its status, and the list queries behind the pages, exports and API.

Status flow: open <-> in_progress -> done | cancelled; a done or cancelled action may be
reopened. Done and cancelled set ``resolved_on``; cancelling needs a resolution that says why.
The owner (the person linked to the acting user) moves their own action; everything else needs
``actions.manage``. Overdue: due before today and still open or in progress.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy import case, or_
from sqlmodel import Session, col, func, select

from ..errors import Conflict, Forbidden, Invalid, NotFound
from ..labels import label
from ..models import (
    Action,
    ActionPriority,
    ActionStatus,
    Board,
    Decision,
    Meeting,
    Person,
    utcnow,
)
from ..permissions import Actor, require
from ..schemas.actions import ActionCreate, ActionEdit, ActionMove, ActionPatch
from . import audit
from .common import add_numbered, check_version, commit, flush
from .org_queries import like_pattern, person_of

A = ActionStatus
OPEN_STATES: tuple[str, ...] = (A.OPEN, A.IN_PROGRESS)
CLOSED_STATES: tuple[str, ...] = (A.DONE, A.CANCELLED)
# status -> statuses it may move to
FLOW: dict[str, tuple[str, ...]] = {
    A.OPEN: (A.IN_PROGRESS, A.DONE, A.CANCELLED),
    A.IN_PROGRESS: (A.OPEN, A.DONE, A.CANCELLED),
    A.DONE: (A.OPEN,),
    A.CANCELLED: (A.OPEN,),
}
PRIORITY_ORDER: tuple[str, ...] = tuple(p.value for p in reversed(ActionPriority))


def is_overdue(action: Action, today: date | None = None) -> bool:
    today = today or utcnow().date()
    return action.status in OPEN_STATES and action.due_on is not None and action.due_on < today


def is_owner(session: Session, actor: Actor, action: Action) -> bool:
    me = person_of(session, actor)
    return me is not None and action.owner_id is not None and me.id == action.owner_id


# --- writing ----------------------------------------------------------------------------------


def raise_action(
    session: Session, actor: Actor, data: ActionCreate, *, today: date | None = None
) -> Action:
    """Record a new action. Raised from a meeting it belongs to the meeting's board, from a
    decision to the decision's board (and meeting); otherwise the board is named."""
    require(actor, "actions.manage")
    today = today or utcnow().date()
    board_id, meeting_id = data.board_id, data.meeting_id
    if data.decision_id is not None:
        decision = session.get(Decision, data.decision_id)
        if decision is None:
            raise Invalid(errors={"decision_id": _l("The decision does not exist.")})
        board_id = decision.board_id
        meeting_id = meeting_id or decision.meeting_id
    if meeting_id is not None:
        meeting = session.get(Meeting, meeting_id)
        if meeting is None:
            raise Invalid(errors={"meeting_id": _l("The meeting does not exist.")})
        board_id = meeting.board_id
    if board_id is None:
        raise Invalid(errors={"board_id": _l("Choose the board the action belongs to.")})
    if session.get(Board, board_id) is None:
        raise Invalid(errors={"board_id": _l("The board does not exist.")})
    _check_owner(session, data.owner_id)
    _check_due(data.due_on, today)
    values = data.model_dump(exclude={"board_id", "meeting_id", "decision_id"})
    year = today.year
    action = add_numbered(
        session,
        Action,
        year,
        lambda number: Action(
            reference=f"ACT-{year}-{number:04d}",
            year=year,
            number=number,
            board_id=board_id,
            meeting_id=meeting_id,
            decision_id=data.decision_id,
            raised_on=today,
            raised_by_id=actor.user_id,
            **values,
        ),
    )
    audit.record(session, actor, "create", "action", action.id, audit.snapshot(action))
    commit(session)
    return action


def edit(
    session: Session,
    actor: Actor,
    action_id: int,
    data: ActionEdit | ActionPatch,
    expected: int | None,
) -> Action:
    """Change what the action is, who owns it and when it is due. A patch changes only the
    fields it names; the form sends all of them."""
    require(actor, "actions.manage")
    action = get(session, actor, action_id)
    check_version(action, expected)
    values = data.model_dump(exclude_unset=isinstance(data, ActionPatch))
    if "owner_id" in values:
        _check_owner(session, values["owner_id"])
    if values.get("due_on") is not None and values["due_on"] < action.raised_on:
        raise Invalid(
            errors={
                "due_on": _l(
                    "The due date cannot lie before the day the action was raised (%(day)s).",
                    day=action.raised_on.isoformat(),
                )
            }
        )
    before = audit.snapshot(action)
    for key, value in values.items():
        setattr(action, key, value)
    changes = audit.diff(before, audit.snapshot(action))
    if changes:
        session.add(action)
        flush(session)
        audit.record(session, actor, "update", "action", action.id, changes)
        commit(session)
    return action


def move(
    session: Session,
    actor: Actor,
    action_id: int,
    data: ActionMove,
    expected: int | None,
    *,
    today: date | None = None,
) -> Action:
    """Move the action to another status: its owner may, and anyone with actions.manage."""
    today = today or utcnow().date()
    action = get(session, actor, action_id)
    if not (actor.can("actions.manage") or is_owner(session, actor, action)):
        raise Forbidden(
            _l("Only the owner of the action, or someone who manages actions, may move it.")
        )
    check_version(action, expected)
    target = data.status.value
    if target not in FLOW.get(action.status, ()):
        raise Conflict(
            _l(
                "Action %(ref)s is %(state)s and cannot become %(target)s.",
                ref=action.reference,
                state=label(action.status),
                target=label(target),
            )
        )
    if target == A.CANCELLED and not data.resolution.strip():
        raise Invalid(errors={"resolution": _l("Say why the action is cancelled.")})
    before = audit.snapshot(action)
    action.status = target
    if target in CLOSED_STATES:
        action.resolved_on = today
        action.resolution = data.resolution
    else:
        # Reopened: no longer resolved. The old resolution stays in the history.
        action.resolved_on = None
        action.resolution = ""
    session.add(action)
    flush(session)
    audit.record(
        session, actor, target, "action", action.id, audit.diff(before, audit.snapshot(action))
    )
    commit(session)
    return action


def _check_owner(session: Session, owner_id: int | None) -> None:
    if owner_id is not None and session.get(Person, owner_id) is None:
        raise Invalid(errors={"owner_id": _l("The person does not exist.")})


def _check_due(due_on: date | None, today: date) -> None:
    if due_on is not None and due_on < today:
        raise Invalid(errors={"due_on": _l("The due date cannot lie in the past.")})


# --- reading ----------------------------------------------------------------------------------


def get(session: Session, actor: Actor, action_id: int) -> Action:
    require(actor, "actions.read")
    action = session.get(Action, action_id)
    if action is None:
        raise NotFound(_l("There is no action with the id %(id)s.", id=action_id))
    return action


@dataclass
class ActionFilter:
    q: str = ""
    board_id: int | None = None
    status: str | None = None
    owner_id: int | None = None
    priority: str | None = None
    overdue: bool = False
    open_only: bool = False
    meeting_id: int | None = None
    decision_id: int | None = None
    # "me": only the actions of the person linked to the acting user.
    mine: bool = False
    sort: str = "default"  # default (open first, soonest due), or an API sort key


@dataclass
class ActionRow:
    action: Action
    owner_name: str | None
    board_name: str | None
    meeting_reference: str | None
    overdue: bool


@dataclass
class Listing:
    items: list[ActionRow]
    total: int
    page: int
    per_page: int


SORTS = ("reference", "due_on", "raised_on", "priority", "id")


def _where(session: Session, actor: Actor, f: ActionFilter, today: date) -> list[Any]:
    where: list[Any] = []
    if f.q:
        pattern = like_pattern(f.q)
        where.append(
            or_(
                col(Action.reference).ilike(pattern, escape="\\"),
                col(Action.description).ilike(pattern, escape="\\"),
                col(Action.details).ilike(pattern, escape="\\"),
            )
        )
    if f.board_id is not None:
        where.append(col(Action.board_id) == f.board_id)
    if f.status:
        where.append(col(Action.status) == f.status)
    if f.owner_id is not None:
        where.append(col(Action.owner_id) == f.owner_id)
    if f.priority:
        where.append(col(Action.priority) == f.priority)
    if f.meeting_id is not None:
        where.append(col(Action.meeting_id) == f.meeting_id)
    if f.decision_id is not None:
        where.append(col(Action.decision_id) == f.decision_id)
    if f.open_only:
        where.append(col(Action.status).in_(OPEN_STATES))
    if f.overdue:
        where += [col(Action.status).in_(OPEN_STATES), col(Action.due_on) < today]
    if f.mine:
        me = person_of(session, actor)
        where.append(col(Action.owner_id) == me.id if me is not None else sa.false())
    return where


def _order(sort: str) -> list[Any]:
    key = sort.lstrip("-")
    descending = sort.startswith("-")
    if key == "default":
        # Open work first, then the soonest due (no due date last), then the newest raised.
        return [
            case((col(Action.status).in_(OPEN_STATES), 0), else_=1),
            case((col(Action.due_on).is_(None), 1), else_=0),
            col(Action.due_on).asc(),
            col(Action.year).desc(),
            col(Action.number).desc(),
        ]
    if key == "priority":
        cols: list[Any] = [
            case({p: i for i, p in enumerate(PRIORITY_ORDER)}, value=Action.priority)
        ]
    elif key == "reference":
        cols = [col(Action.year), col(Action.number)]
    else:
        cols = [col(getattr(Action, key))]
    cols = [c.desc() if descending else c.asc() for c in cols]
    return [*cols, col(Action.id).asc()]


def _rows_stmt(where: list[Any], sort: str) -> Any:
    return (
        sa.select(Action, col(Person.name), col(Board.name), col(Meeting.reference))
        .outerjoin(Person, col(Person.id) == Action.owner_id)
        .outerjoin(Board, col(Board.id) == Action.board_id)
        .outerjoin(Meeting, col(Meeting.id) == Action.meeting_id)
        .where(*where)
        .order_by(*_order(sort if sort.lstrip("-") in (*SORTS, "default") else "default"))
    )


def _row(row: Any, today: date) -> ActionRow:
    action, owner, board, meeting = row
    return ActionRow(action, owner, board, meeting, is_overdue(action, today))


def actions_page(
    session: Session,
    actor: Actor,
    f: ActionFilter,
    page: int = 1,
    per_page: int = 25,
    today: date | None = None,
) -> Listing:
    """One page of the filtered list: a count and one joined query for the rows."""
    require(actor, "actions.read")
    today = today or utcnow().date()
    where = _where(session, actor, f, today)
    total = session.exec(select(func.count(col(Action.id))).where(*where)).one()
    page = max(1, page)
    rows = session.exec(
        _rows_stmt(where, f.sort).limit(per_page).offset((page - 1) * per_page)
    ).all()
    return Listing([_row(r, today) for r in rows], int(total), page, per_page)


def action_rows(
    session: Session,
    actor: Actor,
    f: ActionFilter,
    limit: int,
    today: date | None = None,
) -> list[ActionRow]:
    """Every row of the filtered list (up to ``limit``), for exports."""
    require(actor, "actions.read")
    today = today or utcnow().date()
    rows = session.exec(_rows_stmt(_where(session, actor, f, today), f.sort).limit(limit)).all()
    return [_row(r, today) for r in rows]


def action_row(
    session: Session, actor: Actor, action_id: int, today: date | None = None
) -> ActionRow:
    """One action with the names its page shows."""
    require(actor, "actions.read")
    today = today or utcnow().date()
    row = session.exec(_rows_stmt([col(Action.id) == action_id], "default")).first()
    if row is None:
        raise NotFound(_l("There is no action with the id %(id)s.", id=action_id))
    return _row(row, today)


def owner_options(session: Session) -> list[tuple[int, str]]:
    """People who own at least one action (for the list filter)."""
    rows = session.exec(
        select(Person.id, Person.name)
        .where(col(Person.id).in_(select(Action.owner_id).distinct()))
        .order_by(col(Person.name))
    ).all()
    return [(pid, name) for pid, name in rows if pid is not None]
