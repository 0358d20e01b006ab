"""The demo board operations: past meetings closed with minutes (one without a quorum and so
without decisions), the coming meetings with their proposed agendas, decisions of several
kinds (one applying its effect, one superseding another), actions open, overdue and done;
the audit chain still verifies and the meetings load fast."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

from conftest import login
from sqlmodel import col, select

from eagov.demo import DEMO_DOMAIN, DEMO_PASSWORD, load_demo
from eagov.models import (
    AGENDA_ORDER,
    Action,
    Board,
    Decision,
    Dispensation,
    Meeting,
    MeetingPaper,
)
from eagov.permissions import SYSTEM
from eagov.services import actions, agenda, audit, meetings


def _by_board(session, name):
    board = session.exec(select(Board).where(Board.name == name)).one()
    return session.exec(
        select(Meeting).where(Meeting.board_id == board.id).order_by(col(Meeting.starts_at))
    ).all()


def test_demo_meetings(session):
    load_demo(session)
    now = datetime.now(UTC)
    group = _by_board(session, "Group Architecture Board")
    past = [m for m in group if audit.as_utc(m.starts_at) < now]
    assert len(past) == 3
    for m in past:
        assert m.state == "closed" and m.minutes.strip() and m.papers_circulated_at
        assert agenda.items_of(session, m.id) and meetings.papers_of(session, m.id)
    quorate = [m for m in past if meetings.quorum(session, m).met]
    assert len(quorate) == 2
    inquorate = next(m for m in past if m not in quorate)
    assert "not quorate" in inquorate.minutes
    assert not session.exec(select(Decision).where(Decision.meeting_id == inquorate.id)).all()

    coming = [m for m in group if audit.as_utc(m.starts_at) >= now]
    assert Counter(m.state for m in coming) == {"planned": 1, "cancelled": 1}
    planned = next(m for m in coming if m.state == "planned")
    assert (audit.as_utc(planned.starts_at) - now).days <= 21
    items = agenda.items_of(session, planned.id)
    sections = [i.section for i in items]
    assert sections == sorted(sections, key=AGENDA_ORDER.index)
    assert sections[0] == "previous_minutes" and sections[-1] == "schedule_of_meetings"
    # Proposed from what awaits the board: the presented review and the contracts in review.
    assert {"compliance_assessments", "contract_documentation", "actions"} <= set(sections)
    retail = _by_board(session, "Retail Architecture Board")
    assert [m.state for m in retail] == ["planned"] and agenda.items_of(session, retail[0].id)

    found = session.exec(select(Decision)).all()
    assert len({d.kind for d in found}) >= 4
    newer = next(d for d in found if d.supersedes_id)
    assert session.get(Decision, newer.supersedes_id).kind == newer.kind
    grant = next(d for d in found if d.kind == "dispensation_grant")
    assert grant.effect["state"] == "granted"
    dispensation = session.exec(
        select(Dispensation).where(Dispensation.reference == grant.effect["dispensation"])
    ).one()
    assert dispensation.state == "granted"
    assert any(d.meeting_id is None for d in found)  # settled by correspondence

    rows = actions.action_rows(session, SYSTEM, actions.ActionFilter(), 100)
    statuses = Counter(r.action.status for r in rows)
    assert statuses["open"] and statuses["in_progress"] and statuses["done"]
    assert any(r.overdue for r in rows)
    assert any(r.action.meeting_id is None for r in rows)  # raised on their own
    assert any(r.action.decision_id for r in rows)
    assert not session.exec(select(Action).where(col(Action.board_id).is_(None))).all()

    assert audit.verify_chain(session).ok


def test_every_demo_meeting_page_and_document_serves(client, session):
    load_demo(session)
    login(client, f"chair@{DEMO_DOMAIN}", DEMO_PASSWORD)
    urls = ["/meetings/", "/decisions/", "/actions/", "/actions/overdue", "/actions/mine"]
    for m in session.exec(select(Meeting)).all():
        urls += [
            f"/meetings/{m.id}",
            f"/meetings/{m.id}/pack.docx",
            f"/meetings/{m.id}/minutes.docx",
        ]
    urls += [f"/meetings/papers/{p.id}" for p in session.exec(select(MeetingPaper)).all()]
    urls += [f"/decisions/{d.id}" for d in session.exec(select(Decision)).all()]
    for url in urls:
        assert client.get(url).status_code == 200, url
