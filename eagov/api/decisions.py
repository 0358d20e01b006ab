"""/api/v1/decisions: the decision log of the Architecture Boards. Recording a decision on an
agenda item applies its effect (approve the contract, grant or refuse the dispensation,
accept or reject the review) in the same transaction."""

from __future__ import annotations

from datetime import date

from flask import Response, current_app, url_for
from pydantic import Field

from ..auth import current_actor
from ..db import get_session
from ..models import DecisionKind
from ..schemas.api_read import Page
from ..schemas.meetings import DecisionIn, DecisionRead, SubjectRef
from ..services import decisions as svc
from ..web.pagination import Page as ResultPage
from . import bp
from .listing import Id, ListQuery, Search, sort_by
from .responses import read_from, respond, respond_page
from .spec import endpoint

TAG = "Decisions"


def decision_read(row: svc.DecisionRow) -> DecisionRead:
    return read_from(
        DecisionRead,
        row.decision,
        superseded_by_id=row.superseded_by[0] if row.superseded_by else None,
        subjects=[SubjectRef(subject_type=t, subject_id=i) for t, i, _ref in row.subjects],
    )


class DecisionQuery(ListQuery):
    board_id: Id | None = Field(default=None, description="Only this board's decisions.")
    meeting_id: Id | None = Field(default=None, description="Only those of this meeting.")
    kind: DecisionKind | None = Field(default=None, description="Only of this kind.")
    decided_from: date | None = Field(default=None, description="Decided on or after.")
    decided_to: date | None = Field(default=None, description="Decided on or before.")
    q: Search = None
    sort: str = sort_by("decided_on", default="-decided_on")


@endpoint(
    bp,
    "/decisions",
    summary="List decisions",
    tag=TAG,
    query=DecisionQuery,
    response=Page[DecisionRead],
)
def list_decisions(query: DecisionQuery) -> Response:
    f = svc.DecisionFilter(
        board_id=query.board_id,
        kind=query.kind.value if query.kind else None,
        date_from=query.decided_from,
        date_to=query.decided_to,
        q=query.q or "",
        meeting_id=query.meeting_id,
        oldest_first=query.sort == "decided_on",
    )
    per_page = min(query.per_page, current_app.config["MAX_PAGE_SIZE"])
    listing = svc.decisions_page(get_session(), current_actor(), f, query.page, per_page)
    page = ResultPage(listing.items, listing.total, listing.page, listing.per_page)
    return respond_page(page, decision_read)


@endpoint(
    bp,
    "/decisions",
    method="POST",
    summary="Record a decision",
    tag=TAG,
    body=DecisionIn,
    response=DecisionRead,
    status=201,
)
def record_decision(body: DecisionIn) -> Response:
    """The board chair records a decision (reference DEC-<year>-<n>), in a meeting in session
    with a quorum (409 otherwise): give agenda_item_id, or meeting_id. On an agenda item,
    contract_approval, dispensation_grant (expires_on needed), dispensation_refusal,
    review_acceptance (with conditions when given) and review_rejection apply to the item's
    subject in the same transaction; if that is refused (409/422) nothing is saved. Kinds
    without an effect may be recorded outside a meeting with board_id."""
    session, actor = get_session(), current_actor()
    decision = svc.record(
        session,
        actor,
        body,
        max_months=int(current_app.config.get("DISPENSATION_MAX_MONTHS", 12)),
    )
    assert decision.id is not None
    location = url_for(".get_decision", decision_id=decision.id)
    row = svc.decision_row(session, actor, decision.id)
    return respond(decision_read(row), 201, location)


@endpoint(
    bp,
    "/decisions/<id:decision_id>",
    summary="Get a decision",
    tag=TAG,
    response=DecisionRead,
)
def get_decision(decision_id: int) -> Response:
    return respond(decision_read(svc.decision_row(get_session(), current_actor(), decision_id)))
