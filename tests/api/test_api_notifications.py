"""/api/v1/notifications: your inbox (newest first, paginated, unread filter and count, mark
read) and your delivery preferences."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient
from sqlmodel import Session
from test_notifications_pages import add


def test_inbox_newest_first_unread_count_and_mark_read(
    client: FlaskClient, session: Session, api_token: Any, make_user: Any
) -> None:
    me, headers = api_token("viewer")
    add(session, me, 3)
    add(session, make_user("viewer"), title="Not mine")

    listed = client.get("/api/v1/notifications?per_page=2", headers=headers)
    assert listed.status_code == 200
    body = listed.get_json()
    assert body["total"] == 3 and len(body["items"]) == 2
    first, second = body["items"]
    assert first["created_at"] > second["created_at"]
    assert 'rel="next"' in listed.headers["Link"]

    count = client.get("/api/v1/notifications/unread-count", headers=headers)
    assert count.get_json() == {"unread": 3}
    read = client.post(f"/api/v1/notifications/{first['id']}/read", headers=headers, json={})
    assert read.status_code == 200 and read.get_json()["read_at"] is not None
    unread = client.get("/api/v1/notifications?unread=true", headers=headers).get_json()
    assert first["id"] not in [i["id"] for i in unread["items"]] and unread["total"] == 2
    all_read = client.post("/api/v1/notifications/read-all", headers=headers, json={})
    assert all_read.get_json() == {"marked": 2}
    assert client.get("/api/v1/notifications/unread-count", headers=headers).get_json() == {
        "unread": 0
    }


def test_someone_elses_notification_is_a_404(
    client: FlaskClient, session: Session, api_token: Any, make_user: Any
) -> None:
    _me, headers = api_token("viewer")
    (theirs,) = add(session, make_user("viewer"))
    resp = client.post(f"/api/v1/notifications/{theirs.id}/read", headers=headers, json={})
    assert resp.status_code == 404
    assert resp.content_type.startswith("application/problem+json")


def test_preferences_get_and_put(client: FlaskClient, api_token: Any) -> None:
    _me, headers = api_token("viewer")
    got = client.get("/api/v1/notifications/preferences", headers=headers).get_json()
    by_kind = {p["kind"]: p for p in got["preferences"]}
    assert by_kind["action_due"] == {
        "kind": "action_due",
        "mode": "immediate",
        "email_enabled": True,
    }
    put = client.put(
        "/api/v1/notifications/preferences",
        headers=headers,
        json={"preferences": [{"kind": "action_due", "mode": "digest", "email_enabled": False}]},
    )
    assert put.status_code == 200
    by_kind = {p["kind"]: p for p in put.get_json()["preferences"]}
    assert by_kind["action_due"] == {"kind": "action_due", "mode": "digest", "email_enabled": False}
    assert by_kind["deliverable_due"]["mode"] == "immediate"
    bad = client.put(
        "/api/v1/notifications/preferences",
        headers=headers,
        json={"preferences": [{"kind": "nonsense", "mode": "digest"}]},
    )
    assert bad.status_code == 422


def test_needs_a_token(client: FlaskClient) -> None:
    assert client.get("/api/v1/notifications").status_code == 401
