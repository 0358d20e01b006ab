"""Governance requests: the service desk of the architecture function, its notes, service
targets and satisfaction surveys."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from .base import Versioned, ts_field, utcnow


class RequestType(StrEnum):
    REVIEW = "review_request"
    DISPENSATION = "dispensation_request"
    QUESTION = "architecture_question"
    CHANGE = "change_request"
    COMPLAINT = "complaint"


class RequestChannel(StrEnum):
    WEB = "web_form"
    EMAIL = "email"
    PHONE = "phone"
    MEETING = "meeting"


class RequestPriority(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


class RequestState(StrEnum):
    NEW = "new"
    ASSIGNED = "assigned"
    IN_PROGRESS = "in_progress"
    # Referred to a board: change requests and disputes go on its agenda.
    ESCALATED = "escalated"
    RESOLVED = "resolved"
    CLOSED = "closed"
    WITHDRAWN = "withdrawn"


class GovernanceRequest(Versioned, table=True):
    __tablename__ = "governance_request"
    __table_args__ = (UniqueConstraint("year", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    reference: str = Field(max_length=20, unique=True)
    year: int
    number: int
    type: str = Field(max_length=32, index=True)
    channel: str = Field(default=RequestChannel.WEB, max_length=16)
    priority: str = Field(default=RequestPriority.NORMAL, max_length=16, index=True)
    title: str = Field(max_length=300)
    description: str = Field(sa_type=Text)
    # What the requester asked for, in their words; the outcome is recorded against it.
    requested_outcome: str = Field(default="", sa_type=Text)
    requester_id: int | None = Field(
        default=None, foreign_key="user.id", index=True, ondelete="SET NULL"
    )
    # Requests taken by phone, mail or in a meeting are filed for someone else.
    requester_name: str = Field(default="", max_length=200)
    requester_email: str = Field(default="", max_length=254)
    org_unit_id: int | None = Field(
        default=None, foreign_key="org_unit.id", index=True, ondelete="SET NULL"
    )
    contract_id: int | None = Field(default=None, foreign_key="contract.id", ondelete="SET NULL")
    board_id: int | None = Field(
        default=None, foreign_key="board.id", index=True, ondelete="SET NULL"
    )
    assignee_id: int | None = Field(
        default=None, foreign_key="user.id", index=True, ondelete="SET NULL"
    )
    state: str = Field(default=RequestState.NEW, max_length=16, index=True)
    submitted_at: datetime = ts_field(default_factory=utcnow, index=True)
    triaged_at: datetime | None = ts_field(default=None, nullable=True)
    first_response_at: datetime | None = ts_field(default=None, nullable=True)
    resolved_at: datetime | None = ts_field(default=None, nullable=True)
    closed_at: datetime | None = ts_field(default=None, nullable=True)
    outcome: str = Field(default="", sa_type=Text)
    # What the request turned into, when triage converts it.
    review_id: int | None = Field(default=None, foreign_key="review.id", ondelete="SET NULL")
    dispensation_id: int | None = Field(
        default=None, foreign_key="dispensation.id", ondelete="SET NULL"
    )


class RequestNote(SQLModel, table=True):
    """Resolution and collaboration notes; a note may record work with another unit."""

    __tablename__ = "request_note"

    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="governance_request.id", index=True, ondelete="CASCADE")
    author_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    body: str = Field(sa_type=Text)
    # Internal notes are for the architecture function; the requester does not see them.
    internal: bool = Field(default=False)
    with_unit_id: int | None = Field(default=None, foreign_key="org_unit.id", ondelete="SET NULL")
    created_at: datetime = ts_field(default_factory=utcnow)


class ServiceTarget(Versioned, table=True):
    """How fast a request of a priority gets a first response and a resolution (hours)."""

    __tablename__ = "service_target"

    id: int | None = Field(default=None, primary_key=True)
    priority: str = Field(max_length=16, unique=True)
    first_response_hours: int
    resolution_hours: int


class SurveyInvitation(SQLModel, table=True):
    """The one-time satisfaction survey link sent after resolution, and its answer."""

    __tablename__ = "survey_invitation"

    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="governance_request.id", unique=True, ondelete="CASCADE")
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = ts_field(default_factory=utcnow)
    expires_at: datetime = ts_field()
    answered_at: datetime | None = ts_field(default=None, nullable=True)
    rating: int | None = None
    comment: str = Field(default="", sa_type=Text)
