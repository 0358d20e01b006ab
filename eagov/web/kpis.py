"""The governance KPIs dashboard: figures with their definitions, charts of the monthly series,
filters (period, board, unit) and the CSV/XLSX exports of exactly what the page shows."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, abort, render_template, request, url_for
from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from flask_login import login_required
from markupsafe import Markup
from pydantic import ValidationError
from werkzeug.wrappers import Response

from .. import charts
from ..auth import current_actor
from ..db import get_session
from ..errors import Invalid, field_errors, texts
from ..exports import kpi_exports
from ..exports.tabular import CSV_MIMETYPE, XLSX_MIMETYPE
from ..schemas.kpis import KpiQuery, Preset
from ..services import kpis
from ..services.org_queries import board_options, unit_options

bp = Blueprint("kpis", __name__, url_prefix="/kpis")

_ARGS = ("from", "to", "preset", "board_id", "org_unit_id")


@bp.before_request
@login_required
def _signed_in() -> None:
    return None


def _query() -> tuple[KpiQuery, dict[str, str]]:
    """The filters from the query string; with a mistake, the defaults and the messages."""
    raw = {k: v.strip() for k, v in request.args.items() if k in _ARGS and v.strip()}
    try:
        return KpiQuery.model_validate(raw), {}
    except ValidationError as exc:
        return KpiQuery(), texts(field_errors(exc))


def _report() -> tuple[kpis.KpiReport, KpiQuery, dict[str, str]]:
    s, actor = get_session(), current_actor()
    query, errors = _query()
    try:
        report = kpis.compute_for(s, actor, query)
    except Invalid as exc:
        errors |= texts(exc.errors)
        report = kpis.compute_for(s, actor, KpiQuery())
    return report, query, errors


def _filter_args(report: kpis.KpiReport) -> dict[str, Any]:
    """The filters the report was computed with, for links and exports."""
    args: dict[str, Any] = {
        "from": report.period_start.isoformat(),
        "to": report.period_end.isoformat(),
    }
    if report.board_id:
        args["board_id"] = report.board_id
    if report.org_unit_id:
        args["org_unit_id"] = report.org_unit_id
    return args


def _links(report: kpis.KpiReport) -> dict[str, str]:
    """Where each figure's records are listed (with the filters those lists support)."""
    board = report.board_id
    reviews = url_for("reviews.list_reviews", board=board, state="signed_off")
    dispensations = url_for("reviews.dispensations_register", state="granted")
    return {
        "reviews_compliant_share": reviews,
        "review_cycle_median_days": reviews,
        "review_cycle_mean_days": reviews,
        "dispensations_active": dispensations,
        "dispensations_expiring": url_for("reviews.dispensations_register"),
        "dispensations_recurring": url_for("reviews.dispensations_register"),
        "dispensations_granted": dispensations,
        "deliverables_on_time_share": url_for("contracts.deliverables", status="accepted"),
        "signature_lead_median_days": url_for(
            "contracts.list_contracts", board=board, unit=report.org_unit_id
        ),
        "requests_targets_met_share": url_for("requests.list_requests"),
        "requests_breached": url_for("requests.list_requests"),
        "satisfaction_average": url_for("requests.list_requests"),
        "decisions_taken": url_for("meetings.decision_log"),
        "actions_overdue": url_for("actions.list_actions"),
    }


@dataclass
class ChartView:
    key: str
    svg: Markup


def _month_label(day: Any) -> str:
    return str(format_date(day, "MMM yyyy"))


def _charts(report: kpis.KpiReport) -> list[ChartView]:
    # Drawing takes a tenth of a second per chart; the same figures in the same language
    # draw the same charts, so repeated views of a period are served from memory.
    months = tuple(
        (
            m.start,
            m.reviews_signed_off,
            m.share_compliant,
            m.requests_received,
            m.requests_resolved,
            m.dispensations_granted,
        )
        for m in report.months
    )
    shares = tuple(
        (str(m.title), None if m.value is None else float(m.value))
        for m in report.measures
        if m.unit == "percent"
    )
    return [ChartView(key, Markup(svg)) for key, svg in _drawn(str(get_locale()), months, shares)]  # noqa: S704


@functools.lru_cache(maxsize=64)
def _drawn(
    _locale: str, months: tuple[tuple[Any, ...], ...], shares: tuple[tuple[str, float | None], ...]
) -> tuple[tuple[str, str], ...]:
    labels = [_month_label(m[0]) for m in months]
    no_data = _("No data in this period")
    drawn = [
        charts.bar_chart(
            labels,
            {_("Reviews signed off"): [m[1] for m in months]},
            line=(_("Share compliant or better") + " (%)", [m[2] for m in months]),
            line_label="%",
            line_max=100,
            title=_("Compliance reviews per month"),
            key="kpi-chart-reviews",
            empty_text=no_data,
        ),
        charts.bar_chart(
            labels,
            {
                _("Requests received"): [m[3] for m in months],
                _("Requests resolved"): [m[4] for m in months],
                _("Dispensations granted"): [m[5] for m in months],
            },
            title=_("Requests and dispensations per month"),
            key="kpi-chart-activity",
            empty_text=no_data,
        ),
        charts.share_bars(
            list(shares),
            title=_("Shares over the period"),
            key="kpi-chart-shares",
            no_value=_("no data"),
        ),
    ]
    # Every text in the SVG was escaped by matplotlib's SVG writer (labels come from user
    # data such as board names); the title and description by charts.Chart.svg.
    return tuple((c.key, c.svg()) for c in drawn)


@bp.route("/")
def dashboard() -> tuple[str, int]:
    s = get_session()
    report, query, errors = _report()
    return render_template(
        "kpis/dashboard.html",
        report=report,
        query=query,
        errors=errors,
        typed={k: request.args.get(k, "") for k in _ARGS},
        presets=[
            (Preset.LAST_30_DAYS.value, _("Last 30 days")),
            (Preset.QUARTER_TO_DATE.value, _("Quarter to date")),
            (Preset.YEAR_TO_DATE.value, _("Year to date")),
            (Preset.LAST_12_MONTHS.value, _("Last 12 months")),
        ],
        board_options=board_options(s),
        unit_options=unit_options(s),
        links=_links(report),
        charts=_charts(report),
        group_titles=kpis.GROUP_TITLES,
        unit_text=kpi_exports.unit_text,
        month_label=_month_label,
        filter_args=_filter_args(report),
    ), 422 if errors else 200


def _download(data: bytes, mimetype: str, name: str) -> Response:
    resp = Response(data, mimetype=mimetype)
    resp.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    resp.headers["Cache-Control"] = "private, no-store"
    return resp


@bp.route("/export.<any(csv, xlsx):fmt>")
def export(fmt: str) -> Response:
    """The report as the page shows it; ``part`` picks the CSV table (summary or months)."""
    report, _filters, errors = _report()
    if errors:
        raise Invalid(errors=errors)
    locale = str(get_locale() or "en")
    if fmt == "xlsx":
        data = kpi_exports.report_xlsx(report, locale=locale)
        return _download(data, XLSX_MIMETYPE, kpi_exports.filename(report, "report", "xlsx"))
    part = request.args.get("part", "summary")
    if part == "months":
        data = kpi_exports.months_csv(report, locale=locale)
    elif part == "summary":
        data = kpi_exports.summary_csv(report, locale=locale)
    else:
        abort(404)
    return _download(data, CSV_MIMETYPE, kpi_exports.filename(report, part, "csv"))
