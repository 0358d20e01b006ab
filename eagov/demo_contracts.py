"""Demonstration contracts: every type, every state, with deliverables and signatures.

Built through the services, as the demo users themselves, so the audit trail and the
signatures are genuine.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlmodel import Session, select

from .contract_types import spec
from .models import Board, Contract, OrgUnit, Person, User
from .permissions import SYSTEM, Actor
from .schemas.contracts import (
    AmendIn,
    CloseIn,
    ContractCreate,
    DeliverableIn,
    DeliverableProgress,
    MetricIn,
    MetricMeasure,
    SignIn,
)
from .services import contracts, deliverables


@dataclass
class Plan:
    type: str
    title: str
    board: str
    counterparty: str | None
    partner: str
    end: str  # "active", "in_review", "draft", "approved", "completed", "terminated", ...
    start_days: int = -60
    length_days: int = 365
    deliverables: tuple[tuple[str, str, str, int], ...] = ()


PLANS = [
    Plan(
        "soaw",
        "Customer data platform",
        "Group Architecture Board",
        "RB",
        "",
        "active",
        deliverables=(
            (
                "Architecture Vision for the customer data platform",
                "a_vision",
                "Architecture Vision",
                -20,
            ),
            (
                "Business architecture of customer onboarding",
                "b_business",
                "Architecture Definition Document",
                25,
            ),
            (
                "Data architecture and retention rules",
                "c_information_systems",
                "Architecture Definition Document",
                55,
            ),
        ),
    ),
    Plan(
        "soaw",
        "Payments modernisation",
        "Group Architecture Board",
        "RB-CARDS",
        "",
        "in_review",
        start_days=14,
        deliverables=(
            ("Payments target architecture", "b_business", "Architecture Definition Document", 90),
        ),
    ),
    Plan(
        "soaw",
        "Branch network refresh",
        "Retail Architecture Board",
        "RB",
        "",
        "draft",
        start_days=30,
    ),
    Plan(
        "soaw",
        "Cloud landing zone",
        "Group Architecture Board",
        "PLAT",
        "",
        "approved",
        deliverables=(
            (
                "Landing zone reference architecture",
                "d_technology",
                "Architecture Definition Document",
                40,
            ),
            ("Migration wave plan", "f_migration", "Implementation and Migration Plan", 120),
        ),
    ),
    Plan(
        "design_development",
        "Mobile banking app rebuild",
        "Group Architecture Board",
        "RB",
        "Acme Integrators Ltd",
        "amended",
        deliverables=(
            (
                "Solution architecture of the mobile app",
                "e_opportunities",
                "Architecture Definition Document",
                -5,
            ),
            (
                "Security architecture and threat model",
                "d_technology",
                "Architecture Requirements Specification",
                30,
            ),
            ("Release and migration plan", "f_migration", "Implementation and Migration Plan", 75),
        ),
    ),
    Plan(
        "design_development",
        "Trade finance workflow",
        "Group Architecture Board",
        "CB-TRADE",
        "Globex Systems",
        "completed",
        start_days=-400,
        length_days=380,
        deliverables=(
            ("Workflow engine design", "e_opportunities", "Architecture Definition Document", -300),
        ),
    ),
    Plan(
        "design_development",
        "Data warehouse migration",
        "Group Architecture Board",
        "DATA",
        "Initech Consulting",
        "terminated",
        start_days=-200,
        deliverables=(
            ("Warehouse migration roadmap", "f_migration", "Architecture Roadmap", -100),
        ),
    ),
    Plan(
        "business_stakeholders",
        "Mortgage origination platform adoption",
        "Group Architecture Board",
        "RB-MORT",
        "",
        "active",
        start_days=-120,
        deliverables=(
            (
                "Adoption plan for mortgage advisers",
                "g_implementation_governance",
                "Implementation and Migration Plan",
                -10,
            ),
            (
                "Compliance assessment of the origination flow",
                "g_implementation_governance",
                "Compliance Assessment",
                20,
            ),
        ),
    ),
    Plan(
        "business_stakeholders",
        "SME onboarding journey",
        "Group Architecture Board",
        "CB-SME",
        "",
        "in_review",
        start_days=10,
        deliverables=(
            (
                "SME onboarding service levels",
                "b_business",
                "Architecture Requirements Specification",
                60,
            ),
        ),
    ),
    Plan(
        "business_stakeholders",
        "Cards fraud analytics",
        "Group Architecture Board",
        "RB-CARDS",
        "",
        "expired",
        start_days=-420,
        length_days=400,
        deliverables=(
            (
                "Fraud analytics data model",
                "c_information_systems",
                "Architecture Definition Document",
                -380,
            ),
        ),
    ),
    Plan(
        "soaw",
        "Identity and access consolidation",
        "Retail Architecture Board",
        "RB",
        "",
        "draft",
        start_days=45,
        deliverables=(("Identity architecture vision", "a_vision", "Architecture Vision", 80),),
    ),
    Plan(
        "design_development",
        "API gateway rollout",
        "Group Architecture Board",
        "PLAT",
        "Acme Integrators Ltd",
        "re-signed",
        start_days=-90,
        deliverables=(
            ("Gateway platform design", "d_technology", "Architecture Definition Document", -30),
            ("API standards adoption report", "h_change_management", "Compliance Assessment", 45),
        ),
    ),
]

SECTION_TEXT = (
    "This section records what the parties agreed for **{title}**.\n\n"
    "- The architecture function provides guidance and reviews at each phase.\n"
    "- The other party delivers the work products listed under *Deliverables*.\n"
)


def load_demo_contracts(session: Session, password: str) -> list[str]:
    """Create the demo contracts; returns their references."""
    from .demo import DEMO_DOMAIN

    people = {
        p.email.split("@")[0]: p
        for p in session.exec(select(Person).where(Person.email.endswith(f"@{DEMO_DOMAIN}"))).all()
    }
    users = {u.email.split("@")[0]: u for u in session.exec(select(User)).all()}
    actor = {name: Actor.of(u) for name, u in users.items()}
    units = {u.code: u for u in session.exec(select(OrgUnit)).all()}
    boards = {b.name: b for b in session.exec(select(Board)).all()}
    today = date.today()
    refs = []
    for plan in PLANS:
        contract = _create(session, plan, people, units, boards, actor["coordinator"], today)
        _drive(session, plan, contract, actor, password, today)
        refs.append(contract.reference)
    return refs


def _create(
    session: Session,
    plan: Plan,
    people: dict[str, Person],
    units: dict[str | None, OrgUnit],
    boards: dict[str, Board],
    coordinator: Actor,
    today: date,
) -> Contract:
    start = today + timedelta(days=plan.start_days)
    complete = plan.end != "draft"
    data = ContractCreate(
        type=plan.type,
        board_id=boards[plan.board].id,
        title=plan.title,
        architecture_unit_id=units["EAO"].id,
        counterparty_unit_id=units[plan.counterparty].id if plan.counterparty else None,
        partner_name=plan.partner,
        sponsor_id=people["sponsor"].id,
        lead_architect_id=people["architect"].id,
        representative_id=people["contributor"].id,
        window_start=start,
        window_end=start + timedelta(days=plan.length_days),
        sections={
            s.key: SECTION_TEXT.format(title=plan.title)
            for i, s in enumerate(spec(plan.type).sections)
            if complete or i < 3
        },
        conformance_requirements=(
            "The solution conforms to the group **integration**, **security** and "
            "**data retention** standards; deviations need a dispensation."
        ),
        principles=["Data is an asset", "Reuse before buy before build"],
        standards=["ISO/IEC 27001", "Group API design standard v2"],
        risks=[
            {
                "description": "Key staff are shared with other programmes",
                "likelihood": "medium",
                "impact": "high",
                "mitigation": "Named deputies for every lead role",
            }
        ],
    )
    contract = contracts.create_contract(session, coordinator, data)
    assert contract.id is not None
    for title, phase, kind, due in plan.deliverables:
        deliverables.add_deliverable(
            session,
            coordinator,
            contract.id,
            DeliverableIn(
                title=title,
                phase=phase,
                kind=kind,
                owner_id=people["architect"].id,
                due_date=today + timedelta(days=due),
                acceptance_criteria="Reviewed and accepted by the lead architect.",
            ),
        )
    if complete:
        deliverables.add_metric(
            session,
            coordinator,
            contract.id,
            MetricIn(name="Applications on target standards", target="90", unit="%"),
        )
    return contract


def _drive(
    session: Session,
    plan: Plan,
    contract: Contract,
    actor: dict[str, Actor],
    password: str,
    today: date,
) -> None:
    cid: Any = contract.id
    if plan.end == "draft":
        return
    contracts.submit(session, actor["coordinator"], cid)
    if plan.end == "in_review":
        return
    contracts.approve(session, actor["chair"], cid)
    if plan.end == "approved":
        contracts.sign(
            session, actor["sponsor"], cid, SignIn(capacity="sponsor", password=password)
        )
        return
    _sign_all(session, contract, actor, password)
    version = contracts.get_version(session, contract)
    assert version.id is not None
    items = contracts.deliverables_of(session, version.id)
    lead = actor["architect"]
    for item in items:
        if item.due_date < today:
            for status in ("in_progress", "submitted", "accepted"):
                deliverables.progress(
                    session, lead, ident(item), DeliverableProgress(status=status), None
                )
        elif item.due_date < today + timedelta(days=40):
            deliverables.progress(
                session, lead, ident(item), DeliverableProgress(status="in_progress"), None
            )
    for metric in contracts.metrics_of(session, version.id):
        deliverables.measure(
            session,
            actor["coordinator"],
            ident(metric),
            MetricMeasure(measured_value="72"),
        )
    if plan.end == "completed":
        contracts.complete(
            session,
            actor["chair"],
            cid,
            CloseIn(reason="Every deliverable was accepted by the board."),
        )
    elif plan.end == "terminated":
        contracts.terminate(
            session,
            actor["chair"],
            cid,
            CloseIn(reason="The partner could not staff the programme; work moves in-house."),
        )
    elif plan.end == "expired":
        contracts.expire_due(session, SYSTEM, today)
    elif plan.end in ("amended", "re-signed"):
        contracts.amend(
            session,
            actor["coordinator"],
            cid,
            AmendIn(change_summary="Adds the accessibility audit requested by the board."),
        )
        if plan.end == "re-signed":
            contracts.submit(session, actor["coordinator"], cid)
            contracts.approve(session, actor["chair"], cid)
            _sign_all(session, contract, actor, password)
    # the rest stay active


def _sign_all(session: Session, contract: Contract, actor: dict[str, Actor], password: str) -> None:
    by_capacity = {
        "sponsor": "sponsor",
        "board_chair": "chair",
        "lead_architect": "architect",
        "partner_representative": "contributor",
        "business_representative": "contributor",
    }
    version = contracts.get_version(session, contract)
    for slot in contracts.signatories(session, contract, version):
        if slot.signature is None:
            contracts.sign(
                session,
                actor[by_capacity[slot.capacity]],
                ident(contract),
                SignIn(capacity=slot.capacity, password=password),
            )


def ident(row: Any) -> int:
    """The primary key of a stored row (typed as optional on the model)."""
    assert row.id is not None
    return int(row.id)
