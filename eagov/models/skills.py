"""The architecture skills framework (categories, skills, proficiency levels, roles with
their required level per skill) and people's assessed skills and roles."""

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from .base import Versioned, ts_field, utcnow


class AssessmentSource(StrEnum):
    SELF = "self"
    MANAGER = "manager"
    BOARD = "board_assessment"


class RoleRelation(StrEnum):
    HELD = "held"
    TARGET = "target"


class SkillFramework(SQLModel, table=True):
    """One version of a skills framework, imported from a YAML library. The newest imported
    version is the one in use."""

    __tablename__ = "skill_framework"
    __table_args__ = (UniqueConstraint("key", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=60, index=True)
    version: str = Field(max_length=20)
    name: dict[str, str] = Field(default_factory=dict, sa_type=JSON)
    description: dict[str, str] = Field(default_factory=dict, sa_type=JSON)
    # [{"value": 1, "name": {...}, "summary": {...}}, ...] for the four proficiency levels
    levels: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    imported_at: datetime = ts_field(default_factory=utcnow)
    imported_by_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")


class SkillCategory(SQLModel, table=True):
    __tablename__ = "skill_category"
    __table_args__ = (UniqueConstraint("framework_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    framework_id: int = Field(foreign_key="skill_framework.id", index=True, ondelete="CASCADE")
    key: str = Field(max_length=60)
    position: int
    name: dict[str, str] = Field(default_factory=dict, sa_type=JSON)


class Skill(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("framework_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    framework_id: int = Field(foreign_key="skill_framework.id", index=True, ondelete="CASCADE")
    category_id: int = Field(foreign_key="skill_category.id", index=True, ondelete="CASCADE")
    key: str = Field(max_length=60)
    position: int
    name: dict[str, str] = Field(default_factory=dict, sa_type=JSON)
    description: dict[str, str] = Field(default_factory=dict, sa_type=JSON)


class SkillRole(Versioned, table=True):
    """A role of the framework; its key matches the architecture roles of positions."""

    __tablename__ = "skill_role"
    __table_args__ = (UniqueConstraint("framework_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    framework_id: int = Field(foreign_key="skill_framework.id", index=True, ondelete="CASCADE")
    key: str = Field(max_length=60)
    position: int
    name: dict[str, str] = Field(default_factory=dict, sa_type=JSON)
    description: dict[str, str] = Field(default_factory=dict, sa_type=JSON)


class RoleRequirement(Versioned, table=True):
    """The role profile: the level a role needs in a skill (editable)."""

    __tablename__ = "role_requirement"
    __table_args__ = (UniqueConstraint("role_id", "skill_id"),)

    id: int | None = Field(default=None, primary_key=True)
    role_id: int = Field(foreign_key="skill_role.id", index=True, ondelete="CASCADE")
    skill_id: int = Field(foreign_key="skill.id", index=True, ondelete="CASCADE")
    level: int


class SkillAssessment(SQLModel, table=True):
    """One judgement of a person's level in a skill. Rows are never edited: a new judgement
    is a new row, so the history of a person's skills stays on record."""

    __tablename__ = "skill_assessment"

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True, ondelete="CASCADE")
    skill_id: int = Field(foreign_key="skill.id", index=True, ondelete="CASCADE")
    level: int
    source: str = Field(max_length=16)
    assessed_on: date = Field(index=True)
    evidence: str = Field(default="", sa_type=Text)
    # The current level of a skill is the latest agreed assessment (manager and board
    # assessments are agreed; a self-assessment once a manager confirms it).
    agreed: bool = Field(default=False)
    assessed_by_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    created_at: datetime = ts_field(default_factory=utcnow)


class PersonRole(SQLModel, table=True):
    """A role a person holds or is heading for."""

    __tablename__ = "person_role"
    __table_args__ = (UniqueConstraint("person_id", "role_id", "relation"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True, ondelete="CASCADE")
    role_id: int = Field(foreign_key="skill_role.id", index=True, ondelete="CASCADE")
    relation: str = Field(max_length=8)
    since: date | None = None
