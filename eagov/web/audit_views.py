"""The audit log and per-entity history."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("audit", __name__, url_prefix="/audit")


@bp.route("/")
def log() -> str:
    return ""
