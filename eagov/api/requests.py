"""/api/v1/requests: the governance request desk. The satisfaction survey is not here: it is
a public page reached by its one-time link."""

from __future__ import annotations

from flask import Response, current_app, url_for
from pydantic import Field
from sqlmodel import Session

from ..auth import current_actor
from ..db import get_session
from ..models import RequestPriority, RequestState, RequestType
from ..permissions import Actor, require
from ..schemas.api_read import DispensationRead, Page, ReviewRead
from ..schemas.requests import (
    ConvertToReviewIn,
    EscalateIn,
    NoInput,
    NoteIn,
    NoteRead,
    ReasonIn,
    RequestDetailRead,
    RequestIn,
    RequestRead,
    ResolveIn,
    StandingRead,
    SurveyAnswerRead,
    TargetRead,
    TargetsIn,
    TargetsRead,
    TriageIn,
)
from ..schemas.reviews import DispensationRequest
from ..services import requests as svc
from ..services import service_targets
from ..web.pagination import Page as Paged
from . import bp
from .listing import Id, ListQuery, Search
from .responses import read_from, respond, respond_page
from .spec import endpoint

TAG = "Requests"


def survey_config() -> svc.SurveyConfig:
    cfg = current_app.config
    return svc.SurveyConfig(
        secret=str(cfg["SECRET_KEY"]), valid_days=int(cfg.get("SURVEY_VALID_DAYS", 30))
    )


def _standing(standing: service_targets.Standing) -> StandingRead:
    return StandingRead.model_validate(standing, from_attributes=True)


def request_read(row: svc.RequestRow) -> RequestRead:
    return read_from(RequestRead, row.request, standing=_standing(row.standing))


def _detail(session: Session, actor: Actor, request_id: int) -> RequestDetailRead:
    d = svc.detail(session, actor, request_id)
    survey = None
    if d.survey is not None and actor.can("requests.read_all"):
        survey = read_from(SurveyAnswerRead, d.survey)
    return read_from(
        RequestDetailRead,
        d.request,
        standing=_standing(d.standing),
        notes=[read_from(NoteRead, n.note) for n in d.notes],
        survey=survey,
    )


def _respond_detail(request_id: int, status: int = 200) -> Response:
    session, actor = get_session(), current_actor()
    location = url_for(".get_request", request_id=request_id) if status == 201 else None
    return respond(_detail(session, actor, request_id), status, location)


class RequestQuery(ListQuery):
    q: Search = None
    type: RequestType | None = Field(default=None, description="Only of this type.")
    state: RequestState | None = Field(default=None, description="Only in this state.")
    priority: RequestPriority | None = Field(default=None, description="Only of this priority.")
    assignee_id: Id | None = Field(default=None, description="Only assigned to this user.")
    breached: bool = Field(
        default=False, description="Only requests that missed (or are missing) a service target."
    )
    mine: bool = Field(default=False, description="Only the requests you filed.")


@endpoint(
    bp,
    "/requests",
    summary="List governance requests",
    tag=TAG,
    query=RequestQuery,
    response=Page[RequestRead],
)
def list_requests(query: RequestQuery) -> Response:
    """Newest first. The desk (requests.read_all) sees every request; everyone else only the
    requests they filed. Each carries its standing against the service targets."""
    session, actor = get_session(), current_actor()
    f = svc.RequestFilter(
        q=query.q or "",
        type=query.type,
        state=query.state,
        priority=query.priority,
        assignee_id=query.assignee_id,
        breached=query.breached,
        mine=query.mine,
    )
    per_page = min(query.per_page, current_app.config["MAX_PAGE_SIZE"])
    listing = svc.requests_page(session, actor, f, query.page, per_page)
    return respond_page(
        Paged(listing.items, listing.total, listing.page, listing.per_page), request_read
    )


@endpoint(
    bp,
    "/requests",
    method="POST",
    summary="File a governance request",
    tag=TAG,
    body=RequestIn,
    response=RequestDetailRead,
    status=201,
)
def file_request(body: RequestIn) -> Response:
    """Anyone files through the web_form channel for themselves. The desk (requests.triage)
    also records requests taken by email, phone or in a meeting, with requester_name (and
    requester_email); others get 422 for such a channel."""
    req = svc.file(get_session(), current_actor(), body)
    assert req.id is not None
    return _respond_detail(req.id, 201)


@endpoint(
    bp,
    "/requests/<id:request_id>",
    summary="Get a governance request",
    tag=TAG,
    response=RequestDetailRead,
)
def get_request(request_id: int) -> Response:
    """With its notes (internal ones only for the desk) and, for the desk, the answer of the
    satisfaction survey. Someone else's request is a 404 for a requester."""
    return _respond_detail(request_id)


@endpoint(
    bp,
    "/requests/<id:request_id>/triage",
    method="POST",
    summary="Assign or prioritise a request",
    tag=TAG,
    body=TriageIn,
    response=RequestDetailRead,
    if_match=True,
)
def triage_request(request_id: int, body: TriageIn, version: int) -> Response:
    """The desk assigns to an architect or co-ordinator (assignee_id) and/or sets the
    priority. Counts as the first response."""
    svc.triage(get_session(), current_actor(), request_id, body, version)
    return _respond_detail(request_id)


@endpoint(
    bp,
    "/requests/<id:request_id>/escalate",
    method="POST",
    summary="Refer a request to a board",
    tag=TAG,
    body=EscalateIn,
    response=RequestDetailRead,
    if_match=True,
)
def escalate_request(request_id: int, body: EscalateIn, version: int) -> Response:
    """Change requests, complaints and questions go on the board's agenda (state escalated);
    review and dispensation requests are converted instead (409)."""
    svc.escalate(get_session(), current_actor(), request_id, body, version)
    return _respond_detail(request_id)


@endpoint(
    bp,
    "/requests/<id:request_id>/convert/review",
    method="POST",
    summary="Turn a review request into a compliance review",
    tag=TAG,
    body=ConvertToReviewIn,
    response=ReviewRead,
    status=201,
    if_match=True,
)
def convert_to_review(request_id: int, body: ConvertToReviewIn, version: int) -> Response:
    """Requests the review (title and scope from the request) and resolves the request with
    review_id linked, in one transaction: when the review cannot be requested (422), the
    request is unchanged."""
    review = svc.convert_to_review(
        get_session(), current_actor(), request_id, body, version, survey=survey_config()
    )
    return respond(read_from(ReviewRead, review), 201, url_for(".get_review", review_id=review.id))


@endpoint(
    bp,
    "/requests/<id:request_id>/convert/dispensation",
    method="POST",
    summary="Turn a dispensation request into a dispensation request to the board",
    tag=TAG,
    body=DispensationRequest,
    response=DispensationRead,
    status=201,
    if_match=True,
)
def convert_to_dispensation(request_id: int, body: DispensationRequest, version: int) -> Response:
    """As POST /dispensations, and the request is resolved with dispensation_id linked, in
    one transaction: when the dispensation cannot be requested, the request is unchanged."""
    item = svc.convert_to_dispensation(
        get_session(),
        current_actor(),
        request_id,
        body,
        version,
        survey=survey_config(),
        max_months=int(current_app.config.get("DISPENSATION_MAX_MONTHS", 12)),
    )
    return respond(
        read_from(DispensationRead, item),
        201,
        url_for(".get_dispensation", dispensation_id=item.id),
    )


@endpoint(
    bp,
    "/requests/<id:request_id>/notes",
    method="POST",
    summary="Add a note to a request",
    tag=TAG,
    body=NoteIn,
    response=NoteRead,
    status=201,
)
def add_request_note(request_id: int, body: NoteIn) -> Response:
    """The architecture function writes notes (internal ones are hidden from the requester;
    with_unit_id names a unit worked with); the requester may add public notes to their own
    request. A public note by the architecture function counts as the first response."""
    note = svc.add_note(get_session(), current_actor(), request_id, body)
    return respond(read_from(NoteRead, note), 201)


@endpoint(
    bp,
    "/requests/<id:request_id>/start",
    method="POST",
    summary="Start work on a request",
    tag=TAG,
    body=NoInput,
    response=RequestDetailRead,
    if_match=True,
)
def start_request(request_id: int, body: NoInput, version: int) -> Response:
    """The assignee (or the desk) starts work on an assigned request. Send {}."""
    svc.start(get_session(), current_actor(), request_id, version)
    return _respond_detail(request_id)


@endpoint(
    bp,
    "/requests/<id:request_id>/resolve",
    method="POST",
    summary="Resolve a request",
    tag=TAG,
    body=ResolveIn,
    response=RequestDetailRead,
    if_match=True,
)
def resolve_request(request_id: int, body: ResolveIn, version: int) -> Response:
    """The assignee or the desk records the outcome (required). The requester is invited to
    the satisfaction survey (valid SURVEY_VALID_DAYS days)."""
    svc.resolve(get_session(), current_actor(), request_id, body, version, survey=survey_config())
    return _respond_detail(request_id)


@endpoint(
    bp,
    "/requests/<id:request_id>/reopen",
    method="POST",
    summary="Reopen a request",
    tag=TAG,
    body=ReasonIn,
    response=RequestDetailRead,
    if_match=True,
)
def reopen_request(request_id: int, body: ReasonIn, version: int) -> Response:
    """The desk reopens a resolved or closed request; the reason becomes a note."""
    svc.reopen(get_session(), current_actor(), request_id, body, version)
    return _respond_detail(request_id)


@endpoint(
    bp,
    "/requests/<id:request_id>/close",
    method="POST",
    summary="Close a resolved request",
    tag=TAG,
    body=NoInput,
    response=RequestDetailRead,
    if_match=True,
)
def close_request(request_id: int, body: NoInput, version: int) -> Response:
    """The desk or the requester closes a resolved request. Send {}."""
    svc.close(get_session(), current_actor(), request_id, version)
    return _respond_detail(request_id)


@endpoint(
    bp,
    "/requests/<id:request_id>/withdraw",
    method="POST",
    summary="Withdraw or reject a request",
    tag=TAG,
    body=ReasonIn,
    response=RequestDetailRead,
    if_match=True,
)
def withdraw_request(request_id: int, body: ReasonIn, version: int) -> Response:
    """The requester withdraws an open request, or the desk rejects it; the reason is kept
    as the outcome."""
    svc.withdraw(get_session(), current_actor(), request_id, body, version)
    return _respond_detail(request_id)


def _targets_read(session: Session) -> TargetsRead:
    configured = service_targets.configured(session)
    return TargetsRead(
        version=service_targets.version(session),
        targets=[
            TargetRead(
                priority=t.priority,
                first_response_hours=t.first_response_hours,
                resolution_hours=t.resolution_hours,
                configured=t.priority in configured,
            )
            for t in service_targets.targets(session).values()
        ],
    )


@endpoint(
    bp,
    "/requests/service-targets",
    summary="Get the service targets",
    tag=TAG,
    response=TargetsRead,
)
def get_service_targets() -> Response:
    """Hours to the first response and to the resolution, per priority (defaults where the
    desk has not set them: configured false). The ETag covers the whole set."""
    session = get_session()
    require(current_actor(), "requests.file")
    return respond(_targets_read(session))


@endpoint(
    bp,
    "/requests/service-targets",
    method="PUT",
    summary="Set service targets",
    tag=TAG,
    body=TargetsIn,
    response=TargetsRead,
    if_match=True,
)
def put_service_targets(body: TargetsIn, version: int) -> Response:
    """Needs requests.targets. The priorities named change; the others stay as they are.
    The resolution target may not be shorter than the first response (422)."""
    session = get_session()
    service_targets.set_targets(session, current_actor(), body, version)
    return respond(_targets_read(session))
