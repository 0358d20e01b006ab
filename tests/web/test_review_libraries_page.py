"""The checklist libraries page: list, import with line-numbered errors, view, export."""

from __future__ import annotations

import io

from conftest import csrf_from
from test_checklist_libraries import library_yaml


def upload(client, text: str, name: str = "lib.yaml"):
    page = client.get("/reviews/libraries")
    return client.post(
        "/reviews/libraries",
        data={"csrf_token": csrf_from(page.text), "file": (io.BytesIO(text.encode()), name)},
        content_type="multipart/form-data",
    )


def test_coordinator_imports_views_and_exports(client, login_as):
    login_as("review_coordinator")
    resp = upload(client, library_yaml())
    assert resp.status_code == 302
    page = client.get(resp.headers["Location"]).text
    assert "SEC-01" in page and "Who may read customer data?" in page
    listing = client.get("/reviews/libraries").text
    assert "test-lib" in listing and "1.0.0" in listing
    export = client.get(resp.headers["Location"] + "/export.yaml")
    assert export.data.decode() == library_yaml()


def test_import_errors_name_line_and_field_and_nothing_is_stored(client, login_as):
    login_as("review_coordinator")
    resp = upload(client, library_yaml(weight=9))
    assert resp.status_code == 422
    assert "line 13, categories.0.items.0.weight" in resp.text
    assert "test-lib" not in client.get("/reviews/libraries").text
    assert upload(client, "x", name="lib.txt").status_code == 422


def test_same_version_twice_is_a_conflict(client, login_as):
    login_as("review_coordinator")
    assert upload(client, library_yaml()).status_code == 302
    again = upload(client, library_yaml())
    assert again.status_code == 409 and "already imported" in again.text


def test_viewers_see_but_cannot_import(client, login_as):
    login_as("viewer")
    assert 'type="file"' not in client.get("/reviews/libraries").text
    assert upload(client, library_yaml()).status_code == 403
