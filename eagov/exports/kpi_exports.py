"""The governance KPIs report as CSV and XLSX: the numbers the dashboard shows, nothing else.

- Summary (CSV, and the first XLSX sheet): one row per measure with its value, unit, the
  counts behind it and its definition.
- Monthly series (CSV, and the second XLSX sheet): one row per month of the period.
- The XLSX has a third sheet with the filters (period, the day stock figures are counted on,
  board, unit), so a workbook passed around still says what it covers.

Headers and labels are in ``locale``. Text cells are never formulas (see ``tabular``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _

from ..services.kpis import GROUP_TITLES, KpiReport, Measure
from .tabular import Column, Sheet, to_csv, to_xlsx_sheets


def unit_text(measure: Measure) -> str:
    return {
        "percent": "%",
        "days": _("days"),
        "count": "",
        "rating": _("of 5"),
        "levels": _("levels"),
    }[measure.unit]


def _summary_columns() -> list[Column]:
    return [
        Column(_("Area"), 22),
        Column(_("Measure"), 36),
        Column(_("Value"), 10, "number"),
        Column(_("Unit"), 8),
        Column(_("Numerator"), 11, "number"),
        Column(_("Denominator"), 13, "number"),
        Column(_("Sample size"), 12, "number"),
        Column(_("Filtered by unit"), 14),
        Column(_("Definition"), 80),
    ]


def _summary_rows(report: KpiReport) -> list[Sequence[Any]]:
    return [
        [
            str(GROUP_TITLES.get(m.group, m.group)),
            str(m.title),
            m.value,
            unit_text(m),
            m.numerator,
            m.denominator,
            m.sample,
            _("yes") if m.by_unit else _("no"),
            str(m.definition),
        ]
        for m in report.measures
    ]


def _month_columns() -> list[Column]:
    return [
        Column(_("Month"), 10),
        Column(_("Reviews signed off"), 18, "number"),
        Column(_("Reviews compliant or better"), 26, "number"),
        Column(_("Share compliant or better") + " (%)", 28, "number"),
        Column(_("Requests received"), 18, "number"),
        Column(_("Requests resolved"), 18, "number"),
        Column(_("Dispensations granted"), 22, "number"),
    ]


def _month_rows(report: KpiReport) -> list[Sequence[Any]]:
    return [
        [
            m.start.strftime("%Y-%m"),
            m.reviews_signed_off,
            m.reviews_compliant,
            m.share_compliant,
            m.requests_received,
            m.requests_resolved,
            m.dispensations_granted,
        ]
        for m in report.months
    ]


def _filter_rows(report: KpiReport) -> list[Sequence[Any]]:
    return [
        [_("Period from"), report.period_start.isoformat()],
        [_("Period to"), report.period_end.isoformat()],
        [_("Stock figures counted on"), report.as_of.isoformat()],
        [_("Architecture Board"), report.board_name or _("All boards")],
        [_("Organisation unit"), report.org_unit_name or _("All units")],
    ]


def summary_csv(report: KpiReport, *, locale: str = "en") -> bytes:
    with force_locale(locale):
        return to_csv(_summary_columns(), _summary_rows(report))


def months_csv(report: KpiReport, *, locale: str = "en") -> bytes:
    with force_locale(locale):
        return to_csv(_month_columns(), _month_rows(report))


def report_xlsx(report: KpiReport, *, locale: str = "en") -> bytes:
    """A workbook with the summary, the monthly series and the filters, one sheet each."""
    with force_locale(locale):
        return to_xlsx_sheets(
            [
                Sheet(_("Summary"), _summary_columns(), _summary_rows(report)),
                Sheet(_("Monthly series"), _month_columns(), _month_rows(report)),
                Sheet(
                    _("Filters"),
                    [Column(_("Filter"), 26), Column(_("Value"), 40)],
                    _filter_rows(report),
                ),
            ]
        )


def filename(report: KpiReport, part: str, extension: str) -> str:
    """E.g. ``kpis-2026-01-01-2026-03-31-summary.csv``."""
    return (
        f"kpis-{report.period_start.isoformat()}-{report.period_end.isoformat()}-{part}.{extension}"
    )
