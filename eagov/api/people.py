"""People and positions (job descriptions)."""

from __future__ import annotations

from flask import Response, url_for
from pydantic import Field
from sqlmodel import col, or_, select

from ..auth import current_actor
from ..db import get_session
from ..models import ArchitectureRole, Person, Position
from ..permissions import require
from ..schemas.api_read import Page, PersonRead, PositionRead
from ..schemas.org import PersonIn, PositionIn
from ..services import org
from ..services.common import get_or_404
from . import bp
from .listing import Id, ListQuery, Search, ordered, page_of, sort_by
from .responses import no_content, respond, respond_page
from .spec import endpoint

# --- people ----------------------------------------------------------------------------------


class PersonQuery(ListQuery):
    org_unit_id: Id | None = Field(default=None, description="Only people in this unit.")
    q: Search = None
    sort: str = sort_by("name", "email", "id", default="name")


@endpoint(
    bp, "/people", summary="List people", tag="People", query=PersonQuery, response=Page[PersonRead]
)
def list_people(query: PersonQuery) -> Response:
    """q searches name and e-mail."""
    require(current_actor(), "org.read")
    stmt = select(Person)
    if query.org_unit_id is not None:
        stmt = stmt.where(Person.org_unit_id == query.org_unit_id)
    if query.q:
        stmt = stmt.where(
            or_(
                col(Person.name).icontains(query.q, autoescape=True),
                col(Person.email).icontains(query.q, autoescape=True),
            )
        )
    page = page_of(get_session(), ordered(stmt, Person, query.sort), query)
    return respond_page(page, PersonRead.model_validate)


@endpoint(
    bp,
    "/people",
    method="POST",
    summary="Create a person",
    tag="People",
    body=PersonIn,
    response=PersonRead,
    status=201,
)
def create_person(body: PersonIn) -> Response:
    person = org.create_person(get_session(), current_actor(), body)
    location = url_for(".get_person", person_id=person.id)
    return respond(PersonRead.model_validate(person), 201, location)


@endpoint(bp, "/people/<id:person_id>", summary="Get a person", tag="People", response=PersonRead)
def get_person(person_id: int) -> Response:
    require(current_actor(), "org.read")
    return respond(PersonRead.model_validate(get_or_404(get_session(), Person, person_id)))


@endpoint(
    bp,
    "/people/<id:person_id>",
    method="PUT",
    summary="Replace a person",
    tag="People",
    body=PersonIn,
    response=PersonRead,
    if_match=True,
)
def update_person(person_id: int, body: PersonIn, version: int) -> Response:
    person = org.update_person(get_session(), current_actor(), person_id, body, version)
    return respond(PersonRead.model_validate(person))


@endpoint(
    bp,
    "/people/<id:person_id>",
    method="DELETE",
    summary="Delete a person",
    tag="People",
    if_match=True,
)
def delete_person(person_id: int, version: int) -> Response:
    org.delete_person(get_session(), current_actor(), person_id, version)
    return no_content()


# --- positions -------------------------------------------------------------------------------


class PositionQuery(ListQuery):
    org_unit_id: Id | None = Field(default=None, description="Only positions in this unit.")
    holder_id: Id | None = Field(default=None, description="Only positions this person holds.")
    architecture_role: ArchitectureRole | None = Field(
        default=None, description="Only positions with this architecture role."
    )
    q: Search = None
    sort: str = sort_by("title", "id", default="title")


@endpoint(
    bp,
    "/positions",
    summary="List positions",
    tag="Positions",
    query=PositionQuery,
    response=Page[PositionRead],
)
def list_positions(query: PositionQuery) -> Response:
    """q searches the title."""
    require(current_actor(), "org.read")
    stmt = select(Position)
    if query.org_unit_id is not None:
        stmt = stmt.where(Position.org_unit_id == query.org_unit_id)
    if query.holder_id is not None:
        stmt = stmt.where(Position.holder_id == query.holder_id)
    if query.architecture_role:
        stmt = stmt.where(Position.architecture_role == query.architecture_role)
    if query.q:
        stmt = stmt.where(col(Position.title).icontains(query.q, autoescape=True))
    page = page_of(get_session(), ordered(stmt, Position, query.sort), query)
    return respond_page(page, PositionRead.model_validate)


@endpoint(
    bp,
    "/positions",
    method="POST",
    summary="Create a position",
    tag="Positions",
    body=PositionIn,
    response=PositionRead,
    status=201,
)
def create_position(body: PositionIn) -> Response:
    position = org.create_position(get_session(), current_actor(), body)
    location = url_for(".get_position", position_id=position.id)
    return respond(PositionRead.model_validate(position), 201, location)


@endpoint(
    bp,
    "/positions/<id:position_id>",
    summary="Get a position",
    tag="Positions",
    response=PositionRead,
)
def get_position(position_id: int) -> Response:
    require(current_actor(), "org.read")
    position = get_or_404(get_session(), Position, position_id)
    return respond(PositionRead.model_validate(position))


@endpoint(
    bp,
    "/positions/<id:position_id>",
    method="PUT",
    summary="Replace a position",
    tag="Positions",
    body=PositionIn,
    response=PositionRead,
    if_match=True,
)
def update_position(position_id: int, body: PositionIn, version: int) -> Response:
    position = org.update_position(get_session(), current_actor(), position_id, body, version)
    return respond(PositionRead.model_validate(position))


@endpoint(
    bp,
    "/positions/<id:position_id>",
    method="DELETE",
    summary="Delete a position",
    tag="Positions",
    if_match=True,
)
def delete_position(position_id: int, version: int) -> Response:
    org.delete_position(get_session(), current_actor(), position_id, version)
    return no_content()
