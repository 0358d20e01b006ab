"""Areas of the product that later work fills in; the navigation already leads to them."""

from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask_babel import lazy_gettext as _l
from flask_login import login_required

bp = Blueprint("areas", __name__)

AREAS = {
    "meetings": (_l("Board meetings"), _l("Agendas, decisions, actions and minutes.")),
    "requests": (
        _l("Governance requests"),
        _l("The service desk of the architecture function: intake, triage and resolution."),
    ),
    "maturity": (
        _l("Maturity assessments"),
        _l("Architecture capability maturity per unit, with targets and trends."),
    ),
    "skills": (_l("Skills framework"), _l("Roles, skills, proficiency and gaps.")),
    "calendar": (
        _l("Governance calendar"),
        _l("Meetings, reviews, due dates and expiries in one calendar."),
    ),
}


@bp.route("/<any(meetings, requests, maturity, skills, calendar):area>/")
@login_required
def area(area: str) -> str:
    if area not in AREAS:
        abort(404)
    title, blurb = AREAS[area]
    return render_template("areas/area.html", title=title, blurb=blurb)
