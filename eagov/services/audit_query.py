"""Reading the audit trail: the filtered log, the chain check and the shape of stored changes.

Every function that reads events takes the acting user and requires ``audit.read``; the pure
helpers at the end (day ranges, changed fields) need no database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import func
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from ..models import AuditEvent
from ..permissions import Actor, require
from .audit import ChainReport, as_utc, verify_chain

PERMISSION = "audit.read"

__all__ = [
    "ChainReport",
    "EventFilter",
    "FieldChange",
    "chain_tip",
    "changed_fields",
    "events_query",
    "filter_choices",
    "local_day_range",
    "search_events",
    "verify",
    "zone",
]


@dataclass(frozen=True)
class EventFilter:
    """What the log page asks for. Empty strings and ``None`` mean "any"."""

    entity_type: str = ""
    entity_id: str = ""
    actor: str = ""  # part of the actor's label (e-mail or "system"), any case
    action: str = ""
    since: datetime | None = None  # inclusive
    until: datetime | None = None  # exclusive

    @property
    def active(self) -> bool:
        return any(
            (self.entity_type, self.entity_id, self.actor, self.action, self.since, self.until)
        )


def events_query(actor: Actor, filters: EventFilter) -> SelectOfScalar[AuditEvent]:
    """The filtered events, newest first (the chain position orders them, not the clock)."""
    require(actor, PERMISSION)
    stmt = select(AuditEvent)
    if filters.entity_type:
        stmt = stmt.where(AuditEvent.entity_type == filters.entity_type)
    if filters.entity_id:
        stmt = stmt.where(AuditEvent.entity_id == filters.entity_id.strip())
    if filters.actor:
        needle = filters.actor.strip().lower()
        stmt = stmt.where(func.lower(col(AuditEvent.actor_label)).contains(needle, autoescape=True))
    if filters.action:
        stmt = stmt.where(AuditEvent.action == filters.action)
    # SQLite keeps timestamps as naive UTC text, so bounds must be UTC to compare correctly.
    if filters.since is not None:
        stmt = stmt.where(col(AuditEvent.at) >= as_utc(filters.since))
    if filters.until is not None:
        stmt = stmt.where(col(AuditEvent.at) < as_utc(filters.until))
    return stmt.order_by(col(AuditEvent.seq).desc())


def search_events(
    session: Session, actor: Actor, filters: EventFilter, *, page: int = 1, per_page: int = 25
) -> tuple[list[AuditEvent], int]:
    """One page of matching events and the number of all matches (paged in the database)."""
    stmt = events_query(actor, filters)
    total = session.exec(select(func.count()).select_from(stmt.order_by(None).subquery())).one()
    page, per_page = max(1, page), max(1, per_page)
    items = session.exec(stmt.limit(per_page).offset((page - 1) * per_page)).all()
    return list(items), int(total)


def filter_choices(session: Session, actor: Actor) -> tuple[list[str], list[str]]:
    """The entity types and actions that occur in the trail, for the filter lists."""
    require(actor, PERMISSION)
    types = session.exec(select(AuditEvent.entity_type).distinct()).all()
    actions = session.exec(select(AuditEvent.action).distinct()).all()
    return sorted(types), sorted(actions)


def chain_tip(session: Session, actor: Actor) -> tuple[int, str] | None:
    """Position and hash of the newest event, or ``None`` while the trail is empty."""
    require(actor, PERMISSION)
    row = session.exec(
        select(AuditEvent.seq, AuditEvent.hash).order_by(col(AuditEvent.seq).desc()).limit(1)
    ).first()
    return (row[0], row[1]) if row else None


def verify(session: Session, actor: Actor, anchor: str | None = None) -> ChainReport:
    """Check the whole chain (and, given a tip hash written down earlier, that it is still in)."""
    require(actor, PERMISSION)
    return verify_chain(session, anchor=anchor)


# --- pure helpers ----------------------------------------------------------------------------


def zone(name: str | None) -> ZoneInfo:
    """The named time zone, or UTC when the name is empty or unknown."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local_day_range(
    first: date | None, last: date | None, tz: str | None
) -> tuple[datetime | None, datetime | None]:
    """Whole local days ``first``..``last`` (both included) as a UTC ``[since, until)`` range."""
    zi = zone(tz)
    since = as_utc(datetime.combine(first, time.min, tzinfo=zi)) if first else None
    until = (
        as_utc(datetime.combine(last + timedelta(days=1), time.min, tzinfo=zi)) if last else None
    )
    return since, until


_NOTHING: Any = object()


@dataclass(frozen=True)
class FieldChange:
    """One field of an event: its value before and after (absent when there is none)."""

    field: str
    before: Any = _NOTHING
    after: Any = _NOTHING

    @property
    def has_before(self) -> bool:
        return self.before is not _NOTHING

    @property
    def has_after(self) -> bool:
        return self.after is not _NOTHING


def changed_fields(event: AuditEvent) -> list[FieldChange]:
    """Read an event's ``changes`` the way the services wrote them.

    ``services.common.update`` stores ``{field: [before, after]}``; ``create`` stores a
    snapshot of the new row (values after); ``delete`` stores a snapshot of the removed row
    (values before); other actions store context values, shown as "after".
    """
    changes = event.changes
    if not isinstance(changes, dict):
        return [FieldChange("value", after=changes)]
    action = event.action or ""
    if action == "delete" or action.startswith("delete_"):
        return [FieldChange(k, before=v) for k, v in sorted(changes.items())]
    is_diff = (
        bool(changes)
        and not action.startswith(("create", "invite", "add"))
        and all(isinstance(v, list) and len(v) == 2 for v in changes.values())
    )
    if is_diff:
        return [FieldChange(k, before=v[0], after=v[1]) for k, v in sorted(changes.items())]
    return [FieldChange(k, after=v) for k, v in sorted(changes.items())]
