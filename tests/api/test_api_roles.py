"""Roles and their profiles through the API: list with profile shapes, get with the profile
and an ETag, replace the whole profile (If-Match on the role) and change one requirement
(If-Match on the requirement), with 412 when stale and 428 when missing."""

from __future__ import annotations

import pytest
from apihelp import as_role, assert_problem
from test_skill_frameworks import small_yaml

from eagov.permissions import SYSTEM
from eagov.services import skill_frameworks as svc


@pytest.fixture
def framework(session):
    return svc.import_framework(session, SYSTEM, small_yaml())


@pytest.fixture
def coordinator(client, api_token, framework):
    return as_role(client, api_token, "review_coordinator")


@pytest.fixture
def architect(client, api_token, framework):
    return as_role(client, api_token, "architect")


def patch(api, path, json, etag=None):
    headers = {"If-Match": etag} if etag else {}
    return api.client.patch("/api/v1" + path, json=json, headers=api.headers | headers)


def test_list_and_get_roles(architect):
    listed = architect.get("/roles")
    assert listed.status_code == 200 and listed.json["total"] == 2
    assert [(r["key"], r["shape"]) for r in listed.json["items"]] == [
        ("ea_data", {"1": 0, "2": 0, "3": 1, "4": 2}),
        ("sponsor", {"1": 1, "2": 1, "3": 0, "4": 1}),
    ]
    assert [r["key"] for r in architect.get("/roles?sort=-position").json["items"]] == [
        "sponsor",
        "ea_data",
    ]
    got = architect.get("/roles/ea_data")
    assert got.status_code == 200 and got.headers["ETag"] == '"1"'
    assert [(p["skill"], p["category"], p["level"]) for p in got.json["profile"]] == [
        ("leadership", "generic", 3),
        ("teamwork", "generic", 4),
        ("security", "technical", 4),
    ]
    assert_problem(architect.get("/roles/chief"), 404)
    one = architect.get("/roles/sponsor/requirements/security")
    assert one.json == {
        "role": "sponsor",
        "skill": "security",
        "category": "technical",
        "level": 1,
        "version": 1,
    }
    assert one.headers["ETag"] == '"1"'


def test_replace_a_profile_with_if_match(coordinator):
    levels = {"leadership": 2, "teamwork": 2, "security": 2}
    assert_problem(coordinator.put("/roles/sponsor/profile", {"levels": levels}), 428)
    resp = coordinator.put("/roles/sponsor/profile", {"levels": levels}, etag='"1"')
    assert resp.status_code == 200, resp.text
    assert resp.headers["ETag"] == '"2"'
    assert {p["skill"]: p["level"] for p in resp.json["profile"]} == levels
    stale = coordinator.put("/roles/sponsor/profile", {"levels": levels}, etag='"1"')
    assert_problem(stale, 412)
    partial = coordinator.put("/roles/sponsor/profile", {"levels": {"teamwork": 1}}, etag='"2"')
    assert "levels" in assert_problem(partial, 422)["errors"]
    wrong = coordinator.put(
        "/roles/sponsor/profile", {"levels": {**levels, "teamwork": 0}}, etag='"2"'
    )
    assert "levels.teamwork" in assert_problem(wrong, 422)["errors"]


def test_change_one_requirement_with_if_match(coordinator):
    assert_problem(patch(coordinator, "/roles/ea_data/requirements/security", {"level": 2}), 428)
    resp = patch(coordinator, "/roles/ea_data/requirements/security", {"level": 2}, '"1"')
    assert resp.status_code == 200, resp.text
    assert resp.json["level"] == 2 and resp.headers["ETag"] == '"2"'
    stale = patch(coordinator, "/roles/ea_data/requirements/security", {"level": 3}, '"1"')
    assert_problem(stale, 412)
    # the role's version moved: a profile replacement read before the change is stale
    assert coordinator.get("/roles/ea_data").headers["ETag"] == '"2"'
    levels = {"leadership": 1, "teamwork": 1, "security": 1}
    assert_problem(coordinator.put("/roles/ea_data/profile", {"levels": levels}, '"1"'), 412)
    assert_problem(
        patch(coordinator, "/roles/ea_data/requirements/security", {"level": 9}, '"2"'), 422
    )
    assert_problem(
        patch(coordinator, "/roles/ea_data/requirements/cooking", {"level": 2}, '"1"'), 404
    )


def test_only_managers_edit_profiles(architect):
    levels = {"leadership": 2, "teamwork": 2, "security": 2}
    assert_problem(architect.put("/roles/sponsor/profile", {"levels": levels}, '"1"'), 403)
    assert_problem(
        patch(architect, "/roles/sponsor/requirements/security", {"level": 2}, '"1"'), 403
    )
