"""Maturity assessments: what pages and the API send (inputs) and what the API answers."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import Field, StringConstraints

from ..models import AssessmentState
from .api_read import ReadModel, UtcDateTime
from .common import Schema

Long = Annotated[str, StringConstraints(max_length=20000)]
LevelValue = Annotated[int, Field(ge=0, le=20)]


# --- inputs ------------------------------------------------------------------------------------


class AssessmentCreate(Schema):
    model_id: int
    org_unit_id: int
    assessed_on: date
    title: Annotated[str, StringConstraints(max_length=300)] = ""
    facilitator_id: int
    assessor_ids: list[int] = Field(default_factory=list, max_length=50)


class AssessmentUpdate(Schema):
    title: Annotated[str, StringConstraints(max_length=300)] = ""
    assessed_on: date
    facilitator_id: int
    summary: Long = ""


class AssessorIn(Schema):
    user_id: int


class ScoreIn(Schema):
    element_id: int
    level: LevelValue
    evidence: Long = ""
    comment: Long = ""
    version: int | None = Field(
        default=None, description="The version of the score you edited; none for a new score."
    )


class ScoresIn(Schema):
    """An assessor's scores; elements left out keep what was saved before."""

    scores: list[ScoreIn] = Field(default_factory=list, max_length=200)


class CloseScoringIn(Schema):
    leave_out_missing: bool = Field(
        default=False,
        description="Close although some assessors have not submitted; their scores are "
        "left out. Without it, closing with missing submissions is refused (409).",
    )


class ConsolidationIn(Schema):
    level: LevelValue | None = None
    consolidation_note: Long = ""
    target: LevelValue | None = None
    target_rationale: Long = ""
    recommendation: Long = ""


# --- reads -------------------------------------------------------------------------------------


class AssessmentRead(ReadModel):
    id: int
    reference: str
    model_id: int
    org_unit_id: int
    assessed_on: date
    title: str
    state: AssessmentState
    facilitator_id: int | None
    summary: str
    overall_score: float | None = Field(description="Stored when published.")
    overall_level: int | None = Field(description="Stored when published.")
    previous_id: int | None = Field(
        description="The unit's previous published assessment of the same model."
    )
    created_by_id: int | None
    created_at: UtcDateTime
    published_at: UtcDateTime | None
    published_by_id: int | None
    version: int


class AssessorRead(ReadModel):
    id: int
    user_id: int
    name: str
    submitted_at: UtcDateTime | None


class AssessorList(Schema):
    items: list[AssessorRead]


class ScoreRead(ReadModel):
    id: int
    element_id: int
    level: int
    evidence: str
    comment: str
    scored_at: UtcDateTime
    version: int


class MyScoresRead(Schema):
    """Your own scores, whether you have submitted, and how many elements there are."""

    assessor_id: int
    submitted_at: UtcDateTime | None
    elements: int
    scores: list[ScoreRead]


class ElementResultRead(ReadModel):
    id: int
    element_id: int
    level: int | None
    consolidation_note: str
    target: int | None
    target_rationale: str
    recommendation: str
    version: int


class MarkRead(Schema):
    assessor_name: str
    level: int
    evidence: str
    comment: str


class ElementOutcomeRead(Schema):
    element_id: int
    key: str
    name: dict[str, str]
    weight: float
    level: int | None
    target: int | None
    gap: int | None
    target_rationale: str
    recommendation: str
    consolidation_note: str
    previous_level: int | None
    spread: tuple[int, int] | None
    disagreement: bool
    marks: list[MarkRead]
    descriptor: dict[str, str]
    target_descriptor: dict[str, str]


class TrendPointRead(Schema):
    assessment_id: int
    reference: str
    assessed_on: date
    score: float | None
    level: int | None


class ResultsRead(Schema):
    assessment: AssessmentRead
    model_key: str
    model_version: str
    model_name: dict[str, str]
    unit_name: str
    facilitator_name: str | None
    method: str
    overall_score: float | None
    overall_level: int | None
    target_score: float | None
    target_level: int | None
    provisional: bool = Field(description="Some element has no consolidated level yet.")
    level_shares: dict[int, float] = Field(description="Level value -> share of elements (0..1).")
    elements: list[ElementOutcomeRead]
    previous: TrendPointRead | None
    trend: list[TrendPointRead]
    assessor_names: list[str]


class ComparisonElementRead(Schema):
    key: str
    name: dict[str, str]


class ComparisonRowRead(Schema):
    unit_id: int
    unit_name: str
    assessment_id: int
    reference: str
    assessed_on: date
    overall_score: float | None
    overall_level: int | None
    levels: dict[str, int | None] = Field(description="Element key -> consolidated level.")


class ComparisonRead(Schema):
    model_key: str
    elements: list[ComparisonElementRead]
    rows: list[ComparisonRowRead]
