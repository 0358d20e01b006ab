"""Compliance reviews: the review and its participants, tailored checklist items with their
answers, findings and dispensations."""

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from .base import Versioned, ts_field, utcnow


class ReviewState(StrEnum):
    REQUESTED = "requested"
    SCOPED = "scoped"
    TAILORED = "tailored"
    SCHEDULED = "scheduled"
    INTERVIEWING = "interviewing"
    ANALYSING = "analysing"
    REPORT_DRAFTED = "report_drafted"
    PRESENTED = "presented"
    SIGNED_OFF = "signed_off"
    CLOSED = "closed"


class Checkpoint(StrEnum):
    INITIATION = "initiation"
    INITIAL_DESIGN = "initial_design"
    MAJOR_DESIGN_CHANGE = "major_design_change"
    AD_HOC = "ad_hoc"
    PERIODIC = "periodic"


class ReviewDecision(StrEnum):
    ACCEPTED = "accepted"
    ACCEPTED_WITH_CONDITIONS = "accepted_with_conditions"
    REJECTED = "rejected"


class ReviewRole(StrEnum):
    BOARD = "board"
    PROJECT_LEADER = "project_leader"
    COORDINATOR = "coordinator"
    LEAD_ARCHITECT = "lead_architect"
    ARCHITECT = "architect"
    CUSTOMER = "customer"
    DOMAIN_EXPERT = "domain_expert"
    PRINCIPAL = "principal"


class FindingStatus(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    VERIFIED = "verified"


class DispensationState(StrEnum):
    REQUESTED = "requested"
    GRANTED = "granted"
    REFUSED = "refused"
    EXPIRED = "expired"
    REVOKED = "revoked"


class Review(Versioned, table=True):
    __table_args__ = (UniqueConstraint("year", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    reference: str = Field(max_length=20, unique=True)
    year: int
    number: int
    title: str = Field(max_length=300, index=True)
    project: str = Field(max_length=200)
    contract_id: int | None = Field(
        default=None, foreign_key="contract.id", index=True, ondelete="SET NULL"
    )
    board_id: int = Field(foreign_key="board.id", index=True, ondelete="RESTRICT")
    org_unit_id: int | None = Field(default=None, foreign_key="org_unit.id", ondelete="SET NULL")
    checkpoint: str = Field(max_length=32)
    state: str = Field(default=ReviewState.REQUESTED, max_length=20, index=True)
    scope: str = Field(default="", sa_type=Text)
    due_date: date | None = Field(default=None, index=True)
    meeting_at: datetime | None = ts_field(default=None, nullable=True)
    requested_by_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    # Indexed: the API lists reviews newest first by default.
    requested_at: datetime = ts_field(default_factory=utcnow, index=True)
    # The level computed from the items, stored when it changes (lists filter on it).
    computed_level: str | None = Field(default=None, max_length=20, index=True)
    level_override: str | None = Field(default=None, max_length=20)
    override_justification: str = Field(default="", sa_type=Text)
    override_by_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    report_summary: str = Field(default="", sa_type=Text)
    decision: str | None = Field(default=None, max_length=32)
    decision_conditions: str = Field(default="", sa_type=Text)
    signed_off_at: datetime | None = ts_field(default=None, nullable=True)
    signed_off_by_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    closed_at: datetime | None = ts_field(default=None, nullable=True)
    previous_review_id: int | None = Field(
        default=None, foreign_key="review.id", index=True, ondelete="SET NULL"
    )

    @property
    def level(self) -> str | None:
        """The overall level: the lead architect's override, else the computed one."""
        return self.level_override or self.computed_level


class ReviewParticipant(SQLModel, table=True):
    __tablename__ = "review_participant"
    __table_args__ = (UniqueConstraint("review_id", "person_id", "role"),)

    id: int | None = Field(default=None, primary_key=True)
    review_id: int = Field(foreign_key="review.id", index=True, ondelete="CASCADE")
    person_id: int = Field(foreign_key="person.id", index=True, ondelete="CASCADE")
    role: str = Field(max_length=20)


class ReviewItem(Versioned, table=True):
    """One checklist question as tailored into a review, with its answer."""

    __tablename__ = "review_item"
    __table_args__ = (UniqueConstraint("review_id", "reference"),)

    id: int | None = Field(default=None, primary_key=True)
    review_id: int = Field(foreign_key="review.id", index=True, ondelete="CASCADE")
    library_item_id: int | None = Field(
        default=None, foreign_key="checklist_item.id", ondelete="SET NULL"
    )
    category_key: str = Field(max_length=60)
    category_title: dict[str, str] = Field(default_factory=dict, sa_type=JSON)
    reference: str = Field(max_length=20)
    position: int
    weight: int = Field(default=2)
    question: dict[str, str] = Field(default_factory=dict, sa_type=JSON)
    guidance: dict[str, str] = Field(default_factory=dict, sa_type=JSON)
    principle: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    answer: str = Field(default="", sa_type=Text)
    level: str | None = Field(default=None, max_length=20)
    evidence_link: str = Field(default="", max_length=500)
    evidence_file: str | None = Field(default=None, max_length=80)
    evidence_name: str | None = Field(default=None, max_length=255)
    evidence_type: str | None = Field(default=None, max_length=100)
    evidence_size: int | None = None
    evidence_date: date | None = None
    notes: str = Field(default="", sa_type=Text)
    answered_by_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    answered_at: datetime | None = ts_field(default=None, nullable=True)


class Finding(Versioned, table=True):
    __table_args__ = (UniqueConstraint("review_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    review_id: int = Field(foreign_key="review.id", index=True, ondelete="CASCADE")
    number: int
    severity: str = Field(max_length=16)
    description: str = Field(sa_type=Text)
    recommendation: str = Field(default="", sa_type=Text)
    item_references: list[str] = Field(default_factory=list, sa_type=JSON)
    owner_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    due_date: date | None = Field(default=None, index=True)
    status: str = Field(default=FindingStatus.OPEN, max_length=16, index=True)
    verified_by_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    verified_at: datetime | None = ts_field(default=None, nullable=True)
    created_at: datetime = ts_field(default_factory=utcnow)


class Dispensation(Versioned, table=True):
    __table_args__ = (UniqueConstraint("year", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    reference: str = Field(max_length=20, unique=True)
    year: int
    number: int
    review_id: int = Field(foreign_key="review.id", index=True, ondelete="RESTRICT")
    finding_id: int | None = Field(default=None, foreign_key="finding.id", ondelete="SET NULL")
    # What it waives: review item references and/or named standards.
    item_references: list[str] = Field(default_factory=list, sa_type=JSON)
    standards: list[str] = Field(default_factory=list, sa_type=JSON)
    justification: str = Field(sa_type=Text)
    conditions: str = Field(default="", sa_type=Text)
    requested_expiry: date
    expires_on: date | None = Field(default=None, index=True)
    state: str = Field(default=DispensationState.REQUESTED, max_length=16, index=True)
    requested_by_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    requested_at: datetime = ts_field(default_factory=utcnow)
    decided_by_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    decided_at: datetime | None = ts_field(default=None, nullable=True)
    decision_note: str = Field(default="", sa_type=Text)
    renewal_of_id: int | None = Field(
        default=None, foreign_key="dispensation.id", ondelete="SET NULL"
    )
    # The review opened when the dispensation expired: the subject re-enters the cycle.
    follow_up_review_id: int | None = Field(
        default=None, foreign_key="review.id", ondelete="SET NULL"
    )
