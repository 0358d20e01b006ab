"""The skills framework through the API: the framework in use, skills with a category filter,
imports (raw YAML or upload) with line-numbered errors and conflicts, versions, export."""

from __future__ import annotations

import io

import pytest
import yaml
from apihelp import as_role, assert_problem, created
from test_skill_frameworks import small_yaml

from eagov.services import skill_frameworks as svc

YAML = {"Content-Type": "application/yaml"}


@pytest.fixture
def coordinator(client, api_token):
    return as_role(client, api_token, "review_coordinator")


@pytest.fixture
def viewer(client, api_token):
    return as_role(client, api_token, "viewer")


def test_nothing_imported_yet_is_a_404(viewer):
    assert_problem(viewer.get("/skills/framework"), 404)
    assert_problem(viewer.get("/skills"), 404)
    assert viewer.get("/skills/framework/versions").json == {"items": []}


def test_import_the_shipped_framework_and_read_it(coordinator, viewer):
    resp = coordinator.post("/skills/framework", data=svc.SHIPPED.read_bytes(), headers=YAML)
    body = created(resp)
    assert resp.headers["Location"] == "/api/v1/skills/framework"
    assert body["key"] == "eagov-architecture-skills" and body["in_use"] is True
    assert [lv["name"]["zh_Hans"] for lv in body["levels"]] == ["背景", "了解", "掌握", "专家"]
    assert len(body["categories"]) == 7
    assert viewer.get("/skills/framework").json == body

    listed = viewer.get("/skills?per_page=200")
    assert listed.status_code == 200
    assert 70 <= listed.json["total"] <= 80 and len(listed.json["items"]) == listed.json["total"]
    legal = viewer.get("/skills?category=legal").json
    assert {s["key"] for s in legal["items"]} >= {"data-protection-law", "contract-law", "fraud"}
    assert {s["category"] for s in legal["items"]} == {"legal"}
    assert viewer.get("/skills?per_page=2").headers["Link"]
    assert_problem(viewer.get("/skills?category=cooking"), 422)

    one = viewer.get("/skills/data-design")
    assert one.status_code == 200 and one.json["category"] == "enterprise-architecture"
    assert one.json["name"]["zh_Hans"] == "数据设计"
    assert_problem(viewer.get("/skills/cooking"), 404)


def test_upload_versions_and_export(coordinator, viewer):
    created(coordinator.post("/skills/framework", data=small_yaml("1.0.0"), headers=YAML))
    upload = coordinator.post(
        "/skills/framework",
        data={"file": (io.BytesIO(small_yaml("1.1.0").encode()), "skills.yaml")},
        content_type="multipart/form-data",
    )
    assert created(upload)["version"] == "1.1.0"
    versions = viewer.get("/skills/framework/versions").json["items"]
    assert [(v["version"], v["in_use"]) for v in versions] == [("1.1.0", True), ("1.0.0", False)]

    export = viewer.get("/skills/framework/export")
    assert export.status_code == 200 and export.mimetype == "application/yaml"
    assert "test-skills-1.1.0.yaml" in export.headers["Content-Disposition"]
    assert export.get_data(as_text=True) == small_yaml("1.1.0")
    older = viewer.get("/skills/framework/export?version=1.0.0")
    assert yaml.safe_load(older.get_data(as_text=True))["version"] == "1.0.0"
    assert_problem(viewer.get("/skills/framework/export?version=3.0"), 404)


def test_import_errors_conflicts_and_permissions(coordinator, viewer):
    text = small_yaml().replace("security: 1\n", "security: 5\n")
    bad = assert_problem(coordinator.post("/skills/framework", data=text, headers=YAML), 422)
    [key] = bad["errors"]
    line = next(n for n, row in enumerate(text.splitlines(), 1) if "security: 5" in row)
    assert key == f"line {line}, roles.1.profile.security"
    assert viewer.get("/skills/framework/versions").json == {"items": []}  # all or nothing

    created(coordinator.post("/skills/framework", data=small_yaml(), headers=YAML))
    again = assert_problem(
        coordinator.post("/skills/framework", data=small_yaml(), headers=YAML), 409
    )
    assert "1.0.0" in again["detail"]
    assert_problem(viewer.post("/skills/framework", data=small_yaml("2.0"), headers=YAML), 403)
    assert_problem(coordinator.post("/skills/framework", json={"format": "x"}), 415)
    no_file = coordinator.post("/skills/framework", data={}, content_type="multipart/form-data")
    assert "file" in assert_problem(no_file, 422)["errors"]


def test_the_endpoints_are_documented(client):
    doc = client.get("/api/v1/openapi.json").json
    assert (
        "multipart/form-data" in doc["paths"]["/skills/framework"]["post"]["requestBody"]["content"]
    )
    export = doc["paths"]["/skills/framework/export"]["get"]
    assert "application/yaml" in export["responses"]["200"]["content"]
    assert {"get"} <= set(doc["paths"]["/skills/{key}"])
