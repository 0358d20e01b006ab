"""Board meetings and the decision log: what callers send (``...In``) and what the API
returns (``...Read``)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from flask_babel import lazy_gettext as _l
from pydantic import (
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

from .. import richtext
from ..models import (
    AgendaItemStatus,
    AgendaSection,
    AttendanceStatus,
    DecisionKind,
    DecisionMethod,
    MeetingState,
)
from .api_read import ReadModel, UtcDateTime
from .common import Schema

Title = Annotated[str, StringConstraints(min_length=3, max_length=300)]
Place = Annotated[str, StringConstraints(max_length=300)]
Long = Annotated[str, StringConstraints(max_length=20000)]
Minutes = Annotated[str, StringConstraints(max_length=richtext.MAX_LENGTH)]
Count = Annotated[int, Field(ge=0, le=1000)]
# What an agenda item, a paper or a decision can be about.
SubjectType = Literal["contract", "review", "dispensation", "action", "request", "meeting"]


# --- meetings ------------------------------------------------------------------------------------


def _check_times(starts_at: datetime | None, ends_at: datetime | None) -> None:
    if starts_at is not None and ends_at is not None and ends_at <= starts_at:
        raise ValueError(_l("The meeting must end after it starts."))


class MeetingIn(Schema):
    board_id: int = Field(ge=1)
    title: Title
    starts_at: datetime
    ends_at: datetime | None = None
    location: Place = ""

    @field_validator("ends_at")
    @classmethod
    def _after_start(cls, value: datetime | None, info: ValidationInfo) -> datetime | None:
        _check_times(info.data.get("starts_at"), value)
        return value


class MeetingUpdate(Schema):
    """A planned meeting's details; fields left out keep their value (the API's PATCH)."""

    title: Title | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    location: Place | None = None

    @field_validator("ends_at")
    @classmethod
    def _after_start(cls, value: datetime | None, info: ValidationInfo) -> datetime | None:
        _check_times(info.data.get("starts_at"), value)
        return value


class MinutesIn(Schema):
    minutes: Minutes = ""

    @field_validator("minutes")
    @classmethod
    def _clean(cls, value: str) -> str:
        return richtext.clean(value)


class CloseIn(Schema):
    """Closing may send the final minutes along; without them the saved minutes count."""

    minutes: Minutes | None = None

    @field_validator("minutes")
    @classmethod
    def _clean(cls, value: str | None) -> str | None:
        return None if value is None else richtext.clean(value)


# --- agenda --------------------------------------------------------------------------------------


class AgendaItemIn(Schema):
    section: AgendaSection
    title: Title
    description: Long = ""
    subject_type: SubjectType | None = None
    subject_id: int | None = Field(default=None, ge=1)
    presenter_id: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _subject(self) -> AgendaItemIn:
        if (self.subject_type is None) != (self.subject_id is None):
            raise ValueError(_l("Give both the subject type and the subject id, or neither."))
        return self


class AgendaItemEdit(Schema):
    """Fields left out keep their value."""

    section: AgendaSection | None = None
    title: Title | None = None
    description: Long | None = None
    presenter_id: int | None = Field(default=None, ge=1)
    status: AgendaItemStatus | None = None
    notes: Long | None = None


class AgendaMove(Schema):
    direction: Literal["up", "down"]


# --- papers and attendance ----------------------------------------------------------------------


class PaperIn(Schema):
    """A generated paper: the review report or the contract document, built when downloaded."""

    subject_type: Literal["review", "contract"]
    subject_id: int = Field(ge=1)
    agenda_item_id: int | None = Field(default=None, ge=1)
    title: Annotated[str, StringConstraints(max_length=300)] = ""


class AttendanceIn(Schema):
    status: AttendanceStatus
    note: Annotated[str, StringConstraints(max_length=300)] = ""


class GuestIn(Schema):
    person_id: int = Field(ge=1)
    note: Annotated[str, StringConstraints(max_length=300)] = ""


# --- decisions -----------------------------------------------------------------------------------


class SubjectRef(Schema):
    subject_type: SubjectType
    subject_id: int = Field(ge=1)


class DecisionIn(Schema):
    """A board decision. On an agenda item whose kind has an effect (approve the contract,
    grant or refuse the dispensation, accept or reject the review) the effect is applied in
    the same transaction; ``expires_on`` is for a dispensation grant, ``conditions`` for a
    review accepted with conditions."""

    kind: DecisionKind
    title: Title
    rationale: Annotated[str, StringConstraints(min_length=10, max_length=20000)]
    decided_on: date
    method: DecisionMethod = DecisionMethod.CONSENSUS
    votes_for: Count | None = None
    votes_against: Count | None = None
    abstentions: Count | None = None
    board_id: int | None = Field(
        default=None, ge=1, description="Needed only for a decision outside a meeting."
    )
    meeting_id: int | None = Field(default=None, ge=1)
    agenda_item_id: int | None = Field(default=None, ge=1)
    supersedes_id: int | None = Field(default=None, ge=1)
    subjects: list[SubjectRef] = Field(default_factory=list, max_length=50)
    expires_on: date | None = None
    conditions: Long = ""

    @model_validator(mode="after")
    def _votes(self) -> DecisionIn:
        if self.method == DecisionMethod.VOTE:
            if self.votes_for is None or self.votes_against is None or self.abstentions is None:
                raise ValueError(_l("A vote needs the votes for, against and abstentions."))
            if self.votes_for <= self.votes_against:
                raise ValueError(_l("A vote carries only with more votes for than against."))
        elif any(v is not None for v in (self.votes_for, self.votes_against, self.abstentions)):
            raise ValueError(_l("Votes are counted only when the method is a vote."))
        return self

    @field_validator("rationale", "conditions")
    @classmethod
    def _clean(cls, value: str) -> str:
        return richtext.clean(value)


# --- what the API returns -----------------------------------------------------------------------


class QuorumRead(ReadModel):
    present: int = Field(description="Board members marked present.")
    required: int = Field(description="The board's quorum.")
    met: bool


class MeetingRead(ReadModel):
    id: int
    reference: str
    board_id: int
    title: str
    starts_at: UtcDateTime
    ends_at: UtcDateTime | None
    location: str
    state: MeetingState
    papers_circulated_at: UtcDateTime | None
    opened_at: UtcDateTime | None
    closed_at: UtcDateTime | None
    minutes: str = Field(description="Markdown.")
    created_at: UtcDateTime
    version: int


class AgendaItemRead(ReadModel):
    id: int
    meeting_id: int
    position: int
    section: AgendaSection
    title: str
    description: str
    subject_type: str | None
    subject_id: int | None
    presenter_id: int | None
    status: AgendaItemStatus
    notes: str
    version: int


class AttendanceRead(ReadModel):
    id: int
    meeting_id: int
    person_id: int
    person_name: str
    board_role: str | None = Field(description="Null for guests (who do not count to quorum).")
    status: AttendanceStatus
    note: str


class PaperRead(ReadModel):
    id: int
    meeting_id: int
    agenda_item_id: int | None
    kind: str
    title: str
    subject_type: str | None
    subject_id: int | None
    file_name: str | None
    content_type: str | None
    size: int | None
    added_at: UtcDateTime


class MeetingDetailRead(MeetingRead):
    quorum: QuorumRead
    agenda: list[AgendaItemRead]
    attendance: list[AttendanceRead]


class DecisionRead(ReadModel):
    id: int
    reference: str
    board_id: int
    meeting_id: int | None
    agenda_item_id: int | None
    kind: DecisionKind
    title: str
    rationale: str
    decided_on: date
    method: DecisionMethod
    votes_for: int | None
    votes_against: int | None
    abstentions: int | None
    effect: dict[str, Any] = Field(description="What applying the decision did, if anything.")
    supersedes_id: int | None
    superseded_by_id: int | None = None
    subjects: list[SubjectRef] = Field(default_factory=list)
    recorded_by_id: int | None
    recorded_at: UtcDateTime
    version: int
