"""Architecture contracts: create, edit drafts, the lifecycle, signatures and the content hash.

Lifecycle: draft -> in review -> approved -> active (every required signature collected)
-> completed | terminated | expired. An amendment of an active contract opens a new draft
version; the signed version stays in force, untouched, until the amendment is signed.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, exists, or_
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from ..contract_types import CAPACITY_LABELS, spec
from ..errors import Conflict, Forbidden, Invalid, NotFound
from ..labels import label
from ..models import (
    Board,
    BoardMember,
    BoardRole,
    Capacity,
    Contract,
    ContractMetric,
    ContractStatus,
    ContractVersion,
    Deliverable,
    DeliverableStatus,
    OrgUnit,
    Person,
    Signature,
    VersionState,
    utcnow,
)
from ..permissions import Actor, require
from ..schemas.contracts import AmendIn, CloseIn, ContractCreate, SignIn, VersionContent
from . import accounts, audit
from .common import add_numbered, check_version, commit, flush
from .org import sitting
from .org_queries import person_of

FROZEN = (VersionState.APPROVED, VersionState.SIGNED, VersionState.SUPERSEDED)
CLOSED = (ContractStatus.COMPLETED, ContractStatus.TERMINATED, ContractStatus.EXPIRED)


# --- reading -----------------------------------------------------------------------------------


def visible_filter(session: Session, actor: Actor) -> Any:
    """A WHERE clause on Contract for what the actor may see (None: everything)."""
    require(actor, "contracts.read")
    if actor.can("contracts.read_all"):
        return None
    me = person_of(session, actor)
    if me is None:
        return col(Contract.id).is_(None)  # matches nothing
    # Aliases: the enclosing query may join versions and deliverables itself (the lists do),
    # and the subqueries must not correlate to those rows, only to the contract.
    version = aliased(ContractVersion)
    item = aliased(Deliverable)
    involved = exists().where(
        col(version.contract_id) == Contract.id,
        or_(
            col(version.sponsor_id) == me.id,
            col(version.lead_architect_id) == me.id,
            col(version.representative_id) == me.id,
        ),
    )
    owns = exists().where(
        col(version.contract_id) == Contract.id,
        col(item.version_id) == version.id,
        col(item.owner_id) == me.id,
    )
    return or_(involved, owns)


def get_contract(session: Session, actor: Actor, contract_id: int) -> Contract:
    """The contract, if it exists and the actor may see it (otherwise 404, not 403)."""
    stmt = select(Contract).where(Contract.id == contract_id)
    where = visible_filter(session, actor)
    if where is not None:
        stmt = stmt.where(where)
    contract = session.exec(stmt).first()
    if contract is None:
        raise NotFound(_l("There is no contract with the id %(id)s.", id=contract_id))
    return contract


def get_version(session: Session, contract: Contract, number: int | None = None) -> ContractVersion:
    wanted = number if number is not None else contract.latest_version
    version = session.exec(
        select(ContractVersion).where(
            ContractVersion.contract_id == contract.id, ContractVersion.number == wanted
        )
    ).first()
    if version is None:
        raise NotFound(
            _l("Contract %(ref)s has no version %(n)s.", ref=contract.reference, n=wanted)
        )
    return version


def effective_or_latest(session: Session, contract: Contract) -> ContractVersion:
    return get_version(session, contract, contract.effective_version or contract.latest_version)


def deliverables_of(session: Session, version_id: int) -> list[Deliverable]:
    return list(
        session.exec(
            select(Deliverable)
            .where(Deliverable.version_id == version_id)
            .order_by(col(Deliverable.position), col(Deliverable.id))
        ).all()
    )


def metrics_of(session: Session, version_id: int) -> list[ContractMetric]:
    return list(
        session.exec(
            select(ContractMetric)
            .where(ContractMetric.version_id == version_id)
            .order_by(col(ContractMetric.position), col(ContractMetric.id))
        ).all()
    )


def signatures_of(session: Session, version_id: int) -> list[Signature]:
    return list(
        session.exec(
            select(Signature).where(Signature.version_id == version_id).order_by(col(Signature.id))
        ).all()
    )


# --- the canonical content and its hash ----------------------------------------------------------


@dataclass
class VersionParts:
    """What a page has already read of one version, handed to the services below so that
    they do not read it again."""

    deliverables: list[Deliverable]
    metrics: list[ContractMetric]
    people: dict[int, str]  # names of the version's parties and deliverable owners
    units: dict[int, str]  # names of its units
    board: Board
    chair: Person | None  # the board's chair today
    signatures: list[Signature]


def canonical_content(
    session: Session,
    contract: Contract,
    version: ContractVersion,
    parts: VersionParts | None = None,
) -> dict[str, Any]:
    """Everything the parties agree to, with names resolved, in a stable shape.

    Execution state (deliverable status, evidence, measured values) is left out: it changes
    while the contract runs without changing what was agreed.
    """
    if version.snapshot is not None:
        return version.snapshot
    if parts is None:
        deliverables = deliverables_of(session, version.id)  # type: ignore[arg-type]
        metrics = metrics_of(session, version.id)  # type: ignore[arg-type]
        party_ids = {version.sponsor_id, version.lead_architect_id, version.representative_id}
        people = _names(session, Person, party_ids | {d.owner_id for d in deliverables})
        units = _names(
            session, OrgUnit, {version.architecture_unit_id, version.counterparty_unit_id}
        )
        board = session.get(Board, contract.board_id)
    else:
        deliverables, metrics, people = parts.deliverables, parts.metrics, parts.people
        units, board = parts.units, parts.board

    def ref(ident: int | None, names: dict[int, str]) -> dict[str, Any] | None:
        return None if ident is None else {"id": ident, "name": names.get(ident, "")}

    type_spec = spec(contract.type)
    return {
        "reference": contract.reference,
        "type": contract.type,
        "version": version.number,
        "board": {"id": contract.board_id, "name": board.name if board else ""},
        "title": version.title,
        "architecture_unit": ref(version.architecture_unit_id, units),
        "counterparty_unit": ref(version.counterparty_unit_id, units),
        "partner_name": version.partner_name,
        "sponsor": ref(version.sponsor_id, people),
        "lead_architect": ref(version.lead_architect_id, people),
        "representative": ref(version.representative_id, people),
        "window": {
            "start": version.window_start.isoformat(),
            "end": version.window_end.isoformat(),
        },
        "sections": [
            {"key": key, "text": version.sections.get(key, "")} for key in type_spec.section_keys
        ],
        "conformance_requirements": version.conformance_requirements,
        "principles": list(version.principles),
        "standards": list(version.standards),
        "risks": list(version.risks),
        "change_summary": version.change_summary,
        "deliverables": [
            {
                "lineage": d.lineage,
                "title": d.title,
                "phase": d.phase,
                "kind": d.kind,
                "owner": ref(d.owner_id, people),
                "due": d.due_date.isoformat(),
                "acceptance_criteria": d.acceptance_criteria,
            }
            for d in deliverables
        ],
        "metrics": [
            {"lineage": m.lineage, "name": m.name, "target": m.target, "unit": m.unit}
            for m in metrics
        ],
    }


def hash_content(content: dict[str, Any]) -> str:
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def version_hash(
    session: Session,
    contract: Contract,
    version: ContractVersion,
    parts: VersionParts | None = None,
) -> str:
    """The stored hash of a frozen version; the hash the content would have now otherwise."""
    if version.content_hash:
        return version.content_hash
    return hash_content(canonical_content(session, contract, version, parts))


def _names(session: Session, model: Any, ids: set[int | None]) -> dict[int, str]:
    wanted = [i for i in ids if i is not None]
    if not wanted:
        return {}
    rows = session.exec(select(model.id, model.name).where(col(model.id).in_(wanted))).all()
    return {ident: name for ident, name in rows}


# --- create and edit ---------------------------------------------------------------------------


def create_contract(
    session: Session, actor: Actor, data: ContractCreate, *, now: datetime | None = None
) -> Contract:
    require(actor, "contracts.edit")
    now = now or utcnow()
    if session.get(Board, data.board_id) is None:
        raise Invalid(errors={"board_id": _l("The board does not exist.")})
    _check_content(session, data.type, data)
    contract = add_numbered(
        session,
        Contract,
        now.year,
        lambda number: Contract(
            reference=f"AC-{now.year}-{number:04d}",
            year=now.year,
            number=number,
            type=data.type,
            board_id=data.board_id,
            created_at=now,
            created_by_id=actor.user_id,
        ),
    )
    version = ContractVersion(contract_id=contract.id, number=1, **_content_values(data))  # type: ignore[arg-type]
    session.add(version)
    flush(session)
    audit.record(
        session,
        actor,
        "create",
        "contract",
        contract.id,
        {"reference": contract.reference, "type": contract.type, "board_id": contract.board_id}
        | audit.snapshot(version),
        now=now,
    )
    commit(session)
    return contract


def update_draft(
    session: Session,
    actor: Actor,
    contract_id: int,
    data: VersionContent,
    expected_version: int | None,
) -> ContractVersion:
    """Change the content of the newest version while it is a draft."""
    require(actor, "contracts.edit")
    contract = get_contract(session, actor, contract_id)
    version = editable_version(session, contract)
    check_version(version, expected_version)
    _check_content(session, contract.type, data)
    before = audit.snapshot(version)
    for key, value in _content_values(data).items():
        setattr(version, key, value)
    changes = audit.diff(before, audit.snapshot(version))
    if changes:
        session.add(version)
        flush(session)
        audit.record(session, actor, "update", "contract_version", version.id, changes)
        commit(session)
    return version


def editable_version(session: Session, contract: Contract) -> ContractVersion:
    version = get_version(session, contract)
    if contract.status in CLOSED:
        raise Conflict(
            _l(
                "Contract %(ref)s is %(status)s; it can no longer change.",
                ref=contract.reference,
                status=label(contract.status),
            )
        )
    if version.state in FROZEN:
        raise Conflict(
            _l(
                "Version %(n)s of %(ref)s is %(state)s and cannot be changed. "
                "Open an amendment to change the contract.",
                n=version.number,
                ref=contract.reference,
                state=label(version.state),
            )
        )
    if version.state != VersionState.DRAFT:
        raise Conflict(
            _l(
                "Version %(n)s is in review; return it to draft before changing it.",
                n=version.number,
            )
        )
    return version


def _content_values(data: VersionContent) -> dict[str, Any]:
    values = data.model_dump(exclude={"type", "board_id"})
    values["risks"] = [r.model_dump() for r in data.risks]
    return values


def _check_content(session: Session, contract_type: str, data: VersionContent) -> None:
    type_spec = spec(contract_type)
    errors: dict[str, str] = {}
    unknown = set(data.sections) - set(type_spec.section_keys)
    if unknown:
        errors["sections"] = _l(
            "Unknown sections for this contract type: %(keys)s.",
            keys=", ".join(sorted(unknown)),
        )
    for field, model in (
        ("architecture_unit_id", OrgUnit),
        ("counterparty_unit_id", OrgUnit),
        ("sponsor_id", Person),
        ("lead_architect_id", Person),
        ("representative_id", Person),
    ):
        ident = getattr(data, field)
        if ident is not None and session.get(model, ident) is None:
            errors[field] = _l("This record does not exist.")
    if errors:
        raise Invalid(errors=errors)


# --- the lifecycle -----------------------------------------------------------------------------


def submit(
    session: Session, actor: Actor, contract_id: int, *, now: datetime | None = None
) -> Contract:
    """Send the draft to the board: only a complete contract can be reviewed."""
    require(actor, "contracts.edit")
    contract = get_contract(session, actor, contract_id)
    version = editable_version(session, contract)
    missing = completeness(session, contract, version)
    if missing:
        raise Invalid(_l("The contract is not complete yet."), errors=missing)
    version.state = VersionState.IN_REVIEW
    version.submitted_at = now or utcnow()
    return _move(session, actor, contract, version, "submit", ContractStatus.IN_REVIEW)


def completeness(
    session: Session,
    contract: Contract,
    version: ContractVersion,
    parts: VersionParts | None = None,
) -> dict[str, str]:
    """What still has to be filled in before the version can go to review."""
    type_spec = spec(contract.type)
    missing: dict[str, str] = {}
    empty = [s for s in type_spec.sections if not version.sections.get(s.key, "").strip()]
    if empty:
        missing["sections"] = _l(
            "Fill in every section: %(sections)s.",
            sections=", ".join(str(s.title) for s in empty),
        )
    if not (parts.deliverables if parts else deliverables_of(session, version.id)):  # type: ignore[arg-type]
        missing["deliverables"] = _l("Add at least one deliverable.")
    if type_spec.needs_partner and not version.partner_name.strip():
        missing["partner_name"] = _l("Name the partner that delivers the work.")
    if type_spec.needs_counterparty_unit and version.counterparty_unit_id is None:
        missing["counterparty_unit_id"] = _l(
            "Choose the business unit that is party to the contract."
        )
    for capacity in type_spec.signatories:
        if capacity == Capacity.LEAD_ARCHITECT and version.lead_architect_id is None:
            missing["lead_architect_id"] = _l("Name the lead architect, who signs this contract.")
        if capacity in (Capacity.PARTNER_REPRESENTATIVE, Capacity.BUSINESS_REPRESENTATIVE) and (
            version.representative_id is None
        ):
            missing["representative_id"] = _l(
                "Name the representative of the other party, who signs."
            )
    if (parts.chair if parts else board_chair(session, contract.board_id)) is None:
        missing["board_id"] = _l("The governing board has no chair to sign.")
    return missing


def return_to_draft(session: Session, actor: Actor, contract_id: int, data: CloseIn) -> Contract:
    """The board sends the version back for changes, saying why."""
    require(actor, "contracts.review")
    contract = get_contract(session, actor, contract_id)
    version = get_version(session, contract)
    if version.state != VersionState.IN_REVIEW:
        raise Conflict(_l("Only a version in review can be returned to draft."))
    version.state = VersionState.DRAFT
    status = ContractStatus.DRAFT if contract.effective_version is None else contract.status
    return _move(session, actor, contract, version, "return_to_draft", status, reason=data.reason)


def approve(
    session: Session, actor: Actor, contract_id: int, *, now: datetime | None = None
) -> Contract:
    """The board approves: the content is frozen and hashed, ready for signatures."""
    require(actor, "contracts.approve")
    contract = get_contract(session, actor, contract_id)
    version = get_version(session, contract)
    if version.state != VersionState.IN_REVIEW:
        raise Conflict(_l("Only a version in review can be approved."))
    now = now or utcnow()
    version.snapshot = canonical_content(session, contract, version)
    version.content_hash = hash_content(version.snapshot)
    version.state = VersionState.APPROVED
    version.approved_at = now
    version.approved_by_id = actor.user_id
    return _move(
        session,
        actor,
        contract,
        version,
        "approve",
        ContractStatus.APPROVED,
        hash=version.content_hash,
    )


@dataclass
class Slot:
    """One required signature: who signs in which capacity, and whether they have."""

    capacity: str
    person: Person | None
    signature: Signature | None


def signatories(
    session: Session,
    contract: Contract,
    version: ContractVersion,
    parts: VersionParts | None = None,
) -> list[Slot]:
    signatures = parts.signatures if parts else signatures_of(session, version.id)  # type: ignore[arg-type]
    signed = {s.capacity: s for s in signatures}
    slots = []
    for capacity in spec(contract.type).signatories:
        slots.append(
            Slot(
                capacity,
                _signatory(session, contract, version, capacity, parts),
                signed.get(capacity),
            )
        )
    return slots


def _signatory(
    session: Session,
    contract: Contract,
    version: ContractVersion,
    capacity: str,
    parts: VersionParts | None,
) -> Person | None:
    if capacity == Capacity.BOARD_CHAIR:
        return parts.chair if parts else board_chair(session, contract.board_id)
    person_id = version.representative_id
    if capacity == Capacity.SPONSOR:
        person_id = version.sponsor_id
    elif capacity == Capacity.LEAD_ARCHITECT:
        person_id = version.lead_architect_id
    return session.get(Person, person_id) if person_id else None


def board_chair(session: Session, board_id: int) -> Person | None:
    chair = session.exec(
        select(BoardMember, Person)
        .join(Person, col(Person.id) == col(BoardMember.person_id))
        .where(sitting(board_id, date.today()), col(BoardMember.role) == BoardRole.CHAIR)
        .order_by(col(BoardMember.id))
    ).first()
    return chair[1] if chair else None


def sign(
    session: Session, actor: Actor, contract_id: int, data: SignIn, *, now: datetime | None = None
) -> Signature:
    """Sign the approved version in one capacity; the last signature makes it active."""
    contract = get_contract(session, actor, contract_id)
    version = get_version(session, contract)
    if version.state != VersionState.APPROVED:
        raise Conflict(
            _l(
                "Version %(n)s is %(state)s; only an approved version is signed.",
                n=version.number,
                state=label(version.state),
            )
        )
    slot = next(
        (s for s in signatories(session, contract, version) if s.capacity == data.capacity), None
    )
    if slot is None:
        raise Invalid(errors={"capacity": _l("This contract type is not signed in that capacity.")})
    if slot.signature is not None:
        raise Conflict(
            _l(
                "The %(capacity)s has already signed this version.",
                capacity=str(CAPACITY_LABELS[data.capacity]),
            )
        )
    if slot.person is None or slot.person.user_id is None or slot.person.user_id != actor.user_id:
        raise Forbidden(
            _l(
                "Only the contract's %(capacity)s can sign in that capacity.",
                capacity=str(CAPACITY_LABELS[data.capacity]),
            )
        )
    if not accounts.password_matches(session, actor, data.password):
        raise Invalid(errors={"password": _l("The password is not correct.")})
    now = now or utcnow()
    signature = Signature(
        version_id=version.id,  # type: ignore[arg-type]
        capacity=data.capacity,
        signer_user_id=actor.user_id,
        signer_person_id=slot.person.id,
        signer_name=slot.person.name,
        signed_at=now,
        version_hash=version.content_hash or "",
    )
    session.add(signature)
    flush(session)
    audit.record(
        session,
        actor,
        "sign",
        "contract",
        contract.id,
        {"version": version.number, "capacity": data.capacity, "hash": version.content_hash},
        now=now,
    )
    if all(
        s.signature is not None or s.capacity == data.capacity
        for s in signatories(session, contract, version)
    ):
        _activate(session, actor, contract, version, now)
    commit(session)
    return signature


def _activate(
    session: Session, actor: Actor, contract: Contract, version: ContractVersion, now: datetime
) -> None:
    previous = contract.effective_version
    version.state = VersionState.SIGNED
    version.signed_at = now
    session.add(version)
    if previous is not None:
        old = get_version(session, contract, previous)
        old.state = VersionState.SUPERSEDED
        session.add(old)
        _carry_execution_state(session, old, version)
    before = contract.status
    contract.status = ContractStatus.ACTIVE
    contract.effective_version = version.number
    session.add(contract)
    flush(session)
    audit.record(
        session,
        actor,
        "activate",
        "contract",
        contract.id,
        {"status": [before, contract.status], "effective_version": [previous, version.number]},
        now=now,
    )


def _carry_execution_state(session: Session, old: ContractVersion, new: ContractVersion) -> None:
    """Progress made under the old version continues under the amendment."""
    old_by_lineage = {d.lineage: d for d in deliverables_of(session, old.id)}  # type: ignore[arg-type]
    for d in deliverables_of(session, new.id):  # type: ignore[arg-type]
        prior = old_by_lineage.get(d.lineage)
        if prior is None:
            continue
        for field in (
            "status",
            "status_note",
            "accepted_by_id",
            "accepted_at",
            "evidence_link",
            "evidence_file",
            "evidence_name",
            "evidence_type",
            "evidence_size",
        ):
            setattr(d, field, getattr(prior, field))
        session.add(d)
    old_metrics = {m.lineage: m for m in metrics_of(session, old.id)}  # type: ignore[arg-type]
    for m in metrics_of(session, new.id):  # type: ignore[arg-type]
        prior_metric = old_metrics.get(m.lineage)
        if prior_metric is not None and m.measured_value is None:
            m.measured_value, m.measured_at = prior_metric.measured_value, prior_metric.measured_at
            session.add(m)


def amend(session: Session, actor: Actor, contract_id: int, data: AmendIn) -> ContractVersion:
    """Open a new draft version of an active contract, copying the version in force."""
    require(actor, "contracts.amend")
    contract = get_contract(session, actor, contract_id)
    if contract.status != ContractStatus.ACTIVE:
        raise Conflict(_l("Only an active contract can be amended."))
    if contract.latest_version != contract.effective_version:
        raise Conflict(
            _l("Version %(n)s is already open as an amendment.", n=contract.latest_version)
        )
    current = get_version(session, contract, contract.effective_version)
    values = {k: getattr(current, k) for k in VersionContent.model_fields if k != "change_summary"}
    draft = ContractVersion(
        contract_id=contract.id,  # type: ignore[arg-type]
        number=current.number + 1,
        change_summary=data.change_summary,
        **values,
    )
    session.add(draft)
    flush(session)
    assert draft.id is not None
    for d in deliverables_of(session, current.id):  # type: ignore[arg-type]
        copy = d.model_dump(exclude={"id", "version_id", "version"})
        session.add(Deliverable(**copy, version_id=draft.id))
    for m in metrics_of(session, current.id):  # type: ignore[arg-type]
        copy = m.model_dump(exclude={"id", "version_id", "version"})
        session.add(ContractMetric(**copy, version_id=draft.id))
    contract.latest_version = draft.number
    session.add(contract)
    flush(session)
    audit.record(
        session,
        actor,
        "amend",
        "contract",
        contract.id,
        {"version": draft.number, "change_summary": data.change_summary},
    )
    commit(session)
    return draft


def complete(session: Session, actor: Actor, contract_id: int, data: CloseIn) -> Contract:
    require(actor, "contracts.close")
    contract = get_contract(session, actor, contract_id)
    if contract.status != ContractStatus.ACTIVE:
        raise Conflict(_l("Only an active contract can be completed."))
    version = get_version(session, contract, contract.effective_version)
    open_items = [
        d
        for d in deliverables_of(session, version.id)  # type: ignore[arg-type]
        if d.status not in (DeliverableStatus.ACCEPTED, DeliverableStatus.WAIVED)
    ]
    if open_items:
        raise Conflict(
            _l(
                "%(count)s deliverable(s) are neither accepted nor waived yet: %(titles)s",
                count=len(open_items),
                titles=", ".join(d.title for d in open_items[:5]),
            )
        )
    return _close(session, actor, contract, ContractStatus.COMPLETED, data.reason)


def terminate(session: Session, actor: Actor, contract_id: int, data: CloseIn) -> Contract:
    """End a contract early; records who, when and why."""
    require(actor, "contracts.close")
    contract = get_contract(session, actor, contract_id)
    if contract.status in CLOSED:
        raise Conflict(
            _l(
                "Contract %(ref)s is already %(status)s.",
                ref=contract.reference,
                status=label(contract.status),
            )
        )
    return _close(session, actor, contract, ContractStatus.TERMINATED, data.reason)


def expire_due(session: Session, actor: Actor, today: date | None = None) -> list[str]:
    """Active contracts whose time window has ended become expired (run daily)."""
    today = today or utcnow().date()
    due = session.exec(
        select(Contract, ContractVersion)
        .join(
            ContractVersion,
            and_(
                col(ContractVersion.contract_id) == Contract.id,
                col(ContractVersion.number) == Contract.effective_version,
            ),
        )
        .where(Contract.status == ContractStatus.ACTIVE, col(ContractVersion.window_end) < today)
    ).all()
    refs = []
    for contract, version in due:
        _close(
            session,
            actor,
            contract,
            ContractStatus.EXPIRED,
            str(_l("The time window ended on %(date)s.", date=version.window_end.isoformat())),
            do_commit=False,
        )
        refs.append(contract.reference)
    commit(session)
    return refs


def _close(
    session: Session,
    actor: Actor,
    contract: Contract,
    status: ContractStatus,
    reason: str,
    *,
    do_commit: bool = True,
) -> Contract:
    before = contract.status
    contract.status = status
    contract.closed_at = utcnow()
    contract.closed_by_id = actor.user_id
    contract.close_reason = reason
    session.add(contract)
    flush(session)
    audit.record(
        session,
        actor,
        status.value,
        "contract",
        contract.id,
        {"status": [before, status], "reason": reason},
    )
    if do_commit:
        commit(session)
    return contract


def _move(
    session: Session,
    actor: Actor,
    contract: Contract,
    version: ContractVersion,
    action: str,
    status: str,
    **extra: Any,
) -> Contract:
    """Apply a version state change and, before the first signature, the contract status."""
    before = contract.status
    if contract.effective_version is None:
        contract.status = status
    session.add(version)
    session.add(contract)
    flush(session)
    audit.record(
        session,
        actor,
        action,
        "contract",
        contract.id,
        {
            "version": version.number,
            "state": version.state,
            "status": [before, contract.status],
            **extra,
        },
    )
    commit(session)
    return contract


# --- what the actor may do now, and why not ----------------------------------------------------


@dataclass
class ActionState:
    name: str
    allowed: bool
    reason: Any = ""  # a lazy string: translated when shown


def available_actions(
    session: Session,
    actor: Actor,
    contract: Contract,
    latest: ContractVersion | None = None,
    parts: VersionParts | None = None,
) -> list[ActionState]:
    """Every lifecycle action with whether the actor may take it now and, if not, why.
    ``latest`` and ``parts``: the contract's latest version and its parts, when the caller
    has read them already."""
    version = latest or get_version(session, contract)
    state, status = version.state, contract.status
    out: list[ActionState] = []

    def add(
        name: str, permission: str | None, ok_state: bool, state_reason: Any, extra_reason: Any = ""
    ) -> None:
        if not ok_state:
            out.append(ActionState(name, False, state_reason))
        elif permission and not actor.can(permission):
            out.append(ActionState(name, False, _l("Your roles do not allow this.")))
        elif extra_reason:
            out.append(ActionState(name, False, extra_reason))
        else:
            out.append(ActionState(name, True))

    closed = status in CLOSED
    add(
        "edit",
        "contracts.edit",
        state == VersionState.DRAFT and not closed,
        _l("Only a draft version can be edited."),
    )
    missing = completeness(session, contract, version, parts) if state == VersionState.DRAFT else {}
    add(
        "submit",
        "contracts.edit",
        state == VersionState.DRAFT and not closed,
        _l("Only a draft version can be submitted."),
        _l("Not complete yet: %(missing)s", missing=" ".join(str(m) for m in missing.values()))
        if missing
        else "",
    )
    add(
        "return_to_draft",
        "contracts.review",
        state == VersionState.IN_REVIEW,
        _l("Only a version in review can be returned."),
    )
    add(
        "approve",
        "contracts.approve",
        state == VersionState.IN_REVIEW,
        _l("Only a version in review can be approved."),
    )
    if state == VersionState.APPROVED:
        for slot in signatories(session, contract, version, parts):
            if slot.signature is not None:
                continue
            # A person is linked to at most one user (person.user_id is unique).
            mine = (
                actor.user_id is not None
                and slot.person is not None
                and slot.person.user_id == actor.user_id
            )
            out.append(
                ActionState(
                    f"sign:{slot.capacity}",
                    mine,
                    "" if mine else _l("Only the person named for this capacity can sign."),
                )
            )
    add(
        "amend",
        "contracts.amend",
        status == ContractStatus.ACTIVE and contract.latest_version == contract.effective_version,
        _l("Only an active contract without an open amendment can be amended."),
    )
    add(
        "complete",
        "contracts.close",
        status == ContractStatus.ACTIVE,
        _l("Only an active contract can be completed."),
    )
    add("terminate", "contracts.close", not closed, _l("The contract is already closed."))
    return out
