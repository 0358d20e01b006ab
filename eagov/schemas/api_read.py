"""What the JSON API returns: one Read model per resource, the list envelope, the problem."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any, Generic, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from ..models import ArchitectureRole, BoardLevel, BoardRole, UnitKind
from .accounts import TokenRead, UserRead

T = TypeVar("T")


def _utc(value: datetime) -> datetime:
    # SQLite hands timestamps back naive; everything stored is UTC, so say so in the output.
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


UtcDateTime = Annotated[datetime, AfterValidator(_utc)]


class ReadModel(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class OrgUnitRead(ReadModel):
    id: int
    name: str
    code: str | None
    kind: UnitKind
    parent_id: int | None
    description: str
    created_at: UtcDateTime
    updated_at: UtcDateTime
    version: int


class OrgLinkRead(ReadModel):
    id: int
    from_unit_id: int
    to_unit_id: int
    note: str


class PersonRead(ReadModel):
    id: int
    name: str
    email: str
    phone: str
    org_unit_id: int | None
    user_id: int | None
    created_at: UtcDateTime
    version: int


class PositionRead(ReadModel):
    id: int
    title: str
    org_unit_id: int
    reports_to_id: int | None
    holder_id: int | None
    architecture_role: ArchitectureRole | None
    duties: str
    requirements: str
    performance_criteria: str
    version: int


class BoardRead(ReadModel):
    id: int
    name: str
    level: BoardLevel
    parent_board_id: int | None
    org_unit_id: int | None
    quorum: int
    description: str
    version: int


class BoardMemberRead(ReadModel):
    id: int
    board_id: int
    person_id: int
    role: BoardRole
    term_start: date
    term_end: date | None


class AuditEventRead(ReadModel):
    seq: int
    at: UtcDateTime
    actor_id: int | None
    actor_label: str
    action: str
    entity_type: str
    entity_id: str
    changes: dict[str, Any]
    prev_hash: str
    hash: str


class UserCreated(UserRead):
    invite_url: str | None = Field(
        description="Link the new user opens to set a password; null when a password was given."
    )


class TokenCreated(TokenRead):
    secret: str = Field(description="The token itself. Shown once: only its hash is stored.")


class Page(BaseModel, Generic[T]):
    """One page of a collection; the ``Link`` header carries the neighbouring pages."""

    items: list[T]
    page: int
    per_page: int
    total: int


class Problem(BaseModel):
    """RFC 9457 problem document, with ``errors`` for invalid fields."""

    model_config = ConfigDict(extra="allow")

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    errors: dict[str, str] | None = Field(
        default=None, description="Field name (dotted for nested fields) -> message (422 only)."
    )
    current_version: int | None = Field(
        default=None, description="The version the resource has now (412 only)."
    )
