"""Maturity assessment pages: the list, setting one up, the assessment page (overview with the
radar chart, my scoring, consolidation, results, history), a unit's trend and the comparison
of units.

Views parse the form, call a service and render or redirect. What an assessor may see of the
others' scores is decided by the services (``maturity_assessments.visible_marks`` through
``maturity_results.results``); pages only show what they are given.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from flask_login import login_required
from markupsafe import Markup
from pydantic import ValidationError
from werkzeug.wrappers import Response

from .. import charts
from ..auth import current_actor
from ..db import get_session
from ..errors import Invalid, field_errors
from ..i18n import in_language
from ..labels import label
from ..models import AssessmentState, MaturityModel, OrgUnit
from ..schemas.maturity import (
    AssessmentCreate,
    AssessmentUpdate,
    AssessorIn,
    CloseScoringIn,
    ConsolidationIn,
    ScoreIn,
    ScoresIn,
)
from ..services import maturity_assessments as svc
from ..services import maturity_results as mr
from ..services.common import get_or_404
from ..services.org_queries import unit_options
from .forms import FormState, attempt, parse
from .pagination import Page, page_args
from .query_args import choice_arg

bp = Blueprint("maturity", __name__, url_prefix="/maturity")

STATE_BADGES = {
    "draft": "secondary",
    "scoring": "primary",
    "consolidating": "warning",
    "published": "success",
}
TABS = ("overview", "scoring", "consolidation", "results", "history")


@bp.before_request
@login_required
def _signed_in() -> None:
    """Every page needs a signed-in user; the services decide who may do what."""
    return None


def _level_names(model: MaturityModel | None) -> dict[int, str]:
    if model is None:
        return {}
    return {
        int(lv["value"]): in_language(lv.get("name", {})) for lv in model.levels if "value" in lv
    }


@bp.context_processor
def _helpers() -> dict[str, Any]:
    return {
        "state_badge": lambda s: STATE_BADGES.get(str(s), "light"),
    }


def _int(raw: Any) -> int | None:
    return int(raw) if isinstance(raw, str) and raw.strip().isdigit() else None


# --- the list ----------------------------------------------------------------------------------


@bp.route("/")
def list_assessments() -> str:
    s, actor = get_session(), current_actor()
    models = svc.model_options(s)
    f = svc.AssessmentFilter(
        org_unit_id=request.args.get("unit", type=int),
        state=choice_arg("state", {st.value for st in AssessmentState}),
        model_key=choice_arg("model", {key for _id, key, _name in models}),
    )
    listing = svc.assessments_page(s, actor, f, *page_args())
    model_keys = list(dict.fromkeys((key, name) for _id, key, name in models))
    return render_template(
        "maturity/list.html",
        page=Page(listing.items, listing.total, listing.page, listing.per_page),
        f=f,
        states=[(st.value, label(st.value)) for st in AssessmentState],
        model_keys=list({key: name for key, name in model_keys}.items()),
        unit_options=unit_options(s),
        may_create=actor.can("maturity.manage"),
    )


# --- set up ------------------------------------------------------------------------------------

CREATE_FIELDS = ("model_id", "org_unit_id", "assessed_on", "title", "facilitator_id")


@bp.route("/new", methods=["GET", "POST"])
def new_assessment() -> str | Response | tuple[str, int]:
    s, actor = get_session(), current_actor()
    form = FormState()
    status = 200
    if request.method == "POST":
        form = FormState.from_request(request.form, ("assessor_ids",))

        def run() -> Any:
            payload: dict[str, Any] = {k: form.value(k) for k in CREATE_FIELDS}
            payload["assessor_ids"] = form.value("assessor_ids", [])
            return svc.create(s, actor, parse(AssessmentCreate, payload))

        created, status = attempt(form, run)
        if created is not None:
            flash(_("Assessment %(ref)s created.", ref=created.reference), "success")
            return redirect(url_for(".assessment", assessment_id=created.id))
    return render_template(
        "maturity/form.html",
        form=form,
        model_options=[(mid, name) for mid, _key, name in svc.model_options(s)],
        unit_options=unit_options(s),
        facilitator_options=svc.facilitator_options(s),
        user_options=svc.user_options(s),
    ), status


# --- one assessment ----------------------------------------------------------------------------


def _render(
    assessment_id: int,
    *,
    tab: str = "overview",
    forms: dict[str, FormState] | None = None,
    status: int = 200,
) -> tuple[str, int]:
    s, actor = get_session(), current_actor()
    res = mr.results(s, actor, assessment_id)
    a = res.assessment
    rows = svc.assessors_of(s, assessment_id)
    mine = svc.own_assessor(rows, actor)
    my = svc.my_scores(s, actor, assessment_id) if mine is not None else None
    consolidated = svc.results_of(s, assessment_id)
    facilitate = svc.may_facilitate(actor, a)
    names = _level_names(res.model)
    all_forms: defaultdict[str, FormState] = defaultdict(FormState)
    all_forms.update(forms or {})
    may = {
        "facilitate": facilitate and a.state != AssessmentState.PUBLISHED,
        "score": mine is not None
        and mine.submitted_at is None
        and a.state == AssessmentState.SCORING,
        "assessor": mine is not None,
        "consolidate": facilitate and a.state == AssessmentState.CONSOLIDATING,
        "export": a.state == AssessmentState.PUBLISHED or facilitate,
    }
    if tab == "scoring" and mine is None:
        tab = "overview"
    elements = svc.elements_of(s, a.model_id) if tab == "scoring" and may["score"] else []
    html = render_template(
        "maturity/assessment.html",
        res=res,
        a=a,
        tab=tab,
        may=may,
        rows=rows,
        mine=mine,
        my=my,
        consolidated=consolidated,
        forms=all_forms,
        level_names=names,
        level_options=[(v, f"{v} {names.get(v, '')}".strip()) for v in res.level_values],
        user_options=svc.user_options(s) if may["facilitate"] else [],
        facilitator_options=svc.facilitator_options(s) if may["facilitate"] else [],
        charts=_assessment_charts(res, names) if tab in ("overview", "results") else {},
        descriptors={e.id: e.descriptors for e in elements},
        descriptions={e.id: e.description for e in elements},
        submitted_count=sum(1 for r in rows if r.assessor.submitted_at is not None),
    )
    return html, status


@bp.route("/<int:assessment_id>")
def assessment(assessment_id: int) -> tuple[str, int]:
    tab = request.args.get("tab", "overview")
    return _render(assessment_id, tab=tab if tab in TABS else "overview")


def _back(assessment_id: int, tab: str = "overview", anchor: str = "") -> Response:
    url = url_for(".assessment", assessment_id=assessment_id, tab=tab)
    return redirect(url + (f"#{anchor}" if anchor else ""))


def _act(
    assessment_id: int,
    key: str,
    run: Callable[[FormState], Any],
    done: str,
    tab: str = "overview",
    anchor: str = "",
) -> Response | tuple[str, int]:
    form = FormState.from_request(request.form)
    _result, status = attempt(form, lambda: run(form))
    if status == 200:
        flash(done, "success")
        return _back(assessment_id, tab, anchor)
    return _render(assessment_id, tab=tab, forms={key: form}, status=status)


@bp.route("/<int:assessment_id>/edit", methods=["POST"])
def edit(assessment_id: int) -> Response | tuple[str, int]:
    def run(f: FormState) -> Any:
        keys = ("title", "assessed_on", "facilitator_id", "summary")
        data = parse(AssessmentUpdate, {k: f.value(k) for k in keys})
        return svc.update(get_session(), current_actor(), assessment_id, data, f.version())

    return _act(assessment_id, "edit", run, _("Assessment saved."), anchor="details")


@bp.route("/<int:assessment_id>/assessors", methods=["POST"])
def add_assessor(assessment_id: int) -> Response | tuple[str, int]:
    def run(f: FormState) -> Any:
        data = parse(AssessorIn, {"user_id": f.value("user_id")})
        return svc.add_assessor(get_session(), current_actor(), assessment_id, data)

    return _act(assessment_id, "assessor", run, _("Assessor added."), anchor="assessors")


@bp.route("/<int:assessment_id>/assessors/<int:user_id>/remove", methods=["POST"])
def remove_assessor(assessment_id: int, user_id: int) -> Response | tuple[str, int]:
    def run(_f: FormState) -> Any:
        return svc.remove_assessor(get_session(), current_actor(), assessment_id, user_id)

    return _act(assessment_id, "assessor", run, _("Assessor removed."), anchor="assessors")


@bp.route("/<int:assessment_id>/<any(open, close, publish):action>", methods=["POST"])
def move(assessment_id: int, action: str) -> Response | tuple[str, int]:
    s, actor = get_session(), current_actor()

    def run(f: FormState) -> Any:
        if action == "open":
            return svc.open_scoring(s, actor, assessment_id, f.version())
        if action == "close":
            data = CloseScoringIn(leave_out_missing=f.value("leave_out_missing") in ("on", "1"))
            return svc.close_scoring(s, actor, assessment_id, data, f.version())
        return svc.publish(s, actor, assessment_id, f.version())

    done = {
        "open": _("Scoring is open; the assessors can score."),
        "close": _("Scoring is closed; consolidate the levels."),
        "publish": _("The assessment is published."),
    }[action]
    tab = "consolidation" if action == "close" else "overview"
    return _act(assessment_id, "workflow", run, done, tab, "workflow")


@bp.route("/<int:assessment_id>/scores", methods=["POST"])
def save_scores(assessment_id: int) -> Response | tuple[str, int]:
    """The whole scoring form: save it as a draft, or save and submit."""
    s, actor = get_session(), current_actor()
    submitting = request.form.get("action") == "submit"

    def run(f: FormState) -> Any:
        a = svc.get(s, actor, assessment_id)
        scores, errors = [], {}
        for element in svc.elements_of(s, a.model_id):
            raw = f.value(f"level-{element.id}")
            if raw in ("", None):
                continue
            try:
                scores.append(
                    ScoreIn.model_validate(
                        {
                            "element_id": element.id,
                            "level": raw,
                            "evidence": f.value(f"evidence-{element.id}"),
                            "comment": f.value(f"comment-{element.id}"),
                            "version": _int(f.value(f"version-{element.id}")),
                        }
                    )
                )
            except ValidationError as exc:
                for name, message in field_errors(exc).items():
                    errors[f"{name}-{element.id}"] = message
        if errors:
            raise Invalid(errors=errors)
        svc.save_scores(s, actor, assessment_id, ScoresIn(scores=scores))
        if submitting:
            svc.submit(s, actor, assessment_id)

    done = _("Your scores are submitted.") if submitting else _("Your scores are saved.")
    return _act(assessment_id, "scores", run, done, "scoring", "scoring")


@bp.route("/<int:assessment_id>/elements/<int:element_id>", methods=["POST"])
def consolidate(assessment_id: int, element_id: int) -> Response | tuple[str, int]:
    def run(f: FormState) -> Any:
        keys = ("level", "consolidation_note", "target", "target_rationale", "recommendation")
        data = parse(ConsolidationIn, {k: f.value(k) for k in keys})
        return svc.consolidate(
            get_session(), current_actor(), assessment_id, element_id, data, f.version()
        )

    return _act(
        assessment_id,
        f"element-{element_id}",
        run,
        _("Element saved."),
        "consolidation",
        f"element-{element_id}",
    )


# --- trend and comparison ----------------------------------------------------------------------


def _model_key_arg(s: Any) -> tuple[str, list[tuple[str, str]]]:
    keys = list({key: name for _id, key, name in reversed(svc.model_options(s))}.items())
    choice = choice_arg("model", {k for k, _n in keys})
    return choice or (keys[0][0] if keys else "acmm"), keys


@bp.route("/units/<int:unit_id>/trend")
def unit_trend(unit_id: int) -> str:
    s, actor = get_session(), current_actor()
    unit = get_or_404(s, OrgUnit, unit_id)
    model_key, keys = _model_key_arg(s)
    points = mr.trend(s, actor, unit_id, model_key)
    model = svc.latest_model(s, model_key)
    top = max(svc.level_values(model)) if model else 5
    svg = _trend_svg(
        str(get_locale()),
        unit.name,
        tuple((str(format_date(p.assessed_on, "MMM yyyy")), p.score) for p in points),
        top,
    )
    return render_template(
        "maturity/trend.html",
        unit=unit,
        points=points,
        model_key=model_key,
        model_keys=keys,
        chart=Markup(svg),  # noqa: S704 - matplotlib escapes every text (see _drawn)
    )


@bp.route("/comparison")
def comparison() -> str:
    s, actor = get_session(), current_actor()
    model_key, keys = _model_key_arg(s)
    chosen = [int(u) for u in request.args.getlist("unit") if u.isdigit()]
    cmp = mr.comparison(s, actor, model_key, chosen or None)
    values = cmp.level_values
    names = _level_names(cmp.model)
    svg = _heatmap_svg(
        str(get_locale()),
        tuple(r.unit_name for r in cmp.rows),
        tuple(in_language(e.name) for e in cmp.elements),
        tuple(tuple(r.levels.get(e.key) for e in cmp.elements) for r in cmp.rows),
        (min(values), max(values)),
    )
    return render_template(
        "maturity/comparison.html",
        cmp=cmp,
        model_key=model_key,
        model_keys=keys,
        chosen=chosen,
        unit_options=unit_options(s),
        level_names=names,
        chart=Markup(svg),  # noqa: S704 - matplotlib escapes every text
    )


# --- charts ------------------------------------------------------------------------------------
# Drawing takes a tenth of a second per chart; the same figures in the same language draw the
# same chart, so repeated views are served from memory (as on the KPI page). Every text in
# the SVG is escaped by matplotlib's SVG writer, the title and description by charts.Chart.


def _assessment_charts(res: mr.AssessmentResults, names: dict[int, str]) -> dict[str, Markup]:
    top = max(res.level_values or [5])
    elements = tuple(in_language(e.name) for e in res.elements)
    current = tuple(e.level for e in res.elements)
    target = tuple(e.target for e in res.elements)
    previous = tuple(e.previous_level for e in res.elements) if res.previous else None
    shares = tuple(
        (f"{value} {names.get(value, '')}".strip(), round(share * 100, 1))
        for value, share in sorted(res.level_shares.items())
    )
    radar, bars = _assessment_svgs(
        str(get_locale()),
        res.assessment.reference,
        elements,
        current,
        target,
        previous,
        shares,
        top,
    )
    return {"radar": Markup(radar), "shares": Markup(bars)}  # noqa: S704


@functools.lru_cache(maxsize=128)
def _assessment_svgs(
    _locale: str,
    reference: str,
    elements: tuple[str, ...],
    current: tuple[int | None, ...],
    target: tuple[int | None, ...],
    previous: tuple[int | None, ...] | None,
    shares: tuple[tuple[str, float], ...],
    top: int,
) -> tuple[str, str]:
    series: dict[str, tuple[int | None, ...]] = {_("Current"): current}
    if any(t is not None for t in target):
        series[_("Target")] = target
    if previous is not None:
        series[_("Previous")] = previous
    radar = charts.radar_chart(
        elements,
        series,
        title=_("Current, target and previous level per element"),
        key=f"radar-{reference}",
        max_value=top,
        ticks=[(v, str(v)) for v in range(1, top + 1)],
        empty_text=_("No consolidated levels yet"),
    )
    bars = charts.share_bars(
        list(shares),
        title=_("Share of elements per level"),
        key=f"shares-{reference}",
        no_value=_("no data"),
    )
    return radar.svg(), bars.svg()


@functools.lru_cache(maxsize=64)
def _trend_svg(
    _locale: str, unit: str, points: tuple[tuple[str, float | None], ...], top: int
) -> str:
    return charts.trend_line(
        list(points),
        title=_("Maturity of %(unit)s", unit=unit),
        key="trend",
        y_max=top,
        series_name=_("Overall score"),
        empty_text=_("No published assessment yet"),
    ).svg()


@functools.lru_cache(maxsize=64)
def _heatmap_svg(
    _locale: str,
    rows: tuple[str, ...],
    columns: tuple[str, ...],
    values: tuple[tuple[int | None, ...], ...],
    bounds: tuple[int, int],
) -> str:
    return charts.heatmap(
        rows,
        columns,
        values,
        title=_("Level per element and unit"),
        key="comparison",
        vmin=bounds[0],
        vmax=bounds[1],
        colour_label=_("Level"),
        empty_text=_("No published assessment yet"),
    ).svg()
