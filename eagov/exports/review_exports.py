"""The checklist responses of a compliance review as CSV or XLSX: one row per item.

Columns: category, reference, question (English), level, waived, answer, evidence link,
evidence date, notes, answered at. Waived items (covered by a granted dispensation that has
not expired) are listed like the others, with "yes" in the waived column.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlmodel import Session

from ..labels import label
from ..models import Review
from .tabular import Column, to_csv, to_xlsx


def _columns() -> list[Column]:
    return [
        Column(_("Category"), 28),
        Column(_("Reference"), 10),
        Column(_("Question"), 60),
        Column(_("Level"), 18),
        Column(_("Waived"), 8),
        Column(_("Answer"), 60),
        Column(_("Evidence link"), 40),
        Column(_("Evidence date"), 14, "date"),
        Column(_("Notes"), 40),
        Column(_("Answered at"), 18, "datetime"),
    ]


def _rows(session: Session, review: Review) -> list[Sequence[Any]]:
    from ..services import reviews

    assert review.id is not None
    waived = reviews.waived_references(session, review.id)
    rows: list[Sequence[Any]] = []
    for item in reviews.items_of(session, review.id):
        rows.append(
            [
                item.category_title.get("en") or item.category_key,
                item.reference,
                item.question.get("en", ""),
                label(item.level) if item.level else "",
                _("yes") if item.reference in waived else _("no"),
                item.answer,
                item.evidence_link,
                item.evidence_date,
                item.notes,
                item.answered_at,
            ]
        )
    return rows


def responses_csv(session: Session, review: Review, *, locale: str = "en") -> bytes:
    """The responses as CSV (UTF-8 with BOM), headers and labels in ``locale``."""
    with force_locale(locale):
        return to_csv(_columns(), _rows(session, review))


def responses_xlsx(session: Session, review: Review, *, locale: str = "en") -> bytes:
    """The responses as an .xlsx workbook with one sheet named after the review."""
    with force_locale(locale):
        return to_xlsx(_columns(), _rows(session, review), sheet_title=review.reference)


def responses_filename(review: Review, extension: str) -> str:
    """A download name such as ``CR-2026-0001-responses.csv``."""
    return f"{review.reference}-responses.{extension}"
