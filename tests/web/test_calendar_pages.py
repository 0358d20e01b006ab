"""The calendar pages: the month grid (Monday first, neighbouring days, "+N more"), the week
with its all-day row and hours, the list by day over a window, filters that every link
keeps, days and times in the viewer's zone, escaping, and a fixed number of statements."""

from __future__ import annotations

import re
from datetime import date, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from conftest import count_statements
from contract_factory import make_cast
from test_calendar_service import TODAY, add_action, add_meeting, at, one_of_each
from test_contracts_support import client_for, text_of

from eagov.models import User

DAY = TODAY + timedelta(days=40)
MONTH = DAY.strftime("%Y-%m")


@pytest.fixture
def cast(session):
    return make_cast(session)


@pytest.fixture
def viewer(app, cast):
    return client_for(app, cast.viewer)


def cells(html: str) -> list[str]:
    return re.findall(r'<td class="cal-cell[^"]*" data-day="([^"]+)"', html)


def cell(html: str, day: date) -> str:
    start = html.index(f'data-day="{day.isoformat()}"')
    return html[start : html.index("</td>", start)]


def uids(html: str) -> list[str]:
    return re.findall(r'data-uid="([^"]+)"', html)


def href(html: str, element_id: str) -> dict[str, list[str]]:
    match = re.search(rf'href="([^"]+)"[^>]*id="{element_id}"', html)
    assert match, element_id
    return parse_qs(urlsplit(match.group(1).replace("&amp;", "&")).query)


# --- month -------------------------------------------------------------------------------------


def test_month_grid_shows_each_kind_on_its_day(viewer, session, cast):
    one_of_each(session, cast, DAY)
    resp = viewer.get(f"/calendar/?month={MONTH}")
    assert resp.status_code == 200
    html = resp.text
    days = cells(html)
    assert len(days) % 7 == 0 and date.fromisoformat(days[0]).weekday() == 0
    assert date.fromisoformat(days[0]) <= DAY.replace(day=1)
    here = cell(html, DAY)
    # Six events: the first three (all-day ones first), then how many more.
    assert re.findall(r'class="cal-badge cal-(\w+)"', here) == [
        "deliverable",
        "dispensation",
        "contract",
    ]
    assert "+3 more" in here
    assert "Deliverable due: </span>" in here  # the kind in words, not colour alone
    meetings = viewer.get(f"/calendar/?month={MONTH}&kind=meeting&kind=review").text
    assert re.findall(r'class="cal-badge cal-(\w+)"', cell(meetings, DAY)) == ["meeting", "review"]
    assert '<th scope="col" abbr="Monday">' in html
    assert 'aria-labelledby="calendar-title"' in html


def test_february_of_a_leap_year(viewer):
    html = viewer.get("/calendar/?month=2024-02").text
    days = cells(html)
    assert days[0] == "2024-01-29" and days[-1] == "2024-03-03" and "2024-02-29" in days
    assert 'class="cal-cell cal-outside" data-day="2024-01-29"' in html
    assert 'class="cal-cell" data-day="2024-02-29"' in html
    assert "February 2024" in html


def test_navigation_and_filters_stay_in_the_query_string(viewer, session, cast):
    one_of_each(session, cast, DAY)
    resp = viewer.get(f"/calendar/?month={MONTH}&kind=meeting&kind=action&board={cast.board_id}")
    html = resp.text
    assert {u.split("-")[0] for u in uids(html)} == {"meeting", "action"}
    prev_month = (DAY.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    assert href(html, "nav-prev") == {
        "month": [prev_month],
        "kind": ["meeting", "action"],
        "board": [str(cast.board_id)],
    }
    assert href(html, "nav-today")["month"] == [TODAY.strftime("%Y-%m")]
    assert href(html, "nav-next")["kind"] == ["meeting", "action"]
    assert 'id="kind-meeting" name="kind" value="meeting" checked' in html
    assert 'id="kind-review" name="kind" value="review" >' in html
    other = viewer.get(f"/calendar/?month={MONTH}&board=999999").text
    assert uids(other) == []


def test_a_busy_day_shows_a_few_and_how_many_more(viewer, session, cast):
    for i in range(6):
        add_action(session, cast.board_id, DAY, description=f"Action {i}")
    add_action(session, cast.board_id, DAY + timedelta(1))
    html = viewer.get(f"/calendar/?month={MONTH}&kind=action").text
    busy = cell(html, DAY)
    assert busy.count("cal-badge") == 3
    more = re.search(r'data-more="3" href="([^"]+)">\+3 more<', busy)
    assert more
    query = parse_qs(urlsplit(more.group(1).replace("&amp;", "&")).query)
    assert query == {"from": [DAY.isoformat()], "to": [DAY.isoformat()], "kind": ["action"]}
    listed = viewer.get(more.group(1).replace("&amp;", "&")).text
    assert len(uids(listed)) == 6


def test_one_more_is_shown_rather_than_counted(viewer, session, cast):
    for i in range(4):
        add_action(session, cast.board_id, DAY, description=f"Action {i}")
    busy = cell(viewer.get(f"/calendar/?month={MONTH}").text, DAY)
    assert busy.count("cal-badge") == 4 and "more" not in busy


@pytest.mark.parametrize(
    ("month", "message"),
    [
        ("2024-13", "Enter a month as YYYY-MM."),
        ("soon", "Enter a month as YYYY-MM."),
        ("9999-12", "Enter a date between the years 1900 and 2999."),
        ("0001-01", "Enter a date between the years 1900 and 2999."),
    ],
)
def test_a_bad_month_falls_back_to_this_month(viewer, month, message):
    resp = viewer.get(f"/calendar/?month={month}")
    assert resp.status_code == 422 and message in resp.text
    assert TODAY.isoformat() in cells(resp.text)


def test_a_bad_week_falls_back_to_this_week(viewer):
    resp = viewer.get("/calendar/week?date=9999-12-31")
    assert resp.status_code == 422
    assert f'data-day="{TODAY.isoformat()}"' in resp.text


# --- week --------------------------------------------------------------------------------------


def test_week_view_has_an_all_day_row_and_hours(viewer, session, cast):
    one_of_each(session, cast, DAY)
    add_meeting(session, cast.board_id, at(DAY, 21, 15), title="Late session")
    html = viewer.get(f"/calendar/week?date={DAY.isoformat()}").text
    monday = DAY - timedelta(days=DAY.weekday())
    columns = re.findall(r'<th scope="col"[^>]*data-day="([^"]+)"', html)
    assert columns == [(monday + timedelta(days=i)).isoformat() for i in range(7)]
    all_day = html[
        html.index('id="all-day-row"') : html.index("</tr>", html.index('id="all-day-row"'))
    ]
    assert {u.split("-")[0] for u in uids(all_day)} == {
        "deliverable",
        "dispensation",
        "contract",
        "action",
    }
    nine = html[html.index('data-hour="9"') : html.index("</tr>", html.index('data-hour="9"'))]
    assert "cal-meeting" in nine and "9:00" in nine and "11:00" in nine  # start and end
    assert 'data-hour="21"' in html and "Late session" in html  # an hour outside the day
    assert 'data-hour="7"' not in html
    assert href(html, "nav-next")["date"] == [(monday + timedelta(days=7)).isoformat()]


# --- list --------------------------------------------------------------------------------------


def test_list_groups_by_day_over_a_window(viewer, session, cast):
    one_of_each(session, cast, DAY)
    add_action(session, cast.board_id, DAY + timedelta(days=2))
    add_action(session, cast.board_id, DAY + timedelta(days=20))  # after the window
    url = f"/calendar/list?from={DAY.isoformat()}&to={(DAY + timedelta(days=9)).isoformat()}"
    html = viewer.get(url).text
    assert re.findall(r'<section class="mb-3" data-day="([^"]+)"', html) == [
        DAY.isoformat(),
        (DAY + timedelta(days=2)).isoformat(),
    ]
    assert len(uids(html)) == 7
    assert href(html, "nav-next") == {
        "from": [(DAY + timedelta(days=10)).isoformat()],
        "to": [(DAY + timedelta(days=19)).isoformat()],
    }
    assert href(html, "nav-prev")["to"] == [(DAY - timedelta(days=1)).isoformat()]
    assert "Room 4, Tower B" in html


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("from=2026-02-30", "Enter a date as YYYY-MM-DD."),
        ("from=2026-03-10&to=2026-03-01", "The end date must not be before the start date."),
        ("from=2026-01-01&to=2027-06-01", "Show at most 366 days at a time."),
        ("from=9999-12-31", "Enter a date between the years 1900 and 2999."),
        ("from=0001-01-01", "Enter a date between the years 1900 and 2999."),
    ],
)
def test_list_refuses_bad_windows(viewer, query, message):
    resp = viewer.get(f"/calendar/list?{query}")
    assert resp.status_code == 422 and message in resp.text


def test_empty_window(viewer):
    html = viewer.get("/calendar/list?from=2099-01-01&to=2099-01-31").text
    assert 'id="no-events"' in html


# --- time zones, escaping, permissions, statement counts ---------------------------------------


def test_days_and_times_follow_the_viewers_zone(app, session, cast):
    user = session.get(User, cast.viewer.id)
    user.timezone = "Asia/Shanghai"
    session.add(user)
    session.commit()
    add_meeting(session, cast.board_id, at(DAY, 16, 30))  # 00:30 the next day in Shanghai
    client = client_for(app, user)
    html = client.get(
        f"/calendar/list?from={DAY.isoformat()}&to={(DAY + timedelta(1)).isoformat()}"
    ).text
    assert re.findall(r'<section class="mb-3" data-day="([^"]+)"', html) == [
        (DAY + timedelta(days=1)).isoformat()
    ]
    assert "12:30" in text_of(html)


def test_titles_are_escaped(viewer, session, cast):
    add_action(session, cast.board_id, DAY, description="<script>alert(1)</script>")
    for url in (
        f"/calendar/?month={MONTH}",
        f"/calendar/week?date={DAY}",
        f"/calendar/list?from={DAY}",
    ):
        html = viewer.get(url).text
        assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)" in html


def test_pages_need_a_sign_in(client):
    for url in ("/calendar/", "/calendar/week", "/calendar/list", "/calendar/feeds"):
        resp = client.get(url)
        assert resp.status_code == 302 and resp.headers["Location"].startswith("/login")


def test_links_lead_to_the_subjects(viewer, session, cast):
    contract = one_of_each(session, cast, DAY)
    html = viewer.get(f"/calendar/list?from={DAY}&to={DAY}").text
    assert f'href="/contracts/{contract.id}"' in html
    assert re.search(rf'href="/contracts/{contract.id}\?v=1#deliverable-\d+"', html)
    assert re.search(r'href="/reviews/\d+#dispensation-\d+"', html)
    assert re.search(r'href="/reviews/\d+">Payments hub<', html)
    assert re.search(r'href="/meetings/\d+">Board meeting<', html)
    assert re.search(r'href="/actions/\d+">Circulate the minutes<', html)


@pytest.mark.parametrize("page", ["month", "week", "list"])
def test_a_fixed_number_of_statements(app, session, cast, page):
    client = client_for(app, cast.sponsor)
    url = {
        "month": f"/calendar/?month={MONTH}",
        "week": f"/calendar/week?date={DAY}",
        "list": f"/calendar/list?from={DAY - timedelta(days=7)}&to={DAY + timedelta(days=7)}",
    }[page]

    def statements() -> int:
        with count_statements(app) as seen:
            assert client.get(url).status_code == 200
        return len(seen)

    one_of_each(session, cast, DAY)
    few = statements()
    for i in range(10):
        one_of_each(session, cast, DAY + timedelta(days=i % 3))
    assert statements() == few
