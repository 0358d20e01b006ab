"""Bearer tokens are the only way into the API: a session cookie alone is refused, so a
page's cookie can never be replayed against the API (which is exempt from CSRF)."""

from __future__ import annotations

from flask import Response, g, request
from flask_babel import lazy_gettext as _l

from ..db import get_session
from ..errors import Message
from ..errors_web import problem
from ..services import accounts
from . import bp

# The description of the API is public; its data is not.
PUBLIC_ENDPOINTS = frozenset({"api.openapi", "api.docs"})


@bp.before_request
def require_token() -> Response | None:
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    secret = secret.strip()
    if scheme.lower() != "bearer" or not secret:
        return _refuse(_l("Send an API token: Authorization: Bearer <token>."), None)
    user = accounts.user_for_token(get_session(), secret)
    if user is None:
        return _refuse(
            _l("The token is unknown, revoked or expired, or its user is disabled."),
            "invalid_token",
        )
    g.api_user = user
    return None


def _refuse(detail: Message, error: str | None) -> Response:
    resp = problem(401, "Unauthorized", detail)
    challenge = 'Bearer realm="eagov"'
    if error:
        challenge += f', error="{error}"'  # RFC 6750: tells the client to get a new token
    resp.headers["WWW-Authenticate"] = challenge
    return resp
