"""Architecture Board pages: list, board page with members, forms, terms, permissions."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from conftest import csrf_from, post_form
from sqlmodel import select

from eagov.models import Board, BoardMember
from eagov.permissions import SYSTEM
from eagov.schemas.org import BoardIn, BoardMemberIn, OrgUnitIn, PersonIn
from eagov.services import org

TODAY = date.today()


@pytest.fixture
def boards(session):
    unit = org.create_unit(session, SYSTEM, OrgUnitIn(name="Architecture", kind="function"))
    group = org.create_board(
        session,
        SYSTEM,
        BoardIn(name="Group Architecture Board", level="global", quorum=3, org_unit_id=unit.id),
    )
    local = org.create_board(
        session,
        SYSTEM,
        BoardIn(name="Retail Architecture Board", level="local", parent_board_id=group.id),
    )
    people = [
        org.create_person(session, SYSTEM, PersonIn(name=n, email=f"{n.lower()}@example.com"))
        for n in ("Chen", "Dana", "Eli", "Fay")
    ]
    start = TODAY - timedelta(days=400)

    def member(person, role="member", start=start, end=None):
        return org.add_member(
            session,
            SYSTEM,
            group.id,
            BoardMemberIn(person_id=person.id, role=role, term_start=start, term_end=end),
        )

    chair = member(people[0], "chair")
    member(people[1], end=TODAY + timedelta(days=100))
    old = member(people[2], end=TODAY - timedelta(days=30))
    member(people[3], start=TODAY + timedelta(days=10))
    return {
        "unit": unit,
        "group": group,
        "local": local,
        "people": people,
        "chair": chair,
        "old": old,
    }


def test_board_list(client, login_as, boards):
    login_as("viewer")
    page = client.get("/org/boards").text
    assert page.index("Group Architecture Board") < page.index("Retail Architecture Board")
    assert "Global" in page and "Local" in page and "Architecture" in page
    assert "below quorum" in page  # group: 2 current members, quorum 3
    assert "/org/boards/new" not in page


def test_board_page_shows_current_past_and_upcoming_members(client, login_as, boards):
    login_as("viewer")
    page = client.get(f"/org/boards/{boards['group'].id}").text
    current = page[page.index('id="current-members"') : page.index('id="upcoming-members"')]
    upcoming = page[page.index('id="upcoming-members"') : page.index('id="past-members"')]
    past = page[page.index('id="past-members"') : page.index('id="audit-history-heading"')]
    assert "Chen" in current and "Dana" in current and "Eli" not in current
    assert "Fay" in upcoming and "Eli" in past
    assert "Chair" in current and 'class="table-primary"' in current
    assert "Retail Architecture Board" in page  # local board below
    assert "not met: 2 current members" in page
    local = client.get(f"/org/boards/{boards['local'].id}").text
    assert "Group Architecture Board" in local  # parent board
    assert "End term" not in page and "Add member" not in page


def test_create_and_edit_board(client, login_as, session, boards):
    login_as("board_chair")
    resp = post_form(
        client,
        "/org/boards/new",
        {
            "name": "Cards Board",
            "level": "local",
            "parent_board_id": boards["group"].id,
            "quorum": "4",
        },
    )
    assert resp.status_code == 302
    board = session.exec(select(Board).where(Board.name == "Cards Board")).one()
    assert board.quorum == 4 and board.parent_board_id == boards["group"].id
    resp = post_form(
        client,
        f"/org/boards/{board.id}/edit",
        {
            "version": "1",
            "name": "Cards and Payments Board",
            "level": "local",
            "parent_board_id": boards["group"].id,
            "quorum": "5",
        },
    )
    assert resp.status_code == 302
    session.refresh(board)
    assert board.name == "Cards and Payments Board" and board.quorum == 5


def test_board_form_errors(client, login_as, boards):
    login_as("admin")
    resp = post_form(client, "/org/boards/new", {"name": "Orphan", "level": "local", "quorum": "0"})
    assert resp.status_code == 422
    assert 'id="e-quorum"' in resp.text and 'value="Orphan"' in resp.text
    resp = post_form(client, "/org/boards/new", {"name": "Orphan", "level": "local", "quorum": "3"})
    assert resp.status_code == 422 and "reports to a parent board" in resp.text


def test_stale_board_edit_is_409(client, login_as, session, boards):
    group = boards["group"]
    login_as("admin")
    url = f"/org/boards/{group.id}/edit"
    token = csrf_from(client.get(url).text)
    org.update_board(
        session,
        SYSTEM,
        group.id,
        BoardIn(name=group.name, level="global", quorum=6, org_unit_id=boards["unit"].id),
        1,
    )
    resp = client.post(
        url,
        data={
            "csrf_token": token,
            "version": "1",
            "name": "Renamed",
            "level": "global",
            "quorum": "3",
        },
    )
    assert resp.status_code == 409 and 'value="Renamed"' in resp.text
    session.refresh(group)
    assert group.quorum == 6 and group.name == "Group Architecture Board"


def test_add_member_and_second_chair_refused(client, login_as, session, boards):
    login_as("admin")
    newcomer = org.create_person(session, SYSTEM, PersonIn(name="Gil", email="gil@example.com"))
    url = f"/org/boards/{boards['group'].id}/members/new"
    resp = post_form(
        client,
        url,
        {"person_id": newcomer.id, "role": "chair", "term_start": TODAY.isoformat()},
    )
    assert resp.status_code == 422 and "already has a chair" in resp.text
    resp = post_form(
        client,
        url,
        {
            "person_id": newcomer.id,
            "role": "member",
            "term_start": TODAY.isoformat(),
            "term_end": (TODAY - timedelta(days=1)).isoformat(),
        },
    )
    assert resp.status_code == 422 and "cannot end before it starts" in resp.text
    resp = post_form(
        client,
        url,
        {
            "person_id": newcomer.id,
            "role": "member",
            "term_start": TODAY.isoformat(),
            "term_end": (TODAY + timedelta(days=730)).isoformat(),
        },
    )
    assert resp.status_code == 302
    assert session.exec(select(BoardMember).where(BoardMember.person_id == newcomer.id)).one()


def test_end_a_term(client, login_as, session, boards):
    login_as("admin")
    chair = boards["chair"]
    url = f"/org/members/{chair.id}/end"
    resp = post_form(client, url, {"term_end": "2000-01-01"})
    assert resp.status_code == 422 and "cannot end before it starts" in resp.text
    resp = post_form(client, url, {"term_end": "soon"})
    assert resp.status_code == 422 and 'id="e-term_end"' in resp.text
    yesterday = (TODAY - timedelta(days=1)).isoformat()
    resp = post_form(client, url, {"term_end": yesterday})
    assert resp.status_code == 302
    session.refresh(chair)
    assert chair.term_end == TODAY - timedelta(days=1)
    page = client.get(f"/org/boards/{boards['group'].id}").text
    past = page[page.index('id="past-members"') :]
    assert "Chen" in past


def test_remove_a_membership(client, login_as, session, boards):
    login_as("admin")
    old = boards["old"]
    resp = post_form(
        client, f"/org/members/{old.id}/remove", {}, f"/org/boards/{boards['group'].id}"
    )
    assert resp.status_code == 302
    session.expunge_all()
    assert session.get(BoardMember, old.id) is None


@pytest.mark.parametrize(
    "url",
    [
        "/org/boards/new",
        "/org/boards/{board}/edit",
        "/org/boards/{board}/members/new",
        "/org/members/{member}/end",
        "/org/members/{member}/remove",
    ],
)
def test_viewer_and_architect_cannot_edit_boards(client, login_as, session, boards, url):
    login_as("architect")
    target = url.format(board=boards["group"].id, member=boards["chair"].id)
    if not target.endswith("/remove"):
        assert client.get(target).status_code == 403
    token = csrf_from(client.get("/org/boards").text)
    assert client.post(target, data={"csrf_token": token}).status_code == 403
    session.expunge_all()
    assert session.get(BoardMember, boards["chair"].id).term_end is None
