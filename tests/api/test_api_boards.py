"""Architecture Boards and member terms through the API."""

from __future__ import annotations

import pytest
from apihelp import as_role, assert_problem, created


@pytest.fixture
def chair(client, api_token):
    return as_role(client, api_token, "board_chair")


@pytest.fixture
def people(client, api_token):
    editor = as_role(client, api_token, "review_coordinator")
    return [
        created(editor.post("/people", json={"name": n, "email": f"{n}@example.com"}))["id"]
        for n in ("ann", "bob")
    ]


def test_board_create_list_get_put(chair):
    top = created(chair.post("/boards", json={"name": "Global board", "level": "global"}))
    local = chair.post(
        "/boards", json={"name": "Asia board", "level": "local", "parent_board_id": top["id"]}
    )
    local = created(local)
    assert local["quorum"] == 3

    listing = chair.get("/boards").json
    assert [b["name"] for b in listing["items"]] == ["Asia board", "Global board"]
    assert [b["name"] for b in chair.get("/boards?level=global").json["items"]] == ["Global board"]
    children = chair.get(f"/boards?parent_board_id={top['id']}").json["items"]
    assert [b["id"] for b in children] == [local["id"]]

    path = f"/boards/{local['id']}"
    etag = chair.get(path).headers["ETag"]
    body = {"name": "Asia board", "level": "local", "parent_board_id": top["id"], "quorum": 5}
    assert chair.put(path, body, etag).json["quorum"] == 5
    assert_problem(chair.put(path, body | {"quorum": 4}, etag), 412)
    assert_problem(chair.put(path, body), 428)
    orphan = chair.put(path, body | {"parent_board_id": None}, '"2"')
    assert "parent_board_id" in assert_problem(orphan, 422)["errors"]
    assert_problem(chair.delete(path, '"2"'), 405)  # boards are kept, not deleted


def test_members_and_terms(chair, people):
    ann, bob = people
    board = created(chair.post("/boards", json={"name": "Global board", "level": "global"}))
    members = f"/boards/{board['id']}/members"
    resp = chair.post(members, json={"person_id": ann, "role": "chair", "term_start": "2025-01-01"})
    first = created(resp)
    assert chair.client.get(resp.headers["Location"], headers=chair.headers).json == first
    created(chair.post(members, json={"person_id": bob, "term_start": "2025-06-01"}))

    second_chair = chair.post(
        members, json={"person_id": bob, "role": "chair", "term_start": "2025-07-01"}
    )
    assert_problem(second_chair, 422)
    backwards = chair.post(
        members, json={"person_id": bob, "term_start": "2025-07-01", "term_end": "2025-01-01"}
    )
    assert_problem(backwards, 422)

    ended = chair.post(f"{members}/{first['id']}/end-term", json={"term_end": "2025-03-31"})
    assert ended.status_code == 200, ended.text
    assert ended.json["term_end"] == "2025-03-31"

    def sitting(day: str) -> list[int]:
        return [m["person_id"] for m in chair.get(f"{members}?on={day}").json["items"]]

    assert sitting("2025-02-01") == [ann]
    assert sitting("2025-05-01") == []
    assert sitting("2025-08-01") == [bob]
    assert chair.get(members).json["total"] == 2
    assert [m["role"] for m in chair.get(f"{members}?role=chair").json["items"]] == ["chair"]
    assert "on" in assert_problem(chair.get(f"{members}?on=someday"), 422)["errors"]

    early = chair.post(f"{members}/{first['id']}/end-term", json={"term_end": "2024-01-01"})
    assert "term_end" in assert_problem(early, 422)["errors"]


def test_member_must_belong_to_the_board_in_the_path(chair, people):
    one = created(chair.post("/boards", json={"name": "One", "level": "global"}))
    two = created(chair.post("/boards", json={"name": "Two", "level": "global"}))
    member = created(
        chair.post(
            f"/boards/{one['id']}/members",
            json={"person_id": people[0], "term_start": "2025-01-01"},
        )
    )
    wrong = f"/boards/{two['id']}/members/{member['id']}"
    assert_problem(chair.get(wrong), 404)
    assert_problem(chair.post(f"{wrong}/end-term", json={"term_end": "2025-02-01"}), 404)


def test_architect_cannot_edit_boards(client, api_token):
    architect = as_role(client, api_token, "architect")
    assert_problem(architect.post("/boards", json={"name": "B", "level": "global"}), 403)
    assert architect.get("/boards").status_code == 200
