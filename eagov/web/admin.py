"""Administration: invite, edit and disable users."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlmodel import col
from werkzeug.wrappers import Response

from ..auth import current_actor, permission_required
from ..db import get_session
from ..errors import Conflict, Invalid
from ..models import Role, User
from ..schemas.accounts import UserCreate, UserUpdate
from ..services import accounts
from ..services.common import get_or_404
from .forms import FormState
from .pagination import page_args, paginate

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
@permission_required("users.manage")
def _admins_only() -> None:
    return None


@bp.route("/users")
def users() -> str:
    q = request.args.get("q", "").strip()
    role = request.args.get("role", "")
    stmt = accounts.users_query(current_actor(), q, role).order_by(col(User.name))
    page = paginate(get_session(), stmt, *page_args())
    return render_template("admin/users.html", page=page, q=q, role=role, roles=list(Role))


@bp.route("/users/new", methods=["GET", "POST"])
def invite_user() -> str | Response:
    form = FormState(values={"roles": ["viewer"]})
    if request.method == "POST":
        form = FormState.from_request(request.form, list_fields=("roles",))
        try:
            data = form.validate(UserCreate)
            user, invite = accounts.create_user(
                get_session(),
                current_actor(),
                data,
                invite_days=current_app.config["INVITE_VALID_DAYS"],
            )
        except Invalid as exc:
            form.fail(exc)
        else:
            if invite:
                link = url_for("auth.accept_invite", token=invite, _external=True)
                flash(
                    _(
                        "Invitation created. Send this link to %(email)s: %(link)s",
                        email=user.email,
                        link=link,
                    ),
                    "success",
                )
            else:
                flash(_("User %(email)s created.", email=user.email), "success")
            return redirect(url_for(".edit_user", user_id=user.id))
    return render_template("admin/user_form.html", form=form, roles=list(Role), user=None)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def edit_user(user_id: int) -> str | Response | tuple[str, int]:
    s = get_session()
    user = get_or_404(s, User, user_id)
    form = FormState(values=user.model_dump() | {"roles": sorted(user.role_names)})
    status = 200
    if request.method == "POST":
        form = FormState.from_request(request.form, list_fields=("roles",))
        try:
            accounts.update_user(
                s, current_actor(), user_id, form.validate(UserUpdate), form.version()
            )
        except Invalid as exc:
            form.fail(exc)
            status = 422
        except Conflict as exc:
            form.message = str(exc.detail)
            s.refresh(user)
            form.values["version"] = str(user.version)
            status = 409
        else:
            flash(_("User %(email)s saved.", email=user.email), "success")
            return redirect(url_for(".edit_user", user_id=user_id))
    return render_template("admin/user_form.html", form=form, roles=list(Role), user=user), status


@bp.route("/users/<int:user_id>/reinvite", methods=["POST"])
def reinvite(user_id: int) -> Response:
    token = accounts.reissue_invite(
        get_session(), current_actor(), user_id, current_app.config["INVITE_VALID_DAYS"]
    )
    link = url_for("auth.accept_invite", token=token, _external=True)
    flash(_("New invitation link: %(link)s", link=link), "success")
    return redirect(url_for(".edit_user", user_id=user_id))
