"""Scheduled reminders: rules (what, when, to whom, how), the notifications they produce
(one row per occurrence and recipient: the outbox for e-mail and the in-app inbox at once),
people's delivery preferences, the scheduler's own state, and periodic contract audits."""

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from .base import Versioned, ts_field, utcnow


class ReminderKind(StrEnum):
    DELIVERABLE_DUE = "deliverable_due"
    CONTRACT_ENDING = "contract_ending"
    CONTRACT_AUDIT = "contract_audit"
    REVIEW_STEP_DUE = "review_step_due"
    DISPENSATION_EXPIRING = "dispensation_expiring"
    ACTION_DUE = "action_due"
    MEETING_UPCOMING = "meeting_upcoming"
    MATURITY_REASSESSMENT = "maturity_reassessment_due"
    REQUEST_TARGET = "request_target_breach"
    SKILLS_REASSESSMENT = "skills_reassessment_due"


class Channel(StrEnum):
    EMAIL = "email"
    IN_APP = "in_app"
    BOTH = "both"


class NotificationStatus(StrEnum):
    PENDING = "pending"  # waiting to be e-mailed (or for the daily digest)
    SENDING = "sending"  # claimed by a deliverer
    SENT = "sent"
    FAILED = "failed"  # gave up after the retries; shown to administrators
    CANCELLED = "cancelled"  # the subject was completed or reassigned before sending
    IN_APP_ONLY = "in_app_only"  # nothing to e-mail


class DeliveryMode(StrEnum):
    IMMEDIATE = "immediate"
    DIGEST = "digest"


class ReminderRule(Versioned, table=True):
    __tablename__ = "reminder_rule"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=40, index=True)
    name: str = Field(max_length=200)
    # Days before the anchor date (due date, end date, expiry, meeting day) to remind;
    # 0 is the day itself.
    offsets: list[int] = Field(default_factory=list, sa_type=JSON)
    # Once overdue, remind every N days (None: not at all).
    overdue_every_days: int | None = None
    # Relations to the subject that receive it: "owner", "sponsor", "board_chair",
    # "coordinator", "assignee", "lead_architect", "facilitator", ...
    recipients: list[str] = Field(default_factory=list, sa_type=JSON)
    # After this many days overdue, the next person up the org structure is told as well.
    escalate_after_days: int | None = None
    channel: str = Field(default=Channel.BOTH, max_length=10)
    enabled: bool = Field(default=True)
    # Kind-specific settings, e.g. {"months": 3} for the contract audit cadence or
    # {"months": 12} for the maturity reassessment cadence.
    settings: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    created_at: datetime = ts_field(default_factory=utcnow)


class Notification(SQLModel, table=True):
    """One reminder occurrence for one recipient. The unique key makes sending exactly-once:
    a sweep that runs again, a second scheduler or a catch-up finds the row already there."""

    __table_args__ = (
        UniqueConstraint("rule_id", "subject_type", "subject_id", "occurrence", "user_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    rule_id: int | None = Field(
        default=None, foreign_key="reminder_rule.id", index=True, ondelete="SET NULL"
    )
    kind: str = Field(max_length=40, index=True)
    subject_type: str = Field(max_length=32)
    subject_id: int
    # Which occurrence: e.g. "before:7:2026-12-01", "overdue:14:2026-12-15", "escalate:...".
    occurrence: str = Field(max_length=80)
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    # When the occurrence was due; a catch-up after downtime sends it late, marked so.
    due_at: datetime = ts_field(index=True)
    late: bool = Field(default=False)
    escalation: bool = Field(default=False)
    title: str = Field(max_length=300)
    body: str = Field(default="", sa_type=Text)
    link: str = Field(default="", max_length=500)
    # E-mail state (the outbox); in-app state (the inbox) is ``read_at`` / ``in_app``.
    email: bool = Field(default=True)
    in_app: bool = Field(default=True)
    status: str = Field(default=NotificationStatus.PENDING, max_length=16, index=True)
    attempts: int = Field(default=0)
    next_attempt_at: datetime | None = ts_field(default=None, nullable=True, index=True)
    last_error: str = Field(default="", sa_type=Text)
    claimed_at: datetime | None = ts_field(default=None, nullable=True)
    sent_at: datetime | None = ts_field(default=None, nullable=True)
    read_at: datetime | None = ts_field(default=None, nullable=True)
    created_at: datetime = ts_field(default_factory=utcnow)


class NotificationPreference(Versioned, table=True):
    """A user's choice per reminder kind: immediate or in the daily digest, or unsubscribed
    from e-mail (in-app notifications stay)."""

    __tablename__ = "notification_preference"
    __table_args__ = (UniqueConstraint("user_id", "kind"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    kind: str = Field(max_length=40)
    mode: str = Field(default=DeliveryMode.IMMEDIATE, max_length=10)
    email_enabled: bool = Field(default=True)


class SchedulerState(SQLModel, table=True):
    """One row per job: when it last ran and how it went, and the lease that keeps a second
    scheduler from running the same job at the same time."""

    __tablename__ = "scheduler_state"

    job: str = Field(primary_key=True, max_length=40)
    last_started_at: datetime | None = ts_field(default=None, nullable=True)
    last_finished_at: datetime | None = ts_field(default=None, nullable=True)
    # The sweep's high-water mark: occurrences due after it are still to be created.
    covered_until: datetime | None = ts_field(default=None, nullable=True)
    last_error: str = Field(default="", sa_type=Text)
    last_result: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    lease_owner: str | None = Field(default=None, max_length=100)
    lease_until: datetime | None = ts_field(default=None, nullable=True)


class ContractAudit(SQLModel, table=True):
    """The periodic check of an active contract, kept as a record on the contract."""

    __tablename__ = "contract_audit"
    __table_args__ = (UniqueConstraint("contract_id", "period"),)

    id: int | None = Field(default=None, primary_key=True)
    contract_id: int = Field(foreign_key="contract.id", index=True, ondelete="CASCADE")
    # The audit period it belongs to, e.g. "2026-Q4": one audit per contract and period.
    period: str = Field(max_length=20)
    audited_on: date
    passed: bool
    # [{"check": "overdue_deliverables", "passed": false, "detail": "...", "items": [...]}]
    checks: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    created_at: datetime = ts_field(default_factory=utcnow)
