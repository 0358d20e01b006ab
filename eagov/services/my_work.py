"""What the dashboard shows a person about board work and the request desk: the next
meetings, their own actions, the requests waiting for them. A fixed handful of queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from ..models import (
    Action,
    ActionStatus,
    Board,
    GovernanceRequest,
    Meeting,
    MeetingState,
    RequestState,
    SurveyInvitation,
    utcnow,
)
from ..permissions import Actor
from .org_queries import person_of

_OPEN_ACTIONS = (ActionStatus.OPEN.value, ActionStatus.IN_PROGRESS.value)
_OPEN_REQUESTS = (
    RequestState.NEW.value,
    RequestState.ASSIGNED.value,
    RequestState.IN_PROGRESS.value,
    RequestState.ESCALATED.value,
)


@dataclass
class MyWork:
    meetings: list[tuple[Meeting, str]] = field(default_factory=list)
    open_actions: int = 0
    overdue_actions: int = 0
    # Requests: new ones in the desk's queue, open ones assigned to me, surveys I may answer.
    queue: int | None = None
    assigned: int | None = None
    surveys: int = 0


def my_work(session: Session, actor: Actor, *, now: datetime | None = None) -> MyWork:
    now = now or utcnow()
    today: date = now.date()
    work = MyWork()
    if actor.can("meetings.read"):
        work.meetings = [
            (m, name)
            for m, name in session.exec(
                select(Meeting, Board.name)
                .join(Board, col(Board.id) == Meeting.board_id)
                .where(col(Meeting.starts_at) >= now, Meeting.state == MeetingState.PLANNED)
                .order_by(col(Meeting.starts_at))
                .limit(3)
            ).all()
        ]
    me = person_of(session, actor)
    if me is not None:
        total, late = session.exec(
            select(func.count(), func.count().filter(col(Action.due_on) < today)).where(
                Action.owner_id == me.id, col(Action.status).in_(_OPEN_ACTIONS)
            )
        ).one()
        work.open_actions, work.overdue_actions = int(total), int(late)
    if actor.can("requests.triage"):
        work.queue = session.exec(
            select(func.count()).where(GovernanceRequest.state == RequestState.NEW)
        ).one()
    if actor.can("requests.work") and actor.user_id is not None:
        work.assigned = session.exec(
            select(func.count()).where(
                GovernanceRequest.assignee_id == actor.user_id,
                col(GovernanceRequest.state).in_(_OPEN_REQUESTS),
            )
        ).one()
    if actor.user_id is not None:
        work.surveys = session.exec(
            select(func.count())
            .select_from(SurveyInvitation)
            .join(GovernanceRequest, col(GovernanceRequest.id) == SurveyInvitation.request_id)
            .where(
                GovernanceRequest.requester_id == actor.user_id,
                col(SurveyInvitation.answered_at).is_(None),
                col(SurveyInvitation.expires_at) > now,
            )
        ).one()
    return work
