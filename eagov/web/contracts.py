"""Architecture contract pages: the list, one contract (content, signatures, deliverables,
versions and their comparison, history), the forms of the lifecycle, deliverables across
contracts with exports, Word documents and the document check.

Views parse the form, call a service and render or redirect; reading goes through
``services.contract_queries``. A refused action (409) or a field problem (422) shows the page
again with the typed input kept and the reason next to the form that was sent.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from io import BytesIO
from typing import Any, TypeVar

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
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required
from pydantic import BaseModel
from sqlmodel import Session
from werkzeug.wrappers import Response

from .. import richtext, storage
from ..auth import current_actor, permission_required
from ..contract_types import CAPACITY_LABELS, DELIVERABLE_KINDS, PHASE_LABELS, TYPES, spec
from ..db import get_session
from ..errors import Invalid, NotFound
from ..exports import Column
from ..labels import label
from ..models import (
    AdmPhase,
    Board,
    ContractMetric,
    ContractStatus,
    ContractVersion,
    Deliverable,
    DeliverableStatus,
    OrgUnit,
    Person,
)
from ..schemas.contracts import (
    AmendIn,
    CloseIn,
    ContractCreate,
    DeliverableIn,
    DeliverableProgress,
    MetricIn,
    MetricMeasure,
    SignIn,
    VersionContent,
)
from ..services import contract_audits
from ..services import contract_queries as queries
from ..services import contracts as contract_service
from ..services import deliverables as deliverable_service
from ..services.deliverables import DeliverableFilter
from ..services.org_queries import board_options, person_options, unit_options
from ..uploads import upload_root
from .downloads import table_download
from .forms import FormState, attempt, parse
from .pagination import Page, page_args
from .query_args import choice_arg, int_arg

bp = Blueprint("contracts", __name__, url_prefix="/contracts")

DOCX_MIMETYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
EXPORT_MAX_ROWS = 10_000
VERIFY_MAX_BYTES = 16 * 1024 * 1024
EVIDENCE_ACCEPT = ".pdf,.docx,.xlsx,.pptx,.png,.jpg,.jpeg,.txt,.csv,.md"
RISK_LEVELS = ("low", "medium", "high")
S = TypeVar("S", bound=BaseModel)

ACTION_LABELS: dict[str, Any] = {
    "edit": _l("Edit draft"),
    "submit": _l("Submit for review"),
    "return_to_draft": _l("Return to draft"),
    "approve": _l("Approve"),
    "amend": _l("Amend"),
    "complete": _l("Complete"),
    "terminate": _l("Terminate"),
}
STATUS_BADGES = {
    "draft": "secondary",
    "in_review": "info",
    "approved": "primary",
    "active": "success",
    "completed": "dark",
    "terminated": "danger",
    "expired": "warning",
    "signed": "success",
    "superseded": "light",
    "planned": "secondary",
    "in_progress": "info",
    "submitted": "primary",
    "accepted": "success",
    "rejected": "danger",
    "waived": "warning",
}
FIELD_LABELS: dict[str, Any] = {
    "title": _l("Title"),
    "type": _l("Type"),
    "board_id": _l("Architecture Board"),
    "board": _l("Architecture Board"),
    "architecture_unit_id": _l("Architecture unit"),
    "architecture_unit": _l("Architecture unit"),
    "counterparty_unit_id": _l("Counterparty unit"),
    "counterparty_unit": _l("Counterparty unit"),
    "partner_name": _l("Partner"),
    "sponsor_id": _l("Architecture Sponsor"),
    "sponsor": _l("Architecture Sponsor"),
    "lead_architect_id": _l("Lead architect"),
    "lead_architect": _l("Lead architect"),
    "representative_id": _l("Representative of the other party"),
    "representative": _l("Representative of the other party"),
    "window": _l("Time window"),
    "window_start": _l("Window start"),
    "window_end": _l("Window end"),
    "parties": _l("Parties"),
    "sections": _l("Sections"),
    # Some types also have a section of that name: the field is the summary checked later.
    "conformance_requirements": _l("Conformance requirements (summary)"),
    "principles": _l("Principles"),
    "standards": _l("Standards"),
    "risks": _l("Risks"),
    "metrics": _l("Metrics"),
    "deliverables": _l("Deliverables"),
    "change_summary": _l("Change summary"),
    "deliverable.title": _l("Title"),
    "deliverable.phase": _l("ADM phase"),
    "deliverable.kind": _l("Kind"),
    "deliverable.owner": _l("Owner"),
    "deliverable.due": _l("Due date"),
    "deliverable.acceptance_criteria": _l("Acceptance criteria"),
}
SORT_CHOICES: list[tuple[str, Any]] = [
    ("reference", _l("Reference")),
    ("-reference", _l("Reference, newest first")),
    ("title", _l("Title")),
    ("status", _l("Status")),
    ("window_end", _l("Window end, soonest first")),
    ("-window_end", _l("Window end, latest first")),
]


@bp.before_request
@login_required
def _signed_in() -> None:
    """Every contract page needs a signed-in user; services decide what each may see."""
    return None


@bp.context_processor
def _helpers() -> dict[str, Any]:
    return {
        "type_label": type_label,
        "capacity_label": lambda c: str(CAPACITY_LABELS.get(c, c)),
        "phase_label": lambda p: str(PHASE_LABELS.get(p, p)),
        "status_badge": lambda s: STATUS_BADGES.get(str(s), "light"),
        "field_label": lambda k: str(FIELD_LABELS.get(k, k)),
        "rich": richtext.to_html,
    }


def type_label(contract_type: str) -> str:
    found = TYPES.get(contract_type)
    return str(found.title) if found else contract_type


# --- shared form handling ----------------------------------------------------------------------


def _parse(schema: type[S], payload: dict[str, Any], rename: Callable[[str], str] = str) -> S:
    """Validate ``payload`` (strings as typed) with ``schema``; field errors are renamed to
    the form's field names."""
    try:
        return parse(schema, payload)
    except Invalid as exc:
        errors: dict[str, Any] = {}
        for key, message in exc.errors.items():
            errors.setdefault(rename(key), message)
        raise Invalid(errors=errors) from None


def _upload_limit() -> int:
    """The largest evidence file that gets through: the storage limit or the request limit."""
    request_limit = current_app.config.get("MAX_CONTENT_LENGTH") or storage.MAX_EVIDENCE_BYTES
    return int(min(storage.MAX_EVIDENCE_BYTES, request_limit))


# --- the list ----------------------------------------------------------------------------------


def _name_of(session: Session, model: Any, ident: int | None) -> str:
    row = session.get(model, ident) if ident else None
    return row.name if row else ""


@bp.route("/")
def list_contracts() -> str:
    s, actor = get_session(), current_actor()
    expiring = request.args.get("expiring", "")
    sort = request.args.get("sort", "reference")
    f = queries.ContractFilter(
        q=request.args.get("q", "").strip(),
        type=choice_arg("type", set(TYPES)),
        status=choice_arg("status", {st.value for st in ContractStatus}),
        board_id=int_arg("board"),
        sponsor_id=int_arg("sponsor"),
        unit_id=int_arg("unit"),
        sponsor_name=request.args.get("sponsor_name", "").strip()[:100],
        unit_name=request.args.get("unit_name", "").strip()[:100],
        expiring_days=int(expiring) if expiring.isdigit() else None,
        sort=sort if sort.lstrip("-") in queries.SORTS else "reference",
    )
    listing = queries.contracts_page(s, actor, f, *page_args())
    return render_template(
        "contracts/list.html",
        page=Page(listing.items, listing.total, listing.page, listing.per_page, listing.exact),
        f=f,
        types=[(t, str(ts.title)) for t, ts in TYPES.items()],
        statuses=[(st.value, label(st)) for st in ContractStatus],
        board_options=board_options(s),
        # A link with a sponsor's or unit's id shows the name in the text field.
        sponsor_text=f.sponsor_name or _name_of(s, Person, f.sponsor_id),
        unit_text=f.unit_name or _name_of(s, OrgUnit, f.unit_id),
        sort_choices=[(k, str(v)) for k, v in SORT_CHOICES],
    )


# --- one contract ------------------------------------------------------------------------------


def _render_contract(
    contract_id: int,
    *,
    number: int | None = None,
    tab: str = "content",
    forms: dict[str, FormState] | None = None,
    status: int = 200,
) -> tuple[str, int]:
    s, actor = get_session(), current_actor()
    d = queries.contract_detail(s, actor, contract_id, number)
    # Reasons are lazy messages: text in the reader's language before the template escapes it.
    actions = [
        replace(a, reason=str(a.reason))
        for a in contract_service.available_actions(
            s, actor, d.contract, d.latest, d.parts if d.version is d.latest else None
        )
    ]
    all_forms: defaultdict[str, FormState] = defaultdict(FormState)
    all_forms.update(forms or {})
    diff = None
    diff_error = ""
    signatures: dict[int, list[Any]] = {}
    if tab == "versions":
        signatures = queries.signatures_by_version(s, [v.id for v in d.versions if v.id])
        old_n, new_n = int_arg("a"), int_arg("b")
        if old_n is not None and new_n is not None:
            by_number = {v.number: v for v in d.versions}
            if old_n in by_number and new_n in by_number and old_n != new_n:
                diff = queries.version_diff(
                    s,
                    d.contract,
                    by_number[old_n],
                    by_number[new_n],
                    {k: str(v) for k, v in FIELD_LABELS.items()},
                )
            else:
                diff_error = _("Choose two different versions of this contract.")
    sign_capacities = [
        a.name.split(":", 1)[1] for a in actions if a.name.startswith("sign:") and a.allowed
    ]
    html = render_template(
        "contracts/contract.html",
        d=d,
        c=d.contract,
        v=d.version,
        type_spec=spec(d.contract.type),
        actions=actions,
        action_labels={k: str(val) for k, val in ACTION_LABELS.items()},
        sign_capacities=sign_capacities,
        forms=all_forms,
        tab=tab,
        diff=diff,
        diff_error=diff_error,
        signatures=signatures,
        evidence_accept=EVIDENCE_ACCEPT,
        max_evidence_mb=_upload_limit() // (1024 * 1024),
        today=date.today(),
        audits=contract_audits.audits_of(s, d.contract) if tab == "content" else [],
    )
    return html, status


@bp.route("/<int:contract_id>")
def contract(contract_id: int) -> tuple[str, int]:
    tab = request.args.get("tab", "content")
    if tab not in ("content", "versions", "history"):
        tab = "content"
    return _render_contract(contract_id, number=int_arg("v"), tab=tab)


def _back(contract_id: int, number: int | None = None, anchor: str = "") -> Response:
    url = url_for(".contract", contract_id=contract_id, v=number)
    return redirect(url + (f"#{anchor}" if anchor else ""))


def _shown_version() -> int | None:
    raw = request.form.get("v", "")
    return int(raw) if raw.isdigit() else None


def _lifecycle(
    contract_id: int,
    key: str,
    run: Callable[[FormState], Any],
    done: str,
) -> Response | tuple[str, int]:
    form = FormState.from_request(request.form)
    _result, status = attempt(form, lambda: run(form))
    if status == 200:
        flash(done, "success")
        return _back(contract_id)
    return _render_contract(contract_id, number=_shown_version(), forms={key: form}, status=status)


@bp.route("/<int:contract_id>/submit", methods=["POST"])
def submit(contract_id: int) -> Response | tuple[str, int]:
    return _lifecycle(
        contract_id,
        "submit",
        lambda _f: contract_service.submit(get_session(), current_actor(), contract_id),
        _("Submitted for review by the Architecture Board."),
    )


@bp.route("/<int:contract_id>/return", methods=["POST"])
def return_to_draft(contract_id: int) -> Response | tuple[str, int]:
    return _lifecycle(
        contract_id,
        "return_to_draft",
        lambda f: contract_service.return_to_draft(
            get_session(),
            current_actor(),
            contract_id,
            _parse(CloseIn, {"reason": f.value("reason")}),
        ),
        _("Returned to draft."),
    )


@bp.route("/<int:contract_id>/approve", methods=["POST"])
def approve(contract_id: int) -> Response | tuple[str, int]:
    return _lifecycle(
        contract_id,
        "approve",
        lambda _f: contract_service.approve(get_session(), current_actor(), contract_id),
        _("Approved: the content is frozen and ready for signatures."),
    )


@bp.route("/<int:contract_id>/sign", methods=["POST"])
def sign(contract_id: int) -> Response | tuple[str, int]:
    def run(f: FormState) -> Any:
        data = _parse(SignIn, {"capacity": f.value("capacity"), "password": f.value("password")})
        return contract_service.sign(get_session(), current_actor(), contract_id, data)

    return _lifecycle(contract_id, "sign", run, _("Signed."))


@bp.route("/<int:contract_id>/amend", methods=["POST"])
def amend(contract_id: int) -> Response | tuple[str, int]:
    def run(f: FormState) -> Any:
        data = _parse(AmendIn, {"change_summary": f.value("change_summary")})
        return contract_service.amend(get_session(), current_actor(), contract_id, data)

    form = FormState.from_request(request.form)
    draft, status = attempt(form, lambda: run(form))
    if draft is not None:
        flash(_("Version %(num)s opened as a draft amendment.", num=draft.number), "success")
        return _back(contract_id, draft.number)
    return _render_contract(
        contract_id, number=_shown_version(), forms={"amend": form}, status=status
    )


@bp.route("/<int:contract_id>/complete", methods=["POST"])
def complete(contract_id: int) -> Response | tuple[str, int]:
    return _lifecycle(
        contract_id,
        "complete",
        lambda f: contract_service.complete(
            get_session(),
            current_actor(),
            contract_id,
            _parse(CloseIn, {"reason": f.value("reason")}),
        ),
        _("The contract is completed."),
    )


@bp.route("/<int:contract_id>/terminate", methods=["POST"])
def terminate(contract_id: int) -> Response | tuple[str, int]:
    return _lifecycle(
        contract_id,
        "terminate",
        lambda f: contract_service.terminate(
            get_session(),
            current_actor(),
            contract_id,
            _parse(CloseIn, {"reason": f.value("reason")}),
        ),
        _("The contract is terminated."),
    )


# --- content forms (new contract, edit draft) --------------------------------------------------

SIMPLE_FIELDS = (
    "title",
    "architecture_unit_id",
    "counterparty_unit_id",
    "partner_name",
    "sponsor_id",
    "lead_architect_id",
    "representative_id",
    "window_start",
    "window_end",
    "conformance_requirements",
    "change_summary",
)


def _risk_words() -> dict[str, str]:
    """What may be typed for a likelihood or impact: the code or its label, any case."""
    words = {code: code for code in RISK_LEVELS}
    words |= {label(code).lower(): code for code in RISK_LEVELS}
    return words


def risk_line(risk: dict[str, Any]) -> str:
    parts = [risk.get("description", ""), risk.get("likelihood", ""), risk.get("impact", "")]
    if risk.get("mitigation"):
        parts.append(risk["mitigation"])
    return " | ".join(str(p) for p in parts)


def _risks(text: str) -> list[dict[str, str]]:
    words = _risk_words()
    out = []
    for line in text.splitlines():
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|", 3)]
        parts += [""] * (4 - len(parts))
        description, likelihood, impact, mitigation = parts
        out.append(
            {
                "description": description,
                "likelihood": words.get(likelihood.lower(), likelihood) or "medium",
                "impact": words.get(impact.lower(), impact) or "medium",
                "mitigation": mitigation,
            }
        )
    return out


def _one_per_line(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _content_payload(form: FormState, contract_type: str) -> dict[str, Any]:
    payload: dict[str, Any] = {k: form.value(k) for k in SIMPLE_FIELDS}
    payload["sections"] = {
        s.key: form.value(f"section-{s.key}")
        for s in spec(contract_type).sections
        if str(form.value(f"section-{s.key}")).strip()
    }
    payload["principles"] = _one_per_line(form.value("principles"))
    payload["standards"] = _one_per_line(form.value("standards"))
    payload["risks"] = _risks(form.value("risks"))
    return payload


def _content_field(key: str) -> str:
    """A schema error location as the form field that shows it."""
    head, _sep, rest = key.partition(".")
    if head == "sections" and rest:
        return f"section-{rest}"
    if head == "__root__":
        return "window_end"
    return head


def _risk_error(form: FormState, raw: dict[str, Any]) -> str:
    """Say which risk line is wrong (the schema reports risks.<index>.<field>)."""
    lines = [line for line in str(form.value("risks")).splitlines() if line.strip()]
    for key, message in raw.items():
        parts = key.split(".")
        if parts[0] == "risks" and len(parts) >= 2 and parts[1].isdigit():
            index = int(parts[1])
            return _(
                "Line %(num)s (%(line)s): %(message)s",
                num=index + 1,
                line=lines[index][:60] if index < len(lines) else "",
                message=str(message),
            )
    return ""


def _validate_content(form: FormState, schema: type[S], payload: dict[str, Any]) -> S:
    try:
        return parse(schema, payload)
    except Invalid as exc:
        errors: dict[str, Any] = {}
        for key, message in exc.errors.items():
            errors.setdefault(_content_field(key), message)
        if "risks" in errors:
            errors["risks"] = _risk_error(form, exc.errors) or errors["risks"]
        raise Invalid(errors=errors) from None


def _form_options(s: Session) -> dict[str, Any]:
    return {
        "board_options": board_options(s),
        "unit_options": unit_options(s),
        "person_options": person_options(s),
        "types": [(t, str(ts.title)) for t, ts in TYPES.items()],
    }


def _loose_message(form: FormState, shown: set[str]) -> None:
    """Errors about fields the form does not show (e.g. completeness) go above the form."""
    loose = [m for k, m in form.errors.items() if k not in shown]
    if loose:
        form.message = " ".join([form.message, *loose]).strip()


def _shown_fields(contract_type: str) -> set[str]:
    return {
        *SIMPLE_FIELDS,
        "type",
        "board_id",
        "principles",
        "standards",
        "risks",
        *(f"section-{s.key}" for s in spec(contract_type).sections),
    }


@bp.route("/new", methods=["GET", "POST"])
@permission_required("contracts.edit")
def new_contract() -> str | Response | tuple[str, int]:
    s = get_session()
    source = request.form if request.method == "POST" else request.args
    contract_type = source.get("type", "")
    if contract_type not in TYPES:
        # Step one: the type decides the sections of the form.
        return render_template("contracts/choose_type.html", types=_form_options(s)["types"])
    today = date.today()
    form = FormState(
        values={
            "type": contract_type,
            "window_start": today.isoformat(),
            "window_end": today.replace(year=today.year + 1).isoformat()
            if not (today.month == 2 and today.day == 29)
            else today.replace(year=today.year + 1, day=28).isoformat(),
        }
    )
    status = 200
    if request.method == "POST":
        form = FormState.from_request(request.form)
        payload = _content_payload(form, contract_type) | {
            "type": contract_type,
            "board_id": form.value("board_id"),
        }
        payload.pop("change_summary", None)
        created, status = attempt(
            form,
            lambda: contract_service.create_contract(
                s, current_actor(), _validate_content(form, ContractCreate, payload)
            ),
        )
        if created is not None:
            flash(_("Contract %(ref)s created as a draft.", ref=created.reference), "success")
            return redirect(url_for(".contract", contract_id=created.id))
        _loose_message(form, _shown_fields(contract_type))
    return render_template(
        "contracts/form.html",
        form=form,
        contract=None,
        contract_type=contract_type,
        type_spec=spec(contract_type),
        **_form_options(s),
    ), status


def _edit_values(version: ContractVersion) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for key in SIMPLE_FIELDS:
        value = getattr(version, key)
        values[key] = "" if value is None else str(value)
    values["principles"] = "\n".join(version.principles)
    values["standards"] = "\n".join(version.standards)
    values["risks"] = "\n".join(risk_line(r) for r in version.risks)
    for key, text in version.sections.items():
        values[f"section-{key}"] = text
    values["version"] = str(version.version)
    return values


@bp.route("/<int:contract_id>/edit", methods=["GET", "POST"])
@permission_required("contracts.edit")
def edit_contract(contract_id: int) -> str | Response | tuple[str, int]:
    s, actor = get_session(), current_actor()
    c = contract_service.get_contract(s, actor, contract_id)
    version = contract_service.get_version(s, c)
    form = FormState(values=_edit_values(version))
    status = 200
    if request.method == "GET" and version.state != "draft":
        form.message = _(
            "Version %(num)s is %(state)s and cannot be edited.",
            num=version.number,
            state=label(version.state),
        )
        status = 409
    if request.method == "POST":
        form = FormState.from_request(request.form)
        payload = _content_payload(form, c.type)
        saved, status = attempt(
            form,
            lambda: contract_service.update_draft(
                s,
                actor,
                contract_id,
                _validate_content(form, VersionContent, payload),
                form.version(),
            ),
        )
        if saved is not None:
            flash(_("Version %(num)s saved.", num=saved.number), "success")
            return redirect(url_for(".contract", contract_id=contract_id))
        if status == 409:
            # Keep what was typed; saving again (knowingly) replaces what the other person saved.
            s.refresh(version)
            form.values["version"] = str(version.version)
        _loose_message(form, _shown_fields(c.type))
    return render_template(
        "contracts/form.html",
        form=form,
        contract=c,
        version=version,
        board_name=board.name if (board := s.get(Board, c.board_id)) else "",
        contract_type=c.type,
        type_spec=spec(c.type),
        **_form_options(s),
    ), status


# --- deliverables and metrics (commitments of a draft) -----------------------------------------

DELIVERABLE_FIELDS = ("title", "phase", "kind", "owner_id", "due_date", "acceptance_criteria")


def _deliverable_options(s: Session) -> dict[str, Any]:
    return {
        "phases": [(p.value, str(PHASE_LABELS[p])) for p in AdmPhase],
        "kinds": DELIVERABLE_KINDS,
        "person_options": person_options(s),
    }


@bp.route("/<int:contract_id>/deliverables/new", methods=["GET", "POST"])
@permission_required("contracts.edit")
def new_deliverable(contract_id: int) -> str | Response | tuple[str, int]:
    s, actor = get_session(), current_actor()
    c = contract_service.get_contract(s, actor, contract_id)
    form = FormState(values={"phase": AdmPhase.A.value})
    status = 200
    if request.method == "POST":
        form = FormState.from_request(request.form)
        payload = {k: form.value(k) for k in DELIVERABLE_FIELDS}
        created, status = attempt(
            form,
            lambda: deliverable_service.add_deliverable(
                s, actor, contract_id, _parse(DeliverableIn, payload)
            ),
        )
        if created is not None:
            flash(_("Deliverable %(title)s added.", title=created.title), "success")
            return _back(contract_id, anchor="deliverables")
    return render_template(
        "contracts/deliverable_form.html",
        form=form,
        contract=c,
        item=None,
        **_deliverable_options(s),
    ), status


def _deliverable_and_contract(s: Session, deliverable_id: int) -> tuple[Deliverable, Any, Any]:
    """The deliverable, its version and its contract (404 when the actor may not see it)."""
    item = s.get(Deliverable, deliverable_id)
    if item is None:
        raise NotFound(_("Deliverable %(id)s not found.", id=deliverable_id))
    version = s.get(ContractVersion, item.version_id)
    assert version is not None
    c = contract_service.get_contract(s, current_actor(), version.contract_id)
    return item, version, c


@bp.route("/deliverables/<int:deliverable_id>/edit", methods=["GET", "POST"])
@permission_required("contracts.edit")
def edit_deliverable(deliverable_id: int) -> str | Response | tuple[str, int]:
    s, actor = get_session(), current_actor()
    item, _version, c = _deliverable_and_contract(s, deliverable_id)
    form = FormState(
        values={
            k: "" if getattr(item, k) is None else str(getattr(item, k)) for k in DELIVERABLE_FIELDS
        }
        | {"version": str(item.version)}
    )
    status = 200
    if request.method == "POST":
        form = FormState.from_request(request.form)
        payload = {k: form.value(k) for k in DELIVERABLE_FIELDS}
        saved, status = attempt(
            form,
            lambda: deliverable_service.update_deliverable(
                s, actor, deliverable_id, _parse(DeliverableIn, payload), form.version()
            ),
        )
        if saved is not None:
            flash(_("Deliverable %(title)s saved.", title=saved.title), "success")
            return _back(c.id, anchor=f"deliverable-{deliverable_id}")
        if status == 409:
            s.refresh(item)
            form.values["version"] = str(item.version)
    return render_template(
        "contracts/deliverable_form.html",
        form=form,
        contract=c,
        item=item,
        **_deliverable_options(s),
    ), status


@bp.route("/deliverables/<int:deliverable_id>/remove", methods=["POST"])
@permission_required("contracts.edit")
def remove_deliverable(deliverable_id: int) -> Response | tuple[str, int]:
    s, actor = get_session(), current_actor()
    item, version, c = _deliverable_and_contract(s, deliverable_id)
    title = item.title
    form = FormState.from_request(request.form)
    _r, status = attempt(
        form,
        lambda: deliverable_service.remove_deliverable(s, actor, deliverable_id, form.version()),
    )
    if status == 200:
        flash(_("Deliverable %(title)s removed.", title=title), "success")
        return _back(c.id, anchor="deliverables")
    return _render_contract(
        c.id, number=version.number, forms={f"deliverable-{deliverable_id}": form}, status=status
    )


@bp.route("/deliverables/<int:deliverable_id>/progress", methods=["POST"])
def progress(deliverable_id: int) -> Response | tuple[str, int]:
    s, actor = get_session(), current_actor()
    item, version, c = _deliverable_and_contract(s, deliverable_id)
    form = FormState.from_request(request.form)
    payload = {k: form.value(k) for k in ("status", "note", "evidence_link")}
    _r, status = attempt(
        form,
        lambda: deliverable_service.progress(
            s, actor, deliverable_id, _parse(DeliverableProgress, payload), form.version()
        ),
    )
    if status == 200:
        flash(_("Deliverable %(title)s updated.", title=item.title), "success")
        return _back(c.id, version.number, f"deliverable-{deliverable_id}")
    if status == 409:
        # The page shows the deliverable as it is now; sending again acts on that.
        form.values["version"] = str(item.version)
    return _render_contract(
        c.id, number=version.number, forms={f"progress-{deliverable_id}": form}, status=status
    )


@bp.route("/deliverables/<int:deliverable_id>/evidence", methods=["POST"])
def upload_evidence(deliverable_id: int) -> Response | tuple[str, int]:
    s, actor = get_session(), current_actor()
    item, version, c = _deliverable_and_contract(s, deliverable_id)
    form = FormState.from_request(request.form)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        form.errors["file"] = _("Choose a file to upload.")
        status = 422
    else:
        data = upload.stream.read(storage.MAX_EVIDENCE_BYTES + 1)
        filename = upload.filename
        _r, status = attempt(
            form,
            lambda: deliverable_service.attach_evidence(
                s, actor, deliverable_id, filename, data, upload_root(), form.version()
            ),
        )
        if status == 200:
            flash(_("Evidence attached to %(title)s.", title=item.title), "success")
            return _back(c.id, version.number, f"deliverable-{deliverable_id}")
        if status == 409:
            form.values["version"] = str(item.version)
    return _render_contract(
        c.id, number=version.number, forms={f"evidence-{deliverable_id}": form}, status=status
    )


@bp.route("/deliverables/<int:deliverable_id>/evidence", methods=["GET"])
def download_evidence(deliverable_id: int) -> Response:
    evidence = deliverable_service.evidence_for_download(
        get_session(), current_actor(), deliverable_id, upload_root()
    )
    return send_file(
        evidence.path,
        mimetype=evidence.content_type,
        as_attachment=True,
        download_name=evidence.name,
        max_age=0,
    )


@bp.route("/<int:contract_id>/metrics/new", methods=["GET", "POST"])
@permission_required("contracts.edit")
def new_metric(contract_id: int) -> str | Response | tuple[str, int]:
    s, actor = get_session(), current_actor()
    c = contract_service.get_contract(s, actor, contract_id)
    form = FormState()
    status = 200
    if request.method == "POST":
        form = FormState.from_request(request.form)
        payload = {k: form.value(k) for k in ("name", "target", "unit")}
        created, status = attempt(
            form,
            lambda: deliverable_service.add_metric(
                s, actor, contract_id, _parse(MetricIn, payload)
            ),
        )
        if created is not None:
            flash(_("Metric %(name)s added.", name=created.name), "success")
            return _back(contract_id, anchor="metrics")
    return render_template("contracts/metric_form.html", form=form, contract=c), status


def _metric_and_contract(s: Session, metric_id: int) -> tuple[ContractMetric, Any, Any]:
    metric = s.get(ContractMetric, metric_id)
    if metric is None:
        raise NotFound(_("Metric %(id)s not found.", id=metric_id))
    version = s.get(ContractVersion, metric.version_id)
    assert version is not None
    c = contract_service.get_contract(s, current_actor(), version.contract_id)
    return metric, version, c


@bp.route("/metrics/<int:metric_id>/remove", methods=["POST"])
@permission_required("contracts.edit")
def remove_metric(metric_id: int) -> Response | tuple[str, int]:
    s, actor = get_session(), current_actor()
    metric, version, c = _metric_and_contract(s, metric_id)
    name = metric.name
    form = FormState.from_request(request.form)
    _r, status = attempt(form, lambda: deliverable_service.remove_metric(s, actor, metric_id))
    if status == 200:
        flash(_("Metric %(name)s removed.", name=name), "success")
        return _back(c.id, anchor="metrics")
    return _render_contract(
        c.id, number=version.number, forms={f"metric-{metric_id}": form}, status=status
    )


@bp.route("/metrics/<int:metric_id>/measure", methods=["POST"])
def measure(metric_id: int) -> Response | tuple[str, int]:
    s, actor = get_session(), current_actor()
    metric, version, c = _metric_and_contract(s, metric_id)
    form = FormState.from_request(request.form)
    _r, status = attempt(
        form,
        lambda: deliverable_service.measure(
            s,
            actor,
            metric_id,
            _parse(MetricMeasure, {"measured_value": form.value("measured_value")}),
        ),
    )
    if status == 200:
        flash(_("Measured value of %(name)s recorded.", name=metric.name), "success")
        return _back(c.id, version.number, "metrics")
    return _render_contract(
        c.id, number=version.number, forms={f"metric-{metric_id}": form}, status=status
    )


# --- Word documents and their check ------------------------------------------------------------


@bp.route("/<int:contract_id>/versions/<int:number>/document.docx")
def document(contract_id: int, number: int) -> Response:
    from ..documents.contract_docx import build_contract_docx

    s = get_session()
    c = contract_service.get_contract(s, current_actor(), contract_id)
    version = contract_service.get_version(s, c, number)
    data = build_contract_docx(s, c, version, locale=str(get_locale()))
    return send_file(
        BytesIO(data),
        mimetype=DOCX_MIMETYPE,
        as_attachment=True,
        download_name=f"{c.reference}-v{version.number}.docx",
        max_age=0,
    )


@bp.route("/verify", methods=["GET", "POST"])
def verify_document() -> str | tuple[str, int]:
    form = FormState()
    result = None
    status = 200
    if request.method == "POST":
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            form.errors["file"] = _("Choose a Word document (.docx) to check.")
            status = 422
        elif not upload.filename.lower().endswith(".docx"):
            form.errors["file"] = _("Only Word documents (.docx) can be checked.")
            status = 422
        else:
            data = upload.stream.read(VERIFY_MAX_BYTES + 1)
            if len(data) > VERIFY_MAX_BYTES:
                form.errors["file"] = _("The file is larger than %(num)s MB.", num=16)
                status = 413
            else:
                # Imported here: the checker is a separate module (python-docx is heavy).
                from ..services.contract_documents import verify_docx

                result, status = attempt(
                    form, lambda: verify_docx(get_session(), current_actor(), data)
                )
                if status == 422 and not form.errors.get("file"):
                    form.errors["file"] = form.message
    return render_template("contracts/verify.html", form=form, result=result), status


# --- deliverables across contracts, with exports -----------------------------------------------


def _deliverable_filter() -> tuple[DeliverableFilter, dict[str, str]]:
    errors: dict[str, str] = {}

    def day(name: str) -> date | None:
        raw = request.args.get(name, "").strip()
        if not raw:
            return None
        try:
            return date.fromisoformat(raw)
        except ValueError:
            errors[name] = _("Enter a date as YYYY-MM-DD.")
            return None

    f = DeliverableFilter(
        phase=choice_arg("phase", {p.value for p in AdmPhase}),
        owner_id=int_arg("owner"),
        status=choice_arg("status", {st.value for st in DeliverableStatus}),
        due_from=day("due_from"),
        due_to=day("due_to"),
        overdue=request.args.get("overdue") in ("1", "on", "true"),
        contract_id=int_arg("contract"),
    )
    return f, errors


@bp.route("/deliverables")
def deliverables() -> tuple[str, int]:
    s, actor = get_session(), current_actor()
    f, errors = _deliverable_filter()
    listing = queries.deliverables_page(s, actor, f, *page_args())
    export_args = {k: v for k, v in request.args.items() if k not in ("page", "per_page")}
    return render_template(
        "contracts/deliverables.html",
        page=Page(listing.items, listing.total, listing.page, listing.per_page, listing.exact),
        f=f,
        errors=errors,
        phases=[(p.value, str(PHASE_LABELS[p])) for p in AdmPhase],
        statuses=[(st.value, label(st)) for st in DeliverableStatus],
        owner_options=queries.owner_options(s),
        export_args=export_args,
    ), 422 if errors else 200


def _export_table(rows: list[queries.DeliverableRow]) -> tuple[list[Column], list[list[Any]]]:
    columns = [
        Column(_("Contract"), 16),
        Column(_("Contract title"), 36),
        Column(_("Deliverable"), 36),
        Column(_("ADM phase"), 28),
        Column(_("Kind"), 28),
        Column(_("Owner"), 24),
        Column(_("Due date"), 12, "date"),
        Column(_("Status"), 14),
        Column(_("Overdue"), 10),
        Column(_("Accepted on"), 18, "datetime"),
    ]
    table = [
        [
            r.contract.reference,
            r.contract_title,
            r.item.title,
            str(PHASE_LABELS.get(r.item.phase, r.item.phase)),
            r.item.kind,
            r.owner_name or "",
            r.item.due_date,
            label(r.item.status),
            _("yes") if r.overdue else _("no"),
            r.item.accepted_at,
        ]
        for r in rows
    ]
    return columns, table


@bp.route("/deliverables/export.<any(csv, xlsx):fmt>")
def export_deliverables(fmt: str) -> Response:
    s, actor = get_session(), current_actor()
    f, _errors = _deliverable_filter()
    rows = queries.deliverable_rows(s, actor, f, EXPORT_MAX_ROWS)
    columns, table = _export_table(rows)
    return table_download(fmt, columns, table, sheet_title=_("Deliverables"), stem="deliverables")
