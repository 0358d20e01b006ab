"""Service targets of the request desk: how soon a request of each priority gets its first
response and its resolution, and whether a request met them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, func, or_
from sqlmodel import Session, col, select

from ..errors import Conflict
from ..models import GovernanceRequest, RequestPriority, RequestState, ServiceTarget, utcnow
from ..permissions import Actor, require
from ..schemas.requests import TargetsIn
from . import audit
from .common import commit, flush

# Hours, used for a priority the desk has not configured yet.
DEFAULT_TARGETS: dict[str, tuple[int, int]] = {
    RequestPriority.URGENT: (4, 24),
    RequestPriority.HIGH: (8, 72),
    RequestPriority.NORMAL: (24, 120),
    RequestPriority.LOW: (48, 240),
}


@dataclass(frozen=True)
class Target:
    priority: str
    first_response_hours: int
    resolution_hours: int


@dataclass(frozen=True)
class Standing:
    """Where one request stands against its targets (``None``: not decided yet)."""

    response_due: datetime
    resolution_due: datetime
    response_met: bool | None
    resolution_met: bool | None
    response_breached: bool
    resolution_breached: bool

    @property
    def breached(self) -> bool:
        return self.response_breached or self.resolution_breached


def targets(session: Session) -> dict[str, Target]:
    """The configured target of every priority, defaults filling the gaps."""
    found = {t.priority: t for t in session.exec(select(ServiceTarget)).all()}
    result = {}
    for priority, (response, resolution) in DEFAULT_TARGETS.items():
        row = found.get(priority)
        result[str(priority)] = Target(
            str(priority),
            row.first_response_hours if row else response,
            row.resolution_hours if row else resolution,
        )
    return result


def _aware(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes; everything is stored in UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=utcnow().tzinfo)


def standing(request: GovernanceRequest, target: Target, now: datetime | None = None) -> Standing:
    now = now or utcnow()
    # A withdrawn request stops the clock: what was still missing then can no longer breach.
    if request.state == RequestState.WITHDRAWN and request.closed_at is not None:
        now = min(now, _aware(request.closed_at))
    submitted = _aware(request.submitted_at)
    response_due = submitted + timedelta(hours=target.first_response_hours)
    resolution_due = submitted + timedelta(hours=target.resolution_hours)
    responded = _aware(request.first_response_at) if request.first_response_at else None
    resolved = _aware(request.resolved_at) if request.resolved_at else None
    response_met = None if responded is None else responded <= response_due
    resolution_met = None if resolved is None else resolved <= resolution_due
    return Standing(
        response_due=response_due,
        resolution_due=resolution_due,
        response_met=response_met,
        resolution_met=resolution_met,
        response_breached=response_met is False or (responded is None and now > response_due),
        resolution_breached=resolution_met is False or (resolved is None and now > resolution_due),
    )


def configured(session: Session) -> dict[str, ServiceTarget]:
    return {t.priority: t for t in session.exec(select(ServiceTarget)).all()}


def version(session: Session) -> int:
    """The version of the whole set of targets. Rows are never deleted and every change bumps
    a row's version, so the sum only grows: a fitting ETag for the set."""
    return int(session.exec(select(func.coalesce(func.sum(ServiceTarget.version), 0))).one())


def set_targets(
    session: Session, actor: Actor, data: TargetsIn, expected_version: int | None
) -> dict[str, Target]:
    """Change the targets of the priorities named in ``data``; the others stay as they are."""
    require(actor, "requests.targets")
    current = version(session)
    if expected_version is not None and expected_version != current:
        raise Conflict(
            _l(
                "Someone else changed the service targets meanwhile (you edited version "
                "%(yours)s, they are now at version %(current)s). Reload to see their changes.",
                yours=expected_version,
                current=current,
            ),
            current_version=current,
        )
    rows = configured(session)
    changes: dict[str, Any] = {}
    for item in data.targets:
        row = rows.get(item.priority)
        new = (item.first_response_hours, item.resolution_hours)
        if row is None:
            row = ServiceTarget(priority=item.priority, first_response_hours=0, resolution_hours=0)
        elif (row.first_response_hours, row.resolution_hours) == new:
            continue
        changes[str(item.priority)] = [
            [row.first_response_hours, row.resolution_hours] if row.id else None,
            list(new),
        ]
        row.first_response_hours, row.resolution_hours = new
        session.add(row)
    if changes:
        flush(session)
        audit.record(session, actor, "update", "service_target", "all", changes)
        commit(session)
    return targets(session)


# --- the same rules in SQL, for filtering and ordering lists in the database -----------------


def epoch_seconds(session: Session, column: Any) -> Any:
    """Seconds since 1970 of a timestamp column, on SQLite and PostgreSQL alike."""
    if session.get_bind().dialect.name == "sqlite":
        return (func.julianday(column) - 2440587.5) * 86400.0
    return func.extract("epoch", column)


def _hours_by_priority(table: dict[str, Target], attr: str) -> Any:
    return case(
        {p: getattr(t, attr) for p, t in table.items()},
        value=col(GovernanceRequest.priority),
        else_=getattr(table[RequestPriority.NORMAL], attr),
    )


def _late(session: Session, table: dict[str, Target], attr: str, done: Any, now: datetime) -> Any:
    submitted = epoch_seconds(session, col(GovernanceRequest.submitted_at))
    limit = submitted + _hours_by_priority(table, attr) * 3600.0
    withdrawn = and_(
        col(GovernanceRequest.state) == RequestState.WITHDRAWN,
        col(GovernanceRequest.closed_at).is_not(None),
    )
    stopped = case(
        (withdrawn, epoch_seconds(session, col(GovernanceRequest.closed_at))),
        else_=now.timestamp(),
    )
    return or_(
        and_(done.is_not(None), epoch_seconds(session, done) > limit),
        and_(done.is_(None), stopped > limit),
    )


def breached_clause(session: Session, now: datetime | None = None) -> Any:
    """SQL condition true for requests whose standing says ``breached``."""
    now = now or utcnow()
    table = targets(session)
    return or_(
        _late(
            session, table, "first_response_hours", col(GovernanceRequest.first_response_at), now
        ),
        _late(session, table, "resolution_hours", col(GovernanceRequest.resolved_at), now),
    )


def next_due(session: Session) -> Any:
    """SQL expression: when the next target of a request falls due (the first response while
    there is none, else the resolution), in epoch seconds; for ordering work by urgency."""
    table = targets(session)
    submitted = epoch_seconds(session, col(GovernanceRequest.submitted_at))
    response = submitted + _hours_by_priority(table, "first_response_hours") * 3600.0
    resolution = submitted + _hours_by_priority(table, "resolution_hours") * 3600.0
    return case((col(GovernanceRequest.first_response_at).is_(None), response), else_=resolution)
