from __future__ import annotations

from datetime import date
from typing import Annotated

from flask_babel import lazy_gettext as _l
from pydantic import EmailStr, Field, StringConstraints, field_validator, model_validator

from ..models import ArchitectureRole, BoardLevel, BoardRole, UnitKind
from .common import LongText, Name, Schema, ShortText

Code = Annotated[str, StringConstraints(max_length=40, pattern=r"^[A-Za-z0-9_.-]*$")]


class OrgUnitIn(Schema):
    name: Name
    code: Code | None = None
    kind: UnitKind
    parent_id: int | None = None
    description: LongText = ""

    @field_validator("code")
    @classmethod
    def _blank_code(cls, v: str | None) -> str | None:
        return v or None


class OrgLinkIn(Schema):
    from_unit_id: int
    to_unit_id: int
    note: ShortText = ""

    @model_validator(mode="after")
    def _not_self(self) -> OrgLinkIn:
        if self.from_unit_id == self.to_unit_id:
            raise ValueError(_l("A unit cannot have a dotted line to itself."))
        return self


class PersonIn(Schema):
    name: Name
    email: EmailStr
    phone: Annotated[str, StringConstraints(max_length=40)] = ""
    org_unit_id: int | None = None
    user_id: int | None = None

    @field_validator("email")
    @classmethod
    def _lower(cls, v: str) -> str:
        return v.lower()


class PositionIn(Schema):
    title: Name
    org_unit_id: int
    reports_to_id: int | None = None
    holder_id: int | None = None
    architecture_role: ArchitectureRole | None = None
    duties: LongText = ""
    requirements: LongText = ""
    performance_criteria: LongText = ""


class BoardIn(Schema):
    name: Name
    level: BoardLevel
    parent_board_id: int | None = None
    org_unit_id: int | None = None
    quorum: int = Field(default=3, ge=1, le=50)
    description: LongText = ""


class BoardMemberIn(Schema):
    person_id: int
    role: BoardRole = BoardRole.MEMBER
    term_start: date
    term_end: date | None = None

    @model_validator(mode="after")
    def _term_order(self) -> BoardMemberIn:
        if self.term_end and self.term_end < self.term_start:
            raise ValueError(_l("The term cannot end before it starts."))
        return self
