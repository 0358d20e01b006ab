"""Meeting and decision-log pages: scheduling through the form, the meeting page and its
forms (agenda, attendance, minutes, decisions), stale edits, permissions, downloads, the
log with its exports, and statement counts that do not grow with the data."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from conftest import count_statements
from contract_factory import make_cast, make_contract
from openpyxl import load_workbook
from test_contracts_support import client_for, send, text_of
from test_meetings_service import add_member, in_session, schedule

from eagov.models import Action, Decision
from eagov.schemas.meetings import DecisionIn
from eagov.services import agenda, contracts, decisions, meetings

TODAY = date.today()


@pytest.fixture
def cast(session):
    return make_cast(session)


def refs(html: str) -> list[str]:
    return re.findall(r'<tr data-reference="([^"]+)">', html)


def test_scheduling_through_the_form_keeps_input_on_errors(app, cast):
    coordinator = client_for(app, cast.coordinator)
    page = coordinator.get("/meetings/new")
    assert page.status_code == 200 and 'name="starts_at"' in page.text
    bad = send(coordinator, "/meetings/new", {"title": "Mo", "location": "Room 4"})
    assert bad.status_code == 422
    assert 'value="Room 4"' in bad.text and 'id="e-title"' in bad.text
    assert 'id="e-board_id"' in bad.text and 'id="e-starts_at"' in bad.text
    ok = send(
        coordinator,
        "/meetings/new",
        {
            "board_id": str(cast.board_id),
            "title": "Monthly board",
            "starts_at": "2027-01-12T10:00",
            "location": "Room 4",
        },
    )
    assert ok.status_code == 302
    page = coordinator.get(ok.headers["Location"]).text
    assert "MTG-2027-001" in page and "Monthly board" in page
    # the chair was invited
    assert 'data-person="Chair Person"' in page


def test_viewers_cannot_schedule(app, cast):
    viewer = client_for(app, cast.viewer)
    resp = send(
        viewer,
        "/meetings/new",
        {"board_id": str(cast.board_id), "title": "Monthly board", "starts_at": "2027-01-12T10:00"},
    )
    assert resp.status_code == 403


def test_stale_edit_is_409_and_keeps_the_form(app, session, cast):
    meeting = schedule(session, cast)
    coordinator = client_for(app, cast.coordinator)
    url = f"/meetings/{meeting.id}/edit"
    assert coordinator.get(url).status_code == 200
    meetings.update(
        session, cast.actor("coordinator"), meeting.id, meetings.MeetingUpdate(location="A"), 1
    )
    stale = send(
        coordinator,
        url,
        {"title": "My title", "starts_at": "2027-01-12T10:00", "location": "B", "version": "1"},
    )
    assert stale.status_code == 409
    assert "Someone else changed" in text_of(stale.text) and 'value="My title"' in stale.text


def test_list_filters(app, session, cast):
    past = schedule(session, cast, start=datetime.now(UTC) - timedelta(days=10), title="Old one")
    schedule(session, cast, title="Next one")
    viewer = client_for(app, cast.viewer)
    assert len(refs(viewer.get("/meetings/").text)) == 2
    assert refs(viewer.get("/meetings/?when=past").text) == [past.reference]
    assert len(refs(viewer.get("/meetings/?when=upcoming").text)) == 1
    assert refs(viewer.get("/meetings/?state=closed").text) == []


def test_chair_runs_a_meeting_through_the_pages(app, session, cast):
    contract = make_contract(session, cast)
    contracts.submit(session, cast.actor("coordinator"), contract.id)
    meeting = schedule(session, cast)
    coordinator = client_for(app, cast.coordinator)
    base = f"/meetings/{meeting.id}"
    assert send(coordinator, f"{base}/agenda/propose").status_code == 302
    page = coordinator.get(base).text
    assert (
        'data-section="contract_documentation"' in page and 'data-kind="contract_document"' in page
    )
    chair = client_for(app, cast.chair)
    assert send(chair, f"{base}/open", {"version": "1"}).status_code == 302
    page = chair.get(base).text
    assert 'id="quorum" data-met="0"' in page and 'id="no-quorum"' in page
    item = next(i for i in agenda.items_of(session, meeting.id) if i.subject_type == "contract")
    decide_url = f"{base}/decide"
    form = chair.get(f"{decide_url}?item={item.id}")
    assert form.status_code == 200 and 'value="contract_approval" selected' in form.text
    body = {
        "agenda_item_id": str(item.id),
        "kind": "contract_approval",
        "title": "Approve the customer data platform contract",
        "rationale": "Complete, reviewed, and in line with the principles.",
        "decided_on": TODAY.isoformat(),
        "method": "consensus",
    }
    refused = send(chair, decide_url, body)
    assert refused.status_code == 409 and "quorum" in text_of(refused.text)
    assert "in line with the principles" in refused.text  # kept as typed
    resp = send(
        chair,
        f"{base}/attendance/{cast.person['chair']}",
        {"status": "attended", "note": ""},
    )
    assert resp.status_code == 302
    assert send(chair, decide_url, body).status_code == 302
    session.refresh(contract)
    assert contract.status == "approved"
    page = chair.get(base).text
    assert 'data-decision="DEC-' in page and 'data-state="decided"' in page
    # closing needs the minutes
    session.expire_all()
    version = str(meetings.get_meeting(session, cast.actor("chair"), meeting.id).version)
    empty = send(chair, f"{base}/minutes", {"minutes": "", "then": "close", "version": version})
    assert empty.status_code == 422 and "Write the minutes" in text_of(empty.text)
    closed = send(
        chair,
        f"{base}/minutes",
        {"minutes": "Approved **CT**.", "then": "close", "version": version},
    )
    assert closed.status_code == 302
    page = chair.get(base).text
    assert 'data-state="closed"' in page and "<strong>CT</strong>" in page


def test_failing_effect_is_shown_on_the_form_and_nothing_is_saved(app, session, cast):
    contract = make_contract(session, cast)
    contracts.submit(session, cast.actor("coordinator"), contract.id)
    meeting = schedule(session, cast)
    agenda.apply_proposal(session, cast.actor("coordinator"), meeting.id)
    meetings.open_meeting(session, cast.actor("chair"), meeting.id, None)
    meetings.set_attendance(
        session, cast.actor("chair"), meeting.id, cast.person["chair"], "attended"
    )
    contracts.return_to_draft(
        session, cast.actor("chair"), contract.id, contracts.CloseIn(reason="Needs more work here.")
    )
    item = next(i for i in agenda.items_of(session, meeting.id) if i.subject_type == "contract")
    chair = client_for(app, cast.chair)
    resp = send(
        chair,
        f"/meetings/{meeting.id}/decide",
        {
            "agenda_item_id": str(item.id),
            "kind": "contract_approval",
            "title": "Approve it",
            "rationale": "The board agrees with it.",
            "decided_on": TODAY.isoformat(),
            "method": "consensus",
        },
    )
    assert resp.status_code == 409 and "Only a version in review" in text_of(resp.text)
    assert session.exec(Decision.__table__.select()).all() == []


def test_viewer_sees_no_decision_form_and_is_refused(app, session, cast):
    meeting = in_session(session, cast)
    viewer = client_for(app, cast.viewer)
    page = viewer.get(f"/meetings/{meeting.id}").text
    assert "Record a decision" not in page and 'id="minutes-form"' not in page
    resp = send(
        viewer,
        f"/meetings/{meeting.id}/decide",
        {
            "kind": "other",
            "title": "Viewer decides",
            "rationale": "Because I can, surely.",
            "decided_on": TODAY.isoformat(),
            "method": "consensus",
        },
    )
    assert resp.status_code == 403
    assert send(viewer, f"/meetings/{meeting.id}/minutes", {"minutes": "x"}).status_code == 403


def test_agenda_item_forms(app, session, cast):
    meeting = schedule(session, cast)
    coordinator = client_for(app, cast.coordinator)
    base = f"/meetings/{meeting.id}"
    bad = send(coordinator, f"{base}/agenda", {"section": "strategy", "title": "x"})
    assert bad.status_code == 422 and 'id="add-e-title"' in bad.text
    assert (
        send(
            coordinator, f"{base}/agenda", {"section": "strategy", "title": "Cloud first"}
        ).status_code
        == 302
    )
    item = agenda.items_of(session, meeting.id)[0]
    ok = send(
        coordinator,
        f"/meetings/agenda/{item.id}",
        {
            "title": "Cloud first policy",
            "status": "open",
            "notes": "",
            "version": "1",
            "section": "strategy",
            "description": "",
        },
    )
    assert ok.status_code == 302
    stale = send(
        coordinator,
        f"/meetings/agenda/{item.id}",
        {"title": "Again", "version": "1", "section": "strategy", "status": "open"},
    )
    assert stale.status_code == 409
    assert (
        send(coordinator, f"/meetings/agenda/{item.id}/delete", {"version": "2"}).status_code == 302
    )
    assert agenda.items_of(session, meeting.id) == []


def test_paper_upload_and_download(app, session, cast):
    meeting = schedule(session, cast)
    coordinator = client_for(app, cast.coordinator)
    token_page = coordinator.get(f"/meetings/{meeting.id}").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', token_page).group(1)
    resp = coordinator.post(
        f"/meetings/{meeting.id}/papers/upload",
        data={"csrf_token": token, "title": "Budget", "file": (io.BytesIO(b"Numbers"), "b.txt")},
        content_type="multipart/form-data",
    )
    assert resp.status_code == 302
    paper = meetings.papers_of(session, meeting.id)[0]
    got = client_for(app, cast.viewer).get(f"/meetings/papers/{paper.id}")
    assert got.status_code == 200 and got.data == b"Numbers"
    assert got.headers["Content-Disposition"].startswith("attachment")
    got.close()


def test_word_downloads(app, session, cast):
    meeting = in_session(session, cast)
    viewer = client_for(app, cast.viewer)
    for url in (f"/meetings/{meeting.id}/pack.docx", f"/meetings/{meeting.id}/minutes.docx"):
        resp = viewer.get(url)
        assert resp.status_code == 200
        assert resp.mimetype.endswith("wordprocessingml.document")


def _decision(session, cast, n: int) -> None:
    decisions.record(
        session,
        cast.actor("chair"),
        DecisionIn(
            kind="product_selection" if n % 2 else "standards_deviation",
            title=f"Decision number {n}",
            rationale="Recorded for the log tests.",
            decided_on=TODAY - timedelta(days=n),
            board_id=cast.board_id,
        ),
    )


def test_decision_log_filters_and_exports(app, session, cast):
    for n in range(1, 4):
        _decision(session, cast, n)
    viewer = client_for(app, cast.viewer)
    assert len(refs(viewer.get("/decisions/").text)) == 3
    assert len(refs(viewer.get("/decisions/?kind=product_selection").text)) == 2
    assert len(refs(viewer.get("/decisions/?q=number 2").text)) == 1
    since = (TODAY - timedelta(days=1)).isoformat()
    assert len(refs(viewer.get(f"/decisions/?from={since}").text)) == 1
    assert viewer.get("/decisions/?from=nope").status_code == 422
    csv = viewer.get("/decisions/export.csv?kind=product_selection")
    assert csv.status_code == 200 and csv.data.decode("utf-8-sig").count("\r\n") == 3
    xlsx = viewer.get("/decisions/export.xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    assert sheet.max_row == 4 and sheet["A1"].value == "Reference"


def test_decision_page_shows_superseded_by(app, session, cast):
    _decision(session, cast, 1)
    first = session.exec(Decision.__table__.select()).first()
    decisions.record(
        session,
        cast.actor("chair"),
        DecisionIn(
            kind="other",
            title="Replaces the first",
            rationale="Things changed since.",
            decided_on=TODAY,
            board_id=cast.board_id,
            supersedes_id=first.id,
        ),
    )
    viewer = client_for(app, cast.viewer)
    page = viewer.get(f"/decisions/{first.id}").text
    assert 'id="superseded-by"' in page and "DEC-" in page


def test_decision_outside_a_meeting_through_the_form(app, session, cast):
    chair = client_for(app, cast.chair)
    assert chair.get("/decisions/new").status_code == 200
    body = {
        "board_id": str(cast.board_id),
        "kind": "contract_approval",
        "title": "Approve by mail",
        "rationale": "Agreed by correspondence.",
        "decided_on": TODAY.isoformat(),
        "method": "consensus",
    }
    refused = send(chair, "/decisions/new", body)
    assert refused.status_code == 422 and "agenda item" in text_of(refused.text)
    ok = send(chair, "/decisions/new", body | {"kind": "reuse_assessment"})
    assert ok.status_code == 302


def test_list_and_meeting_page_statements_do_not_grow(app, session, cast):
    viewer = client_for(app, cast.viewer)

    def fill(n: int) -> int:
        meeting = in_session(session, cast, title=f"Board {n}")
        for k in range(n):
            person = add_member(session, cast, f"m{n}-{k}")
            meetings.add_guest(
                session, cast.actor("coordinator"), meeting.id, meetings.GuestIn(person_id=person)
            )
            agenda.add_item(
                session,
                cast.actor("coordinator"),
                meeting.id,
                agenda.AgendaItemIn(section="strategy", title=f"Item {k}", presenter_id=person),
            )
            decisions.record(
                session,
                cast.actor("chair"),
                DecisionIn(
                    kind="other",
                    title=f"Decision {k}",
                    rationale="For the statement count.",
                    decided_on=TODAY,
                    meeting_id=meeting.id,
                    subjects=[{"subject_type": "meeting", "subject_id": meeting.id}],
                ),
            )
            session.add(
                Action(
                    reference=f"ACT-{n}-{k}",
                    year=2000 + n,
                    number=k + 1,
                    board_id=cast.board_id,
                    meeting_id=meeting.id,
                    description="Follow up",
                    owner_id=person,
                    raised_on=TODAY,
                )
            )
            session.commit()
        for _ in range(n):
            schedule(session, cast)
        return meeting.id

    small_id = fill(2)
    viewer.get(f"/meetings/{small_id}")
    with count_statements(app) as small_page:
        viewer.get(f"/meetings/{small_id}")
    with count_statements(app) as small_list:
        viewer.get("/meetings/")
    with count_statements(app) as small_log:
        viewer.get("/decisions/")
    large_id = fill(20)
    with count_statements(app) as large_page:
        html = viewer.get(f"/meetings/{large_id}").text
    assert html.count('data-decision="DEC-') == 20
    with count_statements(app) as large_list:
        viewer.get("/meetings/")
    with count_statements(app) as large_log:
        viewer.get("/decisions/")
    assert len(large_page) == len(small_page), large_page
    assert len(large_list) == len(small_list)
    assert len(large_log) == len(small_log)
    assert len(large_page) < 30
