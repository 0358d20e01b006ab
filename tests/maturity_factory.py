"""Build maturity models and assessments for tests, without the shipped YAML libraries: the
model rows are added directly, the assessments go through the services."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlmodel import Session

from eagov.models import MaturityElement, MaturityModel, User
from eagov.permissions import SYSTEM, Actor
from eagov.schemas.accounts import UserCreate
from eagov.schemas.maturity import (
    AssessmentCreate,
    CloseScoringIn,
    ConsolidationIn,
    ScoreIn,
    ScoresIn,
)
from eagov.schemas.org import OrgUnitIn
from eagov.services import accounts, org
from eagov.services import maturity_assessments as svc

PASSWORD = "correct-horse-battery"
LEVEL_NAMES = ["None", "Initial", "Under development", "Defined", "Managed", "Measured"]


def make_model(
    session: Session,
    *,
    key: str = "acmm",
    version: str = "1.0",
    method: str = "weighted_mean",
    elements: int = 3,
    weights: list[float] | None = None,
) -> MaturityModel:
    model = MaturityModel(
        key=key,
        version=version,
        name={"en": f"Model {key}", "zh_Hans": f"模型 {key}"},
        method=method,
        levels=[{"value": i, "name": {"en": n}} for i, n in enumerate(LEVEL_NAMES)],
    )
    session.add(model)
    session.flush()
    for i in range(elements):
        session.add(
            MaturityElement(
                model_id=model.id,  # type: ignore[arg-type]
                key=f"e{i + 1}",
                position=i,
                name={"en": f"Element {i + 1}"},
                weight=(weights or [1.0] * elements)[i],
                descriptors={
                    str(lv): {"en": f"E{i + 1} at level {lv}: {n}"}
                    for lv, n in enumerate(LEVEL_NAMES)
                },
            )
        )
    session.commit()
    return model


def make_user(session: Session, email: str, *roles: str) -> User:
    user, _ = accounts.create_user(
        session,
        SYSTEM,
        UserCreate(
            email=email,
            name=email.split("@")[0].replace(".", " ").title(),
            roles=list(roles) or ["viewer"],  # type: ignore[arg-type]
            password=PASSWORD,
        ),
    )
    return user


@dataclass
class Setup:
    model: MaturityModel
    unit_id: int
    coordinator: User
    facilitator: User
    assessors: list[User]
    outsider: User
    elements: list[MaturityElement] = field(default_factory=list)

    def actor(self, user: User) -> Actor:
        return Actor.of(user)


def make_setup(
    session: Session,
    tag: str = "",
    *,
    assessors: int = 3,
    method: str = "weighted_mean",
    elements: int = 3,
    model: MaturityModel | None = None,
) -> Setup:
    model = model or make_model(session, method=method, elements=elements)
    unit = org.create_unit(session, SYSTEM, OrgUnitIn(name=f"Unit {tag or 'A'}", kind="division"))
    coordinator = make_user(session, f"coord{tag}@example.com", "review_coordinator")
    facilitator = make_user(session, f"facil{tag}@example.com", "architect")
    people = [make_user(session, f"assessor{tag}.{i}@example.com") for i in range(assessors)]
    outsider = make_user(session, f"outsider{tag}@example.com", "board_member")
    assert unit.id is not None and model.id is not None
    return Setup(
        model,
        unit.id,
        coordinator,
        facilitator,
        people,
        outsider,
        svc.elements_of(session, model.id),
    )


def create_assessment(
    session: Session, st: Setup, *, on: date = date(2025, 3, 1), now: datetime | None = None
) -> int:
    item = svc.create(
        session,
        Actor.of(st.coordinator),
        AssessmentCreate(
            model_id=st.model.id,  # type: ignore[arg-type]
            org_unit_id=st.unit_id,
            assessed_on=on,
            title="Yearly assessment",
            facilitator_id=st.facilitator.id,  # type: ignore[arg-type]
            assessor_ids=[u.id for u in st.assessors],  # type: ignore[misc]
        ),
        now=now or datetime(on.year, on.month, on.day, 9, tzinfo=UTC),
    )
    assert item.id is not None
    return item.id


def score_all(
    session: Session, st: Setup, assessment_id: int, user: User, levels: list[int]
) -> None:
    svc.save_scores(
        session,
        Actor.of(user),
        assessment_id,
        ScoresIn(
            scores=[
                ScoreIn(element_id=e.id, level=lv, evidence=f"evidence {lv}")  # type: ignore[arg-type]
                for e, lv in zip(st.elements, levels, strict=True)
            ]
        ),
    )
    svc.submit(session, Actor.of(user), assessment_id)


def published(
    session: Session,
    st: Setup,
    scores: list[list[int]],
    *,
    on: date = date(2025, 3, 1),
    targets: list[int] | None = None,
) -> int:
    """An assessment scored by the setup's assessors (one list of levels each), consolidated
    on the proposals (with targets) and published."""
    aid = create_assessment(session, st, on=on)
    fac = Actor.of(st.facilitator)
    item = svc.get(session, fac, aid)
    svc.open_scoring(session, fac, aid, item.version)
    for user, levels in zip(st.assessors, scores, strict=True):
        score_all(session, st, aid, user, levels)
    item = svc.get(session, fac, aid)
    svc.close_scoring(session, fac, aid, CloseScoringIn(), item.version)
    results = svc.results_of(session, aid)
    for i, e in enumerate(st.elements):
        row = results[e.id]  # type: ignore[index]
        target = targets[i] if targets else None
        svc.consolidate(
            session,
            fac,
            aid,
            e.id,  # type: ignore[arg-type]
            ConsolidationIn(
                level=row.level,
                target=target,
                target_rationale="Needed for the programme" if target else "",
            ),
            row.version,
        )
    item = svc.get(session, fac, aid)
    svc.publish(
        session, fac, aid, item.version, now=datetime(on.year, on.month, on.day, 17, tzinfo=UTC)
    )
    return aid
