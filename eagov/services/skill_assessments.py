"""People's skills: assessments (self, manager, board) and the roles people hold or target.

Rules:
- A person assesses themselves (source ``self``, not agreed). Their manager (the holder of a
  position that one of their positions reports to) or an assessor holding ``skills.assess``
  assesses them as ``manager``; ``skills.assess`` holders also as ``board_assessment``.
  Manager and board assessments are agreed. Nobody agrees their own level.
- Rows are never edited. A manager (or a ``skills.assess`` holder) confirms a
  self-assessment by adding an agreed row with the same level and date, judged by them; the
  self-assessment then shows as confirmed.
- The current level of a skill is the latest agreed assessment on or before a date (ties on
  the same day: the one recorded last). A newer self-assessment never overrides it.
- Roles held: ``PersonRole`` rows with relation ``held`` plus the architecture role of every
  position the person holds (matched to the framework's role by key). Roles targeted:
  ``PersonRole`` rows with relation ``target``. A person sets their own targets; their
  manager and ``skills.assess`` holders set both.
- Skills are personal data: a person reads their own, a manager their direct reports', and
  ``skills.read_all`` holders everyone's.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, union
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from ..errors import Conflict, Forbidden, Invalid, NotFound
from ..models import (
    AssessmentSource,
    OrgUnit,
    Person,
    PersonRole,
    Position,
    RoleRelation,
    Skill,
    SkillAssessment,
    SkillFramework,
    SkillRole,
    utcnow,
)
from ..permissions import Actor, require
from ..schemas.skill_assessments import AssessmentIn, ConfirmIn, PersonRoleIn
from . import audit, skill_frameworks
from .common import commit, flush, get_or_404
from .org_queries import like_pattern, person_of

SELF = AssessmentSource.SELF.value
MANAGER = AssessmentSource.MANAGER.value
BOARD = AssessmentSource.BOARD.value
HELD = RoleRelation.HELD.value
_ROLE_REFUSAL = _l(
    "A person sets the roles they head for; their manager or an assessor the roles they hold."
)
TARGET = RoleRelation.TARGET.value


# --- the framework in use ----------------------------------------------------------------------


def current_framework(session: Session) -> SkillFramework | None:
    """The framework in use (the one imported last)."""
    return skill_frameworks.current_framework(session)


def require_framework(session: Session) -> SkillFramework:
    fw = current_framework(session)
    if fw is None:
        raise NotFound(_l("No skills framework has been imported yet."))
    return fw


# --- who may see and judge whom ----------------------------------------------------------------


def managers_of(session: Session, person_id: int) -> set[int]:
    """The people holding a position that one of ``person_id``'s positions reports to."""
    own, boss = aliased(Position), aliased(Position)
    rows = session.exec(
        select(boss.holder_id)
        .join(own, col(own.reports_to_id) == col(boss.id))
        .where(own.holder_id == person_id, col(boss.holder_id).is_not(None))
    ).all()
    return {int(r) for r in rows if r is not None}


def reports_of(session: Session, manager_id: int) -> set[int]:
    """The direct reports of ``manager_id``: holders of positions reporting to theirs."""
    own, report = aliased(Position), aliased(Position)
    rows = session.exec(
        select(report.holder_id)
        .join(own, col(report.reports_to_id) == col(own.id))
        .where(own.holder_id == manager_id, col(report.holder_id).is_not(None))
    ).all()
    return {int(r) for r in rows if r is not None and r != manager_id}


@dataclass(frozen=True)
class Rights:
    """What the actor may do about one person's skills."""

    read: bool
    sources: frozenset[str]  # the sources they may assess as
    confirm: bool
    relations: frozenset[str]  # the role relations they may set


def rights(session: Session, actor: Actor, person_id: int) -> Rights:
    me = person_of(session, actor)
    own = me is not None and me.id == person_id
    manager = me is not None and not own and person_id in reports_of(session, me.id)  # type: ignore[arg-type]
    assessor = actor.can("skills.assess") and not own
    sources: set[str] = set()
    if own:
        sources.add(SELF)
    if manager or assessor:
        sources.add(MANAGER)
    if assessor:
        sources.add(BOARD)
    relations: set[str] = set()
    if own or manager or assessor:
        relations.add(TARGET)
    if manager or assessor:
        relations.add(HELD)
    return Rights(
        read=own or manager or actor.can("skills.read_all"),
        sources=frozenset(sources),
        confirm=manager or assessor,
        relations=frozenset(relations),
    )


def readable_people(session: Session, actor: Actor) -> set[int] | None:
    """The people whose skills the actor reads; None: everyone."""
    require(actor, "skills.read")
    if actor.can("skills.read_all"):
        return None
    me = person_of(session, actor)
    if me is None:
        return set()
    return {me.id, *reports_of(session, me.id)}  # type: ignore[arg-type]


def require_read(session: Session, actor: Actor, person_id: int) -> Person:
    require(actor, "skills.read")
    person = get_or_404(session, Person, person_id)
    if not rights(session, actor, person_id).read:
        raise Forbidden(_l("You may only see your own skills and those of your reports."))
    return person


def require_read_all(actor: Actor) -> None:
    """Team views (heatmaps, coverage, candidates) show many people's skills."""
    require(actor, "skills.read_all")


# --- assessments -------------------------------------------------------------------------------


def record(
    session: Session, actor: Actor, data: AssessmentIn, *, today: date | None = None
) -> SkillAssessment:
    """Record one judgement of a person's level in a skill."""
    require(actor, "skills.read")
    today = today or utcnow().date()
    get_or_404(session, Person, data.person_id)
    skill = get_or_404(session, Skill, data.skill_id)
    fw = current_framework(session)
    if fw is not None and skill.framework_id != fw.id:
        raise Invalid(errors={"skill_id": _l("The skill is not part of the framework in use.")})
    allowed = rights(session, actor, data.person_id).sources
    if data.source.value not in allowed:
        raise Forbidden(_source_refusal(data.source.value))
    assessed_on = data.assessed_on or today
    if assessed_on > today:
        raise Invalid(errors={"assessed_on": _l("An assessment cannot be dated in the future.")})
    row = SkillAssessment(
        person_id=data.person_id,
        skill_id=data.skill_id,
        level=data.level,
        source=data.source.value,
        assessed_on=assessed_on,
        evidence=data.evidence,
        agreed=data.source.value != SELF,
        assessed_by_id=actor.user_id,
    )
    session.add(row)
    flush(session)
    audit.record(session, actor, "assess", "skill_assessment", row.id, audit.snapshot(row))
    commit(session)
    return row


def _source_refusal(source: str) -> Any:
    if source == SELF:
        return _l("Only the person themselves records a self-assessment.")
    if source == MANAGER:
        return _l("Only the person's manager or a skills assessor assesses as manager.")
    return _l("Only skills assessors record board assessments, and never of themselves.")


def confirm(
    session: Session,
    actor: Actor,
    assessment_id: int,
    data: ConfirmIn,
    *,
    today: date | None = None,
) -> SkillAssessment:
    """Agree a self-assessment: a new agreed row (same level and date), judged by the actor."""
    require(actor, "skills.read")
    own = get_or_404(session, SkillAssessment, assessment_id)
    if own.source != SELF:
        raise Conflict(_l("Only a self-assessment is confirmed; this one is agreed already."))
    if not rights(session, actor, own.person_id).confirm:
        raise Forbidden(_l("Only the person's manager or a skills assessor confirms it."))
    if _confirmation_of(session, own) is not None:
        raise Conflict(_l("This self-assessment is confirmed already."))
    me = person_of(session, actor)
    is_manager = me is not None and own.person_id in reports_of(session, me.id)  # type: ignore[arg-type]
    note = data.note.strip()
    evidence = note or own.evidence
    row = SkillAssessment(
        person_id=own.person_id,
        skill_id=own.skill_id,
        level=own.level,
        source=MANAGER if is_manager else BOARD,
        assessed_on=own.assessed_on,
        evidence=evidence,
        agreed=True,
        assessed_by_id=actor.user_id,
    )
    session.add(row)
    flush(session)
    audit.record(
        session,
        actor,
        "confirm",
        "skill_assessment",
        row.id,
        audit.snapshot(row) | {"confirms": own.id},
    )
    commit(session)
    return row


def _confirmation_of(session: Session, own: SkillAssessment) -> SkillAssessment | None:
    return session.exec(
        select(SkillAssessment).where(
            SkillAssessment.person_id == own.person_id,
            SkillAssessment.skill_id == own.skill_id,
            SkillAssessment.level == own.level,
            SkillAssessment.assessed_on == own.assessed_on,
            col(SkillAssessment.agreed).is_(True),
            col(SkillAssessment.id) > own.id,
        )
    ).first()


def confirmed_ids(rows: Iterable[SkillAssessment]) -> set[int]:
    """The self-assessments among ``rows`` that a later agreed row at the same level and
    date confirms (``rows`` holds a person's whole history of the skills concerned)."""
    agreed: dict[tuple[int, int, date, int], int] = {}
    for r in rows:
        if r.agreed and r.id is not None:
            key = (r.person_id, r.skill_id, r.assessed_on, r.level)
            agreed[key] = max(agreed.get(key, 0), r.id)
    out: set[int] = set()
    for r in rows:
        if r.source == SELF and r.id is not None:
            later = agreed.get((r.person_id, r.skill_id, r.assessed_on, r.level), 0)
            if later > r.id:
                out.add(r.id)
    return out


def history(session: Session, person_id: int) -> list[SkillAssessment]:
    """Every assessment of a person, newest first (the caller checked the right to read)."""
    return list(
        session.exec(
            select(SkillAssessment)
            .where(SkillAssessment.person_id == person_id)
            .order_by(col(SkillAssessment.assessed_on).desc(), col(SkillAssessment.id).desc())
        ).all()
    )


def assessments_query(
    session: Session,
    actor: Actor,
    *,
    person_id: int | None = None,
    skill_id: int | None = None,
    source: str | None = None,
    agreed: bool | None = None,
) -> Any:
    """The assessments the actor may read, filtered, newest first (for lists and the API)."""
    readable = readable_people(session, actor)
    stmt = select(SkillAssessment)
    if readable is not None:
        stmt = stmt.where(col(SkillAssessment.person_id).in_(readable or {-1}))
    if person_id is not None:
        stmt = stmt.where(SkillAssessment.person_id == person_id)
    if skill_id is not None:
        stmt = stmt.where(SkillAssessment.skill_id == skill_id)
    if source is not None:
        stmt = stmt.where(SkillAssessment.source == source)
    if agreed is not None:
        stmt = stmt.where(col(SkillAssessment.agreed).is_(agreed))
    return stmt.order_by(col(SkillAssessment.assessed_on).desc(), col(SkillAssessment.id).desc())


def get_assessment(session: Session, actor: Actor, assessment_id: int) -> SkillAssessment:
    row = get_or_404(session, SkillAssessment, assessment_id)
    require_read(session, actor, row.person_id)
    return row


# --- the current level -------------------------------------------------------------------------


def latest_agreed(as_of: date, people: Any = None, skills: Any = None) -> Any:
    """A subquery of the current level per (person_id, skill_id) on ``as_of``: the latest
    agreed assessment on or before that day. ``people`` and ``skills`` narrow it (a
    collection of ids or a select of ids)."""
    rank = (
        func.row_number()
        .over(
            partition_by=(col(SkillAssessment.person_id), col(SkillAssessment.skill_id)),
            order_by=(col(SkillAssessment.assessed_on).desc(), col(SkillAssessment.id).desc()),
        )
        .label("rn")
    )
    ranked = sa.select(
        col(SkillAssessment.id).label("assessment_id"),
        col(SkillAssessment.person_id),
        col(SkillAssessment.skill_id),
        col(SkillAssessment.level),
        col(SkillAssessment.assessed_on),
        col(SkillAssessment.source),
        rank,
    ).where(col(SkillAssessment.agreed).is_(True), col(SkillAssessment.assessed_on) <= as_of)
    if people is not None:
        ranked = ranked.where(col(SkillAssessment.person_id).in_(people))
    if skills is not None:
        ranked = ranked.where(col(SkillAssessment.skill_id).in_(skills))
    inner = ranked.subquery("ranked")
    return (
        sa.select(
            inner.c.assessment_id,
            inner.c.person_id,
            inner.c.skill_id,
            inner.c.level,
            inner.c.assessed_on,
            inner.c.source,
        )
        .where(inner.c.rn == 1)
        .subquery("current_level")
    )


@dataclass(frozen=True)
class Level:
    level: int
    assessed_on: date
    source: str
    assessment_id: int


def current_levels(
    session: Session,
    people: Collection[int] | Any,
    as_of: date,
    skills: Collection[int] | Any = None,
) -> dict[tuple[int, int], Level]:
    """(person_id, skill_id) -> the current level on ``as_of`` (one statement)."""
    cur = latest_agreed(as_of, people, skills)
    rows = session.execute(
        sa.select(
            cur.c.person_id,
            cur.c.skill_id,
            cur.c.level,
            cur.c.assessed_on,
            cur.c.source,
            cur.c.assessment_id,
        )
    ).all()
    return {
        (int(p), int(s)): Level(int(lv), on, str(src), int(aid)) for p, s, lv, on, src, aid in rows
    }


# --- roles held and targeted -------------------------------------------------------------------


@dataclass(frozen=True)
class RoleLink:
    role_id: int
    relation: str
    since: date | None = None
    person_role_id: int | None = None  # None: held through a position
    position_title: str | None = None


def pairs(framework_id: int, relations: Collection[str], people: Any = None) -> Any:
    """A selectable of distinct (person_id, role_id) for the given relations: ``held`` takes
    ``PersonRole`` rows and the architecture roles of positions, ``target`` the targets."""
    parts: list[Any] = []
    pr: Any = (
        select(
            col(PersonRole.person_id).label("person_id"), col(PersonRole.role_id).label("role_id")
        )
        .join(SkillRole, col(SkillRole.id) == col(PersonRole.role_id))
        .where(
            col(PersonRole.relation).in_(list(relations)), SkillRole.framework_id == framework_id
        )
    )
    if people is not None:
        pr = pr.where(col(PersonRole.person_id).in_(people))
    parts.append(pr)
    if HELD in relations:
        pos: Any = (
            select(col(Position.holder_id).label("person_id"), col(SkillRole.id).label("role_id"))
            .join(
                SkillRole,
                and_(
                    col(SkillRole.key) == col(Position.architecture_role),
                    col(SkillRole.framework_id) == framework_id,
                ),
            )
            .where(col(Position.holder_id).is_not(None))
        )
        if people is not None:
            pos = pos.where(col(Position.holder_id).in_(people))
        parts.append(pos)
    return (
        union(*parts).subquery("person_roles")
        if len(parts) > 1
        else parts[0].subquery("person_roles")
    )


def roles_of(
    session: Session, framework_id: int, people: Collection[int] | Any
) -> dict[int, list[RoleLink]]:
    """person_id -> their held and targeted roles of the framework (two statements)."""
    out: dict[int, list[RoleLink]] = defaultdict(list)
    rows = session.exec(
        select(PersonRole)
        .join(SkillRole, col(SkillRole.id) == col(PersonRole.role_id))
        .where(col(PersonRole.person_id).in_(people), SkillRole.framework_id == framework_id)
        .order_by(col(SkillRole.position), col(PersonRole.relation))
    ).all()
    for pr in rows:
        out[pr.person_id].append(RoleLink(pr.role_id, pr.relation, pr.since, pr.id))
    held = session.exec(
        select(Position.holder_id, SkillRole.id, Position.title)
        .join(
            SkillRole,
            and_(
                col(SkillRole.key) == col(Position.architecture_role),
                col(SkillRole.framework_id) == framework_id,
            ),
        )
        .where(col(Position.holder_id).in_(people))
        .order_by(col(Position.title))
    ).all()
    for pid, rid, title in held:
        if pid is not None and rid is not None:
            out[int(pid)].append(RoleLink(int(rid), HELD, None, None, title))
    return out


def add_role(session: Session, actor: Actor, data: PersonRoleIn) -> PersonRole:
    """A person holds or heads for a role."""
    require(actor, "skills.read")
    get_or_404(session, Person, data.person_id)
    role = get_or_404(session, SkillRole, data.role_id)
    fw = current_framework(session)
    if fw is not None and role.framework_id != fw.id:
        raise Invalid(errors={"role_id": _l("The role is not part of the framework in use.")})
    if data.relation.value not in rights(session, actor, data.person_id).relations:
        raise Forbidden(_ROLE_REFUSAL)
    exists = session.exec(
        select(PersonRole.id).where(
            PersonRole.person_id == data.person_id,
            PersonRole.role_id == data.role_id,
            PersonRole.relation == data.relation.value,
        )
    ).first()
    if exists is not None:
        raise Conflict(_l("The person already has this role with this relation."))
    row = PersonRole(
        person_id=data.person_id,
        role_id=data.role_id,
        relation=data.relation.value,
        since=data.since,
    )
    session.add(row)
    flush(session)
    audit.record(session, actor, "create", "person_role", row.id, audit.snapshot(row))
    commit(session)
    return row


def remove_role(session: Session, actor: Actor, person_role_id: int) -> None:
    require(actor, "skills.read")
    row = get_or_404(session, PersonRole, person_role_id)
    if row.relation not in rights(session, actor, row.person_id).relations:
        raise Forbidden(_ROLE_REFUSAL)
    before = audit.snapshot(row)
    session.delete(row)
    flush(session)
    audit.record(session, actor, "delete", "person_role", person_role_id, before)
    commit(session)


def get_person_role(session: Session, actor: Actor, person_role_id: int) -> PersonRole:
    row = get_or_404(session, PersonRole, person_role_id)
    require_read(session, actor, row.person_id)
    return row


def people_in(unit_ids: Collection[int] | None) -> Any:
    """A select of the ids of people in the units (everyone when None)."""
    stmt = select(col(Person.id))
    if unit_ids is not None:
        stmt = stmt.where(col(Person.org_unit_id).in_(unit_ids))
    return stmt


def people_page(
    session: Session, actor: Actor, q: str = "", page: int = 1, per_page: int = 25
) -> tuple[list[tuple[Person, str | None]], int]:
    """The people whose skills the actor reads, by name, with their unit's name."""
    readable = readable_people(session, actor)
    stmt = select(Person, OrgUnit.name).outerjoin(OrgUnit, col(OrgUnit.id) == Person.org_unit_id)
    if readable is not None:
        stmt = stmt.where(col(Person.id).in_(readable or {-1}))
    if q:
        stmt = stmt.where(
            or_(
                col(Person.name).ilike(like_pattern(q), escape="\\"),
                col(Person.email).ilike(like_pattern(q), escape="\\"),
            )
        )
    total = session.exec(select(func.count()).select_from(stmt.subquery())).one()
    rows = session.exec(
        stmt.order_by(col(Person.name), col(Person.id))
        .limit(per_page)
        .offset((max(page, 1) - 1) * per_page)
    ).all()
    return [(p, name) for p, name in rows], int(total)
