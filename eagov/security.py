"""CSRF, security headers, request limits."""

from __future__ import annotations

import secrets

from flask import Flask, Response, g, request
from flask.sessions import SecureCookieSessionInterface, SessionMixin
from flask_wtf.csrf import CSRFProtect

csrf = CSRFProtect()


class SessionsWithoutStaticRefresh(SecureCookieSessionInterface):
    """Static files never re-send the session cookie.

    Flask refreshes a permanent session's cookie on every response. A stylesheet requested
    by the previous page can then answer after a sign-in or a form post and put the older
    cookie back: the user looks signed out, or a flash message is lost. Pages still refresh.
    """

    def should_set_cookie(self, app: Flask, session: SessionMixin) -> bool:
        if request.endpoint and request.endpoint.endswith("static"):
            return bool(session.modified)
        return super().should_set_cookie(app, session)


def init_app(app: Flask) -> None:
    app.session_interface = SessionsWithoutStaticRefresh()
    csrf.init_app(app)
    app.before_request(_make_nonce)
    app.after_request(_headers)
    app.jinja_env.globals["csp_nonce"] = lambda: g.get("csp_nonce", "")


def _make_nonce() -> None:
    g.csp_nonce = secrets.token_urlsafe(16)


def _headers(response: Response) -> Response:
    nonce = g.get("csp_nonce", "")
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; "
        f"script-src 'self' 'nonce-{nonce}'; "
        "style-src 'self' 'unsafe-inline'; "  # SVG charts and Bootstrap use style attributes
        "img-src 'self' data:; font-src 'self'; connect-src 'self'; "
        "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
    if request.path.startswith(("/api/", "/admin", "/account")):
        response.headers.setdefault("Cache-Control", "no-store")
    return response
