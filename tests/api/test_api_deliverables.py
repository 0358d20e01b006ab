"""Deliverables and metrics through the API: commitments in drafts, progress and evidence on
the version in force, the list across contracts, and who may see what."""

from __future__ import annotations

from datetime import date, timedelta
from io import BytesIO

import pytest
from apihelp import assert_problem, created, links
from contract_factory import activate, make_cast, make_contract
from contracthelp import clients, etag

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture
def cast(session):
    return make_cast(session)


@pytest.fixture
def api(client, session, cast):
    return clients(client, session, cast)


def deliverable_body(**over):  # type: ignore[no-untyped-def]
    body = {
        "title": "Architecture Definition Document",
        "phase": "b_business",
        "kind": "Architecture Definition Document",
        "due_date": (date.today() + timedelta(days=60)).isoformat(),
        "acceptance_criteria": "Approved by the board.",
    }
    return body | over


def items_of(api, contract_id):  # type: ignore[no-untyped-def]
    version = api["viewer"].get(f"/contracts/{contract_id}")
    number = version.json["effective_version"] or version.json["latest_version"]
    return api["viewer"].get(f"/contracts/{contract_id}/versions/{number}").json["deliverables"]


def progress(api, who, item_id, status, **extra):  # type: ignore[no-untyped-def]
    tag = etag(api[who].get(f"/deliverables/{item_id}"))
    return api[who].post(
        f"/deliverables/{item_id}/progress",
        json={"status": status, **extra},
        headers={"If-Match": tag},
    )


def upload(api, who, item_id, data, name="evidence.pdf", tag=None):  # type: ignore[no-untyped-def]
    if tag is None:
        tag = etag(api[who].get(f"/deliverables/{item_id}"))
    return api[who].client.open(
        f"/api/v1/deliverables/{item_id}/evidence",
        method="PUT",
        headers=api[who].headers | {"If-Match": tag},
        data={"file": (BytesIO(data), name)},
        content_type="multipart/form-data",
    )


# --- commitments in the draft ------------------------------------------------------------------


def test_deliverable_crud_on_the_draft(api, cast, session):
    contract = make_contract(session, cast, deliverables_count=0)
    cid = contract.id
    resp = api["coordinator"].post(
        f"/contracts/{cid}/deliverables", json=deliverable_body(owner_id=cast.person["lead"])
    )
    item = created(resp)
    assert resp.headers["Location"] == f"/api/v1/deliverables/{item['id']}"
    assert resp.headers["ETag"] == f'"{item["version"]}"'
    assert item["contract"] == {
        "id": cid,
        "reference": contract.reference,
        "type": "soaw",
        "status": "draft",
    }
    assert item["version_number"] == 1 and item["status"] == "planned"
    assert item["overdue"] is False and item["evidence_name"] is None

    path = f"/deliverables/{item['id']}"
    assert api["viewer"].get(path).json == item
    assert_problem(api["coordinator"].put(path, deliverable_body(title="Renamed")), 428)
    changed = api["coordinator"].put(
        path, deliverable_body(title="Renamed"), f'"{item["version"]}"'
    )
    assert changed.status_code == 200, changed.text
    assert changed.json["title"] == "Renamed" and changed.json["owner_id"] is None
    stale = assert_problem(
        api["coordinator"].put(path, deliverable_body(), f'"{item["version"]}"'), 412
    )
    assert stale["current_version"] == changed.json["version"]
    assert_problem(api["viewer"].put(path, deliverable_body(), changed.headers["ETag"]), 403)
    assert_problem(api["coordinator"].delete(path), 428)
    assert_problem(api["coordinator"].delete(path, f'"{item["version"]}"'), 412)
    assert api["coordinator"].delete(path, changed.headers["ETag"]).status_code == 204
    assert_problem(api["viewer"].get(path), 404)


def test_commitments_of_a_signed_version_do_not_change(api, cast, session):
    contract = activate(session, cast, make_contract(session, cast, deliverables_count=1))
    item = items_of(api, contract.id)[0]
    path = f"/deliverables/{item['id']}"
    tag = f'"{item["version"]}"'
    assert_problem(
        api["coordinator"].post(f"/contracts/{contract.id}/deliverables", json=deliverable_body()),
        409,
    )
    assert_problem(api["coordinator"].put(path, deliverable_body(title="Sneaky"), tag), 409)
    assert_problem(api["coordinator"].delete(path, tag), 409)
    assert api["viewer"].get(path).json["title"] == "Deliverable 1"


@pytest.mark.parametrize(
    "change, field",
    [
        ({"phase": "z_nowhere"}, "phase"),
        ({"due_date": "tomorrow"}, "due_date"),
        ({"owner_id": 99999}, "owner_id"),
        ({"owner_id": 2**31}, "owner_id"),
        ({"title": ""}, "title"),
        ({"status": "accepted"}, "status"),
    ],
)
def test_bad_deliverable_bodies_are_422(api, cast, session, change, field):
    cid = make_contract(session, cast, deliverables_count=0).id
    body = assert_problem(
        api["coordinator"].post(f"/contracts/{cid}/deliverables", json=deliverable_body(**change)),
        422,
    )
    assert field in body["errors"]


# --- progress and evidence on the version in force ---------------------------------------------


def test_progress_flow_and_who_may_move_it(api, cast, session):
    contract = activate(session, cast, make_contract(session, cast, deliverables_count=1))
    item_id = items_of(api, contract.id)[0]["id"]

    resp = progress(api, "lead", item_id, "in_progress", note="Started on it.")
    assert resp.status_code == 200, resp.text
    assert resp.json["status"] == "in_progress" and resp.json["status_note"] == "Started on it."
    assert_problem(progress(api, "lead", item_id, "accepted"), 409)  # not submitted yet
    assert_problem(progress(api, "viewer", item_id, "submitted"), 403)
    assert_problem(progress(api, "coordinator", item_id, "waived"), 403)
    body = assert_problem(
        progress(api, "lead", item_id, "submitted", evidence_link="ftp://example.com/x"), 422
    )
    assert "evidence_link" in body["errors"]
    resp = progress(api, "lead", item_id, "submitted", evidence_link="https://wiki.example.com/add")
    assert resp.status_code == 200, resp.text
    assert resp.json["evidence_link"] == "https://wiki.example.com/add"
    resp = progress(api, "chair", item_id, "accepted")
    assert resp.status_code == 200, resp.text
    assert resp.json["accepted_by_id"] == cast.chair.id and resp.json["accepted_at"].endswith("Z")
    assert_problem(progress(api, "chair", item_id, "in_progress"), 409)  # accepted is final

    path = f"/deliverables/{item_id}/progress"
    assert_problem(api["lead"].post(path, json={"status": "waived"}), 428)
    assert_problem(
        api["chair"].post(path, json={"status": "waived"}, headers={"If-Match": '"1"'}), 412
    )


def test_progress_is_refused_on_a_draft(api, cast, session):
    contract = make_contract(session, cast, deliverables_count=1)
    item_id = items_of(api, contract.id)[0]["id"]
    assert_problem(progress(api, "lead", item_id, "in_progress"), 409)


def test_evidence_upload_and_download(api, cast, session):
    contract = activate(session, cast, make_contract(session, cast, deliverables_count=1))
    item_id = items_of(api, contract.id)[0]["id"]

    resp = upload(api, "lead", item_id, PDF, name="../../ADD final.PDF")
    assert resp.status_code == 200, resp.text
    assert resp.json["evidence_name"] == "ADD final.PDF"
    assert resp.json["evidence_type"] == "application/pdf"
    assert resp.json["evidence_size"] == len(PDF)

    got = api["viewer"].get(f"/deliverables/{item_id}/evidence")
    assert got.status_code == 200
    assert got.data == PDF and got.mimetype == "application/pdf"
    assert got.headers["Content-Disposition"].startswith("attachment")
    assert "no-store" in got.headers["Cache-Control"]
    assert got.headers["X-Content-Type-Options"] == "nosniff"
    got.close()  # the file is streamed from storage

    # Not for people who may not see the contract.
    assert_problem(api["outsider"].get(f"/deliverables/{item_id}/evidence"), 404)
    assert_problem(upload(api, "outsider", item_id, PDF, tag=resp.headers["ETag"]), 404)


def test_evidence_refusals(api, cast, session):
    contract = activate(session, cast, make_contract(session, cast, deliverables_count=1))
    item_id = items_of(api, contract.id)[0]["id"]
    path = f"/deliverables/{item_id}/evidence"
    assert_problem(api["viewer"].get(path), 404)  # nothing uploaded yet

    body = assert_problem(upload(api, "lead", item_id, b"MZ\x90\x00binary", name="tool.exe"), 422)
    assert "file" in body["errors"]
    assert_problem(upload(api, "lead", item_id, b"", name="empty.pdf"), 422)
    assert_problem(upload(api, "viewer", item_id, PDF), 403)
    assert_problem(upload(api, "lead", item_id, PDF, tag='"99"'), 412)
    tag = etag(api["lead"].get(f"/deliverables/{item_id}"))
    assert_problem(api["lead"].put(path, {"file": "data"}, tag), 415)  # JSON is not an upload
    no_file = api["lead"].client.open(
        "/api/v1" + path,
        method="PUT",
        headers=api["lead"].headers | {"If-Match": tag},
        data={"other": "x"},
        content_type="multipart/form-data",
    )
    body = assert_problem(no_file, 422)
    assert "file" in body["errors"]
    no_precondition = api["lead"].client.open(
        "/api/v1" + path,
        method="PUT",
        headers=api["lead"].headers,
        data={"file": (BytesIO(PDF), "a.pdf")},
        content_type="multipart/form-data",
    )
    assert_problem(no_precondition, 428)
    assert api["viewer"].get(f"/deliverables/{item_id}").json["evidence_name"] is None


def test_evidence_on_a_draft_is_409(api, cast, session):
    contract = make_contract(session, cast, deliverables_count=1)
    item_id = items_of(api, contract.id)[0]["id"]
    assert_problem(upload(api, "lead", item_id, PDF), 409)


def test_uploads_beyond_the_limit_are_413(app, api, cast, session):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    contract = activate(session, cast, make_contract(session, cast, deliverables_count=1))
    item_id = items_of(api, contract.id)[0]["id"]
    assert_problem(upload(api, "lead", item_id, PDF + b"x" * 2048), 413)


# --- the list across contracts -------------------------------------------------------------------


def test_list_filters_pages_and_flags(api, cast, session):
    active = activate(session, cast, make_contract(session, cast, deliverables_count=2))
    draft = make_contract(session, cast, deliverables_count=0, title="Draft contract")
    late = created(
        api["coordinator"].post(
            f"/contracts/{draft.id}/deliverables",
            json=deliverable_body(
                title="Late roadmap",
                phase="e_opportunities",
                owner_id=cast.person["partner"],
                due_date=(date.today() - timedelta(days=3)).isoformat(),
            ),
        )
    )

    def titles(query: str) -> list[str]:
        resp = api["viewer"].get("/deliverables" + query)
        assert resp.status_code == 200, resp.text
        return [d["title"] for d in resp.json["items"]]

    assert titles("") == ["Late roadmap", "Deliverable 1", "Deliverable 2"]  # by due date
    assert titles("?sort=-due_date") == ["Deliverable 2", "Deliverable 1", "Late roadmap"]
    assert titles("?overdue=true") == ["Late roadmap"]
    assert titles("?phase=e_opportunities") == ["Late roadmap"]
    assert titles(f"?owner_id={cast.person['lead']}") == ["Deliverable 1", "Deliverable 2"]
    assert titles(f"?contract_id={active.id}") == ["Deliverable 1", "Deliverable 2"]
    assert titles("?status=planned&due_from=" + date.today().isoformat()) == [
        "Deliverable 1",
        "Deliverable 2",
    ]
    end = (date.today() + timedelta(days=30)).isoformat()
    assert titles(f"?due_to={end}") == ["Late roadmap", "Deliverable 1"]

    listed = api["viewer"].get("/deliverables?overdue=true").json["items"][0]
    assert listed["id"] == late["id"] and listed["overdue"] is True
    assert listed["contract"]["reference"] == draft.reference
    assert listed["contract"]["status"] == "draft" and listed["version_number"] == 1

    first = api["viewer"].get("/deliverables?per_page=2")
    assert first.json["total"] == 3 and len(first.json["items"]) == 2
    assert links(first)["next"]["page"] == "2"
    second = api["viewer"].get("/deliverables?per_page=2&page=2")
    assert [d["title"] for d in second.json["items"]] == ["Deliverable 2"]

    # Contributors see the deliverables of the contracts they take part in, and no others.
    assert [d["title"] for d in api["partner"].get("/deliverables").json["items"]] == [
        "Late roadmap",
        "Deliverable 1",
        "Deliverable 2",
    ]  # the partner represents the other party of both contracts
    assert api["outsider"].get("/deliverables").json["total"] == 0
    other = make_cast(session, tag="-2")
    make_contract(session, other, deliverables_count=1)
    assert api["sponsor"].get("/deliverables").json["total"] == 3  # not the other cast's


@pytest.mark.parametrize(
    "query, field",
    [
        ("?due_from=2025-03-01&due_to=2025-02-01", "due_to"),
        ("?due_from=soon", "due_from"),
        ("?phase=z", "phase"),
        ("?status=lost", "status"),
        ("?overdue=perhaps", "overdue"),
        ("?contract_id=99999999999", "contract_id"),
        ("?sort=owner_id", "sort"),
        ("?page=0", "page"),
    ],
)
def test_bad_list_parameters_are_422(api, query, field):
    body = assert_problem(api["viewer"].get("/deliverables" + query), 422)
    assert field in body["errors"]


def test_outsiders_get_404_for_a_deliverable(api, cast, session):
    contract = make_contract(session, cast, deliverables_count=1)
    item = items_of(api, contract.id)[0]
    assert_problem(api["outsider"].get(f"/deliverables/{item['id']}"), 404)
    assert_problem(api["viewer"].get("/deliverables/99999"), 404)
    assert_problem(api["viewer"].get("/deliverables/99999999999"), 404)


# --- metrics ---------------------------------------------------------------------------------


def test_metrics_in_the_draft_and_measured_while_active(api, cast, session):
    contract = make_contract(session, cast, deliverables_count=1)
    cid = contract.id
    resp = api["coordinator"].post(
        f"/contracts/{cid}/metrics", json={"name": "Reuse of services", "target": "60", "unit": "%"}
    )
    metric = created(resp)
    assert resp.headers["Location"] == f"/api/v1/metrics/{metric['id']}"
    assert metric["contract"]["reference"] == contract.reference
    assert metric["measured_value"] is None
    assert api["viewer"].get(f"/metrics/{metric['id']}").json == metric
    assert_problem(api["outsider"].get(f"/metrics/{metric['id']}"), 404)
    body = assert_problem(
        api["coordinator"].post(f"/contracts/{cid}/metrics", json={"name": "X", "target": ""}), 422
    )
    assert {"name", "target"} <= set(body["errors"])
    assert_problem(
        api["viewer"].post(f"/contracts/{cid}/metrics", json={"name": "Xy", "target": "1"}), 403
    )
    assert_problem(
        api["coordinator"].post(f"/metrics/{metric['id']}/measure", json={"measured_value": "10"}),
        409,  # measured only while the contract is in force
    )
    assert api["coordinator"].delete(f"/metrics/{metric['id']}").status_code == 204
    assert_problem(api["viewer"].get(f"/metrics/{metric['id']}"), 404)

    activate(session, cast, contract)
    metrics = api["viewer"].get(f"/contracts/{cid}/versions/1").json["metrics"]
    assert [m["name"] for m in metrics] == ["Systems on the target platform"]
    path = f"/metrics/{metrics[0]['id']}"
    resp = api["coordinator"].post(path + "/measure", json={"measured_value": "42"})
    assert resp.status_code == 200, resp.text
    assert resp.json["measured_value"] == "42" and resp.json["measured_at"].endswith("Z")
    assert_problem(api["coordinator"].post(path + "/measure", json={"measured_value": ""}), 422)
    assert_problem(api["coordinator"].delete(path), 409)  # part of the signed content
    assert_problem(
        api["coordinator"].post(f"/contracts/{cid}/metrics", json={"name": "Late", "target": "1"}),
        409,
    )
    assert_problem(api["viewer"].delete("/metrics/99999"), 403)
    assert_problem(api["coordinator"].delete("/metrics/99999"), 404)
