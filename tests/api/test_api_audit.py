"""Reading the audit trail through the API."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from apihelp import Api, as_role, assert_problem, created


@pytest.fixture
def trail(client, api_token):
    """Two editors leave a few events; returns (auditor api, editor ids, unit ids)."""
    editor_one, headers_one = api_token("admin")
    editor_two, headers_two = api_token("review_coordinator")
    one, two = Api(client, headers_one), Api(client, headers_two)
    a = created(one.post("/org-units", json={"name": "A", "kind": "team"}))
    b = created(two.post("/org-units", json={"name": "B", "kind": "team"}))
    assert (
        one.put(f"/org-units/{a['id']}", {"name": "A2", "kind": "team"}, '"1"').status_code == 200
    )
    auditor = as_role(client, api_token, "board_member")  # governance roles may read the trail
    return auditor, (editor_one.id, editor_two.id), (a["id"], b["id"])


def test_list_and_filter_events(trail):
    auditor, (one, two), (a, b) = trail
    units = auditor.get("/audit-events?entity_type=org_unit")
    assert units.status_code == 200, units.text
    actions = [(e["action"], e["entity_id"]) for e in units.json["items"]]
    assert actions == [("update", str(a)), ("create", str(b)), ("create", str(a))]  # newest first
    assert units.json["total"] == 3

    def seqs(query: str) -> list[int]:
        resp = auditor.get(f"/audit-events?entity_type=org_unit&{query}")
        assert resp.status_code == 200, resp.text
        return [e["seq"] for e in resp.json["items"]]

    everything = seqs("")
    assert seqs("sort=seq") == sorted(everything)
    assert len(seqs(f"entity_id={a}")) == 2
    assert len(seqs("action=create")) == 2
    assert len(seqs(f"actor_id={two}")) == 1
    assert len(seqs(f"actor_id={one}")) == 2
    assert len(seqs("actor=coordinator")) == 1  # part of the actor's e-mail

    update = units.json["items"][0]
    assert update["changes"] == {"name": ["A", "A2"]}
    assert update["at"].endswith("Z") and len(update["hash"]) == 64


def test_time_window(trail):
    auditor, _ids, _units = trail
    now = datetime.now(UTC)
    hour = timedelta(hours=1)

    def total(**bounds: datetime) -> int:
        query = "&".join(f"{k}={v.strftime('%Y-%m-%dT%H:%M:%S')}" for k, v in bounds.items())
        resp = auditor.get(f"/audit-events?entity_type=org_unit&{query}")
        assert resp.status_code == 200, resp.text
        return resp.json["total"]

    assert total(since=now - hour) == 3
    assert total(since=now + hour) == 0
    assert total(until=now - hour) == 0
    assert total(since=now - hour, until=now + hour) == 3
    assert "since" in assert_problem(auditor.get("/audit-events?since=yesterday"), 422)["errors"]


def test_get_one_event(trail):
    auditor, _ids, _units = trail
    newest = auditor.get("/audit-events?per_page=1").json["items"][0]
    resp = auditor.get(f"/audit-events/{newest['seq']}")
    assert resp.status_code == 200 and resp.json == newest
    assert "ETag" not in resp.headers  # events never change
    assert_problem(auditor.get("/audit-events/999999"), 404)


def test_reading_the_trail_needs_audit_read(trail, client, api_token):
    _auditor, _ids, _units = trail
    architect = as_role(client, api_token, "architect")
    assert "audit.read" in assert_problem(architect.get("/audit-events"), 403)["detail"]
    assert_problem(architect.get("/audit-events/1"), 403)
