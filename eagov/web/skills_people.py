"""People's skills and gap analysis (pages): a person's skills (current levels, history,
roles, assessment forms, the gap against a chosen role), the unit heatmap, coverage per
role, best-fit candidates, training needs, and the downloads of the gap report.

Views parse the query or the form, call the services and render; a refused action shows the
page again with the typed input kept and the reason next to the form that was sent.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from io import BytesIO
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import login_required
from markupsafe import Markup
from werkzeug.wrappers import Response

from .. import skills_charts
from ..auth import current_actor
from ..db import get_session
from ..exports.tabular import CSV_MIMETYPE, XLSX_MIMETYPE
from ..i18n import in_language
from ..labels import label
from ..models import AssessmentSource, RoleRelation, utcnow
from ..schemas.skill_assessments import AssessmentIn, ConfirmIn, PersonRoleIn
from ..services import skill_assessments as svc
from ..services import skills_gaps as gaps
from ..services.org_queries import person_of, unit_options
from .forms import FormState, attempt, parse
from .pagination import Page, page_args
from .query_args import day_arg

bp = Blueprint("skills_people", __name__)

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
GAP_BADGES = {0: "success", 1: "warning", 2: "danger", 3: "danger", 4: "danger"}


@bp.before_request
@login_required
def _signed_in() -> None:
    """Every page needs a signed-in user; the services decide who sees whose skills."""
    return None


@bp.context_processor
def _helpers() -> dict[str, Any]:
    return {
        "gap_badge": lambda g: GAP_BADGES.get(min(int(g), 4), "light"),
        "gap_fill": lambda g: ("#d1e7dd", "#fff3cd", "#ffd966", "#f4b6b6", "#f1aeb5")[
            min(int(g), 4)
        ],
    }


def _as_of(errors: dict[str, str]) -> date:
    return day_arg("as_of", errors) or utcnow().date()


def _unit_arg() -> int | None:
    return request.args.get("unit", type=int) or None


# --- people ----------------------------------------------------------------------------------


@bp.route("/skills/people/")
def people() -> str | Response:
    s, actor = get_session(), current_actor()
    q = request.args.get("q", "").strip()
    page, per_page = page_args()
    rows, total = svc.people_page(s, actor, q, page, per_page)
    if not actor.can("skills.read_all") and total == 1 and not q:
        return redirect(url_for(".person", person_id=rows[0][0].id))
    return render_template("skills_people/people.html", page=Page(rows, total, page, per_page), q=q)


@bp.route("/skills/people/me")
def me() -> Response:
    person = person_of(get_session(), current_actor())
    if person is None:
        flash(_("Your account is not linked to a person of the organisation."), "warning")
        return redirect(url_for(".people"))
    return redirect(url_for(".person", person_id=person.id))


def _render_person(
    person_id: int, *, forms: dict[str, FormState] | None = None, status: int = 200
) -> tuple[str, int]:
    s, actor = get_session(), current_actor()
    person = svc.require_read(s, actor, person_id)
    errors: dict[str, str] = {}
    as_of = _as_of(errors)
    view = gaps.load_framework(s)
    rights = svc.rights(s, actor, person_id)
    levels = svc.current_levels(s, [person_id], as_of)
    history = svc.history(s, person_id)
    confirmed = svc.confirmed_ids(history)
    links = svc.roles_of(s, view.framework_id, [person_id]).get(person_id, [])
    role_ids = [lk.role_id for lk in links]
    chosen = request.args.get("role", type=int) or (role_ids[0] if role_ids else None)
    gap = chart_svgs = None
    if chosen is not None and chosen in view.role_by_id:
        gap = gaps.person_vs_role(s, actor, person_id, chosen, as_of, view)
        chart_svgs = [
            skills_charts.gap_bullets(
                [(in_language(r.skill.name), r.required, r.current) for r in rows],
                title=in_language(cat.name),
                key=f"gap-{cat.key}",
                current_label=_("Current level"),
                required_label=_("Required level"),
                gap_text=_("gap %(gap)s"),
                none_text=_("not assessed"),
            ).svg()
            for cat, rows in gap.by_category()
        ]
        # matplotlib's SVG writer escapes every text (see eagov.charts): safe to inline.
        chart_svgs = [Markup(svg) for svg in chart_svgs]  # noqa: S704
    by_category: list[tuple[Any, list[tuple[Any, Any]]]] = []
    for cat in view.categories.values():
        skills = [sk for sk in view.skills if sk.category_id == cat.id]
        by_category.append((cat, [(sk, levels.get((person_id, sk.id or 0))) for sk in skills]))
    all_forms: dict[str, FormState] = {
        "assess": FormState(values={"assessed_on": utcnow().date().isoformat()}),
        "role": FormState(),
        "confirm": FormState(),
    }
    all_forms.update(forms or {})
    html = render_template(
        "skills_people/person.html",
        person=person,
        as_of=as_of,
        errors=errors,
        view=view,
        by_category=by_category,
        history=history,
        confirmed=confirmed,
        links=links,
        rights=rights,
        gap=gap,
        chosen=chosen,
        chart_svgs=chart_svgs or [],
        forms=all_forms,
        sources=[
            (src.value, label(src.value)) for src in AssessmentSource if src in rights.sources
        ],
        relations=[(r.value, label(r.value)) for r in RoleRelation if r in rights.relations],
        skill_options=[
            (sk.id, f"{in_language(view.category_of(sk).name)} · {in_language(sk.name)}")
            for sk in view.skills
        ],
        role_options=[(r.id, in_language(r.name)) for r in view.roles],
        level_options=[
            (v, f"{v} {in_language(view.level_names.get(v, {}))}".strip()) for v in range(1, 5)
        ],
    )
    return html, status


@bp.route("/skills/people/<int:person_id>")
def person(person_id: int) -> tuple[str, int]:
    return _render_person(person_id)


def _act(
    person_id: int, key: str, run: Callable[[FormState], Any], done: str, anchor: str
) -> Response | tuple[str, int]:
    form = FormState.from_request(request.form)
    _result, status = attempt(form, lambda: run(form))
    if status == 200:
        flash(done, "success")
        return redirect(url_for(".person", person_id=person_id) + f"#{anchor}")
    return _render_person(person_id, forms={key: form}, status=status)


@bp.route("/skills/people/<int:person_id>/assessments", methods=["POST"])
def assess(person_id: int) -> Response | tuple[str, int]:
    def run(f: FormState) -> Any:
        keys = ("skill_id", "level", "source", "assessed_on", "evidence")
        data = parse(AssessmentIn, {"person_id": person_id, **{k: f.value(k) for k in keys}})
        return svc.record(get_session(), current_actor(), data)

    return _act(person_id, "assess", run, _("Assessment recorded."), "assess")


@bp.route(
    "/skills/people/<int:person_id>/assessments/<int:assessment_id>/confirm", methods=["POST"]
)
def confirm(person_id: int, assessment_id: int) -> Response | tuple[str, int]:
    def run(f: FormState) -> Any:
        row = svc.get_assessment(get_session(), current_actor(), assessment_id)
        if row.person_id != person_id:
            abort(404)
        data = parse(ConfirmIn, {"note": f.value("note")})
        return svc.confirm(get_session(), current_actor(), assessment_id, data)

    return _act(person_id, "confirm", run, _("Self-assessment confirmed."), "history")


@bp.route("/skills/people/<int:person_id>/roles", methods=["POST"])
def add_role(person_id: int) -> Response | tuple[str, int]:
    def run(f: FormState) -> Any:
        keys = ("role_id", "relation", "since")
        data = parse(PersonRoleIn, {"person_id": person_id, **{k: f.value(k) for k in keys}})
        return svc.add_role(get_session(), current_actor(), data)

    return _act(person_id, "role", run, _("Role added."), "roles")


@bp.route("/skills/people/<int:person_id>/roles/<int:person_role_id>/delete", methods=["POST"])
def remove_role(person_id: int, person_role_id: int) -> Response | tuple[str, int]:
    def run(_f: FormState) -> Any:
        row = svc.get_person_role(get_session(), current_actor(), person_role_id)
        if row.person_id != person_id:
            abort(404)
        svc.remove_role(get_session(), current_actor(), person_role_id)

    return _act(person_id, "role", run, _("Role removed."), "roles")


@bp.route("/skills/people/<int:person_id>/gap.docx")
def person_docx(person_id: int) -> Response:
    from ..documents.skills_docx import build_person_docx

    s, actor = get_session(), current_actor()
    role_id = request.args.get("role", type=int)
    if role_id is None:
        abort(404)
    as_of = _as_of({})
    gap = gaps.person_vs_role(s, actor, person_id, role_id, as_of)
    data = build_person_docx(gap, locale=str(get_locale() or "en"))
    return _download(data, DOCX, f"skills-person-{person_id}-{gap.role.key}-{as_of}.docx")


def _download(data: bytes, mimetype: str, name: str) -> Response:
    resp = send_file(
        BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=name, max_age=0
    )
    resp.headers["Cache-Control"] = "private, no-store"
    return resp


# --- team views ------------------------------------------------------------------------------


def _filters(view: gaps.FrameworkView) -> dict[str, Any]:
    return {
        "unit_options": unit_options(get_session()),
        "category_options": [(c.key, in_language(c.name)) for c in view.categories.values()],
        "role_options": [(r.id, in_language(r.name)) for r in view.roles],
    }


def _team_args() -> dict[str, Any]:
    """The filters of the team pages, for links between them and to the downloads."""
    keep = ("unit", "as_of", "category", "role")
    return {k: request.args[k] for k in keep if request.args.get(k)}


@bp.route("/skills/gaps/heatmap")
def heatmap() -> tuple[str, int]:
    s, actor = get_session(), current_actor()
    svc.require_read_all(actor)
    errors: dict[str, str] = {}
    as_of = _as_of(errors)
    view = gaps.load_framework(s)
    category = request.args.get("category") or None
    if category not in {c.key for c in view.categories.values()}:
        category = None
    role_id = request.args.get("role", type=int)
    if role_id not in view.role_by_id:
        role_id = None
    page, per_page = page_args()
    hm = gaps.unit_heatmap(
        s,
        actor,
        _unit_arg(),
        as_of,
        category_key=category,
        role_id=role_id,
        page=page,
        per_page=per_page,
        view=view,
    )
    chart = None
    if hm.rows and hm.columns:
        chart = skills_charts.gap_heatmap(
            [r.person.name for r in hm.rows],
            [in_language(sk.name) for sk in hm.columns],
            [[(c.required, c.current) if c else None for c in r.cells] for r in hm.rows],
            title=_("Gap per person and skill"),
            key="skills-heatmap",
            colour_label=_("Gap"),
        ).svg()
        chart = Markup(chart)  # noqa: S704 - text escaped by matplotlib (eagov.charts)
    return render_template(
        "skills_people/heatmap.html",
        hm=hm,
        page=Page(hm.rows, hm.total, hm.page, hm.per_page),
        chart=chart,
        as_of=as_of,
        errors=errors,
        args=_team_args(),
        **_filters(view),
    ), 422 if errors else 200


@bp.route("/skills/coverage")
def coverage() -> tuple[str, int]:
    s, actor = get_session(), current_actor()
    errors: dict[str, str] = {}
    as_of = _as_of(errors)
    view = gaps.load_framework(s)
    rows = gaps.coverage(s, actor, _unit_arg(), as_of, view)
    return render_template(
        "skills_people/coverage.html",
        rows=rows,
        as_of=as_of,
        errors=errors,
        args=_team_args(),
        **_filters(view),
    ), 422 if errors else 200


@bp.route("/skills/candidates")
def candidates() -> tuple[str, int]:
    s, actor = get_session(), current_actor()
    svc.require_read_all(actor)
    errors: dict[str, str] = {}
    as_of = _as_of(errors)
    view = gaps.load_framework(s)
    role_id = request.args.get("role", type=int)
    result = None
    if role_id in view.role_by_id:
        page, per_page = page_args()
        result = gaps.candidates(
            s, actor, role_id, _unit_arg(), as_of, page=page, per_page=per_page, view=view
        )
    return render_template(
        "skills_people/candidates.html",
        result=result,
        page=Page(result.items, result.total, result.page, result.per_page) if result else None,
        as_of=as_of,
        errors=errors,
        args=_team_args(),
        **_filters(view),
    ), 422 if errors else 200


@bp.route("/skills/training-needs")
def training_needs() -> tuple[str, int]:
    s, actor = get_session(), current_actor()
    errors: dict[str, str] = {}
    as_of = _as_of(errors)
    view = gaps.load_framework(s)
    needs = gaps.training_needs(s, actor, _unit_arg(), as_of, view=view)
    return render_template(
        "skills_people/training.html",
        needs=needs,
        as_of=as_of,
        errors=errors,
        args=_team_args(),
        **_filters(view),
    ), 422 if errors else 200


@bp.route("/skills/gaps/report.<any(csv, xlsx, docx):fmt>")
def report(fmt: str) -> Response:
    """The unit's gap report: CSV (one row per person x skill), XLSX, or Word."""
    from ..exports import skills_exports as ex

    s, actor = get_session(), current_actor()
    view = gaps.load_framework(s)
    category = request.args.get("category") or None
    if category not in {c.key for c in view.categories.values()}:
        category = None
    role_id = request.args.get("role", type=int)
    if role_id not in view.role_by_id:
        role_id = None
    rep = gaps.unit_report(
        s, actor, _unit_arg(), _as_of({}), category_key=category, role_id=role_id
    )
    locale = str(get_locale() or "en")
    if fmt == "csv":
        return _download(ex.gaps_csv(rep, locale=locale), CSV_MIMETYPE, ex.filename(rep, "csv"))
    if fmt == "xlsx":
        data = ex.report_xlsx(rep, locale=locale)
        return _download(data, XLSX_MIMETYPE, ex.filename(rep, "xlsx"))
    from ..documents.skills_docx import build_unit_docx

    return _download(build_unit_docx(rep, locale=locale), DOCX, ex.filename(rep, "docx"))
