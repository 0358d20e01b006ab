"""Service targets of the request desk: how soon a request of each priority gets its first
response and its resolution, and whether a request met them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, select

from ..models import GovernanceRequest, RequestPriority, ServiceTarget, utcnow

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
