"""The skills framework and role profiles (pages)."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import login_required

bp = Blueprint("skills", __name__)


@bp.route("/skills/")
@login_required
def framework() -> str:  # placeholder until the area lands
    return render_template("areas/area.html", title="skills", blurb="")
