"""Organisation units and the dotted-line (matrix) links between them."""

from __future__ import annotations

from flask import Response, url_for
from pydantic import Field
from sqlmodel import col, or_, select

from ..auth import current_actor
from ..db import get_session
from ..models import OrgLink, OrgUnit, UnitKind
from ..permissions import require
from ..schemas.api_read import OrgLinkRead, OrgUnitRead, Page
from ..schemas.org import OrgLinkIn, OrgUnitIn
from ..services import org
from ..services.common import get_or_404
from . import bp
from .listing import Id, ListQuery, Search, ordered, page_of, sort_by
from .responses import no_content, respond, respond_page
from .spec import endpoint

TAG = "Organisation units"


class UnitQuery(ListQuery):
    kind: UnitKind | None = Field(default=None, description="Only units of this kind.")
    parent_id: Id | None = Field(default=None, description="Only direct sub-units of this unit.")
    root: bool = Field(default=False, description="Only top-level units (without a parent).")
    q: Search = None
    sort: str = sort_by("name", "code", "kind", "id", default="name")


class LinkQuery(ListQuery):
    sort: str = sort_by("id", default="id")


@endpoint(
    bp, "/org-units", summary="List units", tag=TAG, query=UnitQuery, response=Page[OrgUnitRead]
)
def list_units(query: UnitQuery) -> Response:
    """q searches name and code."""
    require(current_actor(), "org.read")
    stmt = select(OrgUnit)
    if query.kind:
        stmt = stmt.where(OrgUnit.kind == query.kind)
    if query.parent_id is not None:
        stmt = stmt.where(OrgUnit.parent_id == query.parent_id)
    if query.root:
        stmt = stmt.where(col(OrgUnit.parent_id).is_(None))
    if query.q:
        stmt = stmt.where(
            or_(
                col(OrgUnit.name).icontains(query.q, autoescape=True),
                col(OrgUnit.code).icontains(query.q, autoescape=True),
            )
        )
    page = page_of(get_session(), ordered(stmt, OrgUnit, query.sort), query)
    return respond_page(page, OrgUnitRead.model_validate)


@endpoint(
    bp,
    "/org-units",
    method="POST",
    summary="Create a unit",
    tag=TAG,
    body=OrgUnitIn,
    response=OrgUnitRead,
    status=201,
)
def create_unit(body: OrgUnitIn) -> Response:
    unit = org.create_unit(get_session(), current_actor(), body)
    return respond(OrgUnitRead.model_validate(unit), 201, url_for(".get_unit", unit_id=unit.id))


@endpoint(bp, "/org-units/<id:unit_id>", summary="Get a unit", tag=TAG, response=OrgUnitRead)
def get_unit(unit_id: int) -> Response:
    require(current_actor(), "org.read")
    return respond(OrgUnitRead.model_validate(get_or_404(get_session(), OrgUnit, unit_id)))


@endpoint(
    bp,
    "/org-units/<id:unit_id>",
    method="PUT",
    summary="Replace a unit",
    tag=TAG,
    body=OrgUnitIn,
    response=OrgUnitRead,
    if_match=True,
)
def update_unit(unit_id: int, body: OrgUnitIn, version: int) -> Response:
    unit = org.update_unit(get_session(), current_actor(), unit_id, body, version)
    return respond(OrgUnitRead.model_validate(unit))


@endpoint(
    bp, "/org-units/<id:unit_id>", method="DELETE", summary="Delete a unit", tag=TAG, if_match=True
)
def delete_unit(unit_id: int, version: int) -> Response:
    """Refused (409) while the unit has sub-units."""
    org.delete_unit(get_session(), current_actor(), unit_id, version)
    return no_content()


@endpoint(
    bp,
    "/org-units/<id:unit_id>/links",
    summary="List a unit's dotted lines",
    tag=TAG,
    query=LinkQuery,
    response=Page[OrgLinkRead],
)
def list_unit_links(unit_id: int, query: LinkQuery) -> Response:
    """Links from and to the unit."""
    require(current_actor(), "org.read")
    session = get_session()
    get_or_404(session, OrgUnit, unit_id)
    stmt = select(OrgLink).where(
        or_(OrgLink.from_unit_id == unit_id, OrgLink.to_unit_id == unit_id)
    )
    page = page_of(session, ordered(stmt, OrgLink, query.sort), query)
    return respond_page(page, OrgLinkRead.model_validate)


@endpoint(
    bp,
    "/org-links",
    method="POST",
    summary="Add a dotted line",
    tag=TAG,
    body=OrgLinkIn,
    response=OrgLinkRead,
    status=201,
)
def create_link(body: OrgLinkIn) -> Response:
    link = org.add_link(get_session(), current_actor(), body)
    return respond(OrgLinkRead.model_validate(link), 201, url_for(".get_link", link_id=link.id))


@endpoint(bp, "/org-links/<id:link_id>", summary="Get a dotted line", tag=TAG, response=OrgLinkRead)
def get_link(link_id: int) -> Response:
    require(current_actor(), "org.read")
    return respond(OrgLinkRead.model_validate(get_or_404(get_session(), OrgLink, link_id)))


@endpoint(bp, "/org-links/<id:link_id>", method="DELETE", summary="Remove a dotted line", tag=TAG)
def delete_link(link_id: int) -> Response:
    """Links are never edited, so they have no version and need no If-Match."""
    org.remove_link(get_session(), current_actor(), link_id)
    return no_content()
