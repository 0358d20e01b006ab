"""/api/v1/kpis: the governance KPIs report as JSON, and its CSV/XLSX exports."""

from __future__ import annotations

from typing import Literal

from flask import Response
from flask_babel import get_locale
from pydantic import Field

from ..auth import current_actor
from ..db import get_session
from ..exports import kpi_exports
from ..exports.tabular import CSV_MIMETYPE, XLSX_MIMETYPE
from ..schemas.kpis import KpiQuery, KpiReportRead, MeasureRead, MonthRead, PendingRead
from ..services import kpis as svc
from . import bp
from .responses import attachment, respond
from .spec import endpoint

TAG = "KPIs"


def report_read(report: svc.KpiReport) -> KpiReportRead:
    return KpiReportRead(
        period_start=report.period_start,
        period_end=report.period_end,
        as_of=report.as_of,
        board_id=report.board_id,
        board_name=report.board_name,
        org_unit_id=report.org_unit_id,
        org_unit_name=report.org_unit_name,
        measures=[
            MeasureRead(
                key=m.key,
                group=m.group,
                title=str(m.title),
                definition=str(m.definition),
                unit=m.unit,
                value=m.value,
                numerator=m.numerator,
                denominator=m.denominator,
                sample=m.sample,
                by_unit=m.by_unit,
            )
            for m in report.measures
        ],
        months=[
            MonthRead(
                month=m.start.strftime("%Y-%m"),
                reviews_signed_off=m.reviews_signed_off,
                reviews_compliant=m.reviews_compliant,
                share_compliant=m.share_compliant,
                requests_received=m.requests_received,
                requests_resolved=m.requests_resolved,
                dispensations_granted=m.dispensations_granted,
            )
            for m in report.months
        ],
        pending=[
            PendingRead(key=p.key, title=str(p.title), note=str(p.note)) for p in report.pending
        ],
    )


@endpoint(bp, "/kpis", summary="Governance KPIs", tag=TAG, query=KpiQuery, response=KpiReportRead)
def get_kpis(query: KpiQuery) -> Response:
    """Every measure of the period with the counts behind it and its definition, and the
    monthly series. The period is from/to (both days included, UTC), else a preset ending
    today, else the last 12 months; at most ten years, and to not before from (422).
    org_unit_id covers the unit and the units below it. Needs the kpis.read permission
    (every role but contributor)."""
    report = svc.compute_for(get_session(), current_actor(), query)
    return respond(report_read(report))


class KpiExportQuery(KpiQuery):
    part: Literal["summary", "months"] = Field(
        default="summary", description="CSV only: the summary or the monthly series."
    )
    locale: Literal["en", "zh_Hans"] | None = Field(
        default=None,
        description="Language of the file; default: from Accept-Language (English when absent).",
    )


@endpoint(
    bp,
    "/kpis/export.<any(csv, xlsx):fmt>",
    summary="Download the governance KPIs (CSV or XLSX)",
    tag=TAG,
    query=KpiExportQuery,
    produces=f"{CSV_MIMETYPE}, {XLSX_MIMETYPE}",
)
def export_kpis(fmt: str, query: KpiExportQuery) -> Response:
    """The same numbers as GET /kpis. CSV: the summary (one row per measure) or, with
    part=months, the monthly series. XLSX: a workbook with the summary, the monthly series
    and the filters, one sheet each."""
    filters = KpiQuery.model_validate(query.model_dump(by_alias=True, exclude={"part", "locale"}))
    report = svc.compute_for(get_session(), current_actor(), filters)
    locale = query.locale or str(get_locale() or "en")
    if fmt == "xlsx":
        data = kpi_exports.report_xlsx(report, locale=locale)
        return attachment(data, XLSX_MIMETYPE, kpi_exports.filename(report, "report", "xlsx"))
    if query.part == "months":
        data = kpi_exports.months_csv(report, locale=locale)
    else:
        data = kpi_exports.summary_csv(report, locale=locale)
    return attachment(data, CSV_MIMETYPE, kpi_exports.filename(report, query.part, "csv"))
