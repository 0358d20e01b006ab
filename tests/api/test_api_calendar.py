"""/api/v1/calendar: events over a range of days (capped, validated), filtered by kind and
board, limited to what the caller may see; feed addresses made, listed and revoked."""

from __future__ import annotations

from datetime import timedelta

import pytest
from apihelp import Api, assert_problem
from contract_factory import make_cast, make_contract
from sqlmodel import select
from test_calendar_service import TODAY, add_action, add_meeting, at, one_of_each

from eagov.models import AuditEvent
from eagov.permissions import Actor
from eagov.schemas.accounts import TokenCreate
from eagov.services import accounts

DAY = TODAY + timedelta(days=40)


@pytest.fixture
def cast(session):
    return make_cast(session)


def api_for(client, session, user) -> Api:  # type: ignore[no-untyped-def]
    _token, secret = accounts.create_token(session, Actor.of(user), TokenCreate(name="calendar"))
    return Api(client, {"Authorization": f"Bearer {secret}"})


def test_events_of_a_day(client, session, cast):
    contract = one_of_each(session, cast, DAY)
    api = api_for(client, session, cast.viewer)
    resp = api.get(f"/calendar/events?from={DAY}&to={DAY}")
    assert resp.status_code == 200, resp.text
    body = resp.json
    assert body["first_day"] == body["last_day"] == DAY.isoformat()
    kinds = [e["kind"] for e in body["items"]]
    assert kinds == ["deliverable", "dispensation", "contract", "action", "meeting", "review"]
    meeting = body["items"][4]
    assert meeting["all_day"] is False
    assert meeting["start"] == at(DAY, 9).isoformat().replace("+00:00", "Z")
    assert meeting["uid"].startswith("meeting-") and meeting["uid"].endswith("@eagov")
    ends = body["items"][2]
    assert ends["all_day"] is True and ends["start"] == DAY.isoformat() and ends["end"] is None
    assert ends["url"] == f"/contracts/{contract.id}" and ends["reference"] == contract.reference


def test_kind_and_board_filters(client, session, cast):
    one_of_each(session, cast, DAY)
    other = make_cast(session, tag="2")
    add_action(session, other.board_id, DAY)
    api = api_for(client, session, cast.viewer)
    resp = api.get(f"/calendar/events?from={DAY}&to={DAY}&kind=action,meeting")
    assert sorted(e["kind"] for e in resp.json["items"]) == ["action", "action", "meeting"]
    resp = api.get(f"/calendar/events?from={DAY}&to={DAY}&kind=action&board_id={other.board_id}")
    assert [e["board"] for e in resp.json["items"]] == ["Board2"]


def test_the_default_window_is_a_month_from_today(client, session, cast):
    add_action(session, cast.board_id, TODAY + timedelta(days=30))
    add_action(session, cast.board_id, TODAY + timedelta(days=31))
    body = api_for(client, session, cast.viewer).get("/calendar/events").json
    assert body["first_day"] == TODAY.isoformat()
    assert body["last_day"] == (TODAY + timedelta(days=30)).isoformat()
    assert len(body["items"]) == 1


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("from=2026-01-01&to=2027-02-05", "to"),  # 401 days
        ("from=2026-03-10&to=2026-03-01", "to"),
        ("from=2026-02-30", "from"),
        ("kind=meeting,parties", "kind"),
        ("board_id=0", "board_id"),
        ("tz=Mars/Olympus", "tz"),
        ("from=9999-12-31", "from"),
        ("from=2026-01-01&to=9999-01-01", "to"),
    ],
)
def test_bad_queries_are_422(client, session, cast, query, field):
    body = assert_problem(
        api_for(client, session, cast.viewer).get(f"/calendar/events?{query}"), 422
    )
    assert field in body["errors"], body


def test_the_longest_range_is_accepted(client, session, cast):
    resp = api_for(client, session, cast.viewer).get(
        "/calendar/events?from=2026-01-01&to=2027-02-04"
    )
    assert resp.status_code == 200  # 400 days


def test_days_in_a_named_zone(client, session, cast):
    add_meeting(session, cast.board_id, at(DAY, 16, 30))  # 00:30 the next day in Shanghai
    api = api_for(client, session, cast.viewer)
    assert api.get(f"/calendar/events?from={DAY}&to={DAY}").json["items"]
    shanghai = api.get(f"/calendar/events?from={DAY}&to={DAY}&tz=Asia/Shanghai").json
    assert shanghai["items"] == []


def test_a_sponsor_sees_only_their_contracts(client, session, cast):
    mine = one_of_each(session, cast, DAY)
    other = make_cast(session, tag="2")
    theirs = make_contract(session, other, deliverables_count=0, window_end=DAY)
    refs = {
        e["reference"]
        for e in api_for(client, session, cast.sponsor)
        .get(f"/calendar/events?from={DAY}&to={DAY}&kind=contract")
        .json["items"]
    }
    assert refs == {mine.reference} and theirs.reference not in refs


def test_events_need_a_token(client):
    assert_problem(client.get("/api/v1/calendar/events"), 401)


def test_feed_addresses(client, session, cast):
    api = api_for(client, session, cast.viewer)
    assert api.get("/calendar/feeds").json == {"items": []}
    resp = api.post("/calendar/feeds", json={})
    assert resp.status_code == 201, resp.text
    made = resp.json
    assert made["url"].startswith("http://localhost/calendar/feed/cal_")
    path = "/" + made["url"].split("/", 3)[3]
    assert client.get(path).status_code == 200
    listed = api.get("/calendar/feeds").json["items"]
    assert [f["id"] for f in listed] == [made["id"]] and "url" not in listed[0]
    other = api_for(client, session, cast.lead)
    assert_problem(other.delete(f"/calendar/feeds/{made['id']}"), 404)
    assert api.delete(f"/calendar/feeds/{made['id']}").status_code == 204
    assert api.delete(f"/calendar/feeds/{made['id']}").status_code == 204  # repeatable
    assert client.get(path).status_code == 404
    assert api.get("/calendar/feeds").json["items"][0]["revoked_at"] is not None
    audited = session.exec(
        select(AuditEvent.action).where(AuditEvent.entity_type == "calendar_feed")
    ).all()
    assert sorted(audited) == ["create", "revoke"]
