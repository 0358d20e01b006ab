"""The action tracker: what raising, editing and moving an action accept, and what the API
returns for one."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from flask_babel import lazy_gettext as _l
from pydantic import Field, StringConstraints, field_validator

from .. import richtext
from ..models import ActionPriority, ActionStatus, ActionType
from .api_read import ReadModel, UtcDateTime
from .common import Schema

Description = Annotated[str, StringConstraints(min_length=3, max_length=500)]
Details = Annotated[str, StringConstraints(max_length=20000)]


class ActionEdit(Schema):
    """The editable fields of an action (the edit form sends all of them)."""

    description: Description
    details: Details = ""
    owner_id: int = Field(ge=1)
    due_on: date | None = None
    priority: ActionPriority = ActionPriority.MEDIUM
    type: ActionType = ActionType.FOLLOW_UP

    @field_validator("details")
    @classmethod
    def _clean(cls, value: str) -> str:
        return richtext.clean(value)


class ActionCreate(ActionEdit):
    """Raising an action. Raised from a meeting or a decision, it takes their board."""

    board_id: int | None = Field(default=None, ge=1)
    meeting_id: int | None = Field(default=None, ge=1)
    decision_id: int | None = Field(default=None, ge=1)


class ActionPatch(Schema):
    """A partial edit (API): only the fields sent change."""

    description: Description | None = None
    details: Details | None = None
    owner_id: int | None = Field(default=None, ge=1)
    due_on: date | None = None
    priority: ActionPriority | None = None
    type: ActionType | None = None

    @field_validator("description", "owner_id", "priority", "type", "details")
    @classmethod
    def _not_null(cls, value: object) -> object:
        # Sent as null, these would empty a required column; leave them out to keep them.
        if value is None:
            raise ValueError(_l("This field cannot be emptied."))
        return value

    @field_validator("details")
    @classmethod
    def _clean(cls, value: str) -> str:
        return richtext.clean(value)


class ActionMove(Schema):
    """A new status; cancelling needs a resolution that says why."""

    status: ActionStatus
    resolution: Details = ""


class ActionRead(ReadModel):
    id: int
    reference: str
    board_id: int | None
    meeting_id: int | None = Field(description="The meeting that raised it.")
    decision_id: int | None = Field(description="The decision it follows up.")
    priority: ActionPriority
    type: ActionType
    description: str
    details: str
    owner_id: int | None = Field(description="The person who owns it.")
    owner_name: str | None
    raised_on: date
    due_on: date | None
    status: ActionStatus
    overdue: bool = Field(description="Due before today and still open or in progress.")
    resolved_on: date | None = Field(description="Set when done or cancelled.")
    resolution: str
    raised_by_id: int | None
    created_at: UtcDateTime
    version: int
