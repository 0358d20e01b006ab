"""Architecture Board operations: meetings with their agenda, papers and attendance, the
decision log, and the action tracker."""

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from .base import Versioned, ts_field, utcnow


class MeetingState(StrEnum):
    PLANNED = "planned"
    IN_SESSION = "in_session"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class AgendaSection(StrEnum):
    """The standard agenda of a board meeting, in its order."""

    PREVIOUS_MINUTES = "previous_minutes"
    CHANGE_REQUESTS = "change_requests"
    DISPENSATIONS = "dispensations"
    COMPLIANCE_ASSESSMENTS = "compliance_assessments"
    DISPUTES = "disputes"
    STRATEGY = "strategy"
    ACTIONS = "actions"
    CONTRACT_DOCUMENTATION = "contract_documentation"
    OTHER_BUSINESS = "other_business"
    SCHEDULE = "schedule_of_meetings"


AGENDA_ORDER: tuple[str, ...] = tuple(s.value for s in AgendaSection)


class AgendaItemStatus(StrEnum):
    OPEN = "open"
    DISCUSSED = "discussed"
    DECIDED = "decided"
    DEFERRED = "deferred"


class AttendanceStatus(StrEnum):
    INVITED = "invited"
    CONFIRMED = "confirmed"
    DECLINED = "declined"
    PRESENT = "attended"
    APOLOGIES = "apologies"
    ABSENT = "absent"


class PaperKind(StrEnum):
    REVIEW_REPORT = "review_report"
    CONTRACT_DOCUMENT = "contract_document"
    DISPENSATION_REQUEST = "dispensation_request"
    UPLOADED = "uploaded"


class DecisionKind(StrEnum):
    PRODUCT_SELECTION = "product_selection"
    FEATURE_JUSTIFICATION = "feature_justification"
    STANDARDS_DEVIATION = "standards_deviation"
    STANDARDS_LIFECYCLE = "standards_lifecycle"
    CHANGE_REQUEST = "change_request_evaluation"
    REUSE_ASSESSMENT = "reuse_assessment"
    CONTRACT_APPROVAL = "contract_approval"
    DISPENSATION_GRANT = "dispensation_grant"
    DISPENSATION_REFUSAL = "dispensation_refusal"
    REVIEW_ACCEPTANCE = "review_acceptance"
    REVIEW_REJECTION = "review_rejection"
    DISPUTE_RESOLUTION = "dispute_resolution"
    OTHER = "other"


class DecisionMethod(StrEnum):
    CONSENSUS = "consensus"
    VOTE = "vote"


class ActionStatus(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    CANCELLED = "cancelled"


class ActionPriority(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


class ActionType(StrEnum):
    FOLLOW_UP = "follow_up"
    IMPLEMENT_DECISION = "implement_decision"
    INVESTIGATE = "investigate"
    DOCUMENT = "document"
    COMMUNICATE = "communicate"
    OTHER = "other"


class Meeting(Versioned, table=True):
    __table_args__ = (UniqueConstraint("year", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    reference: str = Field(max_length=20, unique=True)
    year: int
    number: int
    board_id: int = Field(foreign_key="board.id", index=True, ondelete="RESTRICT")
    title: str = Field(max_length=300)
    starts_at: datetime = ts_field(index=True)
    ends_at: datetime | None = ts_field(default=None, nullable=True)
    location: str = Field(default="", max_length=300)
    state: str = Field(default=MeetingState.PLANNED, max_length=16, index=True)
    # Papers go out ahead of the meeting; the date they did is on record.
    papers_circulated_at: datetime | None = ts_field(default=None, nullable=True)
    opened_at: datetime | None = ts_field(default=None, nullable=True)
    closed_at: datetime | None = ts_field(default=None, nullable=True)
    minutes: str = Field(default="", sa_type=Text)
    created_by_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    created_at: datetime = ts_field(default_factory=utcnow)


class AgendaItem(Versioned, table=True):
    __tablename__ = "agenda_item"

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True, ondelete="CASCADE")
    position: int
    section: str = Field(max_length=32)
    title: str = Field(max_length=300)
    description: str = Field(default="", sa_type=Text)
    # What the item is about: ("contract" | "review" | "dispensation" | "action" | "request", id)
    subject_type: str | None = Field(default=None, max_length=32)
    subject_id: int | None = None
    presenter_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    status: str = Field(default=AgendaItemStatus.OPEN, max_length=16)
    notes: str = Field(default="", sa_type=Text)


class MeetingPaper(SQLModel, table=True):
    __tablename__ = "meeting_paper"

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True, ondelete="CASCADE")
    agenda_item_id: int | None = Field(
        default=None, foreign_key="agenda_item.id", ondelete="SET NULL"
    )
    kind: str = Field(max_length=32)
    title: str = Field(max_length=300)
    # Generated papers point at their subject and are built when downloaded;
    # uploaded ones are stored files.
    subject_type: str | None = Field(default=None, max_length=32)
    subject_id: int | None = None
    stored_name: str | None = Field(default=None, max_length=80)
    file_name: str | None = Field(default=None, max_length=255)
    content_type: str | None = Field(default=None, max_length=100)
    size: int | None = None
    added_by_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    added_at: datetime = ts_field(default_factory=utcnow)


class Attendance(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("meeting_id", "person_id"),)

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True, ondelete="CASCADE")
    person_id: int = Field(foreign_key="person.id", index=True, ondelete="CASCADE")
    # Board members count towards the quorum; guests do not.
    board_role: str | None = Field(default=None, max_length=16)
    status: str = Field(default=AttendanceStatus.INVITED, max_length=16)
    note: str = Field(default="", max_length=300)


class Decision(Versioned, table=True):
    __table_args__ = (UniqueConstraint("year", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    reference: str = Field(max_length=20, unique=True)
    year: int
    number: int
    board_id: int = Field(foreign_key="board.id", index=True, ondelete="RESTRICT")
    meeting_id: int | None = Field(
        default=None, foreign_key="meeting.id", index=True, ondelete="SET NULL"
    )
    agenda_item_id: int | None = Field(
        default=None, foreign_key="agenda_item.id", ondelete="SET NULL"
    )
    kind: str = Field(max_length=40, index=True)
    title: str = Field(max_length=300)
    rationale: str = Field(sa_type=Text)
    decided_on: date = Field(index=True)
    method: str = Field(default=DecisionMethod.CONSENSUS, max_length=16)
    votes_for: int | None = None
    votes_against: int | None = None
    abstentions: int | None = None
    # What applying the decision set (e.g. a dispensation's expiry), for the record.
    effect: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    supersedes_id: int | None = Field(
        default=None, foreign_key="decision.id", index=True, ondelete="SET NULL"
    )
    recorded_by_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    recorded_at: datetime = ts_field(default_factory=utcnow)


class DecisionSubject(SQLModel, table=True):
    """A record a decision is about: a contract, review, dispensation, request, unit, ..."""

    __tablename__ = "decision_subject"
    __table_args__ = (UniqueConstraint("decision_id", "subject_type", "subject_id"),)

    id: int | None = Field(default=None, primary_key=True)
    decision_id: int = Field(foreign_key="decision.id", index=True, ondelete="CASCADE")
    subject_type: str = Field(max_length=32, index=True)
    subject_id: int = Field(index=True)


class Action(Versioned, table=True):
    __table_args__ = (UniqueConstraint("year", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    reference: str = Field(max_length=20, unique=True)
    year: int
    number: int
    board_id: int | None = Field(
        default=None, foreign_key="board.id", index=True, ondelete="SET NULL"
    )
    meeting_id: int | None = Field(
        default=None, foreign_key="meeting.id", index=True, ondelete="SET NULL"
    )
    decision_id: int | None = Field(
        default=None, foreign_key="decision.id", index=True, ondelete="SET NULL"
    )
    priority: str = Field(default=ActionPriority.MEDIUM, max_length=16)
    type: str = Field(default=ActionType.FOLLOW_UP, max_length=32)
    description: str = Field(max_length=500)
    details: str = Field(default="", sa_type=Text)
    owner_id: int | None = Field(
        default=None, foreign_key="person.id", index=True, ondelete="SET NULL"
    )
    raised_on: date
    due_on: date | None = Field(default=None, index=True)
    status: str = Field(default=ActionStatus.OPEN, max_length=16, index=True)
    resolved_on: date | None = None
    resolution: str = Field(default="", sa_type=Text)
    raised_by_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    created_at: datetime = ts_field(default_factory=utcnow)
