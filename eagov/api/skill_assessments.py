"""/api/v1 skill assessments, people's roles and the gap analyses: everything the people's
skills pages do. Assessment rows are never edited (a new judgement is a new row), so they
carry no version and need no If-Match."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Literal

from flask import Response, url_for
from flask_babel import get_locale
from pydantic import Field
from sqlmodel import col, select

from ..auth import current_actor
from ..db import get_session
from ..exports import skills_exports as ex
from ..exports.tabular import CSV_MIMETYPE, XLSX_MIMETYPE
from ..models import AssessmentSource, RoleRelation, Skill, SkillAssessment, SkillRole, utcnow
from ..schemas.api_read import Page
from ..schemas.common import Schema
from ..schemas.skill_assessments import (
    AssessmentIn,
    CandidateRead,
    CandidatesRead,
    ConfirmIn,
    CoverageRead,
    CoverageReportRead,
    GapRowRead,
    HeatmapColumnRead,
    HeatmapPersonRead,
    HeatmapRead,
    PersonGapRead,
    PersonRoleIn,
    PersonRoleRead,
    SkillAssessmentRead,
    SkillLevelRead,
    StrengthRead,
    TrainingNeedRead,
    TrainingNeedsRead,
)
from ..services import skill_assessments as svc
from ..services import skills_gaps as gaps
from ..services.audit import as_utc
from . import bp
from .listing import Id, ListQuery, page_of, sort_by
from .responses import attachment, no_content, respond, respond_page
from .spec import endpoint

TAG = "Skill assessments"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
Locale = Literal["en", "zh_Hans"]


def _reads(rows: Sequence[SkillAssessment]) -> list[SkillAssessmentRead]:
    """The rows as JSON, with their skill keys and (self-assessments) whether confirmed."""
    session = get_session()
    if not rows:
        return []
    keys = dict(
        session.exec(
            select(Skill.id, Skill.key).where(col(Skill.id).in_({r.skill_id for r in rows}))
        ).all()
    )
    agreed = session.exec(
        select(SkillAssessment).where(
            col(SkillAssessment.person_id).in_({r.person_id for r in rows}),
            col(SkillAssessment.skill_id).in_({r.skill_id for r in rows}),
            col(SkillAssessment.agreed).is_(True),
        )
    ).all()
    confirmed = svc.confirmed_ids([*rows, *agreed])
    return [
        SkillAssessmentRead(
            id=r.id,
            person_id=r.person_id,
            skill_id=r.skill_id,
            skill_key=keys.get(r.skill_id, ""),
            level=r.level,
            source=AssessmentSource(r.source),
            assessed_on=r.assessed_on,
            evidence=r.evidence,
            agreed=r.agreed,
            confirmed=r.id in confirmed,
            assessed_by_id=r.assessed_by_id,
            created_at=as_utc(r.created_at),
        )
        for r in rows
    ]


# --- assessments -------------------------------------------------------------------------------


class AssessmentQuery(ListQuery):
    person_id: Id | None = Field(default=None, description="Only this person's.")
    skill_id: Id | None = Field(default=None, description="Only this skill's.")
    source: AssessmentSource | None = Field(default=None, description="Only from this source.")
    agreed: bool | None = Field(default=None, description="Only agreed (or not agreed) ones.")
    sort: str = sort_by("id", default="-id")


@endpoint(
    bp,
    "/skill-assessments",
    summary="List skill assessments",
    tag=TAG,
    query=AssessmentQuery,
    response=Page[SkillAssessmentRead],
)
def list_skill_assessments(query: AssessmentQuery) -> Response:
    """Newest first (by date, then id). Only those the caller may read: their own, their
    direct reports' (as manager), or everyone's with skills.read_all."""
    session = get_session()
    stmt = svc.assessments_query(
        session,
        current_actor(),
        person_id=query.person_id,
        skill_id=query.skill_id,
        source=query.source.value if query.source else None,
        agreed=query.agreed,
    )
    page = page_of(session, stmt, query)
    reads = {r.id: r for r in _reads(page.items)}
    return respond_page(page, lambda item: reads[item.id])


@endpoint(
    bp,
    "/skill-assessments",
    method="POST",
    summary="Record a skill assessment",
    tag=TAG,
    body=AssessmentIn,
    response=SkillAssessmentRead,
    status=201,
)
def create_skill_assessment(body: AssessmentIn) -> Response:
    """source self: only the person themselves (not agreed). manager: the person's manager
    (holder of a position theirs reports to) or a skills.assess holder. board_assessment:
    skills.assess holders. Nobody agrees their own level (403). assessed_on defaults to
    today and is never in the future (422)."""
    row = svc.record(get_session(), current_actor(), body)
    location = url_for(".get_skill_assessment", assessment_id=row.id)
    return respond(_reads([row])[0], 201, location)


@endpoint(
    bp,
    "/skill-assessments/<id:assessment_id>",
    summary="Get a skill assessment",
    tag=TAG,
    response=SkillAssessmentRead,
)
def get_skill_assessment(assessment_id: int) -> Response:
    row = svc.get_assessment(get_session(), current_actor(), assessment_id)
    return respond(_reads([row])[0])


@endpoint(
    bp,
    "/skill-assessments/<id:assessment_id>/confirm",
    method="POST",
    summary="Confirm a self-assessment",
    tag=TAG,
    body=ConfirmIn,
    response=SkillAssessmentRead,
    status=201,
)
def confirm_skill_assessment(assessment_id: int, body: ConfirmIn) -> Response:
    """The person's manager (or a skills.assess holder) agrees a self-assessment: a new
    agreed row with the same level and date (source manager, or board_assessment for an
    assessor who is not the manager); the self-assessment then reads confirmed. 409 for an
    agreed row or one confirmed already."""
    row = svc.confirm(get_session(), current_actor(), assessment_id, body)
    location = url_for(".get_skill_assessment", assessment_id=row.id)
    return respond(_reads([row])[0], 201, location)


class LevelsQuery(Schema):
    person_id: Id
    as_of: date | None = Field(default=None, description="Default: today.")


class LevelsRead(Schema):
    person_id: int
    as_of: date
    items: list[SkillLevelRead]


@endpoint(
    bp,
    "/skill-assessments/current",
    summary="A person's current levels",
    tag=TAG,
    query=LevelsQuery,
    response=LevelsRead,
)
def current_levels(query: LevelsQuery) -> Response:
    """Every skill of the framework in use with the latest agreed level on as_of (null:
    never assessed)."""
    session = get_session()
    svc.require_read(session, current_actor(), query.person_id)
    as_of = query.as_of or utcnow().date()
    view = gaps.load_framework(session)
    levels = svc.current_levels(session, [query.person_id], as_of)
    items = []
    for skill in view.skills:
        lv = levels.get((query.person_id, skill.id or 0))
        items.append(
            SkillLevelRead(
                skill_id=skill.id or 0,
                skill_key=skill.key,
                category_key=view.category_of(skill).key,
                level=lv.level if lv else None,
                assessed_on=lv.assessed_on if lv else None,
                source=lv.source if lv else None,
            )
        )
    return respond(LevelsRead(person_id=query.person_id, as_of=as_of, items=items))


# --- roles held and targeted ---------------------------------------------------------------------


class PersonRolesQuery(Schema):
    person_id: Id


class PersonRolesRead(Schema):
    items: list[PersonRoleRead]


@endpoint(
    bp,
    "/person-roles",
    summary="A person's roles held and targeted",
    tag=TAG,
    query=PersonRolesQuery,
    response=PersonRolesRead,
)
def list_person_roles(query: PersonRolesQuery) -> Response:
    """Held roles include the architecture roles of the positions the person holds (id null,
    from_position the position's title); those change with the position, not here."""
    session = get_session()
    svc.require_read(session, current_actor(), query.person_id)
    view = gaps.load_framework(session)
    links = svc.roles_of(session, view.framework_id, [query.person_id]).get(query.person_id, [])
    items = [
        PersonRoleRead(
            id=lk.person_role_id,
            person_id=query.person_id,
            role_id=lk.role_id,
            role_key=view.role_by_id[lk.role_id].key,
            relation=RoleRelation(lk.relation),
            since=lk.since,
            from_position=lk.position_title,
        )
        for lk in links
    ]
    return respond(PersonRolesRead(items=items))


@endpoint(
    bp,
    "/person-roles",
    method="POST",
    summary="Give a person a role held or targeted",
    tag=TAG,
    body=PersonRoleIn,
    response=PersonRoleRead,
    status=201,
)
def create_person_role(body: PersonRoleIn) -> Response:
    """A person sets their own targets; their manager or a skills.assess holder sets both
    (403 otherwise). 409 when the person has the role with that relation already."""
    session = get_session()
    row = svc.add_role(session, current_actor(), body)
    role = session.get(SkillRole, row.role_id)
    read = PersonRoleRead(
        id=row.id,
        person_id=row.person_id,
        role_id=row.role_id,
        role_key=role.key if role else "",
        relation=RoleRelation(row.relation),
        since=row.since,
    )
    return respond(read, 201)


@endpoint(
    bp,
    "/person-roles/<id:person_role_id>",
    method="DELETE",
    summary="Remove a role held or targeted",
    tag=TAG,
    status=204,
)
def delete_person_role(person_role_id: int) -> Response:
    """The same people who may give the role remove it."""
    session = get_session()
    svc.get_person_role(session, current_actor(), person_role_id)
    svc.remove_role(session, current_actor(), person_role_id)
    return no_content()


# --- gap analyses --------------------------------------------------------------------------------


class PersonGapQuery(Schema):
    person_id: Id
    role_id: Id
    as_of: date | None = Field(default=None, description="Default: today.")


def _person_gap(query: PersonGapQuery) -> gaps.PersonGap:
    as_of = query.as_of or utcnow().date()
    return gaps.person_vs_role(
        get_session(), current_actor(), query.person_id, query.role_id, as_of
    )


@endpoint(
    bp,
    "/skill-gaps/person",
    summary="A person against a role",
    tag=TAG,
    query=PersonGapQuery,
    response=PersonGapRead,
)
def person_gap(query: PersonGapQuery) -> Response:
    """Per skill the role needs: required, current (latest agreed on as_of) and gap (required
    minus current, at least 0; never assessed counts as 0). Readable by the person, their
    manager and skills.read_all holders."""
    g = _person_gap(query)
    return respond(
        PersonGapRead(
            person_id=g.person.id or 0,
            person_name=g.person.name,
            role_id=g.role.id or 0,
            role_key=g.role.key,
            role_name=dict(g.role.name),
            as_of=g.as_of,
            total_gap=g.total_gap,
            skills_short=g.skills_short,
            meets=g.meets,
            rows=[
                GapRowRead(
                    skill_id=r.skill.id or 0,
                    skill_key=r.skill.key,
                    skill_name=dict(r.skill.name),
                    category_key=r.category.key,
                    required=r.required,
                    current=r.current,
                    gap=r.gap,
                )
                for r in g.rows
            ],
        )
    )


class PersonDocxQuery(PersonGapQuery):
    locale: Locale | None = Field(default=None, description="Default: from Accept-Language.")


@endpoint(
    bp,
    "/skill-gaps/person.docx",
    summary="A person against a role (Word)",
    tag=TAG,
    query=PersonDocxQuery,
    produces=DOCX,
)
def person_gap_docx(query: PersonDocxQuery) -> Response:
    """The numbers of GET /skill-gaps/person, with a bullet chart per category."""
    from ..documents.skills_docx import build_person_docx

    g = _person_gap(query)
    data = build_person_docx(g, locale=query.locale or str(get_locale() or "en"))
    name = f"skills-person-{g.person.id}-{g.role.key}-{g.as_of.isoformat()}.docx"
    return attachment(data, DOCX, name)


class UnitQuery(Schema):
    org_unit_id: Id | None = Field(
        default=None, description="The unit and its sub-units; default: everyone."
    )
    as_of: date | None = Field(default=None, description="Default: today.")


class HeatmapQuery(UnitQuery):
    category: str | None = Field(default=None, max_length=60, description="A category key.")
    role_id: Id | None = Field(default=None, description="Only people with this role.")
    page: int = Field(default=1, ge=1, le=1_000_000)
    per_page: int = Field(default=50, ge=1, le=200)


@endpoint(
    bp,
    "/skill-gaps/heatmap",
    summary="Gaps of a unit's people per skill",
    tag=TAG,
    query=HeatmapQuery,
    response=HeatmapRead,
)
def heatmap(query: HeatmapQuery) -> Response:
    """People of the unit (and sub-units) who hold or target a role, by name, against the
    highest level their roles need per skill (columns: the skills any of the roles in scope
    needs). gaps[i] is null where none of the person's roles needs the skill. Needs
    skills.read_all."""
    hm = gaps.unit_heatmap(
        get_session(),
        current_actor(),
        query.org_unit_id,
        query.as_of or utcnow().date(),
        category_key=query.category,
        role_id=query.role_id,
        page=query.page,
        per_page=query.per_page,
    )
    return respond(
        HeatmapRead(
            org_unit_id=hm.org_unit_id,
            as_of=hm.as_of,
            columns=[
                HeatmapColumnRead(
                    skill_id=s.id or 0,
                    skill_key=s.key,
                    skill_name=dict(s.name),
                    category_key=hm.view.category_of(s).key,
                )
                for s in hm.columns
            ],
            people=[
                HeatmapPersonRead(
                    person_id=r.person.id or 0,
                    name=r.person.name,
                    org_unit=r.unit_name,
                    roles=[f"{role.key}:{rel}" for role, rel in r.roles],
                    gaps=[c.gap if c else None for c in r.cells],
                    current=[c.current if c else None for c in r.cells],
                )
                for r in hm.rows
            ],
            page=hm.page,
            per_page=hm.per_page,
            total=hm.total,
        )
    )


@endpoint(
    bp,
    "/skill-gaps/coverage",
    summary="Coverage per role",
    tag=TAG,
    query=UnitQuery,
    response=CoverageReportRead,
)
def coverage(query: UnitQuery) -> Response:
    """Per role: holders in the unit (PersonRole held, or a position with that architecture
    role), how many meet every requirement, how many are short by one level at most (not
    meeting), and how many head for the role. Needs skills.read_all."""
    as_of = query.as_of or utcnow().date()
    rows = gaps.coverage(get_session(), current_actor(), query.org_unit_id, as_of)
    return respond(
        CoverageReportRead(
            org_unit_id=query.org_unit_id,
            as_of=as_of,
            roles=[
                CoverageRead(
                    role_id=c.role_id,
                    role_key=c.role_key,
                    role_name=c.role_name,
                    people=c.people,
                    meeting=c.meeting,
                    within_one=c.within_one,
                    targeting=c.targeting,
                    share=c.share,
                )
                for c in rows
            ],
        )
    )


class CandidatesQuery(UnitQuery):
    role_id: Id
    page: int = Field(default=1, ge=1, le=1_000_000)
    per_page: int = Field(default=25, ge=1, le=200)


def _reason(r: gaps.Reason) -> StrengthRead:
    return StrengthRead(
        skill_key=r.skill.key,
        skill_name=dict(r.skill.name),
        required=r.required,
        current=r.current,
        difference=r.difference,
    )


@endpoint(
    bp,
    "/skill-gaps/candidates",
    summary="Best-fit candidates for a role",
    tag=TAG,
    query=CandidatesQuery,
    response=CandidatesRead,
)
def candidates(query: CandidatesQuery) -> Response:
    """Everyone in the unit (or everyone) ranked by total shortfall against the role
    profile, then by the number of skills short, then by name; each with up to three
    strengths (met or exceeded, most above the requirement first) and three largest gaps.
    Needs skills.read_all."""
    result = gaps.candidates(
        get_session(),
        current_actor(),
        query.role_id,
        query.org_unit_id,
        query.as_of or utcnow().date(),
        page=query.page,
        per_page=query.per_page,
    )
    return respond(
        CandidatesRead(
            role_id=result.role.id or 0,
            role_key=result.role.key,
            org_unit_id=result.org_unit_id,
            as_of=result.as_of,
            items=[
                CandidateRead(
                    rank=c.rank,
                    person_id=c.person.id or 0,
                    name=c.person.name,
                    org_unit=c.unit_name,
                    total_shortfall=c.total_shortfall,
                    skills_short=c.skills_short,
                    holds_role=c.holds_role,
                    targets_role=c.targets_role,
                    strengths=[_reason(r) for r in c.strengths],
                    gaps=[_reason(r) for r in c.gaps],
                )
                for c in result.items
            ],
            page=result.page,
            per_page=result.per_page,
            total=result.total,
        )
    )


@endpoint(
    bp,
    "/skill-gaps/training-needs",
    summary="Training needs of a unit",
    tag=TAG,
    query=UnitQuery,
    response=TrainingNeedsRead,
)
def training_needs(query: UnitQuery) -> Response:
    """Skills by the total gap of the unit's people against their held and targeted roles
    (largest first, then most people short); skills nobody is short of are left out. Needs
    skills.read_all."""
    as_of = query.as_of or utcnow().date()
    needs = gaps.training_needs(get_session(), current_actor(), query.org_unit_id, as_of)
    return respond(
        TrainingNeedsRead(
            org_unit_id=query.org_unit_id,
            as_of=as_of,
            items=[
                TrainingNeedRead(
                    skill_id=n.skill_id,
                    skill_key=n.skill_key,
                    skill_name=n.skill_name,
                    category_key=n.category_key,
                    category_name=n.category_name,
                    total_gap=n.total_gap,
                    people_short=n.people_short,
                )
                for n in needs
            ],
        )
    )


class ReportQuery(UnitQuery):
    category: str | None = Field(default=None, max_length=60, description="A category key.")
    role_id: Id | None = Field(default=None, description="Only people with this role.")
    locale: Locale | None = Field(default=None, description="Default: from Accept-Language.")


@endpoint(
    bp,
    "/skill-gaps/report.<any(csv, xlsx, docx):fmt>",
    summary="Download a unit's skills gap report (CSV, XLSX or Word)",
    tag=TAG,
    query=ReportQuery,
    produces=f"{CSV_MIMETYPE}, {XLSX_MIMETYPE}, {DOCX}",
)
def gap_report(fmt: str, query: ReportQuery) -> Response:
    """The numbers of the heatmap (every person), coverage and training needs. CSV: one row
    per person x skill one of their roles needs. XLSX: sheets Coverage, Gaps (people x
    skills), Training needs, Filters. Word: summary, coverage table, heatmap picture and
    training needs table. Needs skills.read_all."""
    report = gaps.unit_report(
        get_session(),
        current_actor(),
        query.org_unit_id,
        query.as_of or utcnow().date(),
        category_key=query.category,
        role_id=query.role_id,
    )
    locale = query.locale or str(get_locale() or "en")
    if fmt == "csv":
        return attachment(
            ex.gaps_csv(report, locale=locale), CSV_MIMETYPE, ex.filename(report, "csv")
        )
    if fmt == "xlsx":
        data = ex.report_xlsx(report, locale=locale)
        return attachment(data, XLSX_MIMETYPE, ex.filename(report, "xlsx"))
    from ..documents.skills_docx import build_unit_docx

    return attachment(build_unit_docx(report, locale=locale), DOCX, ex.filename(report, "docx"))
