"""Security baseline: every route needs a login, headers, CSRF, redirects, size limits."""

from __future__ import annotations

import pytest
from conftest import csrf_from, login
from werkzeug.routing import AnyConverter, IntegerConverter, Rule

# Endpoints an anonymous visitor may reach, and why.
PUBLIC = {
    "auth.login",  # the way in
    "auth.accept_invite",  # the invitation token is the credential
    "main.healthz",
    "main.readyz",
    "main.switch_language",  # the login page offers both languages
    "auth.logout",  # harmless without a session
    "static",
    "bootstrap.static",
    "api.openapi",  # the API description is public; every API operation needs a token
    "requests.survey",  # the one-time survey link is the credential
    "calendar.feed",  # the secret token in the feed address is the credential
    "notifications.unsubscribe",  # the signed unsubscribe link in an e-mail is the credential
}


def _sample_url(rule: Rule) -> str:
    values = {}
    for arg in rule.arguments:
        converter = rule._converters[arg]
        if isinstance(converter, IntegerConverter):
            values[arg] = 1
        elif isinstance(converter, AnyConverter):
            values[arg] = sorted(converter.items)[0]
        else:
            values[arg] = "x"
    url = rule.build(values, append_unknown=False)
    assert url is not None
    return url[1]


@pytest.fixture
def open_app(app_factory):
    """The app with CSRF off, so that it is the login check that refuses POSTs."""
    return app_factory(WTF_CSRF_ENABLED=False)


def test_every_route_but_the_public_ones_requires_login(open_app):
    client = open_app.test_client()
    checked = 0
    for rule in open_app.url_map.iter_rules():
        if rule.endpoint in PUBLIC:
            continue
        url = _sample_url(rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            resp = client.open(url, method=method)
            checked += 1
            if url.startswith("/api/") and rule.endpoint != "api.docs":
                assert resp.status_code == 401, (method, url, resp.status_code)
            else:
                assert resp.status_code == 302, (method, url, resp.status_code)
                assert resp.headers["Location"].startswith("/login"), (method, url)
    assert checked > 10


def test_public_endpoints_are_few_and_known(open_app):
    endpoints = {r.endpoint for r in open_app.url_map.iter_rules()}
    assert PUBLIC - endpoints <= {"api.openapi"}


def test_security_headers(client):
    resp = client.get("/login")
    csp = resp.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp
    assert (
        "script-src 'self' 'nonce-" in csp
        and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    )
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["Referrer-Policy"] == "same-origin"
    for tag in resp.text.split("<script")[1:]:
        assert "nonce=" in tag.split(">")[0]  # every script carries the nonce


def test_session_cookie_flags(app_factory):
    client = app_factory(SESSION_COOKIE_SECURE=True).test_client()
    resp = client.get("/login")
    cookie = resp.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "Secure" in cookie and "SameSite=Lax" in cookie


def test_forms_refuse_a_missing_csrf_token(client, make_user):
    user = make_user("viewer")
    resp = client.post("/login", data={"email": user.email, "password": "whatever-pass"})
    assert resp.status_code == 400


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/x",
        "/\\evil.example",
        "javascript:alert(1)",
        "http:/evil.example",
        " //evil.example",
    ],
)
def test_login_next_cannot_leave_the_site(client, make_user, target):
    user = make_user("viewer")
    page = client.get("/login", query_string={"next": target})
    resp = client.post(
        "/login",
        data={
            "email": user.email,
            "password": "correct-horse-battery",
            "next": target,
            "csrf_token": csrf_from(page.text),
        },
    )
    assert resp.status_code == 302
    assert resp.headers["Location"] == "/"


def test_login_next_keeps_a_local_path(client, make_user):
    user = make_user("viewer")
    page = client.get("/login?next=/account/")
    resp = client.post(
        "/login",
        data={
            "email": user.email,
            "password": "correct-horse-battery",
            "next": "/account/",
            "csrf_token": csrf_from(page.text),
        },
    )
    assert resp.headers["Location"] == "/account/"


def test_oversized_request_is_refused(client, app, make_user):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    login(client, make_user("viewer").email)
    resp = client.post("/account/", data={"name": "x" * 5000})
    assert resp.status_code == 413


def test_friendly_error_pages(client, login_as):
    login_as("viewer")
    resp = client.get("/no-such-page")
    assert resp.status_code == 404 and "could not find" in resp.text
    assert client.get("/admin/users").status_code == 403


def test_output_is_escaped(client, login_as, session):
    user = login_as("viewer")
    from eagov.permissions import Actor
    from eagov.schemas.accounts import ProfileUpdate
    from eagov.services import accounts

    accounts.update_profile(
        session, Actor.of(user), ProfileUpdate(name="<script>alert(1)</script>")
    )
    page = client.get("/").text
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_forwarded_address_is_trusted_only_when_configured(app_factory, make_user):
    from sqlmodel import Session, select

    from eagov.models import LoginAttempt

    for proxies in (0, 1):
        app = app_factory(TRUSTED_PROXIES=proxies)
        client = app.test_client()
        page = client.get("/login")
        client.post(
            "/login",
            data={
                "email": "nobody@example.com",
                "password": "wrong-password-x",
                "csrf_token": csrf_from(page.text),
            },
            headers={"X-Forwarded-For": "203.0.113.7"},
            environ_base={"REMOTE_ADDR": "10.0.0.2"},
        )
        with Session(app.extensions["eagov.engine"]) as s:
            last = s.exec(select(LoginAttempt).order_by(LoginAttempt.id.desc())).first()
        assert last.address == ("203.0.113.7" if proxies else "10.0.0.2")


def test_static_files_do_not_resend_the_session_cookie(client, make_user):
    login(client, make_user("viewer").email)
    assert "session=" in client.get("/").headers.get("Set-Cookie", "")
    static = client.get("/static/eagov.css")
    assert static.status_code == 200 and "Set-Cookie" not in static.headers
    static.close()
