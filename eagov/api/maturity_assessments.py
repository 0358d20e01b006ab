"""/api/v1/maturity-assessments: set up, hidden scoring, consolidation, publication, results
and the comparison of units. The same services as the pages, so the same rules: an assessor
who has not submitted gets only their own scores."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from flask import Response, url_for
from flask_babel import lazy_gettext as _l
from pydantic import Field, StringConstraints

from ..auth import current_actor
from ..db import get_session
from ..errors import NotFound
from ..models import AssessmentState, MaturityAssessment
from ..permissions import require
from ..schemas.api_read import Page
from ..schemas.common import Schema
from ..schemas.maturity import (
    AssessmentCreate,
    AssessmentRead,
    AssessmentUpdate,
    AssessorIn,
    AssessorList,
    AssessorRead,
    CloseScoringIn,
    ComparisonRead,
    ConsolidationIn,
    ElementResultRead,
    MyScoresRead,
    ResultsRead,
    ScoreRead,
    ScoresIn,
)
from ..schemas.requests import NoInput
from ..services import maturity_assessments as svc
from ..services import maturity_results as mr
from . import bp
from .listing import Id, ListQuery, ordered, page_of, sort_by
from .responses import no_content, read_from, respond, respond_page
from .spec import endpoint

TAG = "Maturity assessments"
BASE = "/maturity-assessments"


def assessment_read(item: MaturityAssessment) -> AssessmentRead:
    return read_from(AssessmentRead, item)


def _read(assessment_id: int) -> AssessmentRead:
    return assessment_read(svc.get(get_session(), current_actor(), assessment_id))


class AssessmentQuery(ListQuery):
    org_unit_id: Id | None = Field(default=None, description="Only assessments of this unit.")
    state: AssessmentState | None = Field(default=None, description="Only in this state.")
    model_key: Annotated[str, StringConstraints(max_length=60)] | None = Field(
        default=None, description="Only against this model (any version), e.g. acmm."
    )
    sort: str = sort_by("assessed_on", "reference", "id", default="-assessed_on")


@endpoint(
    bp,
    BASE,
    summary="List maturity assessments",
    tag=TAG,
    query=AssessmentQuery,
    response=Page[AssessmentRead],
)
def list_maturity_assessments(query: AssessmentQuery) -> Response:
    session = get_session()
    require(current_actor(), "maturity.read")
    f = svc.AssessmentFilter(
        org_unit_id=query.org_unit_id,
        state=query.state.value if query.state else None,
        model_key=query.model_key,
    )
    stmt = ordered(svc.list_statement(f), MaturityAssessment, query.sort)
    return respond_page(page_of(session, stmt, query), assessment_read)


@endpoint(
    bp,
    BASE,
    method="POST",
    summary="Create a maturity assessment",
    tag=TAG,
    body=AssessmentCreate,
    response=AssessmentRead,
    status=201,
)
def create_maturity_assessment(body: AssessmentCreate) -> Response:
    """Co-ordinators (maturity.manage) set up an assessment of one org unit at one date
    against a model, naming the facilitator (who must hold maturity.facilitate) and the
    assessors (any active users). It starts as a draft; the reference is MA-YYYY-NNN."""
    item = svc.create(get_session(), current_actor(), body)
    assert item.id is not None
    location = url_for(".get_maturity_assessment", assessment_id=item.id)
    return respond(assessment_read(item), 201, location)


@endpoint(
    bp,
    f"{BASE}/<id:assessment_id>",
    summary="Get a maturity assessment",
    tag=TAG,
    response=AssessmentRead,
)
def get_maturity_assessment(assessment_id: int) -> Response:
    return respond(_read(assessment_id))


@endpoint(
    bp,
    f"{BASE}/<id:assessment_id>",
    method="PUT",
    summary="Edit a maturity assessment's details",
    tag=TAG,
    body=AssessmentUpdate,
    response=AssessmentRead,
    if_match=True,
)
def update_maturity_assessment(
    assessment_id: int, body: AssessmentUpdate, version: int
) -> Response:
    """The facilitator or a co-ordinator; only a co-ordinator changes the facilitator.
    A published assessment no longer changes (409)."""
    svc.update(get_session(), current_actor(), assessment_id, body, version)
    return respond(_read(assessment_id))


def _assessors(assessment_id: int) -> AssessorList:
    rows = svc.assessors_of(get_session(), assessment_id)
    return AssessorList(
        items=[
            read_from(AssessorRead, r.assessor, name=r.name)  # the user's name, joined
            for r in rows
        ]
    )


@endpoint(
    bp,
    f"{BASE}/<id:assessment_id>/assessors",
    summary="List the assessors",
    tag=TAG,
    response=AssessorList,
)
def list_maturity_assessors(assessment_id: int) -> Response:
    """Who scores, and who has submitted (never their scores)."""
    svc.get(get_session(), current_actor(), assessment_id)
    return respond(_assessors(assessment_id))


@endpoint(
    bp,
    f"{BASE}/<id:assessment_id>/assessors",
    method="POST",
    summary="Add an assessor",
    tag=TAG,
    body=AssessorIn,
    response=AssessorList,
    status=201,
)
def add_maturity_assessor(assessment_id: int, body: AssessorIn) -> Response:
    """The facilitator or a co-ordinator, while the assessment is a draft or in scoring."""
    svc.add_assessor(get_session(), current_actor(), assessment_id, body)
    return respond(_assessors(assessment_id), 201)


@endpoint(
    bp,
    f"{BASE}/<id:assessment_id>/assessors/<id:user_id>",
    method="DELETE",
    summary="Remove an assessor",
    tag=TAG,
    status=204,
)
def remove_maturity_assessor(assessment_id: int, user_id: int) -> Response:
    """Only one who has not submitted; their draft scores go with them."""
    svc.remove_assessor(get_session(), current_actor(), assessment_id, user_id)
    return no_content()


def _my_scores(assessment_id: int) -> MyScoresRead:
    session, actor = get_session(), current_actor()
    mine = svc.my_scores(session, actor, assessment_id)
    item = svc.get(session, actor, assessment_id)
    return MyScoresRead(
        assessor_id=mine.assessor.id,
        submitted_at=mine.assessor.submitted_at,
        elements=len(svc.elements_of(session, item.model_id)),
        scores=[read_from(ScoreRead, s) for s in mine.scores.values()],
    )


@endpoint(
    bp,
    f"{BASE}/<id:assessment_id>/my-scores",
    summary="Get my scores",
    tag=TAG,
    response=MyScoresRead,
)
def get_my_maturity_scores(assessment_id: int) -> Response:
    """Your own scores as an assessor (403 when you are not one). The others' scores are
    never here; once you have submitted they are in the results."""
    return respond(_my_scores(assessment_id))


@endpoint(
    bp,
    f"{BASE}/<id:assessment_id>/my-scores",
    method="PUT",
    summary="Save my scores (a draft)",
    tag=TAG,
    body=ScoresIn,
    response=MyScoresRead,
)
def put_my_maturity_scores(assessment_id: int, body: ScoresIn) -> Response:
    """While scoring is open and you have not submitted. Each score names the version of the
    score it was edited from (none for a new one): a score changed meanwhile is a 409.
    Elements left out keep what was saved."""
    svc.save_scores(get_session(), current_actor(), assessment_id, body)
    return respond(_my_scores(assessment_id))


@endpoint(
    bp,
    f"{BASE}/<id:assessment_id>/my-scores/submit",
    method="POST",
    summary="Submit my scores",
    tag=TAG,
    body=NoInput,
    response=MyScoresRead,
)
def submit_my_maturity_scores(assessment_id: int, body: NoInput) -> Response:
    """Every element must be scored (422 otherwise); then your scores no longer change and
    you see the other submitted scores in the results."""
    svc.submit(get_session(), current_actor(), assessment_id)
    return respond(_my_scores(assessment_id))


@endpoint(
    bp,
    f"{BASE}/<id:assessment_id>/open-scoring",
    method="POST",
    summary="Open scoring",
    tag=TAG,
    body=NoInput,
    response=AssessmentRead,
    if_match=True,
)
def open_maturity_scoring(assessment_id: int, body: NoInput, version: int) -> Response:
    """draft -> scoring, by the facilitator or a co-ordinator; needs at least one assessor."""
    svc.open_scoring(get_session(), current_actor(), assessment_id, version)
    return respond(_read(assessment_id))


@endpoint(
    bp,
    f"{BASE}/<id:assessment_id>/close-scoring",
    method="POST",
    summary="Close scoring",
    tag=TAG,
    body=CloseScoringIn,
    response=AssessmentRead,
    if_match=True,
)
def close_maturity_scoring(assessment_id: int, body: CloseScoringIn, version: int) -> Response:
    """scoring -> consolidating. Refused (409) while an assessor has not submitted, unless
    leave_out_missing is true: their scores are then left out for good. Proposes a level per
    element: the median of the submitted scores, rounded down."""
    svc.close_scoring(get_session(), current_actor(), assessment_id, body, version)
    return respond(_read(assessment_id))


@endpoint(
    bp,
    f"{BASE}/<id:assessment_id>/elements/<id:element_id>",
    summary="Get an element's consolidation",
    tag=TAG,
    response=ElementResultRead,
)
def get_maturity_element_result(assessment_id: int, element_id: int) -> Response:
    session, actor = get_session(), current_actor()
    svc.get(session, actor, assessment_id)
    row = svc.results_of(session, assessment_id).get(element_id)
    if row is None:
        raise NotFound(_l("The element has no consolidation yet."))
    return respond(read_from(ElementResultRead, row))


@endpoint(
    bp,
    f"{BASE}/<id:assessment_id>/elements/<id:element_id>",
    method="PUT",
    summary="Consolidate an element",
    tag=TAG,
    body=ConsolidationIn,
    response=ElementResultRead,
    if_match=True,
)
def consolidate_maturity_element(
    assessment_id: int, element_id: int, body: ConsolidationIn, version: int
) -> Response:
    """The facilitator (or a co-ordinator) while consolidating: the level, a note, the target
    with a rationale (required when the target is above the level) and a recommendation.
    If-Match carries the version of the element's consolidation."""
    row = svc.consolidate(get_session(), current_actor(), assessment_id, element_id, body, version)
    return respond(read_from(ElementResultRead, row))


@endpoint(
    bp,
    f"{BASE}/<id:assessment_id>/publish",
    method="POST",
    summary="Publish",
    tag=TAG,
    body=NoInput,
    response=AssessmentRead,
    if_match=True,
)
def publish_maturity_assessment(assessment_id: int, body: NoInput, version: int) -> Response:
    """consolidating -> published, once every element has a level (409 otherwise). Stores the
    overall score and level, links the unit's previous published assessment of the same
    model, and locks the assessment."""
    svc.publish(get_session(), current_actor(), assessment_id, version)
    return respond(_read(assessment_id))


def results_read(res: mr.AssessmentResults) -> ResultsRead:
    elements = []
    for e in res.elements:
        data = asdict(e)
        data["gap"] = e.gap
        elements.append(data)
    return ResultsRead.model_validate(
        {
            "assessment": assessment_read(res.assessment),
            "model_key": res.model.key,
            "model_version": res.model.version,
            "model_name": res.model.name,
            "unit_name": res.unit_name,
            "facilitator_name": res.facilitator_name,
            "method": res.method,
            "overall_score": res.overall_score,
            "overall_level": res.overall_level,
            "target_score": res.target_score,
            "target_level": res.target_level,
            "provisional": res.provisional,
            "level_shares": res.level_shares,
            "elements": elements,
            "previous": asdict(res.previous) if res.previous else None,
            "trend": [asdict(p) for p in res.trend],
            "assessor_names": res.assessor_names,
        }
    )


@endpoint(
    bp,
    f"{BASE}/<id:assessment_id>/results",
    summary="Results of an assessment",
    tag=TAG,
    response=ResultsRead,
)
def get_maturity_results(assessment_id: int) -> Response:
    """The overall score by the model's method, the share of elements per level, level,
    target and gap per element, the previous assessment and the unit's trend. The assessors'
    marks follow the hiding rule: before you submit, only yours."""
    return respond(results_read(mr.results(get_session(), current_actor(), assessment_id)))


class ComparisonQuery(Schema):
    model_key: Annotated[str, StringConstraints(min_length=1, max_length=60)] = Field(
        default="acmm", description="The model to compare on (any version)."
    )
    unit_ids: Annotated[str, StringConstraints(pattern=r"^\d{1,10}(,\d{1,10}){0,199}$")] | None = (
        Field(default=None, description="Only these units: ids separated by commas; default all.")
    )


@endpoint(
    bp,
    f"{BASE}/comparison",
    summary="Compare units",
    tag=TAG,
    query=ComparisonQuery,
    response=ComparisonRead,
)
def compare_maturity(query: ComparisonQuery) -> Response:
    """The latest published assessment of each unit, with its level per element."""
    units = [int(u) for u in query.unit_ids.split(",")] if query.unit_ids else None
    cmp = mr.comparison(get_session(), current_actor(), query.model_key, units)
    return respond(
        ComparisonRead.model_validate(
            {
                "model_key": cmp.model_key,
                "elements": [asdict(e) for e in cmp.elements],
                "rows": [asdict(r) for r in cmp.rows],
            }
        )
    )
