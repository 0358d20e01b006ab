"""A board meeting in the system Chromium: the chair opens a meeting whose agenda was
proposed (a contract awaiting approval on it), marks the attendance (the quorum is then
met), approves the contract by recording a decision on its agenda item, writes the minutes
and closes the meeting. The set-up is made through the services. Console errors, CSP
violations and HTTP errors fail the test (conftest)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.fixture
def meeting_cast(live_server: Any) -> Any:
    """A cast, a contract in review and a planned meeting with the proposed agenda, in the
    live server's database."""
    from contract_factory import make_cast, make_contract
    from sqlmodel import Session

    from eagov.db import engine
    from eagov.schemas.meetings import MeetingIn
    from eagov.services import agenda, contracts, meetings

    tag = "-mt" + uuid.uuid4().hex[:6]
    with live_server.app.app_context(), Session(engine(), expire_on_commit=False) as s:
        cast = make_cast(s, tag=tag)
        contract = make_contract(s, cast)
        contracts.submit(s, cast.actor("coordinator"), contract.id)
        meeting = meetings.schedule(
            s,
            cast.actor("coordinator"),
            MeetingIn(
                board_id=cast.board_id,
                title=f"Board meeting {tag}",
                starts_at=datetime.now(UTC) + timedelta(hours=1),
                location="Room 4",
            ),
        )
        agenda.apply_proposal(s, cast.actor("coordinator"), meeting.id)
        return cast, meeting.id, contract.id


def test_chair_runs_a_meeting(
    page: Any, problems: Any, live_server: Any, meeting_cast: Any, screenshot: Any
) -> None:
    from contract_factory import PASSWORD

    from browser.signin import sign_in

    cast, meeting_id, contract_id = meeting_cast
    main = page.locator("main#main")
    sign_in(page, cast.chair.email, PASSWORD, problems)
    page.goto(f"/meetings/{meeting_id}")
    assert main.locator('#agenda-items [data-section="contract_documentation"]').count() == 1

    with page.expect_navigation():
        main.get_by_role("button", name="Open the meeting").click()
    assert main.get_by_text("The meeting is open.").count() == 1
    assert main.locator('#quorum[data-met="0"]').count() == 1

    row = main.locator('#attendance-table tr[data-person^="Chair Person"]')
    row.locator("select[name=status]").select_option(label="Present")
    with page.expect_navigation():
        row.get_by_role("button").click()
    assert main.get_by_text("Attendance recorded.").count() == 1
    assert main.locator('#quorum[data-met="1"]').count() == 1
    assert not problems.take()

    item = main.locator('#agenda-items [data-section="contract_documentation"]')
    with page.expect_navigation():
        item.get_by_role("link", name="Record a decision").click()
    form = main.locator("#decision-form")
    assert form.get_by_label("Kind").input_value() == "contract_approval"
    form.get_by_label("Rationale").fill("Complete, reviewed, and in line with our principles.")
    screenshot(page, "meeting-decision.png")
    with page.expect_navigation():
        form.get_by_role("button", name="Record the decision").click()
    assert main.get_by_text("recorded.").count() == 1
    assert main.locator('#decision-list [data-decision^="DEC-"]').count() == 1
    assert item.locator('[data-state="decided"]').count() == 1
    assert not problems.take()

    minutes = main.locator("#minutes-form")
    minutes.get_by_label("Minutes (Markdown)").fill("The board **approved** the contract.")
    with page.expect_navigation():
        minutes.get_by_role("button", name="Save and close the meeting").click()
    assert main.get_by_text("The meeting is closed.").count() == 1
    assert main.locator('header [data-state="closed"]').count() == 1
    assert main.locator("#minutes-text strong").inner_text() == "approved"
    screenshot(page, "meeting-closed.png")
    assert not problems.take()

    page.goto(f"/contracts/{contract_id}")
    assert not problems.take()
