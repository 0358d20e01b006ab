"""The JSON API under /api/v1: bearer tokens only, problem documents for errors."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.route("/docs")
def docs() -> str:
    return ""


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
