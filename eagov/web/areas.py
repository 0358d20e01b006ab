"""Areas of the product that later work fills in; the navigation already leads to them."""

from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask_babel import lazy_gettext as _l
from flask_login import login_required

bp = Blueprint("areas", __name__)

AREAS = {
    "maturity": (
        _l("Maturity assessments"),
        _l("Architecture capability maturity per unit, with targets and trends."),
    ),
    "skills": (_l("Skills framework"), _l("Roles, skills, proficiency and gaps.")),
}


@bp.route("/<any(maturity, skills):area>/")
@login_required
def area(area: str) -> str:
    if area not in AREAS:
        abort(404)
    title, blurb = AREAS[area]
    return render_template("areas/area.html", title=title, blurb=blurb)
