"""The personal iCalendar feed: made on the calendar pages, its secret address shown once
(only a hash stored), read by calendar programs without a sign-in, parsed back with the
icalendar package; revoked or replaced addresses and disabled owners get a 404; creating
and revoking are audited."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from conftest import csrf_from, login
from contract_factory import make_cast, make_contract
from icalendar import Calendar
from sqlmodel import select
from test_calendar_service import (
    TODAY,
    add_action,
    add_meeting,
    at,
    deliverables_of,
    one_of_each,
)

from eagov import calendar_ics
from eagov.errors import NotFound
from eagov.models import AuditEvent, CalendarFeed, User
from eagov.services import calendar as cal
from eagov.services import calendar_feeds as feeds
from eagov.services.accounts import sha256

DAY = TODAY + timedelta(days=40)


@pytest.fixture
def cast(session):
    return make_cast(session)


def client_for(app, user):  # type: ignore[no-untyped-def]
    client = app.test_client()
    assert login(client, user.email).status_code == 302
    return client


def send(client, url: str):  # type: ignore[no-untyped-def]
    token = csrf_from(client.get("/calendar/feeds").text)
    return client.post(url, data={"csrf_token": token})


def feed_path(url: str) -> str:
    return "/" + url.split("/", 3)[3]


def parse(resp) -> Calendar:  # type: ignore[no-untyped-def]
    assert resp.status_code == 200, resp.text[:500]
    assert resp.mimetype == "text/calendar"
    return Calendar.from_ical(resp.data)


def vevents(calendar: Calendar) -> dict[str, object]:
    return {str(e["UID"]): e for e in calendar.walk("VEVENT")}


def make_feed_on_the_page(app, user) -> tuple[object, str]:  # type: ignore[no-untyped-def]
    client = client_for(app, user)
    resp = send(client, "/calendar/feeds")
    assert resp.status_code == 200
    assert resp.headers["Cache-Control"] == "no-store"
    match = re.search(r'<code class="user-select-all" id="feed-url">([^<]+)</code>', resp.text)
    assert match, "the new address is shown"
    return client, match.group(1)


def test_the_feed_holds_the_owners_calendar(app, session, cast, client):
    one_of_each(session, cast, DAY)
    page_client, url = make_feed_on_the_page(app, cast.viewer)
    assert url.startswith("http://localhost/calendar/feed/cal_") and url.endswith(".ics")
    # The address is shown once; the page lists it by its prefix only.
    again = page_client.get("/calendar/feeds").text
    assert url not in again and "feed-url" not in again
    token = url.rsplit("/", 1)[1].removesuffix(".ics")
    stored = session.exec(select(CalendarFeed)).one()
    assert stored.token_hash == sha256(token) and token.startswith(stored.prefix)
    assert token not in str(session.exec(select(AuditEvent.changes)).all())

    resp = client.get(feed_path(url))  # no sign-in
    assert resp.headers["Cache-Control"] == "private, no-store"
    calendar = parse(resp)
    assert calendar["VERSION"] == "2.0" and "eagov" in str(calendar["PRODID"])
    events = vevents(calendar)
    assert {uid.split("-")[0] for uid in events} == set(cal.KINDS)
    for uid, event in events.items():
        assert uid.endswith("@eagov") and event["DTSTAMP"].dt.tzinfo is not None
        assert str(event["URL"]).startswith("http://localhost/")
    meeting = next(e for uid, e in events.items() if uid.startswith("meeting-"))
    assert meeting["DTSTART"].dt == at(DAY, 9) and meeting["DTEND"].dt == at(DAY, 11)
    assert str(meeting["LOCATION"]) == "Room 4, Tower B"
    assert str(meeting["SUMMARY"]).startswith("Board meeting: Board meeting (MTG-")
    action = next(e for uid, e in events.items() if uid.startswith("action-"))
    # All-day: DATE values, ending the next day.
    assert type(action["DTSTART"].dt) is date and action["DTSTART"].dt == DAY
    assert type(action["DTEND"].dt) is date and action["DTEND"].dt == DAY + timedelta(days=1)
    assert b"DTSTART;VALUE=DATE:" + DAY.strftime("%Y%m%d").encode() in resp.data
    assert "Priority: High" in str(action["DESCRIPTION"])
    # Reading the feed notes its use.
    session.refresh(stored)
    assert stored.last_used_at is not None


def test_uids_are_stable_between_reads(app, session, cast, client):
    one_of_each(session, cast, DAY)
    _page, url = make_feed_on_the_page(app, cast.viewer)
    first = parse(client.get(feed_path(url)))
    second = parse(client.get(feed_path(url)))
    assert set(vevents(first)) == set(vevents(second)) and len(vevents(first)) == 6


def test_the_feed_shows_only_what_its_owner_may_see(app, session, cast, client):
    one_of_each(session, cast, DAY)
    other = make_cast(session, tag="2")
    theirs = make_contract(session, other, deliverables_count=1, window_end=DAY)
    _page, url = make_feed_on_the_page(app, cast.sponsor)
    summaries = [str(e["SUMMARY"]) for e in parse(client.get(feed_path(url))).walk("VEVENT")]
    assert summaries and not any(theirs.reference in s for s in summaries)
    assert any(s.startswith("Contract ends:") for s in summaries)


def test_the_feed_covers_a_month_back_and_a_year_ahead(app, session, cast, client):
    inside = [TODAY - timedelta(days=30), TODAY, TODAY + timedelta(days=365)]
    outside = [TODAY - timedelta(days=31), TODAY + timedelta(days=366)]
    for day in inside + outside:
        add_action(session, cast.board_id, day, description=f"Due {day.isoformat()}")
    _page, url = make_feed_on_the_page(app, cast.viewer)
    starts = sorted(e["DTSTART"].dt for e in parse(client.get(feed_path(url))).walk("VEVENT"))
    assert starts == inside


def test_text_is_escaped_and_parses_back(app, session, cast, client):
    tricky = "Budget, scope; and C:\\path\nsecond line"
    add_action(session, cast.board_id, DAY, description=tricky)
    _page, url = make_feed_on_the_page(app, cast.viewer)
    resp = client.get(feed_path(url))
    assert b"Budget\\, scope\\; and C:\\\\path\\nsecond line" in resp.data
    (event,) = parse(resp).walk("VEVENT")
    assert str(event["SUMMARY"]).startswith("Action due: " + tricky)


def test_revoking_and_replacing_stop_the_old_address(app, session, cast, client):
    page, url = make_feed_on_the_page(app, cast.viewer)
    assert client.get(feed_path(url)).status_code == 200
    _again, new_url = make_feed_on_the_page(app, cast.viewer)  # replaces the first
    assert new_url != url
    assert client.get(feed_path(url)).status_code == 404
    assert client.get(feed_path(new_url)).status_code == 200
    active = session.exec(select(CalendarFeed).where(CalendarFeed.revoked_at.is_(None))).one()  # type: ignore[union-attr]
    resp = send(page, f"/calendar/feeds/{active.id}/revoke")
    assert resp.status_code == 302
    assert client.get(feed_path(new_url)).status_code == 404
    listed = page.get("/calendar/feeds").text
    assert listed.count("revoked</span>") == 2 and "Create a feed address" in listed
    actions = session.exec(
        select(AuditEvent.action)
        .where(AuditEvent.entity_type == "calendar_feed")
        .order_by(AuditEvent.seq)
    ).all()
    assert actions == ["create", "revoke", "create", "revoke"]


def test_nobody_else_revokes_my_feed(app, session, cast):
    feed, _token = feeds.create_feed(session, cast.actor("viewer"))
    other = client_for(app, cast.lead)
    assert send(other, f"/calendar/feeds/{feed.id}/revoke").status_code == 404
    with pytest.raises(NotFound):
        feeds.revoke_feed(session, cast.actor("lead"), feed.id)  # type: ignore[arg-type]
    session.refresh(feed)
    assert feed.revoked_at is None


def test_a_disabled_owner_feed_stops(app, session, cast, client):
    _page, url = make_feed_on_the_page(app, cast.viewer)
    user = session.get(User, cast.viewer.id)
    user.is_active = False
    session.add(user)
    session.commit()
    assert client.get(feed_path(url)).status_code == 404


@pytest.mark.parametrize("token", ["x", "cal_unknown", "cal_" + "a" * 200])
def test_unknown_addresses_are_not_found(client, token):
    assert client.get(f"/calendar/feed/{token}.ics").status_code == 404


def test_render_is_a_pure_function_of_events():
    stamp = datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)
    event = cal.Event(
        kind="meeting",
        id=7,
        uid="meeting-7@eagov",
        title="Quarterly board",
        reference="MTG-2030-001",
        start=datetime(2030, 2, 1, 9, tzinfo=UTC),
        end=datetime(2030, 2, 1, 8, tzinfo=UTC),  # ends before it starts: left out
        board_id=1,
        board="Global board",
        endpoint="meetings.meeting",
        args=(("meeting_id", 7),),
    )
    data = calendar_ics.render([event], now=stamp, name="Test")
    (parsed,) = Calendar.from_ical(data).walk("VEVENT")
    assert parsed["DTSTAMP"].dt == stamp and "DTEND" not in parsed
    assert str(parsed["DESCRIPTION"]) == "Global board" and "URL" not in parsed


def test_deliverable_uids_follow_the_lineage(session, cast):
    contract = make_contract(session, cast, deliverables_count=1, window_end=DAY)
    item = deliverables_of(session, contract)[0]
    (event,) = cal.events(
        session, cast.actor("viewer"), item.due_date, item.due_date + timedelta(1), ["deliverable"]
    )
    assert event.uid == f"deliverable-{item.lineage}@eagov"


def test_meetings_outside_the_window_are_left_out(app, session, cast, client):
    add_meeting(session, cast.board_id, at(TODAY + timedelta(days=400), 9))
    _page, url = make_feed_on_the_page(app, cast.viewer)
    assert parse(client.get(feed_path(url))).walk("VEVENT") == []
