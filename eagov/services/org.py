"""Organisation use cases: units and matrix links, people, positions, boards and members."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_
from sqlmodel import Session, SQLModel, col, select

from ..errors import Conflict, Invalid, Message
from ..models import Board, BoardMember, BoardRole, OrgLink, OrgUnit, Person, Position, User
from ..permissions import Actor, require
from ..schemas.org import BoardIn, BoardMemberIn, OrgLinkIn, OrgUnitIn, PersonIn, PositionIn
from . import audit, common
from .common import get_or_404

# --- units -----------------------------------------------------------------------------------


def create_unit(session: Session, actor: Actor, data: OrgUnitIn) -> OrgUnit:
    require(actor, "org.edit")
    _check_parent(session, None, data.parent_id)
    _check_unique(session, OrgUnit, "code", data.code, None)
    return common.create(session, actor, OrgUnit(**data.model_dump()))


def update_unit(
    session: Session, actor: Actor, unit_id: int, data: OrgUnitIn, expected_version: int | None
) -> OrgUnit:
    require(actor, "org.edit")
    unit = get_or_404(session, OrgUnit, unit_id)
    _check_parent(session, unit_id, data.parent_id)
    _check_unique(session, OrgUnit, "code", data.code, unit_id)
    return common.update(session, actor, unit, data.model_dump(), expected_version)


def delete_unit(session: Session, actor: Actor, unit_id: int, expected_version: int | None) -> None:
    require(actor, "org.edit")
    unit = get_or_404(session, OrgUnit, unit_id)
    if session.exec(select(OrgUnit.id).where(OrgUnit.parent_id == unit_id)).first():
        raise Conflict(_l("This unit still has sub-units; move or delete them first."))
    common.check_version(unit, expected_version)
    # Positions and dotted lines go with the unit; each removal gets its own audit event.
    dependants: list[SQLModel] = [
        *session.exec(select(Position).where(Position.org_unit_id == unit_id)).all(),
        *session.exec(
            select(OrgLink).where(
                (col(OrgLink.from_unit_id) == unit_id) | (col(OrgLink.to_unit_id) == unit_id)
            )
        ).all(),
    ]
    for row in dependants:
        common.stage_delete(session, actor, row)
    common.delete(session, actor, unit, expected_version)


def _check_parent(session: Session, unit_id: int | None, parent_id: int | None) -> None:
    """The parent must exist and must not be the unit itself or one of its descendants."""
    seen: set[int] = set()
    current = parent_id
    while current is not None:
        if current == unit_id:
            raise Invalid(
                errors={"parent_id": _l("A unit cannot sit below itself or its own sub-units.")}
            )
        if current in seen:
            break
        seen.add(current)
        parent = session.get(OrgUnit, current)
        if parent is None:
            raise Invalid(errors={"parent_id": _l("The parent unit does not exist.")})
        current = parent.parent_id


def subtree_ids(session: Session, root_id: int) -> set[int]:
    rows = session.exec(select(OrgUnit.id, OrgUnit.parent_id)).all()
    children: dict[int | None, list[int]] = {}
    for uid, pid in rows:
        children.setdefault(pid, []).append(uid)  # type: ignore[arg-type]
    out, stack = set(), [root_id]
    while stack:
        node = stack.pop()
        out.add(node)
        stack.extend(children.get(node, []))
    return out


def add_link(session: Session, actor: Actor, data: OrgLinkIn) -> OrgLink:
    require(actor, "org.edit")
    for field in ("from_unit_id", "to_unit_id"):
        get_or_404(session, OrgUnit, getattr(data, field))
    exists = session.exec(
        select(OrgLink.id).where(
            OrgLink.from_unit_id == data.from_unit_id, OrgLink.to_unit_id == data.to_unit_id
        )
    ).first()
    if exists:
        raise Invalid(errors={"to_unit_id": _l("This dotted line already exists.")})
    return common.create(session, actor, OrgLink(**data.model_dump()))


def remove_link(session: Session, actor: Actor, link_id: int) -> None:
    require(actor, "org.edit")
    common.delete(session, actor, get_or_404(session, OrgLink, link_id))


# --- people ----------------------------------------------------------------------------------


def create_person(session: Session, actor: Actor, data: PersonIn) -> Person:
    require(actor, "people.edit")
    _check_person_refs(session, data, None)
    return common.create(session, actor, Person(**data.model_dump()))


def update_person(
    session: Session, actor: Actor, person_id: int, data: PersonIn, expected_version: int | None
) -> Person:
    require(actor, "people.edit")
    person = get_or_404(session, Person, person_id)
    _check_person_refs(session, data, person_id)
    return common.update(session, actor, person, data.model_dump(), expected_version)


def delete_person(
    session: Session, actor: Actor, person_id: int, expected_version: int | None
) -> None:
    require(actor, "people.edit")
    common.delete(session, actor, get_or_404(session, Person, person_id), expected_version)


def _check_person_refs(session: Session, data: PersonIn, person_id: int | None) -> None:
    errors: dict[str, Message] = {}
    if data.org_unit_id is not None and session.get(OrgUnit, data.org_unit_id) is None:
        errors["org_unit_id"] = _l("The unit does not exist.")
    if data.user_id is not None and session.get(User, data.user_id) is None:
        errors["user_id"] = _l("The user does not exist.")
    other = session.exec(select(Person.id).where(Person.email == data.email)).first()
    if other is not None and other != person_id:
        errors["email"] = _l("Another person already has this e-mail address.")
    if data.user_id is not None:
        linked = session.exec(select(Person.id).where(Person.user_id == data.user_id)).first()
        if linked is not None and linked != person_id:
            errors["user_id"] = _l("This login already belongs to another person.")
    if errors:
        raise Invalid(errors=errors)


# --- positions -------------------------------------------------------------------------------


def create_position(session: Session, actor: Actor, data: PositionIn) -> Position:
    require(actor, "org.edit")
    _check_position_refs(session, data, None)
    return common.create(session, actor, Position(**data.model_dump()))


def update_position(
    session: Session, actor: Actor, position_id: int, data: PositionIn, expected_version: int | None
) -> Position:
    require(actor, "org.edit")
    position = get_or_404(session, Position, position_id)
    _check_position_refs(session, data, position_id)
    return common.update(session, actor, position, data.model_dump(), expected_version)


def delete_position(
    session: Session, actor: Actor, position_id: int, expected_version: int | None
) -> None:
    require(actor, "org.edit")
    common.delete(session, actor, get_or_404(session, Position, position_id), expected_version)


def _check_position_refs(session: Session, data: PositionIn, position_id: int | None) -> None:
    errors: dict[str, Message] = {}
    if session.get(OrgUnit, data.org_unit_id) is None:
        errors["org_unit_id"] = _l("The unit does not exist.")
    if data.holder_id is not None and session.get(Person, data.holder_id) is None:
        errors["holder_id"] = _l("The person does not exist.")
    current = data.reports_to_id
    seen: set[int] = set()
    while current is not None and current not in seen:
        if current == position_id:
            errors["reports_to_id"] = _l(
                "A position cannot report to itself, directly or indirectly."
            )
            break
        seen.add(current)
        above = session.get(Position, current)
        if above is None:
            errors["reports_to_id"] = _l("The position reported to does not exist.")
            break
        current = above.reports_to_id
    if errors:
        raise Invalid(errors=errors)


# --- boards ----------------------------------------------------------------------------------


def create_board(session: Session, actor: Actor, data: BoardIn) -> Board:
    require(actor, "board.edit")
    _check_board_refs(session, data, None)
    return common.create(session, actor, Board(**data.model_dump()))


def update_board(
    session: Session, actor: Actor, board_id: int, data: BoardIn, expected_version: int | None
) -> Board:
    require(actor, "board.edit")
    board = get_or_404(session, Board, board_id)
    _check_board_refs(session, data, board_id)
    return common.update(session, actor, board, data.model_dump(), expected_version)


def _check_board_refs(session: Session, data: BoardIn, board_id: int | None) -> None:
    errors: dict[str, Message] = {}
    if data.level == "global" and data.parent_board_id is not None:
        errors["parent_board_id"] = _l("A global board has no parent board.")
    if data.level == "local" and data.parent_board_id is None:
        errors["parent_board_id"] = _l("A local board reports to a parent board.")
    if data.parent_board_id is not None:
        if data.parent_board_id == board_id:
            errors["parent_board_id"] = _l("A board cannot be its own parent.")
        elif session.get(Board, data.parent_board_id) is None:
            errors["parent_board_id"] = _l("The parent board does not exist.")
    if data.org_unit_id is not None and session.get(OrgUnit, data.org_unit_id) is None:
        errors["org_unit_id"] = _l("The unit does not exist.")
    other = session.exec(select(Board.id).where(Board.name == data.name)).first()
    if other is not None and other != board_id:
        errors["name"] = _l("Another board already has this name.")
    if errors:
        raise Invalid(errors=errors)


def add_member(session: Session, actor: Actor, board_id: int, data: BoardMemberIn) -> BoardMember:
    require(actor, "board.edit")
    board = get_or_404(session, Board, board_id)
    get_or_404(session, Person, data.person_id)
    current = current_members(session, board_id, data.term_start)
    if any(m.person_id == data.person_id for m in current):
        raise Invalid(
            errors={"person_id": _l("This person already sits on the board for that period.")}
        )
    if data.role == BoardRole.CHAIR and any(m.role == BoardRole.CHAIR for m in current):
        raise Invalid(errors={"role": _l("The board already has a chair; end that term first.")})
    member = BoardMember(board_id=board.id, **data.model_dump())  # type: ignore[arg-type]
    return common.create(session, actor, member, action="add_member")


def end_member_term(session: Session, actor: Actor, member_id: int, end: date) -> BoardMember:
    require(actor, "board.edit")
    member = get_or_404(session, BoardMember, member_id)
    if end < member.term_start:
        raise Invalid(errors={"term_end": _l("The term cannot end before it starts.")})
    return common.update(session, actor, member, {"term_end": end}, None, action="end_term")


def sitting(board_id: int, on: date) -> Any:
    """The condition on ``BoardMember`` rows of the board's members on that day."""
    return and_(
        col(BoardMember.board_id) == board_id,
        col(BoardMember.term_start) <= on,
        (col(BoardMember.term_end).is_(None)) | (col(BoardMember.term_end) >= on),
    )


def current_members(session: Session, board_id: int, on: date | None = None) -> list[BoardMember]:
    stmt = select(BoardMember).where(sitting(board_id, on or date.today()))
    return list(session.exec(stmt.order_by(col(BoardMember.role), col(BoardMember.id))).all())


# --- shared ----------------------------------------------------------------------------------


def _check_unique(session: Session, model: Any, field: str, value: Any, own_id: int | None) -> None:
    if value is None:
        return
    other = session.exec(select(model.id).where(getattr(model, field) == value)).first()
    if other is not None and other != own_id:
        raise Invalid(
            errors={field: _l("Another record already uses %(value)s.", value=repr(value))}
        )


# --- staged writes: several changes in one transaction ---------------------------------------
# The use cases above commit once each. Bulk use cases (org templates, people import) stage
# their rows with these functions, which run the same checks and write the same audit events,
# and commit once at the end (or roll everything back).


def stage_unit(session: Session, actor: Actor, data: OrgUnitIn) -> OrgUnit:
    """Like ``create_unit`` without the commit; the caller commits or rolls back."""
    require(actor, "org.edit")
    _check_parent(session, None, data.parent_id)
    _check_unique(session, OrgUnit, "code", data.code, None)
    return _stage(session, actor, OrgUnit(**data.model_dump()))


def stage_person(session: Session, actor: Actor, data: PersonIn) -> Person:
    """Like ``create_person`` without the commit; the caller commits or rolls back."""
    require(actor, "people.edit")
    _check_person_refs(session, data, None)
    return _stage(session, actor, Person(**data.model_dump()))


def stage_position(session: Session, actor: Actor, data: PositionIn) -> Position:
    """Like ``create_position`` without the commit; the caller commits or rolls back."""
    require(actor, "org.edit")
    _check_position_refs(session, data, None)
    return _stage(session, actor, Position(**data.model_dump()))


def _stage(session: Session, actor: Actor, obj: Any, action: str = "create") -> Any:
    session.add(obj)
    session.flush()
    audit.record(session, actor, action, common.entity_name(obj), obj.id, audit.snapshot(obj))
    return obj


def remove_member(session: Session, actor: Actor, member_id: int) -> None:
    """Delete a membership entered by mistake (ending a term keeps the history instead)."""
    require(actor, "board.edit")
    common.delete(session, actor, get_or_404(session, BoardMember, member_id))
