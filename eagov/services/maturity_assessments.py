"""Maturity assessments of one org unit at one date, against one maturity model.

draft -> scoring -> consolidating -> published.

- A co-ordinator (maturity.manage) creates the assessment, naming a facilitator (a user who
  holds maturity.facilitate) and the assessors (any users). The facilitator or a co-ordinator
  opens scoring.
- Each assessor scores every element on their own, with evidence and a comment. Scores are
  hidden: until an assessor submits, they see only their own; once submitted they see the
  other submitted scores. Submitting needs a score for every element and freezes them. The
  audit trail records which elements were scored, and the levels only on submission, so
  it does not reveal hidden scores either.
- The facilitator closes scoring when every assessor has submitted; with missing
  submissions only when asked to explicitly (``leave_out_missing``), and those assessors'
  unsubmitted scores are left out for good. Closing proposes a level per element (the
  median of the submitted scores, rounded down).
- The facilitator consolidates each element (level, note, target with a rationale when the
  target is above the level, recommendation) and publishes once every element has a level.
  Publishing stores the overall score and level, links the unit's previous published
  assessment of the same model key, and locks the assessment: any change is a Conflict.

A co-ordinator may do whatever the facilitator does (someone must be able to step in when
the facilitator is away).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from .. import maturity_scoring as scoring
from ..errors import Conflict, Forbidden, Invalid, NotFound
from ..labels import label
from ..models import (
    AssessmentAssessor,
    AssessmentState,
    AssessorScore,
    ElementResult,
    MaturityAssessment,
    MaturityElement,
    MaturityModel,
    OrgUnit,
    User,
    utcnow,
)
from ..permissions import Actor, require
from ..schemas.maturity import (
    AssessmentCreate,
    AssessmentUpdate,
    AssessorIn,
    CloseScoringIn,
    ConsolidationIn,
    ScoresIn,
)
from . import audit
from .common import add_numbered, check_version, commit, flush, get_or_404

S = AssessmentState
ENTITY = "maturity_assessment"


# --- reading -----------------------------------------------------------------------------------


def get(session: Session, actor: Actor, assessment_id: int) -> MaturityAssessment:
    require(actor, "maturity.read")
    item = session.get(MaturityAssessment, assessment_id)
    if item is None:
        raise NotFound(_l("There is no maturity assessment with the id %(id)s.", id=assessment_id))
    return item


def elements_of(session: Session, model_id: int) -> list[MaturityElement]:
    return list(
        session.exec(
            select(MaturityElement)
            .where(MaturityElement.model_id == model_id)
            .order_by(col(MaturityElement.position), col(MaturityElement.id))
        ).all()
    )


def level_values(model: MaturityModel) -> list[int]:
    """The model's level values in order (0..5 when a model names none)."""
    values = [int(lv["value"]) for lv in model.levels if "value" in lv]
    return values or list(range(6))


@dataclass
class AssessorRow:
    assessor: AssessmentAssessor
    name: str


def assessors_of(session: Session, assessment_id: int) -> list[AssessorRow]:
    rows = session.exec(
        select(AssessmentAssessor, User.name)
        .join(User, col(User.id) == AssessmentAssessor.user_id)
        .where(AssessmentAssessor.assessment_id == assessment_id)
        .order_by(col(User.name), col(AssessmentAssessor.id))
    ).all()
    return [AssessorRow(a, name) for a, name in rows]


def results_of(session: Session, assessment_id: int) -> dict[int, ElementResult]:
    """The consolidated rows by element id (they exist once scoring has closed)."""
    rows = session.exec(
        select(ElementResult).where(ElementResult.assessment_id == assessment_id)
    ).all()
    return {r.element_id: r for r in rows}


def may_facilitate(actor: Actor, item: MaturityAssessment) -> bool:
    """The named facilitator, or a co-ordinator standing in."""
    if actor.can("maturity.manage"):
        return True
    return (
        actor.user_id is not None
        and actor.user_id == item.facilitator_id
        and actor.can("maturity.facilitate")
    )


def own_assessor(rows: list[AssessorRow], actor: Actor) -> AssessmentAssessor | None:
    if actor.user_id is None:
        return None
    return next((r.assessor for r in rows if r.assessor.user_id == actor.user_id), None)


def visible_assessors(actor: Actor, item: MaturityAssessment, rows: list[AssessorRow]) -> set[int]:
    """Whose scores ``actor`` may see (assessor row ids). The rule that keeps scoring
    independent: an assessor who has not submitted sees only their own scores; once
    submitted, the other submitted ones. The facilitator sees them once scoring has closed,
    everyone once the assessment is published. Unsubmitted scores are never shown to others
    (after closing they were left out)."""
    submitted = {r.assessor.id for r in rows if r.assessor.submitted_at is not None}
    mine = own_assessor(rows, actor)
    own = {mine.id} if mine is not None else set()
    if item.state == S.PUBLISHED:
        return {i for i in submitted | own if i is not None}
    if item.state == S.CONSOLIDATING and may_facilitate(actor, item):
        return {i for i in submitted | own if i is not None}
    if mine is not None and mine.submitted_at is not None:
        return {i for i in submitted if i is not None}
    return {i for i in own if i is not None}


@dataclass(frozen=True)
class VisibleMark:
    assessor_id: int
    assessor_name: str
    submitted: bool
    score: AssessorScore


def visible_marks(
    session: Session, actor: Actor, item: MaturityAssessment, rows: list[AssessorRow]
) -> dict[int, list[VisibleMark]]:
    """element id -> the scores ``actor`` may see, in the assessors' order. One statement."""
    allowed = visible_assessors(actor, item, rows)
    out: dict[int, list[VisibleMark]] = defaultdict(list)
    if not allowed:
        return out
    by_id = {r.assessor.id: r for r in rows}
    scores = session.exec(
        select(AssessorScore).where(
            AssessorScore.assessment_id == item.id, col(AssessorScore.assessor_id).in_(allowed)
        )
    ).all()
    order = {r.assessor.id: i for i, r in enumerate(rows)}
    for score in sorted(scores, key=lambda sc: order.get(sc.assessor_id, 0)):
        row = by_id[score.assessor_id]
        out[score.element_id].append(
            VisibleMark(score.assessor_id, row.name, row.assessor.submitted_at is not None, score)
        )
    return out


@dataclass
class MyScores:
    assessor: AssessmentAssessor
    scores: dict[int, AssessorScore]  # by element id


def my_scores(session: Session, actor: Actor, assessment_id: int) -> MyScores:
    """The actor's own scores: the only ones an assessor who has not submitted may see."""
    item = get(session, actor, assessment_id)
    mine = _assessor_row(session, actor, item)
    rows = session.exec(select(AssessorScore).where(AssessorScore.assessor_id == mine.id)).all()
    return MyScores(mine, {s.element_id: s for s in rows})


# --- listing -----------------------------------------------------------------------------------


@dataclass
class AssessmentFilter:
    org_unit_id: int | None = None
    state: str | None = None
    model_key: str | None = None


def _where(f: AssessmentFilter) -> list[Any]:
    where: list[Any] = []
    if f.org_unit_id:
        where.append(col(MaturityAssessment.org_unit_id) == f.org_unit_id)
    if f.state:
        where.append(col(MaturityAssessment.state) == f.state)
    if f.model_key:
        where.append(col(MaturityModel.key) == f.model_key)
    return where


def list_statement(f: AssessmentFilter) -> Any:
    """The assessments matching ``f`` (for the API's paging and sorting)."""
    return (
        select(MaturityAssessment)
        .join(MaturityModel, col(MaturityModel.id) == MaturityAssessment.model_id)
        .where(*_where(f))
    )


@dataclass
class ListRow:
    assessment: MaturityAssessment
    unit_name: str
    model_name: dict[str, str]
    model_key: str
    facilitator_name: str | None


@dataclass
class Listing:
    items: list[ListRow]
    total: int
    page: int
    per_page: int


def assessments_page(
    session: Session, actor: Actor, f: AssessmentFilter, page: int, per_page: int
) -> Listing:
    """One page of assessments, the most recent date first: two statements."""
    require(actor, "maturity.read")
    where = _where(f)
    total = session.exec(
        select(func.count())
        .select_from(MaturityAssessment)
        .join(MaturityModel, col(MaturityModel.id) == MaturityAssessment.model_id)
        .where(*where)
    ).one()
    page = max(1, page)
    rows = session.exec(
        select(  # type: ignore[call-overload]  # sqlmodel types at most four columns
            MaturityAssessment, OrgUnit.name, MaturityModel.name, MaturityModel.key, User.name
        )
        .join(OrgUnit, col(OrgUnit.id) == MaturityAssessment.org_unit_id)
        .join(MaturityModel, col(MaturityModel.id) == MaturityAssessment.model_id)
        .outerjoin(User, col(User.id) == MaturityAssessment.facilitator_id)
        .where(*where)
        .order_by(col(MaturityAssessment.assessed_on).desc(), col(MaturityAssessment.id).desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return Listing(
        [ListRow(a, unit, dict(name), key, fac) for a, unit, name, key, fac in rows],
        int(total),
        page,
        per_page,
    )


def model_options(session: Session) -> list[tuple[int, str, str]]:
    """(id, key, name in English) of every model version, newest import first."""
    rows = session.exec(
        select(MaturityModel).order_by(col(MaturityModel.key), col(MaturityModel.id).desc())
    ).all()
    return [(m.id, m.key, f"{m.name.get('en') or m.key} ({m.version})") for m in rows if m.id]


def latest_model(session: Session, key: str) -> MaturityModel | None:
    """The most recently imported version of a model."""
    return session.exec(
        select(MaturityModel).where(MaturityModel.key == key).order_by(col(MaturityModel.id).desc())
    ).first()


def facilitator_options(session: Session) -> list[tuple[int, str]]:
    """Active users who may facilitate."""
    from ..permissions import PERMISSIONS

    roles = PERMISSIONS["maturity.facilitate"]
    users = session.exec(
        select(User).where(col(User.is_active).is_(True)).order_by(col(User.name))
    ).all()
    return [(u.id, u.name) for u in users if u.id and u.role_names & roles]


def user_options(session: Session) -> list[tuple[int, str]]:
    rows = session.exec(
        select(User.id, User.name).where(col(User.is_active).is_(True)).order_by(col(User.name))
    ).all()
    return [(uid, name) for uid, name in rows if uid is not None]


# --- setting up --------------------------------------------------------------------------------


def _check_facilitator(session: Session, user_id: int) -> None:
    user = session.get(User, user_id)
    if user is None or not user.is_active or not Actor.of(user).can("maturity.facilitate"):
        raise Invalid(
            errors={
                "facilitator_id": _l(
                    "The facilitator must be an active user allowed to facilitate assessments."
                )
            }
        )


def _check_user(session: Session, user_id: int, field: str) -> User:
    user = session.get(User, user_id)
    if user is None or not user.is_active:
        raise Invalid(errors={field: _l("There is no active user with the id %(id)s.", id=user_id)})
    return user


def create(
    session: Session, actor: Actor, data: AssessmentCreate, *, now: datetime | None = None
) -> MaturityAssessment:
    require(actor, "maturity.manage")
    now = now or utcnow()
    model = session.get(MaturityModel, data.model_id)
    if model is None:
        raise Invalid(errors={"model_id": _l("The maturity model does not exist.")})
    if not elements_of(session, data.model_id):
        raise Invalid(errors={"model_id": _l("The maturity model has no elements to score.")})
    if session.get(OrgUnit, data.org_unit_id) is None:
        raise Invalid(errors={"org_unit_id": _l("The org unit does not exist.")})
    _check_facilitator(session, data.facilitator_id)
    assessor_ids = list(dict.fromkeys(data.assessor_ids))
    for uid in assessor_ids:
        _check_user(session, uid, "assessor_ids")
    values = data.model_dump(exclude={"assessor_ids"})
    item = add_numbered(
        session,
        MaturityAssessment,
        now.year,
        lambda number: MaturityAssessment(
            reference=f"MA-{now.year}-{number:03d}",
            year=now.year,
            number=number,
            created_by_id=actor.user_id,
            created_at=now,
            **values,
        ),
    )
    snap = audit.snapshot(item) | {"assessor_ids": assessor_ids}
    for uid in assessor_ids:
        session.add(AssessmentAssessor(assessment_id=item.id, user_id=uid))  # type: ignore[arg-type]
    flush(session)
    audit.record(session, actor, "create", ENTITY, item.id, snap, now=now)
    commit(session)
    return item


def _locked(item: MaturityAssessment) -> None:
    if item.state == S.PUBLISHED:
        raise Conflict(
            _l(
                "Assessment %(ref)s is published; it no longer changes.",
                ref=item.reference,
            )
        )


def _in_state(item: MaturityAssessment, *states: str) -> None:
    _locked(item)
    if item.state not in states:
        raise Conflict(
            _l(
                "Assessment %(ref)s is %(state)s; this is not possible now.",
                ref=item.reference,
                state=label(item.state),
            )
        )


def _facilitating(session: Session, actor: Actor, assessment_id: int) -> MaturityAssessment:
    item = get(session, actor, assessment_id)
    if not may_facilitate(actor, item):
        raise Forbidden(_l("Only the facilitator or a co-ordinator may do this."))
    return item


def update(
    session: Session,
    actor: Actor,
    assessment_id: int,
    data: AssessmentUpdate,
    expected: int | None,
) -> MaturityAssessment:
    item = _facilitating(session, actor, assessment_id)
    check_version(item, expected)
    _locked(item)
    if data.facilitator_id != item.facilitator_id:
        if not actor.can("maturity.manage"):
            raise Forbidden(
                _l("Only a co-ordinator may hand the assessment to another facilitator.")
            )
        _check_facilitator(session, data.facilitator_id)
    before = audit.snapshot(item)
    for key, value in data.model_dump().items():
        setattr(item, key, value)
    changes = audit.diff(before, audit.snapshot(item))
    if not changes:
        return item
    session.add(item)
    flush(session)
    audit.record(session, actor, "update", ENTITY, item.id, changes)
    commit(session)
    return item


def add_assessor(
    session: Session, actor: Actor, assessment_id: int, data: AssessorIn
) -> AssessmentAssessor:
    item = _facilitating(session, actor, assessment_id)
    _in_state(item, S.DRAFT, S.SCORING)
    user = _check_user(session, data.user_id, "user_id")
    exists = session.exec(
        select(AssessmentAssessor.id).where(
            AssessmentAssessor.assessment_id == item.id,
            AssessmentAssessor.user_id == data.user_id,
        )
    ).first()
    if exists:
        raise Invalid(errors={"user_id": _l("%(name)s already assesses this.", name=user.name)})
    row = AssessmentAssessor(assessment_id=item.id, user_id=data.user_id)  # type: ignore[arg-type]
    session.add(row)
    flush(session)
    audit.record(session, actor, "add_assessor", ENTITY, item.id, {"user_id": data.user_id})
    commit(session)
    return row


def remove_assessor(session: Session, actor: Actor, assessment_id: int, user_id: int) -> None:
    """Before submitting only: a submitted assessment of the unit is not taken back."""
    item = _facilitating(session, actor, assessment_id)
    _in_state(item, S.DRAFT, S.SCORING)
    row = session.exec(
        select(AssessmentAssessor).where(
            AssessmentAssessor.assessment_id == item.id, AssessmentAssessor.user_id == user_id
        )
    ).first()
    if row is None:
        raise NotFound(_l("This user is not an assessor here."))
    if row.submitted_at is not None:
        raise Conflict(_l("The assessor has submitted; their scores stay."))
    # Bulk: the rows go together, and their unsubmitted levels need no audit trail.
    session.execute(delete(AssessorScore).where(col(AssessorScore.assessor_id) == row.id))
    session.delete(row)
    flush(session)
    audit.record(session, actor, "remove_assessor", ENTITY, item.id, {"user_id": user_id})
    commit(session)


def _move(
    session: Session, actor: Actor, item: MaturityAssessment, state: str, **values: Any
) -> MaturityAssessment:
    before = audit.snapshot(item)
    item.state = state
    for key, value in values.items():
        setattr(item, key, value)
    session.add(item)
    flush(session)
    audit.record(session, actor, state, ENTITY, item.id, audit.diff(before, audit.snapshot(item)))
    return item


def open_scoring(
    session: Session, actor: Actor, assessment_id: int, expected: int | None
) -> MaturityAssessment:
    item = _facilitating(session, actor, assessment_id)
    check_version(item, expected)
    _in_state(item, S.DRAFT)
    if not assessors_of(session, assessment_id):
        raise Conflict(_l("Name at least one assessor before scoring opens."))
    _move(session, actor, item, S.SCORING)
    commit(session)
    return item


# --- scoring -----------------------------------------------------------------------------------


def _assessor_row(session: Session, actor: Actor, item: MaturityAssessment) -> AssessmentAssessor:
    row = None
    if actor.user_id is not None:
        row = session.exec(
            select(AssessmentAssessor).where(
                AssessmentAssessor.assessment_id == item.id,
                AssessmentAssessor.user_id == actor.user_id,
            )
        ).first()
    if row is None:
        raise Forbidden(_l("You are not an assessor of %(ref)s.", ref=item.reference))
    return row


def _scoring(session: Session, actor: Actor, assessment_id: int) -> tuple[Any, Any]:
    item = get(session, actor, assessment_id)
    mine = _assessor_row(session, actor, item)
    _in_state(item, S.SCORING)
    if mine.submitted_at is not None:
        raise Conflict(_l("You have submitted your scores; they no longer change."))
    return item, mine


def save_scores(
    session: Session,
    actor: Actor,
    assessment_id: int,
    data: ScoresIn,
    *,
    now: datetime | None = None,
) -> MyScores:
    """Save (a draft of) the actor's own scores. Each score names the version it was edited
    from; a score changed meanwhile (in another tab) is a Conflict."""
    now = now or utcnow()
    item, mine = _scoring(session, actor, assessment_id)
    model = get_or_404(session, MaturityModel, item.model_id)
    elements = {e.id: e for e in elements_of(session, item.model_id)}
    values = set(level_values(model))
    existing = {
        s.element_id: s
        for s in session.exec(select(AssessorScore).where(AssessorScore.assessor_id == mine.id))
    }
    errors: dict[str, Any] = {}
    for i, score in enumerate(data.scores):
        if score.element_id not in elements:
            errors[f"scores.{i}.element_id"] = _l("The element is not part of this model.")
        elif score.level not in values:
            errors[f"scores.{i}.level"] = _l("Choose one of the model's levels.")
    if errors:
        raise Invalid(errors=errors)
    changed = []
    for score in data.scores:
        row = existing.get(score.element_id)
        if row is None:
            row = AssessorScore(
                assessment_id=item.id,
                assessor_id=mine.id,
                element_id=score.element_id,
                level=score.level,
                evidence=score.evidence,
                comment=score.comment,
                scored_at=now,
            )
            existing[score.element_id] = row
        else:
            check_version(row, score.version)
            if (row.level, row.evidence, row.comment) == (
                score.level,
                score.evidence,
                score.comment,
            ):
                continue
            row.level, row.evidence, row.comment = score.level, score.evidence, score.comment
            row.scored_at = now
        session.add(row)
        changed.append(score.element_id)
    if changed:
        flush(session)
        # Which elements, not the levels: audit readers must not see hidden scores.
        audit.record(
            session, actor, "score", ENTITY, item.id, {"elements": sorted(changed)}, now=now
        )
        commit(session)
    return MyScores(mine, existing)


def submit(
    session: Session, actor: Actor, assessment_id: int, *, now: datetime | None = None
) -> AssessmentAssessor:
    """Hand in the actor's scores: all elements scored; then they no longer change."""
    now = now or utcnow()
    item, mine = _scoring(session, actor, assessment_id)
    elements = elements_of(session, item.model_id)
    scores = {
        s.element_id: s
        for s in session.exec(select(AssessorScore).where(AssessorScore.assessor_id == mine.id))
    }
    missing = [e for e in elements if e.id not in scores]
    if missing:
        names = ", ".join(e.name.get("en") or e.key for e in missing)
        raise Invalid(
            _l("Score every element before submitting; missing: %(names)s.", names=names),
            errors={"scores": _l("%(count)s elements are not scored yet.", count=len(missing))},
        )
    mine.submitted_at = now
    session.add(mine)
    flush(session)
    # The levels go into the trail when scoring closes: the history is readable by all,
    # and the other assessors must not learn them from it before they submit.
    audit.record(session, actor, "submit", ENTITY, item.id, {"elements": len(scores)}, now=now)
    commit(session)
    return mine


def close_scoring(
    session: Session,
    actor: Actor,
    assessment_id: int,
    data: CloseScoringIn,
    expected: int | None,
) -> MaturityAssessment:
    item = _facilitating(session, actor, assessment_id)
    check_version(item, expected)
    _in_state(item, S.SCORING)
    rows = assessors_of(session, assessment_id)
    submitted = [r for r in rows if r.assessor.submitted_at is not None]
    missing = [r.name for r in rows if r.assessor.submitted_at is None]
    if not submitted:
        raise Conflict(_l("No assessor has submitted yet."))
    if missing and not data.leave_out_missing:
        raise Conflict(
            _l(
                "Not submitted yet: %(names)s. Wait for them, or close scoring leaving their "
                "scores out.",
                names=", ".join(missing),
            ),
            missing=missing,
        )
    scores: dict[int, list[int]] = defaultdict(list)
    names = {r.assessor.id: r.name for r in submitted}
    elements = elements_of(session, item.model_id)
    keys = {e.id: e.key for e in elements}
    handed_in: dict[str, dict[str, int]] = defaultdict(dict)
    for s in session.exec(
        select(AssessorScore).where(col(AssessorScore.assessor_id).in_(list(names)))
    ):
        scores[s.element_id].append(s.level)
        handed_in[names[s.assessor_id]][keys.get(s.element_id, str(s.element_id))] = s.level
    for element in elements:
        assert element.id is not None
        session.add(
            ElementResult(
                assessment_id=item.id,  # type: ignore[arg-type]
                element_id=element.id,
                level=scoring.proposal(scores[element.id]),
            )
        )
    _move(session, actor, item, S.CONSOLIDATING)
    audit.record(session, actor, "scores", ENTITY, item.id, {"submitted": dict(handed_in)})
    if missing:
        audit.record(session, actor, "left_out", ENTITY, item.id, {"assessors": missing})
    commit(session)
    return item


# --- consolidation and publication -------------------------------------------------------------


def consolidate(
    session: Session,
    actor: Actor,
    assessment_id: int,
    element_id: int,
    data: ConsolidationIn,
    expected: int | None,
) -> ElementResult:
    item = _facilitating(session, actor, assessment_id)
    _in_state(item, S.CONSOLIDATING)
    row = session.exec(
        select(ElementResult).where(
            ElementResult.assessment_id == item.id, ElementResult.element_id == element_id
        )
    ).first()
    if row is None:
        raise NotFound(_l("The element is not part of this assessment."))
    check_version(row, expected)
    model = get_or_404(session, MaturityModel, item.model_id)
    values = set(level_values(model))
    errors: dict[str, Any] = {}
    if data.level is not None and data.level not in values:
        errors["level"] = _l("Choose one of the model's levels.")
    if data.target is not None and data.target not in values:
        errors["target"] = _l("Choose one of the model's levels.")
    if (
        data.target is not None
        and data.level is not None
        and data.target > data.level
        and not data.target_rationale.strip()
    ):
        errors["target_rationale"] = _l("Say why the element should reach this target.")
    if errors:
        raise Invalid(errors=errors)
    before = audit.snapshot(row)
    for key, value in data.model_dump().items():
        setattr(row, key, value)
    changes = audit.diff(before, audit.snapshot(row))
    if not changes:
        return row
    session.add(row)
    flush(session)
    audit.record(session, actor, "consolidate", "element_result", row.id, changes)
    commit(session)
    return row


def previous_published(
    session: Session, item: MaturityAssessment, model_key: str
) -> MaturityAssessment | None:
    """The unit's latest published assessment of the same model key before ``item``."""
    return session.exec(
        select(MaturityAssessment)
        .join(MaturityModel, col(MaturityModel.id) == MaturityAssessment.model_id)
        .where(
            MaturityModel.key == model_key,
            MaturityAssessment.org_unit_id == item.org_unit_id,
            MaturityAssessment.state == S.PUBLISHED,
            col(MaturityAssessment.id) != item.id,
            col(MaturityAssessment.assessed_on) <= item.assessed_on,
        )
        .order_by(col(MaturityAssessment.assessed_on).desc(), col(MaturityAssessment.id).desc())
        .limit(1)
    ).first()


def publish(
    session: Session,
    actor: Actor,
    assessment_id: int,
    expected: int | None,
    *,
    now: datetime | None = None,
) -> MaturityAssessment:
    now = now or utcnow()
    item = _facilitating(session, actor, assessment_id)
    check_version(item, expected)
    _in_state(item, S.CONSOLIDATING)
    model = get_or_404(session, MaturityModel, item.model_id)
    elements = elements_of(session, item.model_id)
    results = results_of(session, assessment_id)
    missing = [e for e in elements if e.id not in results or results[e.id].level is None]
    if missing:
        raise Conflict(
            _l(
                "Consolidate a level for every element before publishing; missing: %(names)s.",
                names=", ".join(e.name.get("en") or e.key for e in missing),
            )
        )
    found = scoring.overall(
        model.method,
        [(results[e.id].level, e.weight) for e in elements if e.id is not None],
    )
    previous = previous_published(session, item, model.key)
    _move(
        session,
        actor,
        item,
        S.PUBLISHED,
        overall_score=found.score,
        overall_level=found.level,
        previous_id=previous.id if previous else None,
        published_at=now,
        published_by_id=actor.user_id,
    )
    commit(session)
    return item
