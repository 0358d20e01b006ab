"""Read helpers for the organisation pages.

Each helper loads what a page renders in a fixed number of statements, whatever the number
of rows (joins, correlated counts, ``selectinload`` or one ``IN`` query per related table),
and lists paginate in the database.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Integer, String, cast, func, literal_column, or_
from sqlalchemy.orm import aliased, selectinload
from sqlmodel import Session, col, select

from ..models import Board, BoardMember, OrgLink, OrgUnit, Person, Position, User
from ..permissions import Actor


def person_of(session: Session, actor: Actor) -> Person | None:
    """The person linked to the acting user, if any."""
    if actor.user_id is None:
        return None
    return session.exec(select(Person).where(Person.user_id == actor.user_id)).first()


# --- helpers ---------------------------------------------------------------------------------


def like_pattern(text: str) -> str:
    """``%text%`` with LIKE wildcards in ``text`` taken literally (escape character ``\\``)."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _ilike(column: Any, text: str) -> Any:
    return col(column).ilike(like_pattern(text), escape="\\")


def _window(page: int, per_page: int) -> tuple[int, int]:
    page = max(1, page)
    return page, (page - 1) * per_page


@dataclass
class Listing:
    """One page of a list: rows plus what the pager needs."""

    items: list[Any]
    total: int
    page: int
    per_page: int


# --- the unit tree ---------------------------------------------------------------------------


def _tree_cte() -> Any:
    """Every unit with its depth and a sortable path (siblings by name), as a recursive CTE.

    The path is a string of fixed-width sibling ranks, so ordering by it lists the tree depth
    first on SQLite and PostgreSQL alike, whatever the collation; the database can therefore
    paginate the tree.
    """
    unit = OrgUnit.__table__  # type: ignore[attr-defined]
    ranked = select(
        unit.c.id,
        unit.c.parent_id,
        func.row_number()
        .over(partition_by=unit.c.parent_id, order_by=(func.lower(unit.c.name), unit.c.id))
        .label("rk"),
    ).cte("unit_ranked")
    # 1000000 + rank, minus its leading "1": six digits, zero-padded.
    step = func.substr(cast(literal_column("1000000") + ranked.c.rk, String), 2)
    tree = (
        select(
            ranked.c.id,
            cast(literal_column("0"), Integer).label("depth"),
            cast(step, String).label("path"),
        )
        .where(ranked.c.parent_id.is_(None))
        .cte("unit_tree", recursive=True)
    )
    parent = tree.alias("parent_tree")
    return tree.union_all(
        select(
            ranked.c.id,
            cast(parent.c.depth + literal_column("1"), Integer),
            cast(parent.c.path + step, String),
        ).join(parent, ranked.c.parent_id == parent.c.id)
    )


@dataclass
class UnitRow:
    id: int
    name: str
    code: str | None
    kind: str
    parent_id: int | None
    depth: int
    people: int = 0
    children: int = 0
    parent_name: str | None = None


def unit_tree_page(session: Session, q: str = "", page: int = 1, per_page: int = 25) -> Listing:
    """The unit list as an indented tree (depth-first, siblings by name), one page of it.

    With a search term only the matching units are listed, still in tree order and with their
    depth, each with the name of its parent for context.
    """
    tree = _tree_cte()
    child = aliased(OrgUnit)
    parent = aliased(OrgUnit)
    people = (
        select(func.count())
        .select_from(Person)
        .where(col(Person.org_unit_id) == OrgUnit.id)
        .correlate(OrgUnit)
        .scalar_subquery()
    )
    children = (
        select(func.count())
        .select_from(child)
        .where(col(child.parent_id) == OrgUnit.id)
        .correlate(OrgUnit)
        .scalar_subquery()
    )
    stmt = (
        sa.select(
            col(OrgUnit.id),
            col(OrgUnit.name),
            col(OrgUnit.code),
            col(OrgUnit.kind),
            col(OrgUnit.parent_id),
            tree.c.depth,
            people.label("people"),
            children.label("children"),
            col(parent.name).label("parent_name"),
        )
        .join(tree, tree.c.id == OrgUnit.id)
        .outerjoin(parent, col(parent.id) == OrgUnit.parent_id)
    )
    if q:
        stmt = stmt.where(or_(_ilike(OrgUnit.name, q), _ilike(OrgUnit.code, q)))
    total = session.exec(select(func.count()).select_from(stmt.subquery())).one()
    page, offset = _window(page, per_page)
    rows = session.exec(  # type: ignore[call-overload]
        stmt.order_by(tree.c.path).limit(per_page).offset(offset)
    ).all()
    return Listing([UnitRow(**row._mapping) for row in rows], int(total), page, per_page)


def unit_options(session: Session, exclude: set[int] | None = None) -> list[tuple[int, str]]:
    """(id, indented label) for every unit in tree order, for a select box."""
    tree = _tree_cte()
    rows = session.exec(
        select(OrgUnit.id, OrgUnit.name, OrgUnit.code, tree.c.depth)
        .join(tree, tree.c.id == OrgUnit.id)
        .order_by(tree.c.path)
    ).all()
    out: list[tuple[int, str]] = []
    for uid, name, code, depth in rows:
        if exclude and uid in exclude:
            continue
        label = "\u2003" * depth + name + (f" ({code})" if code else "")
        out.append((int(uid), label))  # type: ignore[arg-type]
    return out


def ancestors(session: Session, unit_id: int) -> list[OrgUnit]:
    """The units above ``unit_id``, top first (one statement)."""
    unit = OrgUnit.__table__  # type: ignore[attr-defined]
    up = (
        select(unit.c.id, unit.c.parent_id, literal_column("0").label("lvl"))
        .where(unit.c.id == unit_id)
        .cte("unit_up", recursive=True)
    )
    above = up.alias("above")
    up = up.union_all(
        select(unit.c.id, unit.c.parent_id, cast(above.c.lvl + literal_column("1"), Integer)).join(
            above, unit.c.id == above.c.parent_id
        )
    )
    rows = session.exec(
        select(OrgUnit, up.c.lvl)
        .join(up, up.c.id == OrgUnit.id)
        .where(up.c.lvl > 0)
        .order_by(up.c.lvl.desc())
    ).all()
    return [u for u, _lvl in rows]


@dataclass
class PositionRow:
    position: Position
    unit_name: str
    holder_name: str | None
    reports_to_title: str | None


def _position_select() -> Any:
    boss = aliased(Position)
    return (
        select(
            Position,
            col(OrgUnit.name).label("unit_name"),
            col(Person.name).label("holder_name"),
            col(boss.title).label("reports_to_title"),
        )
        .join(OrgUnit, col(OrgUnit.id) == Position.org_unit_id)
        .outerjoin(Person, col(Person.id) == Position.holder_id)
        .outerjoin(boss, col(boss.id) == Position.reports_to_id)
    )


def _position_rows(rows: Sequence[Any]) -> list[PositionRow]:
    return [PositionRow(*row) for row in rows]


@dataclass
class LinkRow:
    link: OrgLink
    other: OrgUnit


@dataclass
class UnitDetail:
    unit: OrgUnit
    ancestors: list[OrgUnit]
    children: list[OrgUnit]
    people: list[Person]
    people_total: int
    positions: list[PositionRow]
    links_out: list[LinkRow]
    links_in: list[LinkRow]
    boards: list[Board]


def unit_detail(session: Session, unit: OrgUnit, people_limit: int = 50) -> UnitDetail:
    assert unit.id is not None
    uid = unit.id
    children = session.exec(
        select(OrgUnit).where(OrgUnit.parent_id == uid).order_by(col(OrgUnit.name))
    ).all()
    people = session.exec(
        select(Person)
        .where(Person.org_unit_id == uid)
        .order_by(col(Person.name), col(Person.id))
        .limit(people_limit)
    ).all()
    people_total = session.exec(
        select(func.count()).select_from(Person).where(Person.org_unit_id == uid)
    ).one()
    positions = session.exec(
        _position_select()
        .where(Position.org_unit_id == uid)
        .order_by(col(Position.title), col(Position.id))
    ).all()
    links_out = session.exec(
        select(OrgLink, OrgUnit)
        .join(OrgUnit, col(OrgUnit.id) == OrgLink.to_unit_id)
        .where(OrgLink.from_unit_id == uid)
        .order_by(col(OrgUnit.name))
    ).all()
    links_in = session.exec(
        select(OrgLink, OrgUnit)
        .join(OrgUnit, col(OrgUnit.id) == OrgLink.from_unit_id)
        .where(OrgLink.to_unit_id == uid)
        .order_by(col(OrgUnit.name))
    ).all()
    boards = session.exec(
        select(Board).where(Board.org_unit_id == uid).order_by(col(Board.name))
    ).all()
    return UnitDetail(
        unit=unit,
        ancestors=ancestors(session, uid),
        children=list(children),
        people=list(people),
        people_total=int(people_total),
        positions=_position_rows(positions),
        links_out=[LinkRow(link, other) for link, other in links_out],
        links_in=[LinkRow(link, other) for link, other in links_in],
        boards=list(boards),
    )


@dataclass
class UnitImpact:
    """What deleting a unit takes along or leaves behind (shown before confirming)."""

    children: int
    people: int
    positions: int
    links: int
    boards: int


def unit_impact(session: Session, unit_id: int) -> UnitImpact:
    def count(stmt: Any) -> int:
        return int(session.exec(stmt).one())

    return UnitImpact(
        children=count(select(func.count()).where(OrgUnit.parent_id == unit_id)),
        people=count(select(func.count()).where(Person.org_unit_id == unit_id)),
        positions=count(select(func.count()).where(Position.org_unit_id == unit_id)),
        links=count(
            select(func.count()).where(
                or_(col(OrgLink.from_unit_id) == unit_id, col(OrgLink.to_unit_id) == unit_id)
            )
        ),
        boards=count(select(func.count()).where(Board.org_unit_id == unit_id)),
    )


# --- org chart data --------------------------------------------------------------------------


def chart_data(session: Session) -> tuple[list[Any], list[Any]]:
    """All units and matrix links as plain tuples (two statements)."""
    units = list(
        session.exec(
            select(  # type: ignore[call-overload]
                OrgUnit.id, OrgUnit.name, OrgUnit.code, OrgUnit.kind, OrgUnit.parent_id
            ).order_by(col(OrgUnit.name), col(OrgUnit.id))
        ).all()
    )
    links = session.exec(select(OrgLink.from_unit_id, OrgLink.to_unit_id, OrgLink.note)).all()
    return units, list(links)


def subtree_ids(session: Session, root_id: int) -> set[int]:
    """``root_id`` and every unit below it (one statement)."""
    unit = OrgUnit.__table__  # type: ignore[attr-defined]
    down = select(unit.c.id).where(unit.c.id == root_id).cte("unit_down", recursive=True)
    above = down.alias("above")
    down = down.union_all(select(unit.c.id).join(above, unit.c.parent_id == above.c.id))
    return {int(i) for i in session.exec(select(down.c.id)).all()}


# --- people ----------------------------------------------------------------------------------


@dataclass
class PersonRow:
    person: Person
    positions: list[str] = field(default_factory=list)


def people_page(
    session: Session,
    q: str = "",
    unit_ids: set[int] | None = None,
    page: int = 1,
    per_page: int = 25,
) -> Listing:
    """People by name with their unit and the titles of the positions they hold."""
    stmt = select(Person).options(selectinload(Person.org_unit))  # type: ignore[arg-type]
    if q:
        stmt = stmt.where(or_(_ilike(Person.name, q), _ilike(Person.email, q)))
    if unit_ids is not None:
        stmt = stmt.where(col(Person.org_unit_id).in_(unit_ids))
    total = session.exec(select(func.count()).select_from(stmt.subquery())).one()
    page, offset = _window(page, per_page)
    people = session.exec(
        stmt.order_by(col(Person.name), col(Person.id)).limit(per_page).offset(offset)
    ).all()
    titles: dict[int, list[str]] = defaultdict(list)
    ids = [p.id for p in people]
    if ids:
        for holder_id, title in session.exec(
            select(Position.holder_id, Position.title)
            .where(col(Position.holder_id).in_(ids))
            .order_by(col(Position.title))
        ).all():
            titles[holder_id].append(title)  # type: ignore[index]
    rows = [PersonRow(p, titles.get(p.id, [])) for p in people]  # type: ignore[arg-type]
    return Listing(rows, int(total), page, per_page)


@dataclass
class MembershipRow:
    member: BoardMember
    board_name: str


@dataclass
class PersonDetail:
    person: Person
    unit: OrgUnit | None
    user: User | None
    positions: list[PositionRow]
    memberships: list[MembershipRow]


def person_detail(session: Session, person: Person) -> PersonDetail:
    unit = session.get(OrgUnit, person.org_unit_id) if person.org_unit_id else None
    user = session.get(User, person.user_id) if person.user_id else None
    positions = session.exec(
        _position_select().where(Position.holder_id == person.id).order_by(col(Position.title))
    ).all()
    memberships = session.exec(
        select(BoardMember, Board.name)
        .join(Board, col(Board.id) == BoardMember.board_id)
        .where(BoardMember.person_id == person.id)
        .order_by(col(BoardMember.term_start).desc())
    ).all()
    return PersonDetail(
        person=person,
        unit=unit,
        user=user,
        positions=_position_rows(positions),
        memberships=[MembershipRow(m, name) for m, name in memberships],
    )


def person_options(session: Session) -> list[tuple[int, str]]:
    rows = session.exec(
        select(Person.id, Person.name, Person.email).order_by(col(Person.name), col(Person.id))
    ).all()
    return [(pid, f"{name} <{email}>") for pid, name, email in rows]  # type: ignore[misc]


def user_options(session: Session) -> list[tuple[int, str]]:
    rows = session.exec(select(User.id, User.name, User.email).order_by(col(User.name))).all()
    return [(uid, f"{name} <{email}>") for uid, name, email in rows]  # type: ignore[misc]


# --- positions -------------------------------------------------------------------------------


def positions_page(
    session: Session,
    q: str = "",
    unit_id: int | None = None,
    page: int = 1,
    per_page: int = 25,
) -> Listing:
    """Positions grouped by unit (unit name, then title), with holder and reports-to."""
    stmt = _position_select()
    if q:
        stmt = stmt.where(or_(_ilike(Position.title, q), _ilike(Person.name, q)))
    if unit_id is not None:
        stmt = stmt.where(Position.org_unit_id == unit_id)
    total = session.exec(select(func.count()).select_from(stmt.subquery())).one()
    page, offset = _window(page, per_page)
    rows = session.exec(
        stmt.order_by(col(OrgUnit.name), col(OrgUnit.id), col(Position.title), col(Position.id))
        .limit(per_page)
        .offset(offset)
    ).all()
    return Listing(_position_rows(rows), int(total), page, per_page)


def position_row(session: Session, position_id: int) -> PositionRow | None:
    row = session.exec(_position_select().where(Position.id == position_id)).first()
    return PositionRow(*row) if row else None


def direct_reports(session: Session, position_id: int) -> list[PositionRow]:
    rows = session.exec(
        _position_select()
        .where(Position.reports_to_id == position_id)
        .order_by(col(Position.title))
    ).all()
    return _position_rows(rows)


def position_options(session: Session, exclude: int | None = None) -> list[tuple[int, str]]:
    rows = session.exec(
        select(Position.id, Position.title, OrgUnit.name)
        .join(OrgUnit, col(OrgUnit.id) == Position.org_unit_id)
        .order_by(col(Position.title), col(OrgUnit.name))
    ).all()
    return [(pid, f"{title} — {unit}") for pid, title, unit in rows if pid != exclude]  # type: ignore[misc]


# --- boards ----------------------------------------------------------------------------------


@dataclass
class BoardRow:
    board: Board
    parent_name: str | None
    unit_name: str | None
    members: int


def boards_page(
    session: Session, page: int = 1, per_page: int = 25, on: date | None = None
) -> Listing:
    """Boards (global first), with parent board, unit and the number of current members."""
    on = on or date.today()
    parent = aliased(Board)
    members = (
        select(func.count())
        .select_from(BoardMember)
        .where(
            col(BoardMember.board_id) == Board.id,
            col(BoardMember.term_start) <= on,
            or_(col(BoardMember.term_end).is_(None), col(BoardMember.term_end) >= on),
        )
        .correlate(Board)
        .scalar_subquery()
    )
    stmt = (
        select(Board, col(parent.name), col(OrgUnit.name), members)
        .outerjoin(parent, col(parent.id) == Board.parent_board_id)
        .outerjoin(OrgUnit, col(OrgUnit.id) == Board.org_unit_id)
    )
    total = session.exec(select(func.count()).select_from(Board)).one()
    page, offset = _window(page, per_page)
    rows = session.exec(
        stmt.order_by(col(Board.level), col(Board.name)).limit(per_page).offset(offset)
    ).all()
    items = [BoardRow(b, pname, uname, int(n or 0)) for b, pname, uname, n in rows]
    return Listing(items, int(total), page, per_page)


@dataclass
class BoardDetail:
    board: Board
    parent: Board | None
    unit: OrgUnit | None
    sub_boards: list[Board]
    current: list[BoardMember]
    upcoming: list[BoardMember]
    past: list[BoardMember]

    @property
    def chair(self) -> BoardMember | None:
        return next((m for m in self.current if m.role == "chair"), None)

    @property
    def quorum_met(self) -> bool:
        return len(self.current) >= self.board.quorum


def board_detail(session: Session, board: Board, on: date | None = None) -> BoardDetail:
    on = on or date.today()
    members = session.exec(
        select(BoardMember)
        .options(selectinload(BoardMember.person))  # type: ignore[arg-type]
        .where(BoardMember.board_id == board.id)
        .order_by(col(BoardMember.term_start), col(BoardMember.id))
    ).all()
    role_order = {"chair": 0, "member": 1, "secretary": 2}
    current = sorted(
        (m for m in members if m.term_start <= on and (m.term_end is None or m.term_end >= on)),
        key=lambda m: (role_order.get(m.role, 9), m.person.name),
    )
    upcoming = [m for m in members if m.term_start > on]
    past = sorted(
        (m for m in members if m.term_end is not None and m.term_end < on),
        key=lambda m: m.term_end or on,
        reverse=True,
    )
    sub_boards = session.exec(
        select(Board).where(Board.parent_board_id == board.id).order_by(col(Board.name))
    ).all()
    return BoardDetail(
        board=board,
        parent=session.get(Board, board.parent_board_id) if board.parent_board_id else None,
        unit=session.get(OrgUnit, board.org_unit_id) if board.org_unit_id else None,
        sub_boards=list(sub_boards),
        current=current,
        upcoming=upcoming,
        past=past,
    )


def board_options(session: Session, exclude: int | None = None) -> list[tuple[int, str]]:
    rows = session.exec(select(Board.id, Board.name).order_by(col(Board.name))).all()
    return [(bid, name) for bid, name in rows if bid != exclude]  # type: ignore[misc]
