"""Dispensations: time-bound waivers of review items or standards. requested → granted |
refused; granted → expired | revoked; renewals are new requests linked to the old one."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated

from flask import Response, current_app, url_for
from pydantic import Field, StringConstraints
from sqlmodel import col, select

from ..auth import current_actor
from ..db import get_session
from ..models import Dispensation, DispensationState, utcnow
from ..permissions import require
from ..schemas.api_read import DispensationRead, Page, RecurringRead
from ..schemas.common import Schema
from ..schemas.reviews import DispensationDecision, DispensationRequest
from ..services import dispensations as svc
from . import bp
from .listing import Id, ListQuery, ordered, page_of, sort_by
from .responses import read_from, respond, respond_page
from .spec import endpoint

TAG = "Dispensations"


def max_months() -> int:
    return int(current_app.config.get("DISPENSATION_MAX_MONTHS", svc.DEFAULT_MAX_MONTHS))


def dispensation_read(item: Dispensation) -> DispensationRead:
    return read_from(DispensationRead, item)


def _read(dispensation_id: int) -> DispensationRead:
    return dispensation_read(svc.get(get_session(), current_actor(), dispensation_id))


class DispensationQuery(ListQuery):
    state: DispensationState | None = Field(default=None, description="Only in this state.")
    review_id: Id | None = Field(default=None, description="Only those of this review.")
    expiring_within_days: int | None = Field(
        default=None,
        ge=0,
        le=3660,
        description="Only granted dispensations that expire between today and this many days "
        "from today (inclusive).",
    )
    sort: str = sort_by("requested_at", "expires_on", "reference", "id", default="-requested_at")


@endpoint(
    bp,
    "/dispensations",
    summary="List dispensations",
    tag=TAG,
    query=DispensationQuery,
    response=Page[DispensationRead],
)
def list_dispensations(query: DispensationQuery) -> Response:
    session = get_session()
    require(current_actor(), "reviews.read")
    stmt = select(Dispensation)
    if query.state is not None:
        stmt = stmt.where(Dispensation.state == query.state)
    if query.review_id is not None:
        stmt = stmt.where(Dispensation.review_id == query.review_id)
    if query.expiring_within_days is not None:
        today = utcnow().date()
        stmt = stmt.where(
            Dispensation.state == DispensationState.GRANTED,
            col(Dispensation.expires_on) >= today,
            col(Dispensation.expires_on) <= today + timedelta(days=query.expiring_within_days),
        )
    stmt = ordered(stmt, Dispensation, query.sort)
    return respond_page(page_of(session, stmt, query), dispensation_read)


@endpoint(
    bp,
    "/dispensations",
    method="POST",
    summary="Request a dispensation",
    tag=TAG,
    body=DispensationRequest,
    response=DispensationRead,
    status=201,
)
def request_dispensation(body: DispensationRequest) -> Response:
    """The review's architects ask the board to waive named items (of the review) or
    standards, until requested_expiry: in the future and at most DISPENSATION_MAX_MONTHS
    (12 by default) ahead, otherwise 422. It starts from a finding of the review
    (finding_id), or from a review signed off as rejected or accepted with conditions;
    otherwise 409."""
    session, actor = get_session(), current_actor()
    item = svc.request(session, actor, body, max_months=max_months())
    assert item.id is not None
    location = url_for(".get_dispensation", dispensation_id=item.id)
    return respond(dispensation_read(item), 201, location)


class RecurringQuery(Schema):
    minimum: int = Field(
        default=2, ge=1, le=1000, description="Waived at least this many times (default 2)."
    )


class RecurringList(Schema):
    items: list[RecurringRead]


@endpoint(
    bp,
    "/dispensations/recurring",
    summary="Items and standards waived again and again",
    tag=TAG,
    query=RecurringQuery,
    response=RecurringList,
)
def recurring_dispensations(query: RecurringQuery) -> Response:
    """Refused requests do not count; a renewal counts as one more request. Most often first.
    The signal that a policy or standard should change."""
    rows = svc.recurring(get_session(), current_actor(), query.minimum)
    return respond(
        RecurringList(
            items=[
                RecurringRead(kind=r.kind, key=r.key, count=r.count, references=r.references)
                for r in rows
            ]
        )
    )


@endpoint(
    bp,
    "/dispensations/<id:dispensation_id>",
    summary="Get a dispensation",
    tag=TAG,
    response=DispensationRead,
)
def get_dispensation(dispensation_id: int) -> Response:
    return respond(_read(dispensation_id))


@endpoint(
    bp,
    "/dispensations/<id:dispensation_id>/grant",
    method="POST",
    summary="Grant a dispensation",
    tag=TAG,
    body=DispensationDecision,
    response=DispensationRead,
    if_match=True,
)
def grant_dispensation(dispensation_id: int, body: DispensationDecision, version: int) -> Response:
    """The board chair grants a requested dispensation; expires_on is required, in the future
    and at most DISPENSATION_MAX_MONTHS ahead (422 otherwise). The waived items leave the
    review's roll-up until then."""
    svc.grant(
        get_session(), current_actor(), dispensation_id, body, version, max_months=max_months()
    )
    return respond(_read(dispensation_id))


@endpoint(
    bp,
    "/dispensations/<id:dispensation_id>/refuse",
    method="POST",
    summary="Refuse a dispensation",
    tag=TAG,
    body=DispensationDecision,
    response=DispensationRead,
    if_match=True,
)
def refuse_dispensation(dispensation_id: int, body: DispensationDecision, version: int) -> Response:
    """The board chair refuses a requested dispensation; note says why (422 without)."""
    svc.refuse(get_session(), current_actor(), dispensation_id, body, version)
    return respond(_read(dispensation_id))


@endpoint(
    bp,
    "/dispensations/<id:dispensation_id>/revoke",
    method="POST",
    summary="Revoke a dispensation",
    tag=TAG,
    body=DispensationDecision,
    response=DispensationRead,
    if_match=True,
)
def revoke_dispensation(dispensation_id: int, body: DispensationDecision, version: int) -> Response:
    """The board chair revokes a granted dispensation; note says why (422 without)."""
    svc.revoke(get_session(), current_actor(), dispensation_id, body, version)
    return respond(_read(dispensation_id))


class RenewIn(Schema):
    requested_expiry: date
    justification: Annotated[str, StringConstraints(min_length=20, max_length=5000)]


@endpoint(
    bp,
    "/dispensations/<id:dispensation_id>/renew",
    method="POST",
    summary="Ask to renew a dispensation",
    tag=TAG,
    body=RenewIn,
    response=DispensationRead,
    status=201,
)
def renew_dispensation(dispensation_id: int, body: RenewIn) -> Response:
    """A renewal is a new request (renewal_of_id names the old one), decided afresh by the
    board. Only a granted or expired dispensation is renewed (409 otherwise)."""
    session, actor = get_session(), current_actor()
    item = svc.renew(
        session,
        actor,
        dispensation_id,
        body.requested_expiry,
        body.justification,
        max_months=max_months(),
    )
    assert item.id is not None
    location = url_for(".get_dispensation", dispensation_id=item.id)
    return respond(dispensation_read(item), 201, location)
