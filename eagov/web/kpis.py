"""The governance KPIs dashboard (pages)."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import login_required

bp = Blueprint("kpis", __name__)


@bp.route("/kpis/")
@login_required
def dashboard() -> str:  # placeholder until the area lands
    return render_template("areas/area.html", title="kpis", blurb="")
