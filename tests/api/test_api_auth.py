"""Only bearer tokens open the API; a session cookie never does."""

from __future__ import annotations

from datetime import timedelta

from apihelp import Api, as_role, assert_problem
from sqlmodel import select

from eagov.models import AuditEvent, utcnow
from eagov.permissions import SYSTEM
from eagov.schemas.accounts import TokenCreate, UserUpdate
from eagov.services import accounts

UNIT = {"name": "Group", "kind": "enterprise"}


def _challenge(resp) -> str:  # type: ignore[no-untyped-def]
    return resp.headers.get("WWW-Authenticate", "")


def test_request_without_token_gets_401_problem_with_bearer_challenge(client):
    resp = client.get("/api/v1/org-units")
    body = assert_problem(resp, 401)
    assert _challenge(resp).startswith("Bearer")
    assert "Authorization: Bearer" in body["detail"]


def test_other_schemes_and_empty_tokens_are_refused(client, api_token):
    _user, headers = api_token("admin")
    secret = headers["Authorization"].split()[1]
    for value in (f"Basic {secret}", "Bearer", "Bearer   ", secret):
        assert_problem(client.get("/api/v1/org-units", headers={"Authorization": value}), 401)


def test_unknown_token_is_refused_as_invalid(client):
    resp = client.get("/api/v1/org-units", headers={"Authorization": "Bearer eag_not-a-token"})
    assert_problem(resp, 401)
    assert 'error="invalid_token"' in _challenge(resp)


def test_revoked_token_stops_working_at_once(client, api_token):
    api = as_role(client, api_token, "viewer")
    assert api.get("/org-units").status_code == 200
    [token] = api.get("/tokens").json["items"]
    assert api.delete(f"/tokens/{token['id']}").status_code == 204
    assert_problem(api.get("/org-units"), 401)


def test_expired_token_is_refused(client, session, make_user):
    user = make_user("admin")
    _tok, secret = accounts.create_token(
        session,
        SYSTEM,
        TokenCreate(name="old", expires_in_days=1),
        user_id=user.id,
        now=utcnow() - timedelta(days=2),
    )
    resp = client.get("/api/v1/org-units", headers={"Authorization": f"Bearer {secret}"})
    assert_problem(resp, 401)


def test_token_of_disabled_user_is_refused(client, session, api_token):
    user, headers = api_token("viewer")
    accounts.update_user(
        session,
        SYSTEM,
        user.id,
        UserUpdate(name=user.name, roles=["viewer"], is_active=False),
        None,
    )
    assert_problem(client.get("/api/v1/org-units", headers=headers), 401)


def test_session_cookie_alone_is_refused(client, login_as):
    login_as("admin")
    assert client.get("/").status_code == 200  # the cookie is good for pages...
    assert_problem(client.get("/api/v1/org-units"), 401)  # ...but not for the API
    assert_problem(client.post("/api/v1/org-units", json=UNIT), 401)


def test_the_token_decides_who_acts_not_the_cookie(client, login_as, api_token, session):
    login_as("admin")
    viewer = as_role(client, api_token, "viewer")
    assert_problem(viewer.post("/org-units", json=UNIT), 403)

    admin_user, headers = api_token("admin")
    resp = Api(client, headers).post("/org-units", json=UNIT)
    assert resp.status_code == 201, resp.text
    event = session.exec(select(AuditEvent).where(AuditEvent.entity_type == "org_unit")).one()
    assert event.actor_id == admin_user.id


def test_writes_with_a_token_need_no_csrf_token(client, api_token, app):
    assert app.config.get("WTF_CSRF_ENABLED", True)  # CSRF is on for the pages
    resp = as_role(client, api_token, "admin").post("/org-units", json=UNIT)
    assert resp.status_code == 201, resp.text


def test_unknown_api_path_is_a_problem_document(client, api_token):
    assert_problem(as_role(client, api_token, "viewer").get("/no-such-thing"), 404)
