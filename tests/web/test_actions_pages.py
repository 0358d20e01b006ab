"""Action tracker pages: the list with filters, pagination in the database and a fixed number of
statements, the overdue view, "my actions", CSV and Excel exports read back, raising an action
(also from a meeting), and one action with its edit form, stale edits, status buttons and
history."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from conftest import count_statements
from contract_factory import make_cast
from openpyxl import load_workbook
from test_contracts_support import client_for, send, text_of

from eagov.models import Meeting
from eagov.schemas.actions import ActionCreate
from eagov.services import actions

TODAY = date.today()


@pytest.fixture
def cast(session):
    return make_cast(session)


def raise_one(session, cast, raised: date = TODAY, **over):
    values = {
        "description": "Write the integration standard",
        "owner_id": cast.person["lead"],
        "board_id": cast.board_id,
        "due_on": raised + timedelta(days=14),
    } | over
    return actions.raise_action(
        session, cast.actor("coordinator"), ActionCreate(**values), today=raised
    )


def late(session, cast, **over):
    """An action raised a month ago, due a week ago."""
    return raise_one(
        session, cast, TODAY - timedelta(days=30), due_on=TODAY - timedelta(days=7), **over
    )


def refs(html: str) -> list[str]:
    return re.findall(r'<tr data-reference="([^"]+)"', html)


def test_pages_need_login(client):
    for url in ("/actions/", "/actions/mine", "/actions/overdue", "/actions/new"):
        resp = client.get(url)
        assert resp.status_code == 302 and "/login" in resp.headers["Location"]


def test_list_filters_and_overdue_view(app, session, cast):
    a = raise_one(session, cast, description="Publish the API guideline", priority="high")
    b = late(session, cast, owner_id=cast.person["chair"])
    viewer = client_for(app, cast.viewer)
    html = viewer.get("/actions/").text
    assert refs(html) == [b.reference, a.reference]  # the sooner due first
    assert 'data-overdue="1"' in html and 'class="table-danger"' in html
    assert refs(viewer.get("/actions/?q=guideline").text) == [a.reference]
    assert refs(viewer.get("/actions/?priority=high").text) == [a.reference]
    assert refs(viewer.get(f"/actions/?owner={cast.person['chair']}").text) == [b.reference]
    assert refs(viewer.get("/actions/?overdue=1").text) == [b.reference]
    assert refs(viewer.get("/actions/?status=done").text) == []
    assert refs(viewer.get(f"/actions/?board={cast.board_id}").text) == [b.reference, a.reference]
    overdue = viewer.get("/actions/overdue")
    assert overdue.status_code == 200 and refs(overdue.text) == [b.reference]
    assert "Overdue actions" in overdue.text


def test_my_actions_open_first_and_overdue_highlighted(app, session, cast, make_user):
    mine_done = raise_one(session, cast)
    actions.move(session, cast.actor("lead"), mine_done.id, actions.ActionMove(status="done"), 1)
    mine_open = raise_one(session, cast, due_on=TODAY + timedelta(days=40))
    mine_late = late(session, cast)
    raise_one(session, cast, owner_id=cast.person["chair"])
    lead = client_for(app, cast.lead)
    html = lead.get("/actions/mine").text
    assert refs(html) == [mine_late.reference, mine_open.reference, mine_done.reference]
    assert re.search(rf'<tr data-reference="{mine_late.reference}" class="table-danger"', html)
    # A user without a person of the organisation has no actions of their own.
    alone = client_for(app, make_user("viewer")).get("/actions/mine").text
    assert refs(alone) == [] and 'id="no-person"' in alone


def test_exports_follow_the_filters(app, session, cast):
    a = late(session, cast, description="=HYPERLINK(1)")
    b = raise_one(session, cast)
    viewer = client_for(app, cast.viewer)
    page = viewer.get("/actions/overdue").text
    assert "/actions/export.csv?overdue=1" in page
    resp = viewer.get("/actions/export.csv?overdue=1")
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    assert "attachment" in resp.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(resp.data.decode("utf-8-sig"))))
    assert rows[0][:4] == ["Reference", "Priority", "Type", "Description"]
    assert len(rows) == 2 and rows[1][0] == a.reference
    assert rows[1][3] == "'=HYPERLINK(1)"  # never a formula
    assert rows[1][4] == cast.lead.name and rows[1][9] == "Open" and rows[1][10] == "yes"
    xlsx = viewer.get("/actions/export.xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    values = list(sheet.iter_rows(values_only=True))
    assert len(values) == 3 and values[0][0] == "Reference"
    assert {v[0] for v in values[1:]} == {a.reference, b.reference}
    due = next(v for v in values[1:] if v[0] == a.reference)[8]
    assert due.date() == TODAY - timedelta(days=7)  # a real date


def test_the_list_runs_the_same_statements_for_3_and_30_actions(app, session, cast):
    for _ in range(3):
        late(session, cast)
    viewer = client_for(app, cast.viewer)
    viewer.get("/actions/")  # warm up
    with count_statements(app) as small:
        assert len(refs(viewer.get("/actions/").text)) == 3
    for i in range(27):
        raise_one(session, cast, owner_id=cast.person["chair" if i % 2 else "sponsor"])
    with count_statements(app) as large:
        assert len(refs(viewer.get("/actions/").text)) == 25  # one page
    assert len(small) == len(large), (small, large)
    assert len(large) < 15, large
    with count_statements(app) as mine:
        viewer.get("/actions/mine")
    assert len(mine) < 15


def test_raising_through_the_form(app, session, cast):
    viewer = client_for(app, cast.viewer)
    assert viewer.get("/actions/new").status_code == 403
    coordinator = client_for(app, cast.coordinator)
    bad = send(
        coordinator,
        "/actions/new",
        {"description": "Do", "details": "Kept *text*", "board_id": str(cast.board_id)},
    )
    assert bad.status_code == 422
    assert ">Kept *text*</textarea>" in bad.text
    assert 'id="e-description"' in bad.text and 'id="e-owner_id"' in bad.text
    gone = send(
        coordinator,
        "/actions/new",
        {
            "description": "Draft the cloud principles",
            "owner_id": str(cast.person["lead"]),
            "priority": "high",
            "type": "document",
            "meeting_id": "424242",
        },
    )
    assert gone.status_code == 422 and 'data-field="meeting_id"' in gone.text
    ok = send(
        coordinator,
        "/actions/new",
        {
            "description": "Draft the cloud principles",
            "owner_id": str(cast.person["lead"]),
            "board_id": str(cast.board_id),
            "priority": "high",
            "type": "document",
            "due_on": (TODAY + timedelta(days=10)).isoformat(),
        },
    )
    assert ok.status_code == 302
    page = coordinator.get(ok.headers["Location"])
    assert "Draft the cloud principles" in page.text and "ACT-" in page.text


def test_raising_from_a_meeting_prefills_its_board(app, session, cast):
    meeting = Meeting(
        reference=f"MTG-{TODAY.year}-001",
        year=TODAY.year,
        number=1,
        board_id=cast.board_id,
        title="Monthly board",
        starts_at=datetime.now(UTC),
    )
    session.add(meeting)
    session.commit()
    coordinator = client_for(app, cast.coordinator)
    url = f"/actions/new?meeting_id={meeting.id}"
    form = coordinator.get(url).text
    assert 'id="raised-from-meeting"' in form and meeting.reference in form
    assert 'id="fixed-board"' in form and f'name="meeting_id" value="{meeting.id}"' in form
    resp = send(
        coordinator,
        url,
        {
            "description": "Circulate the minutes",
            "owner_id": str(cast.person["coordinator"]),
            "priority": "medium",
            "type": "communicate",
            "meeting_id": str(meeting.id),
        },
    )
    assert resp.status_code == 302
    raised = actions.actions_page(
        session, cast.actor("viewer"), actions.ActionFilter(meeting_id=meeting.id)
    ).items
    assert [r.action.description for r in raised] == ["Circulate the minutes"]
    assert raised[0].action.board_id == cast.board_id


def test_edit_form_refuses_a_stale_version_and_keeps_the_input(app, session, cast):
    action = raise_one(session, cast)
    chair = client_for(app, cast.chair)
    page = chair.get(f"/actions/{action.id}").text
    assert 'id="edit-form"' in page and 'name="version" value="1"' in page
    fields = {
        "description": "Write the integration standard, version 2",
        "owner_id": str(cast.person["lead"]),
        "priority": "critical",
        "type": "document",
        "version": "1",
    }
    assert send(chair, f"/actions/{action.id}/edit", fields).status_code == 302
    stale = send(chair, f"/actions/{action.id}/edit", fields | {"description": "Mine instead"})
    assert stale.status_code == 409
    assert 'value="Mine instead"' in stale.text and "Someone else changed" in stale.text
    assert 'name="version" value="2"' in stale.text  # saving again knowingly is possible
    invalid = send(
        chair, f"/actions/{action.id}/edit", fields | {"description": "", "version": "2"}
    )
    assert invalid.status_code == 422 and 'id="e-description"' in invalid.text
    history = chair.get(f"/actions/{action.id}?tab=history").text
    assert "audit-history" in history and "version 2" in history


def test_status_buttons_for_the_owner_only(app, session, cast):
    action = raise_one(session, cast)  # owned by the lead
    viewer = client_for(app, cast.viewer)
    page = viewer.get(f"/actions/{action.id}").text
    assert 'id="move-form"' not in page and 'id="edit-form"' not in page
    refused = send(viewer, f"/actions/{action.id}/status", {"status": "done", "version": "1"})
    assert refused.status_code == 403 and 'id="move-error"' in refused.text
    lead = client_for(app, cast.lead)
    page = lead.get(f"/actions/{action.id}").text
    assert 'data-move="in_progress"' in page and 'data-move="done"' in page
    assert 'id="edit-form"' not in page  # the owner moves, the secretariat edits
    no_reason = send(lead, f"/actions/{action.id}/status", {"status": "cancelled", "version": "1"})
    assert no_reason.status_code == 422 and 'data-field="resolution"' in no_reason.text
    done = send(
        lead,
        f"/actions/{action.id}/status",
        {"status": "done", "resolution": "Published.", "version": "1"},
    )
    assert done.status_code == 302
    after = text_of(lead.get(f"/actions/{action.id}").text)
    assert "Done" in after and "Published." in after and "Reopen" in after
