"""Governance requests and satisfaction surveys (pages)."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import login_required

bp = Blueprint("requests", __name__)


@bp.route("/requests/")
@login_required
def list_requests() -> str:  # placeholder until the area lands
    return render_template("areas/area.html", title="requests", blurb="")
