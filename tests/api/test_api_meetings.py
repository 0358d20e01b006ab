"""Meetings through the API: scheduling, If-Match on every change, the state flow with
minutes, attendance and quorum, the agenda (proposal and CRUD), papers and Word files."""

from __future__ import annotations

import io
from typing import Any

import pytest
from apihelp import Api, assert_problem, created, links
from contract_factory import make_cast, make_contract
from contracthelp import clients, etag

from eagov.services import contracts

START = "2027-03-02T09:00:00Z"


@pytest.fixture
def cast(session):
    return make_cast(session)


@pytest.fixture
def api(client, session, cast):
    return clients(client, session, cast)


def patch(api: Api, path: str, body: dict[str, Any], tag: str | None) -> Any:
    return api._call("PATCH", path, {"If-Match": tag} if tag else None, json=body)


def new_meeting(api: dict[str, Api], cast, **over: Any) -> dict[str, Any]:
    body = {"board_id": cast.board_id, "title": "Monthly board", "starts_at": START} | over
    return created(api["coordinator"].post("/meetings", json=body))


def step(api: Api, meeting: dict[str, Any], name: str, body: Any = None) -> Any:
    tag = etag(api.get(f"/meetings/{meeting['id']}"))
    return api.post(f"/meetings/{meeting['id']}/{name}", json=body or {}, headers={"If-Match": tag})


def test_schedule_list_get_and_patch(api, cast):
    meeting = new_meeting(api, cast)
    assert meeting["reference"] == "MTG-2027-001" and meeting["state"] == "planned"
    assert [a["board_role"] for a in meeting["attendance"]] == ["chair"]
    assert meeting["quorum"] == {"present": 0, "required": 1, "met": False}
    new_meeting(api, cast, title="Second board", starts_at="2027-04-06T09:00:00Z")
    listed = api["viewer"].get("/meetings?per_page=1&sort=starts_at")
    assert listed.json["total"] == 2 and listed.json["items"][0]["title"] == "Monthly board"
    assert links(listed)["next"]["page"] == "2"
    assert api["viewer"].get("/meetings?q=second").json["total"] == 1
    assert_problem(api["viewer"].get("/meetings?state=nope"), 422)
    path = f"/meetings/{meeting['id']}"
    assert_problem(patch(api["coordinator"], path, {"location": "Room 1"}, None), 428)
    assert_problem(patch(api["coordinator"], path, {"location": "Room 1"}, '"9"'), 412)
    ok = patch(api["coordinator"], path, {"location": "Room 1"}, etag(api["viewer"].get(path)))
    assert ok.status_code == 200 and ok.json["location"] == "Room 1"
    assert ok.json["title"] == "Monthly board"
    assert_problem(api["viewer"].post("/meetings", json={"board_id": cast.board_id}), 422)
    body = {"board_id": cast.board_id, "title": "Viewer board", "starts_at": START}
    assert_problem(api["viewer"].post("/meetings", json=body), 403)


def test_open_attendance_minutes_close(api, cast):
    meeting = new_meeting(api, cast)
    mid = meeting["id"]
    assert_problem(step(api["coordinator"], meeting, "circulate"), 409)  # no papers yet
    assert step(api["chair"], meeting, "open").json["state"] == "in_session"
    att = api["chair"].put(
        f"/meetings/{mid}/attendance/{cast.person['chair']}", json={"status": "attended"}
    )
    assert att.status_code == 200 and att.json["quorum"]["met"] is True
    guest = api["chair"].put(
        f"/meetings/{mid}/attendance/{cast.person['lead']}", json={"status": "attended"}
    )
    assert guest.json["quorum"]["present"] == 1  # guests do not count
    assert_problem(
        api["chair"].put(
            f"/meetings/{mid}/attendance/{cast.person['chair']}", json={"status": "confirmed"}
        ),
        422,
    )
    assert_problem(step(api["chair"], meeting, "close"), 422)
    tag = etag(api["chair"].get(f"/meetings/{mid}"))
    saved = api["chair"].put(f"/meetings/{mid}/minutes", json={"minutes": "We met."}, etag=tag)
    assert saved.status_code == 200 and saved.json["minutes"] == "We met."
    closed = step(api["chair"], meeting, "close")
    assert closed.json["state"] == "closed"
    assert_problem(step(api["chair"], meeting, "open"), 409)


def test_agenda_proposal_and_items(api, session, cast):
    contract = make_contract(session, cast)
    contracts.submit(session, cast.actor("coordinator"), contract.id)
    meeting = new_meeting(api, cast)
    mid = meeting["id"]
    proposed = api["coordinator"].post(f"/meetings/{mid}/agenda/propose", json={})
    sections = [i["section"] for i in proposed.json["items"]]
    assert sections == [
        "strategy",
        "contract_documentation",
        "other_business",
        "schedule_of_meetings",
    ]
    assert api["coordinator"].post(f"/meetings/{mid}/agenda/propose", json={}).json["items"] == []
    papers = api["viewer"].get(f"/meetings/{mid}/papers").json["items"]
    assert [(p["kind"], p["subject_id"]) for p in papers] == [("contract_document", contract.id)]
    item = created(
        api["coordinator"].post(
            f"/meetings/{mid}/agenda", json={"section": "disputes", "title": "Hosting dispute"}
        )
    )
    assert item["position"] == 1  # disputes come before strategy
    path = f"/agenda-items/{item['id']}"
    changed = patch(
        api["coordinator"], path, {"notes": "Bring numbers"}, etag(api["viewer"].get(path))
    )
    assert changed.json["notes"] == "Bring numbers" and changed.json["title"] == "Hosting dispute"
    moved = api["coordinator"].post(
        f"{path}/move",
        json={"direction": "down"},
        headers={"If-Match": etag(api["viewer"].get(path))},
    )
    assert [i["id"] for i in moved.json["items"]][1] == item["id"]
    assert_problem(api["viewer"].delete(path, etag=etag(api["viewer"].get(path))), 403)
    assert api["coordinator"].delete(path, etag=etag(api["viewer"].get(path))).status_code == 204
    assert_problem(api["viewer"].get(path), 404)


def test_papers_upload_download_and_word_files(api, session, cast):
    contract = make_contract(session, cast)
    meeting = new_meeting(api, cast)
    mid = meeting["id"]
    doc = created(
        api["coordinator"].post(
            f"/meetings/{mid}/papers", json={"subject_type": "contract", "subject_id": contract.id}
        )
    )
    got = api["viewer"].get(f"/meeting-papers/{doc['id']}/file")
    assert got.status_code == 200 and got.data.startswith(b"PK")
    assert_problem(api["outsider"].get(f"/meeting-papers/{doc['id']}/file"), 404)
    up = api["coordinator"].post(
        f"/meetings/{mid}/papers/upload",
        json=None,
        data={"file": (io.BytesIO(b"Agenda notes"), "notes.txt"), "title": "Notes"},
        content_type="multipart/form-data",
    )
    paper = created(up)
    assert paper["title"] == "Notes" and paper["content_type"] == "text/plain"
    file = api["viewer"].get(f"/meeting-papers/{paper['id']}/file")
    assert file.data == b"Agenda notes"
    file.close()
    assert step(api["coordinator"], meeting, "circulate").json["papers_circulated_at"]
    assert api["coordinator"].delete(f"/meeting-papers/{paper['id']}").status_code == 204
    for path in (f"/meetings/{mid}/pack", f"/meetings/{mid}/minutes-document"):
        resp = api["viewer"].get(path)
        assert resp.status_code == 200 and resp.mimetype.endswith("wordprocessingml.document")


def test_unknown_meetings_are_404(api):
    assert_problem(api["viewer"].get("/meetings/999"), 404)
    assert_problem(api["viewer"].get("/meeting-papers/999/file"), 404)
