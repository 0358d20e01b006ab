"""Architecture contracts: identity and lifecycle, versions with content, deliverables,
metrics and signatures."""

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from .base import Versioned, ts_field, utcnow


class ContractType(StrEnum):
    SOAW = "soaw"
    DESIGN_DEVELOPMENT = "design_development"
    BUSINESS_STAKEHOLDERS = "business_stakeholders"


class ContractStatus(StrEnum):
    DRAFT = "draft"
    IN_REVIEW = "in_review"
    APPROVED = "approved"
    ACTIVE = "active"
    COMPLETED = "completed"
    TERMINATED = "terminated"
    EXPIRED = "expired"


class VersionState(StrEnum):
    DRAFT = "draft"
    IN_REVIEW = "in_review"
    APPROVED = "approved"
    SIGNED = "signed"
    SUPERSEDED = "superseded"


class Capacity(StrEnum):
    SPONSOR = "sponsor"
    BOARD_CHAIR = "board_chair"
    LEAD_ARCHITECT = "lead_architect"
    PARTNER_REPRESENTATIVE = "partner_representative"
    BUSINESS_REPRESENTATIVE = "business_representative"


class AdmPhase(StrEnum):
    PRELIMINARY = "preliminary"
    A = "a_vision"
    B = "b_business"
    C = "c_information_systems"
    D = "d_technology"
    E = "e_opportunities"
    F = "f_migration"
    G = "g_implementation_governance"
    H = "h_change_management"
    REQUIREMENTS = "requirements"


class DeliverableStatus(StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    WAIVED = "waived"


class Contract(Versioned, table=True):
    __table_args__ = (UniqueConstraint("year", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    reference: str = Field(max_length=20, unique=True)
    year: int
    number: int
    type: str = Field(max_length=32, index=True)
    status: str = Field(default=ContractStatus.DRAFT, max_length=16, index=True)
    board_id: int = Field(foreign_key="board.id", index=True, ondelete="RESTRICT")
    # The version in force (last fully signed) and the newest one (maybe a draft amendment).
    effective_version: int | None = None
    latest_version: int = Field(default=1)
    created_at: datetime = ts_field(default_factory=utcnow)
    created_by_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    closed_at: datetime | None = ts_field(default=None, nullable=True)
    closed_by_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    close_reason: str = Field(default="", sa_type=Text)


class ContractVersion(Versioned, table=True):
    __tablename__ = "contract_version"
    __table_args__ = (UniqueConstraint("contract_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    contract_id: int = Field(foreign_key="contract.id", index=True, ondelete="CASCADE")
    number: int
    state: str = Field(default=VersionState.DRAFT, max_length=16)
    title: str = Field(max_length=300, index=True)
    architecture_unit_id: int = Field(foreign_key="org_unit.id", ondelete="RESTRICT")
    counterparty_unit_id: int | None = Field(
        default=None, foreign_key="org_unit.id", index=True, ondelete="RESTRICT"
    )
    partner_name: str = Field(default="", max_length=200)
    sponsor_id: int = Field(foreign_key="person.id", index=True, ondelete="RESTRICT")
    lead_architect_id: int | None = Field(
        default=None, foreign_key="person.id", ondelete="RESTRICT"
    )
    representative_id: int | None = Field(
        default=None, foreign_key="person.id", ondelete="RESTRICT"
    )
    window_start: date
    window_end: date = Field(index=True)
    sections: dict[str, str] = Field(default_factory=dict, sa_type=JSON)
    conformance_requirements: str = Field(default="", sa_type=Text)
    principles: list[str] = Field(default_factory=list, sa_type=JSON)
    standards: list[str] = Field(default_factory=list, sa_type=JSON)
    risks: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    change_summary: str = Field(default="", sa_type=Text)
    # Frozen at approval: the canonical content (names resolved) and its SHA-256. Signatures
    # bind this hash; documents of approved versions are built from the snapshot.
    snapshot: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    content_hash: str | None = Field(default=None, max_length=64)
    created_at: datetime = ts_field(default_factory=utcnow)
    submitted_at: datetime | None = ts_field(default=None, nullable=True)
    approved_at: datetime | None = ts_field(default=None, nullable=True)
    approved_by_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    signed_at: datetime | None = ts_field(default=None, nullable=True)


class Deliverable(Versioned, table=True):
    id: int | None = Field(default=None, primary_key=True)
    version_id: int = Field(foreign_key="contract_version.id", index=True, ondelete="CASCADE")
    # The same deliverable across versions of a contract (amendments copy it).
    lineage: str = Field(max_length=36, index=True)
    position: int = Field(default=0)
    title: str = Field(max_length=300)
    phase: str = Field(max_length=32, index=True)
    kind: str = Field(max_length=80)
    owner_id: int | None = Field(
        default=None, foreign_key="person.id", index=True, ondelete="SET NULL"
    )
    due_date: date = Field(index=True)
    acceptance_criteria: str = Field(default="", sa_type=Text)
    # Execution state: not part of the signed content.
    status: str = Field(default=DeliverableStatus.PLANNED, max_length=16, index=True)
    status_note: str = Field(default="", sa_type=Text)
    accepted_by_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    accepted_at: datetime | None = ts_field(default=None, nullable=True)
    evidence_link: str = Field(default="", max_length=500)
    evidence_file: str | None = Field(default=None, max_length=80)
    evidence_name: str | None = Field(default=None, max_length=255)
    evidence_type: str | None = Field(default=None, max_length=100)
    evidence_size: int | None = None


class ContractMetric(Versioned, table=True):
    __tablename__ = "contract_metric"

    id: int | None = Field(default=None, primary_key=True)
    version_id: int = Field(foreign_key="contract_version.id", index=True, ondelete="CASCADE")
    lineage: str = Field(max_length=36)
    position: int = Field(default=0)
    name: str = Field(max_length=200)
    target: str = Field(max_length=100)
    unit: str = Field(default="", max_length=40)
    # Measured while the contract runs: not part of the signed content.
    measured_value: str | None = Field(default=None, max_length=100)
    measured_at: datetime | None = ts_field(default=None, nullable=True)


class Signature(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("version_id", "capacity"),)

    id: int | None = Field(default=None, primary_key=True)
    version_id: int = Field(foreign_key="contract_version.id", index=True, ondelete="CASCADE")
    capacity: str = Field(max_length=32)
    signer_user_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    signer_person_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    signer_name: str = Field(max_length=200)
    signed_at: datetime = ts_field(default_factory=utcnow)
    version_hash: str = Field(max_length=64)
