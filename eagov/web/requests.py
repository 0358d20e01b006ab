"""Governance request pages: the intake form, "My requests" and the desk's list (filters,
exports), the triage queue, the architect's work view, one request (triage, conversions,
notes, resolution, history), the service-target settings, and the public satisfaction
survey reached by its one-time link.

Every page needs a signed-in user except the survey, whose link is the credential; its form
still carries a CSRF token.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlmodel import Session, col, select
from werkzeug.wrappers import Response

from ..auth import current_actor, login_manager
from ..db import get_session
from ..errors import Invalid, NotFound
from ..labels import label
from ..models import (
    Checkpoint,
    Contract,
    RequestChannel,
    RequestPriority,
    RequestState,
    RequestType,
    Review,
)
from ..schemas.requests import (
    ConvertToReviewIn,
    EscalateIn,
    NoteIn,
    ReasonIn,
    RequestIn,
    ResolveIn,
    SurveyAnswerIn,
    TargetsIn,
    TriageIn,
)
from ..schemas.reviews import DispensationRequest
from ..services import requests as svc
from ..services import service_targets, surveys
from ..services.org_queries import board_options, unit_options
from .downloads import table_download
from .forms import FormState, attempt, parse
from .pagination import Page, page_args
from .query_args import choice_arg

bp = Blueprint("requests", __name__)

STATE_BADGES = {
    "new": "primary",
    "assigned": "info",
    "in_progress": "warning",
    "escalated": "danger",
    "resolved": "success",
    "closed": "dark",
    "withdrawn": "secondary",
}
PRIORITY_BADGES = {"urgent": "danger", "high": "warning", "normal": "secondary", "low": "light"}
PUBLIC = {"requests.survey"}


@bp.before_request
def _signed_in() -> Response | None:
    """Every page but the survey needs a signed-in user; services decide who may do what."""
    if request.endpoint in PUBLIC or current_user.is_authenticated:
        return None
    return login_manager.unauthorized()


@bp.context_processor
def _helpers() -> dict[str, Any]:
    return {
        "request_state_badge": lambda s: STATE_BADGES.get(str(s), "light"),
        "priority_badge": lambda p: PRIORITY_BADGES.get(str(p), "light"),
    }


def survey_config() -> svc.SurveyConfig:
    cfg = current_app.config
    return svc.SurveyConfig(
        secret=str(cfg["SECRET_KEY"]),
        valid_days=int(cfg.get("SURVEY_VALID_DAYS", surveys.DEFAULT_VALID_DAYS)),
    )


def _options(enum: Any) -> list[tuple[str, str]]:
    return [(m.value, label(m.value)) for m in enum]


def _contract_options(s: Session) -> list[tuple[int, str]]:
    rows = s.exec(select(Contract.id, Contract.reference).order_by(col(Contract.reference))).all()
    return [(cid, ref) for cid, ref in rows if cid is not None]


# --- lists -------------------------------------------------------------------------------------


def _filter(mine: bool) -> svc.RequestFilter:
    return svc.RequestFilter(
        q=request.args.get("q", "").strip()[:200],
        type=choice_arg("type", {t.value for t in RequestType}),
        state=choice_arg("state", {t.value for t in RequestState}),
        priority=choice_arg("priority", {t.value for t in RequestPriority}),
        assignee_id=request.args.get("assignee", type=int),
        breached=request.args.get("breached") == "1",
        mine=mine,
    )


def _listing_page(listing: svc.Listing) -> Page[svc.RequestRow]:
    return Page(listing.items, listing.total, listing.page, listing.per_page)


@bp.route("/requests/")
def list_requests() -> str:
    """The desk sees every request; everyone else sees their own ("My requests")."""
    s, actor = get_session(), current_actor()
    mine = not actor.can("requests.read_all")
    return _render_list(s, mine)


@bp.route("/requests/mine")
def my_requests() -> str:
    return _render_list(get_session(), True)


def _render_list(s: Session, mine: bool) -> str:
    actor = current_actor()
    f = _filter(mine)
    listing = svc.requests_page(s, actor, f, *page_args())
    return render_template(
        "requests/list.html",
        page=_listing_page(listing),
        f=f,
        mine=mine,
        endpoint="requests.my_requests" if mine and actor.can("requests.read_all") else None,
        types=_options(RequestType),
        states=_options(RequestState),
        priorities=_options(RequestPriority),
        assignees=svc.assignable(s) if not mine else [],
    )


@bp.route("/requests/export.<any(csv, xlsx):fmt>")
def export(fmt: str) -> Response:
    """The filtered list as CSV or XLSX (the desk: every request; others: their own)."""

    from ..exports.tabular import Column

    s, actor = get_session(), current_actor()
    rows = svc.export_rows(s, actor, _filter(not actor.can("requests.read_all")))
    columns = [
        Column(_("Reference"), 14),
        Column(_("Type"), 20),
        Column(_("Channel"), 12),
        Column(_("Priority"), 10),
        Column(_("State"), 14),
        Column(_("Title"), 40),
        Column(_("Requester"), 24),
        Column(_("Assignee"), 24),
        Column(_("Submitted"), 18, "datetime"),
        Column(_("First response"), 18, "datetime"),
        Column(_("Resolved"), 18, "datetime"),
        Column(_("Response target breached"), 10),
        Column(_("Resolution target breached"), 10),
        Column(_("Outcome"), 40),
        Column(_("Rating"), 8, "number"),
    ]

    def naive(moment: Any) -> Any:
        return moment.replace(tzinfo=None) if moment is not None else None

    data = [
        [
            r.request.reference,
            label(r.request.type),
            label(r.request.channel),
            label(r.request.priority),
            label(r.request.state),
            r.request.title,
            r.requester,
            r.assignee,
            naive(r.request.submitted_at),
            naive(r.request.first_response_at),
            naive(r.request.resolved_at),
            _("yes") if r.standing.response_breached else _("no"),
            _("yes") if r.standing.resolution_breached else _("no"),
            r.request.outcome,
            r.rating,
        ]
        for r in rows
    ]
    return table_download(fmt, columns, data, sheet_title=_("Requests"), stem="requests")


@bp.route("/requests/queue")
def queue() -> str:
    s, actor = get_session(), current_actor()
    listing = svc.queue_page(s, actor, *page_args())
    return render_template(
        "requests/queue.html",
        page=_listing_page(listing),
        title=_("Triage queue"),
        blurb=_("Open requests: new and unassigned ones first, then by the target due next."),
        endpoint="requests.queue",
    )


@bp.route("/requests/work")
def work() -> str:
    s, actor = get_session(), current_actor()
    listing = svc.work_page(s, actor, *page_args())
    return render_template(
        "requests/queue.html",
        page=_listing_page(listing),
        title=_("Requests assigned to me"),
        blurb=_("Your open requests, the most urgent first."),
        endpoint="requests.work",
    )


# --- filing ------------------------------------------------------------------------------------

INTAKE_FIELDS = (
    "type",
    "channel",
    "priority",
    "title",
    "description",
    "requested_outcome",
    "org_unit_id",
    "board_id",
    "contract_id",
    "requester_name",
    "requester_email",
)


@bp.route("/requests/new", methods=["GET", "POST"])
def new_request() -> str | Response | tuple[str, int]:
    s, actor = get_session(), current_actor()
    form = FormState(
        values={
            "type": request.args.get("type", RequestType.QUESTION.value),
            "channel": RequestChannel.WEB.value,
            "priority": RequestPriority.NORMAL.value,
        }
    )
    status = 200
    if request.method == "POST":
        form = FormState.from_request(request.form)

        def run() -> Any:
            data = parse(RequestIn, {k: form.value(k) for k in INTAKE_FIELDS if k in form.values})
            return svc.file(s, actor, data)

        created, status = attempt(form, run)
        if created is not None:
            flash(_("Request %(ref)s filed.", ref=created.reference), "success")
            return redirect(url_for(".request_page", request_id=created.id))
    desk = actor.can("requests.triage")
    return render_template(
        "requests/form.html",
        form=form,
        desk=desk,
        types=_options(RequestType),
        channels=_options(RequestChannel) if desk else _options([RequestChannel.WEB]),
        priorities=_options(RequestPriority),
        unit_options=unit_options(s),
        board_options=board_options(s),
        contract_options=_contract_options(s),
    ), status


# --- one request -------------------------------------------------------------------------------


def _render_request(
    request_id: int,
    *,
    tab: str = "overview",
    forms: dict[str, FormState] | None = None,
    status: int = 200,
) -> tuple[str, int]:
    s, actor = get_session(), current_actor()
    d = svc.detail(s, actor, request_id)
    r = d.request
    all_forms: defaultdict[str, FormState] = defaultdict(FormState)
    all_forms.update(forms or {})
    desk = actor.can("requests.triage")
    requester = svc.is_requester(actor, r)
    is_open = r.state in svc.OPEN
    may = {
        "triage": desk and is_open,
        "escalate": desk
        and r.state in (RequestState.NEW, RequestState.ASSIGNED, RequestState.IN_PROGRESS)
        and r.type in svc.ESCALATABLE,
        "convert_review": desk
        and r.state in (RequestState.NEW, RequestState.ASSIGNED, RequestState.IN_PROGRESS)
        and r.type == RequestType.REVIEW,
        "convert_dispensation": desk
        and r.state in (RequestState.NEW, RequestState.ASSIGNED, RequestState.IN_PROGRESS)
        and r.type == RequestType.DISPENSATION,
        "start": r.state == RequestState.ASSIGNED and svc.may_work(actor, r),
        "resolve": r.state
        in (RequestState.ASSIGNED, RequestState.IN_PROGRESS, RequestState.ESCALATED)
        and svc.may_work(actor, r),
        "note": r.state not in (RequestState.CLOSED, RequestState.WITHDRAWN)
        and (actor.can("requests.work") or requester),
        "internal": actor.can("requests.work"),
        "reopen": desk and r.state in (RequestState.RESOLVED, RequestState.CLOSED),
        "close": r.state == RequestState.RESOLVED and (desk or requester),
        "withdraw": is_open and (desk or requester),
        "see_survey": actor.can("requests.read_all"),
    }
    survey_link = None
    if d.survey is not None and (requester or desk) and surveys.is_open(d.survey):
        token = surveys.link_token(d.survey, survey_config().secret)
        if token:
            survey_link = url_for(".survey", token=token, _external=True)
    if may["convert_dispensation"]:
        all_forms.setdefault("dispensation", FormState(values={"justification": r.description}))
    html = render_template(
        "requests/request.html",
        d=d,
        r=r,
        may=may,
        forms=all_forms,
        tab=tab,
        survey_link=survey_link,
        requester=requester,
        assignees=svc.assignable(s) if may["triage"] else [],
        priorities=_options(RequestPriority),
        board_options=board_options(s),
        unit_options=unit_options(s),
        contract_options=_contract_options(s),
        checkpoints=_options(Checkpoint),
        review_options=_review_options(s) if may["convert_dispensation"] else [],
    )
    return html, status


def _review_options(s: Session) -> list[tuple[int, str]]:
    rows = s.exec(
        select(Review.id, Review.reference, Review.title).order_by(col(Review.id).desc())
    ).all()
    return [(rid, f"{ref} · {title}") for rid, ref, title in rows if rid is not None]


@bp.route("/requests/<int:request_id>")
def request_page(request_id: int) -> tuple[str, int]:
    tab = request.args.get("tab", "overview")
    if tab not in ("overview", "history") or (
        tab == "history" and not current_actor().can("requests.read_all")
    ):
        tab = "overview"
    return _render_request(request_id, tab=tab)


def _act(
    request_id: int, key: str, run: Callable[[FormState], Any], done: str, anchor: str = ""
) -> Response | tuple[str, int]:
    form = FormState.from_request(request.form)
    _result, status = attempt(form, lambda: run(form))
    if status == 200:
        flash(done, "success")
        target = url_for(".request_page", request_id=request_id)
        return redirect(target + (f"#{anchor}" if anchor else ""))
    return _render_request(request_id, forms={key: form}, status=status)


def _split(raw: str) -> list[str]:
    return [p.strip() for p in raw.replace(";", ",").replace("\n", ",").split(",") if p.strip()]


@bp.route("/requests/<int:request_id>/triage", methods=["POST"])
def triage(request_id: int) -> Response | tuple[str, int]:
    def run(f: FormState) -> Any:
        data = parse(
            TriageIn, {"assignee_id": f.value("assignee_id"), "priority": f.value("priority")}
        )
        return svc.triage(get_session(), current_actor(), request_id, data, f.version())

    return _act(request_id, "triage", run, _("The request was triaged."), "triage")


@bp.route("/requests/<int:request_id>/escalate", methods=["POST"])
def escalate(request_id: int) -> Response | tuple[str, int]:
    def run(f: FormState) -> Any:
        data = parse(EscalateIn, {"board_id": f.value("board_id"), "note": f.value("note")})
        return svc.escalate(get_session(), current_actor(), request_id, data, f.version())

    return _act(request_id, "escalate", run, _("The request was referred to the board."), "triage")


@bp.route("/requests/<int:request_id>/convert-review", methods=["POST"])
def convert_review(request_id: int) -> Response | tuple[str, int]:
    def run(f: FormState) -> Any:
        keys = ("board_id", "project", "checkpoint", "org_unit_id", "contract_id", "due_date")
        data = parse(ConvertToReviewIn, {k: f.value(k) for k in keys})
        return svc.convert_to_review(
            get_session(), current_actor(), request_id, data, f.version(), survey=survey_config()
        )

    return _act(
        request_id, "review", run, _("A compliance review was requested from this request.")
    )


@bp.route("/requests/<int:request_id>/convert-dispensation", methods=["POST"])
def convert_dispensation(request_id: int) -> Response | tuple[str, int]:
    def run(f: FormState) -> Any:
        payload = {
            "review_id": f.value("review_id"),
            "finding_id": f.value("finding_id"),
            "item_references": _split(f.value("item_references")),
            "standards": _split(f.value("standards")),
            "justification": f.value("justification"),
            "conditions": f.value("conditions"),
            "requested_expiry": f.value("requested_expiry"),
        }
        data = parse(DispensationRequest, payload)
        return svc.convert_to_dispensation(
            get_session(),
            current_actor(),
            request_id,
            data,
            f.version(),
            survey=survey_config(),
            max_months=int(current_app.config["DISPENSATION_MAX_MONTHS"]),
        )

    return _act(
        request_id, "dispensation", run, _("A dispensation was requested from this request.")
    )


@bp.route("/requests/<int:request_id>/start", methods=["POST"])
def start(request_id: int) -> Response | tuple[str, int]:
    def run(f: FormState) -> Any:
        return svc.start(get_session(), current_actor(), request_id, f.version())

    return _act(request_id, "start", run, _("Work on the request started."))


@bp.route("/requests/<int:request_id>/notes", methods=["POST"])
def add_note(request_id: int) -> Response | tuple[str, int]:
    def run(f: FormState) -> Any:
        data = parse(
            NoteIn,
            {
                "body": f.value("body"),
                "internal": f.value("internal") in ("on", "1", "true"),
                "with_unit_id": f.value("with_unit_id"),
            },
        )
        return svc.add_note(get_session(), current_actor(), request_id, data)

    return _act(request_id, "note", run, _("Note added."), "notes")


@bp.route("/requests/<int:request_id>/resolve", methods=["POST"])
def resolve(request_id: int) -> Response | tuple[str, int]:
    def run(f: FormState) -> Any:
        data = parse(ResolveIn, {"outcome": f.value("outcome")})
        return svc.resolve(
            get_session(), current_actor(), request_id, data, f.version(), survey=survey_config()
        )

    return _act(request_id, "resolve", run, _("The request was resolved."))


def _reasoned(
    request_id: int, key: str, action: Callable[..., Any], done: str
) -> Response | tuple[str, int]:
    def run(f: FormState) -> Any:
        data = parse(ReasonIn, {"reason": f.value("reason")})
        return action(get_session(), current_actor(), request_id, data, f.version())

    return _act(request_id, key, run, done)


@bp.route("/requests/<int:request_id>/reopen", methods=["POST"])
def reopen(request_id: int) -> Response | tuple[str, int]:
    return _reasoned(request_id, "reopen", svc.reopen, _("The request was reopened."))


@bp.route("/requests/<int:request_id>/withdraw", methods=["POST"])
def withdraw(request_id: int) -> Response | tuple[str, int]:
    return _reasoned(request_id, "withdraw", svc.withdraw, _("The request was withdrawn."))


@bp.route("/requests/<int:request_id>/close", methods=["POST"])
def close(request_id: int) -> Response | tuple[str, int]:
    def run(f: FormState) -> Any:
        return svc.close(get_session(), current_actor(), request_id, f.version())

    return _act(request_id, "close", run, _("The request was closed."))


# --- service targets ---------------------------------------------------------------------------


@bp.route("/requests/service-targets", methods=["GET", "POST"])
def targets() -> str | Response | tuple[str, int]:
    s, actor = get_session(), current_actor()
    form = FormState()
    status = 200
    if request.method == "POST":
        form = FormState.from_request(request.form)

        def run() -> Any:
            rows = [
                {
                    "priority": p.value,
                    "first_response_hours": form.value(f"{p.value}-first_response_hours"),
                    "resolution_hours": form.value(f"{p.value}-resolution_hours"),
                }
                for p in RequestPriority
            ]
            try:
                data = TargetsIn.model_validate({"targets": rows})
            except ValueError as exc:
                raise Invalid(errors=_target_errors(exc)) from None
            return service_targets.set_targets(s, actor, data, form.version())

        saved, status = attempt(form, run)
        if saved is not None:
            flash(_("Service targets saved."), "success")
            return redirect(url_for(".targets"))
    current = service_targets.targets(s)
    configured = service_targets.configured(s)
    values = {
        f"{p}-{k}": str(getattr(t, k))
        for p, t in current.items()
        for k in ("first_response_hours", "resolution_hours")
    }
    form.values = values | form.values
    form.values["version"] = (
        str(service_targets.version(s)) if status != 409 else form.values.get("version", "")
    )
    return render_template(
        "requests/targets.html",
        form=form,
        priorities=[p.value for p in RequestPriority][::-1],
        configured=configured,
        may_edit=actor.can("requests.targets"),
    ), status


def _target_errors(exc: ValueError) -> dict[str, Any]:
    from pydantic import ValidationError

    out: dict[str, Any] = {}
    if isinstance(exc, ValidationError):
        for err in exc.errors():
            loc = err["loc"]
            if len(loc) >= 2 and loc[0] == "targets" and isinstance(loc[1], int):
                priority = list(RequestPriority)[loc[1]].value
                field = str(loc[2]) if len(loc) > 2 else "resolution_hours"
                out[f"{priority}-{field}"] = err["msg"].removeprefix("Value error, ")
    return out or {"targets": _("Enter whole hours.")}


# --- the public survey -------------------------------------------------------------------------


@bp.route("/survey/<token>", methods=["GET", "POST"])
def survey(token: str) -> str | tuple[str, int]:
    """Answered without signing in: the link is the credential, and it works once."""
    s = get_session()
    form = FormState()
    try:
        invitation, req = surveys.find(s, token)
    except surveys.SurveyClosed as exc:
        return render_template("requests/survey_closed.html", reason=exc.reason), (
            409 if exc.reason == "answered" else 410
        )
    except NotFound:
        return render_template("requests/survey_closed.html", reason="unknown"), 404
    status = 200
    if request.method == "POST":
        form = FormState.from_request(request.form)

        def run() -> Any:
            data = parse(
                SurveyAnswerIn, {"rating": form.value("rating"), "comment": form.value("comment")}
            )
            return surveys.answer(s, token, data)

        answered, status = attempt(form, run)
        if status == 409:  # someone answered with the same link meanwhile
            return render_template("requests/survey_closed.html", reason="answered"), 409
        if answered is not None:
            return render_template("requests/survey_closed.html", reason="thanks"), 200
    return render_template("requests/survey.html", form=form, r=req, invitation=invitation), status
