"""Contracts through the API: the register, versions, every transition and its refusals,
immutability of signed content, visibility, and input that must never become a 500."""

from __future__ import annotations

import io
import zipfile
from datetime import date, timedelta

import pytest
from apihelp import assert_problem, created, links
from contract_factory import PASSWORD, activate, make_cast, make_contract
from contracthelp import action, clients, content_of, create_body, etag

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture
def cast(session):
    return make_cast(session)


@pytest.fixture
def api(client, session, cast):
    return clients(client, session, cast)


def sign(api, name, contract_id, capacity, password=PASSWORD):  # type: ignore[no-untyped-def]
    return api[name].post(
        f"/contracts/{contract_id}/sign", json={"capacity": capacity, "password": password}
    )


# --- create, read, edit the draft ------------------------------------------------------------


def test_create_and_read_a_contract(api, cast):
    resp = api["coordinator"].post("/contracts", json=create_body(cast))
    detail = created(resp)
    cid = detail["id"]
    assert resp.headers["Location"] == f"/api/v1/contracts/{cid}"
    assert resp.headers["ETag"] == f'"{detail["version"]}"'
    assert detail["reference"].startswith(f"AC-{date.today().year}-")
    assert detail["status"] == "draft" and detail["type"] == "soaw"
    assert detail["effective_version"] is None and detail["in_force"] is None
    assert detail["latest"]["number"] == 1 and detail["latest"]["state"] == "draft"
    assert detail["title"] == "Customer data platform"
    assert action(detail, "edit")["allowed"]
    submit = action(detail, "submit")  # no deliverables yet
    assert not submit["allowed"] and "deliverable" in submit["reason"]
    assert [s["capacity"] for s in detail["signatories"]] == ["sponsor", "board_chair"]
    assert all(s["signature"] is None for s in detail["signatories"])

    got = api["viewer"].get(f"/contracts/{cid}")
    assert got.status_code == 200 and got.headers["ETag"] == resp.headers["ETag"]
    assert not action(got.json, "edit")["allowed"]  # a viewer reads, does not edit

    version = api["viewer"].get(f"/contracts/{cid}/versions/1")
    assert version.status_code == 200, version.text
    body = version.json
    assert version.headers["ETag"] == f'"{body["version"]}"'
    assert set(body["sections"]) >= {"request_background", "approvals"}
    assert body["hash_frozen"] is False and len(body["content_hash"]) == 64
    assert body["risks"][0]["description"] == "Vendor lock-in"
    assert body["deliverables"] == [] and body["signatures"] == []

    versions = api["viewer"].get(f"/contracts/{cid}/versions")
    assert versions.status_code == 200
    assert [v["number"] for v in versions.json["items"]] == [1]


def test_edit_the_draft_with_if_match(api, cast, session):
    contract = make_contract(session, cast)
    path = f"/contracts/{contract.id}/versions/1"
    got = api["coordinator"].get(path)
    tag, version = etag(got), got.json
    assert_problem(api["coordinator"].put(path, content_of(version, title="No precondition")), 428)

    changed = api["coordinator"].put(path, content_of(version, title="Customer data hub"), tag)
    assert changed.status_code == 200, changed.text
    assert changed.json["title"] == "Customer data hub"
    assert changed.headers["ETag"] != tag
    assert changed.json["content_hash"] != version["content_hash"]  # the hash follows the text

    stale = assert_problem(api["coordinator"].put(path, content_of(version, title="Old"), tag), 412)
    assert stale["current_version"] == changed.json["version"]
    assert_problem(api["viewer"].put(path, content_of(version), changed.headers["ETag"]), 403)
    assert api["viewer"].get(f"/contracts/{contract.id}").json["title"] == "Customer data hub"


def test_signed_contract_refuses_changes_with_409(api, cast, session):
    contract = make_contract(session, cast)
    cid = contract.id
    path = f"/contracts/{cid}/versions/1"
    assert api["coordinator"].post(f"/contracts/{cid}/submit", json={}).status_code == 200
    version = api["coordinator"].get(path)
    body = assert_problem(
        api["coordinator"].put(path, content_of(version.json), etag(version)), 409
    )
    assert "review" in body["detail"].lower()  # in review: return it to draft first

    assert api["chair"].post(f"/contracts/{cid}/approve", json={}).status_code == 200
    version = api["coordinator"].get(path)
    body = assert_problem(
        api["coordinator"].put(path, content_of(version.json, title="Changed"), etag(version)),
        409,
    )
    assert "approved and cannot be changed" in body["detail"].lower()

    assert sign(api, "sponsor", cid, "sponsor").status_code == 200
    assert sign(api, "chair", cid, "board_chair").status_code == 200
    version = api["coordinator"].get(path)
    assert version.json["state"] == "signed" and version.json["hash_frozen"] is True
    body = assert_problem(
        api["coordinator"].put(path, content_of(version.json, title="Changed"), etag(version)),
        409,
    )
    assert "signed and cannot be changed" in body["detail"].lower()
    assert "amendment" in body["detail"]
    # A stale ETag does not turn the refusal into a precondition failure.
    assert_problem(api["coordinator"].put(path, content_of(version.json), '"1"'), 409)
    assert api["coordinator"].get(path).json["title"] == "Customer data platform"


# --- the lifecycle -----------------------------------------------------------------------------


def test_full_lifecycle_with_amendment_and_termination(api, cast, session):
    contract = make_contract(session, cast)
    cid = contract.id

    resp = api["coordinator"].post(f"/contracts/{cid}/submit", json={})
    assert resp.status_code == 200, resp.text
    assert resp.json["status"] == "in_review" and resp.json["latest"]["state"] == "in_review"
    assert resp.headers["ETag"] == f'"{resp.json["version"]}"'

    resp = api["chair"].post(f"/contracts/{cid}/approve", json={})
    assert resp.status_code == 200, resp.text
    assert resp.json["status"] == "approved"
    frozen = resp.json["latest"]["content_hash"]
    assert frozen and len(frozen) == 64
    assert action(resp.json, "sign:board_chair")["allowed"]  # the chair's own capacity
    assert not action(resp.json, "sign:sponsor")["allowed"]

    resp = sign(api, "sponsor", cid, "sponsor")
    assert resp.status_code == 200, resp.text
    assert resp.json["status"] == "approved"  # the chair has not signed yet
    resp = sign(api, "chair", cid, "board_chair")
    assert resp.status_code == 200, resp.text
    detail = resp.json
    assert detail["status"] == "active" and detail["effective_version"] == 1
    assert detail["in_force"]["number"] == 1 and detail["in_force"]["state"] == "signed"
    assert all(s["signature"]["version_hash"] == frozen for s in detail["signatories"])
    assert {s["signature"]["signer_name"] for s in detail["signatories"]} == {
        cast.sponsor.name,
        cast.chair.name,
    }
    signatures = api["viewer"].get(f"/contracts/{cid}/versions/1").json["signatures"]
    assert len(signatures) == 2 and all(s["version_hash"] == frozen for s in signatures)

    # An amendment opens version 2 as a draft; version 1 stays in force.
    resp = api["coordinator"].post(
        f"/contracts/{cid}/amend", json={"change_summary": "Extend the window by a year."}
    )
    assert resp.status_code == 200, resp.text
    detail = resp.json
    assert detail["status"] == "active" and detail["latest_version"] == 2
    assert detail["effective_version"] == 1 and detail["latest"]["state"] == "draft"
    v2 = api["coordinator"].get(f"/contracts/{cid}/versions/2")
    new_end = (date.today() + timedelta(days=730)).isoformat()
    resp = api["coordinator"].put(
        f"/contracts/{cid}/versions/2", content_of(v2.json, window_end=new_end), etag(v2)
    )
    assert resp.status_code == 200, resp.text
    # The version in force cannot be edited while the amendment is open.
    v1 = api["coordinator"].get(f"/contracts/{cid}/versions/1")
    body = assert_problem(
        api["coordinator"].put(f"/contracts/{cid}/versions/1", content_of(v1.json), etag(v1)), 409
    )
    assert "signed" in body["detail"].lower()
    assert_problem(
        api["coordinator"].post(
            f"/contracts/{cid}/amend", json={"change_summary": "Again, once more."}
        ),
        409,
    )

    api["coordinator"].post(f"/contracts/{cid}/submit", json={})
    api["chair"].post(f"/contracts/{cid}/approve", json={})
    sign(api, "sponsor", cid, "sponsor")
    detail = sign(api, "chair", cid, "board_chair").json
    assert detail["effective_version"] == 2 and detail["window_end"] == new_end
    assert api["viewer"].get(f"/contracts/{cid}/versions/1").json["state"] == "superseded"
    versions = api["viewer"].get(f"/contracts/{cid}/versions?sort=-number").json["items"]
    assert [(v["number"], v["state"]) for v in versions] == [(2, "signed"), (1, "superseded")]

    resp = api["chair"].post(
        f"/contracts/{cid}/terminate", json={"reason": "The programme was cancelled."}
    )
    assert resp.status_code == 200, resp.text
    assert resp.json["status"] == "terminated"
    assert resp.json["close_reason"] == "The programme was cancelled."
    assert resp.json["closed_by_id"] == cast.chair.id and resp.json["closed_at"].endswith("Z")
    assert not action(resp.json, "terminate")["allowed"]
    assert_problem(
        api["chair"].post(f"/contracts/{cid}/terminate", json={"reason": "Terminate it twice."}),
        409,
    )


def test_return_to_draft_needs_a_reason(api, cast, session):
    cid = make_contract(session, cast).id
    api["coordinator"].post(f"/contracts/{cid}/submit", json={})
    body = assert_problem(
        api["chair"].post(f"/contracts/{cid}/return-to-draft", json={"reason": "No."}), 422
    )
    assert "reason" in body["errors"]
    assert_problem(api["chair"].post(f"/contracts/{cid}/return-to-draft", json={}), 422)
    assert_problem(
        api["sponsor"].post(
            f"/contracts/{cid}/return-to-draft", json={"reason": "The scope is unclear."}
        ),
        403,
    )
    resp = api["chair"].post(
        f"/contracts/{cid}/return-to-draft", json={"reason": "The scope is unclear."}
    )
    assert resp.status_code == 200, resp.text
    assert resp.json["status"] == "draft" and resp.json["latest"]["state"] == "draft"
    assert action(resp.json, "edit")["allowed"] is False  # the chair does not edit
    assert_problem(
        api["chair"].post(
            f"/contracts/{cid}/return-to-draft", json={"reason": "The scope is unclear."}
        ),
        409,
    )


def test_complete_needs_every_deliverable_done(api, cast, session):
    contract = activate(session, cast, make_contract(session, cast, deliverables_count=1))
    cid = contract.id
    body = assert_problem(
        api["chair"].post(f"/contracts/{cid}/complete", json={"reason": "All work is done."}), 409
    )
    assert "Deliverable 1" in body["detail"]
    item = api["viewer"].get(f"/contracts/{cid}/versions/1").json["deliverables"][0]
    path = f"/deliverables/{item['id']}/progress"
    for who, status in (("lead", "in_progress"), ("lead", "submitted"), ("chair", "accepted")):
        tag = etag(api[who].get(f"/deliverables/{item['id']}"))
        resp = api[who].post(path, json={"status": status}, headers={"If-Match": tag})
        assert resp.status_code == 200, resp.text
    assert_problem(
        api["coordinator"].post(f"/contracts/{cid}/complete", json={"reason": "All work is done."}),
        403,
    )
    resp = api["chair"].post(f"/contracts/{cid}/complete", json={"reason": "All work is done."})
    assert resp.status_code == 200, resp.text
    assert resp.json["status"] == "completed"
    assert not action(resp.json, "amend")["allowed"]


def test_transitions_refused_by_role_and_state(api, cast, session):
    cid = make_contract(session, cast).id
    assert_problem(api["viewer"].post(f"/contracts/{cid}/submit", json={}), 403)
    assert_problem(api["chair"].post(f"/contracts/{cid}/approve", json={}), 409)  # a draft
    assert_problem(sign(api, "sponsor", cid, "sponsor"), 409)  # not approved yet
    assert_problem(
        api["coordinator"].post(
            f"/contracts/{cid}/amend", json={"change_summary": "Not active yet, so no."}
        ),
        409,
    )
    assert_problem(
        api["chair"].post(f"/contracts/{cid}/complete", json={"reason": "Nothing to complete."}),
        409,
    )
    api["coordinator"].post(f"/contracts/{cid}/submit", json={})
    assert_problem(api["coordinator"].post(f"/contracts/{cid}/submit", json={}), 409)
    assert_problem(api["coordinator"].post(f"/contracts/{cid}/approve", json={}), 403)
    assert_problem(api["lead"].post(f"/contracts/{cid}/approve", json={}), 403)
    api["chair"].post(f"/contracts/{cid}/approve", json={})

    assert_problem(sign(api, "chair", cid, "sponsor"), 403)  # not the chair's capacity
    body = assert_problem(sign(api, "sponsor", cid, "sponsor", password="wrong"), 422)
    assert set(body["errors"]) == {"password"}
    body = assert_problem(sign(api, "sponsor", cid, "lead_architect"), 422)  # not for a SoAW
    assert "capacity" in body["errors"]
    body = assert_problem(sign(api, "sponsor", cid, "pope"), 422)
    assert "capacity" in body["errors"]
    body = assert_problem(
        api["sponsor"].post(f"/contracts/{cid}/sign", json={"capacity": "sponsor"}), 422
    )
    assert set(body["errors"]) == {"password"}
    assert sign(api, "sponsor", cid, "sponsor").status_code == 200
    assert_problem(sign(api, "sponsor", cid, "sponsor"), 409)  # not twice
    assert_problem(
        api["sponsor"].post(
            f"/contracts/{cid}/terminate", json={"reason": "The sponsor wants out."}
        ),
        403,
    )
    # Nothing above changed the state.
    detail = api["viewer"].get(f"/contracts/{cid}").json
    assert detail["status"] == "approved"
    assert [s["signature"] is not None for s in detail["signatories"]] == [True, False]


def test_incomplete_draft_cannot_be_submitted(api, cast, session):
    cid = make_contract(session, cast, deliverables_count=0, sections={}).id
    body = assert_problem(api["coordinator"].post(f"/contracts/{cid}/submit", json={}), 422)
    assert {"sections", "deliverables"} <= set(body["errors"])


def test_transition_bodies_are_json(api, cast, session):
    cid = make_contract(session, cast).id
    assert_problem(api["coordinator"].post(f"/contracts/{cid}/submit"), 415)
    assert_problem(
        api["coordinator"].post(
            f"/contracts/{cid}/submit", data="{", content_type="application/json"
        ),
        400,
    )
    body = assert_problem(
        api["coordinator"].post(f"/contracts/{cid}/submit", json={"force": True}), 422
    )
    assert "force" in body["errors"]


# --- visibility ----------------------------------------------------------------------------------


def test_outsiders_get_404_and_see_nothing_in_the_list(api, cast, session):
    contract = make_contract(session, cast)
    cid = contract.id
    for path in (
        f"/contracts/{cid}",
        f"/contracts/{cid}/versions",
        f"/contracts/{cid}/versions/1",
        f"/contracts/{cid}/versions/1/document",
    ):
        assert_problem(api["outsider"].get(path), 404)
    assert_problem(api["outsider"].post(f"/contracts/{cid}/submit", json={}), 403)
    listing = api["outsider"].get("/contracts")
    assert listing.status_code == 200 and listing.json["total"] == 0
    # A sponsor sees the contracts they sponsor, and no others.
    other = make_contract(session, cast, sponsor_id=cast.person["chair"])
    ids = [c["id"] for c in api["sponsor"].get("/contracts").json["items"]]
    assert ids == [cid]
    assert_problem(api["sponsor"].get(f"/contracts/{other.id}"), 404)
    assert api["viewer"].get("/contracts").json["total"] == 2


def test_missing_versions_and_huge_ids_are_404(api, cast, session):
    cid = make_contract(session, cast).id
    assert_problem(api["viewer"].get(f"/contracts/{cid}/versions/2"), 404)
    assert_problem(api["viewer"].get(f"/contracts/{cid}/versions/0"), 404)
    assert_problem(api["viewer"].get("/contracts/99999"), 404)
    assert_problem(api["viewer"].get("/contracts/99999999999999999999"), 404)
    assert_problem(api["viewer"].get(f"/contracts/{cid}/versions/2147483648"), 404)
    assert_problem(api["viewer"].get("/contracts/-1"), 404)


def test_no_token_is_401(client, cast, session):
    cid = make_contract(session, cast).id
    resp = client.get(f"/api/v1/contracts/{cid}")
    assert_problem(resp, 401)
    assert resp.headers["WWW-Authenticate"].startswith("Bearer")


# --- the register: filters, sorting, pages ---------------------------------------------------


def test_list_filters_sorting_and_pages(api, cast, session):
    soaw = make_contract(session, cast, title="Data platform")
    design = make_contract(session, cast, "design_development", title="Integration hub")
    business = make_contract(
        session,
        cast,
        "business_stakeholders",
        title="Retail analytics",
        sponsor_id=cast.person["chair"],
        window_end=date.today() + timedelta(days=20),
    )
    activate(session, cast, business)
    other = make_cast(session, tag="-2")
    far = make_contract(session, other, title="Elsewhere")

    def ids(query: str) -> list[int]:
        resp = api["viewer"].get("/contracts" + query)
        assert resp.status_code == 200, resp.text
        return [c["id"] for c in resp.json["items"]]

    assert ids("") == [soaw.id, design.id, business.id, far.id]  # by reference
    assert ids("?sort=-reference") == [far.id, business.id, design.id, soaw.id]
    assert ids("?sort=title") == [soaw.id, far.id, design.id, business.id]
    assert ids("?type=design_development") == [design.id]
    assert ids("?status=active") == [business.id]
    assert ids("?status=draft&board_id=" + str(other.board_id)) == [far.id]
    assert ids(f"?sponsor_id={cast.person['chair']}") == [business.id]
    assert ids(f"?unit_id={other.unit_id}") == [far.id]
    assert ids(f"?unit_id={cast.business_unit_id}") == [soaw.id, design.id, business.id]
    assert ids("?expiring_within_days=30") == [business.id]
    assert ids("?expiring_within_days=10") == []
    assert ids("?q=HUB") == [design.id]
    assert ids(f"?q={business.reference}") == [business.id]
    assert ids("?q=%25") == []  # % matches itself

    listed = api["viewer"].get("/contracts?q=retail").json["items"][0]
    assert listed["reference"] == business.reference and listed["status"] == "active"
    assert listed["effective_version"] == 1 and listed["title"] == "Retail analytics"
    assert listed["window_end"] == (date.today() + timedelta(days=20)).isoformat()

    first = api["viewer"].get("/contracts?per_page=3&type=")
    assert first.json["total"] == 4 and len(first.json["items"]) == 3
    rel = links(first)
    assert rel["next"]["page"] == "2" and rel["last"]["page"] == "2"
    second = api["viewer"].get("/contracts?per_page=3&page=2")
    assert [c["id"] for c in second.json["items"]] == [far.id]
    assert "next" not in links(second)


@pytest.mark.parametrize(
    "query, field",
    [
        ("?type=lease", "type"),
        ("?status=happy", "status"),
        ("?sort=sponsor_id", "sort"),
        ("?board_id=0", "board_id"),
        ("?board_id=99999999999", "board_id"),
        ("?expiring_within_days=-1", "expiring_within_days"),
        ("?expiring_within_days=soon", "expiring_within_days"),
        ("?per_page=201", "per_page"),
        ("?colour=red", "colour"),
        ("?type=soaw&type=soaw", "type"),
    ],
)
def test_bad_list_parameters_are_422(api, query, field):
    body = assert_problem(api["viewer"].get("/contracts" + query), 422)
    assert field in body["errors"]


# --- bad input never becomes a 500 -----------------------------------------------------------


@pytest.mark.parametrize(
    "change, field",
    [
        ({"type": "lease"}, "type"),
        ({"board_id": 99999}, "board_id"),
        ({"board_id": 2**40}, "board_id"),
        ({"sponsor_id": 2**31}, "sponsor_id"),
        ({"sponsor_id": 99999}, "sponsor_id"),
        ({"sections": {"no_such_section": "x"}}, "sections"),
        ({"window_start": "2025-02-30"}, "window_start"),
        ({"title": "x"}, "title"),
        ({"title": "Nul\x00byte"}, "title"),
        ({"principles": "one"}, "principles"),
        ({"risks": [{"description": "Lock-in", "likelihood": "certain"}]}, "risks.0.likelihood"),
        ({"owner": "me"}, "owner"),
    ],
)
def test_bad_contract_bodies_are_422(api, cast, change, field):
    body = assert_problem(
        api["coordinator"].post("/contracts", json=create_body(cast) | change), 422
    )
    assert field in body["errors"], body


def test_window_ending_before_it_starts_is_422(api, cast, session):
    body = create_body(
        cast,
        window_start=date.today(),
        window_end=date.today() + timedelta(days=1),
    )
    body["window_end"] = (date.today() - timedelta(days=1)).isoformat()
    problem = assert_problem(api["coordinator"].post("/contracts", json=body), 422)
    assert "cannot end before it starts" in " ".join(problem["errors"].values())

    contract = make_contract(session, cast)
    version = api["coordinator"].get(f"/contracts/{contract.id}/versions/1")
    bad = content_of(version.json, window_end="2000-01-01")
    assert_problem(
        api["coordinator"].put(f"/contracts/{contract.id}/versions/1", bad, etag(version)), 422
    )


def test_creating_needs_an_editor(api, cast):
    assert_problem(api["viewer"].post("/contracts", json=create_body(cast)), 403)
    assert_problem(api["sponsor"].post("/contracts", json=create_body(cast)), 403)
    assert api["viewer"].get("/contracts").json["total"] == 0


# --- the Word document -----------------------------------------------------------------------


@pytest.mark.parametrize("signed", [False, True])
def test_document_of_a_version_is_a_docx(api, cast, session, caplog, signed):
    contract = make_contract(session, cast)
    if signed:
        activate(session, cast, contract)
    for query in ("", "?locale=zh_Hans"):
        resp = api["viewer"].get(f"/contracts/{contract.id}/versions/1/document{query}")
        if resp.status_code == 500:  # show what went wrong on the server, not just "500"
            raise next(r.exc_info[1] for r in caplog.records if r.exc_info and r.exc_info[1])
        assert resp.status_code == 200, resp.text
        assert resp.mimetype == DOCX
        assert resp.data.startswith(b"PK")
        assert f"{contract.reference}-v1.docx" in resp.headers["Content-Disposition"]
        with zipfile.ZipFile(io.BytesIO(resp.data)) as docx:
            assert contract.reference in docx.read("word/document.xml").decode()


def test_document_locale_is_checked(api, cast, session):
    contract = make_contract(session, cast)
    path = f"/contracts/{contract.id}/versions/1/document"
    body = assert_problem(api["viewer"].get(path + "?locale=fr"), 422)
    assert "locale" in body["errors"]
    assert_problem(api["viewer"].get(path.replace("/1/", "/7/")), 404)


# --- checking a document that comes back -----------------------------------------------------


def _verify(api, data, name="contract.docx"):  # type: ignore[no-untyped-def]
    return api.client.open(
        "/api/v1/contracts/verify-document",
        method="POST",
        headers=api.headers,
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def _tampered(data: bytes, old: str, new: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            part = src.read(info)
            if info.filename == "word/document.xml":
                assert old.encode() in part
                part = part.replace(old.encode(), new.encode())
            dst.writestr(info, part)
    return out.getvalue()


def test_verify_a_signed_document_and_a_tampered_one(api, cast, session):
    contract = activate(session, cast, make_contract(session, cast))
    docx = api["viewer"].get(f"/contracts/{contract.id}/versions/1/document")
    assert docx.status_code == 200, docx.text

    resp = _verify(api["viewer"], docx.data)
    assert resp.status_code == 200, resp.text
    check = resp.json
    assert check["matches"] is True and check["signed"] is True
    assert check["reference"] == contract.reference and check["version_number"] == 1
    assert check["contract_id"] == contract.id and check["state"] == "signed"
    assert check["document_hash"] == check["version_hash"]
    assert check["signature_hashes_match"] is True and len(check["signers"]) == 2
    assert "ETag" not in resp.headers  # a check is not a resource

    altered = _verify(api["viewer"], _tampered(docx.data, "Customer data", "Customer dada"))
    assert altered.status_code == 200, altered.text
    assert altered.json["matches"] is False and altered.json["reasons"]


def test_verify_refuses_what_it_cannot_check(api, cast, session):
    contract = make_contract(session, cast)
    docx = api["viewer"].get(f"/contracts/{contract.id}/versions/1/document").data
    body = assert_problem(_verify(api["viewer"], b"not a word document", "x.docx"), 422)
    assert "file" in body["errors"]
    # A document of a contract the caller may not see says nothing about it.
    body = assert_problem(_verify(api["outsider"], docx), 422)
    assert "file" in body["errors"]
    assert_problem(api["viewer"].post("/contracts/verify-document", json={"file": "x"}), 415)
    no_file = api["viewer"].client.open(
        "/api/v1/contracts/verify-document",
        method="POST",
        headers=api["viewer"].headers,
        data={"note": "x"},
        content_type="multipart/form-data",
    )
    assert_problem(no_file, 422)
