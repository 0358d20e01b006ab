"""/api/v1 reminder rules (CRUD with ETag/If-Match), the scheduler (status, sweep now under
the lease, preview, failed e-mails) and a contract's periodic audits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from apihelp import Api, as_role, assert_problem, created
from contract_factory import activate, make_cast, make_contract

from eagov import scheduler as jobs
from eagov.models import Notification, utcnow
from eagov.services.contract_audits import run_audits

RULE = {
    "kind": "action_due",
    "name": "Actions due",
    "offsets": [3, 1],
    "overdue_every_days": 7,
    "recipients": ["owner"],
    "channel": "both",
}


def test_rules_crud_with_etags(client, api_token):
    api = as_role(client, api_token, "review_coordinator")
    rule = created(api.post("/reminder-rules", json=RULE))
    assert rule["offsets"] == [3, 1] and rule["kind"] == "action_due"
    one = api.get(f"/reminder-rules/{rule['id']}")
    etag = one.headers["ETag"]
    assert etag == f'"{rule["version"]}"'
    assert [r["id"] for r in api.get("/reminder-rules").json["items"]] == [rule["id"]]

    change = {k: v for k, v in RULE.items() if k != "kind"} | {"name": "Actions", "offsets": [2]}
    assert_problem(api.put(f"/reminder-rules/{rule['id']}", change), 428)
    ok = api.put(f"/reminder-rules/{rule['id']}", change, etag=etag)
    assert ok.status_code == 200 and ok.json["name"] == "Actions" and ok.json["offsets"] == [2]
    assert_problem(api.put(f"/reminder-rules/{rule['id']}", change, etag=etag), 412)

    off = api.put(
        f"/reminder-rules/{rule['id']}/enabled", {"enabled": False}, etag=ok.headers["ETag"]
    )
    assert off.status_code == 200 and off.json["enabled"] is False
    assert_problem(api.delete(f"/reminder-rules/{rule['id']}", etag=etag), 412)
    assert api.delete(f"/reminder-rules/{rule['id']}", etag=off.headers["ETag"]).status_code == 204
    assert_problem(api.get(f"/reminder-rules/{rule['id']}"), 404)


def test_rule_input_is_checked(client, api_token):
    api = as_role(client, api_token, "admin")
    bad = assert_problem(api.post("/reminder-rules", json=RULE | {"offsets": [1, 1]}), 422)
    assert "offsets" in str(bad)
    # Meetings take place: they are never overdue.
    wrong = RULE | {"kind": "meeting_upcoming", "recipients": ["attendees"]}
    assert_problem(api.post("/reminder-rules", json=wrong), 422)
    assert_problem(api.post("/reminder-rules", json=RULE | {"kind": "nonsense"}), 422)


def test_permissions(client, api_token):
    reader = as_role(client, api_token, "architect")
    assert reader.get("/reminder-rules").status_code == 200
    assert_problem(reader.post("/reminder-rules", json=RULE), 403)
    assert_problem(reader.post("/reminder-rules/defaults", json={}), 403)
    assert_problem(reader.get("/scheduler"), 403)
    assert_problem(reader.post("/scheduler/sweep", json={}), 403)
    coordinator = as_role(client, api_token, "review_coordinator")
    assert_problem(coordinator.get("/scheduler/failed"), 403)


def test_defaults_status_sweep_and_lease(client, api_token, session):
    api = as_role(client, api_token, "admin")
    added = api.post("/reminder-rules/defaults", json={}).json["items"]
    assert len({r["kind"] for r in added}) == len(added) >= 10
    assert api.post("/reminder-rules/defaults", json={}).json["items"] == []

    swept = api.post("/scheduler/sweep", json={})
    assert swept.status_code == 200 and swept.json["result"]["manual"] is True
    status = {j["job"]: j for j in api.get("/scheduler").json["jobs"]}
    assert set(status) >= {"sweep", "deliver", "digest", "expire", "contract_audit"}
    assert status["sweep"]["last_result"]["manual"] is True
    assert status["sweep"]["lease_owner"] is None
    assert status["expire"]["next_run"] is not None

    assert jobs.acquire_lease(session, "sweep", "sched-9", utcnow(), timedelta(minutes=5))
    busy = assert_problem(api.post("/scheduler/sweep", json={}), 409)
    assert "sched-9" in busy["detail"]
    assert api.get("/scheduler").json["jobs"][0]["lease_owner"] == "sched-9"


def test_preview_and_failed_emails(client, api_token, session, make_user):
    api = as_role(client, api_token, "admin")
    cast = make_cast(session)
    activate(
        session,
        cast,
        make_contract(session, cast, window_end=(datetime.now(UTC) + timedelta(days=12)).date()),
    )
    api.post("/reminder-rules/defaults", json={})
    items = api.get("/scheduler/preview", query_string={"days": 10}).json["items"]
    assert any(i["kind"] == "contract_ending" for i in items), items
    assert [i["due_at"] for i in items] == sorted(i["due_at"] for i in items)
    assert_problem(api.get("/scheduler/preview", query_string={"days": 0}), 422)

    user = make_user("viewer")
    note = Notification(
        kind="action_due",
        subject_type="action",
        subject_id=7,
        occurrence="before:1:2026-12-01",
        user_id=user.id,
        due_at=datetime.now(UTC),
        title="Action due",
        status="failed",
        attempts=5,
        last_error="550",
    )
    session.add(note)
    session.commit()
    page = api.get("/scheduler/failed").json
    assert page["total"] == 1 and page["items"][0]["user_email"] == user.email
    assert api.post(f"/scheduler/failed/{note.id}/retry", json={}).status_code == 200
    assert_problem(api.post(f"/scheduler/failed/{note.id}/retry", json={}), 409)
    assert api.get("/scheduler/failed").json["total"] == 0


def test_contract_audits(client, api_token, session):
    cast = make_cast(session)
    contract = activate(session, cast, make_contract(session, cast))
    run_audits(session, utcnow())
    _user, headers = api_token("review_coordinator")
    body = Api(client, headers).get(f"/contracts/{contract.id}/audits").json
    [audit] = body["items"]
    assert audit["passed"] is False
    failed = [c["check"] for c in audit["checks"] if not c["passed"]]
    assert failed == ["unmeasured_metrics"]
    outsider = Api(client, {"Authorization": _bearer(session, cast.outsider)})
    assert_problem(outsider.get(f"/contracts/{contract.id}/audits"), 404)


def _bearer(session, user) -> str:
    from eagov.permissions import SYSTEM
    from eagov.schemas.accounts import TokenCreate
    from eagov.services import accounts

    _tok, secret = accounts.create_token(session, SYSTEM, TokenCreate(name="t"), user_id=user.id)
    return f"Bearer {secret}"
