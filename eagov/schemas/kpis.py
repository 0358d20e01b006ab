"""Filters of the governance KPIs dashboard: the period (dates or a preset), board, org unit."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import ConfigDict, Field

from .common import Schema

PositiveId = Annotated[int, Field(ge=1, le=2**31 - 1)]


class Preset(StrEnum):
    LAST_30_DAYS = "last_30_days"
    QUARTER_TO_DATE = "quarter_to_date"
    YEAR_TO_DATE = "year_to_date"
    LAST_12_MONTHS = "last_12_months"


class KpiQuery(Schema):
    """``from``/``to`` win over ``preset``; with neither, the last 12 months."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, populate_by_name=True)

    period_from: date | None = Field(
        default=None,
        alias="from",
        description="First day of the period (inclusive, UTC). Without it: 12 months before `to`.",
    )
    period_to: date | None = Field(
        default=None, alias="to", description="Last day of the period (inclusive). Default: today."
    )
    preset: Preset | None = Field(
        default=None,
        description="A named period ending today, used when neither from nor to is given: "
        "last_30_days, quarter_to_date, year_to_date or last_12_months (the current month "
        "and the 11 before it; the default).",
    )
    board_id: PositiveId | None = Field(default=None, description="Only this board's records.")
    org_unit_id: PositiveId | None = Field(
        default=None, description="Only records of this unit and the units below it."
    )


# --- the report, as the API returns it ------------------------------------------------------


class MeasureRead(Schema):
    key: str = Field(
        description="Stable name of the measure, e.g. reviews_compliant_share; the skills "
        "coverage of one role is skills_coverage_<role key>."
    )
    group: str = Field(
        description="reviews, dispensations, contracts, requests, board, maturity or skills."
    )
    title: str
    definition: str = Field(description="Exactly what is counted.")
    unit: Literal["percent", "days", "count", "rating", "levels"]
    value: float | int | None = Field(
        description="Percentages 0-100 and days to one decimal, ratings to two; null when "
        "there is nothing to measure in the period."
    )
    numerator: int | None = Field(default=None, description="For a share: the cases counted.")
    denominator: int | None = Field(default=None, description="For a share: out of how many.")
    sample: int | None = Field(
        default=None, description="For a median or average: the number of cases."
    )
    by_unit: bool = Field(description="False when the org unit filter does not narrow it.")


class MonthRead(Schema):
    month: str = Field(description="YYYY-MM.")
    reviews_signed_off: int
    reviews_compliant: int
    share_compliant: float | None
    requests_received: int
    requests_resolved: int
    dispensations_granted: int


class PendingRead(Schema):
    key: str
    title: str
    note: str


class KpiReportRead(Schema):
    period_start: date
    period_end: date
    as_of: date = Field(
        description="The day stock figures (active, expiring, overdue) are counted on: the "
        "period's end, or today when the period ends later."
    )
    board_id: int | None
    board_name: str | None
    org_unit_id: int | None
    org_unit_name: str | None
    measures: list[MeasureRead]
    months: list[MonthRead]
    pending: list[PendingRead] = Field(
        description="Measures that need data from areas not in use yet (empty at present)."
    )
