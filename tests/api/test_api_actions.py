"""The action tracker through the API: raising (201, Location, permissions), reading with an
ETag, partial changes with If-Match (412 stale, 428 missing), status moves by the owner, the
list filters (overdue, owner=me, text) and problem documents for invalid input."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from apihelp import Api, assert_problem, created
from contract_factory import make_cast
from contracthelp import clients, etag

from eagov.schemas.actions import ActionCreate
from eagov.services import actions


@pytest.fixture
def cast(session):
    return make_cast(session)


@pytest.fixture
def api(client, session, cast):
    return clients(client, session, cast)


def days(n: int) -> str:
    return (date.today() + timedelta(days=n)).isoformat()


def body(cast, **over: Any) -> dict[str, Any]:
    return {
        "description": "Write the integration standard",
        "owner_id": cast.person["lead"],
        "board_id": cast.board_id,
        "due_on": days(14),
        "priority": "high",
        "type": "document",
    } | over


def patch(api: Api, action_id: int, data: Any, tag: str | None) -> Any:
    headers = {"If-Match": tag} if tag else None
    return api.client.open(
        f"/api/v1/actions/{action_id}",
        method="PATCH",
        json=data,
        headers=api.headers | (headers or {}),
    )


def move(api: Api, item: dict[str, Any], status: str, **extra: Any) -> Any:
    return api.post(
        f"/actions/{item['id']}/status",
        json={"status": status} | extra,
        headers={"If-Match": f'"{item["version"]}"'},
    )


def test_raise_and_read(api, cast):
    resp = api["coordinator"].post("/actions", json=body(cast))
    item = created(resp)
    assert item["reference"] == f"ACT-{date.today().year}-0001"
    assert item["status"] == "open" and item["owner_name"] == cast.lead.name
    assert item["raised_on"] == date.today().isoformat() and item["overdue"] is False
    assert resp.headers["Location"] == f"/api/v1/actions/{item['id']}"
    got = api["viewer"].get(f"/actions/{item['id']}")
    assert got.json == item and etag(got) == '"1"'
    assert_problem(api["lead"].post("/actions", json=body(cast)), 403)
    assert_problem(api["viewer"].get("/actions/999999"), 404)


def test_invalid_input_is_a_problem_document(api, cast):
    bad = assert_problem(
        api["coordinator"].post(
            "/actions", json=body(cast, description="x", priority="urgent", extra=1)
        ),
        422,
    )
    assert {"description", "priority", "extra"} <= set(bad["errors"])
    no_board = assert_problem(
        api["coordinator"].post("/actions", json=body(cast, board_id=None)), 422
    )
    assert "board_id" in no_board["errors"]
    past = assert_problem(
        api["coordinator"].post("/actions", json=body(cast, due_on=days(-1))), 422
    )
    assert "due_on" in past["errors"]
    assert_problem(api["viewer"].get("/actions?sort=description"), 422)
    assert_problem(api["viewer"].get("/actions?owner=someone"), 422)


def test_patch_needs_if_match_and_changes_only_what_is_sent(api, cast):
    item = created(api["coordinator"].post("/actions", json=body(cast, details="Keep me.")))
    chair = api["chair"]
    assert_problem(patch(chair, item["id"], {"priority": "low"}, None), 428)
    changed = patch(chair, item["id"], {"priority": "low", "due_on": None}, '"1"')
    assert changed.status_code == 200, changed.text
    assert changed.json["priority"] == "low" and changed.json["due_on"] is None
    assert changed.json["details"] == "Keep me." and changed.headers["ETag"] == '"2"'
    stale = assert_problem(patch(chair, item["id"], {"priority": "high"}, '"1"'), 412)
    assert stale["current_version"] == 2
    assert_problem(patch(chair, item["id"], {"description": None}, '"2"'), 422)
    assert_problem(patch(api["lead"], item["id"], {"priority": "high"}, '"2"'), 403)


def test_the_owner_moves_their_action(api, cast):
    item = created(api["coordinator"].post("/actions", json=body(cast)))
    assert_problem(move(api["viewer"], item, "in_progress"), 403)
    started = move(api["lead"], item, "in_progress")
    assert started.status_code == 200 and started.json["status"] == "in_progress"
    assert_problem(move(api["lead"], item, "done"), 412)  # the version moved on
    item = started.json
    why = assert_problem(move(api["lead"], item, "cancelled"), 422)
    assert "resolution" in why["errors"]
    done = move(api["lead"], item, "done", resolution="Published.")
    assert done.json["status"] == "done" and done.json["resolved_on"] == date.today().isoformat()
    assert_problem(move(api["lead"], done.json, "cancelled", resolution="Too late."), 409)
    assert_problem(api["lead"].post(f"/actions/{item['id']}/status", json={"status": "open"}), 428)


def test_list_filters_overdue_and_owner_me(api, session, cast):
    past = date.today() - timedelta(days=30)
    late = actions.raise_action(
        session,
        cast.actor("coordinator"),
        ActionCreate(
            description="Renew the TLS policy",
            owner_id=cast.person["chair"],
            board_id=cast.board_id,
            due_on=past + timedelta(days=5),
        ),
        today=past,
    )
    mine = created(api["coordinator"].post("/actions", json=body(cast)))
    viewer = api["viewer"]
    overdue = viewer.get("/actions?overdue=true").json
    assert [i["reference"] for i in overdue["items"]] == [late.reference]
    assert overdue["items"][0]["overdue"] is True and overdue["total"] == 1
    assert [i["id"] for i in api["lead"].get("/actions?owner=me").json["items"]] == [mine["id"]]
    assert viewer.get("/actions?owner=me").json["total"] == 0
    assert [i["id"] for i in viewer.get("/actions?q=tls").json["items"]] == [late.id]
    assert viewer.get(f"/actions?owner_id={cast.person['lead']}").json["total"] == 1
    assert viewer.get("/actions?priority=high").json["total"] == 1
    assert viewer.get("/actions?status=done").json["total"] == 0
    both = viewer.get("/actions?sort=-due_on&per_page=1")
    assert both.json["total"] == 2 and both.json["items"][0]["id"] == mine["id"]
    assert 'rel="next"' in both.headers["Link"]
