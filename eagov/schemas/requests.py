"""Governance requests: what the intake form, triage, the work view, the survey and the
service-target settings accept, and what the API returns."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from flask_babel import lazy_gettext as _l
from pydantic import Field, StringConstraints, field_validator, model_validator

from ..models import Checkpoint, RequestChannel, RequestPriority, RequestType
from .common import Schema

Title = Annotated[str, StringConstraints(min_length=3, max_length=300)]
Text = Annotated[str, StringConstraints(min_length=10, max_length=20000)]
Long = Annotated[str, StringConstraints(max_length=20000)]
Reason = Annotated[str, StringConstraints(min_length=5, max_length=5000)]
Hours = Annotated[int, Field(ge=1, le=8760)]


def _email(value: str) -> str:
    if value and ("@" not in value or value.startswith("@") or value.endswith("@")):
        raise ValueError(_l("Enter an e-mail address such as name@example.com."))
    return value


# --- input ---------------------------------------------------------------------------------------


class RequestIn(Schema):
    """Filing a request. The desk records requests taken by e-mail, phone or in a meeting on
    behalf of the requester, who is then named here."""

    type: RequestType
    channel: RequestChannel = RequestChannel.WEB
    priority: RequestPriority = RequestPriority.NORMAL
    title: Title
    description: Text
    requested_outcome: Long = ""
    org_unit_id: int | None = None
    board_id: int | None = None
    contract_id: int | None = None
    requester_name: Annotated[str, StringConstraints(max_length=200)] = ""
    requester_email: Annotated[str, StringConstraints(max_length=254)] = ""

    @field_validator("requester_email")
    @classmethod
    def _check_email(cls, value: str) -> str:
        return _email(value)


class TriageIn(Schema):
    """Assign and/or set the priority; a field left out stays as it is."""

    assignee_id: int | None = None
    priority: RequestPriority | None = None


class EscalateIn(Schema):
    board_id: int
    note: Long = ""


class ReasonIn(Schema):
    reason: Reason


class NoteIn(Schema):
    body: Annotated[str, StringConstraints(min_length=1, max_length=20000)]
    internal: bool = False
    with_unit_id: int | None = None


class ResolveIn(Schema):
    outcome: Reason


class ConvertToReviewIn(Schema):
    """What a compliance review needs beyond the request (its title and scope come from it)."""

    board_id: int
    project: Annotated[str, StringConstraints(min_length=2, max_length=200)]
    checkpoint: Checkpoint
    org_unit_id: int | None = None
    contract_id: int | None = None
    due_date: date | None = None


class NoInput(Schema):
    """Nothing to say: send an empty object, {}."""


class SurveyAnswerIn(Schema):
    rating: int = Field(ge=1, le=5)
    comment: Annotated[str, StringConstraints(max_length=5000)] = ""


class TargetIn(Schema):
    priority: RequestPriority
    first_response_hours: Hours
    resolution_hours: Hours

    @model_validator(mode="after")
    def _order(self) -> TargetIn:
        if self.resolution_hours < self.first_response_hours:
            raise ValueError(_l("The resolution target cannot be shorter than the first response."))
        return self


class TargetsIn(Schema):
    targets: list[TargetIn] = Field(min_length=1, max_length=len(RequestPriority))

    @field_validator("targets")
    @classmethod
    def _unique(cls, value: list[TargetIn]) -> list[TargetIn]:
        if len({t.priority for t in value}) != len(value):
            raise ValueError(_l("Name each priority once."))
        return value


# --- API read models ---------------------------------------------------------------------------


class StandingRead(Schema):
    response_due: datetime
    resolution_due: datetime
    response_met: bool | None
    resolution_met: bool | None
    response_breached: bool
    resolution_breached: bool


class SurveyAnswerRead(Schema):
    rating: int | None
    comment: str
    answered_at: datetime | None
    expires_at: datetime


class RequestRead(Schema):
    id: int
    reference: str
    type: str
    channel: str
    priority: str
    state: str
    title: str
    description: str
    requested_outcome: str
    requester_id: int | None
    requester_name: str
    requester_email: str
    org_unit_id: int | None
    board_id: int | None
    contract_id: int | None
    assignee_id: int | None
    submitted_at: datetime
    triaged_at: datetime | None
    first_response_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    outcome: str
    review_id: int | None
    dispensation_id: int | None
    version: int
    standing: StandingRead


class NoteRead(Schema):
    id: int
    author_id: int | None
    body: str
    internal: bool
    with_unit_id: int | None
    created_at: datetime


class RequestDetailRead(RequestRead):
    notes: list[NoteRead]
    # Only the desk sees the answer of the satisfaction survey.
    survey: SurveyAnswerRead | None = None


class TargetRead(Schema):
    priority: str
    first_response_hours: int
    resolution_hours: int
    configured: bool


class TargetsRead(Schema):
    # The version of the whole set: it grows with every change of any target.
    version: int
    targets: list[TargetRead]
