"""The governance calendar and personal iCalendar feeds (pages)."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import login_required

bp = Blueprint("calendar", __name__)


@bp.route("/calendar/")
@login_required
def month() -> str:  # placeholder until the area lands
    return render_template("areas/area.html", title="calendar", blurb="")
