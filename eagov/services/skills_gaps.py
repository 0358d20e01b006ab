"""Skill gaps: a person against a role, a team against the role profiles, coverage per
role, best-fit candidates and training needs, all as of a date."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlmodel import Session

from ..permissions import Actor


@dataclass(frozen=True)
class RoleCoverage:
    role_key: str
    role_name: dict[str, str]
    people: int  # people of the unit who hold or target the role
    meeting: int  # of those, how many meet every requirement of the profile

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


def unit_picture(
    session: Session, actor: Actor, org_unit_id: int, as_of: date, *, top: int = 10
) -> UnitSkillsPicture:
    raise NotImplementedError  # implemented by the people's-skills work
