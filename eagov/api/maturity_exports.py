"""/api/v1 maturity reports: an assessment's report as Word, Excel, CSV or JSON.

``GET /maturity-assessments/{id}/report.{docx|xlsx|csv|json}``. The same rule as the pages
(``exports.maturity_exports.load_report``): a published assessment for anyone who may read
it, a draft only for its facilitator and the maturity managers (marked DRAFT).
"""

from __future__ import annotations

from typing import Literal

from flask import Response
from flask_babel import get_locale
from pydantic import Field

from ..auth import current_actor
from ..db import get_session
from ..permissions import require
from ..schemas.common import Schema
from . import bp
from .responses import attachment
from .spec import endpoint


class MaturityReportQuery(Schema):
    locale: Literal["en", "zh_Hans"] | None = Field(
        default=None,
        description="Language of the texts (Word, Excel and CSV); default: from "
        "Accept-Language (English when absent). JSON carries every language.",
    )


@endpoint(
    bp,
    "/maturity-assessments/<id:assessment_id>/report.<any(docx, xlsx, csv, json):fmt>",
    summary="Download the maturity report (Word, Excel, CSV or JSON)",
    tag="Maturity assessments",
    query=MaturityReportQuery,
    produces=(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document, "
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet, "
        "text/csv, application/json"
    ),
)
def get_maturity_report(assessment_id: int, fmt: str, query: MaturityReportQuery) -> Response:
    """docx: the report for management (cover, executive summary, overall level, radar chart,
    elements with their level descriptors, gaps and recommendations, trend, skills, the
    assessors' scores). xlsx: a Summary and a Raw scores sheet. csv: one row per element.
    json: the full results under stable keys (format ``eagov.maturity-report``, version 1).
    A draft (not yet published) is for its facilitator and the maturity managers only."""
    from ..exports import maturity_exports as mx

    actor = current_actor()
    require(actor, "maturity.read")
    loaded = mx.load_report(get_session(), actor, assessment_id)
    locale = query.locale or str(get_locale() or "en")
    data, mimetype, name = mx.render(loaded, fmt, locale=locale)
    return attachment(data, mimetype, name)
