"""Audit events, hash-chained, written in the caller's transaction."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

import sqlalchemy as sa
from sqlalchemy import text
from sqlmodel import Session, SQLModel, col, select

from ..models import AuditEvent, utcnow
from ..permissions import Actor

GENESIS = "0" * 64
# Any constant works; it only has to be the same in every process writing the chain.
_CHAIN_LOCK_KEY = 0x6561676F76


def jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return as_utc(value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [jsonable(v) for v in value]
        return sorted(items, key=str) if isinstance(value, (set, frozenset)) else items
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    return value


def as_utc(value: datetime) -> datetime:
    """SQLite hands timestamps back naive; everything we store is UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def snapshot(obj: SQLModel, exclude: Iterable[str] = ()) -> dict[str, Any]:
    skip = {"version", *exclude, *getattr(obj, "__audit_exclude__", ())}
    return {k: jsonable(v) for k, v in obj.model_dump().items() if k not in skip}


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """Changed fields as ``{field: [before, after]}``."""
    keys = sorted(set(before) | set(after))
    return {k: [before.get(k), after.get(k)] for k in keys if before.get(k) != after.get(k)}


def event_hash(
    *,
    seq: int,
    prev_hash: str,
    at: datetime,
    actor_id: int | None,
    actor_label: str,
    action: str,
    entity_type: str,
    entity_id: str,
    changes: dict[str, Any],
) -> str:
    payload = {
        "seq": seq,
        "prev": prev_hash,
        "at": as_utc(at).isoformat(),
        "actor_id": actor_id,
        "actor": actor_label,
        "action": action,
        "entity_type": entity_type,
        "entity_id": entity_id,
        "changes": changes,
    }
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def record(
    session: Session,
    actor: Actor,
    action: str,
    entity_type: str,
    entity_id: Any,
    changes: dict[str, Any] | None = None,
    *,
    now: datetime | None = None,
) -> AuditEvent:
    """Append one event to the chain. The caller commits."""
    _lock_chain(session)
    tip = session.exec(
        select(AuditEvent.seq, AuditEvent.hash).order_by(col(AuditEvent.seq).desc()).limit(1)
    ).first()
    seq, prev = (tip[0] + 1, tip[1]) if tip else (1, GENESIS)
    at = as_utc(now or utcnow())
    clean = jsonable(changes or {})
    fields: dict[str, Any] = {
        "seq": seq,
        "prev_hash": prev,
        "at": at,
        "actor_id": actor.user_id,
        "actor_label": actor.label,
        "action": action,
        "entity_type": entity_type,
        "entity_id": str(entity_id),
        "changes": clean,
    }
    event = AuditEvent(**fields, hash=event_hash(**fields))
    session.add(event)
    session.flush()
    return event


def _lock_chain(session: Session) -> None:
    """Hold the chain's write lock until commit, so two transactions never extend the same tip.

    PostgreSQL: a transaction-level advisory lock. SQLite: a write that matches no row, which
    opens the write transaction (SQLite allows one writer at a time) before the tip is read;
    the services flush their own rows first and so already hold it, but a caller that records
    an event before any other write would otherwise read the tip outside the write lock.
    """
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _CHAIN_LOCK_KEY})
    elif dialect == "sqlite":
        session.execute(text("UPDATE audit_event SET seq = seq WHERE 1 = 0"))


def history(
    session: Session, entity_type: str, entity_id: Any, limit: int = 50
) -> list[AuditEvent]:
    return list(
        session.exec(
            select(AuditEvent)
            .where(AuditEvent.entity_type == entity_type, AuditEvent.entity_id == str(entity_id))
            .order_by(col(AuditEvent.seq).desc())
            .limit(limit)
        ).all()
    )


@dataclass
class ChainReport:
    """The outcome of a walk over the chain.

    ``tip`` is the hash of the last event that verified; ``seq`` names the first bad event.
    ``kind`` says what went wrong, for messages: ``altered`` (an event's content does not
    match its hash), ``removed`` (a gap in the sequence), ``relinked`` (an event does not
    point at the one before it: inserted, or the one before was rewritten with a new hash),
    ``anchor_missing`` (a tip hash recorded earlier is no longer in the chain: the tail was
    cut off or rewritten).
    """

    ok: bool
    checked: int
    tip: str
    problem: str | None = None
    seq: int | None = None
    kind: str | None = None


_COLUMNS = (
    "seq",
    "prev_hash",
    "hash",
    "at",
    "actor_id",
    "actor_label",
    "action",
    "entity_type",
    "entity_id",
    "changes",
)


def verify_chain(session: Session, batch: int = 5000, *, anchor: str | None = None) -> ChainReport:
    """Walk the whole chain in order; name the first event that was altered, removed or inserted.

    ``anchor`` is a tip hash written down earlier (``eagov audit verify`` prints it). The chain
    alone cannot show that events were cut off its end or that its tail was rewritten with fresh
    hashes; an anchor that is no longer found in an otherwise intact chain can.
    """
    prev, expected_seq, checked = GENESIS, 1, 0
    anchor = (anchor or "").strip().lower() or None
    anchor_seen = anchor is None
    for row in _stream(session, batch):
        seq, prev_hash, stored_hash = row[0], row[1], row[2]
        if seq > expected_seq:
            missing = f"{expected_seq}" + (f"-{seq - 1}" if seq - 1 > expected_seq else "")
            problem = f"event(s) {missing} removed before event {seq}"
            return ChainReport(False, checked, prev, problem, seq, "removed")
        recomputed = event_hash(
            seq=seq,
            prev_hash=prev_hash,
            at=row[3],
            actor_id=row[4],
            actor_label=row[5],
            action=row[6],
            entity_type=row[7],
            entity_id=row[8],
            changes=row[9],
        )
        if recomputed != stored_hash:
            return ChainReport(False, checked, prev, f"event {seq} was altered", seq, "altered")
        if prev_hash != prev:
            return ChainReport(
                False,
                checked,
                prev,
                f"event {seq} does not follow event {seq - 1}: event {seq} was inserted, "
                f"or event {seq - 1} was rewritten with a new hash",
                seq,
                "relinked",
            )
        prev, expected_seq, checked = stored_hash, seq + 1, checked + 1
        if not anchor_seen and stored_hash == anchor:
            anchor_seen = True
    if not anchor_seen:
        return ChainReport(
            False,
            checked,
            prev,
            "the anchored tip hash is no longer in the chain: events were removed from its end, "
            "or its tail was rewritten",
            None,
            "anchor_missing",
        )
    return ChainReport(True, checked, prev)


def _stream(session: Session, batch: int) -> Iterator[Any]:
    """Plain rows in ``seq`` order, a batch at a time (keyset paging, no ORM identity map,
    so a long walk neither grows memory nor touches the caller's loaded objects)."""
    table = sa.inspect(AuditEvent).local_table
    columns = [table.c[name] for name in _COLUMNS]
    last = 0
    while True:
        rows = session.execute(
            sa.select(*columns).where(table.c.seq > last).order_by(table.c.seq).limit(batch)
        ).all()
        if not rows:
            return
        yield from rows
        last = rows[-1][0]
