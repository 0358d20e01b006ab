"""Turn domain and HTTP errors into a friendly page, or a problem document under /api/."""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify, render_template, request
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError

from .errors import DomainError, Invalid

log = logging.getLogger(__name__)


def wants_problem() -> bool:
    return request.path.startswith("/api/")


def problem(status: int, title: str, detail: str = "", **extra: object) -> Response:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail or title}
    body.update(extra)
    resp = jsonify(body)
    resp.status_code = status
    resp.mimetype = "application/problem+json"
    return resp


def init_app(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def _domain(exc: DomainError) -> Response | tuple[str, int]:
        extra = dict(exc.extra)
        if isinstance(exc, Invalid):
            extra["errors"] = exc.errors
        if wants_problem():
            return problem(exc.status, exc.title, exc.detail, **extra)
        return render_template(
            "errors/error.html", code=exc.status, title=exc.title, detail=exc.detail
        ), exc.status

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> Response | tuple[str, int]:
        code = exc.code or 500
        if wants_problem():
            return problem(code, exc.name, exc.description or "")
        return render_template(
            "errors/error.html", code=code, title=exc.name, detail=exc.description
        ), code

    @app.errorhandler(OperationalError)
    def _db_down(exc: OperationalError) -> Response | tuple[str, int]:
        log.error("database unavailable: %s", exc.orig)
        detail = "The database is not reachable right now. Try again in a moment."
        if wants_problem():
            return problem(503, "Service unavailable", detail)
        return render_template(
            "errors/error.html", code=503, title="Service unavailable", detail=detail
        ), 503

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Response | tuple[str, int]:
        log.exception("unhandled error")
        err = InternalServerError()
        if wants_problem():
            return problem(500, err.name, "Something went wrong on our side.")
        return render_template(
            "errors/error.html",
            code=500,
            title=err.name,
            detail="Something went wrong on our side.",
        ), 500
