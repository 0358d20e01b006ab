"""Architecture Boards and the terms of their members."""

from __future__ import annotations

from datetime import date

from flask import Response, url_for
from flask_babel import lazy_gettext as _l
from pydantic import Field
from sqlmodel import col, or_, select

from ..auth import current_actor
from ..db import get_session
from ..errors import NotFound
from ..models import Board, BoardLevel, BoardMember, BoardRole
from ..permissions import require
from ..schemas.api_read import BoardMemberRead, BoardRead, Page
from ..schemas.common import Schema
from ..schemas.org import BoardIn, BoardMemberIn
from ..services import org
from ..services.common import get_or_404
from . import bp
from .listing import Id, ListQuery, Search, ordered, page_of, sort_by
from .responses import respond, respond_page
from .spec import endpoint

TAG = "Boards"


class BoardQuery(ListQuery):
    level: BoardLevel | None = Field(default=None, description="Only boards of this level.")
    parent_board_id: Id | None = Field(default=None, description="Only boards under this one.")
    org_unit_id: Id | None = Field(default=None, description="Only boards of this unit.")
    q: Search = None
    sort: str = sort_by("name", "level", "id", default="name")


class MemberQuery(ListQuery):
    on: date | None = Field(
        default=None, description="Only members whose term includes this day (YYYY-MM-DD)."
    )
    role: BoardRole | None = Field(default=None, description="Only members in this role.")
    sort: str = sort_by("term_start", "role", "id", default="term_start")


class TermEnd(Schema):
    term_end: date


@endpoint(bp, "/boards", summary="List boards", tag=TAG, query=BoardQuery, response=Page[BoardRead])
def list_boards(query: BoardQuery) -> Response:
    """q searches the name."""
    require(current_actor(), "org.read")
    stmt = select(Board)
    if query.level:
        stmt = stmt.where(Board.level == query.level)
    if query.parent_board_id is not None:
        stmt = stmt.where(Board.parent_board_id == query.parent_board_id)
    if query.org_unit_id is not None:
        stmt = stmt.where(Board.org_unit_id == query.org_unit_id)
    if query.q:
        stmt = stmt.where(col(Board.name).icontains(query.q, autoescape=True))
    page = page_of(get_session(), ordered(stmt, Board, query.sort), query)
    return respond_page(page, BoardRead.model_validate)


@endpoint(
    bp,
    "/boards",
    method="POST",
    summary="Create a board",
    tag=TAG,
    body=BoardIn,
    response=BoardRead,
    status=201,
)
def create_board(body: BoardIn) -> Response:
    board = org.create_board(get_session(), current_actor(), body)
    return respond(BoardRead.model_validate(board), 201, url_for(".get_board", board_id=board.id))


@endpoint(bp, "/boards/<id:board_id>", summary="Get a board", tag=TAG, response=BoardRead)
def get_board(board_id: int) -> Response:
    require(current_actor(), "org.read")
    return respond(BoardRead.model_validate(get_or_404(get_session(), Board, board_id)))


@endpoint(
    bp,
    "/boards/<id:board_id>",
    method="PUT",
    summary="Replace a board",
    tag=TAG,
    body=BoardIn,
    response=BoardRead,
    if_match=True,
)
def update_board(board_id: int, body: BoardIn, version: int) -> Response:
    board = org.update_board(get_session(), current_actor(), board_id, body, version)
    return respond(BoardRead.model_validate(board))


@endpoint(
    bp,
    "/boards/<id:board_id>/members",
    summary="List a board's members",
    tag=TAG,
    query=MemberQuery,
    response=Page[BoardMemberRead],
)
def list_members(board_id: int, query: MemberQuery) -> Response:
    """Past, current and future terms; on narrows to the members sitting on a given day."""
    require(current_actor(), "org.read")
    session = get_session()
    get_or_404(session, Board, board_id)
    stmt = select(BoardMember).where(BoardMember.board_id == board_id)
    if query.on is not None:
        stmt = stmt.where(
            col(BoardMember.term_start) <= query.on,
            or_(col(BoardMember.term_end).is_(None), col(BoardMember.term_end) >= query.on),
        )
    if query.role:
        stmt = stmt.where(BoardMember.role == query.role)
    page = page_of(session, ordered(stmt, BoardMember, query.sort), query)
    return respond_page(page, BoardMemberRead.model_validate)


@endpoint(
    bp,
    "/boards/<id:board_id>/members",
    method="POST",
    summary="Add a member",
    tag=TAG,
    body=BoardMemberIn,
    response=BoardMemberRead,
    status=201,
)
def add_member(board_id: int, body: BoardMemberIn) -> Response:
    """One chair at a time; a person sits on a board once per period."""
    member = org.add_member(get_session(), current_actor(), board_id, body)
    location = url_for(".get_member", board_id=board_id, member_id=member.id)
    return respond(BoardMemberRead.model_validate(member), 201, location)


@endpoint(
    bp,
    "/boards/<id:board_id>/members/<id:member_id>",
    summary="Get a member's term",
    tag=TAG,
    response=BoardMemberRead,
)
def get_member(board_id: int, member_id: int) -> Response:
    require(current_actor(), "org.read")
    return respond(BoardMemberRead.model_validate(_member_of(board_id, member_id)))


@endpoint(
    bp,
    "/boards/<id:board_id>/members/<id:member_id>/end-term",
    method="POST",
    summary="End a member's term",
    tag=TAG,
    body=TermEnd,
    response=BoardMemberRead,
)
def end_term(board_id: int, member_id: int, body: TermEnd) -> Response:
    """Sets the last day of the term (terms are history: they end, they are not deleted)."""
    _member_of(board_id, member_id)
    member = org.end_member_term(get_session(), current_actor(), member_id, body.term_end)
    return respond(BoardMemberRead.model_validate(member))


def _member_of(board_id: int, member_id: int) -> BoardMember:
    member = get_or_404(get_session(), BoardMember, member_id)
    if member.board_id != board_id:
        raise NotFound(
            _l("Board %(board)s has no member %(member)s.", board=board_id, member=member_id)
        )
    return member
