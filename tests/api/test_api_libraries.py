"""Checklist libraries through the API: import as a raw YAML body or an upload, errors that
name the line and the field, versions already imported, reading and exporting."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from apihelp import as_role, assert_problem, created
from test_checklist_libraries import library_yaml

BASELINE = (
    Path(__file__).resolve().parents[2] / "eagov" / "library" / "checklists" / "baseline.yaml"
)
YAML = {"Content-Type": "application/yaml"}


@pytest.fixture
def coordinator(client, api_token):
    return as_role(client, api_token, "review_coordinator")


@pytest.fixture
def viewer(client, api_token):
    return as_role(client, api_token, "viewer")


def test_import_raw_yaml_read_and_export(coordinator, viewer):
    resp = coordinator.post("/checklist-libraries", data=library_yaml(), headers=YAML)
    body = created(resp)
    lid = body["id"]
    assert resp.headers["Location"] == f"/api/v1/checklist-libraries/{lid}"
    assert "ETag" not in resp.headers  # libraries never change
    assert body["identifier"] == "test-lib" and body["version"] == "1.0.0"
    [category] = body["categories"]
    assert category["key"] == "security" and category["title"] == {"en": "Security"}
    assert [i["reference"] for i in category["items"]] == ["SEC-01"]

    got = viewer.get(f"/checklist-libraries/{lid}")
    assert got.status_code == 200 and got.json == body

    export = viewer.get(f"/checklist-libraries/{lid}/export")
    assert export.status_code == 200
    assert export.mimetype == "application/yaml"
    assert export.get_data(as_text=True) == library_yaml()
    assert "test-lib-1.0.0.yaml" in export.headers["Content-Disposition"]


def test_import_as_an_upload_and_list_newest_first(coordinator, viewer):
    for version in ("1.9.0", "1.10.0"):
        resp = coordinator.post(
            "/checklist-libraries",
            data={"file": (io.BytesIO(library_yaml(version).encode()), "lib.yaml")},
            content_type="multipart/form-data",
        )
        created(resp)
    created(coordinator.post("/checklist-libraries", data=BASELINE.read_bytes(), headers=YAML))
    listed = viewer.get("/checklist-libraries")
    assert listed.status_code == 200 and listed.json["total"] == 3
    assert [(i["identifier"], i["version"]) for i in listed.json["items"]] == [
        ("eagov-baseline", "1.0.0"),
        ("test-lib", "1.10.0"),
        ("test-lib", "1.9.0"),
    ]
    by_id = viewer.get("/checklist-libraries?sort=-id&per_page=1")
    assert by_id.json["items"][0]["identifier"] == "eagov-baseline"
    assert by_id.json["total"] == 3 and len(by_id.json["items"]) == 1
    assert_problem(viewer.get("/checklist-libraries?sort=title"), 422)


def test_import_errors_name_line_and_field(coordinator):
    bad = assert_problem(
        coordinator.post("/checklist-libraries", data=library_yaml(weight=7), headers=YAML), 422
    )
    assert list(bad["errors"]) == ["line 13, categories.0.items.0.weight"]

    broken = assert_problem(
        coordinator.post("/checklist-libraries", data="format: [unclosed\n", headers=YAML), 422
    )
    assert any(key.startswith("line ") for key in broken["errors"])

    not_utf8 = assert_problem(
        coordinator.post("/checklist-libraries", data=b"\xff\xfe\x00", headers=YAML), 422
    )
    assert not_utf8["errors"]

    no_file = assert_problem(
        coordinator.post("/checklist-libraries", data={}, content_type="multipart/form-data"),
        422,
    )
    assert "file" in no_file["errors"]


def test_a_version_is_imported_once(coordinator):
    created(coordinator.post("/checklist-libraries", data=library_yaml(), headers=YAML))
    again = assert_problem(
        coordinator.post("/checklist-libraries", data=library_yaml(), headers=YAML), 409
    )
    assert "1.0.0" in again["detail"]


def test_import_needs_the_right_role_and_media_type(coordinator, viewer):
    assert_problem(viewer.post("/checklist-libraries", data=library_yaml(), headers=YAML), 403)
    assert_problem(coordinator.post("/checklist-libraries", json={"format": "x"}), 415)
    assert_problem(coordinator.get("/checklist-libraries/999"), 404)
    assert_problem(coordinator.get("/checklist-libraries/999/export"), 404)
    assert_problem(coordinator.get("/checklist-libraries/99999999999"), 404)


def test_the_import_is_documented_as_an_upload(client):
    doc = client.get("/api/v1/openapi.json").json
    op = doc["paths"]["/checklist-libraries"]["post"]
    assert "multipart/form-data" in op["requestBody"]["content"]
    assert "application/yaml" in op["description"]
    assert {"409", "415", "422"} <= set(op["responses"])
    export = doc["paths"]["/checklist-libraries/{library_id}/export"]["get"]
    assert "application/yaml" in export["responses"]["200"]["content"]
