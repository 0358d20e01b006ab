"""The gap report read back (csv, openpyxl, python-docx) shows the numbers of the pages."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from skills_people_factory import known_world

from eagov.exports import skills_exports as ex
from eagov.permissions import Actor
from eagov.services import skills_gaps as gaps

TODAY = date(2026, 7, 1)
READER = Actor(None, "architect", frozenset({"architect"}))


@pytest.fixture
def report(app, session):  # type: ignore[no-untyped-def]
    data = known_world(session)
    with app.test_request_context():
        yield data, gaps.unit_report(session, READER, data["group"].id, TODAY)


def test_csv_has_one_row_per_person_and_needed_skill(app, report):  # type: ignore[no-untyped-def]
    _data, rep = report
    with app.test_request_context():
        rows = list(csv.reader(io.StringIO(ex.gaps_csv(rep).decode("utf-8-sig"))))
    assert rows[0] == [
        "Person",
        "Organisation unit",
        "Roles",
        "Category",
        "Skill",
        "Required level",
        "Current level",
        "Gap",
    ]
    carol = [r for r in rows[1:] if r[0] == "Carol"]
    # Her held and targeted roles need all four skills; the heatmap shows the same.
    assert [(r[4], r[5], r[6], r[7]) for r in carol] == [
        ("Leadership", "3", "4", "0"),
        ("Teamwork", "2", "", "2"),
        ("Data design", "4", "1", "3"),
        ("Application design", "3", "3", "0"),
    ]
    assert len(rows) == 1 + 3 + 3 + 4  # Alice and Bob: three skills each
    assert "Target" in carol[0][2] and carol[0][1] == "Team A"


def test_workbook_sheets_match_the_pages(app, report):  # type: ignore[no-untyped-def]
    from openpyxl import load_workbook

    _data, rep = report
    with app.test_request_context():
        wb = load_workbook(io.BytesIO(ex.report_xlsx(rep)))
    assert wb.sheetnames == ["Coverage", "Gaps", "Training needs", "Filters"]
    coverage = [tuple(r) for r in wb["Coverage"].iter_rows(min_row=2, values_only=True)]
    assert [(r[0], r[1], r[2], r[3], r[4]) for r in coverage] == [
        ("Role ea_data", 2, 1, 1, 50),
        ("Role ea_applications", 1, 0, 1, 0),
    ]
    gaps_sheet = list(wb["Gaps"].iter_rows(values_only=True))
    assert gaps_sheet[0][2:] == ("Leadership", "Teamwork", "Data design", "Application design")
    assert {r[0]: r[2:] for r in gaps_sheet[1:]} == {
        "Alice": (0, 0, 0, None),
        "Bob": (1, 0, 1, None),
        "Carol": (0, 2, 3, 0),
    }
    needs = [r for r in wb["Training needs"].iter_rows(min_row=2, values_only=True)]
    assert [(r[1], r[2], r[3]) for r in needs] == [
        ("Data design", 4, 2),
        ("Teamwork", 2, 1),
        ("Leadership", 1, 1),
    ]
    assert ("Organisation unit", "Group") in [
        tuple(r) for r in wb["Filters"].iter_rows(values_only=True)
    ]


def _tables(doc):  # type: ignore[no-untyped-def]
    return [[[c.text for c in row.cells] for row in t.rows] for t in doc.tables]


def test_word_report_of_a_unit(app, report):  # type: ignore[no-untyped-def]
    from docx import Document

    from eagov.documents.skills_docx import build_unit_docx

    _data, rep = report
    with app.test_request_context():
        doc = Document(io.BytesIO(build_unit_docx(rep)))
    tables = _tables(doc)
    coverage = next(t for t in tables if t[0][0] == "Role")
    assert coverage[1][:4] == ["Role ea_data", "2", "1", "1"]
    needs = next(t for t in tables if t[0][:2] == ["Category", "Skill"])
    assert [r[1:] for r in needs[1:]] == [["Data design", "4", "2"], ["Teamwork", "2", "1"],
                                         ["Leadership", "1", "1"]]  # fmt: skip
    assert len(doc.inline_shapes) == 1  # the heatmap picture
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "The largest training need is Data design" in text


def test_word_report_of_a_person_against_a_role(app, session, report):  # type: ignore[no-untyped-def]
    from docx import Document

    from eagov.documents.skills_docx import build_person_docx

    data, _rep = report
    with app.test_request_context():
        gap = gaps.person_vs_role(
            session, READER, data["carol"].id, data["fw"].rid("ea_data"), TODAY
        )
        doc = Document(io.BytesIO(build_person_docx(gap, locale="zh_Hans")))
    rows = [r for t in _tables(doc)[1:] for r in t[1:]]
    assert [r[1:] for r in rows] == [["3", "4", "0"], ["2", "–", "2"], ["4", "1", "3"]]
    assert len(doc.inline_shapes) == 2  # a bullet chart per category
