from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import Field, StringConstraints, field_validator

from .. import richtext
from ..conformance import Level
from ..models import Checkpoint, FindingStatus, ReviewDecision, ReviewRole
from .common import Schema

Title = Annotated[str, StringConstraints(min_length=3, max_length=300)]
Long = Annotated[str, StringConstraints(max_length=20000)]
Reason = Annotated[str, StringConstraints(min_length=20, max_length=5000)]
Ref = Annotated[str, StringConstraints(pattern=r"^[A-Z]{1,6}-\d{1,3}$")]


class ReviewRequest(Schema):
    title: Title
    project: Annotated[str, StringConstraints(min_length=2, max_length=200)]
    board_id: int
    checkpoint: Checkpoint
    contract_id: int | None = None
    org_unit_id: int | None = None
    scope: Long = ""
    due_date: date | None = None

    @field_validator("scope")
    @classmethod
    def _clean(cls, value: str) -> str:
        return richtext.clean(value)


class ParticipantIn(Schema):
    person_id: int
    role: ReviewRole


class TailorIn(Schema):
    library_id: int
    # None: every category; otherwise only these categories ...
    categories: list[str] | None = None
    # ... or only these item references (wins over categories when given).
    references: list[str] | None = None


class CustomItemIn(Schema):
    category_key: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,59}$")]
    category_title: Annotated[str, StringConstraints(min_length=2, max_length=200)]
    question: Annotated[str, StringConstraints(min_length=5, max_length=2000)]
    guidance: Annotated[str, StringConstraints(max_length=2000)] = ""
    principle: Annotated[str, StringConstraints(max_length=500)] = ""
    weight: int = Field(default=2, ge=1, le=3)


class AnswerIn(Schema):
    answer: Long = ""
    level: Level | None = None
    evidence_link: Annotated[str, StringConstraints(max_length=500)] = ""
    evidence_date: date | None = None
    notes: Long = ""

    @field_validator("evidence_link")
    @classmethod
    def _http_only(cls, value: str) -> str:
        if value and not value.startswith(("https://", "http://")):
            raise ValueError("The link must start with https:// or http://.")
        return value


class AdvanceIn(Schema):
    """Moving a review to its next step; some steps need more than a click."""

    meeting_at: datetime | None = None
    report_summary: Long = ""
    decision: ReviewDecision | None = None
    conditions: Long = ""


class OverrideIn(Schema):
    level: Level
    justification: Reason


class FindingIn(Schema):
    severity: Annotated[str, StringConstraints(pattern=r"^(low|medium|high|critical)$")]
    description: Annotated[str, StringConstraints(min_length=5, max_length=5000)]
    recommendation: Long = ""
    item_references: list[Ref] = Field(default_factory=list)
    owner_id: int | None = None
    due_date: date | None = None


class FindingMove(Schema):
    status: FindingStatus


class DispensationRequest(Schema):
    review_id: int
    finding_id: int | None = None
    item_references: list[Ref] = Field(default_factory=list)
    standards: list[Annotated[str, StringConstraints(min_length=2, max_length=200)]] = Field(
        default_factory=list
    )
    justification: Annotated[str, StringConstraints(min_length=20, max_length=5000)]
    conditions: Long = ""
    requested_expiry: date


class DispensationDecision(Schema):
    expires_on: date | None = None  # granting needs it; refusing does not
    note: Long = ""


class RenewIn(Schema):
    requested_expiry: date
    justification: Annotated[str, StringConstraints(min_length=20, max_length=5000)]
