"""/api/v1/requests: filing, visibility, triage with If-Match, conversions (atomic), notes,
resolution and the service targets."""

from __future__ import annotations

import pytest
from apihelp import Api, assert_problem, created
from contract_factory import make_cast
from sqlmodel import select

from eagov.models import GovernanceRequest, Review, SurveyInvitation
from eagov.permissions import SYSTEM
from eagov.schemas.accounts import TokenCreate
from eagov.services import accounts


@pytest.fixture
def cast(session):
    return make_cast(session)


@pytest.fixture
def as_user(client, session):
    def do(user) -> Api:
        _t, secret = accounts.create_token(session, SYSTEM, TokenCreate(name="t"), user_id=user.id)
        return Api(client, {"Authorization": f"Bearer {secret}"})

    return do


QUESTION = {
    "type": "architecture_question",
    "title": "Which broker for payments?",
    "description": "We need a decision on the broker before the design review.",
}


def etag(resp) -> str:
    return resp.headers["ETag"]


def test_file_get_and_visibility(as_user, cast):
    viewer = as_user(cast.viewer)
    body = created(viewer.post("/requests", json=QUESTION))
    assert body["reference"].startswith("GR-") and body["state"] == "new"
    assert body["standing"]["response_breached"] is False and body["notes"] == []
    partner = as_user(cast.partner)
    assert_problem(partner.get(f"/requests/{body['id']}"), 404)
    assert partner.get("/requests").json["total"] == 0
    assert as_user(cast.lead).get("/requests").json["total"] == 1
    bad = assert_problem(viewer.post("/requests", json=QUESTION | {"channel": "phone"}), 422)
    assert "channel" in bad["errors"]
    assert_problem(viewer.post("/requests", json={"type": "x"}), 422)


def test_triage_needs_if_match_and_the_desk(as_user, cast):
    req = created(as_user(cast.viewer).post("/requests", json=QUESTION))
    desk = as_user(cast.coordinator)
    url = f"/requests/{req['id']}/triage"
    assert_problem(desk.post(url, json={"priority": "high"}), 428)
    assert_problem(
        as_user(cast.lead).post(url, json={"priority": "high"}, headers={"If-Match": '"1"'}), 403
    )
    ok = desk.post(
        url, json={"assignee_id": cast.lead.id, "priority": "high"}, headers={"If-Match": '"1"'}
    )
    assert ok.status_code == 200 and ok.json["state"] == "assigned" and ok.json["first_response_at"]
    assert_problem(desk.post(url, json={"priority": "low"}, headers={"If-Match": '"1"'}), 412)


def test_work_notes_resolve_close_and_the_survey_answer_for_the_desk(as_user, session, cast):
    viewer, desk, lead = as_user(cast.viewer), as_user(cast.coordinator), as_user(cast.lead)
    req = created(viewer.post("/requests", json=QUESTION))
    rid = req["id"]
    r = desk.post(
        f"/requests/{rid}/triage",
        json={"assignee_id": cast.lead.id},
        headers={"If-Match": etag(viewer.get(f"/requests/{rid}"))},
    )
    r = lead.post(f"/requests/{rid}/start", json={}, headers={"If-Match": etag(r)})
    assert r.json["state"] == "in_progress"
    note = created(
        lead.post(f"/requests/{rid}/notes", json={"body": "Asked security.", "internal": True})
    )
    assert note["internal"] is True
    assert viewer.get(f"/requests/{rid}").json["notes"] == []
    assert_problem(
        lead.post(f"/requests/{rid}/resolve", json={"outcome": ""}, headers={"If-Match": etag(r)}),
        422,
    )
    r = lead.post(
        f"/requests/{rid}/resolve",
        json={"outcome": "Use the group broker."},
        headers={"If-Match": etag(lead.get(f"/requests/{rid}"))},
    )
    assert r.status_code == 200 and r.json["state"] == "resolved"
    assert session.exec(select(SurveyInvitation)).one()
    assert r.json["survey"]["answered_at"] is None  # the desk sees the survey
    mine = viewer.get(f"/requests/{rid}")
    assert mine.json["survey"] is None
    r = viewer.post(f"/requests/{rid}/close", json={}, headers={"If-Match": etag(mine)})
    assert r.json["state"] == "closed"
    r = desk.post(
        f"/requests/{rid}/reopen",
        json={"reason": "Broker is retired."},
        headers={"If-Match": etag(r)},
    )
    assert r.json["state"] == "assigned"
    r = viewer.post(
        f"/requests/{rid}/withdraw", json={"reason": "Solved it."}, headers={"If-Match": etag(r)}
    )
    assert r.json["state"] == "withdrawn"


def test_escalate_and_convert(as_user, session, cast):
    viewer, desk = as_user(cast.viewer), as_user(cast.coordinator)
    change = created(viewer.post("/requests", json=QUESTION | {"type": "change_request"}))
    r = desk.post(
        f"/requests/{change['id']}/escalate",
        json={"board_id": cast.board_id},
        headers={"If-Match": '"1"'},
    )
    assert (r.json["state"], r.json["board_id"]) == ("escalated", cast.board_id)

    review_req = created(viewer.post("/requests", json=QUESTION | {"type": "review_request"}))
    url = f"/requests/{review_req['id']}/convert/review"
    bad = assert_problem(
        desk.post(
            url,
            json={"board_id": 999, "project": "Payments", "checkpoint": "ad_hoc"},
            headers={"If-Match": '"1"'},
        ),
        422,
    )
    assert "board_id" in bad["errors"]
    again = session.get(GovernanceRequest, review_req["id"])
    session.refresh(again)
    assert again.state == "new" and not session.exec(select(Review)).all()
    ok = desk.post(
        url,
        json={"board_id": cast.board_id, "project": "Payments", "checkpoint": "ad_hoc"},
        headers={"If-Match": '"1"'},
    )
    assert ok.status_code == 201 and ok.json["reference"].startswith("CR-")
    linked = desk.get(f"/requests/{review_req['id']}").json
    assert linked["review_id"] == ok.json["id"] and linked["state"] == "resolved"


def test_filters(as_user, cast):
    viewer, desk = as_user(cast.viewer), as_user(cast.coordinator)
    created(viewer.post("/requests", json=QUESTION))
    created(viewer.post("/requests", json=QUESTION | {"type": "complaint", "title": "Too slow"}))
    assert desk.get("/requests", query_string={"type": "complaint"}).json["total"] == 1
    assert desk.get("/requests", query_string={"q": "slow"}).json["total"] == 1
    assert desk.get("/requests", query_string={"breached": "true"}).json["total"] == 0
    assert desk.get("/requests", query_string={"mine": "true"}).json["total"] == 0
    assert_problem(desk.get("/requests", query_string={"state": "bogus"}), 422)


def test_service_targets(as_user, cast):
    desk, lead = as_user(cast.coordinator), as_user(cast.lead)
    got = lead.get("/requests/service-targets")
    assert got.status_code == 200 and got.headers["ETag"] == '"0"'
    assert {t["priority"]: t["first_response_hours"] for t in got.json["targets"]}["urgent"] == 4
    body = {"targets": [{"priority": "urgent", "first_response_hours": 2, "resolution_hours": 12}]}
    assert_problem(lead.put("/requests/service-targets", body, etag='"0"'), 403)
    assert_problem(desk.put("/requests/service-targets", body), 428)
    ok = desk.put("/requests/service-targets", body, etag='"0"')
    assert ok.status_code == 200 and ok.headers["ETag"] == '"1"'
    assert_problem(desk.put("/requests/service-targets", body, etag='"0"'), 412)
    bad = {"targets": [{"priority": "low", "first_response_hours": 20, "resolution_hours": 2}]}
    assert_problem(desk.put("/requests/service-targets", bad, etag='"1"'), 422)


def test_the_survey_is_not_in_the_api(as_user, cast):
    assert as_user(cast.viewer).get("/survey/x").status_code == 404
