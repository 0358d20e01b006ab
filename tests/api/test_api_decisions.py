"""Decisions through the API: recording on an agenda item applies the effect atomically,
the quorum, outside meetings, supersedes, filters, permissions."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from apihelp import Api, assert_problem, created
from contract_factory import make_cast, make_contract
from contracthelp import clients
from test_api_meetings import new_meeting, step

from eagov.services import contracts

TODAY = date.today().isoformat()


@pytest.fixture
def cast(session):
    return make_cast(session)


@pytest.fixture
def api(client, session, cast):
    return clients(client, session, cast)


def body(**over: Any) -> dict[str, Any]:
    return {
        "kind": "product_selection",
        "title": "Pick the message broker",
        "rationale": "Cheaper to run and already known.",
        "decided_on": TODAY,
    } | over


def running(api: dict[str, Api], session, cast) -> tuple[dict[str, Any], dict[str, Any], Any]:
    contract = make_contract(session, cast)
    contracts.submit(session, cast.actor("coordinator"), contract.id)
    meeting = new_meeting(api, cast)
    items = (
        api["coordinator"].post(f"/meetings/{meeting['id']}/agenda/propose", json={}).json["items"]
    )
    item = next(i for i in items if i["subject_type"] == "contract")
    step(api["chair"], meeting, "open")
    return meeting, item, contract


def test_contract_approval_needs_quorum_then_applies(api, session, cast):
    meeting, item, contract = running(api, session, cast)
    approve = body(kind="contract_approval", agenda_item_id=item["id"], title="Approve it")
    refused = assert_problem(api["chair"].post("/decisions", json=approve), 409)
    assert "quorum" in refused["detail"]
    api["chair"].put(
        f"/meetings/{meeting['id']}/attendance/{cast.person['chair']}", json={"status": "attended"}
    )
    decision = created(api["chair"].post("/decisions", json=approve))
    assert decision["reference"].startswith("DEC-") and decision["meeting_id"] == meeting["id"]
    assert decision["effect"]["contract"] == contract.reference
    assert decision["subjects"] == [{"subject_type": "contract", "subject_id": contract.id}]
    session.refresh(contract)
    assert contract.status == "approved"
    # approving again fails and saves nothing
    assert_problem(api["chair"].post("/decisions", json=approve), 409)
    assert api["viewer"].get("/decisions").json["total"] == 1


def test_outside_meetings_supersedes_and_filters(api, cast):
    assert_problem(api["viewer"].post("/decisions", json=body(board_id=cast.board_id)), 403)
    assert_problem(api["chair"].post("/decisions", json=body()), 422)  # no board
    assert_problem(
        api["chair"].post(
            "/decisions", json=body(kind="dispensation_grant", board_id=cast.board_id)
        ),
        422,
    )
    first = created(api["chair"].post("/decisions", json=body(board_id=cast.board_id)))
    second = created(
        api["chair"].post(
            "/decisions",
            json=body(
                board_id=cast.board_id,
                kind="standards_deviation",
                title="Allow TLS 1.2 for the mainframe",
                supersedes_id=first["id"],
                method="vote",
                votes_for=3,
                votes_against=1,
                abstentions=0,
                decided_on=(date.today() - timedelta(days=3)).isoformat(),
            ),
        )
    )
    got = api["viewer"].get(f"/decisions/{first['id']}")
    assert got.json["superseded_by_id"] == second["id"] and got.headers["ETag"]
    listed = api["viewer"].get("/decisions").json
    assert [d["id"] for d in listed["items"]] == [first["id"], second["id"]]
    oldest = api["viewer"].get("/decisions?sort=decided_on").json["items"]
    assert oldest[0]["id"] == second["id"]
    assert api["viewer"].get("/decisions?kind=standards_deviation").json["total"] == 1
    assert api["viewer"].get("/decisions?q=mainframe").json["total"] == 1
    assert api["viewer"].get(f"/decisions?decided_from={TODAY}").json["total"] == 1
    bad_vote = body(
        board_id=cast.board_id, method="vote", votes_for=1, votes_against=2, abstentions=0
    )
    assert_problem(api["chair"].post("/decisions", json=bad_vote), 422)
    assert_problem(api["viewer"].get("/decisions/999"), 404)
