"""Deliverables and metrics of a contract: commitments (editable in drafts) and progress
(status, acceptance, evidence, measured values: updated while the contract runs)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, or_
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from .. import storage
from ..errors import Conflict, Forbidden, Invalid, NotFound
from ..labels import label
from ..models import (
    Contract,
    ContractMetric,
    ContractStatus,
    ContractVersion,
    Deliverable,
    DeliverableStatus,
    Person,
    utcnow,
)
from ..permissions import Actor, require
from ..schemas.contracts import DeliverableIn, DeliverableProgress, MetricIn, MetricMeasure
from . import audit
from .common import check_version, commit, flush
from .contracts import editable_version, get_contract, person_of, visible_filter

D = DeliverableStatus
# status -> statuses it may move to
FLOW: dict[str, set[str]] = {
    D.PLANNED: {D.IN_PROGRESS, D.WAIVED},
    D.IN_PROGRESS: {D.SUBMITTED, D.WAIVED},
    D.SUBMITTED: {D.ACCEPTED, D.REJECTED, D.IN_PROGRESS, D.WAIVED},
    D.REJECTED: {D.IN_PROGRESS, D.WAIVED},
    D.ACCEPTED: set(),
    D.WAIVED: set(),
}
DONE = (D.ACCEPTED, D.WAIVED)


def is_overdue(d: Deliverable, today: date | None = None) -> bool:
    return d.status not in DONE and d.due_date < (today or utcnow().date())


# --- commitments (draft versions only) -----------------------------------------------------------


def add_deliverable(
    session: Session, actor: Actor, contract_id: int, data: DeliverableIn
) -> Deliverable:
    require(actor, "contracts.edit")
    contract = get_contract(session, actor, contract_id)
    version = editable_version(session, contract)
    _check_owner(session, data.owner_id)
    last = session.exec(
        select(Deliverable.position)
        .where(Deliverable.version_id == version.id)
        .order_by(col(Deliverable.position).desc())
    ).first()
    item = Deliverable(
        version_id=version.id,  # type: ignore[arg-type]
        lineage=str(uuid.uuid4()),
        position=(last or 0) + 1,
        **data.model_dump(),
    )
    session.add(item)
    flush(session)
    audit.record(session, actor, "create", "deliverable", item.id, audit.snapshot(item))
    commit(session)
    return item


def update_deliverable(
    session: Session, actor: Actor, deliverable_id: int, data: DeliverableIn, expected: int | None
) -> Deliverable:
    require(actor, "contracts.edit")
    item, contract, version = _load(session, actor, deliverable_id)
    _editable_for(session, contract, version)
    check_version(item, expected)
    _check_owner(session, data.owner_id)
    before = audit.snapshot(item)
    for key, value in data.model_dump().items():
        setattr(item, key, value)
    changes = audit.diff(before, audit.snapshot(item))
    if changes:
        session.add(item)
        flush(session)
        audit.record(session, actor, "update", "deliverable", item.id, changes)
        commit(session)
    return item


def remove_deliverable(
    session: Session, actor: Actor, deliverable_id: int, expected: int | None
) -> None:
    require(actor, "contracts.edit")
    item, contract, version = _load(session, actor, deliverable_id)
    _editable_for(session, contract, version)
    check_version(item, expected)
    before = audit.snapshot(item)
    session.delete(item)
    flush(session)
    audit.record(session, actor, "delete", "deliverable", deliverable_id, before)
    commit(session)


def _editable_for(session: Session, contract: Contract, version: ContractVersion) -> None:
    if editable_version(session, contract).id != version.id:
        raise Conflict(_l("Only the deliverables of the draft version can be changed."))


def _check_owner(session: Session, owner_id: int | None) -> None:
    if owner_id is not None and session.get(Person, owner_id) is None:
        raise Invalid(errors={"owner_id": _l("The person does not exist.")})


# --- progress (the version in force of an active contract) --------------------------------------


def progress(
    session: Session,
    actor: Actor,
    deliverable_id: int,
    data: DeliverableProgress,
    expected: int | None,
    *,
    now: datetime | None = None,
) -> Deliverable:
    """Move a deliverable along its status flow. Accepting or rejecting is for the lead
    architect or the board; waiving for the board chair; the rest for the owner and editors."""
    item, contract, version = _load(session, actor, deliverable_id)
    _check_in_force(contract, version)
    check_version(item, expected)
    if data.status != item.status and data.status not in FLOW[item.status]:
        raise Conflict(
            _l(
                "A deliverable cannot go from %(old)s to %(new)s.",
                old=label(item.status),
                new=label(data.status),
            )
        )
    _may_set(session, actor, item, version, data.status)
    now = now or utcnow()
    before = audit.snapshot(item)
    item.status = data.status
    item.status_note = data.note
    if data.evidence_link is not None:
        item.evidence_link = data.evidence_link
    if data.status == D.ACCEPTED:
        item.accepted_by_id, item.accepted_at = actor.user_id, now
    changes = audit.diff(before, audit.snapshot(item))
    if changes:
        session.add(item)
        flush(session)
        audit.record(session, actor, "progress", "deliverable", item.id, changes, now=now)
        commit(session)
    return item


def may_set(
    actor: Actor, me: Person | None, item: Deliverable, version: ContractVersion, status: str
) -> bool:
    """Whether the actor may give the deliverable ``status`` (the flow is checked apart).

    Accepting or rejecting is for the lead architect or the board; waiving for the board
    chair; the rest (and the note and link) for the owner and contract editors.
    """
    if status in (D.ACCEPTED, D.REJECTED):
        is_lead = me is not None and me.id == version.lead_architect_id
        return is_lead or actor.can("deliverables.accept")
    if status == D.WAIVED:
        return actor.can("deliverables.waive")
    return (me is not None and me.id == item.owner_id) or actor.can("contracts.edit")


def _may_set(
    session: Session, actor: Actor, item: Deliverable, version: ContractVersion, status: str
) -> None:
    if may_set(actor, person_of(session, actor), item, version, status):
        return
    if status in (D.ACCEPTED, D.REJECTED):
        raise Forbidden(
            _l("Only the lead architect or the Architecture Board accepts or rejects deliverables.")
        )
    if status == D.WAIVED:
        require(actor, "deliverables.waive")
    raise Forbidden(_l("Only the owner of the deliverable or a contract editor can update it."))


def _check_in_force(contract: Contract, version: ContractVersion) -> None:
    if contract.status != ContractStatus.ACTIVE or version.number != contract.effective_version:
        raise Conflict(
            _l(
                "Progress is recorded on the deliverables of the version in force "
                "of an active contract."
            )
        )


@dataclass
class Evidence:
    path: Path
    name: str
    content_type: str


def attach_evidence(
    session: Session,
    actor: Actor,
    deliverable_id: int,
    filename: str,
    data: bytes,
    upload_root: Path,
    expected: int | None = None,
) -> Deliverable:
    item, contract, version = _load(session, actor, deliverable_id)
    _check_in_force(contract, version)
    check_version(item, expected)
    _may_set(session, actor, item, version, D.IN_PROGRESS)
    stored = storage.accept(upload_root, filename, data)
    before = audit.snapshot(item)
    item.evidence_file, item.evidence_name = stored.file, stored.name
    item.evidence_type, item.evidence_size = stored.content_type, stored.size
    session.add(item)
    try:
        flush(session)
        audit.record(
            session,
            actor,
            "attach_evidence",
            "deliverable",
            item.id,
            audit.diff(before, audit.snapshot(item)),
        )
        commit(session)
    except BaseException:
        storage.discard(upload_root, stored)  # nothing half-kept
        raise
    return item


def evidence_for_download(
    session: Session, actor: Actor, deliverable_id: int, upload_root: Path
) -> Evidence:
    item, _contract, _version = _load(session, actor, deliverable_id)
    if not item.evidence_file:
        raise NotFound(_l("This deliverable has no evidence file."))
    path = storage.path_of(upload_root, item.evidence_file)
    if not path.is_file():
        raise NotFound(_l("The evidence file is missing from storage."))
    return Evidence(
        path, item.evidence_name or "evidence", item.evidence_type or "application/octet-stream"
    )


# --- metrics -----------------------------------------------------------------------------------


def add_metric(session: Session, actor: Actor, contract_id: int, data: MetricIn) -> ContractMetric:
    require(actor, "contracts.edit")
    contract = get_contract(session, actor, contract_id)
    version = editable_version(session, contract)
    count = len(
        session.exec(select(ContractMetric.id).where(ContractMetric.version_id == version.id)).all()
    )
    assert version.id is not None
    metric = ContractMetric(
        version_id=version.id,
        lineage=str(uuid.uuid4()),
        position=count + 1,
        **data.model_dump(),
    )
    session.add(metric)
    flush(session)
    audit.record(session, actor, "create", "contract_metric", metric.id, audit.snapshot(metric))
    commit(session)
    return metric


def remove_metric(session: Session, actor: Actor, metric_id: int) -> None:
    require(actor, "contracts.edit")
    metric = session.get(ContractMetric, metric_id)
    if metric is None:
        raise NotFound(_l("There is no metric with the id %(id)s.", id=metric_id))
    version = session.get(ContractVersion, metric.version_id)
    assert version is not None
    contract = get_contract(session, actor, version.contract_id)
    _editable_for(session, contract, version)
    before = audit.snapshot(metric)
    session.delete(metric)
    flush(session)
    audit.record(session, actor, "delete", "contract_metric", metric_id, before)
    commit(session)


def measure(
    session: Session,
    actor: Actor,
    metric_id: int,
    data: MetricMeasure,
    *,
    now: datetime | None = None,
) -> ContractMetric:
    require(actor, "contracts.edit")
    metric = session.get(ContractMetric, metric_id)
    if metric is None:
        raise NotFound(_l("There is no metric with the id %(id)s.", id=metric_id))
    version = session.get(ContractVersion, metric.version_id)
    assert version is not None
    contract = get_contract(session, actor, version.contract_id)
    _check_in_force(contract, version)
    before = audit.snapshot(metric)
    metric.measured_value, metric.measured_at = data.measured_value, now or utcnow()
    session.add(metric)
    flush(session)
    audit.record(
        session,
        actor,
        "measure",
        "contract_metric",
        metric.id,
        audit.diff(before, audit.snapshot(metric)),
    )
    commit(session)
    return metric


# --- the list across contracts -------------------------------------------------------------------


@dataclass
class DeliverableFilter:
    phase: str | None = None
    owner_id: int | None = None
    status: str | None = None
    due_from: date | None = None
    due_to: date | None = None
    overdue: bool = False
    contract_id: int | None = None


def deliverables_query(
    session: Session, actor: Actor, f: DeliverableFilter, today: date | None = None
) -> SelectOfScalar[Any]:
    """(Deliverable, Contract) rows of the versions in force (or the draft of contracts not yet
    in force) the actor may see, filtered and ordered by due date."""
    current = and_(
        col(ContractVersion.contract_id) == Contract.id,
        or_(
            col(ContractVersion.number) == Contract.effective_version,
            and_(
                col(Contract.effective_version).is_(None),
                col(ContractVersion.number) == Contract.latest_version,
            ),
        ),
    )
    stmt: Any = (
        select(Deliverable, Contract)
        .join(ContractVersion, col(Deliverable.version_id) == ContractVersion.id)
        .join(Contract, current)
    )
    where = visible_filter(session, actor)
    if where is not None:
        stmt = stmt.where(where)
    if f.phase:
        stmt = stmt.where(Deliverable.phase == f.phase)
    if f.owner_id:
        stmt = stmt.where(Deliverable.owner_id == f.owner_id)
    if f.status:
        stmt = stmt.where(Deliverable.status == f.status)
    if f.due_from:
        stmt = stmt.where(col(Deliverable.due_date) >= f.due_from)
    if f.due_to:
        stmt = stmt.where(col(Deliverable.due_date) <= f.due_to)
    if f.contract_id:
        stmt = stmt.where(Contract.id == f.contract_id)
    if f.overdue:
        stmt = stmt.where(
            col(Deliverable.due_date) < (today or utcnow().date()),
            col(Deliverable.status).not_in([s.value for s in DONE]),
        )
    return stmt.order_by(col(Deliverable.due_date), col(Deliverable.id))


def _load(
    session: Session, actor: Actor, deliverable_id: int
) -> tuple[Deliverable, Contract, ContractVersion]:
    item = session.get(Deliverable, deliverable_id)
    if item is None:
        raise NotFound(_l("There is no deliverable with the id %(id)s.", id=deliverable_id))
    version = session.get(ContractVersion, item.version_id)
    assert version is not None
    contract = get_contract(session, actor, version.contract_id)  # 404 when not visible
    return item, contract, version
