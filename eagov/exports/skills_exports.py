"""A unit's skills gap report as CSV and XLSX: the numbers the pages show, nothing else.

- CSV (gaps): one row per person x skill that one of the person's held or targeted roles
  needs: person, unit, roles, category, skill, required, current, gap.
- XLSX: sheets "Coverage" (one row per role), "Gaps" (people x skills, the gap in each
  cell) and "Training needs" (skills by total gap), plus "Filters" (unit, date, category,
  role) so a workbook passed around still says what it covers.

Headers and labels are in ``locale``. Text cells are never formulas (see ``tabular``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _

from ..i18n import in_language
from ..labels import label
from ..services.skills_gaps import UnitGapReport
from .tabular import Column, Sheet, to_csv, to_xlsx_sheets


def tr(texts: dict[str, str] | None, locale: str) -> str:
    return in_language(texts, locale)


def role_list(row: Any, locale: str) -> str:
    return ", ".join(f"{tr(role.name, locale)} ({label(rel)})" for role, rel in row.roles)


def _gap_columns() -> list[Column]:
    return [
        Column(_("Person"), 24),
        Column(_("Organisation unit"), 22),
        Column(_("Roles"), 36),
        Column(_("Category"), 22),
        Column(_("Skill"), 28),
        Column(_("Required level"), 10, "number"),
        Column(_("Current level"), 10, "number"),
        Column(_("Gap"), 8, "number"),
    ]


def gap_rows(report: UnitGapReport, locale: str) -> list[Sequence[Any]]:
    hm = report.heatmap
    out: list[Sequence[Any]] = []
    for row in hm.rows:
        roles = role_list(row, locale)
        for skill, cell in zip(hm.columns, row.cells, strict=True):
            if cell is None:
                continue
            out.append(
                [
                    row.person.name,
                    row.unit_name or "",
                    roles,
                    tr(hm.view.category_of(skill).name, locale),
                    tr(skill.name, locale),
                    cell.required,
                    cell.current,
                    cell.gap,
                ]
            )
    return out


def _coverage_columns() -> list[Column]:
    return [
        Column(_("Role"), 34),
        Column(_("Holders"), 10, "number"),
        Column(_("Meet the profile"), 16, "number"),
        Column(_("Within one level"), 16, "number"),
        Column(_("Share meeting") + " (%)", 16, "number"),
        Column(_("Heading for the role"), 18, "number"),
    ]


def coverage_rows(report: UnitGapReport, locale: str) -> list[Sequence[Any]]:
    return [
        [
            tr(c.role_name, locale),
            c.people,
            c.meeting,
            c.within_one,
            None if c.share is None else round(c.share * 100, 1),
            c.targeting,
        ]
        for c in report.coverage
    ]


def _needs_columns() -> list[Column]:
    return [
        Column(_("Category"), 24),
        Column(_("Skill"), 30),
        Column(_("Total gap"), 10, "number"),
        Column(_("People short"), 12, "number"),
    ]


def needs_rows(report: UnitGapReport, locale: str) -> list[Sequence[Any]]:
    return [
        [tr(n.category_name, locale), tr(n.skill_name, locale), n.total_gap, n.people_short]
        for n in report.needs
    ]


def _matrix(report: UnitGapReport, locale: str) -> tuple[list[Column], list[Sequence[Any]]]:
    hm = report.heatmap
    columns = [Column(_("Person"), 24), Column(_("Organisation unit"), 22)] + [
        Column(tr(s.name, locale), 12, "number") for s in hm.columns
    ]
    rows: list[Sequence[Any]] = [
        [r.person.name, r.unit_name or ""] + [c.gap if c else None for c in r.cells]
        for r in hm.rows
    ]
    return columns, rows


def _filter_rows(report: UnitGapReport, locale: str) -> list[Sequence[Any]]:
    hm = report.heatmap
    category = next((c for c in hm.view.categories.values() if c.key == hm.category_key), None)
    role = hm.view.role_by_id.get(hm.role_id) if hm.role_id else None
    return [
        [_("Organisation unit"), report.unit_name or _("All units")],
        [_("As of"), report.as_of.isoformat()],
        [_("Category"), tr(category.name, locale) if category else _("All categories")],
        [_("Role"), tr(role.name, locale) if role else _("All roles")],
    ]


def gaps_csv(report: UnitGapReport, *, locale: str = "en") -> bytes:
    with force_locale(locale):
        return to_csv(_gap_columns(), gap_rows(report, locale))


def report_xlsx(report: UnitGapReport, *, locale: str = "en") -> bytes:
    with force_locale(locale):
        matrix_columns, matrix_rows = _matrix(report, locale)
        return to_xlsx_sheets(
            [
                Sheet(_("Coverage"), _coverage_columns(), coverage_rows(report, locale)),
                # The person and the unit stay in view while scrolling through the skills.
                Sheet(_("Gaps"), matrix_columns, matrix_rows, frozen_columns=2),
                Sheet(_("Training needs"), _needs_columns(), needs_rows(report, locale)),
                Sheet(
                    _("Filters"),
                    [Column(_("Filter"), 22), Column(_("Value"), 40)],
                    _filter_rows(report, locale),
                ),
            ]
        )


def filename(report: UnitGapReport, extension: str) -> str:
    """E.g. ``skills-gaps-unit-3-2026-07-01.xlsx``."""
    scope = f"unit-{report.org_unit_id}" if report.org_unit_id else "all"
    return f"skills-gaps-{scope}-{report.as_of.isoformat()}.{extension}"
