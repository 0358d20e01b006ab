"""Turn domain and HTTP errors into a friendly page, or a problem document under /api/.

Pages show a translated status name and, for our own domain errors, their (translated)
detail; Werkzeug's descriptions are English only and stay off the pages. Problem documents
keep the English ``title`` (stable for programs) while ``detail`` and ``errors`` follow the
request's language (``Accept-Language``, English by default).
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, current_app, g, jsonify, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError

from .errors import DomainError, Invalid, Message, texts

log = logging.getLogger(__name__)

# Status names for the error page (problem documents keep the English names).
STATUS_NAMES: dict[int, Message] = {
    400: _l("Bad request"),
    401: _l("Unauthorized"),
    403: _l("Forbidden"),
    404: _l("Not found"),
    405: _l("Method not allowed"),
    409: _l("Conflict"),
    410: _l("Gone"),
    412: _l("Precondition failed"),
    413: _l("Content too large"),
    415: _l("Unsupported media type"),
    422: _l("Invalid input"),
    428: _l("Precondition required"),
    429: _l("Too many requests"),
    500: _l("Internal server error"),
    503: _l("Service unavailable"),
}


def status_name(code: int, fallback: str = "") -> str:
    name = STATUS_NAMES.get(code)
    return str(name) if name is not None else fallback or str(code)


def wants_problem() -> bool:
    return request.path.startswith("/api/")


def problem(status: int, title: str, detail: Message = "", **extra: Any) -> Response:
    """An RFC 9457 problem document; lazy messages become text in the request's language."""
    if isinstance(extra.get("errors"), dict):
        extra["errors"] = texts(extra["errors"])
    body = {"type": "about:blank", "title": title, "status": status, "detail": str(detail or title)}
    body.update(extra)
    resp = jsonify(body)
    resp.status_code = status
    resp.mimetype = "application/problem+json"
    return resp


def error_page(code: int, detail: Message = "", name: str = "") -> tuple[str, int]:
    return render_template(
        "errors/error.html", code=code, title=status_name(code, name), detail=str(detail)
    ), code


def init_app(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def _domain(exc: DomainError) -> Response | tuple[str, int]:
        extra = dict(exc.extra)
        if isinstance(exc, Invalid):
            extra["errors"] = exc.errors
        if wants_problem():
            return problem(exc.status, exc.title, exc.detail, **extra)
        # A detail that only repeats the (English) title adds nothing to the page.
        detail = "" if exc.detail == exc.title else exc.detail
        return error_page(exc.status, detail, exc.title)

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> Response | tuple[str, int]:
        code = exc.code or 500
        if wants_problem():
            resp = problem(code, exc.name, exc.description or "")
        else:
            html, _code = error_page(code, name=exc.name)
            resp = Response(html, code, mimetype="text/html")
        # A 405 must say which methods the resource has (RFC 9110 section 15.5.6).
        if allowed := getattr(exc, "valid_methods", None):
            resp.headers["Allow"] = ", ".join(allowed)
        return resp

    @app.errorhandler(OperationalError)
    def _db_down(exc: OperationalError) -> Response | tuple[str, int]:
        log.error("database unavailable: %s", exc.orig)
        # The page must render without the database: treat the visitor as signed out for
        # it, or the navigation bar would load the user again and fail inside this handler.
        g._login_user = current_app.login_manager.anonymous_user()  # type: ignore[attr-defined]
        if wants_problem():
            detail = _("The database is not reachable right now. Try again in a moment.")
            return problem(503, "Service unavailable", detail)
        return error_page(503)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Response | tuple[str, int]:
        log.exception("unhandled error")
        if wants_problem():
            err = InternalServerError()
            return problem(500, err.name, _("Something went wrong on our side."))
        return error_page(500)
