"""Read helpers for the contract pages: the filtered list, one contract with everything its
page shows, the deliverables list across contracts and the comparison of two versions.

Each helper runs a fixed number of statements whatever the number of rows (joins for names,
one ``IN`` query per related table), and lists paginate in the database. Writing stays in
``services.contracts`` and ``services.deliverables``.
"""

from __future__ import annotations

import difflib
import itertools
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, func, or_
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from .. import richtext
from ..contract_types import PHASE_LABELS, spec
from ..errors import NotFound
from ..models import (
    Board,
    Contract,
    ContractMetric,
    ContractStatus,
    ContractVersion,
    Deliverable,
    DeliverableStatus,
    OrgUnit,
    Person,
    Signature,
    User,
    VersionState,
    utcnow,
)
from ..permissions import Actor
from ..web.pagination import count_upto
from . import contracts as contract_service
from .deliverables import (
    DONE,
    FLOW,
    DeliverableFilter,
    deliverables_query,
    is_overdue,
    may_set,
)
from .org_queries import like_pattern

STATUS_ORDER = [s.value for s in ContractStatus]
SORTS = ("reference", "title", "status", "window_end")


# --- the contract list -------------------------------------------------------------------------


@dataclass
class ContractFilter:
    q: str = ""
    type: str | None = None
    status: str | None = None
    board_id: int | None = None
    sponsor_id: int | None = None
    unit_id: int | None = None  # the architecture unit or the counterparty unit
    # Part of the sponsor's name; part of a unit's name or code (either unit): text fields,
    # because a list of every sponsor or unit would grow with the organisation.
    sponsor_name: str = ""
    unit_name: str = ""
    expiring_days: int | None = None  # window end of the version in force within N days
    sort: str = "reference"  # one of SORTS, "-" in front for descending


@dataclass
class ContractRow:
    contract: Contract
    version: ContractVersion  # the version in force, else the newest one
    board_name: str
    sponsor_name: str
    unit_name: str
    counterparty_name: str | None


@dataclass
class Listing:
    items: list[Any]
    total: int
    page: int
    per_page: int
    exact: bool = True  # the total is exact (see web.pagination.count_upto)


def _current_version() -> Any:
    """Join condition: the version in force, or the newest one while none is in force."""
    return and_(
        col(ContractVersion.contract_id) == Contract.id,
        col(ContractVersion.number)
        == func.coalesce(col(Contract.effective_version), col(Contract.latest_version)),
    )


def _contract_where(session: Session, actor: Actor, f: ContractFilter, today: date) -> list[Any]:
    where: list[Any] = []
    visible = contract_service.visible_filter(session, actor)
    if visible is not None:
        where.append(visible)
    if f.q:
        pattern = like_pattern(f.q)
        where.append(
            or_(
                col(ContractVersion.title).ilike(pattern, escape="\\"),
                col(Contract.reference).ilike(pattern, escape="\\"),
            )
        )
    if f.type:
        where.append(col(Contract.type) == f.type)
    if f.status:
        where.append(col(Contract.status) == f.status)
    if f.board_id:
        where.append(col(Contract.board_id) == f.board_id)
    if f.sponsor_id:
        where.append(col(ContractVersion.sponsor_id) == f.sponsor_id)
    if f.unit_id:
        where.append(
            or_(
                col(ContractVersion.architecture_unit_id) == f.unit_id,
                col(ContractVersion.counterparty_unit_id) == f.unit_id,
            )
        )
    if f.sponsor_name:
        named = select(Person.id).where(
            col(Person.name).ilike(like_pattern(f.sponsor_name), escape="\\")
        )
        where.append(col(ContractVersion.sponsor_id).in_(named))
    if f.unit_name:
        pattern = like_pattern(f.unit_name)
        units = select(OrgUnit.id).where(
            or_(
                col(OrgUnit.name).ilike(pattern, escape="\\"),
                col(OrgUnit.code).ilike(pattern, escape="\\"),
            )
        )
        where.append(
            or_(
                col(ContractVersion.architecture_unit_id).in_(units),
                col(ContractVersion.counterparty_unit_id).in_(units),
            )
        )
    if f.expiring_days is not None:
        # The joined version is the one in force when there is one: expiry concerns it only.
        where += [
            col(Contract.effective_version).is_not(None),
            col(Contract.status) == ContractStatus.ACTIVE,
            col(ContractVersion.window_end) >= today,
            col(ContractVersion.window_end) <= today + timedelta(days=max(0, f.expiring_days)),
        ]
    return where


def _order(sort: str) -> list[Any]:
    descending = sort.startswith("-")
    key = sort.lstrip("-")
    if key == "title":
        cols: list[Any] = [func.lower(col(ContractVersion.title))]
    elif key == "status":
        cols = [case({s: i for i, s in enumerate(STATUS_ORDER)}, value=col(Contract.status))]
    elif key == "window_end":
        cols = [col(ContractVersion.window_end)]
    else:
        cols = [col(Contract.year), col(Contract.number)]
    cols = [c.desc() if descending else c.asc() for c in cols]
    return [*cols, col(Contract.id).desc() if descending else col(Contract.id).asc()]


def contracts_page(
    session: Session,
    actor: Actor,
    f: ContractFilter,
    page: int = 1,
    per_page: int = 25,
    today: date | None = None,
) -> Listing:
    """One page of the contracts the actor may see, filtered and sorted: two statements
    (count and rows; a third for sponsors and contributors, to find their person)."""
    today = today or utcnow().date()
    where = _contract_where(session, actor, f, today)
    page = max(1, page)
    total, exact = count_upto(
        session,
        select(Contract.id).join(ContractVersion, _current_version()).where(*where),
        page,
        per_page,
    )
    sponsor = aliased(Person)
    unit = aliased(OrgUnit)
    counterparty = aliased(OrgUnit)
    # Six columns: more than sqlmodel's typed select() overloads take.
    stmt: Any = sa.select(
        Contract,
        ContractVersion,
        col(Board.name),
        col(sponsor.name),
        col(unit.name),
        col(counterparty.name),
    )
    rows = session.exec(
        stmt.join(ContractVersion, _current_version())
        .join(Board, col(Board.id) == Contract.board_id)
        .join(sponsor, col(sponsor.id) == ContractVersion.sponsor_id)
        .join(unit, col(unit.id) == ContractVersion.architecture_unit_id)
        .outerjoin(counterparty, col(counterparty.id) == ContractVersion.counterparty_unit_id)
        .where(*where)
        .order_by(*_order(f.sort if f.sort.lstrip("-") in SORTS else "reference"))
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    items = [ContractRow(c, v, b, s, u, cp) for c, v, b, s, u, cp in rows]
    return Listing(items, total, page, per_page, exact)


def owner_options(session: Session) -> list[tuple[int, str]]:
    """People who own at least one deliverable (for the deliverables filter)."""
    rows = session.exec(
        select(Person.id, Person.name)
        .where(col(Person.id).in_(select(Deliverable.owner_id).distinct()))
        .order_by(col(Person.name), col(Person.id))
    ).all()
    return [(int(pid), name) for pid, name in rows]  # type: ignore[arg-type]


# --- one contract ------------------------------------------------------------------------------


@dataclass
class DeliverableView:
    item: Deliverable
    owner_name: str | None
    accepted_by_name: str | None
    overdue: bool
    # Statuses this actor may move it to now (the service decides again when it is sent).
    choices: list[str] = field(default_factory=list)
    may_attach: bool = False


@dataclass
class ContractDetail:
    contract: Contract
    versions: list[ContractVersion]
    version: ContractVersion  # the version shown
    board: Board
    people: dict[int, str]
    units: dict[int, str]
    users: dict[int, str]
    deliverables: list[DeliverableView]
    metrics: list[ContractMetric]
    slots: list[contract_service.Slot]
    content_hash: str
    frozen: bool
    in_force: bool  # the version shown is the one in force of an active contract
    done: int  # deliverables accepted or waived
    me: Person | None
    parts: contract_service.VersionParts  # of the version shown

    @property
    def latest(self) -> ContractVersion:
        return self.versions[-1]

    @property
    def effective(self) -> ContractVersion | None:
        wanted = self.contract.effective_version
        return next((v for v in self.versions if v.number == wanted), None)

    @property
    def progress_percent(self) -> int:
        total = len(self.deliverables)
        return round(100 * self.done / total) if total else 0

    @property
    def editable(self) -> bool:
        """The version shown is the newest one and a draft of an open contract."""
        return (
            self.version.number == self.contract.latest_version
            and self.version.state == VersionState.DRAFT
            and self.contract.status not in contract_service.CLOSED
        )


def contract_detail(
    session: Session,
    actor: Actor,
    contract_id: int,
    number: int | None = None,
    today: date | None = None,
) -> ContractDetail:
    """The contract page: version ``number`` (default: the newest) with its parties,
    deliverables, metrics and signatures, names resolved in one query per table."""
    contract = contract_service.get_contract(session, actor, contract_id)
    versions = list(
        session.exec(
            select(ContractVersion)
            .where(ContractVersion.contract_id == contract.id)
            .order_by(col(ContractVersion.number))
        ).all()
    )
    wanted = number if number is not None else contract.latest_version
    version = next((v for v in versions if v.number == wanted), None)
    if version is None:
        raise NotFound(
            _l("Contract %(ref)s has no version %(n)s.", ref=contract.reference, n=wanted)
        )
    assert version.id is not None
    items = contract_service.deliverables_of(session, version.id)
    metrics = contract_service.metrics_of(session, version.id)
    board = session.get(Board, contract.board_id)
    assert board is not None
    person_ids = {
        version.sponsor_id,
        version.lead_architect_id,
        version.representative_id,
        *(d.owner_id for d in items),
    }
    people = _load(session, Person, person_ids)  # in the identity map: signatories() reuses them
    units = _names(session, OrgUnit, {version.architecture_unit_id, version.counterparty_unit_id})
    user_ids = {
        *(d.accepted_by_id for d in items),
        version.approved_by_id,
        contract.closed_by_id,
        contract.created_by_id,
    }
    users = _names(session, User, user_ids)
    parts = contract_service.VersionParts(
        deliverables=items,
        metrics=metrics,
        people={pid: p.name for pid, p in people.items()},
        units=units,
        board=board,
        chair=contract_service.board_chair(session, contract.board_id),
        signatures=contract_service.signatures_of(session, version.id),
    )
    slots = contract_service.signatories(session, contract, version, parts)
    for slot in slots:
        if slot.person is not None and slot.person.id is not None:
            people[slot.person.id] = slot.person
    me = contract_service.person_of(session, actor)
    in_force = (
        contract.status == ContractStatus.ACTIVE and version.number == contract.effective_version
    )
    today = today or utcnow().date()
    views = [
        DeliverableView(
            item=d,
            owner_name=people[d.owner_id].name if d.owner_id in people else None,
            accepted_by_name=users.get(d.accepted_by_id) if d.accepted_by_id else None,
            overdue=is_overdue(d, today),
            choices=progress_choices(actor, me, d, version) if in_force else [],
            may_attach=in_force and may_set(actor, me, d, version, DeliverableStatus.IN_PROGRESS),
        )
        for d in items
    ]
    return ContractDetail(
        contract=contract,
        versions=versions,
        version=version,
        board=board,
        people={pid: p.name for pid, p in people.items()},
        units=units,
        users=users,
        deliverables=views,
        metrics=metrics,
        slots=slots,
        content_hash=contract_service.version_hash(session, contract, version, parts),
        frozen=version.content_hash is not None,
        in_force=in_force,
        done=sum(1 for d in items if d.status in DONE),
        me=me,
        parts=parts,
    )


_STATUS_ORDER = [s.value for s in DeliverableStatus]


def progress_choices(
    actor: Actor, me: Person | None, item: Deliverable, version: ContractVersion
) -> list[str]:
    """The statuses the actor may give the deliverable now, the current one first when the
    actor may update its note and link (the service checks again)."""
    if item.status in DONE:
        return []
    out = [item.status] if may_set(actor, me, item, version, item.status) else []
    out += [
        status
        for status in sorted(FLOW[item.status], key=_STATUS_ORDER.index)
        if may_set(actor, me, item, version, status)
    ]
    return out


def _load(session: Session, model: Any, ids: set[int | None]) -> dict[int, Any]:
    wanted = [i for i in ids if i is not None]
    if not wanted:
        return {}
    return {o.id: o for o in session.exec(select(model).where(col(model.id).in_(wanted))).all()}


def _names(session: Session, model: Any, ids: set[int | None]) -> dict[int, str]:
    wanted = [i for i in ids if i is not None]
    if not wanted:
        return {}
    rows = session.exec(select(model.id, model.name).where(col(model.id).in_(wanted))).all()
    return {int(ident): name for ident, name in rows}


def signatures_by_version(session: Session, version_ids: list[int]) -> dict[int, list[Signature]]:
    """Signatures of several versions in one query (the versions tab)."""
    out: dict[int, list[Signature]] = {vid: [] for vid in version_ids}
    if not version_ids:
        return out
    for sig in session.exec(
        select(Signature)
        .where(col(Signature.version_id).in_(version_ids))
        .order_by(col(Signature.id))
    ).all():
        out[sig.version_id].append(sig)
    return out


# --- the deliverables list across contracts ----------------------------------------------------


@dataclass
class DeliverableRow:
    item: Deliverable
    contract: Contract
    contract_title: str
    version_number: int
    owner_name: str | None
    overdue: bool


def _deliverable_rows_stmt(
    session: Session, actor: Actor, f: DeliverableFilter, today: date
) -> Any:
    return (
        deliverables_query(session, actor, f, today)
        .add_columns(col(ContractVersion.title), col(ContractVersion.number), col(Person.name))
        .outerjoin(Person, col(Person.id) == Deliverable.owner_id)
    )


def _deliverable_row(row: Any, today: date) -> DeliverableRow:
    item, contract, title, number, owner = row
    return DeliverableRow(item, contract, title, number, owner, is_overdue(item, today))


def deliverables_page(
    session: Session,
    actor: Actor,
    f: DeliverableFilter,
    page: int = 1,
    per_page: int = 25,
    today: date | None = None,
) -> Listing:
    today = today or utcnow().date()
    base = deliverables_query(session, actor, f, today)
    page = max(1, page)
    total, exact = count_upto(session, base.with_only_columns(col(Deliverable.id)), page, per_page)
    rows = session.exec(
        _deliverable_rows_stmt(session, actor, f, today)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return Listing([_deliverable_row(r, today) for r in rows], total, page, per_page, exact)


def deliverable_rows(
    session: Session,
    actor: Actor,
    f: DeliverableFilter,
    limit: int,
    today: date | None = None,
) -> list[DeliverableRow]:
    """Every row of the filtered list (up to ``limit``), for exports."""
    today = today or utcnow().date()
    rows = session.exec(_deliverable_rows_stmt(session, actor, f, today).limit(limit)).all()
    return [_deliverable_row(r, today) for r in rows]


# --- comparing two versions --------------------------------------------------------------------


@dataclass
class DiffLine:
    left: str | None
    right: str | None
    tag: str  # equal, replace, delete, insert


@dataclass
class DiffBlock:
    """One section or field of the contract, line by line, side by side."""

    key: str
    title: Any
    lines: list[DiffLine]

    @property
    def changed(self) -> bool:
        return any(line.tag != "equal" for line in self.lines)


@dataclass
class DeliverableChange:
    kind: str  # added, removed, changed, unchanged
    title: str
    fields: list[tuple[str, str, str]] = field(default_factory=list)  # (field, before, after)


@dataclass
class VersionDiff:
    old: int
    new: int
    blocks: list[DiffBlock]
    deliverables: list[DeliverableChange]

    @property
    def changed_blocks(self) -> list[DiffBlock]:
        return [b for b in self.blocks if b.changed]

    @property
    def unchanged_blocks(self) -> list[DiffBlock]:
        return [b for b in self.blocks if not b.changed]


def side_by_side(old: list[str], new: list[str]) -> list[DiffLine]:
    """Two lists of lines aligned with difflib: equal lines side by side, changed ones paired."""
    out: list[DiffLine] = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            out += [DiffLine(a, b, "equal") for a, b in zip(old[i1:i2], new[j1:j2], strict=True)]
        elif tag == "delete":
            out += [DiffLine(a, None, "delete") for a in old[i1:i2]]
        elif tag == "insert":
            out += [DiffLine(None, b, "insert") for b in new[j1:j2]]
        else:
            for a, b in itertools.zip_longest(old[i1:i2], new[j1:j2]):
                out.append(
                    DiffLine(
                        a,
                        b,
                        "replace"
                        if a is not None and b is not None
                        else ("delete" if b is None else "insert"),
                    )
                )
    return out


def _lines(text: str | None) -> list[str]:
    return [line for line in richtext.plain(text).split("\n") if line.strip()]


def _name(ref: dict[str, Any] | None) -> str:
    return "" if not ref else str(ref.get("name") or "")


def _risk_line(risk: dict[str, Any]) -> str:
    parts = [
        str(risk.get("description", "")),
        str(risk.get("likelihood", "")),
        str(risk.get("impact", "")),
    ]
    if risk.get("mitigation"):
        parts.append(str(risk["mitigation"]))
    return " | ".join(parts)


def version_diff(
    session: Session,
    contract: Contract,
    old: ContractVersion,
    new: ContractVersion,
    labels: dict[str, Any],
) -> VersionDiff:
    """What changed from ``old`` to ``new``: every section (plain text, line by line), the
    other content fields, and the deliverables matched by lineage. ``labels`` names the
    non-section fields (translated by the caller)."""
    a = contract_service.canonical_content(session, contract, old)
    b = contract_service.canonical_content(session, contract, new)
    blocks: list[DiffBlock] = []

    def add(key: str, left: list[str], right: list[str]) -> None:
        blocks.append(DiffBlock(key, labels.get(key, key), side_by_side(left, right)))

    add("title", [a["title"]], [b["title"]])
    add(
        "parties",
        _parties(a, labels),
        _parties(b, labels),
    )
    add(
        "window",
        [f"{a['window']['start']} – {a['window']['end']}"],
        [f"{b['window']['start']} – {b['window']['end']}"],
    )
    a_sections = {s["key"]: s["text"] for s in a["sections"]}
    b_sections = {s["key"]: s["text"] for s in b["sections"]}
    for section in spec(contract.type).sections:
        blocks.append(
            DiffBlock(
                section.key,
                str(section.title),
                side_by_side(
                    _lines(a_sections.get(section.key)), _lines(b_sections.get(section.key))
                ),
            )
        )
    add(
        "conformance_requirements",
        _lines(a["conformance_requirements"]),
        _lines(b["conformance_requirements"]),
    )
    add("principles", list(a["principles"]), list(b["principles"]))
    add("standards", list(a["standards"]), list(b["standards"]))
    add("risks", [_risk_line(r) for r in a["risks"]], [_risk_line(r) for r in b["risks"]])
    add(
        "metrics",
        [_metric_line(m) for m in a["metrics"]],
        [_metric_line(m) for m in b["metrics"]],
    )
    add("change_summary", _lines(a.get("change_summary")), _lines(b.get("change_summary")))
    return VersionDiff(old.number, new.number, blocks, _deliverable_changes(a, b, labels))


def _parties(content: dict[str, Any], labels: dict[str, Any]) -> list[str]:
    out = [f"{labels.get('board', 'board')}: {_name(content['board'])}"]
    for key in (
        "architecture_unit",
        "counterparty_unit",
        "sponsor",
        "lead_architect",
        "representative",
    ):
        if content.get(key):
            out.append(f"{labels.get(key, key)}: {_name(content[key])}")
    if content.get("partner_name"):
        out.append(f"{labels.get('partner_name', 'partner')}: {content['partner_name']}")
    return out


def _metric_line(metric: dict[str, Any]) -> str:
    return f"{metric['name']}: {metric['target']} {metric.get('unit') or ''}".strip()


def _deliverable_changes(
    a: dict[str, Any], b: dict[str, Any], labels: dict[str, Any]
) -> list[DeliverableChange]:
    before = {d["lineage"]: d for d in a["deliverables"]}
    after = {d["lineage"]: d for d in b["deliverables"]}

    def shown(d: dict[str, Any], key: str) -> str:
        if key == "owner":
            return _name(d.get("owner"))
        if key == "phase":
            return str(PHASE_LABELS.get(d["phase"], d["phase"]))
        if key == "acceptance_criteria":
            return richtext.plain(d.get(key, ""))
        return str(d.get(key, ""))

    keys = ("title", "phase", "kind", "owner", "due", "acceptance_criteria")
    out: list[DeliverableChange] = []
    for lineage, new in after.items():
        old = before.get(lineage)
        if old is None:
            out.append(DeliverableChange("added", new["title"]))
            continue
        fields = [
            (str(labels.get(f"deliverable.{k}", k)), shown(old, k), shown(new, k))
            for k in keys
            if shown(old, k) != shown(new, k)
        ]
        out.append(DeliverableChange("changed" if fields else "unchanged", new["title"], fields))
    for lineage, old in before.items():
        if lineage not in after:
            out.append(DeliverableChange("removed", old["title"]))
    return out
