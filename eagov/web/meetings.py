"""Board meetings and the decision log (pages)."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import login_required

bp = Blueprint("meetings", __name__)


@bp.route("/meetings/")
@login_required
def list_meetings() -> str:  # placeholder until the area lands
    return render_template("areas/area.html", title="meetings", blurb="")


@bp.route("/decisions/")
@login_required
def decision_log() -> str:  # placeholder until the area lands
    return render_template("areas/area.html", title="meetings", blurb="")
