"""The results of a maturity assessment, as every page, chart and export shows them: the
overall score by the model's method, the share of elements at each level, the consolidated
level, target and gap per element with the spread of the assessors' scores, the previous
assessment of the unit, and its trend. Pure data: documents and exports are functions of it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from .. import maturity_scoring as scoring
from ..models import (
    AssessmentState,
    ElementResult,
    MaturityAssessment,
    MaturityElement,
    MaturityModel,
    OrgUnit,
    User,
)
from ..permissions import Actor, require
from . import maturity_assessments as assessments


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
    # Added by the assessments work (defaults keep older constructors valid):
    provisional: bool = False  # some element has no consolidated level yet
    target_level: int | None = None  # the method's level over the targets
    level_values: list[int] = field(default_factory=list)  # the model's levels, in order


def results(session: Session, actor: Actor, assessment_id: int) -> AssessmentResults:
    """The results of one assessment, for whoever may see it.

    Anyone who may read assessments sees the consolidated figures; the assessors' marks
    follow ``maturity_assessments.visible_assessors`` (hidden scores stay hidden). A fixed
    number of statements whatever the number of elements, assessors and past assessments.
    """
    item = assessments.get(session, actor, assessment_id)
    model = session.get(MaturityModel, item.model_id)
    assert model is not None
    elements = assessments.elements_of(session, item.model_id)
    consolidated = assessments.results_of(session, assessment_id)
    rows = assessments.assessors_of(session, assessment_id)
    marks = assessments.visible_marks(session, actor, item, rows)
    unit = session.get(OrgUnit, item.org_unit_id)
    facilitator = session.get(User, item.facilitator_id) if item.facilitator_id else None

    if item.previous_id is not None:
        previous_item = session.get(MaturityAssessment, item.previous_id)
    elif item.state != AssessmentState.PUBLISHED:
        previous_item = assessments.previous_published(session, item, model.key)
    else:
        previous_item = None
    before: dict[str, int | None] = {}
    if previous_item is not None and previous_item.id is not None:
        before = _levels_by_key(session, [previous_item.id])[previous_item.id]

    outcomes = []
    for e in elements:
        assert e.id is not None
        r = consolidated.get(e.id)
        shown = marks.get(e.id, [])
        submitted = [m.score.level for m in shown if m.submitted]
        level = r.level if r else None
        target = r.target if r else None
        outcomes.append(
            ElementOutcome(
                element_id=e.id,
                key=e.key,
                name=dict(e.name),
                weight=e.weight,
                level=level,
                target=target,
                target_rationale=r.target_rationale if r else "",
                recommendation=r.recommendation if r else "",
                consolidation_note=r.consolidation_note if r else "",
                previous_level=before.get(e.key),
                spread=scoring.spread(submitted),
                disagreement=scoring.disagreement(submitted),
                marks=[
                    AssessorMark(m.assessor_name, m.score.level, m.score.evidence, m.score.comment)
                    for m in shown
                ],
                descriptor=dict(e.descriptors.get(str(level), {})) if level is not None else {},
                target_descriptor=(
                    dict(e.descriptors.get(str(target), {})) if target is not None else {}
                ),
            )
        )
    found = scoring.overall(model.method, [(o.level, o.weight) for o in outcomes])
    targets = [(o.target, o.weight) for o in outcomes if o.target is not None]
    aimed = scoring.overall(model.method, targets) if targets else None
    values = assessments.level_values(model)
    if item.state == AssessmentState.PUBLISHED and item.overall_score is not None:
        stored: tuple[float | None, int | None] = (item.overall_score, item.overall_level)
    else:
        stored = (found.score, found.level)
    return AssessmentResults(
        assessment=item,
        model=model,
        unit_name=unit.name if unit else "",
        facilitator_name=facilitator.name if facilitator else None,
        method=model.method,
        overall_score=stored[0],
        overall_level=stored[1],
        target_score=aimed.score if aimed else None,
        level_shares=scoring.level_shares([o.level for o in outcomes], values),
        elements=outcomes,
        previous=_point(previous_item) if previous_item else None,
        trend=trend(session, actor, item.org_unit_id, model.key),
        assessor_names=[r.name for r in rows],
        provisional=found.provisional,
        target_level=aimed.level if aimed else None,
        level_values=values,
    )


def _point(a: MaturityAssessment) -> TrendPoint:
    assert a.id is not None
    return TrendPoint(a.id, a.reference, a.assessed_on, a.overall_score, a.overall_level)


def _levels_by_key(session: Session, ids: list[int]) -> dict[int, dict[str, int | None]]:
    """assessment id -> element key -> consolidated level (keys survive model versions)."""
    out: dict[int, dict[str, int | None]] = {i: {} for i in ids}
    if not ids:
        return out
    rows = session.exec(
        select(ElementResult.assessment_id, MaturityElement.key, ElementResult.level)
        .join(MaturityElement, col(MaturityElement.id) == ElementResult.element_id)
        .where(col(ElementResult.assessment_id).in_(ids))
    ).all()
    for assessment_id, key, level in rows:
        out[assessment_id][key] = level
    return out


def _published(model_key: str) -> Any:
    return (
        select(MaturityAssessment)
        .join(MaturityModel, col(MaturityModel.id) == MaturityAssessment.model_id)
        .where(
            MaturityModel.key == model_key,
            MaturityAssessment.state == AssessmentState.PUBLISHED,
        )
    )


def trend(session: Session, actor: Actor, org_unit_id: int, model_key: str) -> list[TrendPoint]:
    """The unit's published assessments of a model (any version of it), oldest first."""
    require(actor, "maturity.read")
    rows = session.exec(
        _published(model_key)
        .where(MaturityAssessment.org_unit_id == org_unit_id)
        .order_by(col(MaturityAssessment.assessed_on), col(MaturityAssessment.id))
    ).all()
    return [_point(a) for a in rows]


@dataclass(frozen=True)
class ComparisonElement:
    key: str
    name: dict[str, str]


@dataclass
class ComparisonRow:
    unit_id: int
    unit_name: str
    assessment_id: int
    reference: str
    assessed_on: date
    overall_score: float | None
    overall_level: int | None
    levels: dict[str, int | None]  # element key -> consolidated level


@dataclass
class Comparison:
    model_key: str
    model: MaturityModel | None  # the newest version among the compared assessments
    elements: list[ComparisonElement]
    rows: list[ComparisonRow]  # by unit name

    @property
    def level_values(self) -> list[int]:
        return assessments.level_values(self.model) if self.model else list(range(6))


def comparison(
    session: Session, actor: Actor, model_key: str, unit_ids: list[int] | None = None
) -> Comparison:
    """The latest published assessment of each unit against a model, with its element levels
    (a units x elements heatmap). Columns are the elements of the newest model version used;
    an element that an older version lacks shows no level. Four statements."""
    require(actor, "maturity.read")
    stmt = _published(model_key)
    if unit_ids is not None:
        if not unit_ids:
            return Comparison(model_key, None, [], [])
        stmt = stmt.where(col(MaturityAssessment.org_unit_id).in_(unit_ids))
    found = session.exec(
        stmt.order_by(col(MaturityAssessment.assessed_on).desc(), col(MaturityAssessment.id).desc())
    ).all()
    latest: dict[int, MaturityAssessment] = {}
    for a in found:
        latest.setdefault(a.org_unit_id, a)
    if not latest:
        return Comparison(model_key, None, [], [])
    model_id = max(a.model_id for a in latest.values())
    model = session.get(MaturityModel, model_id)
    elements = assessments.elements_of(session, model_id)
    units = dict(
        session.exec(
            select(OrgUnit.id, OrgUnit.name).where(col(OrgUnit.id).in_(list(latest)))
        ).all()
    )
    levels = _levels_by_key(session, [a.id for a in latest.values() if a.id is not None])
    rows = [
        ComparisonRow(
            unit_id=unit_id,
            unit_name=units.get(unit_id, ""),
            assessment_id=a.id,  # type: ignore[arg-type]
            reference=a.reference,
            assessed_on=a.assessed_on,
            overall_score=a.overall_score,
            overall_level=a.overall_level,
            levels={e.key: levels.get(a.id, {}).get(e.key) for e in elements},  # type: ignore[arg-type]
        )
        for unit_id, a in latest.items()
    ]
    rows.sort(key=lambda r: (r.unit_name.lower(), r.unit_id))
    return Comparison(
        model_key, model, [ComparisonElement(e.key, dict(e.name)) for e in elements], rows
    )
