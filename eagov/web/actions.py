"""The board's action tracker (pages)."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import login_required

bp = Blueprint("actions", __name__)


@bp.route("/actions/")
@login_required
def list_actions() -> str:  # placeholder until the area lands
    return render_template("areas/area.html", title="actions", blurb="")


@bp.route("/actions/mine")
@login_required
def my_actions() -> str:  # placeholder until the area lands
    return render_template("areas/area.html", title="actions", blurb="")
