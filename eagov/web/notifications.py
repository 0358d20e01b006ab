"""Your notifications inbox and delivery preferences (pages), the unread badge in the
navigation bar, and the one-click unsubscribe link of the e-mails (no login: the signed
link is the credential)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from pydantic import ValidationError
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.wrappers import Response

from ..auth import current_actor, permission_required
from ..db import get_session
from ..errors import field_errors
from ..labels import label
from ..models import utcnow
from ..models.reminders import DeliveryMode, ReminderKind
from ..schemas.notifications import PreferenceIn, PreferencesIn
from ..security import csrf
from ..services import delivery
from .pagination import page_args

bp = Blueprint("notifications", __name__, url_prefix="/notifications")


@bp.app_context_processor
def _unread_badge() -> dict[str, Any]:
    def inbox_unread() -> int:
        # One COUNT per request, and only on pages that show the navigation bar.
        if "inbox_unread" not in g:
            g.inbox_unread = 0
            if current_user.is_authenticated:
                try:
                    g.inbox_unread = delivery.unread_count(get_session(), current_user.id)
                except SQLAlchemyError:  # an error page must render without the database
                    get_session().rollback()
        return int(g.inbox_unread)

    return {"inbox_unread": inbox_unread}


@bp.get("")
@login_required
@permission_required("notifications.own")
def inbox() -> str:
    page, per_page = page_args()
    unread_only = request.args.get("unread") == "1"
    found = delivery.inbox(get_session(), current_actor(), page, per_page, unread=unread_only)
    return render_template("notifications/inbox.html", page=found, unread_only=unread_only)


@bp.post("/<int:notification_id>/read")
@login_required
@permission_required("notifications.own")
def mark_read(notification_id: int) -> Response:
    read = request.form.get("read", "1") != "0"
    item = delivery.mark_read(get_session(), current_actor(), notification_id, utcnow(), read)
    if read and request.form.get("follow") and item.link.startswith("/"):
        return redirect(item.link)
    return redirect(url_for(".inbox", page=request.form.get("page", 1, type=int)))


@bp.post("/read-all")
@login_required
@permission_required("notifications.own")
def mark_all_read() -> Response:
    count = delivery.mark_all_read(get_session(), current_actor(), utcnow())
    flash(_("%(num)s notifications marked as read.", num=count), "success")
    return redirect(url_for(".inbox"))


@bp.route("/preferences", methods=["GET", "POST"])
@login_required
@permission_required("notifications.own")
def preferences() -> Response | tuple[str, int] | str:
    session, actor = get_session(), current_actor()
    if request.method == "GET":
        return _preferences_page(delivery.preferences(session, actor))
    try:
        data = PreferencesIn(
            preferences=[
                PreferenceIn.model_validate(
                    {
                        "kind": kind.value,
                        "mode": request.form.get(f"mode_{kind.value}", DeliveryMode.IMMEDIATE),
                        "email_enabled": request.form.get(f"email_{kind.value}") == "on",
                    }
                )
                for kind in ReminderKind
            ]
        )
    except ValidationError as exc:
        errors = field_errors(exc)
        return _preferences_page(delivery.preferences(session, actor), errors), 422
    delivery.save_preferences(session, actor, data)
    flash(_("Your notification settings were saved."), "success")
    return redirect(url_for(".preferences"))


def _preferences_page(prefs: list[Any], errors: dict[str, str] | None = None) -> str:
    modes = [(m.value, str(label(m.value))) for m in DeliveryMode]
    return render_template(
        "notifications/preferences.html", prefs=prefs, modes=modes, errors=errors or {}
    )


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt  # RFC 8058 one-click: mail clients POST without a form; the token is the credential
def unsubscribe(token: str) -> Response | tuple[str, int] | str:
    found = delivery.read_unsubscribe_token(str(current_app.config["SECRET_KEY"]), token)
    if found is None:
        return render_template("notifications/unsubscribe.html", invalid=True), 404
    user_id, kind = found
    if request.method == "GET":
        # A GET only asks: link scanners in mail systems open links without anyone clicking.
        return render_template("notifications/unsubscribe.html", kind=kind, done=False)
    delivery.unsubscribe(get_session(), user_id, kind)
    return render_template("notifications/unsubscribe.html", kind=kind, done=True)
