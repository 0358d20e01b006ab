"""Demonstration maturity assessments: Retail Banking, Corporate Banking and Data & Analytics
each assessed twice against the ACMM, about a year apart (so their trends show), by two or
three assessors with some disagreements, consolidated with targets and published; and the
Enterprise Architecture Office's assessment with scoring open, in which the demo architect
still has to score.

Built through the services as the demo users (the co-ordinator sets up, the architect and
the co-ordinator facilitate), with the clock injected wherever a service takes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from .models import MaturityModel, OrgUnit, User
from .permissions import Actor
from .schemas.maturity import (
    AssessmentCreate,
    CloseScoringIn,
    ConsolidationIn,
    ScoreIn,
    ScoresIn,
)
from .services import maturity_assessments as svc
from .services import maturity_models

DOMAIN = "demo.eagov.example"


@dataclass(frozen=True)
class _Plan:
    unit: str  # org unit name
    facilitator: str  # demo login
    assessors: tuple[str, ...]
    # Consolidated-to-be levels per ACMM element (nine), a year ago and now.
    before: tuple[int, ...]
    now: tuple[int, ...]
    targets: tuple[int, ...]


PLANS = (
    _Plan(
        "Retail Banking",
        "architect",
        ("architect", "sponsor", "contributor"),
        (2, 1, 2, 1, 1, 1, 3, 1, 2),
        (3, 2, 3, 2, 2, 2, 3, 2, 3),
        (4, 3, 4, 3, 3, 3, 4, 3, 4),
    ),
    _Plan(
        "Corporate Banking",
        "coordinator",
        ("member", "architect"),
        (1, 1, 1, 0, 1, 1, 2, 1, 1),
        (2, 1, 2, 1, 2, 1, 3, 2, 2),
        (3, 3, 3, 2, 3, 2, 4, 3, 3),
    ),
    _Plan(
        "Data & Analytics",
        "architect",
        ("chair", "member", "viewer"),
        (2, 2, 1, 2, 2, 1, 3, 2, 1),
        (3, 3, 2, 2, 3, 2, 4, 3, 2),
        (4, 4, 3, 3, 3, 3, 4, 4, 3),
    ),
)
# How each assessor's score departs from the level agreed later; the third assessor of the
# first unit reads two elements quite differently (a disagreement of two levels).
OFFSETS = (
    (0, 0, 1, 0, -1, 0, 0, 0, 1),
    (0, 1, 0, 0, 0, -1, 0, 1, 0),
    (-1, 0, 0, 1, 0, 0, -2, 0, 0),
)
EVIDENCE = (
    "Seen in the architecture repository and the last two board packs.",
    "Discussed with the unit's lead architect; practice is not yet written down.",
    "Interviews with three project leads; practice differs between teams.",
)


def _acmm(session: Session) -> MaturityModel:
    maturity_models.ensure_shipped_models(session)
    model = svc.latest_model(session, "acmm")
    assert model is not None, "the shipped ACMM library is missing"
    return model


def load(session: Session, now: datetime) -> list[str]:
    """Add the demo assessments; returns their references."""
    model = _acmm(session)
    assert model.id is not None
    elements = svc.elements_of(session, model.id)
    users = session.exec(select(User).where(col(User.email).endswith(f"@{DOMAIN}"))).all()
    actors = {u.email.split("@")[0]: Actor.of(u) for u in users}
    ids = {u.email.split("@")[0]: u.id for u in users if u.id is not None}
    units = {name: uid for name, uid in session.exec(select(OrgUnit.name, OrgUnit.id)) if uid}
    top = max(svc.level_values(model))
    refs = []
    for plan in PLANS:
        for levels, days_ago, targets in (
            (plan.before, 420, plan.targets),
            (plan.now, 55, plan.targets),
        ):
            refs.append(
                _published(
                    session,
                    model.id,
                    elements,
                    actors,
                    ids,
                    units[plan.unit],
                    plan,
                    levels,
                    targets,
                    now - timedelta(days=days_ago),
                    top,
                )
            )
    refs.append(_in_scoring(session, model.id, elements, actors, ids, units, now))
    return refs


def _create(
    session: Session,
    model_id: int,
    actors: dict[str, Actor],
    ids: dict[str, int],
    unit_id: int,
    facilitator: str,
    assessors: tuple[str, ...],
    at: datetime,
    title: str,
) -> int:
    item = svc.create(
        session,
        actors["coordinator"],
        AssessmentCreate(
            model_id=model_id,
            org_unit_id=unit_id,
            assessed_on=at.date(),
            title=title,
            facilitator_id=ids[facilitator],
            assessor_ids=[ids[a] for a in assessors],
        ),
        now=at - timedelta(days=14),
    )
    assert item.id is not None
    svc.open_scoring(session, actors[facilitator], item.id, item.version)
    return item.id


def _scores(elements: list, levels: tuple[int, ...], index: int, top: int) -> ScoresIn:
    offsets = OFFSETS[index % len(OFFSETS)]
    return ScoresIn(
        scores=[
            ScoreIn(
                element_id=e.id,
                level=min(max(level + offsets[i], 0), top),
                evidence=EVIDENCE[(i + index) % len(EVIDENCE)],
                comment="" if i % 3 else "Better than last year, not yet consistent.",
            )
            for i, (e, level) in enumerate(zip(elements, levels, strict=True))
        ]
    )


def _published(
    session: Session,
    model_id: int,
    elements: list,
    actors: dict[str, Actor],
    ids: dict[str, int],
    unit_id: int,
    plan: _Plan,
    levels: tuple[int, ...],
    targets: tuple[int, ...],
    at: datetime,
    top: int,
) -> str:
    title = f"Architecture capability {at.year}"
    aid = _create(
        session, model_id, actors, ids, unit_id, plan.facilitator, plan.assessors, at, title
    )
    for index, who in enumerate(plan.assessors):
        svc.save_scores(session, actors[who], aid, _scores(elements, levels, index, top), now=at)
        svc.submit(session, actors[who], aid, now=at)
    fac = actors[plan.facilitator]
    item = svc.get(session, fac, aid)
    svc.close_scoring(session, fac, aid, CloseScoringIn(), item.version)
    proposals = svc.results_of(session, aid)
    for e, level, target in zip(elements, levels, targets, strict=True):
        row = proposals[e.id]
        note = "" if row.level == level else "Agreed in the consolidation workshop."
        svc.consolidate(
            session,
            fac,
            aid,
            e.id,
            ConsolidationIn(
                level=level,
                consolidation_note=note,
                target=target,
                target_rationale=(
                    "Needed for the group's target operating model within two years."
                    if target > level
                    else ""
                ),
                recommendation=(
                    "Write the practice down and measure it at every project checkpoint."
                    if target - level >= 2
                    else ""
                ),
            ),
            row.version,
        )
    item = svc.get(session, fac, aid)
    done = svc.publish(session, fac, aid, item.version, now=at + timedelta(days=7))
    return done.reference


def _in_scoring(
    session: Session,
    model_id: int,
    elements: list,
    actors: dict[str, Actor],
    ids: dict[str, int],
    units: dict[str, int],
    now: datetime,
) -> str:
    """The architecture office assesses itself: the co-ordinator has submitted, the member
    saved a draft, the architect has not started."""
    unit_id = units["Enterprise Architecture Office"]
    assert unit_id is not None
    aid = _create(
        session,
        model_id,
        actors,
        ids,
        unit_id,
        "coordinator",
        ("coordinator", "member", "architect"),
        now - timedelta(days=2),
        f"Architecture capability {now.year}",
    )
    levels = (3, 3, 2, 2, 2, 3, 3, 3, 2)
    svc.save_scores(session, actors["coordinator"], aid, _scores(elements, levels, 0, 5), now=now)
    svc.submit(session, actors["coordinator"], aid, now=now)
    draft = _scores(elements, levels, 1, 5)
    svc.save_scores(session, actors["member"], aid, ScoresIn(scores=draft.scores[:4]), now=now)
    return svc.get(session, actors["coordinator"], aid).reference
