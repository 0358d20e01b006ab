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

from sqlalchemy import text
from sqlmodel import Session, SQLModel, col, select

from ..db import is_postgres
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
    if is_postgres(session):
        # Serialises writers until commit, so two transactions never extend the same tip.
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _CHAIN_LOCK_KEY})
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
    ok: bool
    checked: int
    tip: str
    problem: str | None = None
    seq: int | None = None


def verify_chain(session: Session, batch: int = 5000) -> ChainReport:
    """Walk the whole chain in order; name the first event that was altered, removed or inserted."""
    prev, expected_seq, checked = GENESIS, 1, 0
    for ev in _stream(session, batch):
        recomputed = event_hash(
            seq=ev.seq,
            prev_hash=ev.prev_hash,
            at=ev.at,
            actor_id=ev.actor_id,
            actor_label=ev.actor_label,
            action=ev.action,
            entity_type=ev.entity_type,
            entity_id=ev.entity_id,
            changes=ev.changes,
        )
        if ev.seq > expected_seq:
            missing = f"{expected_seq}" + (f"-{ev.seq - 1}" if ev.seq - 1 > expected_seq else "")
            return ChainReport(
                False, checked, prev, f"event(s) {missing} removed before event {ev.seq}", ev.seq
            )
        if recomputed != ev.hash:
            return ChainReport(False, checked, prev, f"event {ev.seq} was altered", ev.seq)
        if ev.prev_hash != prev:
            return ChainReport(
                False,
                checked,
                prev,
                f"event {ev.seq} does not follow event {ev.seq - 1}: inserted or rewritten",
                ev.seq,
            )
        prev, expected_seq, checked = ev.hash, ev.seq + 1, checked + 1
    return ChainReport(True, checked, prev)


def _stream(session: Session, batch: int) -> Iterator[AuditEvent]:
    last = 0
    while True:
        rows = session.exec(
            select(AuditEvent)
            .where(AuditEvent.seq > last)
            .order_by(col(AuditEvent.seq))
            .limit(batch)
        ).all()
        if not rows:
            return
        yield from rows
        last = rows[-1].seq
        session.expunge_all()
