"""Synthetic data at a scale factor, in a fresh database.

The demonstration data set (``eagov demo load``, made through the services) is the base: it
brings the users and roles, boards, the checklist library, maturity models with published
assessments, requests, meetings and the reminder rules. On top of it the generator adds, with
bulk Core inserts, ``scale`` times the volumes of :data:`TARGETS` (fractional scales allowed),
copying realistic content (contract sections, checklist questions) from the demo rows. The
audit events it adds continue the demo's hash chain, computed with the same canonical form as
:func:`eagov.services.audit.event_hash`, so ``eagov audit verify`` passes.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import Flask
from sqlmodel import Session, col, select

from ..models import (
    AdmPhase,
    AuditEvent,
    Board,
    Checkpoint,
    Contract,
    ContractStatus,
    ContractType,
    ContractVersion,
    Deliverable,
    DeliverableStatus,
    OrgUnit,
    Person,
    Review,
    ReviewItem,
    ReviewParticipant,
    ReviewRole,
    ReviewState,
    UnitKind,
    User,
    VersionState,
    metadata,
)
from ..services.audit import GENESIS, event_hash

# Rows added at scale 1 (scale 10 is ten times these).
TARGETS: dict[str, int] = {
    "org_unit": 50,
    "person": 500,
    "contract": 500,
    "deliverable": 5_000,
    "review": 1_000,
    "review_item": 50_000,
    "audit_event": 100_000,
}
CHUNK = 5_000
DOMAIN = "bench.eagov.example"
# Generated contracts and reviews are numbered in years of their own, away from the demo's.
FIRST_YEAR = 2001
PER_YEAR = 9_999


def counts(scale: float) -> dict[str, int]:
    """Rows added for ``scale``: each volume times the scale, at least one."""
    return {name: max(1, round(n * scale)) for name, n in TARGETS.items()}


@dataclass
class Generated:
    scale: float
    added: dict[str, int]
    seconds: float = 0.0
    # Handy ids for the measures.
    contract_id: int = 0
    review_id: int = 0
    assessment_id: int = 0
    board_id: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


def create_schema(app: Flask) -> None:
    """Tables from the models, stamped at the migration head (as after ``eagov db upgrade``)."""
    from alembic import command

    from ..migrations_info import alembic_config

    eng = app.extensions["eagov.engine"]
    metadata.create_all(eng)
    with eng.begin() as conn:
        cfg = alembic_config()
        cfg.attributes["connection"] = conn
        command.stamp(cfg, "head")


def table_of(model: Any) -> sa.Table:
    """The Core table of a SQLModel class (for bulk inserts)."""
    return model.__table__


def _chunks(rows: Iterable[dict[str, Any]], size: int = CHUNK) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _insert(conn: sa.Connection, model: Any, rows: Iterable[dict[str, Any]]) -> int:
    table = table_of(model)
    n = 0
    for batch in _chunks(rows):
        conn.execute(table.insert(), batch)
        n += len(batch)
    return n


def _next_id(conn: sa.Connection, model: Any) -> int:
    table = table_of(model)
    return (
        int(conn.execute(sa.select(sa.func.coalesce(sa.func.max(table.c.id), 0))).scalar_one()) + 1
    )


def _year_number(i: int) -> tuple[int, int]:
    return FIRST_YEAR + i // PER_YEAR, i % PER_YEAR + 1


def generate(app: Flask, scale: float, *, today: date | None = None) -> Generated:
    """Fill the (empty, schema-created) database of ``app``: the demo base plus the scaled rows."""
    import time

    from ..demo import load_demo

    started = time.perf_counter()
    today = today or date.today()
    now = datetime.now(UTC)
    n = counts(scale)
    eng = app.extensions["eagov.engine"]
    with app.app_context(), Session(eng, expire_on_commit=False) as s:
        load_demo(s)
        boards = [int(b) for b in s.exec(select(Board.id).order_by(col(Board.id))).all() if b]
        root = s.exec(select(OrgUnit.id).where(col(OrgUnit.parent_id).is_(None))).first()
        user_ids = [int(u) for u in s.exec(select(User.id).order_by(col(User.id))).all() if u]
        version_template = s.exec(select(ContractVersion).order_by(col(ContractVersion.id))).first()
        item_templates = list(
            s.exec(select(ReviewItem).order_by(col(ReviewItem.id)).limit(50)).all()
        )
        from ..models import MaturityAssessment

        published = s.exec(
            select(MaturityAssessment.id)
            .where(col(MaturityAssessment.state) == "published")
            .order_by(col(MaturityAssessment.id))
        ).first()
    assert version_template is not None and item_templates and boards and root is not None

    result = Generated(scale=scale, added=dict(n), board_id=boards[0])
    result.assessment_id = int(published or 0)
    with eng.begin() as conn:
        unit_ids = _units(conn, n["org_unit"], root)
        person_ids = _people(conn, n["person"], unit_ids)
        contract_ids, version_ids = _contracts(
            conn, n["contract"], boards, unit_ids, person_ids, user_ids, version_template, today
        )
        _deliverables(conn, n["deliverable"], version_ids, person_ids, today)
        review_ids = _reviews(conn, n["review"], boards, contract_ids, unit_ids, user_ids, today)
        _participants(conn, review_ids, person_ids)
        _review_items(conn, n["review_item"], review_ids, item_templates, user_ids, now)
        _audit_events(conn, n["audit_event"], user_ids, contract_ids, now)
    _freeze_signed(app, version_ids)
    result.contract_id = contract_ids[0]
    result.review_id = review_ids[0]
    result.seconds = time.perf_counter() - started
    return result


def _units(conn: sa.Connection, count: int, root: int) -> list[int]:
    first = _next_id(conn, OrgUnit)
    kinds = [k.value for k in UnitKind if k not in (UnitKind.ENTERPRISE, UnitKind.BOARD)]
    now = datetime.now(UTC)
    rows: list[dict[str, Any]] = [
        {
            "id": first + i,
            "name": f"Bench unit {i + 1}",
            "code": f"BU{i + 1:05d}",
            "kind": kinds[i % len(kinds)],
            # A shallow tree: every tenth unit under the root, the others under the last one.
            "parent_id": root if i % 10 == 0 else first + i - i % 10,
            "description": "Generated for the benchmark.",
            "created_at": now,
            "updated_at": now,
            "version": 1,
        }
        for i in range(count)
    ]
    _insert(conn, OrgUnit, rows)
    return [r["id"] for r in rows]


def _people(conn: sa.Connection, count: int, units: list[int]) -> list[int]:
    first = _next_id(conn, Person)
    now = datetime.now(UTC)
    rows: list[dict[str, Any]] = [
        {
            "id": first + i,
            "name": f"Bench Person {i + 1:06d}",
            "email": f"person{i + 1}@{DOMAIN}",
            "phone": f"+44 20 7946 {i % 10_000:04d}",
            "org_unit_id": units[i % len(units)],
            "created_at": now,
            "version": 1,
        }
        for i in range(count)
    ]
    _insert(conn, Person, rows)
    return [r["id"] for r in rows]


_STATUSES = [
    (ContractStatus.ACTIVE, VersionState.SIGNED),
    (ContractStatus.ACTIVE, VersionState.SIGNED),
    (ContractStatus.ACTIVE, VersionState.SIGNED),
    (ContractStatus.DRAFT, VersionState.DRAFT),
    (ContractStatus.IN_REVIEW, VersionState.IN_REVIEW),
    (ContractStatus.COMPLETED, VersionState.SIGNED),
]


def _contracts(
    conn: sa.Connection,
    count: int,
    boards: list[int],
    units: list[int],
    people: list[int],
    users: list[int],
    template: ContractVersion,
    today: date,
) -> tuple[list[int], list[int]]:
    first_c, first_v = _next_id(conn, Contract), _next_id(conn, ContractVersion)
    types = [t.value for t in ContractType]
    now = datetime.now(UTC)
    contracts: list[dict[str, Any]] = []
    versions: list[dict[str, Any]] = []
    for i in range(count):
        status, state = _STATUSES[i % len(_STATUSES)]
        signed = state == VersionState.SIGNED
        year, number = _year_number(i)
        start = today - timedelta(days=30 + i % 300)
        contracts.append(
            {
                "id": first_c + i,
                "reference": f"AC-{year}-{number:04d}",
                "year": year,
                "number": number,
                "type": types[i % len(types)],
                "status": status.value,
                "board_id": boards[i % len(boards)],
                "effective_version": 1 if signed else None,
                "latest_version": 1,
                "created_at": now,
                "created_by_id": users[0],
                "close_reason": "",
                "version": 1,
            }
        )
        versions.append(
            {
                "id": first_v + i,
                "contract_id": first_c + i,
                "number": 1,
                "state": state.value,
                "title": f"Bench programme {i + 1}: platform renewal",
                "architecture_unit_id": units[0],
                "counterparty_unit_id": units[i % len(units)],
                "partner_name": "",
                "sponsor_id": people[i % len(people)],
                "lead_architect_id": people[(i + 1) % len(people)],
                "representative_id": None,
                "window_start": start,
                "window_end": start + timedelta(days=365 + i % 200),
                "sections": template.sections,
                "conformance_requirements": template.conformance_requirements,
                "principles": template.principles,
                "standards": template.standards,
                "risks": template.risks,
                "change_summary": "",
                "created_at": now,
                "approved_at": now if signed else None,
                "signed_at": now if signed else None,
                "version": 1,
            }
        )
    _insert(conn, Contract, contracts)
    _insert(conn, ContractVersion, versions)
    return [r["id"] for r in contracts], [r["id"] for r in versions]


def _freeze_signed(app: Flask, version_ids: list[int]) -> None:
    """Signed versions carry the snapshot and hash frozen at approval, as the services leave
    them (pages of frozen versions read the stored hash instead of recomputing it)."""
    from ..services.contracts import canonical_content, hash_content

    eng = app.extensions["eagov.engine"]
    with app.app_context(), Session(eng) as s:
        for start in range(0, len(version_ids), 200):
            batch = s.exec(
                select(ContractVersion).where(
                    col(ContractVersion.id).in_(version_ids[start : start + 200]),
                    col(ContractVersion.state) == VersionState.SIGNED,
                )
            ).all()
            for v in batch:
                contract = s.get(Contract, v.contract_id)
                assert contract is not None
                snap = canonical_content(s, contract, v)
                s.execute(
                    sa.update(table_of(ContractVersion))
                    .where(table_of(ContractVersion).c.id == v.id)
                    .values(snapshot=snap, content_hash=hash_content(snap))
                )
            s.commit()
            s.expunge_all()


def _deliverables(
    conn: sa.Connection, count: int, versions: list[int], people: list[int], today: date
) -> None:
    phases = [p.value for p in AdmPhase]
    statuses = [s.value for s in DeliverableStatus]
    per = max(1, count // len(versions))

    def rows() -> Iterator[dict[str, Any]]:
        for i in range(count):
            v = min(i // per, len(versions) - 1)
            k = i - v * per
            yield {
                "version_id": versions[v],
                "lineage": str(uuid.UUID(int=i + 1)),
                "position": k,
                "title": f"Architecture deliverable {k + 1}",
                "phase": phases[i % len(phases)],
                "kind": "Architecture Definition Document",
                "owner_id": people[i % len(people)],
                "due_date": today + timedelta(days=(i * 37) % 600 - 200),
                "acceptance_criteria": "Reviewed and accepted by the lead architect.",
                "status": statuses[i % len(statuses)],
                "status_note": "",
                "evidence_link": "",
                "version": 1,
            }

    _insert(conn, Deliverable, rows())


def _reviews(
    conn: sa.Connection,
    count: int,
    boards: list[int],
    contracts: list[int],
    units: list[int],
    users: list[int],
    today: date,
) -> list[int]:
    first = _next_id(conn, Review)
    states = [s.value for s in ReviewState]
    checkpoints = [c.value for c in Checkpoint]
    levels = ["compliant", "conformant", "consistent", "non_conformant", None]
    now = datetime.now(UTC)
    rows: list[dict[str, Any]] = []
    for i in range(count):
        year, number = _year_number(i)
        rows.append(
            {
                "id": first + i,
                "reference": f"CR-{year}-{number:04d}",
                "year": year,
                "number": number,
                "title": f"Compliance review {i + 1}",
                "project": f"Project {i % 97 + 1}",
                "contract_id": contracts[i % len(contracts)],
                "board_id": boards[i % len(boards)],
                "org_unit_id": units[i % len(units)],
                "checkpoint": checkpoints[i % len(checkpoints)],
                "state": states[i % len(states)],
                "scope": "Solution architecture against group standards.",
                "due_date": today + timedelta(days=i % 120 - 30),
                "requested_by_id": users[i % len(users)],
                # Requests arrive over time, as real ones do (the API lists newest first).
                "requested_at": now - timedelta(minutes=41 * (count - i)),
                "computed_level": levels[i % len(levels)],
                "override_justification": "",
                "report_summary": "",
                "decision_conditions": "",
                "version": 1,
            }
        )
    _insert(conn, Review, rows)
    return [r["id"] for r in rows]


def _participants(conn: sa.Connection, reviews: list[int], people: list[int]) -> None:
    rows = [
        {"review_id": r, "person_id": people[(i + k) % len(people)], "role": role}
        for i, r in enumerate(reviews)
        for k, role in enumerate((ReviewRole.LEAD_ARCHITECT.value, ReviewRole.COORDINATOR.value))
    ]
    _insert(conn, ReviewParticipant, rows)


def _review_items(
    conn: sa.Connection,
    count: int,
    reviews: list[int],
    templates: list[ReviewItem],
    users: list[int],
    now: datetime,
) -> None:
    per = max(1, count // len(reviews))
    levels = ["compliant", "conformant", "fully_conformant", "consistent", "non_conformant", None]

    def rows() -> Iterator[dict[str, Any]]:
        for i in range(count):
            t = templates[i % len(templates)]
            level = levels[i % len(levels)]
            r = min(i // per, len(reviews) - 1)
            k = i - r * per
            yield {
                "review_id": reviews[r],
                "library_item_id": t.library_item_id,
                "category_key": t.category_key,
                "category_title": t.category_title,
                "reference": f"Q-{k + 1:04d}",
                "position": k,
                "weight": t.weight,
                "question": t.question,
                "guidance": t.guidance,
                "principle": t.principle,
                "answer": "Implemented as described in the design." if level else "",
                "level": level,
                "evidence_link": "",
                "notes": "",
                "answered_by_id": users[i % len(users)] if level else None,
                "answered_at": now if level else None,
                "version": 1,
            }

    _insert(conn, ReviewItem, rows())


_ACTIONS = ("contract.update", "deliverable.update", "review.update", "review_item.answer")


def _audit_events(
    conn: sa.Connection, count: int, users: list[int], contracts: list[int], now: datetime
) -> None:
    table = table_of(AuditEvent)
    tip = conn.execute(
        sa.select(table.c.seq, table.c.hash).order_by(table.c.seq.desc()).limit(1)
    ).first()
    seq, prev = (tip[0], tip[1]) if tip else (0, GENESIS)

    def rows() -> Iterator[dict[str, Any]]:
        nonlocal seq, prev
        for i in range(count):
            seq += 1
            action = _ACTIONS[i % len(_ACTIONS)]
            fields: dict[str, Any] = {
                "seq": seq,
                "prev_hash": prev,
                "at": now + timedelta(milliseconds=i),
                "actor_id": users[i % len(users)],
                "actor_label": f"user{users[i % len(users)]}@{DOMAIN}",
                "action": action,
                "entity_type": action.split(".")[0],
                "entity_id": str(contracts[i % len(contracts)]),
                "changes": {"status": ["planned", "in_progress"], "note": f"change {i}"},
            }
            digest = event_hash(**fields)
            prev = digest
            yield {**fields, "hash": digest}

    _insert(conn, AuditEvent, rows())


def table_counts(app: Flask) -> dict[str, int]:
    """Rows per benchmarked table (demo base included)."""
    eng = app.extensions["eagov.engine"]
    out = {}
    with eng.connect() as conn:
        for name in TARGETS:
            out[name] = int(
                conn.execute(
                    sa.select(sa.func.count()).select_from(metadata.tables[name])
                ).scalar_one()
            )
    return out
