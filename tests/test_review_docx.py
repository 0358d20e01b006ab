"""The Word report of a compliance review, read back with python-docx.

Checked: cover, summary with the overall level, the roll-up and the override, the decision
and conditions, every row of every category table with its level text and level shade,
waived items kept and marked, findings, dispensations, the sign-off block (recorded or blank
lines), repeated header rows, header reference, "Page X of Y" fields, core properties, and
the Chinese build (category titles, questions and translated labels).
"""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from contract_factory import make_cast
from docx import Document
from flask_babel import force_locale

from eagov.documents.review_docx import LEVEL_FILLS, WAIVED_FILL, build_review_docx
from eagov.labels import label
from eagov.permissions import SYSTEM
from eagov.schemas.reviews import (
    AdvanceIn,
    AnswerIn,
    DispensationDecision,
    DispensationRequest,
    FindingIn,
    FindingMove,
    OverrideIn,
    ParticipantIn,
    ReviewRequest,
    TailorIn,
)
from eagov.services import checklists, dispensations, reviews

BASELINE = (
    Path(__file__).resolve().parent.parent / "eagov" / "library" / "checklists" / "baseline.yaml"
)
NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
LEVELS = [
    "fully_conformant",
    "conformant",
    "compliant",
    "consistent",
    "non_conformant",
    "irrelevant",
]


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield


def make_review(session, *, target: str = "signed_off", waive: bool = True):
    """A review with two categories answered at every level, an override, two findings
    (one verified), a waived item and the chair's sign-off."""
    cast = make_cast(session)
    library = checklists.import_library(session, SYSTEM, BASELINE.read_bytes())
    review = reviews.request_review(
        session,
        cast.actor("viewer"),
        ReviewRequest(
            title="Payments hub review",
            project="Payments hub",
            board_id=cast.board_id,
            checkpoint="initial_design",
            org_unit_id=cast.unit_id,
            scope="The **integration** design of the payments hub.",
        ),
    )
    coordinator, lead, chair = cast.actor("coordinator"), cast.actor("lead"), cast.actor("chair")
    reviews.add_participant(
        session,
        coordinator,
        review.id,
        ParticipantIn(person_id=cast.person["lead"], role="lead_architect"),
    )
    reviews.add_participant(
        session,
        coordinator,
        review.id,
        ParticipantIn(person_id=cast.person["sponsor"], role="customer"),
    )
    reviews.advance(session, coordinator, review.id, AdvanceIn())
    reviews.tailor(
        session,
        lead,
        review.id,
        TailorIn(library_id=library.id, categories=["security", "hardware-os"]),
    )
    reviews.advance(session, lead, review.id, AdvanceIn())
    reviews.advance(session, coordinator, review.id, AdvanceIn(meeting_at=NOW))
    reviews.advance(session, lead, review.id, AdvanceIn())
    items = reviews.items_of(session, review.id)
    for n, item in enumerate(items):
        reviews.answer_item(
            session,
            lead,
            item.id,
            AnswerIn(
                answer=f"Answer {item.reference}.",
                level=LEVELS[n % len(LEVELS)],
                evidence_link=f"https://wiki.example.com/{item.reference}",
                evidence_date=date(2026, 2, 1),
                notes=f"Note {item.reference}",
            ),
            item.version,
        )
    failing = [i for i in reviews.items_of(session, review.id) if i.level == "non_conformant"]
    first = reviews.raise_finding(
        session,
        lead,
        review.id,
        FindingIn(
            severity="high",
            description="Tokens never expire.",
            recommendation="Expire them server-side.",
            item_references=[failing[0].reference],
            owner_id=cast.person["sponsor"],
            due_date=date(2026, 6, 30),
        ),
    )
    second = reviews.raise_finding(
        session, lead, review.id, FindingIn(severity="low", description="Runbooks are drafts.")
    )
    for status in ("resolved", "verified"):
        second = reviews.move_finding(
            session, lead, second.id, FindingMove(status=status), second.version
        )
    if target == "interviewing":
        return cast, review, first
    reviews.advance(session, lead, review.id, AdvanceIn())
    reviews.advance(session, lead, review.id, AdvanceIn(report_summary="Sound design; two gaps."))
    reviews.override_level(
        session,
        lead,
        review.id,
        OverrideIn(
            level="compliant", justification="The gaps are covered by the dispensation plan."
        ),
    )
    reviews.advance(session, lead, review.id, AdvanceIn())
    if target == "presented":
        return cast, review, first
    reviews.advance(session, chair, review.id, AdvanceIn(decision="rejected"))
    if waive:
        asked = dispensations.request(
            session,
            lead,
            DispensationRequest(
                review_id=review.id,
                finding_id=first.id,
                item_references=[failing[0].reference],
                standards=["Token standard 1.2"],
                justification="The gateway replacement lands next quarter.",
                conditions="Weekly report of long sessions.",
                requested_expiry=date.today() + timedelta(days=60),
            ),
        )
        dispensations.grant(
            session,
            chair,
            asked.id,
            DispensationDecision(expires_on=date.today() + timedelta(days=60), note="Granted."),
            asked.version,
        )
    return cast, review, first


def read(data: bytes):
    return Document(io.BytesIO(data))


def cell_fill(cell) -> str | None:
    shd = cell._tc.find(f"{{{W}}}tcPr/{{{W}}}shd")
    return None if shd is None else shd.get(f"{{{W}}}fill")


def tables_with_header(doc, first: str):
    return [t for t in doc.tables if t.rows[0].cells[0].text == first]


def test_report_contents(ctx, session):
    cast, review, _finding = make_review(session)
    doc = read(build_review_docx(session, review, now=NOW))
    text = "\n".join(p.text for p in doc.paragraphs)
    cover = {r.cells[0].text: r.cells[1].text for r in doc.tables[0].rows}
    assert cover["Reference"] == review.reference
    assert cover["Project"] == "Payments hub"
    assert cover["Checkpoint"] == "Initial design"
    assert cover["State"] == "Signed off"
    assert cover["Date of this report"] == "2 March 2026"
    assert "Compliance review report" in text and "Payments hub review" in text
    # summary: the override wins, the computed level and its reason are shown
    assert "Overall level: Compliant" in text
    assert "Computed level: Non-conformant" in text
    assert "Level set by the lead architect: Compliant" in text
    assert "Justification: The gaps are covered by the dispensation plan." in text
    assert "Decision: Rejected" in text
    assert "The integration design of the payments hub." in text
    assert "Sound design; two gaps." in text

    # every item in its category table, with level text and shade
    items = reviews.items_of(session, review.id)
    waived = reviews.waived_references(session, review.id)
    assert len(waived) == 1
    category_tables = tables_with_header(doc, "Item")
    assert len(category_tables) == 2
    rows = {}
    for table in category_tables:
        assert table.rows[0]._tr.find(f"{{{W}}}trPr/{{{W}}}tblHeader") is not None
        for row in table.rows[1:]:
            rows[row.cells[0].text] = row
    assert set(rows) == {i.reference for i in items}
    for item in items:
        row = rows[item.reference]
        assert item.question["en"] in row.cells[1].text
        assert f"Answer {item.reference}." in row.cells[1].text
        assert row.cells[2].paragraphs[0].text == label(item.level)
        assert f"https://wiki.example.com/{item.reference}" in row.cells[3].text
        assert "2026-02-01" in row.cells[3].text
        assert row.cells[4].text == f"Note {item.reference}"
        if item.reference in waived:
            assert "Waived" in row.cells[2].text
            assert cell_fill(row.cells[2]) == WAIVED_FILL
        else:
            assert "Waived" not in row.cells[2].text
            assert cell_fill(row.cells[2]) == LEVEL_FILLS[item.level]
    assert {cell_fill(r.cells[2]) for r in rows.values()} >= set(LEVEL_FILLS.values())

    # findings
    (findings,) = tables_with_header(doc, "No.")
    assert [c.text for c in findings.rows[0].cells] == [
        "No.",
        "Severity",
        "Description",
        "Recommendation",
        "Owner",
        "Due",
        "Status",
    ]
    body = [[c.text for c in r.cells] for r in findings.rows[1:]]
    assert len(body) == 2
    assert body[0][0] == "1" and body[0][1] == "High" and "Tokens never expire." in body[0][2]
    assert body[0][3] == "Expire them server-side." and body[0][4] == "Sponsor Person"
    assert body[0][5] == "2026-06-30" and body[0][6] == "Open"
    assert body[1][6] == "Verified"

    # dispensations
    (disp,) = tables_with_header(doc, "Reference")[-1:]
    row = [c.text for c in disp.rows[1].cells]
    assert row[0].startswith("DSP-") and sorted(waived)[0] in row[1]
    assert "Token standard 1.2" in row[1]
    assert row[2] == "Weekly report of long sessions." and row[4] == "Granted"

    # sign-off: the chair's recorded decision, the customer's blank lines
    assert "Decision:\tRejected" in text
    assert f"Name:\t{cast.chair.name}" in text
    assert "Customer: Sponsor Person" in text
    assert "Signature:\t____" in text

    # header, footer, properties
    section = doc.sections[0]
    assert review.reference in section.header.paragraphs[0].text
    footer = section.footer.paragraphs[0]._p
    instr = " ".join(t.text for t in footer.iter(f"{{{W}}}instrText"))
    assert "PAGE" in instr and "NUMPAGES" in instr
    assert "Page" in section.footer.paragraphs[0].text
    core = doc.core_properties
    assert core.title == "Payments hub review" and core.keywords == review.reference
    assert core.identifier == review.reference and core.language == "en-GB"
    assert core.created == NOW


def test_open_review_has_blank_sign_off_and_provisional_level(ctx, session):
    _cast, review, _finding = make_review(session, target="interviewing")
    doc = read(build_review_docx(session, review, now=NOW))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "The board has not decided yet." in text
    for line in ("Decision:", "Name:", "Date:", "Signature:"):
        assert f"{line}\t____" in text
    assert "No dispensations." in text
    assert "Overall level: Non-conformant" in text


def test_chinese_report(ctx, session):
    _cast, review, _finding = make_review(session)
    doc = read(build_review_docx(session, review, locale="zh_Hans", now=NOW))
    everything = "\n".join(p.text for p in doc.paragraphs) + "\n".join(
        c.text for t in doc.tables for r in t.rows for c in r.cells
    )
    assert "合规评审" in everything or "检查清单" in everything
    items = reviews.items_of(session, review.id)
    for item in items:
        assert item.question["zh_Hans"] in everything
    assert items[0].category_title["zh_Hans"] in everything
    with force_locale("zh_Hans"):
        for level in LEVELS:
            assert label(level) in everything  # Chinese where translated, else English
        assert label("waived") in everything or "Waived" in everything
    assert doc.core_properties.language == "zh-CN"
