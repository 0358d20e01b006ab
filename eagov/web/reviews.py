"""Compliance review pages: the list with its dashboard tiles, requesting a review, one review
(the workflow, the overall level and its override, participants, tailoring, progress, findings,
dispensations, re-reviews, history) and the reviewer workspace that saves one item at a time.

Views parse the form, call a service and render or redirect; reading goes through
``services.review_queries``. A refused action (403 Forbidden, 409 Conflict, 422 Invalid) shows
the page again with the typed input kept and the reason next to the form that was sent.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, date, datetime
from io import BytesIO
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import get_locale, get_timezone
from flask_babel import gettext as _
from flask_login import login_required
from pydantic import BaseModel
from sqlmodel import Session, col, select
from werkzeug.wrappers import Response

from .. import richtext, storage
from ..auth import current_actor
from ..conformance import Level
from ..db import get_session
from ..errors import Conflict, Invalid, NotFound
from ..labels import label
from ..models import (
    ChecklistCategory,
    ChecklistLibrary,
    Checkpoint,
    Contract,
    Dispensation,
    DispensationState,
    Finding,
    ReviewDecision,
    ReviewItem,
    ReviewRole,
    ReviewState,
)
from ..permissions import Actor
from ..schemas.reviews import (
    AdvanceIn,
    AnswerIn,
    CustomItemIn,
    DispensationDecision,
    DispensationRequest,
    FindingIn,
    FindingMove,
    OverrideIn,
    ParticipantIn,
    RenewIn,
    ReviewRequest,
    TailorIn,
)
from ..services import checklists as checklist_service
from ..services import dispensations as dispensation_service
from ..services import review_queries as queries
from ..services import reviews as review_service
from ..services.org_queries import board_options, person_options, unit_options
from ..uploads import upload_root
from ..yaml_source import SourceInvalid
from .forms import FormState, attempt, parse
from .pagination import Page, page_args, paginate
from .query_args import choice_arg, day_arg

bp = Blueprint("reviews", __name__, url_prefix="/reviews")

S = TypeVar("S", bound=BaseModel)

STATE_BADGES = {
    "requested": "secondary",
    "scoped": "info",
    "tailored": "info",
    "scheduled": "info",
    "interviewing": "primary",
    "analysing": "primary",
    "report_drafted": "primary",
    "presented": "warning",
    "signed_off": "success",
    "closed": "dark",
    "open": "danger",
    "in_progress": "warning",
    "resolved": "info",
    "verified": "success",
    "granted": "success",
    "refused": "danger",
    "revoked": "dark",
    "expired": "secondary",
}
LEVEL_BADGES = {
    "non_conformant": "danger",
    "consistent": "warning",
    "compliant": "info",
    "conformant": "primary",
    "fully_conformant": "success",
    "irrelevant": "secondary",
}
SEVERITIES = ("low", "medium", "high", "critical")
ACTORS = {"coordinator", "lead", "board"}


@bp.before_request
@login_required
def _signed_in() -> None:
    """Every review page needs a signed-in user; services decide who may do what."""
    return None


@bp.context_processor
def _helpers() -> dict[str, Any]:
    return {
        "state_badge": lambda s: STATE_BADGES.get(str(s), "light"),
        "level_badge": lambda s: LEVEL_BADGES.get(str(s), "light"),
        "rich": richtext.to_html,
        "actor_label": lambda who: {
            "coordinator": _("Review co-ordinator"),
            "lead": _("Lead architect (or co-ordinator)"),
            "board": _("Architecture Board chair"),
        }.get(who, who),
        "level_options": [(lv.value, label(lv.value)) for lv in Level],
    }


# --- shared form handling ----------------------------------------------------------------------


def _split(raw: str) -> list[str]:
    return [p.strip() for p in raw.replace(";", ",").replace("\n", ",").split(",") if p.strip()]


def _int(raw: Any) -> int | None:
    return int(raw) if isinstance(raw, str) and raw.strip().isdigit() else None


# --- the list ----------------------------------------------------------------------------------


@bp.route("/")
def list_reviews() -> tuple[str, int]:
    s, actor = get_session(), current_actor()
    errors: dict[str, str] = {}
    f = queries.ReviewFilter(
        q=request.args.get("q", "").strip(),
        state=choice_arg("state", {st.value for st in ReviewState}),
        checkpoint=choice_arg("checkpoint", {c.value for c in Checkpoint}),
        level=choice_arg("level", {lv.value for lv in Level}),
        board_id=request.args.get("board", type=int),
        due_from=day_arg("due_from", errors),
        due_to=day_arg("due_to", errors),
    )
    listing = queries.reviews_page(s, actor, f, *page_args())
    return render_template(
        "reviews/list.html",
        page=Page(listing.items, listing.total, listing.page, listing.per_page),
        f=f,
        errors=errors,
        dash=queries.dashboard(s, actor),
        states=[(st.value, label(st.value)) for st in ReviewState],
        checkpoints=[(c.value, label(c.value)) for c in Checkpoint],
        board_options=board_options(s),
    ), 422 if errors else 200


# --- request a review --------------------------------------------------------------------------

REQUEST_FIELDS = (
    "title",
    "project",
    "board_id",
    "checkpoint",
    "contract_id",
    "org_unit_id",
    "scope",
    "due_date",
)


def _contract_options(s: Session) -> list[tuple[int, str]]:
    rows = s.exec(select(Contract.id, Contract.reference).order_by(col(Contract.reference))).all()
    return [(cid, ref) for cid, ref in rows if cid is not None]


@bp.route("/new", methods=["GET", "POST"])
def new_review() -> str | Response | tuple[str, int]:
    s, actor = get_session(), current_actor()
    form = FormState(values={"checkpoint": Checkpoint.INITIAL_DESIGN.value})
    status = 200
    if request.method == "POST":
        form = FormState.from_request(request.form)
        payload = {k: form.value(k) for k in REQUEST_FIELDS}

        def run() -> Any:
            try:
                data = parse(ReviewRequest, payload)
            except Invalid as exc:
                raise Invalid(errors=exc.errors) from None
            return review_service.request_review(s, actor, data)

        created, status = attempt(form, run)
        if created is not None:
            flash(_("Review %(ref)s requested.", ref=created.reference), "success")
            return redirect(url_for(".review", review_id=created.id))
    return render_template(
        "reviews/form.html",
        form=form,
        board_options=board_options(s),
        unit_options=unit_options(s),
        contract_options=_contract_options(s),
        checkpoints=[(c.value, label(c.value)) for c in Checkpoint],
    ), status


# --- one review --------------------------------------------------------------------------------


def _category_options(s: Session) -> list[tuple[str, str]]:
    rows = s.exec(
        select(ChecklistCategory.key, ChecklistCategory.title).order_by(
            col(ChecklistCategory.position)
        )
    ).all()
    locale = str(get_locale() or "en")
    seen: dict[str, str] = {}
    for key, title in rows:
        seen.setdefault(key, str(title.get(locale) or title.get("en") or key))
    return list(seen.items())


def _is_lead(d: queries.ReviewDetail, actor: Actor) -> bool:
    return actor.user_id is not None and any(
        p.role == ReviewRole.LEAD_ARCHITECT and person.user_id == actor.user_id
        for p, person in d.participants
    )


def _render_review(
    review_id: int,
    *,
    tab: str = "overview",
    forms: dict[str, FormState] | None = None,
    status: int = 200,
) -> tuple[str, int]:
    s, actor = get_session(), current_actor()
    d = queries.review_detail(s, actor, review_id)
    r = d.review
    all_forms: defaultdict[str, FormState] = defaultdict(FormState)
    all_forms.update(forms or {})
    steps = review_service.step_states(s, actor, r)
    current = next((st for st in steps if st["current"]), None)
    finished = r.state in (ReviewState.SIGNED_OFF, ReviewState.CLOSED)
    may = {
        "coordinate": actor.can("reviews.coordinate"),
        "lead": review_service.may_act(s, actor, r, "lead"),
        "reviewer": review_service.may_act(s, actor, r, "reviewer"),
        "decide": actor.can("dispensations.decide"),
        "override": _is_lead(d, actor) and not finished,
        "tailor": r.state in review_service.TAILORING,
        "answer": r.state in review_service.ANSWERING,
        "rereview": finished and actor.can("reviews.coordinate"),
    }
    comparison = None
    if r.previous_review_id:
        comparison = review_service.compare_with_previous(s, actor, review_id)
    html = render_template(
        "reviews/review.html",
        d=d,
        r=r,
        steps=steps,
        current=current,
        may=may,
        forms=all_forms,
        tab=tab,
        comparison=comparison,
        libraries=checklist_service.list_libraries(s, actor) if may["tailor"] else [],
        category_options=_category_options(s) if may["tailor"] else [],
        person_options=person_options(s),
        roles=[(ro.value, label(ro.value)) for ro in ReviewRole],
        decisions=[(dc.value, label(dc.value)) for dc in ReviewDecision],
        severities=[(sv, label(sv)) for sv in SEVERITIES],
        finding_flow={k: sorted(v) for k, v in review_service.FINDING_FLOW.items()},
        today=date.today(),
    )
    return html, status


@bp.route("/<int:review_id>")
def review(review_id: int) -> tuple[str, int]:
    tab = request.args.get("tab", "overview")
    if tab not in ("overview", "history"):
        tab = "overview"
    return _render_review(review_id, tab=tab)


def _back(review_id: int, anchor: str = "") -> Response:
    return redirect(url_for(".review", review_id=review_id) + (f"#{anchor}" if anchor else ""))


def _act(
    review_id: int,
    key: str,
    run: Callable[[FormState], Any],
    done: str,
    anchor: str = "",
    list_fields: tuple[str, ...] = (),
) -> Response | tuple[str, int]:
    form = FormState.from_request(request.form, list_fields)
    _result, status = attempt(form, lambda: run(form))
    if status == 200:
        flash(done, "success")
        return _back(review_id, anchor)
    return _render_review(review_id, forms={key: form}, status=status)


def _meeting_at(raw: str) -> datetime | str:
    """A ``datetime-local`` value, in the user's time zone (stored as UTC)."""
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        return raw
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo(str(get_timezone())))
    return value.astimezone(UTC)


@bp.route("/<int:review_id>/advance", methods=["POST"])
def advance(review_id: int) -> Response | tuple[str, int]:
    def run(f: FormState) -> Any:
        payload: dict[str, Any] = {
            "report_summary": f.value("report_summary"),
            "decision": f.value("decision"),
            "conditions": f.value("conditions"),
            "meeting_at": f.value("meeting_at"),
        }
        if payload["meeting_at"]:
            payload["meeting_at"] = _meeting_at(payload["meeting_at"])
        data = parse(AdvanceIn, payload)
        return review_service.advance(get_session(), current_actor(), review_id, data)

    return _act(review_id, "advance", run, _("The review moved to its next step."), "workflow")


@bp.route("/<int:review_id>/override", methods=["POST"])
def override(review_id: int) -> Response | tuple[str, int]:
    def run(f: FormState) -> Any:
        data = parse(
            OverrideIn, {"level": f.value("level"), "justification": f.value("justification")}
        )
        return review_service.override_level(get_session(), current_actor(), review_id, data)

    return _act(review_id, "override", run, _("The overall level was overridden."), "level")


@bp.route("/<int:review_id>/participants", methods=["POST"])
def add_participant(review_id: int) -> Response | tuple[str, int]:
    def run(f: FormState) -> Any:
        data = parse(ParticipantIn, {"person_id": f.value("person_id"), "role": f.value("role")})
        return review_service.add_participant(get_session(), current_actor(), review_id, data)

    return _act(review_id, "participant", run, _("Participant added."), "participants")


@bp.route("/<int:review_id>/tailor", methods=["POST"])
def tailor(review_id: int) -> Response | tuple[str, int]:
    def run(f: FormState) -> Any:
        refs = _split(f.value("references"))
        cats = f.value("categories", [])
        data = parse(
            TailorIn,
            {
                "library_id": f.value("library_id"),
                "categories": cats or None,
                "references": refs or None,
            },
        )
        return review_service.tailor(get_session(), current_actor(), review_id, data)

    return _act(
        review_id,
        "tailor",
        run,
        _("Checklist items added to the review."),
        "tailoring",
        ("categories",),
    )


@bp.route("/<int:review_id>/items", methods=["POST"])
def add_custom_item(review_id: int) -> Response | tuple[str, int]:
    def run(f: FormState) -> Any:
        keys = ("category_key", "category_title", "question", "guidance", "principle", "weight")
        data = parse(CustomItemIn, {k: f.value(k) for k in keys})
        return review_service.add_custom_item(get_session(), current_actor(), review_id, data)

    return _act(review_id, "custom", run, _("Custom item added."), "tailoring")


@bp.route("/<int:review_id>/findings", methods=["POST"])
def raise_finding(review_id: int) -> Response | tuple[str, int]:
    def run(f: FormState) -> Any:
        payload = {k: f.value(k) for k in ("severity", "description", "recommendation", "due_date")}
        payload["owner_id"] = f.value("owner_id")
        payload["item_references"] = _split(f.value("item_references"))
        data = parse(FindingIn, payload)
        return review_service.raise_finding(get_session(), current_actor(), review_id, data)

    return _act(review_id, "finding", run, _("Finding raised."), "findings")


@bp.route("/findings/<int:finding_id>/move", methods=["POST"])
def move_finding(finding_id: int) -> Response | tuple[str, int]:
    s = get_session()
    finding = s.get(Finding, finding_id)
    if finding is None:
        raise NotFound(_("Finding %(id)s not found.", id=finding_id))
    review_id = finding.review_id

    def run(f: FormState) -> Any:
        data = parse(FindingMove, {"status": f.value("status")})
        return review_service.move_finding(s, current_actor(), finding_id, data, f.version())

    return _act(
        review_id, f"finding-{finding_id}", run, _("Finding updated."), f"finding-{finding_id}"
    )


@bp.route("/<int:review_id>/dispensations", methods=["POST"])
def request_dispensation(review_id: int) -> Response | tuple[str, int]:
    def run(f: FormState) -> Any:
        payload = {
            "review_id": str(review_id),
            "finding_id": f.value("finding_id"),
            "item_references": _split(f.value("item_references")),
            "standards": _split(f.value("standards")),
            "justification": f.value("justification"),
            "conditions": f.value("conditions"),
            "requested_expiry": f.value("requested_expiry"),
        }
        data = parse(DispensationRequest, payload)
        return dispensation_service.request(get_session(), current_actor(), data)

    return _act(review_id, "dispensation", run, _("Dispensation requested."), "dispensations")


@bp.route(
    "/dispensations/<int:dispensation_id>/<any(grant, refuse, revoke):action>", methods=["POST"]
)
def decide_dispensation(dispensation_id: int, action: str) -> Response | tuple[str, int]:
    s = get_session()
    item = s.get(Dispensation, dispensation_id)
    if item is None:
        raise NotFound(_("Dispensation %(id)s not found.", id=dispensation_id))
    review_id = item.review_id
    decide = {
        "grant": dispensation_service.grant,
        "refuse": dispensation_service.refuse,
        "revoke": dispensation_service.revoke,
    }[action]
    done = {
        "grant": _("Dispensation granted."),
        "refuse": _("Dispensation refused."),
        "revoke": _("Dispensation revoked."),
    }[action]

    def run(f: FormState) -> Any:
        data = parse(
            DispensationDecision, {"expires_on": f.value("expires_on"), "note": f.value("note")}
        )
        return decide(s, current_actor(), dispensation_id, data, f.version())

    return _act(review_id, f"disp-{dispensation_id}", run, done, f"dispensation-{dispensation_id}")


@bp.route("/dispensations/<int:dispensation_id>/renew", methods=["POST"])
def renew_dispensation(dispensation_id: int) -> Response | tuple[str, int]:
    """A renewal is a new request linked to the old one; the board decides it afresh."""
    s = get_session()
    item = s.get(Dispensation, dispensation_id)
    if item is None:
        raise NotFound(_("Dispensation %(id)s not found.", id=dispensation_id))

    def run(f: FormState) -> Any:
        data = parse(
            RenewIn,
            {
                "requested_expiry": f.value("requested_expiry"),
                "justification": f.value("justification"),
            },
        )
        return dispensation_service.renew(
            s,
            current_actor(),
            dispensation_id,
            data.requested_expiry,
            data.justification,
            max_months=int(current_app.config["DISPENSATION_MAX_MONTHS"]),
        )

    return _act(
        item.review_id,
        f"renew-{dispensation_id}",
        run,
        _("Renewal requested."),
        f"dispensation-{dispensation_id}",
    )


@bp.route("/<int:review_id>/rereview", methods=["POST"])
def rereview(review_id: int) -> Response | tuple[str, int]:
    form = FormState.from_request(request.form)
    new, status = attempt(
        form, lambda: review_service.start_rereview(get_session(), current_actor(), review_id)
    )
    if new is not None:
        flash(_("Re-review %(ref)s started.", ref=new.reference), "success")
        return redirect(url_for(".review", review_id=new.id))
    return _render_review(review_id, forms={"rereview": form}, status=status)


# --- the reviewer workspace --------------------------------------------------------------------

ANSWER_FIELDS = ("answer", "level", "evidence_link", "evidence_date", "notes")


def _render_workspace(
    review_id: int, forms: dict[str, FormState] | None = None, status: int = 200
) -> tuple[str, int]:
    s, actor = get_session(), current_actor()
    d = queries.review_detail(s, actor, review_id)
    forms = forms or {}
    all_forms: dict[str, FormState] = {}
    for item in d.items:
        key = f"item-{item.id}"
        all_forms[key] = forms.get(key) or FormState(values=_item_values(item))
    # An evidence upload that failed shows its message under that item.
    all_forms.update({k: f for k, f in forms.items() if k.startswith("evidence-")})
    return render_template(
        "reviews/workspace.html",
        d=d,
        r=d.review,
        forms=all_forms,
        may_answer=d.review.state in review_service.ANSWERING
        and review_service.may_act(s, actor, d.review, "reviewer"),
    ), status


def _item_values(item: ReviewItem) -> dict[str, Any]:
    values = {k: "" if getattr(item, k) is None else str(getattr(item, k)) for k in ANSWER_FIELDS}
    values["version"] = str(item.version)
    return values


@bp.route("/<int:review_id>/workspace")
def workspace(review_id: int) -> tuple[str, int]:
    return _render_workspace(review_id)


@bp.route("/items/<int:item_id>", methods=["POST"])
def save_item(item_id: int) -> Response | tuple[str, int]:
    s, actor = get_session(), current_actor()
    item = s.get(ReviewItem, item_id)
    if item is None:
        raise NotFound(_("Checklist item %(id)s not found.", id=item_id))
    review_id = item.review_id
    form = FormState.from_request(request.form)

    def run() -> Any:
        data = parse(AnswerIn, {k: form.value(k) for k in ANSWER_FIELDS})
        return review_service.answer_item(s, actor, item_id, data, form.version())

    saved, status = attempt(form, run)
    if saved is not None:
        flash(_("Item %(ref)s saved.", ref=saved.reference), "success")
        items = review_service.items_of(s, review_id)
        ids = [i.id for i in items]
        pos = ids.index(item_id)
        anchor = f"item-{ids[pos + 1]}" if pos + 1 < len(ids) else f"item-{item_id}"
        return redirect(url_for(".workspace", review_id=review_id) + f"#{anchor}")
    if status == 409:
        s.refresh(item)
        # The other reviewer's values are shown beside the kept text; saving again overwrites.
        form.values["version"] = str(item.version)
        form.values["_theirs"] = _item_values(item)
    return _render_workspace(review_id, forms={f"item-{item_id}": form}, status=status)


@bp.route("/items/<int:item_id>/evidence", methods=["POST"])
def upload_item_evidence(item_id: int) -> Response | tuple[str, int]:
    s, actor = get_session(), current_actor()
    item = s.get(ReviewItem, item_id)
    if item is None:
        raise NotFound(_("Checklist item %(id)s not found.", id=item_id))
    review_id = item.review_id
    form = FormState.from_request(request.form)
    upload = request.files.get("file")

    def run() -> Any:
        if upload is None or not upload.filename:
            raise Invalid(errors={"file": _("Choose a file to upload.")})
        data = upload.stream.read(storage.MAX_EVIDENCE_BYTES + 1)
        return review_service.attach_item_evidence(
            s, actor, item_id, upload.filename, data, upload_root(), form.version()
        )

    saved, status = attempt(form, run)
    if saved is not None:
        flash(_("Evidence for %(ref)s uploaded.", ref=saved.reference), "success")
        return redirect(url_for(".workspace", review_id=review_id) + f"#item-{item_id}")
    return _render_workspace(review_id, forms={f"evidence-{item_id}": form}, status=status)


@bp.route("/items/<int:item_id>/evidence")
def item_evidence(item_id: int) -> Response:
    path, name, mimetype = review_service.item_evidence(
        get_session(), current_actor(), item_id, upload_root()
    )
    return send_file(path, mimetype=mimetype, as_attachment=True, download_name=name)


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _attachment(data: bytes, mimetype: str, filename: str) -> Response:
    return send_file(BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=filename)


@bp.route("/<int:review_id>/report.docx")
def report(review_id: int) -> Response:
    """The review report in Word, in the user's language."""
    from ..documents.review_docx import build_review_docx

    s = get_session()
    item = review_service.get_review(s, current_actor(), review_id)
    data = build_review_docx(s, item, locale=str(get_locale()))
    return _attachment(data, DOCX, f"{item.reference}-report.docx")


@bp.route("/<int:review_id>/responses.<any(csv, xlsx):fmt>")
def responses(review_id: int, fmt: str) -> Response:
    """The checklist responses as CSV or XLSX."""
    from ..exports import review_exports as ex
    from ..exports.tabular import CSV_MIMETYPE, XLSX_MIMETYPE

    s = get_session()
    item = review_service.get_review(s, current_actor(), review_id)
    locale = str(get_locale())
    if fmt == "csv":
        data, mimetype = ex.responses_csv(s, item, locale=locale), CSV_MIMETYPE
    else:
        data, mimetype = ex.responses_xlsx(s, item, locale=locale), XLSX_MIMETYPE
    return _attachment(data, mimetype, ex.responses_filename(item, fmt))


@bp.route("/dispensations")
def dispensations_register() -> str:
    """Every dispensation, newest first, and the items and standards waived again and again."""
    s = get_session()
    actor = current_actor()
    state = choice_arg("state", {st.value for st in DispensationState})
    page = paginate(s, queries.dispensations_query(state), *page_args())
    return render_template(
        "reviews/dispensations.html",
        page=page,
        state=state,
        states=list(DispensationState),
        recurring=dispensation_service.recurring(s, actor),
        expiring=dispensation_service.expiring_within(s, actor, 30),
    )


# --- checklist libraries -----------------------------------------------------------------------


@bp.route("/libraries", methods=["GET", "POST"])
def libraries() -> str | Response | tuple[str, int]:
    """Every imported library version; co-ordinators import new ones here."""
    s = get_session()
    actor = current_actor()
    errors: list[Any] = []
    status = 200
    if request.method == "POST":
        upload = request.files.get("file")
        try:
            if upload is None or not upload.filename:
                raise Invalid(errors={"file": _("Choose a YAML file to import.")})
            if not upload.filename.lower().endswith((".yaml", ".yml")):
                raise Invalid(errors={"file": _("The file must be YAML (.yaml or .yml).")})
            library = checklist_service.import_library(s, actor, upload.stream.read())
        except SourceInvalid as exc:
            errors, status = exc.source_errors, 422
        except (Invalid, Conflict) as exc:
            extra = getattr(exc, "errors", {}) or {}
            errors = [str(m) for m in extra.values()] or [str(exc.detail)]
            status = exc.status
        else:
            flash(
                _(
                    "Imported %(id)s version %(version)s.",
                    id=library.identifier,
                    version=library.version,
                ),
                "success",
            )
            return redirect(url_for(".library", library_id=library.id))
    return render_template(
        "reviews/libraries.html",
        libraries=checklist_service.list_libraries(s, actor),
        may_import=actor.can("checklists.manage"),
        errors=errors,
    ), status


@bp.route("/libraries/<int:library_id>")
def library(library_id: int) -> str:
    s = get_session()
    item = s.get(ChecklistLibrary, library_id)
    if item is None:
        raise NotFound(_("There is no checklist library with the id %(id)s.", id=library_id))
    checklist_service.list_libraries(s, current_actor())  # the permission check
    return render_template(
        "reviews/library.html", library=item, parts=checklist_service.contents(s, library_id)
    )


@bp.route("/libraries/<int:library_id>/export.yaml")
def export_library(library_id: int) -> Response:
    s = get_session()
    text = checklist_service.export_library(s, current_actor(), library_id)
    item = s.get(ChecklistLibrary, library_id)
    assert item is not None
    return _attachment(
        text.encode("utf-8"), "application/yaml", f"{item.identifier}-{item.version}.yaml"
    )
