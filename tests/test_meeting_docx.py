"""The meeting pack and the minutes as Word documents, read back with python-docx.

Checked: the cover, the agenda numbered through the standard sections in order, the papers,
each review's summary (level as services.reviews.overall finds it, findings by severity, the
decision asked), each contract awaiting approval, each dispensation request; attendance by
group with board roles, the quorum line (met and not met), decisions with votes and subjects,
actions raised at the meeting; shaded header rows that repeat; core properties; file names;
a fixed number of statements; permission; Chinese; and a LibreOffice conversion to PDF.
"""

from __future__ import annotations

import io
import shutil
import subprocess
from datetime import UTC, date, datetime, timedelta

import pytest
from conftest import count_statements
from contract_factory import make_cast, make_contract
from docx import Document
from flask_babel import force_locale, gettext

from eagov.errors import Forbidden
from eagov.models import (
    AgendaItem,
    Attendance,
    Decision,
    DecisionSubject,
    Dispensation,
    Finding,
    Meeting,
    MeetingPaper,
    ReviewItem,
)
from eagov.permissions import ANONYMOUS, Actor
from eagov.schemas.actions import ActionCreate
from eagov.schemas.reviews import ReviewRequest
from eagov.services import actions, contracts, meeting_documents, reviews

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NOW = datetime(2026, 5, 4, 12, 0, tzinfo=UTC)
STARTS = datetime(2026, 5, 11, 9, 30, tzinfo=UTC)


@pytest.fixture
def cast(session):
    return make_cast(session)


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield


def add(session, *rows):
    for row in rows:
        session.add(row)
    session.commit()
    return rows[0] if len(rows) == 1 else rows


def make_review(session, cast, title: str = "Payments hub review"):
    review = reviews.request_review(
        session,
        cast.actor("viewer"),
        ReviewRequest(
            title=title, project="Payments hub", board_id=cast.board_id, checkpoint="initial_design"
        ),
    )
    levels = ["conformant", "compliant", "irrelevant", None, "non_conformant"]
    for n, level in enumerate(levels, start=1):
        session.add(
            ReviewItem(
                review_id=review.id,
                category_key="security",
                reference=f"SEC-{n}",
                position=n,
                question={"en": f"Question {n}?"},
                level=level,
            )
        )
    # The non-conformant item is waived: the roll-up leaves it out.
    session.add(
        Dispensation(
            reference=f"DSP-2026-{review.id:04d}",
            year=2026,
            number=review.id,
            review_id=review.id,
            item_references=["SEC-5"],
            justification="The legacy switch stays until its replacement next year.",
            requested_expiry=date.today() + timedelta(days=90),
            expires_on=date.today() + timedelta(days=90),
            state="granted",
        )
    )
    for n, severity in enumerate(["high", "high", "low"], start=1):
        session.add(
            Finding(review_id=review.id, number=n, severity=severity, description=f"Gap {n}")
        )
    session.commit()
    return review


def requested_dispensation(session, review):
    return add(
        session,
        Dispensation(
            reference="DSP-2026-0900",
            year=2026,
            number=900,
            review_id=review.id,
            item_references=["SEC-2"],
            standards=["TLS policy"],
            justification="The vendor ships TLS 1.3 support in the autumn release.",
            conditions="Traffic stays inside the **data centre**.",
            requested_expiry=date(2026, 11, 30),
        ),
    )


def make_meeting(session, cast, number: int = 3):
    return add(
        session,
        Meeting(
            reference=f"MTG-2026-{number:03d}",
            year=2026,
            number=number,
            board_id=cast.board_id,
            title="May board meeting",
            starts_at=STARTS,
            ends_at=STARTS + timedelta(hours=2),
            location="Room 4.12",
        ),
    )


def item(meeting, position, section, title, subject=None, **kw):
    subject_type, subject_id = subject or (None, None)
    return AgendaItem(
        meeting_id=meeting.id,
        position=position,
        section=section,
        title=title,
        subject_type=subject_type,
        subject_id=subject_id,
        **kw,
    )


@pytest.fixture
def world(session, cast):
    """A meeting with a full agenda, papers, attendance, decisions and actions."""
    review = make_review(session, cast)
    contract = make_contract(session, cast, deliverables_count=3)
    contracts.submit(session, cast.actor("coordinator"), contract.id)
    dispensation = requested_dispensation(session, review)
    meeting = make_meeting(session, cast)
    # Added out of order: the pack orders by the standard sections, then by position.
    items = add(
        session,
        item(meeting, 1, "other_business", "Any other business"),
        item(
            meeting,
            1,
            "compliance_assessments",
            f"Review {review.reference}",
            ("review", review.id),
            description="Accept the assessment with the waiver in force.",
            presenter_id=cast.person["lead"],
        ),
        item(meeting, 1, "previous_minutes", "Minutes of MTG-2026-002"),
        item(
            meeting,
            1,
            "contract_documentation",
            f"Approve {contract.reference}",
            ("contract", contract.id),
        ),
        item(
            meeting,
            1,
            "dispensations",
            f"Dispensation {dispensation.reference}",
            ("dispensation", dispensation.id),
        ),
        item(meeting, 2, "other_business", "Date of the next meeting"),
    )
    add(
        session,
        MeetingPaper(
            meeting_id=meeting.id,
            agenda_item_id=items[1].id,
            kind="review_report",
            title=f"Review report {review.reference}",
            subject_type="review",
            subject_id=review.id,
        ),
        MeetingPaper(
            meeting_id=meeting.id,
            kind="uploaded",
            title="Roadmap slides",
            file_name="roadmap.pdf",
        ),
    )
    add(
        session,
        Attendance(
            meeting_id=meeting.id,
            person_id=cast.person["chair"],
            board_role="chair",
            status="attended",
        ),
        Attendance(
            meeting_id=meeting.id,
            person_id=cast.person["coordinator"],
            board_role="secretary",
            status="attended",
        ),
        Attendance(
            meeting_id=meeting.id,
            person_id=cast.person["sponsor"],
            board_role="member",
            status="apologies",
            note="Travelling",
        ),
        Attendance(
            meeting_id=meeting.id,
            person_id=cast.person["viewer"],
            board_role="member",
            status="absent",
        ),
        Attendance(meeting_id=meeting.id, person_id=cast.person["lead"], status="attended"),
    )
    decision = add(
        session,
        Decision(
            reference="DEC-2026-0007",
            year=2026,
            number=7,
            board_id=cast.board_id,
            meeting_id=meeting.id,
            kind="dispensation_grant",
            title="Grant the TLS waiver",
            rationale="The risk is contained; the vendor committed to a date.",
            decided_on=STARTS.date(),
            method="vote",
            votes_for=3,
            votes_against=1,
            abstentions=0,
        ),
    )
    add(
        session,
        DecisionSubject(
            decision_id=decision.id, subject_type="dispensation", subject_id=dispensation.id
        ),
        DecisionSubject(decision_id=decision.id, subject_type="review", subject_id=review.id),
    )
    action = actions.raise_action(
        session,
        cast.actor("coordinator"),
        ActionCreate(
            description="Tell the vendor about the waiver",
            owner_id=cast.person["lead"],
            meeting_id=meeting.id,
            due_on=STARTS.date() + timedelta(days=14),
            priority="high",
        ),
        today=STARTS.date(),
    )
    session.commit()
    return {
        "review": review,
        "contract": contract,
        "dispensation": dispensation,
        "meeting": meeting,
        "decision": decision,
        "action": action,
    }


def read(data: bytes):
    return Document(io.BytesIO(data))


def texts(doc) -> list[str]:
    return [p.text for p in doc.paragraphs]


def table_after(doc, heading: str):
    """The first table that follows the paragraph ``heading`` in the body."""
    seen = False
    index = 0  # doc.tables lists the body's tables in order
    for child in doc.element.body.iterchildren():
        tag = child.tag.split("}")[1]
        if tag == "p" and "".join(t.text or "" for t in child.iter(f"{{{W}}}t")) == heading:
            seen = True
        elif tag == "tbl":
            if seen:
                return doc.tables[index]
            index += 1
    raise AssertionError(f"no table after {heading!r}")


def rows_of(table) -> list[list[str]]:
    return [[c.text for c in row.cells] for row in table.rows]


def header_row_repeats_shaded(table) -> bool:
    tr = table.rows[0]._tr
    return bool(tr.findall(f".//{{{W}}}tblHeader")) and all(
        tc.find(f"{{{W}}}tcPr/{{{W}}}shd") is not None for tc in tr.findall(f"{{{W}}}tc")
    )


def test_pack_agenda_in_section_order_and_cover(session, cast, world, ctx):
    meeting = world["meeting"]
    data, name = meeting_documents.meeting_pack(
        session, cast.actor("viewer"), meeting.id, locale="en", now=NOW
    )
    assert name == "MTG-2026-003-pack.docx"
    doc = read(data)
    lines = texts(doc)
    assert lines[:3] == ["Board", "Meeting pack", "May board meeting"]
    cover = rows_of(doc.tables[0])
    assert ["Reference", "MTG-2026-003"] in cover
    assert ["Date and time", "2026-05-11 09:30\u201311:30 UTC"] in cover
    assert ["Location", "Room 4.12"] in cover
    numbered = [
        p.text for p in doc.paragraphs if p.style.style_id == "Normal" and p.text[:1].isdigit()
    ]
    review, contract, dispensation = world["review"], world["contract"], world["dispensation"]
    assert numbered == [
        "1. Minutes of MTG-2026-002",
        f"2. Dispensation {dispensation.reference}",
        f"3. Review {review.reference} (presented by {cast.lead.name})",
        f"4. Approve {contract.reference}",
        "5. Any other business",
        "6. Date of the next meeting",
    ]
    sections = [p.text for p in doc.paragraphs if p.style.style_id == "Heading2"]
    assert sections[:5] == [
        "Minutes of the last meeting",
        "Dispensations",
        "Compliance assessments",
        "Contract documentation management",
        "Any other business",
    ]
    assert "Accept the assessment with the waiver in force." in lines
    papers = rows_of(table_after(doc, "2. Papers"))
    assert papers[1] == ["1", f"Review report {review.reference}", "Review report", "3"]
    assert papers[2] == ["2", "Roadmap slides (roadmap.pdf)", "Uploaded paper", "\u2014"]
    head = doc.sections[0].header.paragraphs[0].text
    assert "MTG-2026-003" in head and "Meeting pack" in head
    core = doc.core_properties
    assert core.keywords == "MTG-2026-003" and core.category == "Meeting pack"
    assert core.language == "en-GB" and core.created == NOW


def test_pack_summaries_of_reviews_contracts_and_dispensations(session, cast, world, ctx):
    review, contract = world["review"], world["contract"]
    doc = read(
        meeting_documents.meeting_pack(
            session, cast.actor("viewer"), world["meeting"].id, locale="en", now=NOW
        )[0]
    )
    table = table_after(doc, "3. Compliance assessments")
    assert header_row_repeats_shaded(table)
    rows = rows_of(table)
    assert rows[0] == [
        "Item",
        "Reference",
        "Project",
        "Overall level",
        "Critical",
        "High",
        "Medium",
        "Low",
        "Decision asked",
    ]
    # SEC-5 is waived, SEC-3 irrelevant, SEC-4 unanswered: compliant, provisionally.
    expected = reviews.overall(session, review)
    assert expected.level is not None and expected.level.value == "compliant"
    assert rows[1][0] == "3" and rows[1][1].startswith(review.reference)
    assert rows[1][2:8] == ["Payments hub", "Compliant (provisional)", "0", "2", "0", "1"]
    assert rows[1][8] == "Accept the assessment with the waiver in force."

    rows = rows_of(table_after(doc, "4. Contracts awaiting approval"))
    version = contracts.get_version(session, contract)
    assert rows[1][0] == "4" and rows[1][1].startswith(contract.reference)
    assert "In review" in rows[1][1]
    assert rows[1][2] == "Statement of Architecture Work"
    assert rows[1][3] == version.title and rows[1][4] == cast.sponsor.name
    assert (
        rows[1][5] == f"{version.window_start.isoformat()} \u2013 {version.window_end.isoformat()}"
    )
    assert rows[1][6] == "3"

    d = world["dispensation"]
    heading = f"Item 2: {d.reference} \u00b7 review {review.reference}"
    assert heading in texts(doc)
    fields = dict((r[0], r[1]) for r in rows_of(table_after(doc, heading)))
    assert fields["Waives"] == "SEC-2\nTLS policy"
    assert fields["Justification"] == d.justification
    assert fields["Conditions"] == "Traffic stays inside the data centre."
    assert fields["Requested expiry"] == "2026-11-30"


def test_minutes_attendance_quorum_decisions_and_actions(session, cast, world, ctx):
    meeting = world["meeting"]
    meeting.minutes = "The board reviewed **three** items."
    add(session, meeting)
    data, name = meeting_documents.minutes(
        session, cast.actor("viewer"), meeting.id, locale="en", now=NOW
    )
    assert name == "MTG-2026-003-minutes.docx"
    doc = read(data)
    lines = texts(doc)
    assert "Minutes" in lines[:3]
    present = rows_of(table_after(doc, "Present (3)"))
    assert present[1:] == [
        [cast.chair.name, "Chair", "\u2014"],
        [cast.coordinator.name, "Secretary", "\u2014"],
        [cast.lead.name, "Guest", "\u2014"],
    ]
    assert rows_of(table_after(doc, "Apologies (1)"))[1] == [
        cast.sponsor.name,
        "Member",
        "Travelling",
    ]
    assert rows_of(table_after(doc, "Absent (1)"))[1][:2] == [cast.viewer.name, "Member"]
    # The chair and the secretary count (board members), the guest does not; the quorum is 1.
    assert "2 board members present; the quorum is 1: met." in lines
    assert "The board reviewed three items." in lines
    assert "DEC-2026-0007 \u00b7 Grant the TLS waiver" in lines
    assert "Kind: Dispensation grant" in lines
    assert "Method: Vote: 3 for, 1 against, 0 abstentions" in lines
    review, dispensation = world["review"], world["dispensation"]
    assert f"Subjects: {dispensation.reference}, {review.reference}" in lines
    assert "The risk is contained; the vendor committed to a date." in lines
    table = table_after(doc, "5. Actions")
    assert header_row_repeats_shaded(table)
    action = world["action"]
    assert rows_of(table)[1] == [
        action.reference,
        "Tell the vendor about the waiver",
        cast.lead.name,
        "2026-05-25",
        "High",
        "Open",
    ]
    assert any(t.startswith("Draft: the meeting is not closed") for t in lines)


def test_quorum_not_met(session, cast, ctx):
    from eagov.models import Board

    board = session.get(Board, cast.board_id)
    board.quorum = 3
    meeting = make_meeting(session, cast, 4)
    add(
        session,
        Attendance(
            meeting_id=meeting.id,
            person_id=cast.person["chair"],
            board_role="chair",
            status="attended",
        ),
    )
    doc = read(meeting_documents.minutes(session, cast.actor("viewer"), meeting.id, locale="en")[0])
    lines = texts(doc)
    assert "1 board members present; the quorum is 3: not met." in lines
    assert "No decision was recorded at this meeting." in lines
    assert "No action was raised at this meeting." in lines


def test_reading_needs_meetings_read_and_the_meeting(session, cast, ctx):
    meeting = make_meeting(session, cast)
    with pytest.raises(Forbidden):
        meeting_documents.meeting_pack(session, ANONYMOUS, meeting.id)
    from eagov.errors import NotFound

    with pytest.raises(NotFound):
        meeting_documents.minutes(session, cast.actor("viewer"), 424242)


def test_the_pack_is_for_readers_of_every_contract_but_minutes_are_for_all(
    session, cast, world, ctx
):
    meeting = world["meeting"]
    sponsor = Actor(None, "sponsor@example.test", frozenset({"sponsor"}))
    with pytest.raises(Forbidden):
        meeting_documents.meeting_pack(session, sponsor, meeting.id)
    body, _name = meeting_documents.minutes(session, sponsor, meeting.id)
    assert body.startswith(b"PK")


def test_loading_runs_a_fixed_number_of_statements(app, session, cast, world, ctx):
    viewer = cast.actor("viewer")
    meeting = world["meeting"]
    with count_statements(app) as small:
        meeting_documents.pack_data(session, viewer, meeting.id)
        meeting_documents.minutes_data(session, viewer, meeting.id)
    position = 10
    for n in range(4):
        review = make_review(session, cast, title=f"Another review {n}")
        contract = make_contract(session, cast, deliverables_count=1)
        add(
            session,
            item(meeting, position, "compliance_assessments", "R", ("review", review.id)),
            item(meeting, position + 1, "contract_documentation", "C", ("contract", contract.id)),
        )
        position += 2
        actions.raise_action(
            session,
            cast.actor("coordinator"),
            ActionCreate(
                description=f"Follow up {n}", owner_id=cast.person["chair"], meeting_id=meeting.id
            ),
        )
    session.expire_all()
    with count_statements(app) as large:
        pack = meeting_documents.pack_data(session, viewer, meeting.id)
        meeting_documents.minutes_data(session, viewer, meeting.id)
    assert len(pack.reviews) == 5 and len(pack.contracts) == 5
    assert len(large) == len(small), (small, large)


def test_chinese_documents(session, cast, world, ctx):
    meeting = world["meeting"]
    doc = read(
        meeting_documents.minutes(session, cast.actor("viewer"), meeting.id, locale="zh_Hans")[0]
    )
    with force_locale("zh_Hans"):
        attendance = gettext("Attendance")
    assert any(attendance in t for t in texts(doc))
    assert doc.core_properties.language == "zh-CN"


def _soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def test_libreoffice_renders_both_documents_as_pdf(session, cast, world, ctx, tmp_path):
    soffice = _soffice()
    if soffice is None:
        pytest.skip(
            "LibreOffice (soffice) is not installed: apt-get install libreoffice-writer-nogui"
        )
    viewer, meeting = cast.actor("viewer"), world["meeting"]
    sources = []
    for build in (meeting_documents.meeting_pack, meeting_documents.minutes):
        data, name = build(session, viewer, meeting.id, locale="en", now=NOW)
        path = tmp_path / name
        path.write_bytes(data)
        sources.append(path)
    result = subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={(tmp_path / 'lo-profile').as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            *map(str, sources),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    for source in sources:
        pdf = source.with_suffix(".pdf")
        assert pdf.exists(), f"no PDF: {result.returncode} {result.stdout} {result.stderr}"
        assert pdf.read_bytes().startswith(b"%PDF")
