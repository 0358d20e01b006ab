"""The skills framework and role profiles (pages): the framework in use, its roles with the
shape of their profiles, one role's profile and its editing (one requirement or the whole
grid), a side-by-side comparison of roles, and the imported versions (import, export)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from werkzeug.wrappers import Response

from ..auth import current_actor, permission_required
from ..db import get_session
from ..errors import Conflict, Forbidden, Invalid
from ..models import SkillFramework
from ..schemas.skills import LEVELS, ProfileIn, RequirementIn
from ..services import skill_frameworks as svc
from ..services.common import get_or_404
from ..yaml_source import SourceInvalid
from .forms import FormState, attempt, parse

bp = Blueprint("skills", __name__)

LEVEL_CLASSES = {
    1: "bg-secondary-subtle text-body",
    2: "bg-info-subtle text-body",
    3: "bg-info text-dark",
    4: "bg-primary text-white",
}
YAML = "application/yaml"


@bp.before_request
@login_required
def _signed_in() -> None:
    """Every page needs a signed-in user; the services check the permissions."""
    return None


@bp.context_processor
def _helpers() -> dict[str, Any]:
    return {"level_class": lambda level: LEVEL_CLASSES.get(level, "")}


def _level_names(framework: SkillFramework) -> dict[int, dict[str, str]]:
    return {int(lv["value"]): lv["name"] for lv in framework.levels}


@bp.route("/skills/")
def framework() -> str:
    """The framework in use: levels, categories and skills."""
    s, actor = get_session(), current_actor()
    current = svc.current_framework(s)
    svc.list_frameworks(s, actor)  # the permission check, also when there is none yet
    return render_template(
        "skills/framework.html",
        framework=current,
        parts=svc.contents(s, current.id) if current and current.id else [],
        may_manage=actor.can("skills.manage"),
    )


@bp.route("/skills/roles/")
def roles() -> str:
    s, actor = get_session(), current_actor()
    current = svc.framework_in_use(s, actor)
    assert current.id is not None
    return render_template(
        "skills/roles.html",
        framework=current,
        roles=svc.roles_of(s, current.id),
        shapes=svc.shapes(s, current.id),
        levels=LEVELS,
        level_names=_level_names(current),
    )


def _role_page(
    key: str, template: str, form: FormState | None = None, *, prefill: bool = False
) -> str:
    """A role's profile grouped by category; ``prefill`` fills the edit grid from it."""
    s, actor = get_session(), current_actor()
    role = svc.get_role(s, actor, key)
    current = svc.framework_in_use(s, actor)
    lines = svc.profile(s, role)
    if prefill:
        values = {"version": str(role.version)}
        values |= {
            f"level-{line.skill.key}": str(line.requirement.level)
            for line in lines
            if line.requirement is not None
        }
        form = FormState(values=values)
    grouped: list[tuple[Any, list[svc.ProfileLine]]] = []
    for line in lines:
        if not grouped or grouped[-1][0].id != line.category.id:
            grouped.append((line.category, []))
        grouped[-1][1].append(line)
    return render_template(
        template,
        framework=current,
        role=role,
        grouped=grouped,
        shape=svc.shape_of({i: ln.requirement for i, ln in enumerate(lines) if ln.requirement}),
        levels=LEVELS,
        level_names=_level_names(current),
        form=form or FormState(),
        may_manage=actor.can("skills.manage"),
    )


@bp.route("/skills/roles/<key>")
def role(key: str) -> str:
    """A role's profile: the level it needs in each skill, by category."""
    return _role_page(key, "skills/role.html")


@bp.route("/skills/roles/<key>/edit", methods=["GET", "POST"])
@permission_required("skills.manage")
def edit_profile(key: str) -> str | Response | tuple[str, int]:
    """The whole profile as one grid of skills by levels, saved at once."""
    s, actor = get_session(), current_actor()
    if request.method == "GET":
        return _role_page(key, "skills/role_edit.html", prefill=True)
    form = FormState.from_request(request.form)
    levels = {
        name.removeprefix("level-"): value
        for name, value in form.values.items()
        if name.startswith("level-")
    }
    _done, status = attempt(
        form,
        lambda: svc.set_profile(
            s, actor, key, parse(ProfileIn, {"levels": levels}), form.version()
        ),
    )
    if status == 200:
        flash(_("The role profile was saved."), "success")
        return redirect(url_for(".role", key=key))
    return _role_page(key, "skills/role_edit.html", form), status


@bp.route("/skills/roles/<key>/skills/<skill_key>", methods=["GET", "POST"])
@permission_required("skills.manage")
def edit_requirement(key: str, skill_key: str) -> str | Response | tuple[str, int]:
    """Change the level a role needs in one skill."""
    s, actor = get_session(), current_actor()
    role_row = svc.get_role(s, actor, key)
    skill, category = svc.get_skill(s, actor, skill_key)
    requirement = svc.requirements_of(s, role_row.id).get(skill.id)  # type: ignore[arg-type]
    status = 200
    if request.method == "POST":
        form = FormState.from_request(request.form)
        _done, status = attempt(
            form,
            lambda: svc.set_requirement(
                s, actor, key, skill_key, parse(RequirementIn, form.values), form.version()
            ),
        )
        if status == 200:
            flash(_("The required level was saved."), "success")
            return redirect(url_for(".role", key=key) + f"#skill-{skill_key}")
    else:
        form = FormState(
            values={
                "level": str(requirement.level) if requirement else "",
                "version": str(requirement.version) if requirement else "",
            }
        )
    current = svc.framework_in_use(s, actor)
    return render_template(
        "skills/requirement_edit.html",
        framework=current,
        role=role_row,
        skill=skill,
        category=category,
        requirement=requirement,
        levels=current.levels,
        form=form,
    ), status


@bp.route("/skills/compare")
def compare() -> str:
    """Roles side by side: the level each needs per skill. ``role`` picks roles (repeat it),
    ``differences=1`` keeps only the skills where the chosen roles differ."""
    s, actor = get_session(), current_actor()
    current = svc.framework_in_use(s, actor)
    assert current.id is not None
    all_roles = svc.roles_of(s, current.id)
    chosen = set(request.args.getlist("role"))
    shown = [r for r in all_roles if r.key in chosen] or all_roles
    differences = request.args.get("differences") == "1"
    levels = svc.matrix(s, current.id)
    parts = []
    for category, skills in svc.contents(s, current.id):
        rows = []
        for skill in skills:
            cells = [levels.get((r.id, skill.id)) for r in shown]  # type: ignore[arg-type]
            if differences and len(set(cells)) < 2:
                continue
            rows.append((skill, cells))
        if rows:
            parts.append((category, rows))
    return render_template(
        "skills/compare.html",
        framework=current,
        all_roles=all_roles,
        shown=shown,
        chosen=chosen,
        differences=differences,
        parts=parts,
        level_names=_level_names(current),
    )


@bp.route("/skills/frameworks", methods=["GET", "POST"])
def frameworks() -> str | Response | tuple[str, int]:
    """Every imported version; managers import new ones here."""
    s, actor = get_session(), current_actor()
    errors: list[Any] = []
    status = 200
    if request.method == "POST":
        upload = request.files.get("file")
        try:
            if upload is None or not upload.filename:
                raise Invalid(errors={"file": _("Choose a YAML file to import.")})
            if not upload.filename.lower().endswith((".yaml", ".yml")):
                raise Invalid(errors={"file": _("The file must be YAML (.yaml or .yml).")})
            imported = svc.import_framework(s, actor, upload.stream.read())
        except SourceInvalid as exc:
            errors, status = exc.source_errors, 422
        except (Invalid, Conflict, Forbidden) as exc:
            extra = getattr(exc, "errors", {}) or {}
            errors = [str(m) for m in extra.values()] or [str(exc.detail)]
            status = exc.status
        else:
            return _imported(imported)
    versions = svc.list_frameworks(s, actor)
    return render_template(
        "skills/frameworks.html",
        versions=versions,
        in_use=versions[0].id if versions else None,
        may_manage=actor.can("skills.manage"),
        errors=errors,
    ), status


@bp.route("/skills/frameworks/shipped", methods=["POST"])
@permission_required("skills.manage")
def import_shipped() -> Response:
    """Import the framework that comes with eagov (for a new installation)."""
    return _imported(svc.import_shipped(get_session(), current_actor()))


def _imported(framework: SkillFramework) -> Response:
    flash(
        _(
            "Imported %(key)s version %(version)s; it is now the framework in use.",
            key=framework.key,
            version=framework.version,
        ),
        "success",
    )
    return redirect(url_for(".framework"))


@bp.route("/skills/frameworks/<int:framework_id>/export.yaml")
def export_framework(framework_id: int) -> Response:
    """A version as a library file, with its role profiles as they are now."""
    s = get_session()
    text = svc.export_framework(s, current_actor(), framework_id)
    item = get_or_404(s, SkillFramework, framework_id)
    resp = Response(text, content_type=f"{YAML}; charset=utf-8")
    resp.headers["Content-Disposition"] = f'attachment; filename="{item.key}-{item.version}.yaml"'
    return resp
