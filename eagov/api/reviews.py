"""Compliance reviews: the request, the workflow, tailored checklists and their answers, the
overall level (with its override), re-reviews, and the findings of reviews."""

from __future__ import annotations

from datetime import date
from typing import Literal

from flask import Response, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from pydantic import Field, field_validator
from pydantic_core.core_schema import ValidationInfo
from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from ..auth import current_actor
from ..conformance import Level
from ..db import get_session
from ..errors import NotFound
from ..models import (
    Checkpoint,
    Finding,
    FindingStatus,
    Review,
    ReviewItem,
    ReviewState,
    utcnow,
)
from ..permissions import Actor, require
from ..schemas.api_read import (
    CategoryProgressRead,
    ComparisonRead,
    FindingRead,
    LevelChangeRead,
    Page,
    ParticipantRead,
    ReviewDetail,
    ReviewItemRead,
    ReviewRead,
    ReviewStepRead,
    RollUpRead,
    TailorResult,
    TrendPointRead,
)
from ..schemas.common import Schema
from ..schemas.reviews import (
    AdvanceIn,
    AnswerIn,
    CustomItemIn,
    FindingIn,
    FindingMove,
    OverrideIn,
    ParticipantIn,
    ReviewRequest,
    TailorIn,
)
from ..services import reviews as svc
from . import bp
from .listing import Id, ListQuery, Search, ordered, page_of, sort_by
from .responses import attachment, read_from, respond, respond_page
from .spec import endpoint

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

TAG = "Reviews"
FINDINGS = "Findings"


# --- reading -----------------------------------------------------------------------------------


def review_read(review: Review) -> ReviewRead:
    return read_from(ReviewRead, review)


def review_detail(session: Session, actor: Actor, review_id: int) -> ReviewDetail:
    review = svc.get_review(session, actor, review_id)
    result = svc.overall(session, review)
    steps = [
        ReviewStepRead(
            action=s["step"].action,
            title=str(s["step"].title),
            source=s["step"].source,
            target=s["step"].target,
            actor=s["step"].actor,
            done=s["done"],
            current=s["current"],
            allowed=s["allowed"],
        )
        for s in svc.step_states(session, actor, review)
    ]
    return read_from(
        ReviewDetail,
        review,
        roll_up=RollUpRead(
            level=result.level,
            explanation=str(result.reason),
            deciding=result.deciding,
            counted=result.counted,
            left_out_irrelevant=result.left_out_irrelevant,
            left_out_waived=result.left_out_waived,
            unanswered=result.unanswered,
            provisional=result.provisional,
        ),
        steps=steps,
        progress=[
            CategoryProgressRead(key=p.key, title=p.title, answered=p.answered, total=p.total)
            for p in svc.progress(session, review_id)
        ],
        participants=[
            ParticipantRead(id=p.id, person_id=p.person_id, person_name=person.name, role=p.role)
            for p, person in svc.participants(session, review_id)
        ],
    )


def item_read(item: ReviewItem, waived: set[str]) -> ReviewItemRead:
    return read_from(ReviewItemRead, item, waived=item.reference in waived)


def _visible_item(session: Session, actor: Actor, item_id: int) -> ReviewItemRead:
    item = session.get(ReviewItem, item_id)
    if item is None:
        raise NotFound(_l("There is no review item with the id %(id)s.", id=item_id))
    svc.get_review(session, actor, item.review_id)
    return item_read(item, svc.waived_references(session, item.review_id))


def _visible_finding(session: Session, actor: Actor, finding_id: int) -> FindingRead:
    finding = session.get(Finding, finding_id)
    if finding is None:
        raise NotFound(_l("There is no finding with the id %(id)s.", id=finding_id))
    svc.get_review(session, actor, finding.review_id)
    return read_from(FindingRead, finding)


def _not_before(value: date | None, info: ValidationInfo) -> date | None:
    start = info.data.get("due_from")
    if value is not None and start is not None and value < start:
        raise ValueError(_l("due_to cannot be before due_from."))
    return value


class NoInput(Schema):
    """Nothing to say: send an empty object, {}."""


# --- the register --------------------------------------------------------------------------------


class ReviewQuery(ListQuery):
    state: ReviewState | None = Field(default=None, description="Only reviews in this state.")
    checkpoint: Checkpoint | None = Field(default=None, description="Only at this checkpoint.")
    level: Level | None = Field(
        default=None, description="Only reviews with this overall level (override or computed)."
    )
    board_id: Id | None = Field(default=None, description="Only reviews for this board.")
    due_from: date | None = Field(default=None, description="Due on or after this day.")
    due_to: date | None = Field(default=None, description="Due on or before this day.")
    q: Search = Field(default=None, description="Searches the title, project and reference.")
    sort: str = sort_by(
        "requested_at", "reference", "title", "due_date", "state", "id", default="-requested_at"
    )

    _due_to = field_validator("due_to")(_not_before)


@endpoint(
    bp,
    "/reviews",
    summary="List compliance reviews",
    tag=TAG,
    query=ReviewQuery,
    response=Page[ReviewRead],
)
def list_reviews(query: ReviewQuery) -> Response:
    """Everyone may read the register of reviews."""
    session = get_session()
    require(current_actor(), "reviews.read")
    stmt = select(Review)
    if query.state is not None:
        stmt = stmt.where(Review.state == query.state)
    if query.checkpoint is not None:
        stmt = stmt.where(Review.checkpoint == query.checkpoint)
    if query.level is not None:
        level = func.coalesce(col(Review.level_override), col(Review.computed_level))
        stmt = stmt.where(level == query.level.value)
    if query.board_id is not None:
        stmt = stmt.where(Review.board_id == query.board_id)
    if query.due_from is not None:
        stmt = stmt.where(col(Review.due_date) >= query.due_from)
    if query.due_to is not None:
        stmt = stmt.where(col(Review.due_date) <= query.due_to)
    if query.q:
        stmt = stmt.where(
            or_(
                col(Review.title).icontains(query.q, autoescape=True),
                col(Review.project).icontains(query.q, autoescape=True),
                col(Review.reference).icontains(query.q, autoescape=True),
            )
        )
    stmt = ordered(stmt, Review, query.sort)
    return respond_page(page_of(session, stmt, query), review_read)


@endpoint(
    bp,
    "/reviews",
    method="POST",
    summary="Request a compliance review",
    tag=TAG,
    body=ReviewRequest,
    response=ReviewDetail,
    status=201,
)
def request_review(body: ReviewRequest) -> Response:
    """Anyone may ask for a review of a project; it starts in the state requested."""
    session, actor = get_session(), current_actor()
    review = svc.request_review(session, actor, body)
    assert review.id is not None
    location = url_for(".get_review", review_id=review.id)
    return respond(review_detail(session, actor, review.id), 201, location)


@endpoint(
    bp,
    "/reviews/<id:review_id>",
    summary="Get a compliance review",
    tag=TAG,
    response=ReviewDetail,
)
def get_review(review_id: int) -> Response:
    """With the overall level and how the items roll up into it, every step of the workflow
    (done, current, and whether you may take it), progress per category and participants."""
    return respond(review_detail(get_session(), current_actor(), review_id))


# --- the workflow ------------------------------------------------------------------------------


@endpoint(
    bp,
    "/reviews/<id:review_id>/advance",
    method="POST",
    summary="Take the next step of the workflow",
    tag=TAG,
    body=AdvanceIn,
    response=ReviewDetail,
)
def advance_review(review_id: int, body: AdvanceIn) -> Response:
    """requested → scoped → tailored → scheduled → interviewing → analysing → report_drafted
    → presented → signed_off → closed. Each step has its actor (steps[].actor in the
    review): the co-ordinator scopes, schedules and closes; the lead architect (or the
    co-ordinator) tailors, interviews, analyses, drafts and presents; the board chair signs
    off. Others get 403. Some steps need input, otherwise 422 naming it: scoping needs the
    organisation, the scope and a lead architect; tailoring at least one item; scheduling
    meeting_at; drafting the report every item answered and report_summary; signing off a
    decision (and conditions for accepted_with_conditions). A closed review is a 409."""
    session, actor = get_session(), current_actor()
    svc.advance(session, actor, review_id, body)
    return respond(review_detail(session, actor, review_id))


@endpoint(
    bp,
    "/reviews/<id:review_id>/participants",
    method="POST",
    summary="Add a participant to a review",
    tag=TAG,
    body=ParticipantIn,
    response=ReviewDetail,
)
def add_review_participant(review_id: int, body: ParticipantIn) -> Response:
    """The review co-ordinator names who takes part and in which role; the same person in
    the same role twice is a 422. Not after sign-off (409)."""
    session, actor = get_session(), current_actor()
    svc.add_participant(session, actor, review_id, body)
    return respond(review_detail(session, actor, review_id))


@endpoint(
    bp,
    "/reviews/<id:review_id>/tailor",
    method="POST",
    summary="Tailor checklist items into a review",
    tag=TAG,
    body=TailorIn,
    response=TailorResult,
)
def tailor_review(review_id: int, body: TailorIn) -> Response:
    """Copies categories (or, with references, single items) of a library version into the
    review; items already there are skipped, and nothing new to add is a 422. The lead
    architect or co-ordinator tailors, before the meeting is scheduled (409 after)."""
    session, actor = get_session(), current_actor()
    added = svc.tailor(session, actor, review_id, body)
    waived = svc.waived_references(session, review_id)
    return respond(TailorResult(added=[item_read(i, waived) for i in added]))


@endpoint(
    bp,
    "/reviews/<id:review_id>/items",
    method="POST",
    summary="Add a custom checklist item",
    tag=TAG,
    body=CustomItemIn,
    response=ReviewItemRead,
    status=201,
)
def add_review_item(review_id: int, body: CustomItemIn) -> Response:
    """A question specific to the project (reference CUS-nn), while tailoring."""
    session, actor = get_session(), current_actor()
    item = svc.add_custom_item(session, actor, review_id, body)
    assert item.id is not None
    location = url_for(".get_review_item", item_id=item.id)
    return respond(_visible_item(session, actor, item.id), 201, location)


class ItemQuery(ListQuery):
    category_key: str | None = Field(default=None, max_length=60, description="One category.")
    answered: bool | None = Field(
        default=None, description="true: only items with a level; false: only those without."
    )
    sort: str = sort_by("position", "reference", "id", default="position")


@endpoint(
    bp,
    "/reviews/<id:review_id>/items",
    summary="List the checklist items of a review",
    tag=TAG,
    query=ItemQuery,
    response=Page[ReviewItemRead],
)
def list_review_items(review_id: int, query: ItemQuery) -> Response:
    session, actor = get_session(), current_actor()
    svc.get_review(session, actor, review_id)
    stmt = select(ReviewItem).where(ReviewItem.review_id == review_id)
    if query.category_key:
        stmt = stmt.where(ReviewItem.category_key == query.category_key)
    if query.answered is not None:
        answered = col(ReviewItem.level).is_not(None)
        stmt = stmt.where(answered if query.answered else col(ReviewItem.level).is_(None))
    stmt = ordered(stmt, ReviewItem, query.sort)
    waived = svc.waived_references(session, review_id)
    return respond_page(page_of(session, stmt, query), lambda i: item_read(i, waived))


@endpoint(
    bp,
    "/reviews/items/<id:item_id>",
    summary="Get a checklist item of a review",
    tag=TAG,
    response=ReviewItemRead,
)
def get_review_item(item_id: int) -> Response:
    return respond(_visible_item(get_session(), current_actor(), item_id))


@endpoint(
    bp,
    "/reviews/items/<id:item_id>",
    method="PUT",
    summary="Answer a checklist item",
    tag=TAG,
    body=AnswerIn,
    response=ReviewItemRead,
    if_match=True,
)
def answer_review_item(item_id: int, body: AnswerIn, version: int) -> Response:
    """The architects of the review (and the co-ordinator) answer, from tailoring until the
    report is drafted (409 otherwise). If-Match carries the item's ETag, so two reviewers
    never overwrite each other: a stale one gets 412. The review's computed level follows."""
    session, actor = get_session(), current_actor()
    svc.answer_item(session, actor, item_id, body, version)
    return respond(_visible_item(session, actor, item_id))


@endpoint(
    bp,
    "/reviews/<id:review_id>/override",
    method="POST",
    summary="Override the overall level",
    tag=TAG,
    body=OverrideIn,
    response=ReviewDetail,
)
def override_review_level(review_id: int, body: OverrideIn) -> Response:
    """Only the lead architect of the review, with a justification of at least 20
    characters; audited. Not after sign-off (409)."""
    session, actor = get_session(), current_actor()
    svc.override_level(session, actor, review_id, body)
    return respond(review_detail(session, actor, review_id))


@endpoint(
    bp,
    "/reviews/<id:review_id>/rereview",
    method="POST",
    summary="Start a re-review",
    tag=TAG,
    body=NoInput,
    response=ReviewDetail,
    status=201,
)
def rereview(review_id: int, body: NoInput) -> Response:
    """A new review of the same subject, from one that was signed off (409 before): the
    items, answers and participants are copied, the levels reset. Co-ordinators only. Send
    {}."""
    session, actor = get_session(), current_actor()
    new = svc.start_rereview(session, actor, review_id)
    assert new.id is not None
    location = url_for(".get_review", review_id=new.id)
    return respond(review_detail(session, actor, new.id), 201, location)


@endpoint(
    bp,
    "/reviews/<id:review_id>/comparison",
    summary="Compare a re-review with the previous review",
    tag=TAG,
    response=ComparisonRead,
)
def compare_review(review_id: int) -> Response:
    """Items new, changed, resolved and removed since the previous review, and the trend of
    the overall level along the chain of reviews. 404 when the review is not a re-review."""
    session, actor = get_session(), current_actor()
    result = svc.compare_with_previous(session, actor, review_id)
    review = svc.get_review(session, actor, review_id)
    if result is None or review.previous_review_id is None:
        raise NotFound(_l("This review does not follow an earlier one."))
    return respond(
        ComparisonRead(
            previous_review_id=review.previous_review_id,
            new=result.new,
            changed=[LevelChangeRead(reference=r, before=b, after=a) for r, b, a in result.changed],
            resolved=result.resolved,
            removed=result.removed,
            trend=[TrendPointRead(reference=r, level=lvl) for r, lvl in result.trend],
        )
    )


# --- findings ------------------------------------------------------------------------------------


class FindingQuery(ListQuery):
    review_id: Id | None = Field(default=None, description="Only findings of this review.")
    status: FindingStatus | None = Field(default=None, description="Only in this status.")
    owner_id: Id | None = Field(default=None, description="Only findings this person owns.")
    sort: str = sort_by("created_at", "due_date", "number", "id", default="-created_at")


@endpoint(
    bp,
    "/findings",
    summary="List findings",
    tag=FINDINGS,
    query=FindingQuery,
    response=Page[FindingRead],
)
def list_findings(query: FindingQuery) -> Response:
    session = get_session()
    require(current_actor(), "reviews.read")
    stmt = select(Finding)
    if query.review_id is not None:
        stmt = stmt.where(Finding.review_id == query.review_id)
    if query.status is not None:
        stmt = stmt.where(Finding.status == query.status)
    if query.owner_id is not None:
        stmt = stmt.where(Finding.owner_id == query.owner_id)
    stmt = ordered(stmt, Finding, query.sort)
    return respond_page(page_of(session, stmt, query), lambda f: read_from(FindingRead, f))


@endpoint(
    bp,
    "/reviews/<id:review_id>/findings",
    method="POST",
    summary="Raise a finding",
    tag=FINDINGS,
    body=FindingIn,
    response=FindingRead,
    status=201,
)
def raise_finding(review_id: int, body: FindingIn) -> Response:
    """The architects of the review raise findings, naming items of the review (others are a
    422). Not on a closed review (409)."""
    session, actor = get_session(), current_actor()
    finding = svc.raise_finding(session, actor, review_id, body)
    assert finding.id is not None
    location = url_for(".get_finding", finding_id=finding.id)
    return respond(_visible_finding(session, actor, finding.id), 201, location)


@endpoint(
    bp, "/findings/<id:finding_id>", summary="Get a finding", tag=FINDINGS, response=FindingRead
)
def get_finding(finding_id: int) -> Response:
    return respond(_visible_finding(get_session(), current_actor(), finding_id))


@endpoint(
    bp,
    "/findings/<id:finding_id>/move",
    method="POST",
    summary="Move a finding to another status",
    tag=FINDINGS,
    body=FindingMove,
    response=FindingRead,
    if_match=True,
)
def move_finding(finding_id: int, body: FindingMove, version: int) -> Response:
    """open → in_progress → resolved → verified (resolved may go back to in_progress). The
    owner and the review's architects move it; only the lead architect or the board
    verifies. Any other move is a 409; a stale If-Match a 412."""
    session, actor = get_session(), current_actor()
    svc.move_finding(session, actor, finding_id, body, version, now=utcnow())
    return respond(_visible_finding(session, actor, finding_id))


class ReportQuery(Schema):
    locale: Literal["en", "zh_Hans"] | None = Field(
        default=None,
        description="Language of the file; default: from Accept-Language (English when absent).",
    )


@endpoint(
    bp,
    "/reviews/<id:review_id>/report",
    summary="Download the review report (Word)",
    tag="Reviews",
    query=ReportQuery,
    produces=DOCX,
)
def get_review_report(review_id: int, query: ReportQuery) -> Response:
    """The review report as a .docx: summary with the overall level and decision, the
    checklists per category with colour-coded levels, findings, dispensations, sign-off."""
    from ..documents.review_docx import build_review_docx

    session = get_session()
    review = svc.get_review(session, current_actor(), review_id)
    locale = query.locale or str(get_locale() or "en")
    data = build_review_docx(session, review, locale=locale)
    return attachment(data, DOCX, f"{review.reference}-report.docx")


@endpoint(
    bp,
    "/reviews/<id:review_id>/responses.<any(csv, xlsx):fmt>",
    summary="Download the checklist responses (CSV or XLSX)",
    tag="Reviews",
    query=ReportQuery,
    produces="text/csv, application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
)
def get_review_responses(review_id: int, fmt: str, query: ReportQuery) -> Response:
    """One row per checklist item: category, reference, question, level, waived, answer,
    evidence and notes."""
    from ..exports import review_exports as ex
    from ..exports.tabular import CSV_MIMETYPE, XLSX_MIMETYPE

    session = get_session()
    review = svc.get_review(session, current_actor(), review_id)
    locale = query.locale or str(get_locale() or "en")
    if fmt == "csv":
        data, mimetype = ex.responses_csv(session, review, locale=locale), CSV_MIMETYPE
    else:
        data, mimetype = ex.responses_xlsx(session, review, locale=locale), XLSX_MIMETYPE
    return attachment(data, mimetype, ex.responses_filename(review, fmt))
