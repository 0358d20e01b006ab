"""Dispensations through the API: requests from a finding or a rejected review, the board's
grant (expiry mandatory and bounded by DISPENSATION_MAX_MONTHS), refusal and revocation
with reasons, If-Match, expiry that reopens the cycle, renewals and the recurring view."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from apihelp import Api, assert_problem, created
from contract_factory import make_cast
from contracthelp import clients
from test_api_reviews import BASELINE, items_of, walk

from eagov.permissions import SYSTEM
from eagov.services import checklists, dispensations


@pytest.fixture
def cast(session):
    return make_cast(session)


@pytest.fixture
def api(client, session, cast):
    return clients(client, session, cast)


@pytest.fixture
def library(session):
    return checklists.import_library(session, SYSTEM, BASELINE.read_bytes())


def days(n: int) -> str:
    return (date.today() + timedelta(days=n)).isoformat()


@pytest.fixture
def rejected(api, cast, library) -> dict[str, Any]:
    review = walk(api, cast, library.id, "signed_off")
    assert review["decision"] == "rejected"
    return review


def ask(api: dict[str, Api], review: dict[str, Any], **over: Any) -> Any:
    ref = items_of(api, review["id"])[0]["reference"]
    body = {
        "review_id": review["id"],
        "item_references": [ref],
        "standards": ["TLS policy"],
        "justification": "The legacy switch cannot do TLS 1.3 before its replacement.",
        "conditions": "Traffic stays inside the data centre.",
        "requested_expiry": days(60),
    } | over
    return api["lead"].post("/dispensations", json=body)


def decide(api: dict[str, Api], who: str, item: dict[str, Any], action: str, **body: Any) -> Any:
    return api[who].post(
        f"/dispensations/{item['id']}/{action}",
        json=body,
        headers={"If-Match": f'"{item["version"]}"'},
    )


def test_request_and_grant(api, cast, rejected):
    resp = ask(api, rejected)
    item = created(resp)
    assert item["reference"].startswith("DSP-") and item["state"] == "requested"
    assert resp.headers["Location"] == f"/api/v1/dispensations/{item['id']}"
    assert api["viewer"].get(f"/dispensations/{item['id']}").json == item

    assert_problem(decide(api, "lead", item, "grant", expires_on=days(60)), 403)
    assert_problem(
        api["chair"].post(f"/dispensations/{item['id']}/grant", json={"expires_on": days(60)}),
        428,
    )
    no_expiry = assert_problem(decide(api, "chair", item, "grant"), 422)
    assert "expires_on" in no_expiry["errors"]
    past = assert_problem(decide(api, "chair", item, "grant", expires_on=days(-1)), 422)
    assert "expires_on" in past["errors"]
    too_far = assert_problem(decide(api, "chair", item, "grant", expires_on=days(400)), 422)
    assert "expires_on" in too_far["errors"]
    assert_problem(decide(api, "chair", item, "grant", expires_on="soon"), 422)

    granted = decide(api, "chair", item, "grant", expires_on=days(60), note="Until spring.")
    assert granted.status_code == 200, granted.text
    body = granted.json
    assert body["state"] == "granted" and body["expires_on"] == days(60)
    assert body["decided_by_id"] == cast.chair.id and body["decision_note"] == "Until spring."
    assert_problem(decide(api, "chair", item, "refuse", note="Too late."), 412)
    assert_problem(decide(api, "chair", body, "grant", expires_on=days(30)), 409)  # granted already

    review = api["viewer"].get(f"/reviews/{rejected['id']}").json
    assert review["roll_up"]["left_out_waived"] == 1
    waived = [i for i in items_of(api, rejected["id"]) if i["waived"]]
    assert [i["reference"] for i in waived] == item["item_references"]


def test_request_rules(api, cast, library, rejected):
    unknown = assert_problem(ask(api, rejected, item_references=["ZZ-99"]), 422)
    assert "item_references" in unknown["errors"]
    nothing = assert_problem(ask(api, rejected, item_references=[], standards=[]), 422)
    assert "item_references" in nothing["errors"]
    far = assert_problem(ask(api, rejected, requested_expiry=days(400)), 422)
    assert "requested_expiry" in far["errors"]
    assert_problem(ask(api, rejected, justification="short"), 422)
    assert_problem(ask(api, rejected, review_id=424242), 404)
    assert_problem(ask(api, rejected, finding_id=424242), 422)
    viewer = api["viewer"].post(
        "/dispensations",
        json={
            "review_id": rejected["id"],
            "standards": ["TLS policy"],
            "justification": "A long enough justification text.",
            "requested_expiry": days(30),
        },
    )
    assert_problem(viewer, 403)
    # from a review still under way, only with a finding
    open_review = walk(api, cast, library.id, "analysing")
    assert_problem(ask(api, open_review), 409)
    finding = created(
        api["lead"].post(
            f"/reviews/{open_review['id']}/findings",
            json={"severity": "medium", "description": "TLS 1.0 still enabled."},
        )
    )
    created(ask(api, open_review, finding_id=finding["id"]))


def test_the_maximum_comes_from_the_configuration(app, api, rejected):
    app.config["DISPENSATION_MAX_MONTHS"] = 1
    far = assert_problem(ask(api, rejected, requested_expiry=days(45)), 422)
    assert "1" in far["errors"]["requested_expiry"]
    item = created(ask(api, rejected, requested_expiry=days(20)))
    assert_problem(decide(api, "chair", item, "grant", expires_on=days(45)), 422)
    app.config["DISPENSATION_MAX_MONTHS"] = 24
    granted = decide(api, "chair", item, "grant", expires_on=days(500))
    assert granted.status_code == 200, granted.text


def test_refusal_and_revocation_need_reasons(api, rejected):
    first = created(ask(api, rejected))
    no_reason = assert_problem(decide(api, "chair", first, "refuse"), 422)
    assert "note" in no_reason["errors"]
    refused = decide(api, "chair", first, "refuse", note="Realign instead.")
    assert refused.status_code == 200 and refused.json["state"] == "refused"
    assert_problem(decide(api, "chair", refused.json, "revoke", note="Nope."), 409)
    assert_problem(  # a refused one is not renewed
        api["lead"].post(
            f"/dispensations/{first['id']}/renew",
            json={"requested_expiry": days(90), "justification": "Twenty characters at least."},
        ),
        409,
    )

    second = created(ask(api, rejected))
    granted = decide(api, "chair", second, "grant", expires_on=days(60)).json
    assert_problem(decide(api, "lead", granted, "revoke", note="Broken."), 403)
    assert_problem(decide(api, "chair", granted, "revoke"), 422)
    revoked = decide(api, "chair", granted, "revoke", note="The conditions were broken.")
    assert revoked.status_code == 200 and revoked.json["state"] == "revoked"
    assert not any(i["waived"] for i in items_of(api, rejected["id"]))

    states = api["viewer"].get(f"/dispensations?review_id={rejected['id']}&sort=id")
    assert [d["state"] for d in states.json["items"]] == ["refused", "revoked"]
    assert api["viewer"].get("/dispensations?state=refused").json["total"] == 1


def test_expiry_reopens_the_cycle_and_renewal(api, session, rejected):
    item = created(ask(api, rejected, requested_expiry=days(10)))
    decide(api, "chair", item, "grant", expires_on=days(10))
    soon = api["viewer"].get("/dispensations?expiring_within_days=10")
    assert [d["id"] for d in soon.json["items"]] == [item["id"]]
    assert api["viewer"].get("/dispensations?expiring_within_days=9").json["total"] == 0
    assert_problem(api["viewer"].get("/dispensations?expiring_within_days=-1"), 422)

    today = date.today()
    assert dispensations.expire_due(session, SYSTEM, today + timedelta(days=11)) == [
        item["reference"]
    ]
    expired = api["viewer"].get(f"/dispensations/{item['id']}").json
    assert expired["state"] == "expired" and expired["follow_up_review_id"]
    follow_up = api["viewer"].get(f"/reviews/{expired['follow_up_review_id']}").json
    assert follow_up["state"] == "requested" and follow_up["previous_review_id"] == rejected["id"]
    assert item["reference"] in follow_up["scope"]

    renew = api["lead"].post(
        f"/dispensations/{item['id']}/renew",
        json={
            "requested_expiry": days(90),
            "justification": "The replacement slipped by a quarter.",
        },
    )
    renewal = created(renew)
    assert renewal["renewal_of_id"] == item["id"] and renewal["state"] == "requested"
    assert renew.headers["Location"] == f"/api/v1/dispensations/{renewal['id']}"
    assert_problem(
        api["lead"].post(
            f"/dispensations/{item['id']}/renew",
            json={"requested_expiry": days(900), "justification": "Twenty characters at least."},
        ),
        422,
    )

    recurring = api["viewer"].get("/dispensations/recurring")
    assert recurring.status_code == 200, recurring.text
    found = {(r["kind"], r["key"]): r for r in recurring.json["items"]}
    assert found[("standard", "TLS policy")]["count"] == 2
    assert set(found[("standard", "TLS policy")]["references"]) == {
        item["reference"],
        renewal["reference"],
    }
    assert api["viewer"].get("/dispensations/recurring?minimum=3").json["items"] == []
    assert_problem(api["viewer"].get("/dispensations/recurring?minimum=0"), 422)


def test_unknown_dispensations_are_404(api):
    assert_problem(api["viewer"].get("/dispensations/424242"), 404)
    assert_problem(
        api["chair"].post(
            "/dispensations/424242/grant", json={"expires_on": days(5)}, headers={"If-Match": '"1"'}
        ),
        404,
    )
