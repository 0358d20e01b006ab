"""Build complete contracts for tests: parties with logins, a board with a chair, all sections."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlmodel import Session

from eagov.contract_types import spec
from eagov.models import Contract, User
from eagov.permissions import SYSTEM, Actor
from eagov.schemas.accounts import UserCreate
from eagov.schemas.contracts import ContractCreate, DeliverableIn, MetricIn
from eagov.schemas.org import BoardIn, BoardMemberIn, OrgUnitIn, PersonIn
from eagov.services import accounts, contracts, deliverables, org

PASSWORD = "correct-horse-battery"


@dataclass
class Cast:
    """The people around a contract, each with a login."""

    coordinator: User
    chair: User
    sponsor: User
    lead: User
    partner: User
    viewer: User
    outsider: User  # a contributor with no part in the contract
    board_id: int
    unit_id: int
    business_unit_id: int
    person: dict[str, int]

    def actor(self, name: str) -> Actor:
        return Actor.of(getattr(self, name))


def make_cast(session: Session, tag: str = "") -> Cast:
    ea = org.create_unit(session, SYSTEM, OrgUnitIn(name=f"EA Office{tag}", kind="function"))
    biz = org.create_unit(session, SYSTEM, OrgUnitIn(name=f"Retail{tag}", kind="division"))
    users: dict[str, User] = {}
    person: dict[str, int] = {}
    roles = {
        "coordinator": "review_coordinator",
        "chair": "board_chair",
        "sponsor": "sponsor",
        "lead": "architect",
        "partner": "contributor",
        "viewer": "viewer",
        "outsider": "contributor",
    }
    for name, role in roles.items():
        email = f"{name}{tag}@example.com"
        user, _ = accounts.create_user(
            session,
            SYSTEM,
            UserCreate(
                email=email, name=f"{name.title()} Person{tag}", roles=[role], password=PASSWORD
            ),
        )
        p = org.create_person(
            session,
            SYSTEM,
            PersonIn(name=user.name, email=email, org_unit_id=ea.id, user_id=user.id),
        )
        users[name], person[name] = user, p.id  # type: ignore[assignment]
    board = org.create_board(session, SYSTEM, BoardIn(name=f"Board{tag}", level="global", quorum=1))
    org.add_member(
        session,
        SYSTEM,
        board.id,
        BoardMemberIn(
            person_id=person["chair"], role="chair", term_start=date.today() - timedelta(days=10)
        ),
    )
    return Cast(board_id=board.id, unit_id=ea.id, business_unit_id=biz.id, person=person, **users)  # type: ignore[arg-type]


def contract_data(cast: Cast, contract_type: str = "soaw", **over: Any) -> ContractCreate:
    sections = {s.key: f"Text of **{s.key}**." for s in spec(contract_type).sections}
    values: dict[str, Any] = {
        "type": contract_type,
        "board_id": cast.board_id,
        "title": "Customer data platform",
        "architecture_unit_id": cast.unit_id,
        "counterparty_unit_id": cast.business_unit_id,
        "partner_name": "Acme Integrators" if contract_type == "design_development" else "",
        "sponsor_id": cast.person["sponsor"],
        "lead_architect_id": cast.person["lead"],
        "representative_id": cast.person["partner"],
        "window_start": date.today() - timedelta(days=30),
        "window_end": date.today() + timedelta(days=365),
        "sections": sections,
        "conformance_requirements": "Conform to the **integration standard**.",
        "principles": ["Data is an asset"],
        "standards": ["ISO 27001"],
        "risks": [{"description": "Vendor lock-in", "likelihood": "medium", "impact": "high"}],
    }
    values.update(over)
    return ContractCreate(**values)


def make_contract(
    session: Session,
    cast: Cast,
    contract_type: str = "soaw",
    deliverables_count: int = 2,
    **over: Any,
) -> Contract:
    contract = contracts.create_contract(
        session, cast.actor("coordinator"), contract_data(cast, contract_type, **over)
    )
    for i in range(deliverables_count):
        deliverables.add_deliverable(
            session,
            cast.actor("coordinator"),
            contract.id,
            DeliverableIn(
                title=f"Deliverable {i + 1}",
                phase="a_vision",
                kind="Architecture Vision",
                owner_id=cast.person["lead"],
                due_date=date.today() + timedelta(days=30 + i),
                acceptance_criteria="Reviewed by the board.",
            ),
        )
    deliverables.add_metric(
        session,
        cast.actor("coordinator"),
        contract.id,
        MetricIn(name="Systems on the target platform", target="80", unit="%"),
    )
    return contract


def activate(session: Session, cast: Cast, contract: Contract) -> Contract:
    """Submit, approve and collect every signature."""
    from eagov.schemas.contracts import SignIn

    contracts.submit(session, cast.actor("coordinator"), contract.id)
    contracts.approve(session, cast.actor("chair"), contract.id)
    version = contracts.get_version(session, contract)
    for slot in contracts.signatories(session, contract, version):
        signer = next(n for n, pid in cast.person.items() if pid == slot.person.id)
        contracts.sign(
            session,
            cast.actor(signer),
            contract.id,
            SignIn(capacity=slot.capacity, password=PASSWORD),
        )
    session.refresh(contract)
    return contract
