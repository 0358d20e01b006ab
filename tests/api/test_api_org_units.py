"""Organisation units through the API: CRUD, input errors, preconditions, paging, links."""

from __future__ import annotations

import pytest
from apihelp import as_role, assert_problem, created, links


@pytest.fixture
def admin(client, api_token):
    return as_role(client, api_token, "admin")


def _unit(api, name, kind="division", **extra):  # type: ignore[no-untyped-def]
    return created(api.post("/org-units", json={"name": name, "kind": kind, **extra}))


# --- CRUD and optimistic concurrency ---------------------------------------------------------


def test_unit_crud_with_etags(admin):
    resp = admin.post("/org-units", json={"name": "Group", "kind": "enterprise", "code": "G"})
    unit = created(resp)
    assert resp.headers["Location"] == f"/api/v1/org-units/{unit['id']}"
    assert resp.headers["ETag"] == '"1"'
    assert unit["version"] == 1 and unit["code"] == "G"
    assert unit["created_at"].endswith("Z")

    got = admin.get(f"/org-units/{unit['id']}")
    assert got.status_code == 200 and got.json == unit
    etag = got.headers["ETag"]
    assert etag == '"1"'

    changed = admin.put(
        f"/org-units/{unit['id']}", {"name": "Group plc", "kind": "enterprise"}, etag
    )
    assert changed.status_code == 200, changed.text
    assert changed.json["name"] == "Group plc" and changed.json["code"] is None
    assert changed.headers["ETag"] == '"2"'

    assert admin.delete(f"/org-units/{unit['id']}", '"2"').status_code == 204
    assert_problem(admin.get(f"/org-units/{unit['id']}"), 404)


def test_put_and_delete_without_if_match_are_428(admin):
    unit = _unit(admin, "Sales")
    assert_problem(admin.put(f"/org-units/{unit['id']}", {"name": "X", "kind": "team"}), 428)
    assert_problem(admin.delete(f"/org-units/{unit['id']}"), 428)
    assert_problem(admin.delete(f"/org-units/{unit['id']}", "*"), 428)
    assert admin.get(f"/org-units/{unit['id']}").json["name"] == "Sales"  # untouched


def test_stale_if_match_is_412_and_names_the_current_version(admin):
    unit = _unit(admin, "Sales")
    path = f"/org-units/{unit['id']}"
    assert admin.put(path, {"name": "Sales EU", "kind": "division"}, '"1"').status_code == 200
    # A second client still holding version 1:
    body = assert_problem(admin.put(path, {"name": "Sales US", "kind": "division"}, '"1"'), 412)
    assert body["current_version"] == 2
    assert_problem(admin.delete(path, '"1"'), 412)
    assert_problem(admin.put(path, {"name": "Y", "kind": "division"}, '"not-a-version"'), 412)
    assert admin.get(path).json["name"] == "Sales EU"


def test_weak_etag_from_a_compressing_proxy_is_accepted(admin):
    unit = _unit(admin, "Sales")
    resp = admin.put(f"/org-units/{unit['id']}", {"name": "S", "kind": "division"}, 'W/"1"')
    assert resp.status_code == 200, resp.text


def test_delete_of_unit_with_sub_units_is_409(admin):
    parent = _unit(admin, "Group", "enterprise")
    _unit(admin, "Sales", parent_id=parent["id"])
    assert_problem(admin.delete(f"/org-units/{parent['id']}", '"1"'), 409)


# --- bad input -------------------------------------------------------------------------------


def test_schema_errors_are_422_with_field_messages(admin):
    body = assert_problem(admin.post("/org-units", json={"name": "", "kind": "planet"}), 422)
    assert set(body["errors"]) == {"name", "kind"}
    body = assert_problem(admin.post("/org-units", json={"name": "A", "kind": "team", "x": 1}), 422)
    assert "x" in body["errors"]


def test_service_rule_errors_are_422_too(admin):
    body = assert_problem(
        admin.post("/org-units", json={"name": "A", "kind": "team", "parent_id": 4242}), 422
    )
    assert body["errors"] == {"parent_id": "The parent unit does not exist."}


def test_malformed_json_is_400_and_other_content_types_415(admin, client):
    headers = admin.headers | {"Content-Type": "application/json"}
    resp = client.post("/api/v1/org-units", data='{"name": ', headers=headers)
    assert "not valid JSON" in assert_problem(resp, 400)["detail"]
    resp = client.post("/api/v1/org-units", data=b"\xff\xfe\x00", headers=headers)
    assert_problem(resp, 400)
    resp = client.post(
        "/api/v1/org-units", data={"name": "A", "kind": "team"}, headers=admin.headers
    )
    assert_problem(resp, 415)
    resp = client.post("/api/v1/org-units", data="[" * 100_000, headers=headers)
    assert_problem(resp, 400)


def test_values_the_database_cannot_hold_are_422_not_500(admin):
    body = assert_problem(
        admin.post("/org-units", json={"name": "A", "kind": "team", "parent_id": 10**20}), 422
    )
    assert "parent_id" in body["errors"]
    body = assert_problem(admin.post("/org-units", json={"name": "A\x00", "kind": "team"}), 422)
    assert "name" in body["errors"]
    assert_problem(admin.post("/org-units", json=["not", "an", "object"]), 422)
    assert_problem(admin.get("/org-units/99999999999999999999"), 404)
    assert_problem(admin.get("/org-units?parent_id=99999999999999999999"), 422)
    assert_problem(admin.get("/org-units?page=99999999999999"), 422)


def test_viewer_cannot_create_a_unit(client, api_token):
    viewer = as_role(client, api_token, "viewer")
    body = assert_problem(viewer.post("/org-units", json={"name": "A", "kind": "team"}), 403)
    assert "org.edit" in body["detail"]
    assert viewer.get("/org-units").json["total"] == 0


# --- lists -----------------------------------------------------------------------------------


def test_pagination_envelope_and_link_header(admin):
    for i in range(7):
        _unit(admin, f"Unit {i}")
    first = admin.get("/org-units?per_page=3&sort=name")
    assert first.status_code == 200
    assert {k: first.json[k] for k in ("page", "per_page", "total")} == {
        "page": 1,
        "per_page": 3,
        "total": 7,
    }
    assert [u["name"] for u in first.json["items"]] == ["Unit 0", "Unit 1", "Unit 2"]
    same = {"per_page": "3", "sort": "name"}
    assert links(first) == {
        "first": {**same, "page": "1"},
        "next": {**same, "page": "2"},
        "last": {**same, "page": "3"},
    }

    last = admin.get("/org-units?per_page=3&sort=name&page=3")
    assert [u["name"] for u in last.json["items"]] == ["Unit 6"]
    assert set(links(last)) == {"first", "prev", "last"}
    assert links(last)["prev"]["page"] == "2"

    assert admin.get("/org-units?per_page=200").json["per_page"] == 200
    assert "per_page" in assert_problem(admin.get("/org-units?per_page=201"), 422)["errors"]
    assert "page" in assert_problem(admin.get("/org-units?page=0"), 422)["errors"]


def test_filters_and_sorting(admin):
    group = _unit(admin, "Group", "enterprise", code="GRP")
    sales = _unit(admin, "Sales", parent_id=group["id"])
    _unit(admin, "Sales Team North", "team", parent_id=sales["id"])
    _unit(admin, "Audit", "function", parent_id=group["id"])

    def names(query: str) -> list[str]:
        resp = admin.get(f"/org-units?{query}")
        assert resp.status_code == 200, resp.text
        return [u["name"] for u in resp.json["items"]]

    assert names("kind=team") == ["Sales Team North"]
    assert names(f"parent_id={group['id']}") == ["Audit", "Sales"]
    assert names("root=true") == ["Group"]
    assert names("q=sales") == ["Sales", "Sales Team North"]
    assert names("q=grp") == ["Group"]  # the code is searched too
    assert names("q=%25") == []  # LIKE wildcards are taken literally
    assert names("sort=-name") == ["Sales Team North", "Sales", "Group", "Audit"]
    assert names("kind=") == names("")  # an empty filter is no filter

    errors = assert_problem(admin.get("/org-units?sort=description"), 422)["errors"]
    assert "sort" in errors
    assert "colour" in assert_problem(admin.get("/org-units?colour=red"), 422)["errors"]
    assert "kind" in assert_problem(admin.get("/org-units?kind=planet"), 422)["errors"]
    assert "kind" in assert_problem(admin.get("/org-units?kind=team&kind=region"), 422)["errors"]


# --- matrix links ----------------------------------------------------------------------------


def test_dotted_line_links(admin):
    a, b = _unit(admin, "IT"), _unit(admin, "Finance")
    resp = admin.post("/org-links", json={"from_unit_id": a["id"], "to_unit_id": b["id"]})
    link = created(resp)
    assert "ETag" not in resp.headers  # links have no version
    assert admin.client.get(resp.headers["Location"], headers=admin.headers).json == link
    for unit in (a, b):
        listed = admin.get(f"/org-units/{unit['id']}/links").json
        assert listed["total"] == 1 and listed["items"] == [link]

    again = admin.post("/org-links", json={"from_unit_id": a["id"], "to_unit_id": b["id"]})
    assert "to_unit_id" in assert_problem(again, 422)["errors"]
    itself = admin.post("/org-links", json={"from_unit_id": a["id"], "to_unit_id": a["id"]})
    assert_problem(itself, 422)

    assert admin.delete(f"/org-links/{link['id']}").status_code == 204
    assert admin.get(f"/org-units/{a['id']}/links").json["total"] == 0
    assert_problem(admin.get("/org-units/4242/links"), 404)


def test_totals_stop_at_the_count_limit_and_the_pages_go_on(admin, monkeypatch):
    """Past COUNT_LIMIT rows a list says "more than" (total_exact false) instead of counting
    every match; next pages still work and the Link header has no last page."""
    from eagov.web import pagination

    for i in range(7):
        _unit(admin, f"Unit {i}")
    monkeypatch.setattr(pagination, "COUNT_LIMIT", 4)
    first = admin.get("/org-units?per_page=2")
    assert first.json["total"] == 4 and first.json["total_exact"] is False
    assert len(first.json["items"]) == 2
    assert set(links(first)) == {"first", "next"}
    # Beyond the limit the count reaches the end of the page asked for.
    deep = admin.get("/org-units?per_page=2&page=3")
    assert deep.json["total"] == 6 and deep.json["total_exact"] is False
    assert "next" in links(deep) and "last" not in links(deep)
    last = admin.get("/org-units?per_page=2&page=4")
    assert last.json["total"] == 7 and last.json["total_exact"] is True
    assert len(last.json["items"]) == 1
    assert "next" not in links(last) and links(last)["last"]["page"] == "4"
    monkeypatch.setattr(pagination, "COUNT_LIMIT", 1000)
    exact = admin.get("/org-units?per_page=2")
    assert exact.json["total"] == 7 and exact.json["total_exact"] is True
