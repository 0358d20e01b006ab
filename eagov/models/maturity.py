"""Maturity assessments: versioned maturity models (levels, elements, descriptors, weights,
scoring method) and assessments of one org unit at one date, scored by several assessors
independently and consolidated by a facilitator."""

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from .base import Versioned, ts_field, utcnow


class ScoringMethod(StrEnum):
    WEIGHTED_MEAN = "weighted_mean"
    LOWEST = "lowest"
    HIGH_WATER = "high_water"


class AssessmentState(StrEnum):
    DRAFT = "draft"
    SCORING = "scoring"
    CONSOLIDATING = "consolidating"
    PUBLISHED = "published"


class MaturityModel(SQLModel, table=True):
    """One version of a maturity model, imported from a YAML library."""

    __tablename__ = "maturity_model"
    __table_args__ = (UniqueConstraint("key", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=60, index=True)
    version: str = Field(max_length=20)
    name: dict[str, str] = Field(default_factory=dict, sa_type=JSON)
    description: dict[str, str] = Field(default_factory=dict, sa_type=JSON)
    method: str = Field(max_length=20)
    # [{"value": 0, "name": {"en": ..., "zh_Hans": ...}, "summary": {...}}, ...] in order
    levels: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    imported_at: datetime = ts_field(default_factory=utcnow)
    imported_by_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")


class MaturityElement(SQLModel, table=True):
    __tablename__ = "maturity_element"
    __table_args__ = (UniqueConstraint("model_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    model_id: int = Field(foreign_key="maturity_model.id", index=True, ondelete="CASCADE")
    key: str = Field(max_length=60)
    position: int
    name: dict[str, str] = Field(default_factory=dict, sa_type=JSON)
    description: dict[str, str] = Field(default_factory=dict, sa_type=JSON)
    weight: float = Field(default=1.0)
    # {"0": {"en": ..., "zh_Hans": ...}, "1": {...}, ...}: what the element looks like per level
    descriptors: dict[str, dict[str, str]] = Field(default_factory=dict, sa_type=JSON)


class MaturityAssessment(Versioned, table=True):
    __tablename__ = "maturity_assessment"
    __table_args__ = (UniqueConstraint("year", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    reference: str = Field(max_length=20, unique=True)
    year: int
    number: int
    model_id: int = Field(foreign_key="maturity_model.id", index=True, ondelete="RESTRICT")
    org_unit_id: int = Field(foreign_key="org_unit.id", index=True, ondelete="RESTRICT")
    assessed_on: date = Field(index=True)
    title: str = Field(default="", max_length=300)
    state: str = Field(default=AssessmentState.DRAFT, max_length=16, index=True)
    facilitator_id: int | None = Field(
        default=None, foreign_key="user.id", index=True, ondelete="SET NULL"
    )
    summary: str = Field(default="", sa_type=Text)
    # Stored when published (lists, trends and comparisons read them).
    overall_score: float | None = None
    overall_level: int | None = None
    previous_id: int | None = Field(
        default=None, foreign_key="maturity_assessment.id", ondelete="SET NULL"
    )
    created_by_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    created_at: datetime = ts_field(default_factory=utcnow)
    published_at: datetime | None = ts_field(default=None, nullable=True)
    published_by_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")


class AssessmentAssessor(SQLModel, table=True):
    __tablename__ = "assessment_assessor"
    __table_args__ = (UniqueConstraint("assessment_id", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    assessment_id: int = Field(foreign_key="maturity_assessment.id", index=True, ondelete="CASCADE")
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    submitted_at: datetime | None = ts_field(default=None, nullable=True)


class AssessorScore(Versioned, table=True):
    """One assessor's score of one element; hidden from the others until they submit."""

    __tablename__ = "assessor_score"
    __table_args__ = (UniqueConstraint("assessor_id", "element_id"),)

    id: int | None = Field(default=None, primary_key=True)
    assessment_id: int = Field(foreign_key="maturity_assessment.id", index=True, ondelete="CASCADE")
    assessor_id: int = Field(foreign_key="assessment_assessor.id", index=True, ondelete="CASCADE")
    element_id: int = Field(foreign_key="maturity_element.id", ondelete="CASCADE")
    level: int
    evidence: str = Field(default="", sa_type=Text)
    comment: str = Field(default="", sa_type=Text)
    scored_at: datetime = ts_field(default_factory=utcnow)


class ElementResult(Versioned, table=True):
    """The facilitator's consolidated level of an element, its target and the way there."""

    __tablename__ = "element_result"
    __table_args__ = (UniqueConstraint("assessment_id", "element_id"),)

    id: int | None = Field(default=None, primary_key=True)
    assessment_id: int = Field(foreign_key="maturity_assessment.id", index=True, ondelete="CASCADE")
    element_id: int = Field(foreign_key="maturity_element.id", ondelete="CASCADE")
    level: int | None = None
    consolidation_note: str = Field(default="", sa_type=Text)
    target: int | None = None
    target_rationale: str = Field(default="", sa_type=Text)
    recommendation: str = Field(default="", sa_type=Text)
