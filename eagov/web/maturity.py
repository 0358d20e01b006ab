"""Maturity models and assessments (pages)."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import login_required

bp = Blueprint("maturity", __name__)


@bp.route("/maturity/")
@login_required
def list_assessments() -> str:  # placeholder until the area lands
    return render_template("areas/area.html", title="maturity", blurb="")
