"""/api/v1/actions: the board's action tracker. open <-> in_progress -> done | cancelled; done
and cancelled actions may be reopened."""

from __future__ import annotations

from typing import Literal

from flask import Response, current_app, url_for
from pydantic import Field

from ..auth import current_actor
from ..db import get_session
from ..models import ActionPriority, ActionStatus
from ..schemas.actions import ActionCreate, ActionMove, ActionPatch, ActionRead
from ..schemas.api_read import Page
from ..services import actions as svc
from ..web.pagination import Page as ResultPage
from . import bp
from .listing import Id, ListQuery, Search, sort_by
from .responses import read_from, respond, respond_page
from .spec import endpoint

TAG = "Actions"


def action_read(row: svc.ActionRow) -> ActionRead:
    return read_from(ActionRead, row.action, owner_name=row.owner_name, overdue=row.overdue)


def _read(action_id: int) -> ActionRead:
    return action_read(svc.action_row(get_session(), current_actor(), action_id))


class ActionQuery(ListQuery):
    q: Search = None
    board_id: Id | None = Field(default=None, description="Only actions of this board.")
    status: ActionStatus | None = Field(default=None, description="Only in this status.")
    priority: ActionPriority | None = Field(default=None, description="Only of this priority.")
    owner_id: Id | None = Field(default=None, description="Only those this person owns.")
    owner: Literal["me"] | None = Field(
        default=None,
        description="me: only the actions of the person linked to your account (none if your "
        "account has no person).",
    )
    overdue: bool = Field(
        default=False, description="Only actions due before today and still open or in progress."
    )
    open: bool = Field(default=False, description="Only open or in-progress actions.")
    meeting_id: Id | None = Field(default=None, description="Only those raised at this meeting.")
    decision_id: Id | None = Field(default=None, description="Only those following this decision.")
    sort: str = sort_by("reference", "due_on", "raised_on", "priority", "id", default="reference")


@endpoint(
    bp,
    "/actions",
    summary="List actions",
    tag=TAG,
    query=ActionQuery,
    response=Page[ActionRead],
)
def list_actions(query: ActionQuery) -> Response:
    """q searches the reference, description and details. Sorting by priority puts the most
    urgent first."""
    session, actor = get_session(), current_actor()
    f = svc.ActionFilter(
        q=query.q or "",
        board_id=query.board_id,
        status=query.status.value if query.status else None,
        owner_id=query.owner_id,
        priority=query.priority.value if query.priority else None,
        overdue=query.overdue,
        open_only=query.open,
        meeting_id=query.meeting_id,
        decision_id=query.decision_id,
        mine=query.owner == "me",
        sort=query.sort,
    )
    per_page = min(query.per_page, current_app.config["MAX_PAGE_SIZE"])
    listing = svc.actions_page(session, actor, f, query.page, per_page)
    page = ResultPage(listing.items, listing.total, listing.page, listing.per_page)
    return respond_page(page, action_read)


@endpoint(
    bp,
    "/actions",
    method="POST",
    summary="Raise an action",
    tag=TAG,
    body=ActionCreate,
    response=ActionRead,
    status=201,
)
def create_action(body: ActionCreate) -> Response:
    """Needs actions.manage. Raised from a meeting (meeting_id) or a decision (decision_id),
    the action belongs to their board and board_id is ignored; otherwise board_id is
    required. The due date cannot lie in the past."""
    session, actor = get_session(), current_actor()
    action = svc.raise_action(session, actor, body)
    assert action.id is not None
    location = url_for(".get_action", action_id=action.id)
    return respond(_read(action.id), 201, location)


@endpoint(bp, "/actions/<id:action_id>", summary="Get an action", tag=TAG, response=ActionRead)
def get_action(action_id: int) -> Response:
    return respond(_read(action_id))


@endpoint(
    bp,
    "/actions/<id:action_id>",
    method="PATCH",
    summary="Change an action",
    tag=TAG,
    body=ActionPatch,
    response=ActionRead,
    if_match=True,
)
def update_action(action_id: int, body: ActionPatch, version: int) -> Response:
    """Needs actions.manage. Only the fields sent change; description, details, owner_id,
    priority and type cannot be set to null, due_on can (no due date)."""
    svc.edit(get_session(), current_actor(), action_id, body, version)
    return respond(_read(action_id))


@endpoint(
    bp,
    "/actions/<id:action_id>/status",
    method="POST",
    summary="Move an action to another status",
    tag=TAG,
    body=ActionMove,
    response=ActionRead,
    if_match=True,
)
def move_action(action_id: int, body: ActionMove, version: int) -> Response:
    """The owner of the action (the person linked to your account) or anyone with
    actions.manage. done and cancelled set resolved_on; cancelling needs a resolution (422
    without). A move the flow does not allow (e.g. cancelled to done) is a 409."""
    svc.move(get_session(), current_actor(), action_id, body, version)
    return respond(_read(action_id))
