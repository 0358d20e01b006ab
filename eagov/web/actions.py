"""The board's action tracker (pages): the filtered list with CSV and Excel exports, the
overdue view, "my actions", raising an action (also from a meeting or a decision), and one
action with its edit form, status buttons and history.

Views parse the form, call ``services.actions`` and render or redirect. A refused change
(403, 409, 422) shows the page again with what was typed and the reason.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from sqlmodel import Session
from werkzeug.routing import BuildError
from werkzeug.wrappers import Response

from .. import richtext
from ..auth import current_actor, permission_required
from ..db import get_session
from ..exports import Column
from ..labels import label
from ..models import ActionPriority, ActionStatus, ActionType, Board, Decision, Meeting
from ..schemas.actions import ActionCreate, ActionEdit, ActionMove
from ..services import actions as svc
from ..services.org_queries import board_options, person_options
from .downloads import table_download
from .forms import FormState, attempt, parse
from .pagination import Page, page_args
from .query_args import choice_arg

bp = Blueprint("actions", __name__)

EXPORT_MAX_ROWS = 10_000
STATUS_BADGES = {
    "open": "primary",
    "in_progress": "warning",
    "done": "success",
    "cancelled": "secondary",
}
PRIORITY_BADGES = {"low": "light", "medium": "info", "high": "warning", "critical": "danger"}
EDIT_FIELDS = ("description", "details", "owner_id", "due_on", "priority", "type")
NEW_FIELDS = (*EDIT_FIELDS, "board_id", "meeting_id", "decision_id")


@bp.before_request
@login_required
def _signed_in() -> None:
    """Every action page needs a signed-in user; services decide who may do what."""
    return None


def link(endpoint: str, **values: Any) -> str | None:
    """A URL, or None while the page it leads to does not exist (meetings and decisions
    have pages of their own, built separately)."""
    try:
        return url_for(endpoint, **values)
    except BuildError:
        return None


@bp.context_processor
def _helpers() -> dict[str, Any]:
    return {
        "status_badge": lambda s: STATUS_BADGES.get(str(s), "light"),
        "priority_badge": lambda p: PRIORITY_BADGES.get(str(p), "light"),
        "rich": richtext.to_html,
        "link": link,
    }


def _options(s: Session) -> dict[str, Any]:
    return {
        "statuses": [(st.value, label(st)) for st in ActionStatus],
        "priorities": [(p.value, label(p)) for p in ActionPriority],
        "types": [(t.value, label(t)) for t in ActionType],
        "board_options": board_options(s),
    }


# --- the lists ---------------------------------------------------------------------------------


def _flag(name: str) -> bool:
    return request.args.get(name) in ("1", "on", "true")


def _filter(**forced: Any) -> svc.ActionFilter:
    f = svc.ActionFilter(
        q=request.args.get("q", "").strip(),
        board_id=request.args.get("board", type=int),
        status=choice_arg("status", {st.value for st in ActionStatus}),
        owner_id=request.args.get("owner", type=int),
        priority=choice_arg("priority", {p.value for p in ActionPriority}),
        overdue=_flag("overdue"),
        mine=_flag("mine"),
        meeting_id=request.args.get("meeting", type=int),
    )
    for key, value in forced.items():
        setattr(f, key, value)
    return f


def _render_list(view: str, f: svc.ActionFilter, forced: dict[str, str]) -> str:
    s, actor = get_session(), current_actor()
    listing = svc.actions_page(s, actor, f, *page_args())
    export_args = {k: v for k, v in request.args.items() if k not in ("page", "per_page")}
    export_args.update(forced)
    me = svc.person_of(s, actor) if view == "mine" else None
    return render_template(
        "actions/list.html",
        view=view,
        page=Page(listing.items, listing.total, listing.page, listing.per_page),
        f=f,
        me=me,
        owner_options=svc.owner_options(s) if view != "mine" else [],
        export_args=export_args,
        may_raise=actor.can("actions.manage"),
        **_options(s),
    )


@bp.route("/actions/")
def list_actions() -> str:
    return _render_list("all", _filter(), {})


@bp.route("/actions/overdue")
def overdue_actions() -> str:
    return _render_list("overdue", _filter(overdue=True), {"overdue": "1"})


@bp.route("/actions/mine")
def my_actions() -> str:
    """The actions owned by the person linked to the current user: open ones first, the
    soonest due on top, overdue ones highlighted."""
    return _render_list("mine", _filter(mine=True), {"mine": "1"})


def _export_table(rows: list[svc.ActionRow]) -> tuple[list[Column], list[list[Any]]]:
    columns = [
        Column(_("Reference"), 15),
        Column(_("Priority"), 10),
        Column(_("Type"), 20),
        Column(_("Description"), 48),
        Column(_("Owner"), 24),
        Column(_("Architecture Board"), 24),
        Column(_("Meeting"), 14),
        Column(_("Raised on"), 12, "date"),
        Column(_("Due on"), 12, "date"),
        Column(_("Status"), 12),
        Column(_("Overdue"), 9),
        Column(_("Resolved on"), 12, "date"),
        Column(_("Resolution"), 40),
    ]
    table = [
        [
            r.action.reference,
            label(r.action.priority),
            label(r.action.type),
            r.action.description,
            r.owner_name or "",
            r.board_name or "",
            r.meeting_reference or "",
            r.action.raised_on,
            r.action.due_on,
            label(r.action.status),
            _("yes") if r.overdue else _("no"),
            r.action.resolved_on,
            r.action.resolution,
        ]
        for r in rows
    ]
    return columns, table


@bp.route("/actions/export.<any(csv, xlsx):fmt>")
def export_actions(fmt: str) -> Response:
    """The filtered list (every page) as CSV or Excel."""
    s, actor = get_session(), current_actor()
    rows = svc.action_rows(s, actor, _filter(), EXPORT_MAX_ROWS)
    columns, table = _export_table(rows)
    return table_download(fmt, columns, table, sheet_title=_("Actions"), stem="actions")


# --- raising an action -------------------------------------------------------------------------


@bp.route("/actions/new", methods=["GET", "POST"])
@permission_required("actions.manage")
def new_action() -> str | Response | tuple[str, int]:
    """Raise an action; ``?meeting_id=N`` (or ``?decision_id=N``) raises it from a meeting (a
    decision): the board is theirs."""
    s, actor = get_session(), current_actor()
    meeting_id = request.values.get("meeting_id", type=int)
    decision_id = request.values.get("decision_id", type=int)
    decision = s.get(Decision, decision_id) if decision_id else None
    if decision is not None and meeting_id is None:
        meeting_id = decision.meeting_id
    meeting = s.get(Meeting, meeting_id) if meeting_id else None
    fixed_board_id = (
        meeting.board_id if meeting else decision.board_id if decision is not None else None
    )
    form = FormState(
        values={
            "priority": ActionPriority.MEDIUM.value,
            "type": (ActionType.IMPLEMENT_DECISION if decision else ActionType.FOLLOW_UP).value,
            "board_id": str(fixed_board_id or request.args.get("board_id", "")),
            "meeting_id": str(meeting.id) if meeting else "",
            "decision_id": str(decision.id) if decision else "",
        }
    )
    status = 200
    if request.method == "POST":
        form = FormState.from_request(request.form)
        if fixed_board_id is not None:
            form.values["board_id"] = str(fixed_board_id)
        payload = {k: form.value(k) for k in NEW_FIELDS}
        created, status = attempt(
            form, lambda: svc.raise_action(s, actor, parse(ActionCreate, payload))
        )
        if created is not None:
            flash(_("Action %(ref)s raised.", ref=created.reference), "success")
            if request.form.get("next") == "meeting" and meeting is not None:
                back = link("meetings.meeting", meeting_id=meeting.id)
                if back:
                    return redirect(back)
            return redirect(url_for(".action", action_id=created.id))
    board = s.get(Board, fixed_board_id) if fixed_board_id else None
    return render_template(
        "actions/form.html",
        form=form,
        meeting=meeting,
        decision=decision,
        board=board,
        person_options=person_options(s),
        **_options(s),
    ), status


# --- one action --------------------------------------------------------------------------------


def _edit_values(action: Any) -> dict[str, Any]:
    values = {k: "" if getattr(action, k) is None else str(getattr(action, k)) for k in EDIT_FIELDS}
    values["version"] = str(action.version)
    return values


def _render_action(
    action_id: int,
    *,
    tab: str = "details",
    forms: dict[str, FormState] | None = None,
    status: int = 200,
) -> tuple[str, int]:
    s, actor = get_session(), current_actor()
    row = svc.action_row(s, actor, action_id)
    a = row.action
    forms = dict(forms or {})
    forms.setdefault("edit", FormState(values=_edit_values(a)))
    forms.setdefault("move", FormState())
    may_manage = actor.can("actions.manage")
    may_move = may_manage or svc.is_owner(s, actor, a)
    decision = s.get(Decision, a.decision_id) if a.decision_id else None
    html = render_template(
        "actions/action.html",
        row=row,
        a=a,
        tab=tab,
        forms=forms,
        may_manage=may_manage,
        may_move=may_move,
        moves=svc.FLOW.get(a.status, ()),
        decision=decision,
        person_options=person_options(s) if may_manage else [],
        **_options(s),
    )
    return html, status


@bp.route("/actions/<int:action_id>")
def action(action_id: int) -> tuple[str, int]:
    tab = request.args.get("tab", "details")
    return _render_action(action_id, tab=tab if tab in ("details", "history") else "details")


@bp.route("/actions/<int:action_id>/edit", methods=["POST"])
def edit_action(action_id: int) -> Response | tuple[str, int]:
    s, actor = get_session(), current_actor()
    form = FormState.from_request(request.form)
    payload = {k: form.value(k) for k in EDIT_FIELDS}
    saved, status = attempt(
        form,
        lambda: svc.edit(s, actor, action_id, parse(ActionEdit, payload), form.version()),
    )
    if saved is not None:
        flash(_("Action %(ref)s saved.", ref=saved.reference), "success")
        return redirect(url_for(".action", action_id=action_id))
    if status == 409:
        # Keep what was typed; saving again (knowingly) replaces what the other person saved.
        current = svc.get(s, actor, action_id)
        s.refresh(current)
        form.values["version"] = str(current.version)
    return _render_action(action_id, forms={"edit": form}, status=status)


@bp.route("/actions/<int:action_id>/status", methods=["POST"])
def move_action(action_id: int) -> Response | tuple[str, int]:
    s, actor = get_session(), current_actor()
    form = FormState.from_request(request.form)
    payload = {"status": form.value("status"), "resolution": form.value("resolution")}
    moved, status = attempt(
        form, lambda: svc.move(s, actor, action_id, parse(ActionMove, payload), form.version())
    )
    if moved is not None:
        flash(
            _(
                "Action %(ref)s is now %(status)s.",
                ref=moved.reference,
                status=label(moved.status),
            ),
            "success",
        )
        return redirect(url_for(".action", action_id=action_id))
    return _render_action(action_id, forms={"move": form}, status=status)
