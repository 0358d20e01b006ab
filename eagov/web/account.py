"""The signed-in user's own profile, password and API tokens."""

from __future__ import annotations

from typing import cast

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from ..auth import current_actor, refresh_epoch
from ..db import get_session
from ..errors import Invalid
from ..models import User
from ..schemas.accounts import PasswordChange, ProfileUpdate, TokenCreate
from ..services import accounts
from .forms import FormState

bp = Blueprint("account", __name__, url_prefix="/account")


@bp.before_request
@login_required
def _signed_in() -> None:
    return None


@bp.route("/", methods=["GET", "POST"])
def profile() -> str | Response:
    user = cast(User, current_user)
    form = FormState(values={"name": user.name, "locale": user.locale, "timezone": user.timezone})
    if request.method == "POST":
        form = FormState.from_request(request.form)
        try:
            accounts.update_profile(get_session(), current_actor(), form.validate(ProfileUpdate))
        except Invalid as exc:
            form.fail(exc)
        else:
            flash(_("Your profile is saved."), "success")
            return redirect(url_for(".profile"))
    return render_template(
        "account/profile.html", form=form, languages=current_app.config["LANGUAGES"]
    )


@bp.route("/password", methods=["GET", "POST"])
def password() -> str | Response:
    form = FormState()
    if request.method == "POST":
        form = FormState.from_request(request.form)
        try:
            if form.values.get("new_password") != form.values.get("confirm_password"):
                raise Invalid(errors={"confirm_password": _("The two passwords differ.")})
            user = accounts.change_password(
                get_session(), current_actor(), form.validate(PasswordChange)
            )
        except Invalid as exc:
            form.fail(exc)
            form.values = {}
        else:
            refresh_epoch(user)
            flash(_("Password changed. Your other sessions are signed out."), "success")
            return redirect(url_for(".profile"))
    return render_template("account/password.html", form=form)


@bp.route("/tokens", methods=["GET", "POST"])
def tokens() -> str | Response:
    s = get_session()
    form = FormState(values={"expires_in_days": "90"})
    secret = None
    if request.method == "POST":
        form = FormState.from_request(request.form)
        try:
            _token, secret = accounts.create_token(s, current_actor(), form.validate(TokenCreate))
        except Invalid as exc:
            form.fail(exc)
        else:
            form = FormState(values={"expires_in_days": "90"})
    items = accounts.list_tokens(s, current_actor())
    return render_template("account/tokens.html", form=form, tokens=items, secret=secret)


@bp.route("/tokens/<int:token_id>/revoke", methods=["POST"])
def revoke_token(token_id: int) -> Response:
    accounts.revoke_token(get_session(), current_actor(), token_id)
    flash(_("The token is revoked."), "success")
    return redirect(url_for(".tokens"))
