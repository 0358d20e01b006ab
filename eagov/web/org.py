"""Organisation pages: units, org chart, people, positions, boards."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("org", __name__, url_prefix="/org")


# Placeholders until the organisation pages land; the navigation links to these endpoints.
@bp.route("/units")
def units() -> str:
    return ""


@bp.route("/chart")
def chart() -> str:
    return ""


@bp.route("/people")
def people() -> str:
    return ""


@bp.route("/positions")
def positions() -> str:
    return ""


@bp.route("/boards")
def boards() -> str:
    return ""
