"""Skill gaps: a person against a role, a team against the role profiles, coverage per
role, best-fit candidates and training needs, all as of a date.

Definitions (the user guide says the same):
- current level: the latest agreed assessment on or before the date (see
  ``skill_assessments``); a skill never assessed counts as level 0;
- gap of a skill: required level minus current level, never below 0;
- a person's requirement for a skill, against several roles (heatmap, training needs): the
  highest level any of their held or targeted roles needs;
- coverage of a role: the people holding it (``PersonRole`` "held" or a position with that
  architecture role) who meet every requirement, and those short by one level at most in
  every skill (but not meeting);
- candidates for a role: people ranked by total shortfall, then by the number of skills
  short, then by name.

Every function runs a fixed number of statements whatever the number of people: the sums
are computed in the database and only what is shown is loaded.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, func
from sqlmodel import Session, col, select

from ..errors import NotFound
from ..models import OrgUnit, Person, RoleRequirement, Skill, SkillCategory, SkillRole
from ..permissions import Actor, require
from . import skill_assessments as sa_svc
from .common import get_or_404
from .org_queries import subtree_ids

HELD, TARGET = sa_svc.HELD, sa_svc.TARGET


# --- the lead's shared results (the maturity report uses them) -------------------------------


@dataclass(frozen=True)
class RoleCoverage:
    role_key: str
    role_name: dict[str, str]
    people: int  # people of the unit who hold the role
    meeting: int  # of those, how many meet every requirement of the profile
    role_id: int = 0
    within_one: int = 0  # of those, short by one level at most in every skill (not meeting)
    targeting: int = 0  # people of the unit heading for the role

    @property
    def share(self) -> float | None:
        return self.meeting / self.people if self.people else None


@dataclass(frozen=True)
class SkillShortfall:
    skill_key: str
    skill_name: dict[str, str]
    category_name: dict[str, str]
    total_gap: int  # summed over people: required level minus current level, where short
    people_short: int
    skill_id: int = 0
    category_key: str = ""


@dataclass
class UnitSkillsPicture:
    """A unit's skills as of a date (its people and sub-units' people), for the capability
    assessment that pairs maturity with skills."""

    org_unit_id: int
    as_of: date
    people: int
    assessed_people: int
    roles: list[RoleCoverage] = field(default_factory=list)
    largest_gaps: list[SkillShortfall] = field(default_factory=list)
    unit_name: str = ""


# --- the framework, loaded once per use ------------------------------------------------------


@dataclass
class FrameworkView:
    framework_id: int
    categories: dict[int, SkillCategory]
    skills: list[Skill]  # by category, then position
    skill_by_id: dict[int, Skill]
    roles: list[SkillRole]
    role_by_id: dict[int, SkillRole]
    requirements: dict[int, dict[int, int]]  # role_id -> skill_id -> level
    level_names: dict[int, dict[str, str]] = field(default_factory=dict)

    def category_of(self, skill: Skill) -> SkillCategory:
        return self.categories[skill.category_id]

    def required_skills(self, role_id: int) -> list[Skill]:
        need = self.requirements.get(role_id, {})
        return [s for s in self.skills if need.get(s.id or 0, 0) > 0]


def load_framework(session: Session) -> FrameworkView:
    """The framework in use with its categories, skills, roles and profiles (4 statements)."""
    fw = sa_svc.require_framework(session)
    assert fw.id is not None
    cats = session.exec(
        select(SkillCategory)
        .where(SkillCategory.framework_id == fw.id)
        .order_by(col(SkillCategory.position), col(SkillCategory.id))
    ).all()
    categories = {c.id: c for c in cats if c.id is not None}
    order = {cid: i for i, cid in enumerate(categories)}
    skills = sorted(
        session.exec(select(Skill).where(Skill.framework_id == fw.id)).all(),
        key=lambda s: (order.get(s.category_id, 0), s.position, s.id or 0),
    )
    roles = list(
        session.exec(
            select(SkillRole)
            .where(SkillRole.framework_id == fw.id)
            .order_by(col(SkillRole.position), col(SkillRole.id))
        ).all()
    )
    requirements: dict[int, dict[int, int]] = {r.id: {} for r in roles if r.id is not None}
    for rid, sid, level in session.exec(
        select(RoleRequirement.role_id, RoleRequirement.skill_id, RoleRequirement.level)
        .join(SkillRole, col(SkillRole.id) == col(RoleRequirement.role_id))
        .where(SkillRole.framework_id == fw.id)
    ).all():
        requirements.setdefault(rid, {})[sid] = level
    return FrameworkView(
        framework_id=fw.id,
        categories=categories,
        skills=skills,
        skill_by_id={s.id: s for s in skills if s.id is not None},
        roles=roles,
        role_by_id={r.id: r for r in roles if r.id is not None},
        requirements=requirements,
        level_names={
            int(lv["value"]): dict(lv.get("name") or {})
            for lv in fw.levels
            if isinstance(lv, dict) and "value" in lv
        },
    )


def _role(view: FrameworkView, role_id: int) -> SkillRole:
    role = view.role_by_id.get(role_id)
    if role is None:
        raise NotFound(_not_a_role(role_id))
    return role


def _not_a_role(role_id: int) -> Any:
    return _l("There is no role with the id %(id)s in the framework in use.", id=role_id)


def gap_of(required: int, current: int | None) -> int:
    return max(required - (current or 0), 0)


# --- scope -----------------------------------------------------------------------------------


def unit_scope(session: Session, org_unit_id: int | None) -> set[int] | None:
    """The unit and the units below it (None: the whole organisation)."""
    if org_unit_id is None:
        return None
    get_or_404(session, OrgUnit, org_unit_id)
    return subtree_ids(session, org_unit_id)


def _gap_expr(required: Any, current: Any) -> Any:
    have = func.coalesce(current, 0)
    return case((required > have, required - have), else_=0)


# --- a person against a role -----------------------------------------------------------------


@dataclass
class GapRow:
    skill: Skill
    category: SkillCategory
    required: int
    current: int | None

    @property
    def gap(self) -> int:
        return gap_of(self.required, self.current)


@dataclass
class PersonGap:
    person: Person
    role: SkillRole
    as_of: date
    rows: list[GapRow]

    @property
    def total_gap(self) -> int:
        return sum(r.gap for r in self.rows)

    @property
    def skills_short(self) -> int:
        return sum(1 for r in self.rows if r.gap > 0)

    @property
    def meets(self) -> bool:
        return self.skills_short == 0

    def by_category(self) -> list[tuple[SkillCategory, list[GapRow]]]:
        out: dict[int, tuple[SkillCategory, list[GapRow]]] = {}
        for r in self.rows:
            out.setdefault(r.category.id or 0, (r.category, []))[1].append(r)
        return list(out.values())


def person_vs_role(
    session: Session,
    actor: Actor,
    person_id: int,
    role_id: int,
    as_of: date,
    view: FrameworkView | None = None,
) -> PersonGap:
    """Per required skill of the role: required, current and gap."""
    person = sa_svc.require_read(session, actor, person_id)
    view = view or load_framework(session)
    role = _role(view, role_id)
    skills = view.required_skills(role_id)
    levels = sa_svc.current_levels(session, [person_id], as_of, [s.id for s in skills])
    need = view.requirements.get(role_id, {})
    rows = [
        GapRow(
            skill=s,
            category=view.category_of(s),
            required=need[s.id],  # type: ignore[index]
            current=lv.level if (lv := levels.get((person_id, s.id))) else None,  # type: ignore[arg-type]
        )
        for s in skills
    ]
    return PersonGap(person=person, role=role, as_of=as_of, rows=rows)


# --- the team heatmap ------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    required: int
    current: int | None

    @property
    def gap(self) -> int:
        return gap_of(self.required, self.current)


@dataclass
class HeatmapRow:
    person: Person
    unit_name: str | None
    roles: list[tuple[SkillRole, str]]  # (role, relation)
    cells: list[Cell | None]  # one per column; None: none of their roles needs the skill

    @property
    def total_gap(self) -> int:
        return sum(c.gap for c in self.cells if c is not None)


@dataclass
class Heatmap:
    org_unit_id: int | None
    as_of: date
    view: FrameworkView
    columns: list[Skill]
    rows: list[HeatmapRow]
    total: int
    page: int
    per_page: int
    category_key: str | None = None
    role_id: int | None = None

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page)) if self.per_page else 1


def unit_heatmap(
    session: Session,
    actor: Actor,
    org_unit_id: int | None,
    as_of: date,
    *,
    category_key: str | None = None,
    role_id: int | None = None,
    page: int = 1,
    per_page: int | None = 50,
    view: FrameworkView | None = None,
) -> Heatmap:
    """People of the unit (and sub-units) who hold or target a role (``role_id``: that role)
    by the skills their roles need (``category_key``: of that category), each cell the
    person's requirement, current level and gap. ``per_page`` None: every person."""
    sa_svc.require_read_all(actor)
    view = view or load_framework(session)
    if role_id is not None:
        _role(view, role_id)
    units = unit_scope(session, org_unit_id)
    people_sel = sa_svc.people_in(units)
    pr = sa_svc.pairs(view.framework_id, (HELD, TARGET), people_sel)
    pair_filter = [] if role_id is None else [pr.c.role_id == role_id]
    role_ids = {
        int(r) for r in session.exec(select(pr.c.role_id).where(*pair_filter).distinct()).all()
    }
    wanted: set[int] = set()
    for rid in role_ids:
        wanted |= {sid for sid, lv in view.requirements.get(rid, {}).items() if lv > 0}
    columns = [
        s
        for s in view.skills
        if s.id in wanted and (category_key is None or view.category_of(s).key == category_key)
    ]
    people_stmt = (
        select(Person)
        .where(col(Person.id).in_(select(pr.c.person_id).where(*pair_filter)))
        .order_by(col(Person.name), col(Person.id))
    )
    total = int(
        session.exec(select(func.count()).select_from(people_stmt.order_by(None).subquery())).one()
    )
    page = max(1, page)
    if per_page:
        people_stmt = people_stmt.limit(per_page).offset((page - 1) * per_page)
    people = list(session.exec(people_stmt).all())
    ids = [p.id for p in people if p.id is not None]
    unit_names = _unit_names(session, {p.org_unit_id for p in people if p.org_unit_id})
    roles = sa_svc.roles_of(session, view.framework_id, ids) if ids else {}
    column_ids = [s.id for s in columns]
    levels = sa_svc.current_levels(session, ids, as_of, column_ids) if ids and columns else {}
    rows = []
    for p in people:
        assert p.id is not None
        links = [
            lk for lk in _dedupe(roles.get(p.id, [])) if role_id is None or lk.role_id == role_id
        ]
        need: dict[int, int] = {}
        for lk in links:
            for sid, lv in view.requirements.get(lk.role_id, {}).items():
                need[sid] = max(need.get(sid, 0), lv)
        cells: list[Cell | None] = []
        for s in columns:
            req = need.get(s.id or 0, 0)
            have = levels.get((p.id, s.id or 0))
            cells.append(Cell(req, have.level if have else None) if req > 0 else None)
        rows.append(
            HeatmapRow(
                person=p,
                unit_name=unit_names.get(p.org_unit_id or 0),
                roles=[(view.role_by_id[lk.role_id], lk.relation) for lk in links],
                cells=cells,
            )
        )
    return Heatmap(
        org_unit_id=org_unit_id,
        as_of=as_of,
        view=view,
        columns=columns,
        rows=rows,
        total=total,
        page=page,
        per_page=per_page or max(total, 1),
        category_key=category_key,
        role_id=role_id,
    )


def _dedupe(links: list[sa_svc.RoleLink]) -> list[sa_svc.RoleLink]:
    seen: set[tuple[int, str]] = set()
    out = []
    for lk in links:
        if (lk.role_id, lk.relation) not in seen:
            seen.add((lk.role_id, lk.relation))
            out.append(lk)
    return out


def _unit_names(session: Session, unit_ids: Collection[int]) -> dict[int, str]:
    if not unit_ids:
        return {}
    rows = session.exec(select(OrgUnit.id, OrgUnit.name).where(col(OrgUnit.id).in_(unit_ids)))
    return {int(i): n for i, n in rows.all() if i is not None}


# --- coverage per role -----------------------------------------------------------------------


def _per_pair(session: Session, pr: Any, as_of: date, people_sel: Any) -> list[Any]:
    """(person_id, role_id, worst gap, total gap, skills short) for every pair of ``pr``."""
    req = RoleRequirement.__table__  # type: ignore[attr-defined]
    cur = sa_svc.latest_agreed(as_of, people_sel)
    gap = _gap_expr(req.c.level, cur.c.level)
    stmt = (
        select(  # type: ignore[call-overload]
            pr.c.person_id,
            pr.c.role_id,
            func.coalesce(func.max(gap), 0),
            func.coalesce(func.sum(gap), 0),
            func.coalesce(func.sum(case((gap > 0, 1), else_=0)), 0),
        )
        .select_from(pr)
        .outerjoin(req, req.c.role_id == pr.c.role_id)
        .outerjoin(cur, and_(cur.c.person_id == pr.c.person_id, cur.c.skill_id == req.c.skill_id))
        .group_by(pr.c.person_id, pr.c.role_id)
    )
    return list(session.exec(stmt).all())


def coverage(
    session: Session,
    actor: Actor,
    org_unit_id: int | None,
    as_of: date,
    view: FrameworkView | None = None,
) -> list[RoleCoverage]:
    """Per role of the framework: holders in the unit, how many meet the profile, how many
    are within one level, and how many head for the role."""
    sa_svc.require_read_all(actor)
    return _coverage(session, view or load_framework(session), org_unit_id, as_of)


def _coverage(
    session: Session, view: FrameworkView, org_unit_id: int | None, as_of: date
) -> list[RoleCoverage]:
    people_sel = sa_svc.people_in(unit_scope(session, org_unit_id))
    held = sa_svc.pairs(view.framework_id, (HELD,), people_sel)
    stats: dict[int, list[int]] = {r.id: [0, 0, 0, 0] for r in view.roles if r.id is not None}
    for _pid, rid, worst, _total, _short in _per_pair(session, held, as_of, people_sel):
        entry = stats.setdefault(int(rid), [0, 0, 0, 0])
        entry[0] += 1
        entry[1] += int(worst) == 0
        entry[2] += int(worst) == 1
    target = sa_svc.pairs(view.framework_id, (TARGET,), people_sel)
    for rid, count in session.exec(
        select(target.c.role_id, func.count()).group_by(target.c.role_id)
    ).all():
        stats.setdefault(int(rid), [0, 0, 0, 0])[3] = int(count)
    return [
        RoleCoverage(
            role_key=r.key,
            role_name=dict(r.name),
            people=stats[r.id][0],
            meeting=stats[r.id][1],
            role_id=r.id,
            within_one=stats[r.id][2],
            targeting=stats[r.id][3],
        )
        for r in view.roles
        if r.id is not None
    ]


# --- best-fit candidates ---------------------------------------------------------------------


@dataclass(frozen=True)
class Reason:
    skill: Skill
    required: int
    current: int | None

    @property
    def difference(self) -> int:
        return (self.current or 0) - self.required


@dataclass
class Candidate:
    rank: int
    person: Person
    unit_name: str | None
    total_shortfall: int
    skills_short: int
    holds_role: bool
    targets_role: bool
    strengths: list[Reason]
    gaps: list[Reason]


@dataclass
class Candidates:
    role: SkillRole
    org_unit_id: int | None
    as_of: date
    items: list[Candidate]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def candidates(
    session: Session,
    actor: Actor,
    role_id: int,
    org_unit_id: int | None,
    as_of: date,
    *,
    page: int = 1,
    per_page: int = 25,
    reasons: int = 3,
    view: FrameworkView | None = None,
) -> Candidates:
    """Everyone in scope ranked for the role (ranked and paged in the database), each with
    their top strengths and top gaps against the profile."""
    sa_svc.require_read_all(actor)
    view = view or load_framework(session)
    role = _role(view, role_id)
    units = unit_scope(session, org_unit_id)
    person = Person.__table__  # type: ignore[attr-defined]
    req = RoleRequirement.__table__  # type: ignore[attr-defined]
    people_sel = sa_svc.people_in(units)
    cur = sa_svc.latest_agreed(
        as_of, people_sel, select(req.c.skill_id).where(req.c.role_id == role_id)
    )
    gap = _gap_expr(req.c.level, cur.c.level)
    total_gap = func.coalesce(func.sum(gap), 0).label("total_gap")
    short = func.coalesce(func.sum(case((gap > 0, 1), else_=0)), 0).label("short")
    stmt = (
        select(person.c.id, total_gap, short)
        .select_from(person)
        .outerjoin(req, req.c.role_id == role_id)
        .outerjoin(cur, and_(cur.c.person_id == person.c.id, cur.c.skill_id == req.c.skill_id))
        .group_by(person.c.id, person.c.name)
    )
    if units is not None:
        stmt = stmt.where(person.c.org_unit_id.in_(units))
    count_stmt = select(func.count()).select_from(person)
    if units is not None:
        count_stmt = count_stmt.where(person.c.org_unit_id.in_(units))
    total = int(session.exec(count_stmt).one())
    page = max(1, page)
    ranked = session.exec(
        stmt.order_by(total_gap, short, person.c.name, person.c.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    ids = [int(r[0]) for r in ranked]
    people = {p.id: p for p in session.exec(select(Person).where(col(Person.id).in_(ids))).all()}
    unit_names = _unit_names(session, {p.org_unit_id for p in people.values() if p.org_unit_id})
    skills = view.required_skills(role_id)
    need = view.requirements.get(role_id, {})
    levels = sa_svc.current_levels(session, ids, as_of, [s.id for s in skills]) if ids else {}
    links = sa_svc.roles_of(session, view.framework_id, ids) if ids else {}
    items = []
    for index, (pid, tot, nshort) in enumerate(ranked):
        pid = int(pid)
        mine = [
            Reason(s, need[s.id or 0], lv.level if (lv := levels.get((pid, s.id or 0))) else None)
            for s in skills
        ]
        strengths = sorted(
            (r for r in mine if r.current is not None and r.difference >= 0),
            key=lambda r: (-r.difference, -r.required, r.skill.position),
        )[:reasons]
        gaps = sorted(
            (r for r in mine if r.difference < 0),
            key=lambda r: (r.difference, -r.required, r.skill.position),
        )[:reasons]
        relations = {lk.relation for lk in links.get(pid, []) if lk.role_id == role_id}
        p = people[pid]
        items.append(
            Candidate(
                rank=(page - 1) * per_page + index + 1,
                person=p,
                unit_name=unit_names.get(p.org_unit_id or 0),
                total_shortfall=int(tot),
                skills_short=int(nshort),
                holds_role=HELD in relations,
                targets_role=TARGET in relations,
                strengths=strengths,
                gaps=gaps,
            )
        )
    return Candidates(role, org_unit_id, as_of, items, total, page, per_page)


# --- training needs --------------------------------------------------------------------------


def training_needs(
    session: Session,
    actor: Actor,
    org_unit_id: int | None,
    as_of: date,
    *,
    top: int | None = None,
    view: FrameworkView | None = None,
) -> list[SkillShortfall]:
    """Skills by the total gap of the unit's people against their held and targeted roles
    (largest first, then the most people short, then framework order); skills nobody is
    short of are left out."""
    sa_svc.require_read_all(actor)
    view = view or load_framework(session)
    people_sel = sa_svc.people_in(unit_scope(session, org_unit_id))
    return _shortfalls(session, view, people_sel, as_of, top)


def _shortfalls(
    session: Session, view: FrameworkView, people_sel: Any, as_of: date, top: int | None
) -> list[SkillShortfall]:
    req = RoleRequirement.__table__  # type: ignore[attr-defined]
    pr = sa_svc.pairs(view.framework_id, (HELD, TARGET), people_sel)
    need = (
        select(
            pr.c.person_id.label("person_id"),
            req.c.skill_id.label("skill_id"),
            func.max(req.c.level).label("level"),
        )
        .select_from(pr)
        .join(req, req.c.role_id == pr.c.role_id)
        .group_by(pr.c.person_id, req.c.skill_id)
        .subquery("need")
    )
    cur = sa_svc.latest_agreed(as_of, people_sel)
    gap = _gap_expr(need.c.level, cur.c.level)
    total = func.sum(gap)
    stmt = (
        select(need.c.skill_id, total, func.sum(case((gap > 0, 1), else_=0)))
        .select_from(need)
        .outerjoin(
            cur, and_(cur.c.person_id == need.c.person_id, cur.c.skill_id == need.c.skill_id)
        )
        .group_by(need.c.skill_id)
        .having(total > 0)
    )
    order = {s.id: i for i, s in enumerate(view.skills)}
    rows = sorted(
        ((int(sid), int(t), int(n)) for sid, t, n in session.exec(stmt).all()),
        key=lambda r: (-r[1], -r[2], order.get(r[0], 0)),
    )
    out = []
    for sid, tot, nshort in rows[:top] if top else rows:
        skill = view.skill_by_id.get(sid)
        if skill is None:
            continue
        cat = view.category_of(skill)
        out.append(
            SkillShortfall(
                skill_key=skill.key,
                skill_name=dict(skill.name),
                category_name=dict(cat.name),
                total_gap=tot,
                people_short=nshort,
                skill_id=sid,
                category_key=cat.key,
            )
        )
    return out


# --- the unit's picture for the maturity report ----------------------------------------------


def unit_picture(
    session: Session, actor: Actor, org_unit_id: int, as_of: date, *, top: int = 10
) -> UnitSkillsPicture:
    """Counts only (no names): people of the unit and sub-units, how many have an agreed
    assessment by ``as_of``, coverage per role, and the ``top`` largest gaps. Readable with
    ``skills.read`` so the maturity report can show it to its readers."""
    require(actor, "skills.read")
    unit = get_or_404(session, OrgUnit, org_unit_id)
    view = load_framework(session)
    people_sel = sa_svc.people_in(unit_scope(session, org_unit_id))
    people = int(session.exec(select(func.count()).select_from(people_sel.subquery())).one())
    cur = sa_svc.latest_agreed(as_of, people_sel)
    assessed = int(session.exec(select(func.count(func.distinct(cur.c.person_id)))).one())
    return UnitSkillsPicture(
        org_unit_id=org_unit_id,
        as_of=as_of,
        people=people,
        assessed_people=assessed,
        roles=_coverage(session, view, org_unit_id, as_of),
        largest_gaps=_shortfalls(session, view, people_sel, as_of, top),
        unit_name=unit.name,
    )


# --- the unit's gap report (pages, exports, documents) ---------------------------------------


@dataclass
class UnitGapReport:
    org_unit_id: int | None
    unit_name: str | None
    as_of: date
    coverage: list[RoleCoverage]
    heatmap: Heatmap
    needs: list[SkillShortfall]


def unit_report(
    session: Session,
    actor: Actor,
    org_unit_id: int | None,
    as_of: date,
    *,
    category_key: str | None = None,
    role_id: int | None = None,
) -> UnitGapReport:
    """Coverage, the whole heatmap (every person) and the training needs of a unit."""
    sa_svc.require_read_all(actor)
    view = load_framework(session)
    unit = get_or_404(session, OrgUnit, org_unit_id) if org_unit_id is not None else None
    return UnitGapReport(
        org_unit_id=org_unit_id,
        unit_name=unit.name if unit else None,
        as_of=as_of,
        coverage=_coverage(session, view, org_unit_id, as_of),
        heatmap=unit_heatmap(
            session,
            actor,
            org_unit_id,
            as_of,
            category_key=category_key,
            role_id=role_id,
            per_page=None,
            view=view,
        ),
        needs=training_needs(session, actor, org_unit_id, as_of, view=view),
    )
