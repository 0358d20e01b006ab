"""Maturity models through the API: import as a raw YAML body or an upload, errors that name
the line and the field, versions already imported, listing, reading and exporting."""

from __future__ import annotations

import io

import pytest
from apihelp import as_role, assert_problem, created
from test_maturity_models import ACMM, CMMI, model_yaml

from eagov.schemas.maturity_models import ModelFile
from eagov.yaml_source import parse

YAML = {"Content-Type": "application/yaml"}


@pytest.fixture
def coordinator(client, api_token):
    return as_role(client, api_token, "review_coordinator")


@pytest.fixture
def viewer(client, api_token):
    return as_role(client, api_token, "viewer")


def test_import_raw_yaml_read_and_export(coordinator, viewer):
    resp = coordinator.post("/maturity-models", data=model_yaml(), headers=YAML)
    body = created(resp)
    mid = body["id"]
    assert resp.headers["Location"] == f"/api/v1/maturity-models/{mid}"
    assert "ETag" not in resp.headers  # models never change
    assert (body["key"], body["version"], body["method"]) == (
        "test-model",
        "1.0.0",
        "weighted_mean",
    )
    assert [lv["value"] for lv in body["levels"]] == [0, 1, 2]
    assert body["levels"][1]["name"] == {"en": "Initial", "zh_Hans": "初始"}
    assert body["element_count"] == 2
    process, governance = body["elements"]
    assert (process["key"], process["position"], process["weight"]) == ("process", 1, 2.0)
    assert governance["descriptors"]["2"] == {"en": "A board meets.", "zh_Hans": "委员会定期开会。"}

    got = viewer.get(f"/maturity-models/{mid}")
    assert got.status_code == 200 and got.json == body

    export = viewer.get(f"/maturity-models/{mid}/export")
    assert export.status_code == 200 and export.mimetype == "application/yaml"
    assert "test-model-1.0.0.yaml" in export.headers["Content-Disposition"]
    assert parse(export.get_data(), ModelFile) == parse(model_yaml(), ModelFile)
    assert_problem(viewer.get("/maturity-models/999"), 404)
    assert_problem(viewer.get("/maturity-models/999/export"), 404)


def test_import_as_an_upload_and_list_newest_first(coordinator, viewer):
    for version in ("1.9.0", "1.10.0"):
        resp = coordinator.post(
            "/maturity-models",
            data={"file": (io.BytesIO(model_yaml(version).encode()), "model.yaml")},
            content_type="multipart/form-data",
        )
        created(resp)
    created(coordinator.post("/maturity-models", data=ACMM.read_bytes(), headers=YAML))
    created(coordinator.post("/maturity-models", data=CMMI.read_bytes(), headers=YAML))
    listed = viewer.get("/maturity-models")
    assert listed.status_code == 200 and listed.json["total"] == 4
    items = listed.json["items"]
    assert [(i["key"], i["version"], i["element_count"]) for i in items] == [
        ("acmm", "1.0.0", 9),
        ("cmmi-staged", "1.0.0", 7),
        ("test-model", "1.10.0", 2),
        ("test-model", "1.9.0", 2),
    ]
    assert "elements" not in items[0]
    one = viewer.get("/maturity-models?key=test-model&per_page=1")
    assert one.json["total"] == 2 and [i["version"] for i in one.json["items"]] == ["1.10.0"]
    by_id = viewer.get("/maturity-models?sort=-id&per_page=1")
    assert by_id.json["items"][0]["key"] == "cmmi-staged"
    assert by_id.json["items"][0]["element_count"] == 7 and by_id.json["total"] == 4
    assert_problem(viewer.get("/maturity-models?sort=name"), 422)


def test_import_errors_name_line_and_field_and_store_nothing(coordinator, viewer):
    bad = assert_problem(
        coordinator.post("/maturity-models", data=model_yaml(weight="0"), headers=YAML), 422
    )
    assert list(bad["errors"]) == ["line 19, elements.0.weight"]
    missing = assert_problem(
        coordinator.post("/maturity-models", data=model_yaml(level2="7"), headers=YAML), 422
    )
    assert list(missing["errors"]) == [
        "line 27, elements.1.descriptors",
        "line 30, elements.1.descriptors.7",
    ]
    broken = assert_problem(
        coordinator.post("/maturity-models", data="format: [unclosed\n", headers=YAML), 422
    )
    assert "YAML" in str(broken["errors"])
    assert viewer.get("/maturity-models").json["total"] == 0
    assert_problem(coordinator.post("/maturity-models", json={"file": "x"}), 415)


def test_same_version_twice_is_a_conflict(coordinator):
    created(coordinator.post("/maturity-models", data=model_yaml(), headers=YAML))
    again = assert_problem(
        coordinator.post("/maturity-models", data=model_yaml(), headers=YAML), 409
    )
    assert "already imported" in again["detail"]


def test_only_coordinators_and_admins_import(viewer, client, api_token):
    assert_problem(viewer.post("/maturity-models", data=model_yaml(), headers=YAML), 403)
    architect = as_role(client, api_token, "architect")
    assert_problem(architect.post("/maturity-models", data=model_yaml(), headers=YAML), 403)
    admin = as_role(client, api_token, "admin")
    created(admin.post("/maturity-models", data=model_yaml(), headers=YAML))
    assert client.get("/api/v1/maturity-models").status_code == 401
