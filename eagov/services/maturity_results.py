"""The results of a maturity assessment, as every page, chart and export shows them: the
overall score by the model's method, the share of elements at each level, the consolidated
level, target and gap per element with the spread of the assessors' scores, the previous
assessment of the unit, and its trend. Pure data: documents and exports are functions of it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlmodel import Session

from ..models import MaturityAssessment, MaturityModel
from ..permissions import Actor


@dataclass(frozen=True)
class AssessorMark:
    """One assessor's score of one element (shown once the assessor has submitted)."""

    assessor_name: str
    level: int
    evidence: str
    comment: str


@dataclass
class ElementOutcome:
    element_id: int
    key: str
    name: dict[str, str]  # per language ("en", "zh_Hans")
    weight: float
    level: int | None  # the consolidated level
    target: int | None
    target_rationale: str
    recommendation: str
    consolidation_note: str
    previous_level: int | None  # in the unit's previous published assessment
    # The assessors' lowest and highest score; ``disagreement`` when they differ by 2 or more.
    spread: tuple[int, int] | None
    disagreement: bool
    marks: list[AssessorMark] = field(default_factory=list)
    # What the element looks like at its level and at its target, per language.
    descriptor: dict[str, str] = field(default_factory=dict)
    target_descriptor: dict[str, str] = field(default_factory=dict)

    @property
    def gap(self) -> int | None:
        if self.level is None or self.target is None:
            return None
        return max(self.target - self.level, 0)


@dataclass(frozen=True)
class TrendPoint:
    assessment_id: int
    reference: str
    assessed_on: date
    score: float | None
    level: int | None


@dataclass
class AssessmentResults:
    assessment: MaturityAssessment
    model: MaturityModel
    unit_name: str
    facilitator_name: str | None
    method: str
    overall_score: float | None  # by the model's method
    overall_level: int | None
    target_score: float | None  # the same method over the targets
    # level value -> share (0..1) of the elements whose consolidated level is that level
    level_shares: dict[int, float]
    elements: list[ElementOutcome]
    previous: TrendPoint | None
    trend: list[TrendPoint]  # the unit's published assessments of this model, oldest first
    assessor_names: list[str]


def results(session: Session, actor: Actor, assessment_id: int) -> AssessmentResults:
    """The results of one assessment, for whoever may see it."""
    raise NotImplementedError  # implemented by the assessments work
