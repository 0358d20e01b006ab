"""The report of a maturity assessment as files: Word (``documents.maturity_docx``), an Excel
workbook, a CSV of the elements and the full results as JSON.

Every writer is a pure function of a :class:`MaturityReport` (the assessment's results, the
unit's skills picture or None, and whether it is a draft), the language and the moment of
writing. ``load_report`` is the one way the pages, the API and the CLI get that report, so
they apply the same rule for drafts:

- a published assessment is exported by anyone who may read it (``maturity.read``);
- before publication only its facilitator and the maturity managers (``maturity.manage``)
  may export it, and every file says DRAFT (the Word header and watermark, a row in the
  workbook and the CSV file name, ``"draft": true`` in JSON).

Spreadsheet safety is the rule of :mod:`.tabular`: text cells are always string cells (never
formulas, whatever they start with) and CSV text that a spreadsheet would read as a formula
gets a leading apostrophe.
"""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Literal

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlmodel import Session, select

from ..errors import Forbidden
from ..i18n import in_language
from ..labels import label
from ..models import AssessmentState, Skill, utcnow
from ..permissions import Actor
from .tabular import CSV_MIMETYPE, XLSX_MIMETYPE, Column, to_csv

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

    from ..models import MaturityModel
    from ..services.maturity_results import AssessmentResults, ElementOutcome
    from ..services.skills_gaps import UnitSkillsPicture

Format = Literal["docx", "xlsx", "csv", "json"]
FORMATS: tuple[str, ...] = ("docx", "xlsx", "csv", "json")
DOCX_MIMETYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
JSON_MIMETYPE = "application/json"
MIMETYPES = {
    "docx": DOCX_MIMETYPE,
    "xlsx": XLSX_MIMETYPE,
    "csv": CSV_MIMETYPE,
    "json": JSON_MIMETYPE,
}
JSON_FORMAT = "eagov.maturity-report"
JSON_FORMAT_VERSION = 1
DASH = "\u2014"


@dataclass
class MaturityReport:
    results: AssessmentResults
    skills: UnitSkillsPicture | None  # None: no skills framework, or not available to the reader
    draft: bool


# --- loading -------------------------------------------------------------------------------------


def may_export_draft(actor: Actor, facilitator_id: int | None) -> bool:
    if actor.can("maturity.manage"):
        return True
    return actor.user_id is not None and actor.user_id == facilitator_id


def load_report(session: Session, actor: Actor, assessment_id: int) -> MaturityReport:
    """The results of the assessment and its unit's skills picture on the assessment date;
    Forbidden for an unpublished assessment unless ``actor`` facilitates it or manages
    maturity assessments."""
    from ..services.maturity_results import results

    found = results(session, actor, assessment_id)
    assessment = found.assessment
    draft = assessment.state != AssessmentState.PUBLISHED
    if draft and not may_export_draft(actor, assessment.facilitator_id):
        raise Forbidden(
            _l(
                "Only the facilitator and the maturity managers may export an assessment "
                "before it is published."
            )
        )
    return MaturityReport(found, _skills_picture(session, actor, found), draft)


def _skills_picture(
    session: Session, actor: Actor, found: AssessmentResults
) -> UnitSkillsPicture | None:
    from ..services import skills_gaps

    if session.exec(select(Skill.id).limit(1)).first() is None:
        return None  # no skills framework imported: nothing to pair the maturity with
    assessment = found.assessment
    try:
        return skills_gaps.unit_picture(
            session, actor, assessment.org_unit_id, assessment.assessed_on
        )
    except Forbidden:
        # The report still goes out; it says the skills picture is not available.
        return None


# --- shared texts --------------------------------------------------------------------------------


def localized(texts: dict[str, Any] | None, locale: str) -> str:
    return in_language(texts, locale)


def level_label(model: MaturityModel, value: int | None, locale: str) -> str:
    """ "3 Defined" (the level's number and its name in the model), or a dash."""
    if value is None:
        return DASH
    for level in model.levels:
        if level.get("value") == value:
            name = localized(level.get("name"), locale)
            return f"{value} {name}".strip()
    return str(value)


def max_level(model: MaturityModel) -> int:
    values = [int(level["value"]) for level in model.levels if "value" in level]
    return max(values) if values else 5


def score_text(score: float | None) -> str:
    return DASH if score is None else f"{score:.2f}"


def filename(report: MaturityReport, fmt: str) -> str:
    """E.g. ``MA-2026-001-maturity-report.docx`` (``...-draft.docx`` before publication)."""
    suffix = "-draft" if report.draft else ""
    return f"{report.results.assessment.reference}-maturity-report{suffix}.{fmt}"


def render(
    report: MaturityReport, fmt: str, *, locale: str = "en", now: datetime | None = None
) -> tuple[bytes, str, str]:
    """(bytes, mimetype, file name) of the report in ``fmt`` (docx, xlsx, csv or json)."""
    now = now or utcnow()
    if fmt == "docx":
        from ..documents.maturity_docx import build_maturity_docx

        data = build_maturity_docx(report, locale=locale, now=now)
    elif fmt == "xlsx":
        data = report_xlsx(report, locale=locale, now=now)
    elif fmt == "csv":
        data = elements_csv(report, locale=locale)
    elif fmt == "json":
        data = report_json(report, now=now)
    else:
        raise ValueError(f"unknown format {fmt!r}")
    return data, MIMETYPES[fmt], filename(report, fmt)


# --- CSV: one row per element --------------------------------------------------------------------


def _element_columns() -> list[Column]:
    return [
        Column(_("Element key"), 24),
        Column(_("Element"), 36),
        Column(_("Weight"), 8, "number"),
        Column(_("Level"), 8, "number"),
        Column(_("Level name"), 20),
        Column(_("Target"), 8, "number"),
        Column(_("Target level name"), 20),
        Column(_("Gap"), 6, "number"),
        Column(_("Previous level"), 10, "number"),
        Column(_("Lowest assessor score"), 10, "number"),
        Column(_("Highest assessor score"), 10, "number"),
        Column(_("Assessors disagree"), 10),
        Column(_("Why this target"), 40),
        Column(_("Recommendation"), 50),
        Column(_("Consolidation note"), 40),
    ]


def _element_row(model: MaturityModel, e: ElementOutcome, locale: str) -> list[Any]:
    return [
        e.key,
        localized(e.name, locale),
        e.weight,
        e.level,
        level_label(model, e.level, locale) if e.level is not None else "",
        e.target,
        level_label(model, e.target, locale) if e.target is not None else "",
        e.gap,
        e.previous_level,
        e.spread[0] if e.spread else None,
        e.spread[1] if e.spread else None,
        _("yes") if e.disagreement else _("no"),
        e.target_rationale,
        e.recommendation,
        e.consolidation_note,
    ]


def elements_csv(report: MaturityReport, *, locale: str = "en") -> bytes:
    """One row per element (UTF-8 with BOM): level, target, gap, spread, recommendation."""
    found = report.results
    with force_locale(locale):
        return to_csv(
            _element_columns(),
            [_element_row(found.model, e, locale) for e in found.elements],
        )


# --- XLSX: a summary sheet and the raw scores ----------------------------------------------------


def _put(ws: Worksheet, row: int, column: int, value: Any, **style: Any) -> Any:
    """Write one cell; text is always a string cell (never a formula)."""
    cell = ws.cell(row=row, column=column)
    if value is None or value == "":
        pass
    elif isinstance(value, bool):
        cell.value = _("yes") if value else _("no")
        cell.data_type = "s"
    elif isinstance(value, (int, float)):
        cell.value = value
    elif isinstance(value, date):
        cell.value = value.date() if isinstance(value, datetime) else value
        cell.number_format = "yyyy-mm-dd"
    else:
        cell.value = str(value)
        cell.data_type = "s"
    for name, setting in style.items():
        setattr(cell, name, setting)
    return cell


def report_xlsx(
    report: MaturityReport, *, locale: str = "en", now: datetime | None = None
) -> bytes:
    """Sheet "Summary": the assessment, the overall score and level, the share of elements per
    level, and level, target and gap per element. Sheet "Raw scores": one row per assessor
    and element with the level, evidence and comment."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    found = report.results
    model, assessment = found.model, found.assessment
    now = now or utcnow()
    with force_locale(locale):
        wb = Workbook()
        ws = wb.active
        assert ws is not None
        ws.title = _("Summary")[:31]
        bold = Font(bold=True)
        title_font = Font(bold=True, size=14, color="1F3864")
        head_fill = PatternFill("solid", fgColor="D9E2F3")
        wrap = Alignment(wrap_text=True, vertical="top")

        _put(ws, 1, 1, _("Architecture maturity report"), font=title_font)
        row = 2
        if report.draft:
            _put(ws, row, 1, _("DRAFT"), font=Font(bold=True, color="C00000"))
            _put(ws, row, 2, _("This assessment is not published yet."))
            row += 1
        facts: list[tuple[str, Any]] = [
            (_("Reference"), assessment.reference),
            (_("Organisation unit"), found.unit_name),
            (_("Maturity model"), f"{localized(model.name, locale)} ({model.version})"),
            (_("Date of the assessment"), assessment.assessed_on),
            (_("State"), label(assessment.state)),
            (_("Facilitator"), found.facilitator_name or ""),
            (_("Scoring method"), label(found.method)),
            (_("Overall score"), found.overall_score),
            (_("Overall level"), level_label(model, found.overall_level, locale)),
            (_("Target score"), found.target_score),
            (_("Previous score"), found.previous.score if found.previous else None),
            (_("Previous assessment"), found.previous.reference if found.previous else ""),
            (_("Date of this report"), now.date()),
        ]
        row += 1
        for name, value in facts:
            _put(ws, row, 1, name, font=bold)
            cell = _put(ws, row, 2, value)
            if isinstance(value, float):
                cell.number_format = "0.00"
            row += 1

        row += 1
        _put(ws, row, 1, _("Share of elements per level"), font=Font(bold=True, size=12))
        row += 1
        for index, head in enumerate((_("Level"), _("Name"), _("Share")), start=1):
            _put(ws, row, index, head, font=bold, fill=head_fill)
        row += 1
        for level in model.levels:
            value = int(level["value"])
            _put(ws, row, 1, value)
            _put(ws, row, 2, localized(level.get("name"), locale))
            _put(ws, row, 3, found.level_shares.get(value, 0.0)).number_format = "0%"
            row += 1

        row += 1
        _put(ws, row, 1, _("Elements"), font=Font(bold=True, size=12))
        row += 1
        heads = [
            _("Element"),
            _("Weight"),
            _("Level"),
            _("Level name"),
            _("Target"),
            _("Gap"),
            _("Previous level"),
            _("Assessors disagree"),
            _("Recommendation"),
        ]
        for index, head in enumerate(heads, start=1):
            _put(ws, row, index, head, font=bold, fill=head_fill)
        row += 1
        for e in found.elements:
            values: list[Any] = [
                localized(e.name, locale),
                e.weight,
                e.level,
                level_label(model, e.level, locale) if e.level is not None else "",
                e.target,
                e.gap,
                e.previous_level,
                e.disagreement,
                e.recommendation,
            ]
            for index, value in enumerate(values, start=1):
                _put(ws, row, index, value, alignment=wrap)
            row += 1
        for index, width in enumerate((34, 24, 10, 22, 10, 8, 14, 14, 60), start=1):
            ws.column_dimensions[get_column_letter(index)].width = width

        raw = wb.create_sheet(_("Raw scores")[:31])
        raw_heads = [_("Element"), _("Assessor"), _("Level"), _("Evidence"), _("Comment")]
        for index, head in enumerate(raw_heads, start=1):
            _put(raw, 1, index, head, font=bold, fill=head_fill)
        r = 2
        for e in found.elements:
            for mark in e.marks:
                for index, value in enumerate(
                    (
                        localized(e.name, locale),
                        mark.assessor_name,
                        mark.level,
                        mark.evidence,
                        mark.comment,
                    ),
                    start=1,
                ):
                    _put(raw, r, index, value, alignment=wrap)
                r += 1
        for index, width in enumerate((34, 24, 8, 60, 50), start=1):
            raw.column_dimensions[get_column_letter(index)].width = width
        raw.freeze_panes = "A2"
        if r > 2:
            raw.auto_filter.ref = raw.dimensions

    props = wb.properties
    props.title = f"{assessment.reference} {localized(model.name, locale)}"[:255]
    props.creator = "eagov"
    props.created = props.modified = now.replace(tzinfo=None, microsecond=0)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# --- JSON: the full results ----------------------------------------------------------------------


def _trend_point(point: Any) -> dict[str, Any] | None:
    if point is None:
        return None
    return {
        "assessment_id": point.assessment_id,
        "reference": point.reference,
        "assessed_on": point.assessed_on.isoformat(),
        "score": point.score,
        "level": point.level,
    }


def _skills_json(picture: UnitSkillsPicture | None) -> dict[str, Any] | None:
    if picture is None:
        return None
    return {
        "org_unit_id": picture.org_unit_id,
        "as_of": picture.as_of.isoformat(),
        "people": picture.people,
        "assessed_people": picture.assessed_people,
        "roles": [
            {
                "key": r.role_key,
                "name": dict(r.role_name),
                "people": r.people,
                "meeting": r.meeting,
                "share": r.share,
            }
            for r in picture.roles
        ],
        "largest_gaps": [
            {
                "skill_key": g.skill_key,
                "skill_name": dict(g.skill_name),
                "category_name": dict(g.category_name),
                "total_gap": g.total_gap,
                "people_short": g.people_short,
            }
            for g in picture.largest_gaps
        ],
    }


def report_dict(report: MaturityReport, *, now: datetime | None = None) -> dict[str, Any]:
    """The report as plain data (the JSON file). Names and descriptors stay per language."""
    found = report.results
    assessment, model = found.assessment, found.model
    moment = now or utcnow()
    return {
        "format": JSON_FORMAT,
        "format_version": JSON_FORMAT_VERSION,
        "generated_at": moment.replace(microsecond=0).isoformat(),
        "draft": report.draft,
        "assessment": {
            "id": assessment.id,
            "reference": assessment.reference,
            "title": assessment.title,
            "org_unit_id": assessment.org_unit_id,
            "org_unit_name": found.unit_name,
            "assessed_on": assessment.assessed_on.isoformat(),
            "state": assessment.state,
            "facilitator": found.facilitator_name,
            "summary": assessment.summary,
            "published_at": (
                assessment.published_at.replace(microsecond=0).isoformat()
                if assessment.published_at
                else None
            ),
            "assessors": list(found.assessor_names),
        },
        "model": {
            "key": model.key,
            "version": model.version,
            "name": dict(model.name),
            "method": found.method,
            "levels": [
                {"value": level.get("value"), "name": dict(level.get("name") or {})}
                for level in model.levels
            ],
        },
        "overall": {
            "score": found.overall_score,
            "level": found.overall_level,
            "target_score": found.target_score,
            "level_shares": {str(k): v for k, v in sorted(found.level_shares.items())},
        },
        "previous": _trend_point(found.previous),
        "trend": [_trend_point(p) for p in found.trend],
        "elements": [
            {
                "key": e.key,
                "name": dict(e.name),
                "weight": e.weight,
                "level": e.level,
                "target": e.target,
                "gap": e.gap,
                "previous_level": e.previous_level,
                "spread": list(e.spread) if e.spread else None,
                "disagreement": e.disagreement,
                "descriptor": dict(e.descriptor),
                "target_descriptor": dict(e.target_descriptor),
                "target_rationale": e.target_rationale,
                "recommendation": e.recommendation,
                "consolidation_note": e.consolidation_note,
                "marks": [
                    {
                        "assessor": m.assessor_name,
                        "level": m.level,
                        "evidence": m.evidence,
                        "comment": m.comment,
                    }
                    for m in e.marks
                ],
            }
            for e in found.elements
        ],
        "skills": _skills_json(report.skills),
    }


def report_json(report: MaturityReport, *, now: datetime | None = None) -> bytes:
    return json.dumps(report_dict(report, now=now), ensure_ascii=False, indent=2).encode("utf-8")


def largest_gaps(elements: Sequence[ElementOutcome], top: int = 3) -> list[ElementOutcome]:
    """The elements furthest below their targets (ties in the model's order)."""
    short = [e for e in elements if e.gap]
    return sorted(short, key=lambda e: -(e.gap or 0))[:top]
