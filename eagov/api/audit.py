"""The audit trail, read-only. Filtering is the audit service's, shared with the log page."""

from __future__ import annotations

from datetime import datetime

from flask import Response
from flask_babel import lazy_gettext as _l
from pydantic import Field
from sqlmodel import select

from ..auth import current_actor
from ..db import get_session
from ..errors import NotFound
from ..models import AuditEvent
from ..permissions import require
from ..schemas.api_read import AuditEventRead, Page
from ..services import audit_query
from ..services.audit_query import EventFilter
from . import bp
from .listing import Id, ListQuery, ordered, page_of, sort_by
from .responses import respond, respond_page
from .spec import endpoint

TAG = "Audit"


class AuditQuery(ListQuery):
    entity_type: str | None = Field(
        default=None, max_length=64, description="Table name, e.g. org_unit, person, user."
    )
    entity_id: str | None = Field(default=None, max_length=64, description="The record's id.")
    actor_id: Id | None = Field(default=None, description="Only events by this user.")
    actor: str | None = Field(
        default=None, max_length=254, description="Part of the actor's e-mail, or system."
    )
    action: str | None = Field(
        default=None, max_length=64, description="e.g. create, update, delete, add_member."
    )
    since: datetime | None = Field(
        default=None, description="From this moment, inclusive (ISO 8601; no offset means UTC)."
    )
    until: datetime | None = Field(
        default=None, description="Before this moment, exclusive (ISO 8601; no offset means UTC)."
    )
    sort: str = sort_by("seq", "at", default="-seq")


@endpoint(
    bp,
    "/audit-events",
    summary="Search audit events",
    tag=TAG,
    query=AuditQuery,
    response=Page[AuditEventRead],
)
def list_events(query: AuditQuery) -> Response:
    """Newest first by default."""
    filters = EventFilter(
        entity_type=query.entity_type or "",
        entity_id=query.entity_id or "",
        actor=query.actor or "",
        action=query.action or "",
        since=query.since,
        until=query.until,
    )
    stmt = audit_query.events_query(current_actor(), filters)
    if query.actor_id is not None:
        stmt = stmt.where(AuditEvent.actor_id == query.actor_id)
    stmt = ordered(stmt.order_by(None), AuditEvent, query.sort, tiebreak="seq")
    return respond_page(page_of(get_session(), stmt, query), AuditEventRead.model_validate)


@endpoint(
    bp, "/audit-events/<id:seq>", summary="Get an audit event", tag=TAG, response=AuditEventRead
)
def get_event(seq: int) -> Response:
    """Events are addressed by their position in the chain."""
    require(current_actor(), "audit.read")
    event = get_session().exec(select(AuditEvent).where(AuditEvent.seq == seq)).first()
    if event is None:
        raise NotFound(_l("There is no audit event %(seq)s.", seq=seq))
    return respond(AuditEventRead.model_validate(event))
