"""Compliance reviews through the API: each workflow step and its refusals, tailoring,
answers that never overwrite each other (412), the explained overall level and its
override, findings, re-reviews and the filters of the register."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from apihelp import Api, assert_problem, created
from contract_factory import Cast, make_cast
from contracthelp import clients, etag

from eagov.permissions import SYSTEM
from eagov.services import checklists

BASELINE = (
    Path(__file__).resolve().parents[2] / "eagov" / "library" / "checklists" / "baseline.yaml"
)
MEETING = "2026-12-01T09:00:00Z"
STEPS: dict[str, tuple[str, dict[str, Any]]] = {
    "scoped": ("coordinator", {}),
    "tailored": ("lead", {}),
    "scheduled": ("coordinator", {"meeting_at": MEETING}),
    "interviewing": ("lead", {}),
    "analysing": ("lead", {}),
    "report_drafted": ("lead", {"report_summary": "Sound design; two gaps."}),
    "presented": ("lead", {}),
    "signed_off": ("chair", {"decision": "rejected"}),
    "closed": ("coordinator", {}),
}


@pytest.fixture
def cast(session):
    return make_cast(session)


@pytest.fixture
def api(client, session, cast):
    return clients(client, session, cast)


@pytest.fixture
def library(session):
    return checklists.import_library(session, SYSTEM, BASELINE.read_bytes())


def request_body(cast: Cast, **over: Any) -> dict[str, Any]:
    return {
        "title": "Payments hub review",
        "project": "Payments hub",
        "board_id": cast.board_id,
        "checkpoint": "initial_design",
        "org_unit_id": cast.unit_id,
        "scope": "The integration design of the payments hub.",
        "due_date": (date.today() + timedelta(days=30)).isoformat(),
    } | over


def items_of(api: dict[str, Api], review_id: int) -> list[dict[str, Any]]:
    resp = api["viewer"].get(f"/reviews/{review_id}/items?per_page=200")
    assert resp.status_code == 200, resp.text
    return resp.json["items"]  # type: ignore[no-any-return]


def answer_all(api: dict[str, Api], review_id: int, level: str = "conformant") -> None:
    for item in items_of(api, review_id):
        resp = api["lead"].put(
            f"/reviews/items/{item['id']}",
            {"answer": "Checked.", "level": level},
            f'"{item["version"]}"',
        )
        assert resp.status_code == 200, resp.text


def walk(api: dict[str, Api], cast: Cast, library_id: int, target: str) -> dict[str, Any]:
    """A review requested over the API and walked to ``target``, with the security category
    tailored and (before the report) every item answered."""
    review = created(api["viewer"].post("/reviews", json=request_body(cast)))
    rid = review["id"]
    resp = api["coordinator"].post(
        f"/reviews/{rid}/participants",
        json={"person_id": cast.person["lead"], "role": "lead_architect"},
    )
    assert resp.status_code == 200, resp.text
    for state, (who, data) in STEPS.items():
        if state == "tailored":
            tailored = api["lead"].post(
                f"/reviews/{rid}/tailor",
                json={"library_id": library_id, "categories": ["security"]},
            )
            assert tailored.status_code == 200, tailored.text
        if state == "report_drafted":
            answer_all(api, rid)
        resp = api[who].post(f"/reviews/{rid}/advance", json=data)
        assert resp.status_code == 200, resp.text
        review = resp.json
        assert review["state"] == state
        if state == target:
            break
    return review


def step(detail: dict[str, Any], action: str) -> dict[str, Any]:
    return next(s for s in detail["steps"] if s["action"] == action)


# --- request and read ------------------------------------------------------------------------


def test_request_and_read_a_review(api, cast):
    resp = api["viewer"].post("/reviews", json=request_body(cast))
    review = created(resp)
    assert resp.headers["Location"] == f"/api/v1/reviews/{review['id']}"
    assert resp.headers["ETag"] == f'"{review["version"]}"'
    assert review["reference"] == f"CR-{date.today().year}-0001"
    assert review["state"] == "requested" and review["level"] is None
    assert review["roll_up"]["level"] is None and review["roll_up"]["explanation"]
    assert [s["action"] for s in review["steps"]][:2] == ["scope", "tailor"]
    scope = step(review, "scope")
    assert scope["current"] and not scope["allowed"]  # a viewer does not scope
    got = api["coordinator"].get(f"/reviews/{review['id']}")
    assert got.status_code == 200 and step(got.json, "scope")["allowed"]
    assert got.json["progress"] == [] and got.json["participants"] == []


def test_bad_input_is_never_a_500(api, cast):
    bad = assert_problem(api["viewer"].post("/reviews", json=request_body(cast, board_id=999)), 422)
    assert "board_id" in bad["errors"]
    bad = assert_problem(api["viewer"].post("/reviews", json=request_body(cast, extra=1)), 422)
    assert "extra" in bad["errors"]
    assert_problem(api["viewer"].post("/reviews", json=request_body(cast, board_id=2**40)), 422)
    assert_problem(api["viewer"].get("/reviews/424242"), 404)
    assert_problem(api["viewer"].get("/reviews/items/424242"), 404)
    assert_problem(api["viewer"].get("/reviews?level=excellent"), 422)
    assert_problem(api["viewer"].get("/reviews?due_from=2026-02-01&due_to=2026-01-01"), 422)
    assert_problem(api["viewer"].post("/reviews", data="{", content_type="application/json"), 400)
    assert_problem(api["coordinator"].post("/reviews/424242/advance", json={}), 404)


def test_anonymous_is_refused(client):
    resp = client.get("/api/v1/reviews")
    assert resp.status_code == 401


# --- the workflow ------------------------------------------------------------------------------


def test_the_whole_workflow_over_the_api(api, cast, library):
    review = walk(api, cast, library.id, "closed")
    assert review["state"] == "closed" and review["decision"] == "rejected"
    assert review["closed_at"] and review["signed_off_at"]
    assert all(s["done"] for s in review["steps"])
    assert_problem(api["coordinator"].post(f"/reviews/{review['id']}/advance", json={}), 409)


def test_each_step_refuses_the_wrong_actor_and_missing_input(api, cast, library):
    review = created(api["viewer"].post("/reviews", json=request_body(cast)))
    rid = review["id"]
    assert_problem(api["viewer"].post(f"/reviews/{rid}/advance", json={}), 403)
    assert_problem(api["lead"].post(f"/reviews/{rid}/advance", json={}), 403)
    missing = assert_problem(api["coordinator"].post(f"/reviews/{rid}/advance", json={}), 422)
    assert "participants" in missing["errors"]
    assert_problem(
        api["viewer"].post(
            f"/reviews/{rid}/participants",
            json={"person_id": cast.person["lead"], "role": "lead_architect"},
        ),
        403,
    )
    assert_problem(
        api["coordinator"].post(
            f"/reviews/{rid}/participants", json={"person_id": 999, "role": "architect"}
        ),
        404,
    )
    assert_problem(
        api["coordinator"].post(
            f"/reviews/{rid}/participants",
            json={"person_id": cast.person["lead"], "role": "wizard"},
        ),
        422,
    )

    review = walk(api, cast, library.id, "scoped")
    rid = review["id"]
    nothing = assert_problem(api["lead"].post(f"/reviews/{rid}/advance", json={}), 422)
    assert "items" in nothing["errors"]

    review = walk(api, cast, library.id, "tailored")
    rid = review["id"]
    need = assert_problem(api["coordinator"].post(f"/reviews/{rid}/advance", json={}), 422)
    assert "meeting_at" in need["errors"]

    review = walk(api, cast, library.id, "analysing")
    rid = review["id"]
    need = assert_problem(
        api["lead"].post(f"/reviews/{rid}/advance", json={"report_summary": "x"}), 422
    )
    assert "items" in need["errors"]

    review = walk(api, cast, library.id, "presented")
    rid = review["id"]
    assert_problem(
        api["coordinator"].post(f"/reviews/{rid}/advance", json={"decision": "accepted"}), 403
    )
    need = assert_problem(
        api["chair"].post(f"/reviews/{rid}/advance", json={"decision": "accepted_with_conditions"}),
        422,
    )
    assert "conditions" in need["errors"]
    assert step(api["chair"].get(f"/reviews/{rid}").json, "sign_off")["allowed"]
    assert not step(api["viewer"].get(f"/reviews/{rid}").json, "sign_off")["allowed"]
    assert_problem(api["chair"].post(f"/reviews/{rid}/advance", json={"decision": "maybe"}), 422)


def test_a_viewer_reads_but_cannot_work_on_a_review(api, cast, library):
    review = walk(api, cast, library.id, "interviewing")
    rid = review["id"]
    item = items_of(api, rid)[0]
    assert api["viewer"].get(f"/reviews/{rid}").status_code == 200
    assert_problem(api["viewer"].post(f"/reviews/{rid}/advance", json={}), 403)
    assert_problem(
        api["viewer"].put(f"/reviews/items/{item['id']}", {"level": "compliant"}, etag_of(item)),
        403,
    )
    assert_problem(
        api["viewer"].post(
            f"/reviews/{rid}/findings", json={"severity": "low", "description": "Looks odd."}
        ),
        403,
    )
    assert_problem(
        api["viewer"].post(f"/reviews/{rid}/tailor", json={"library_id": library.id}), 403
    )


def etag_of(item: dict[str, Any]) -> str:
    return f'"{item["version"]}"'


# --- tailoring and answers -------------------------------------------------------------------


def test_tailoring_and_custom_items(api, cast, library):
    review = walk(api, cast, library.id, "scoped")
    rid = review["id"]
    resp = api["lead"].post(
        f"/reviews/{rid}/tailor", json={"library_id": library.id, "references": ["HW-01", "SEC-02"]}
    )
    assert resp.status_code == 200, resp.text
    added = resp.json["added"]
    assert [i["reference"] for i in added] == ["HW-01", "SEC-02"]
    assert added[0]["question"]["zh_Hans"] and added[0]["waived"] is False
    again = assert_problem(
        api["lead"].post(
            f"/reviews/{rid}/tailor", json={"library_id": library.id, "references": ["HW-01"]}
        ),
        422,
    )
    assert "items" in again["errors"]
    missing = assert_problem(
        api["lead"].post(f"/reviews/{rid}/tailor", json={"library_id": 999}), 422
    )
    assert "library_id" in missing["errors"]

    custom = api["lead"].post(
        f"/reviews/{rid}/items",
        json={
            "category_key": "payments",
            "category_title": "Payments",
            "question": "Does the hub settle in real time?",
        },
    )
    item = created(custom)
    assert item["reference"] == "CUS-01" and item["library_item_id"] is None
    assert custom.headers["Location"] == f"/api/v1/reviews/items/{item['id']}"
    assert_problem(
        api["lead"].post(
            f"/reviews/{rid}/items",
            json={"category_key": "Bad Key", "category_title": "P", "question": "Why?"},
        ),
        422,
    )
    listed = api["viewer"].get(f"/reviews/{rid}/items?category_key=payments")
    assert [i["reference"] for i in listed.json["items"]] == ["CUS-01"]
    detail = api["viewer"].get(f"/reviews/{rid}").json
    assert {p["key"] for p in detail["progress"]} >= {"payments"}

    walked = walk(api, cast, library.id, "scheduled")
    assert_problem(
        api["lead"].post(f"/reviews/{walked['id']}/tailor", json={"library_id": library.id}), 409
    )


def test_answers_need_if_match_and_never_overwrite(api, cast, library):
    review = walk(api, cast, library.id, "interviewing")
    rid = review["id"]
    item = items_of(api, rid)[0]
    path = f"/reviews/items/{item['id']}"
    got = api["lead"].get(path)
    tag = etag(got)
    assert_problem(api["lead"].put(path, {"level": "compliant"}), 428)
    assert_problem(api["lead"].put(path, {"level": "compliant"}, "*"), 428)
    first = api["lead"].put(path, {"level": "compliant", "answer": "Roles in IAM."}, tag)
    assert first.status_code == 200, first.text
    assert first.json["level"] == "compliant" and first.json["answered_by_id"] == cast.lead.id
    assert first.headers["ETag"] != tag
    stale = assert_problem(api["coordinator"].put(path, {"level": "conformant"}, tag), 412)
    assert stale["current_version"] == first.json["version"]
    assert api["viewer"].get(path).json["level"] == "compliant"
    assert_problem(api["lead"].put(path, {"evidence_link": "ftp://x"}, first.headers["ETag"]), 422)
    assert_problem(api["lead"].put(path, {"level": "great"}, first.headers["ETag"]), 422)
    answered = api["viewer"].get(f"/reviews/{rid}/items?answered=true")
    assert [i["id"] for i in answered.json["items"]] == [item["id"]]


def test_the_overall_level_is_explained_and_overridden(api, cast, library):
    review = walk(api, cast, library.id, "interviewing")
    rid = review["id"]
    items = items_of(api, rid)
    for item, level in zip(items[:2], ("compliant", "irrelevant"), strict=True):
        resp = api["lead"].put(f"/reviews/items/{item['id']}", {"level": level}, etag_of(item))
        assert resp.status_code == 200, resp.text
    detail = api["viewer"].get(f"/reviews/{rid}").json
    roll = detail["roll_up"]
    assert detail["level"] == detail["computed_level"] == "compliant"
    assert roll["level"] == "compliant" and roll["deciding"] == [items[0]["reference"]]
    assert roll["provisional"] and roll["left_out_irrelevant"] == 1 and roll["counted"] == 1
    [security] = detail["progress"]
    assert security["answered"] == 2 and security["total"] == len(items)
    assert api["viewer"].get("/reviews?level=compliant").json["total"] == 1
    assert api["viewer"].get("/reviews?level=conformant").json["total"] == 0

    justification = {"level": "conformant", "justification": "Covered by the vendor's roadmap."}
    assert_problem(api["coordinator"].post(f"/reviews/{rid}/override", json=justification), 403)
    short = assert_problem(
        api["lead"].post(
            f"/reviews/{rid}/override", json={"level": "conformant", "justification": "because"}
        ),
        422,
    )
    assert "justification" in short["errors"]
    resp = api["lead"].post(f"/reviews/{rid}/override", json=justification)
    assert resp.status_code == 200, resp.text
    assert resp.json["level"] == "conformant" and resp.json["computed_level"] == "compliant"
    assert resp.json["override_justification"].startswith("Covered")
    assert api["viewer"].get("/reviews?level=conformant").json["total"] == 1


def test_register_filters(api, cast, library, session):
    walk(api, cast, library.id, "scoped")
    created(api["viewer"].post("/reviews", json=request_body(cast, title="Data lake review")))
    other = make_cast(session, tag="2")
    created(
        api["viewer"].post(
            "/reviews",
            json=request_body(cast, board_id=other.board_id, checkpoint="periodic", due_date=None),
        )
    )
    r = api["viewer"].get
    assert r("/reviews").json["total"] == 3
    assert r("/reviews?state=scoped").json["total"] == 1
    assert r("/reviews?checkpoint=periodic").json["total"] == 1
    assert r(f"/reviews?board_id={other.board_id}").json["total"] == 1
    assert r("/reviews?q=LAKE").json["total"] == 1
    assert r(f"/reviews?q=CR-{date.today().year}").json["total"] == 3
    soon = (date.today() + timedelta(days=30)).isoformat()
    assert r(f"/reviews?due_from={soon}&due_to={soon}").json["total"] == 2
    titles = [i["title"] for i in r("/reviews?sort=title").json["items"]]
    assert titles == sorted(titles)
    assert_problem(r("/reviews?state=lost"), 422)
    assert_problem(r("/reviews?sort=scope"), 422)
    assert_problem(r("/reviews?colour=red"), 422)


# --- findings ----------------------------------------------------------------------------------


def test_findings_go_to_verified_closure(api, cast, library):
    review = walk(api, cast, library.id, "analysing")
    rid = review["id"]
    ref = items_of(api, rid)[0]["reference"]
    body = {
        "severity": "high",
        "description": "Keys are kept in the code.",
        "recommendation": "Move them to the vault.",
        "item_references": [ref],
        "owner_id": cast.person["partner"],
        "due_date": (date.today() + timedelta(days=30)).isoformat(),
    }
    resp = api["lead"].post(f"/reviews/{rid}/findings", json=body)
    finding = created(resp)
    assert finding["number"] == 1 and finding["status"] == "open"
    assert resp.headers["Location"] == f"/api/v1/findings/{finding['id']}"
    unknown = assert_problem(
        api["lead"].post(f"/reviews/{rid}/findings", json=body | {"item_references": ["ZZ-99"]}),
        422,
    )
    assert "item_references" in unknown["errors"]
    assert_problem(
        api["lead"].post(f"/reviews/{rid}/findings", json=body | {"severity": "dire"}), 422
    )

    path = f"/findings/{finding['id']}/move"
    tag = f'"{finding["version"]}"'
    assert_problem(api["partner"].post(path, json={"status": "in_progress"}), 428)
    moved = api["partner"].post(path, json={"status": "in_progress"}, headers={"If-Match": tag})
    assert moved.status_code == 200, moved.text
    assert_problem(
        api["partner"].post(path, json={"status": "resolved"}, headers={"If-Match": tag}), 412
    )
    tag = moved.headers["ETag"]
    assert_problem(
        api["outsider"].post(path, json={"status": "resolved"}, headers={"If-Match": tag}), 403
    )
    resolved = api["partner"].post(path, json={"status": "resolved"}, headers={"If-Match": tag})
    tag = resolved.headers["ETag"]
    assert_problem(  # the owner cannot verify their own fix
        api["partner"].post(path, json={"status": "verified"}, headers={"If-Match": tag}), 403
    )
    done = api["lead"].post(path, json={"status": "verified"}, headers={"If-Match": tag})
    assert done.status_code == 200 and done.json["verified_by_id"] == cast.lead.id
    assert_problem(
        api["lead"].post(path, json={"status": "open"}, headers={"If-Match": done.headers["ETag"]}),
        409,
    )

    listed = api["viewer"].get(f"/findings?review_id={rid}&status=verified")
    assert [f["id"] for f in listed.json["items"]] == [finding["id"]]
    assert api["viewer"].get(f"/findings?owner_id={cast.person['lead']}").json["total"] == 0
    assert api["viewer"].get(f"/findings/{finding['id']}").json["status"] == "verified"
    assert_problem(api["viewer"].get("/findings/999"), 404)
    assert_problem(api["viewer"].get("/findings?status=gone"), 422)


# --- re-review ---------------------------------------------------------------------------------


def test_rereview_and_comparison(api, cast, library):
    review = walk(api, cast, library.id, "presented")
    rid = review["id"]
    assert_problem(api["coordinator"].post(f"/reviews/{rid}/rereview", json={}), 409)
    assert_problem(api["viewer"].get(f"/reviews/{rid}/comparison"), 404)
    resp = api["chair"].post(f"/reviews/{rid}/advance", json={"decision": "rejected"})
    assert resp.status_code == 200
    assert_problem(api["lead"].post(f"/reviews/{rid}/rereview", json={}), 403)
    resp = api["coordinator"].post(f"/reviews/{rid}/rereview", json={})
    new = created(resp)
    assert new["previous_review_id"] == rid and new["state"] == "requested"
    assert new["checkpoint"] == "periodic"
    assert [p["role"] for p in new["participants"]] == ["lead_architect"]
    new_items = items_of(api, new["id"])
    assert new_items and all(i["level"] is None for i in new_items)
    comparison = api["viewer"].get(f"/reviews/{new['id']}/comparison")
    assert comparison.status_code == 200, comparison.text
    body = comparison.json
    assert body["previous_review_id"] == rid
    assert body["new"] == [] and body["removed"] == [] and body["changed"] == []
    assert [t["reference"] for t in body["trend"]] == [review["reference"], new["reference"]]
    assert body["trend"][0]["level"] == "conformant"
    # a review signed off no longer changes
    assert_problem(
        api["lead"].post(
            f"/reviews/{rid}/override",
            json={"level": "compliant", "justification": "Too late for this, really."},
        ),
        409,
    )


def test_the_openapi_document_lists_the_review_operations(client):
    doc = client.get("/api/v1/openapi.json").json
    tags = {t["name"] for t in doc["tags"]}
    assert {"Checklist libraries", "Reviews", "Findings", "Dispensations"} <= tags
    answer = doc["paths"]["/reviews/items/{item_id}"]["put"]
    assert {"412", "428"} <= set(answer["responses"])
    assert "ETag" in answer["responses"]["200"]["headers"]
    params = {p["name"] for p in doc["paths"]["/reviews"]["get"]["parameters"]}
    assert {"state", "checkpoint", "level", "board_id", "due_from", "due_to", "q"} <= params


def test_report_and_responses_download(api, cast, library):
    import csv
    import io

    from docx import Document
    from openpyxl import load_workbook

    review = walk(api, cast, library.id, "signed_off")
    rid = review["id"]
    report = api["viewer"].get(f"/reviews/{rid}/report")
    assert report.status_code == 200 and report.data.startswith(b"PK")
    assert report.headers["Content-Disposition"].endswith('-report.docx"')
    text = "\n".join(p.text for p in Document(io.BytesIO(report.data)).paragraphs)
    assert review["title"] in text and "Compliance review report" in text
    rows = list(
        csv.reader(
            io.StringIO(api["viewer"].get(f"/reviews/{rid}/responses.csv").data.decode("utf-8-sig"))
        )
    )
    items = items_of(api, rid)
    assert len(rows) == len(items) + 1
    xlsx = api["viewer"].get(f"/reviews/{rid}/responses.xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    assert sheet.max_row == len(items) + 1
    assert api["viewer"].get(f"/reviews/{rid}/responses.pdf").status_code == 404
