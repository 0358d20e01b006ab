"""People's skills: assessments, roles held and targeted, and the gap analyses as JSON."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import Field, StringConstraints

from ..models import AssessmentSource, RoleRelation
from .common import Schema

Evidence = Annotated[str, StringConstraints(max_length=5000)]
Texts = dict[str, str]

# --- input ------------------------------------------------------------------------------------


class AssessmentIn(Schema):
    """One judgement of a person's level in a skill. The source says who judges: the person
    (self), their manager, or the board (an assessor holding skills.assess)."""

    person_id: int = Field(ge=1)
    skill_id: int = Field(ge=1)
    level: int = Field(ge=1, le=4, description="1 Background, 2 Awareness, 3 Knowledge, 4 Expert.")
    source: AssessmentSource
    assessed_on: date | None = Field(default=None, description="Default: today; never later.")
    evidence: Evidence = ""


class ConfirmIn(Schema):
    """A manager agrees a self-assessment (a new agreed row at the same level and date)."""

    note: Evidence = ""


class PersonRoleIn(Schema):
    person_id: int = Field(ge=1)
    role_id: int = Field(ge=1)
    relation: RoleRelation
    since: date | None = None


# --- output -----------------------------------------------------------------------------------


class SkillAssessmentRead(Schema):
    id: int
    person_id: int
    skill_id: int
    skill_key: str
    level: int
    source: AssessmentSource
    assessed_on: date
    evidence: str
    agreed: bool
    # For a self-assessment: whether a manager or the board agreed it (a later agreed row at
    # the same level and date).
    confirmed: bool
    assessed_by_id: int | None
    created_at: datetime


class PersonRoleRead(Schema):
    id: int | None = Field(description="None for a role held through a position.")
    person_id: int
    role_id: int
    role_key: str
    relation: RoleRelation
    since: date | None
    from_position: str | None = Field(
        default=None, description="The title of the position that gives the role, if any."
    )


class SkillLevelRead(Schema):
    skill_id: int
    skill_key: str
    category_key: str
    level: int | None
    assessed_on: date | None
    source: str | None


class GapRowRead(Schema):
    skill_id: int
    skill_key: str
    skill_name: Texts
    category_key: str
    required: int
    current: int | None = Field(description="The latest agreed level; None when never assessed.")
    gap: int = Field(description="required - current, at least 0; a missing level counts as 0.")


class PersonGapRead(Schema):
    person_id: int
    person_name: str
    role_id: int
    role_key: str
    role_name: Texts
    as_of: date
    total_gap: int
    skills_short: int
    meets: bool
    rows: list[GapRowRead]


class HeatmapPersonRead(Schema):
    person_id: int
    name: str
    org_unit: str | None
    roles: list[str]
    gaps: list[int | None] = Field(description="One per column; None: no role needs the skill.")
    current: list[int | None]


class HeatmapColumnRead(Schema):
    skill_id: int
    skill_key: str
    skill_name: Texts
    category_key: str


class HeatmapRead(Schema):
    org_unit_id: int | None
    as_of: date
    columns: list[HeatmapColumnRead]
    people: list[HeatmapPersonRead]
    page: int
    per_page: int
    total: int


class CoverageRead(Schema):
    role_id: int
    role_key: str
    role_name: Texts
    people: int = Field(description="People of the unit holding the role.")
    meeting: int = Field(description="Of those, people meeting every requirement.")
    within_one: int = Field(
        description="Of those, people short by one level at most (not meeting)."
    )
    targeting: int = Field(description="People of the unit heading for the role.")
    share: float | None


class CoverageReportRead(Schema):
    org_unit_id: int | None
    as_of: date
    roles: list[CoverageRead]


class StrengthRead(Schema):
    skill_key: str
    skill_name: Texts
    required: int
    current: int | None
    difference: int = Field(description="current - required (missing counts as 0).")


class CandidateRead(Schema):
    rank: int
    person_id: int
    name: str
    org_unit: str | None
    total_shortfall: int
    skills_short: int
    holds_role: bool
    targets_role: bool
    strengths: list[StrengthRead]
    gaps: list[StrengthRead]


class CandidatesRead(Schema):
    role_id: int
    role_key: str
    org_unit_id: int | None
    as_of: date
    items: list[CandidateRead]
    page: int
    per_page: int
    total: int


class TrainingNeedRead(Schema):
    skill_id: int
    skill_key: str
    skill_name: Texts
    category_key: str
    category_name: Texts
    total_gap: int
    people_short: int


class TrainingNeedsRead(Schema):
    org_unit_id: int | None
    as_of: date
    items: list[TrainingNeedRead]
