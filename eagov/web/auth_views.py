"""Sign in, sign out, accept an invitation."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from ..auth import client_address, end_session, start_session
from ..db import get_session
from ..errors import Invalid
from ..schemas.accounts import InviteAccept
from ..services import accounts
from .forms import FormState
from .safe_redirect import safe_next

bp = Blueprint("auth", __name__)


def _policy() -> accounts.LockoutPolicy:
    cfg = current_app.config
    return accounts.LockoutPolicy(
        window=timedelta(minutes=cfg["LOCKOUT_WINDOW_MINUTES"]),
        max_per_account=cfg["LOCKOUT_MAX_PER_ACCOUNT"],
        max_per_address=cfg["LOCKOUT_MAX_PER_ADDRESS"],
    )


@bp.route("/login", methods=["GET", "POST"])
def login() -> str | Response | tuple[str, int]:
    target = safe_next(request.values.get("next"), url_for("main.dashboard"))
    if current_user.is_authenticated:
        return redirect(target)
    form = FormState(values={"email": request.form.get("email", "")})
    if request.method == "POST":
        try:
            user = accounts.authenticate(
                get_session(),
                request.form.get("email", ""),
                request.form.get("password", ""),
                client_address(),
                _policy(),
            )
        except accounts.LoginRefused as exc:
            form.message = {
                "locked": _(
                    "Too many failed attempts. Sign-in is paused for %(minutes)s minutes.",
                    minutes=current_app.config["LOCKOUT_WINDOW_MINUTES"],
                ),
                "disabled": _("This account is disabled. Ask an administrator."),
            }.get(exc.reason, _("The e-mail address or password is not correct."))
            return render_template("auth/login.html", form=form, next=target), (
                429 if exc.reason == "locked" else 401
            )
        start_session(user)
        return redirect(target)
    return render_template("auth/login.html", form=form, next=target)


@bp.route("/logout", methods=["POST"])
def logout() -> Response:
    end_session()
    flash(_("You are signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/invite/<token>", methods=["GET", "POST"])
def accept_invite(token: str) -> str | Response:
    s = get_session()
    user = accounts.find_invited(s, token)
    form = FormState()
    if request.method == "POST":
        form = FormState.from_request(request.form)
        try:
            if form.values.get("new_password") != form.values.get("confirm_password"):
                raise Invalid(errors={"confirm_password": _("The two passwords differ.")})
            data = form.validate(InviteAccept)
            user = accounts.accept_invite(s, token, data.new_password)
        except Invalid as exc:
            form.fail(exc)
        else:
            start_session(user)
            flash(_("Welcome, %(name)s. Your password is set.", name=user.name), "success")
            return redirect(url_for("main.dashboard"))
        form.values.pop("new_password", None)
        form.values.pop("confirm_password", None)
    return render_template("auth/invite.html", form=form, user=user)
