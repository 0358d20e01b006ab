"""The dashboard's board-work panel: next meetings, my actions (with the overdue ones),
the request queue, requests assigned to me and surveys waiting for my answer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from conftest import count_statements, login
from contract_factory import PASSWORD, make_cast

from eagov.models import (
    Action,
    GovernanceRequest,
    Meeting,
    MeetingState,
    SurveyInvitation,
    utcnow,
)
from eagov.services.my_work import my_work


@pytest.fixture
def cast(session):
    return make_cast(session)


def _request(session, n: int, **values) -> GovernanceRequest:
    row = GovernanceRequest(
        reference=f"GR-2026-{n:04d}",
        year=2026,
        number=n,
        type="architecture_question",
        title=f"Question {n}",
        description="Which queue product?",
        **values,
    )
    session.add(row)
    session.commit()
    return row


def _world(session, cast, copies: int = 1) -> None:
    now = utcnow()
    today = now.date()
    n = 1000 * (copies - 1)  # references stay unique across calls
    for i in range(copies):
        for days, state in ((3, MeetingState.PLANNED), (-3, MeetingState.CLOSED)):
            n += 1
            session.add(
                Meeting(
                    reference=f"MTG-2026-{n:03d}",
                    year=2026,
                    number=n,
                    board_id=cast.board_id,
                    title=f"Board {n}",
                    starts_at=now + timedelta(days=days + i),
                    state=state,
                )
            )
        for j, due in enumerate((today - timedelta(days=2), today + timedelta(days=5))):
            k = n + 2 * i + j + 1
            session.add(
                Action(
                    reference=f"ACT-2026-{k:04d}",
                    year=2026,
                    number=k,
                    board_id=cast.board_id,
                    description="Follow up",
                    owner_id=cast.person["lead"],
                    raised_on=today - timedelta(days=10),
                    due_on=due,
                )
            )
    session.commit()
    base = 100 * copies
    _request(session, base + 1, state="new")
    _request(session, base + 2, state="assigned", assignee_id=cast.lead.id)
    resolved = _request(
        session,
        base + 3,
        state="resolved",
        requester_id=cast.lead.id,
        resolved_at=datetime(2026, 1, 5, tzinfo=UTC),
    )
    session.add(
        SurveyInvitation(
            request_id=resolved.id,
            token_hash=f"{base:064d}",
            expires_at=utcnow() + timedelta(days=5),
        )
    )
    session.commit()


def test_the_panel_counts_what_waits_for_me(session, cast):
    _world(session, cast)
    lead = my_work(session, cast.actor("lead"))
    assert [m.title for m, _board in lead.meetings] == ["Board 1"]  # planned and ahead
    assert (lead.open_actions, lead.overdue_actions) == (2, 1)
    assert lead.assigned == 1 and lead.surveys == 1
    assert lead.queue is None  # an architect does not triage
    coordinator = my_work(session, cast.actor("coordinator"))
    assert coordinator.queue == 1 and coordinator.open_actions == 0


def test_the_dashboard_shows_the_panel_with_a_fixed_number_of_statements(
    app, client, session, cast
):
    _world(session, cast)
    login(client, cast.lead.email, PASSWORD)
    from eagov.services import review_queries

    with count_statements(app) as small:
        page = client.get("/").text
    assert 'data-stat="my-actions">2<' in page and 'data-stat="my-overdue-actions"' in page
    assert "Board 1" in page and 'data-stat="surveys">1<' in page
    _world(session, cast, copies=10)
    review_queries._SUMMARIES.clear()  # the first view computed the review tiles: so does this
    with count_statements(app) as large:
        client.get("/")
    assert len(large) == len(small)
