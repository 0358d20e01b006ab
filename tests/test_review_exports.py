"""The checklist responses of a review as CSV and XLSX: one row per item, read back."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from openpyxl import load_workbook
from test_review_docx import make_review

from eagov.exports.review_exports import responses_csv, responses_filename, responses_xlsx
from eagov.labels import label
from eagov.services import reviews

HEADER = [
    "Category",
    "Reference",
    "Question",
    "Level",
    "Waived",
    "Answer",
    "Evidence link",
    "Evidence date",
    "Notes",
    "Answered at",
]


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield


def test_csv_one_row_per_item(ctx, session):
    _cast, review, _finding = make_review(session)
    data = responses_csv(session, review)
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == HEADER
    items = reviews.items_of(session, review.id)
    waived = reviews.waived_references(session, review.id)
    assert len(rows) == len(items) + 1
    for item, row in zip(items, rows[1:], strict=True):
        assert row[0] == item.category_title["en"]
        assert row[1] == item.reference
        assert row[2] == item.question["en"]
        assert row[3] == label(item.level)
        assert row[4] == ("yes" if item.reference in waived else "no")
        assert row[5] == f"Answer {item.reference}."
        assert row[6] == f"https://wiki.example.com/{item.reference}"
        assert row[7] == "2026-02-01"
        assert row[8] == f"Note {item.reference}"
        assert row[9]
    assert sum(r[4] == "yes" for r in rows[1:]) == 1
    assert responses_filename(review, "csv") == f"{review.reference}-responses.csv"


def test_xlsx_one_row_per_item(ctx, session):
    _cast, review, _finding = make_review(session)
    wb = load_workbook(io.BytesIO(responses_xlsx(session, review)))
    ws = wb.active
    assert ws.title == review.reference
    rows = list(ws.iter_rows(values_only=True))
    assert list(rows[0]) == HEADER
    items = reviews.items_of(session, review.id)
    assert len(rows) == len(items) + 1
    for item, row in zip(items, rows[1:], strict=True):
        assert row[1] == item.reference and row[2] == item.question["en"]
        assert row[3] == label(item.level)
        assert row[7].date() == date(2026, 2, 1)
        assert row[9] is not None
    assert ws.freeze_panes == "A2"


def test_unanswered_items_have_empty_cells(ctx, session):
    _cast, review, _finding = make_review(session, target="interviewing")
    from eagov.schemas.reviews import AnswerIn

    item = reviews.items_of(session, review.id)[0]
    lead = _cast.actor("lead")
    reviews.answer_item(session, lead, item.id, AnswerIn(), item.version)
    rows = list(csv.reader(io.StringIO(responses_csv(session, review).decode("utf-8-sig"))))
    first = rows[1]
    assert first[1] == item.reference and first[3] == "" and first[7] == ""
