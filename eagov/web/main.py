"""Dashboard, health probes and the language switch."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, text
from sqlmodel import select
from werkzeug.wrappers import Response

from ..auth import current_actor
from ..db import engine, get_session
from ..migrations_info import current_revision, head_revision
from ..models import AuditEvent, Board, OrgUnit, Person, User
from ..schemas.accounts import ProfileUpdate
from ..services import accounts
from .safe_redirect import safe_next

bp = Blueprint("main", __name__)


@bp.route("/")
@login_required
def dashboard() -> str:
    s = get_session()
    # One statement for the four totals (the page's statement budget is shared with my_work).
    tables = {"units": OrgUnit, "people": Person, "boards": Board, "users": User}
    totals = s.execute(
        select(
            *(
                select(func.count()).select_from(model).scalar_subquery().label(key)
                for key, model in tables.items()
            )
        )
    ).one()
    counts = dict(totals._mapping)
    recent: list[AuditEvent] = []
    if current_actor().can("audit.read"):
        recent = list(
            s.exec(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(8)).all()  # type: ignore[attr-defined]
        )
    from ..services import review_queries
    from ..services.my_work import my_work

    reviews = review_queries.dashboard(s, current_actor())
    work = my_work(s, current_actor())
    return render_template(
        "main/dashboard.html", counts=counts, recent=recent, reviews=reviews, work=work
    )


@bp.route("/healthz")
def healthz() -> tuple[dict[str, str], int]:
    return {"status": "ok"}, 200


@bp.route("/readyz")
def readyz() -> tuple[dict[str, Any], int]:
    try:
        with engine().connect() as conn:
            conn.execute(text("SELECT 1"))
            current = current_revision(conn)
    except Exception as exc:  # any database failure means "not ready"
        current_app.logger.warning("readiness check failed: %s", exc)
        return {"status": "unavailable", "database": "unreachable"}, 503
    head = head_revision()
    if current != head:
        return {
            "status": "unavailable",
            "database": "reachable",
            "revision": current,
            "expected": head,
        }, 503
    return {"status": "ok", "database": "reachable", "revision": current}, 200


@bp.route("/lang", methods=["POST"])
def switch_language() -> Response:
    code = request.form.get("lang", "")
    if code in current_app.config["LANGUAGES"]:
        session["lang"] = code
        if current_user.is_authenticated:
            user = current_user
            accounts.update_profile(
                get_session(),
                current_actor(),
                ProfileUpdate(name=user.name, locale=code, timezone=user.timezone),
            )
    return redirect(safe_next(request.form.get("next"), url_for("main.dashboard")))
