"""Board meetings and the decision log (pages): the list of meetings, scheduling and editing
one, the meeting page (agenda, papers, attendance and quorum, decisions, actions, minutes),
recording a decision (on an agenda item, or outside a meeting), the decision log with its
CSV and Excel exports, and one decision.

Views parse the form, call ``services.meetings``, ``services.agenda`` or
``services.decisions`` and render or redirect. A refused change (403, 409, 422) shows the
page again with what was typed and the reason.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, date, datetime
from io import BytesIO
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, flash, redirect, render_template, request, send_file
from flask import url_for as flask_url_for
from flask_babel import get_locale, get_timezone
from flask_babel import gettext as _
from flask_login import login_required
from werkzeug.routing import BuildError
from werkzeug.wrappers import Response

from .. import richtext, storage
from ..auth import current_actor
from ..db import get_session
from ..errors import Invalid, NotFound
from ..exports.tabular import Column
from ..labels import label
from ..models import (
    AgendaItem,
    AgendaItemStatus,
    AgendaSection,
    DecisionKind,
    DecisionMethod,
    MeetingPaper,
    MeetingState,
)
from ..schemas.meetings import (
    AgendaItemEdit,
    AgendaItemIn,
    AgendaMove,
    AttendanceIn,
    DecisionIn,
    GuestIn,
    MeetingIn,
    MeetingUpdate,
    MinutesIn,
    PaperIn,
)
from ..services import agenda as agenda_service
from ..services import decisions as decision_service
from ..services import meetings as svc
from ..services.audit import as_utc
from ..services.org_queries import board_options, person_options
from ..uploads import upload_root
from .downloads import table_download
from .forms import FormState, attempt, parse
from .pagination import Page, page_args
from .query_args import choice_arg, day_arg

bp = Blueprint("meetings", __name__)

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
EXPORT_MAX_ROWS = decision_service.EXPORT_LIMIT
STATE_BADGES = {
    "planned": "info",
    "in_session": "warning",
    "closed": "success",
    "cancelled": "secondary",
    "open": "light",
    "discussed": "info",
    "decided": "success",
    "deferred": "secondary",
    "invited": "light",
    "confirmed": "info",
    "declined": "secondary",
    "attended": "success",
    "apologies": "warning",
    "absent": "danger",
}
# Where a subject of an agenda item, a paper or a decision is shown.
SUBJECT_PAGES = {
    "contract": ("contracts.contract", "contract_id"),
    "review": ("reviews.review", "review_id"),
    "action": ("actions.action", "action_id"),
    "request": ("requests.request", "request_id"),
    "meeting": ("meetings.meeting", "meeting_id"),
}
MEETING_FIELDS = ("title", "starts_at", "ends_at", "location")
DECISION_FIELDS = (
    "kind",
    "title",
    "rationale",
    "decided_on",
    "method",
    "votes_for",
    "votes_against",
    "abstentions",
    "agenda_item_id",
    "supersedes_id",
    "expires_on",
    "conditions",
)


@bp.before_request
@login_required
def _signed_in() -> None:
    """Every meeting page needs a signed-in user; services decide who may do what."""
    return None


def link(endpoint: str, **values: Any) -> str | None:
    """A URL, or None while the page it leads to does not exist yet."""
    try:
        return flask_url_for(endpoint, **values)
    except BuildError:
        return None


def subject_url(subject_type: str | None, subject_id: int | None) -> str | None:
    page = SUBJECT_PAGES.get(subject_type or "")
    if page is None or subject_id is None:
        if subject_type == "dispensation":
            return link("reviews.dispensations_register")
        return None
    return link(page[0], **{page[1]: subject_id})


@bp.context_processor
def _helpers() -> dict[str, Any]:
    return {
        "state_badge": lambda s: STATE_BADGES.get(str(s), "light"),
        "rich": richtext.to_html,
        "subject_url": subject_url,
        "link": link,
    }


# --- shared form handling ----------------------------------------------------------------------


def _local_moment(raw: Any) -> Any:
    """A ``datetime-local`` value, in the user's time zone (stored as UTC)."""
    if not isinstance(raw, str) or not raw:
        return raw or None
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        return raw
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo(str(get_timezone())))
    return value.astimezone(UTC)


def _local_input(value: datetime | None) -> str:
    """A stored UTC time as a ``datetime-local`` value in the user's zone."""
    if value is None:
        return ""
    return as_utc(value).astimezone(ZoneInfo(str(get_timezone()))).strftime("%Y-%m-%dT%H:%M")


def _max_months() -> int:
    return int(current_app.config.get("DISPENSATION_MAX_MONTHS", 12))


# --- the list of meetings ----------------------------------------------------------------------


@bp.route("/meetings/")
def list_meetings() -> str:
    s, actor = get_session(), current_actor()
    f = svc.MeetingFilter(
        board_id=request.args.get("board", type=int),
        state=choice_arg("state", {st.value for st in MeetingState}),
        when=choice_arg("when", {"upcoming", "past"}),
        q=request.args.get("q", "").strip()[:200],
    )
    listing = svc.meetings_page(s, actor, f, *page_args())
    return render_template(
        "meetings/list.html",
        page=Page(listing.items, listing.total, listing.page, listing.per_page),
        f=f,
        states=[(st.value, label(st.value)) for st in MeetingState],
        board_options=board_options(s),
        may_schedule=actor.can("meetings.manage"),
    )


@bp.route("/meetings/new", methods=["GET", "POST"])
def new_meeting() -> str | Response | tuple[str, int]:
    s, actor = get_session(), current_actor()
    form = FormState(values={"board_id": request.args.get("board", "")})
    status = 200
    if request.method == "POST":
        form = FormState.from_request(request.form)
        payload = {k: form.value(k) for k in ("board_id", *MEETING_FIELDS)}
        payload["starts_at"] = _local_moment(payload["starts_at"])
        payload["ends_at"] = _local_moment(payload["ends_at"])

        def run() -> Any:
            return svc.schedule(s, actor, parse(MeetingIn, payload))

        created, status = attempt(form, run)
        if created is not None:
            flash(_("Meeting %(ref)s scheduled.", ref=created.reference), "success")
            return redirect(flask_url_for(".meeting", meeting_id=created.id))
    return render_template(
        "meetings/form.html", form=form, meeting=None, board_options=board_options(s)
    ), status


@bp.route("/meetings/<int:meeting_id>/edit", methods=["GET", "POST"])
def edit_meeting(meeting_id: int) -> str | Response | tuple[str, int]:
    s, actor = get_session(), current_actor()
    meeting = svc.get_meeting(s, actor, meeting_id)
    form = FormState(
        values={
            "title": meeting.title,
            "starts_at": _local_input(meeting.starts_at),
            "ends_at": _local_input(meeting.ends_at),
            "location": meeting.location,
            "version": str(meeting.version),
        }
    )
    status = 200
    if request.method == "POST":
        form = FormState.from_request(request.form)
        payload = {k: form.value(k) for k in MEETING_FIELDS}
        payload["starts_at"] = _local_moment(payload["starts_at"])
        payload["ends_at"] = _local_moment(payload["ends_at"])

        def run() -> Any:
            data = parse(MeetingUpdate, payload)
            return svc.update(s, actor, meeting_id, data, form.version())

        saved, status = attempt(form, run)
        if saved is not None:
            flash(_("Meeting %(ref)s saved.", ref=saved.reference), "success")
            return redirect(flask_url_for(".meeting", meeting_id=meeting_id))
    return render_template(
        "meetings/form.html", form=form, meeting=meeting, board_options=board_options(s)
    ), status


# --- one meeting -------------------------------------------------------------------------------


def _render_meeting(
    meeting_id: int, forms: dict[str, FormState] | None = None, status: int = 200
) -> tuple[str, int]:
    s, actor = get_session(), current_actor()
    d = svc.meeting_detail(s, actor, meeting_id)
    m = d.meeting
    all_forms: defaultdict[str, FormState] = defaultdict(FormState)
    all_forms.update(forms or {})
    if "minutes" not in all_forms:
        all_forms["minutes"] = FormState(values={"minutes": m.minutes, "version": str(m.version)})
    planned, running = m.state == MeetingState.PLANNED, m.state == MeetingState.IN_SESSION
    may = {
        "manage": actor.can("meetings.manage") and planned,
        "run": actor.can("meetings.run") and running,
        "open": actor.can("meetings.run") and planned,
        "agenda": (planned and actor.can("meetings.manage"))
        or (running and (actor.can("meetings.run") or actor.can("meetings.manage"))),
        "papers": actor.can("meetings.manage") and (planned or running),
        "attendance": (planned and actor.can("meetings.manage"))
        or (running and actor.can("meetings.run")),
        "decide": actor.can("decisions.record") and running,
        "raise_action": actor.can("actions.manage"),
    }
    paper_subjects = [
        (
            f"{i.subject_type}:{i.subject_id}",
            f"{d.subjects.get((str(i.subject_type), int(i.subject_id or 0)), '')} {i.title}",
        )
        for i in d.agenda
        if i.subject_type in ("review", "contract")
    ]
    html = render_template(
        "meetings/meeting.html",
        d=d,
        m=m,
        may=may,
        forms=all_forms,
        sections=[(sc.value, label(sc.value)) for sc in AgendaSection],
        item_statuses=[(st.value, label(st.value)) for st in AgendaItemStatus],
        before_statuses=[(st.value, label(st.value)) for st in svc.BEFORE],
        during_statuses=[(st.value, label(st.value)) for st in svc.DURING],
        paper_subjects=paper_subjects,
        person_options=person_options(s),
        item_titles={i.id: i.title for i in d.agenda},
        me=svc.person_id_of(s, actor),
    )
    return html, status


@bp.route("/meetings/<int:meeting_id>")
def meeting(meeting_id: int) -> tuple[str, int]:
    return _render_meeting(meeting_id)


def _back(meeting_id: int, anchor: str = "") -> Response:
    return redirect(
        flask_url_for(".meeting", meeting_id=meeting_id) + (f"#{anchor}" if anchor else "")
    )


def _act(
    meeting_id: int, key: str, run: Callable[[FormState], Any], done: str, anchor: str = ""
) -> Response | tuple[str, int]:
    form = FormState.from_request(request.form)
    _result, status = attempt(form, lambda: run(form))
    if status == 200:
        flash(done, "success")
        return _back(meeting_id, anchor)
    return _render_meeting(meeting_id, forms={key: form}, status=status)


@bp.route("/meetings/<int:meeting_id>/<any(open, cancel, circulate):step>", methods=["POST"])
def meeting_step(meeting_id: int, step: str) -> Response | tuple[str, int]:
    s, actor = get_session(), current_actor()
    use_case = {
        "open": svc.open_meeting,
        "cancel": svc.cancel,
        "circulate": svc.circulate_papers,
    }[step]
    done = {
        "open": _("The meeting is open."),
        "cancel": _("The meeting is cancelled."),
        "circulate": _("The papers are recorded as circulated."),
    }[step]
    return _act(
        meeting_id,
        "meeting",
        lambda f: use_case(s, actor, meeting_id, f.version()),
        done,
        "papers" if step == "circulate" else "",
    )


@bp.route("/meetings/<int:meeting_id>/minutes", methods=["POST"])
def save_minutes(meeting_id: int) -> Response | tuple[str, int]:
    """Save the minutes, or save them and close the meeting (the button says which)."""
    s, actor = get_session(), current_actor()
    closing = request.form.get("then") == "close"

    def run(f: FormState) -> Any:
        data = parse(MinutesIn, {"minutes": f.value("minutes")})
        if closing:
            return svc.close(s, actor, meeting_id, f.version(), minutes=data.minutes)
        return svc.save_minutes(s, actor, meeting_id, data.minutes, f.version())

    done = _("The meeting is closed.") if closing else _("Minutes saved.")
    return _act(meeting_id, "minutes", run, done, "" if closing else "minutes")


# --- agenda ------------------------------------------------------------------------------------


@bp.route("/meetings/<int:meeting_id>/agenda/propose", methods=["POST"])
def propose_agenda(meeting_id: int) -> Response | tuple[str, int]:
    s, actor = get_session(), current_actor()
    form = FormState.from_request(request.form)
    added, status = attempt(form, lambda: agenda_service.apply_proposal(s, actor, meeting_id))
    if added is not None:
        flash(_("%(n)s items added to the agenda.", n=len(added)), "success")
        return _back(meeting_id, "agenda")
    return _render_meeting(meeting_id, forms={"propose": form}, status=status)


@bp.route("/meetings/<int:meeting_id>/agenda", methods=["POST"])
def add_agenda_item(meeting_id: int) -> Response | tuple[str, int]:
    s, actor = get_session(), current_actor()

    def run(f: FormState) -> Any:
        keys = ("section", "title", "description", "presenter_id")
        return agenda_service.add_item(
            s, actor, meeting_id, parse(AgendaItemIn, {k: f.value(k) for k in keys})
        )

    return _act(meeting_id, "agenda-add", run, _("Agenda item added."), "agenda")


def _item(item_id: int) -> AgendaItem:
    item = get_session().get(AgendaItem, item_id)
    if item is None:
        raise NotFound(_("Agenda item %(id)s not found.", id=item_id))
    return item


@bp.route("/meetings/agenda/<int:item_id>", methods=["POST"])
def edit_agenda_item(item_id: int) -> Response | tuple[str, int]:
    s, actor = get_session(), current_actor()
    item = _item(item_id)

    def run(f: FormState) -> Any:
        keys = ("section", "title", "description", "presenter_id", "status", "notes")
        payload = {k: f.value(k) for k in keys if k in f.values}
        return agenda_service.edit_item(
            s, actor, item_id, parse(AgendaItemEdit, payload), f.version()
        )

    return _act(item.meeting_id, f"item-{item_id}", run, _("Agenda item saved."), f"item-{item_id}")


@bp.route("/meetings/agenda/<int:item_id>/move", methods=["POST"])
def move_agenda_item(item_id: int) -> Response | tuple[str, int]:
    s, actor = get_session(), current_actor()
    item = _item(item_id)

    def run(f: FormState) -> Any:
        data = parse(AgendaMove, {"direction": f.value("direction")})
        return agenda_service.move_item(s, actor, item_id, data.direction, f.version())

    return _act(item.meeting_id, f"item-{item_id}", run, _("Agenda item moved."), "agenda")


@bp.route("/meetings/agenda/<int:item_id>/delete", methods=["POST"])
def remove_agenda_item(item_id: int) -> Response | tuple[str, int]:
    s, actor = get_session(), current_actor()
    item = _item(item_id)
    return _act(
        item.meeting_id,
        f"item-{item_id}",
        lambda f: agenda_service.remove_item(s, actor, item_id, f.version()),
        _("Agenda item removed."),
        "agenda",
    )


# --- papers ------------------------------------------------------------------------------------


@bp.route("/meetings/<int:meeting_id>/papers", methods=["POST"])
def add_paper(meeting_id: int) -> Response | tuple[str, int]:
    s, actor = get_session(), current_actor()

    def run(f: FormState) -> Any:
        kind, _sep, ident = str(f.value("subject")).partition(":")
        data = parse(
            PaperIn,
            {"subject_type": kind, "subject_id": ident, "title": f.value("title")},
        )
        return svc.add_paper(s, actor, meeting_id, data)

    return _act(meeting_id, "paper", run, _("Paper attached."), "papers")


@bp.route("/meetings/<int:meeting_id>/papers/upload", methods=["POST"])
def upload_paper(meeting_id: int) -> Response | tuple[str, int]:
    s, actor = get_session(), current_actor()
    upload = request.files.get("file")

    def run(f: FormState) -> Any:
        if upload is None or not upload.filename:
            raise Invalid(errors={"file": _("Choose a file to upload.")})
        data = upload.stream.read(storage.MAX_EVIDENCE_BYTES + 1)
        return svc.upload_paper(
            s, actor, meeting_id, upload.filename, data, upload_root(), title=f.value("title")
        )

    return _act(meeting_id, "upload", run, _("Paper uploaded."), "papers")


@bp.route("/meetings/papers/<int:paper_id>/delete", methods=["POST"])
def remove_paper(paper_id: int) -> Response | tuple[str, int]:
    s, actor = get_session(), current_actor()
    paper = s.get(MeetingPaper, paper_id)
    if paper is None:
        raise NotFound(_("Paper %(id)s not found.", id=paper_id))
    return _act(
        paper.meeting_id,
        "paper",
        lambda f: svc.remove_paper(s, actor, paper_id, upload_root()),
        _("Paper removed."),
        "papers",
    )


@bp.route("/meetings/papers/<int:paper_id>")
def download_paper(paper_id: int) -> Response:
    got = svc.paper_file(
        get_session(), current_actor(), paper_id, upload_root(), locale=str(get_locale())
    )
    source: Any = got.path if got.path is not None else BytesIO(got.data or b"")
    return send_file(
        source, mimetype=got.content_type, as_attachment=True, download_name=got.name, max_age=0
    )


# --- attendance --------------------------------------------------------------------------------


@bp.route("/meetings/<int:meeting_id>/guests", methods=["POST"])
def add_guest(meeting_id: int) -> Response | tuple[str, int]:
    s, actor = get_session(), current_actor()

    def run(f: FormState) -> Any:
        data = parse(GuestIn, {"person_id": f.value("person_id"), "note": f.value("note")})
        return svc.add_guest(s, actor, meeting_id, data)

    return _act(meeting_id, "guest", run, _("Guest invited."), "attendance")


@bp.route("/meetings/<int:meeting_id>/attendance/<int:person_id>", methods=["POST"])
def set_attendance(meeting_id: int, person_id: int) -> Response | tuple[str, int]:
    s, actor = get_session(), current_actor()

    def run(f: FormState) -> Any:
        data = parse(AttendanceIn, {"status": f.value("status"), "note": f.value("note")})
        return svc.set_attendance(s, actor, meeting_id, person_id, data.status, data.note)

    return _act(meeting_id, f"att-{person_id}", run, _("Attendance recorded."), "attendance")


# --- Word documents ------------------------------------------------------------------------------


def _docx(build: Callable[..., tuple[bytes, str]], meeting_id: int) -> Response:
    data, filename = build(get_session(), current_actor(), meeting_id)
    return send_file(
        BytesIO(data), mimetype=DOCX, as_attachment=True, download_name=filename, max_age=0
    )


@bp.route("/meetings/<int:meeting_id>/pack.docx")
def meeting_pack(meeting_id: int) -> Response:
    from ..services import meeting_documents

    return _docx(meeting_documents.meeting_pack, meeting_id)


@bp.route("/meetings/<int:meeting_id>/minutes.docx")
def minutes_document(meeting_id: int) -> Response:
    from ..services import meeting_documents

    return _docx(meeting_documents.minutes, meeting_id)


# --- recording a decision ----------------------------------------------------------------------


def _decision_payload(f: FormState) -> dict[str, Any]:
    return {k: f.value(k) for k in DECISION_FIELDS}


def _decision_form(
    form: FormState, *, meeting_id: int | None, status: int = 200
) -> tuple[str, int]:
    s, actor = get_session(), current_actor()
    m = svc.get_meeting(s, actor, meeting_id) if meeting_id is not None else None
    items = agenda_service.items_of(s, meeting_id) if meeting_id is not None else []
    board = str(m.board_id if m else form.value("board_id"))
    previous = decision_service.decisions_of_board(s, int(board)) if board.isdigit() else []
    quorum = svc.quorum(s, m) if m else None
    return render_template(
        "meetings/decision_form.html",
        form=form,
        m=m,
        quorum=quorum,
        item_options=[(i.id, f"{i.position}. {i.title}") for i in items],
        kinds=[(k.value, label(k.value)) for k in DecisionKind],
        methods=[(mt.value, label(mt.value)) for mt in DecisionMethod],
        supersede_options=[(d.id, f"{d.reference} · {d.title}") for d in previous],
        board_options=board_options(s),
        effect_kinds=sorted(decision_service.EFFECTS),
    ), status


@bp.route("/meetings/<int:meeting_id>/decide", methods=["GET", "POST"])
def record_decision(meeting_id: int) -> str | Response | tuple[str, int]:
    """The decision form of a meeting; ``?item=N`` starts from an agenda item."""
    s, actor = get_session(), current_actor()
    m = svc.get_meeting(s, actor, meeting_id)
    if request.method == "GET":
        values: dict[str, Any] = {
            "decided_on": svc.meeting_date(m).isoformat(),
            "method": DecisionMethod.CONSENSUS.value,
        }
        item_id = request.args.get("item", type=int)
        item = s.get(AgendaItem, item_id) if item_id else None
        if item is not None and item.meeting_id == meeting_id:
            values["agenda_item_id"] = str(item.id)
            values["title"] = item.title
            kind = decision_service.DEFAULT_KIND.get(item.subject_type or "")
            values["kind"] = kind.value if kind else DecisionKind.OTHER.value
        return _decision_form(FormState(values=values), meeting_id=meeting_id)
    form = FormState.from_request(request.form)

    def run() -> Any:
        payload = _decision_payload(form) | {"meeting_id": str(meeting_id)}
        return decision_service.record(
            s, actor, parse(DecisionIn, payload), max_months=_max_months()
        )

    saved, status = attempt(form, run)
    if saved is not None:
        flash(_("Decision %(ref)s recorded.", ref=saved.reference), "success")
        return _back(meeting_id, "decisions")
    return _decision_form(form, meeting_id=meeting_id, status=status)


@bp.route("/decisions/new", methods=["GET", "POST"])
def new_decision() -> str | Response | tuple[str, int]:
    """A decision taken outside a meeting (kinds without an effect only)."""
    s, actor = get_session(), current_actor()
    if request.method == "GET":
        values = {
            "decided_on": date.today().isoformat(),
            "method": DecisionMethod.CONSENSUS.value,
            "kind": DecisionKind.OTHER.value,
            "board_id": request.args.get("board", ""),
        }
        return _decision_form(FormState(values=values), meeting_id=None)
    form = FormState.from_request(request.form)

    def run() -> Any:
        payload = _decision_payload(form) | {"board_id": form.value("board_id")}
        payload.pop("agenda_item_id")
        return decision_service.record(s, actor, parse(DecisionIn, payload))

    saved, status = attempt(form, run)
    if saved is not None:
        flash(_("Decision %(ref)s recorded.", ref=saved.reference), "success")
        return redirect(flask_url_for(".decision", decision_id=saved.id))
    return _decision_form(form, meeting_id=None, status=status)


# --- the decision log --------------------------------------------------------------------------


def _decision_filter(errors: dict[str, str]) -> decision_service.DecisionFilter:
    return decision_service.DecisionFilter(
        board_id=request.args.get("board", type=int),
        kind=choice_arg("kind", {k.value for k in DecisionKind}),
        date_from=day_arg("from", errors),
        date_to=day_arg("to", errors),
        q=request.args.get("q", "").strip()[:200],
    )


@bp.route("/decisions/")
def decision_log() -> tuple[str, int]:
    s, actor = get_session(), current_actor()
    errors: dict[str, str] = {}
    f = _decision_filter(errors)
    listing = decision_service.decisions_page(s, actor, f, *page_args())
    return render_template(
        "meetings/decisions.html",
        page=Page(listing.items, listing.total, listing.page, listing.per_page),
        f=f,
        errors=errors,
        kinds=[(k.value, label(k.value)) for k in DecisionKind],
        board_options=board_options(s),
        may_record=actor.can("decisions.record"),
    ), 422 if errors else 200


def _export_table(
    rows: list[decision_service.DecisionRow],
) -> tuple[list[Column], list[list[Any]]]:
    columns = [
        Column(_("Reference"), 16),
        Column(_("Decided on"), 12, "date"),
        Column(_("Architecture Board"), 24),
        Column(_("Meeting"), 16),
        Column(_("Kind"), 28),
        Column(_("Title"), 40),
        Column(_("Rationale"), 60),
        Column(_("Method"), 12),
        Column(_("Votes for"), 8, "number"),
        Column(_("Votes against"), 8, "number"),
        Column(_("Abstentions"), 8, "number"),
        Column(_("Subjects"), 30),
        Column(_("Supersedes"), 16),
        Column(_("Superseded by"), 16),
    ]
    table = [
        [
            r.decision.reference,
            r.decision.decided_on,
            r.board_name,
            r.meeting_reference or "",
            str(label(r.decision.kind)),
            r.decision.title,
            richtext.plain(r.decision.rationale),
            str(label(r.decision.method)),
            r.decision.votes_for,
            r.decision.votes_against,
            r.decision.abstentions,
            ", ".join(ref for _t, _i, ref in r.subjects),
            r.supersedes_reference or "",
            r.superseded_by[1] if r.superseded_by else "",
        ]
        for r in rows
    ]
    return columns, table


@bp.route("/decisions/export.<any(csv, xlsx):fmt>")
def export_decisions(fmt: str) -> Response:
    """The filtered log (every page) as CSV or Excel."""
    s, actor = get_session(), current_actor()
    rows = decision_service.export_rows(s, actor, _decision_filter({}))
    columns, table = _export_table(rows)
    return table_download(fmt, columns, table, sheet_title=_("Decision log"), stem="decisions")


@bp.route("/decisions/<int:decision_id>")
def decision(decision_id: int) -> str:
    s, actor = get_session(), current_actor()
    return render_template(
        "meetings/decision.html", row=decision_service.decision_row(s, actor, decision_id)
    )
