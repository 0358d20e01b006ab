"""/api/v1/maturity-assessments: the whole flow, hidden scores, versions and the lock."""

from __future__ import annotations

from datetime import date

from apihelp import Api, assert_problem, created
from maturity_factory import make_setup, published

from eagov.permissions import SYSTEM
from eagov.schemas.accounts import TokenCreate
from eagov.services import accounts

BASE = "/maturity-assessments"


def _api(client, session, user) -> Api:
    _tok, secret = accounts.create_token(session, SYSTEM, TokenCreate(name="t"), user_id=user.id)
    return Api(client, {"Authorization": f"Bearer {secret}"})


def test_the_flow_through_the_api(client, session):
    st = make_setup(session, assessors=2)
    coord, fac = _api(client, session, st.coordinator), _api(client, session, st.facilitator)
    first, second = (_api(client, session, u) for u in st.assessors)
    reader = _api(client, session, st.outsider)
    e1, e2, e3 = (e.id for e in st.elements)

    body = created(
        coord.post(
            BASE,
            {
                "model_id": st.model.id,
                "org_unit_id": st.unit_id,
                "assessed_on": "2025-05-01",
                "facilitator_id": st.facilitator.id,
                "assessor_ids": [u.id for u in st.assessors],
            },
        )
    )
    aid = body["id"]
    assert body["reference"].startswith("MA-") and body["state"] == "draft"
    assert_problem(fac.post(f"{BASE}/{aid}/open-scoring", {}), 428)
    assert_problem(fac.post(f"{BASE}/{aid}/open-scoring", {}, headers={"If-Match": '"9"'}), 412)
    assert_problem(reader.post(f"{BASE}/{aid}/open-scoring", {}, headers={"If-Match": '"1"'}), 403)
    opened = fac.post(f"{BASE}/{aid}/open-scoring", {}, headers={"If-Match": '"1"'})
    assert opened.status_code == 200 and opened.json["state"] == "scoring"

    # The first assessor saves a draft and cannot submit it incomplete.
    saved = first.put(f"{BASE}/{aid}/my-scores", {"scores": [{"element_id": e1, "level": 4}]})
    assert saved.status_code == 200 and len(saved.json["scores"]) == 1
    assert_problem(first.post(f"{BASE}/{aid}/my-scores/submit", {}), 422)
    first.put(
        f"{BASE}/{aid}/my-scores",
        {"scores": [{"element_id": e2, "level": 4}, {"element_id": e3, "level": 4}]},
    )
    assert first.post(f"{BASE}/{aid}/my-scores/submit", {}).json["submitted_at"]

    # The second assessor, not yet submitted, sees nobody else's scores anywhere.
    second.put(f"{BASE}/{aid}/my-scores", {"scores": [{"element_id": e1, "level": 1}]})
    mine = second.get(f"{BASE}/{aid}/my-scores").json
    assert [s["level"] for s in mine["scores"]] == [1]
    res = second.get(f"{BASE}/{aid}/results").json
    names = {m["assessor_name"] for e in res["elements"] for m in e["marks"]}
    assert names == {st.assessors[1].name}
    assert all(not e["marks"] for e in reader.get(f"{BASE}/{aid}/results").json["elements"])
    assert_problem(reader.get(f"{BASE}/{aid}/my-scores"), 403)
    assessors = reader.get(f"{BASE}/{aid}/assessors").json["items"]
    assert sorted(a["submitted_at"] is not None for a in assessors) == [False, True]

    second.put(
        f"{BASE}/{aid}/my-scores",
        {
            "scores": [
                {"element_id": e1, "level": 1, "version": mine["scores"][0]["version"]},
                {"element_id": e2, "level": 3},
                {"element_id": e3, "level": 4},
            ]
        },
    )
    second.post(f"{BASE}/{aid}/my-scores/submit", {})

    version = fac.get(f"{BASE}/{aid}").headers["ETag"]
    closed = fac.post(f"{BASE}/{aid}/close-scoring", {}, headers={"If-Match": version})
    assert closed.status_code == 200 and closed.json["state"] == "consolidating"
    res = fac.get(f"{BASE}/{aid}/results").json
    assert [e["level"] for e in res["elements"]] == [2, 3, 4]  # medians rounded down
    assert [e["disagreement"] for e in res["elements"]] == [True, False, False]
    assert res["elements"][0]["spread"] == [1, 4]

    element = fac.get(f"{BASE}/{aid}/elements/{e1}")
    refused = fac.put(
        f"{BASE}/{aid}/elements/{e1}", {"level": 2, "target": 4}, etag=element.headers["ETag"]
    )
    assert "target_rationale" in assert_problem(refused, 422)["errors"]
    ok = fac.put(
        f"{BASE}/{aid}/elements/{e1}",
        {"level": 2, "target": 4, "target_rationale": "Programme needs it"},
        etag=element.headers["ETag"],
    )
    assert ok.status_code == 200 and ok.json["target"] == 4
    stale = fac.put(f"{BASE}/{aid}/elements/{e1}", {"level": 3}, etag=element.headers["ETag"])
    assert_problem(stale, 412)

    version = fac.get(f"{BASE}/{aid}").headers["ETag"]
    done = fac.post(f"{BASE}/{aid}/publish", {}, headers={"If-Match": version})
    assert done.status_code == 200 and done.json["state"] == "published"
    assert done.json["overall_score"] == 3.0 and done.json["overall_level"] == 3
    res = reader.get(f"{BASE}/{aid}/results").json
    assert res["elements"][0]["gap"] == 2 and len(res["elements"][0]["marks"]) == 2
    after = fac.put(
        f"{BASE}/{aid}",
        {"assessed_on": "2025-01-01", "facilitator_id": st.facilitator.id},
        etag=done.headers["ETag"],
    )
    assert_problem(after, 409)


def test_list_and_comparison(client, session):
    st = make_setup(session, assessors=1)
    published(session, st, [[1, 2, 3]], on=date(2024, 1, 1))
    published(session, st, [[2, 2, 3]], on=date(2025, 1, 1))
    reader = _api(client, session, st.outsider)
    listing = reader.get(f"{BASE}?state=published&model_key=acmm&sort=assessed_on").json
    assert [a["assessed_on"] for a in listing["items"]] == ["2024-01-01", "2025-01-01"]
    assert reader.get(f"{BASE}?model_key=other").json["total"] == 0
    assert_problem(reader.get(f"{BASE}?sort=title"), 422)
    cmp = reader.get(f"{BASE}/comparison?model_key=acmm&unit_ids={st.unit_id}").json
    assert cmp["rows"][0]["levels"] == {"e1": 2, "e2": 2, "e3": 3}
    assert_problem(reader.get(f"{BASE}/comparison?unit_ids=x"), 422)
    assert_problem(reader.get(f"{BASE}/999999"), 404)
