"""Maturity reports: Word, Excel, CSV and JSON downloads of an assessment (pages).

``/maturity/assessments/<id>/report.<docx|xlsx|csv|json>``, in the user's language. Who may
download what is decided by ``exports.maturity_exports.load_report``: anyone who may read the
assessment once it is published; before that, its facilitator and the maturity managers,
with a DRAFT mark.
"""

from __future__ import annotations

from io import BytesIO

from flask import Blueprint, send_file
from flask_babel import get_locale
from flask_login import login_required
from werkzeug.wrappers import Response

from ..auth import current_actor
from ..db import get_session
from ..permissions import require

bp = Blueprint("maturity_exports", __name__, url_prefix="/maturity/assessments")


@bp.before_request
@login_required
def _signed_in() -> None:
    return None


@bp.route("/<int:assessment_id>/report.<any(docx, xlsx, csv, json):fmt>")
def report(assessment_id: int, fmt: str) -> Response:
    """The maturity report of one assessment as a file."""
    from ..exports import maturity_exports as mx

    actor = current_actor()
    require(actor, "maturity.read")
    loaded = mx.load_report(get_session(), actor, assessment_id)
    data, mimetype, name = mx.render(loaded, fmt, locale=str(get_locale() or "en"))
    resp = send_file(
        BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=name, max_age=0
    )
    resp.headers["Cache-Control"] = "private, no-store"
    return resp
