from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import Field, StringConstraints, field_validator, model_validator

from .. import richtext
from ..models import AdmPhase, Capacity, ContractType, DeliverableStatus
from .common import Schema

Title = Annotated[str, StringConstraints(min_length=3, max_length=300)]
Short = Annotated[str, StringConstraints(max_length=200)]
Item = Annotated[str, StringConstraints(min_length=1, max_length=300)]
Rich = Annotated[str, StringConstraints(max_length=richtext.MAX_LENGTH)]


class RiskIn(Schema):
    description: Annotated[str, StringConstraints(min_length=3, max_length=1000)]
    likelihood: Literal["low", "medium", "high"] = "medium"
    impact: Literal["low", "medium", "high"] = "medium"
    mitigation: Annotated[str, StringConstraints(max_length=1000)] = ""


class VersionContent(Schema):
    """What a contract version says; everything here is bound by the signatures."""

    title: Title
    architecture_unit_id: int
    counterparty_unit_id: int | None = None
    partner_name: Short = ""
    sponsor_id: int
    lead_architect_id: int | None = None
    representative_id: int | None = None
    window_start: date
    window_end: date
    sections: dict[str, Rich] = Field(default_factory=dict)
    conformance_requirements: Rich = ""
    principles: list[Item] = Field(default_factory=list, max_length=100)
    standards: list[Item] = Field(default_factory=list, max_length=100)
    risks: list[RiskIn] = Field(default_factory=list, max_length=100)
    change_summary: Annotated[str, StringConstraints(max_length=5000)] = ""

    @field_validator("sections")
    @classmethod
    def _clean_sections(cls, value: dict[str, str]) -> dict[str, str]:
        return {k: richtext.clean(v) for k, v in value.items() if richtext.clean(v)}

    @field_validator("conformance_requirements")
    @classmethod
    def _clean_rich(cls, value: str) -> str:
        return richtext.clean(value)

    @field_validator("principles", "standards")
    @classmethod
    def _unique(cls, value: list[str]) -> list[str]:
        return list(dict.fromkeys(v.strip() for v in value if v.strip()))

    @model_validator(mode="after")
    def _window(self) -> VersionContent:
        if self.window_end < self.window_start:
            raise ValueError("The time window cannot end before it starts.")
        return self


class ContractCreate(VersionContent):
    type: ContractType
    board_id: int


class DeliverableIn(Schema):
    title: Title
    phase: AdmPhase
    kind: Annotated[str, StringConstraints(min_length=2, max_length=80)]
    owner_id: int | None = None
    due_date: date
    acceptance_criteria: Rich = ""

    @field_validator("acceptance_criteria")
    @classmethod
    def _clean(cls, value: str) -> str:
        return richtext.clean(value)


class DeliverableProgress(Schema):
    status: DeliverableStatus
    note: Annotated[str, StringConstraints(max_length=2000)] = ""
    evidence_link: Annotated[str, StringConstraints(max_length=500)] | None = None

    @field_validator("evidence_link")
    @classmethod
    def _http_only(cls, value: str | None) -> str | None:
        if value and not value.startswith(("https://", "http://")):
            raise ValueError("The link must start with https:// or http://.")
        return value


class MetricIn(Schema):
    name: Annotated[str, StringConstraints(min_length=2, max_length=200)]
    target: Annotated[str, StringConstraints(min_length=1, max_length=100)]
    unit: Annotated[str, StringConstraints(max_length=40)] = ""


class MetricMeasure(Schema):
    measured_value: Annotated[str, StringConstraints(min_length=1, max_length=100)]


class SignIn(Schema):
    capacity: Capacity
    password: str = Field(min_length=1, max_length=256)


class CloseIn(Schema):
    reason: Annotated[str, StringConstraints(min_length=10, max_length=5000)]


class AmendIn(Schema):
    change_summary: Annotated[str, StringConstraints(min_length=10, max_length=5000)]
