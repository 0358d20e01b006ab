"""Reminder rules as input and output. The fixed checks (ranges, unique offsets) live here;
what depends on the kind (its recipients, settings, whether it can be overdue) is checked by
``kind_problems``, which the service runs on create and update alike."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from flask_babel import lazy_gettext as _l
from pydantic import Field, StringConstraints, field_validator

from ..errors import Message
from ..models import Channel, ReminderKind
from .common import Schema

K = ReminderKind

# Who can receive a reminder, by their relation to its subject.
OWNER = "owner"
SPONSOR = "sponsor"
BOARD_CHAIR = "board_chair"
COORDINATOR = "coordinator"  # every active user with the review_coordinator role
ASSIGNEE = "assignee"
LEAD_ARCHITECT = "lead_architect"
FACILITATOR = "facilitator"
ATTENDEES = "attendees"
PERSON = "person"
MANAGER = "manager"

RELATION_LABELS: dict[str, Message] = {
    OWNER: _l("Owner"),
    SPONSOR: _l("Sponsor"),
    BOARD_CHAIR: _l("Board chair"),
    COORDINATOR: _l("Review co-ordinators"),
    ASSIGNEE: _l("Assignee"),
    LEAD_ARCHITECT: _l("Lead architect"),
    FACILITATOR: _l("Facilitator"),
    ATTENDEES: _l("Attendees"),
    PERSON: _l("The person"),
    MANAGER: _l("Their manager"),
}

# The relations each kind knows, in the order a form lists them.
ALLOWED_RELATIONS: dict[str, tuple[str, ...]] = {
    K.DELIVERABLE_DUE: (OWNER, SPONSOR, LEAD_ARCHITECT, BOARD_CHAIR, COORDINATOR),
    K.CONTRACT_ENDING: (SPONSOR, LEAD_ARCHITECT, BOARD_CHAIR, COORDINATOR),
    K.CONTRACT_AUDIT: (SPONSOR, LEAD_ARCHITECT, BOARD_CHAIR, COORDINATOR),
    # owner: who requested the review (or the dispensation)
    K.REVIEW_STEP_DUE: (OWNER, LEAD_ARCHITECT, BOARD_CHAIR, COORDINATOR),
    K.DISPENSATION_EXPIRING: (OWNER, LEAD_ARCHITECT, BOARD_CHAIR, COORDINATOR),
    K.ACTION_DUE: (OWNER, BOARD_CHAIR, COORDINATOR),
    K.MEETING_UPCOMING: (ATTENDEES, BOARD_CHAIR, COORDINATOR),
    K.MATURITY_REASSESSMENT: (COORDINATOR, FACILITATOR),
    K.REQUEST_TARGET: (ASSIGNEE, BOARD_CHAIR, COORDINATOR),
    # skills are personal data: only the person and their manager
    K.SKILLS_REASSESSMENT: (PERSON, MANAGER),
}

# Kinds whose subject simply ends at its date (an expired dispensation, an ended contract, a
# meeting that took place): nothing to be overdue with, nobody to escalate to.
NO_OVERDUE: frozenset[str] = frozenset(
    {K.CONTRACT_ENDING, K.DISPENSATION_EXPIRING, K.MEETING_UPCOMING}
)

# Kind-specific settings: name -> (lowest, highest, default or None when optional).
SETTINGS: dict[str, dict[str, tuple[int, int, int | None]]] = {
    K.CONTRACT_AUDIT: {"months": (1, 24, 3)},
    K.MATURITY_REASSESSMENT: {"months": (1, 60, 12)},
    K.SKILLS_REASSESSMENT: {"months": (1, 60, 12)},
    # Requests are due within hours, so days before are too coarse: also remind this many
    # hours before the resolution target.
    K.REQUEST_TARGET: {"hours_before": (1, 168, None)},
}

Offset = Annotated[int, Field(ge=0, le=365)]


class RuleFields(Schema):
    name: Annotated[str, StringConstraints(min_length=3, max_length=200)]
    offsets: list[Offset] = Field(default_factory=list, max_length=20)
    overdue_every_days: int | None = Field(default=None, ge=1, le=90)
    recipients: list[str] = Field(min_length=1, max_length=10)
    escalate_after_days: int | None = Field(default=None, ge=1, le=365)
    channel: Channel = Channel.BOTH
    enabled: bool = True
    settings: dict[str, int] = Field(default_factory=dict)

    @field_validator("offsets")
    @classmethod
    def _unique(cls, value: list[int]) -> list[int]:
        if len(set(value)) != len(value):
            raise ValueError(_l("Each number of days may appear only once."))
        return sorted(value, reverse=True)

    @field_validator("recipients")
    @classmethod
    def _known(cls, value: list[str]) -> list[str]:
        unknown = [v for v in value if v not in RELATION_LABELS]
        if unknown:
            raise ValueError(_l("Unknown recipients: %(names)s.", names=", ".join(unknown)))
        return list(dict.fromkeys(value))


class RuleCreate(RuleFields):
    kind: ReminderKind


class RuleUpdate(RuleFields):
    """Everything but the kind, which a rule keeps for life."""


class RuleRead(Schema):
    id: int
    version: int
    kind: str
    name: str
    offsets: list[int]
    overdue_every_days: int | None
    recipients: list[str]
    escalate_after_days: int | None
    channel: str
    enabled: bool
    settings: dict[str, Any]
    created_at: datetime


def kind_problems(kind: str, data: RuleFields) -> dict[str, Message]:
    """What in ``data`` does not fit a rule of ``kind``, one message per field."""
    problems: dict[str, Message] = {}
    allowed = ALLOWED_RELATIONS[kind]
    wrong = [r for r in data.recipients if r not in allowed]
    if wrong:
        problems["recipients"] = _l(
            "This kind of reminder cannot go to: %(names)s. Choose from: %(allowed)s.",
            names=", ".join(wrong),
            allowed=", ".join(allowed),
        )
    if kind in NO_OVERDUE:
        if data.overdue_every_days is not None:
            problems["overdue_every_days"] = _l("This kind of reminder cannot be overdue.")
        if data.escalate_after_days is not None:
            problems["escalate_after_days"] = _l("This kind of reminder cannot be overdue.")
    known = SETTINGS.get(kind, {})
    for key, value in data.settings.items():
        if key not in known:
            problems["settings"] = _l("Unknown setting: %(name)s.", name=key)
        elif not known[key][0] <= value <= known[key][1]:
            problems["settings"] = _l(
                "%(name)s must be between %(low)s and %(high)s.",
                name=key,
                low=known[key][0],
                high=known[key][1],
            )
    if not (data.offsets or data.overdue_every_days or data.settings.get("hours_before")):
        problems["offsets"] = _l("Give at least one number of days before, or overdue reminders.")
    return problems
