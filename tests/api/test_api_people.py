"""People and positions through the API."""

from __future__ import annotations

import pytest
from apihelp import as_role, assert_problem, created


@pytest.fixture
def coordinator(client, api_token):
    return as_role(client, api_token, "review_coordinator")


@pytest.fixture
def unit_ids(coordinator):
    ids = []
    for name in ("IT", "Finance"):
        ids.append(
            created(coordinator.post("/org-units", json={"name": name, "kind": "function"}))["id"]
        )
    return ids


def test_person_crud(coordinator, unit_ids):
    it, finance = unit_ids
    resp = coordinator.post(
        "/people", json={"name": "Li Wei", "email": "Li.Wei@Example.com", "org_unit_id": it}
    )
    person = created(resp)
    assert person["email"] == "li.wei@example.com"
    path = f"/people/{person['id']}"
    got = coordinator.get(path)
    assert got.json == person and got.headers["ETag"] == '"1"'

    moved = coordinator.put(
        path, {"name": "Li Wei", "email": "li.wei@example.com", "org_unit_id": finance}, '"1"'
    )
    assert moved.status_code == 200 and moved.json["org_unit_id"] == finance
    assert_problem(coordinator.put(path, {"name": "Li", "email": "li@example.com"}, '"1"'), 412)
    assert_problem(coordinator.delete(path), 428)
    assert coordinator.delete(path, moved.headers["ETag"]).status_code == 204
    assert_problem(coordinator.get(path), 404)


def test_person_input_errors(coordinator):
    body = assert_problem(coordinator.post("/people", json={"name": "X", "email": "nope"}), 422)
    assert "email" in body["errors"]
    created(coordinator.post("/people", json={"name": "A", "email": "a@example.com"}))
    again = coordinator.post("/people", json={"name": "B", "email": "a@example.com"})
    assert assert_problem(again, 422)["errors"] == {
        "email": "Another person already has this e-mail address."
    }


def test_people_filters(coordinator, unit_ids):
    it, finance = unit_ids
    for name, unit in (("Ann", it), ("Bob", it), ("Cyd", finance)):
        coordinator.post(
            "/people", json={"name": name, "email": f"{name}@example.com", "org_unit_id": unit}
        )

    def names(query: str) -> list[str]:
        return [p["name"] for p in coordinator.get(f"/people?{query}").json["items"]]

    assert names(f"org_unit_id={it}") == ["Ann", "Bob"]
    assert names("q=CYD") == ["Cyd"]
    assert names("sort=-email") == ["Cyd", "Bob", "Ann"]
    assert_problem(coordinator.get("/people?sort=phone"), 422)


def test_viewer_reads_people_but_cannot_write(client, api_token, coordinator):
    created(coordinator.post("/people", json={"name": "Ann", "email": "ann@example.com"}))
    viewer = as_role(client, api_token, "viewer")
    assert viewer.get("/people").json["total"] == 1
    assert_problem(viewer.post("/people", json={"name": "B", "email": "b@example.com"}), 403)


def test_position_crud_and_filters(coordinator, unit_ids):
    it, finance = unit_ids
    head = created(
        coordinator.post(
            "/positions",
            json={"title": "Head of EA", "org_unit_id": it, "architecture_role": "ea_manager"},
        )
    )
    architect = created(
        coordinator.post(
            "/positions",
            json={"title": "Data architect", "org_unit_id": it, "reports_to_id": head["id"]},
        )
    )
    created(coordinator.post("/positions", json={"title": "Controller", "org_unit_id": finance}))

    def titles(query: str) -> list[str]:
        resp = coordinator.get(f"/positions?{query}")
        assert resp.status_code == 200, resp.text
        return [p["title"] for p in resp.json["items"]]

    assert titles(f"org_unit_id={it}") == ["Data architect", "Head of EA"]
    assert titles("architecture_role=ea_manager") == ["Head of EA"]
    assert titles("q=arch") == ["Data architect"]

    path = f"/positions/{head['id']}"
    loop = coordinator.put(
        path, {"title": "Head of EA", "org_unit_id": it, "reports_to_id": architect["id"]}, '"1"'
    )
    assert "reports_to_id" in assert_problem(loop, 422)["errors"]
    ok = coordinator.put(
        path, {"title": "Chief architect", "org_unit_id": it, "duties": "Lead"}, '"1"'
    )
    assert ok.status_code == 200 and ok.json["duties"] == "Lead" and ok.json["version"] == 2
    assert coordinator.get(path).headers["ETag"] == '"2"'
    assert coordinator.delete(f"/positions/{architect['id']}", '"1"').status_code == 204
    assert titles("") == ["Chief architect", "Controller"]
