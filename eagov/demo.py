"""Demonstration data: a believable bank-like group with an architecture function and boards."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta

from sqlmodel import Session

from .models import Role
from .permissions import SYSTEM
from .schemas.accounts import UserCreate
from .schemas.org import BoardIn, BoardMemberIn, OrgLinkIn, OrgUnitIn, PersonIn, PositionIn
from .services import accounts, org

# Printed at start so a newcomer can sign in; only ever set on demo accounts.
DEMO_PASSWORD = "demo-password"  # noqa: S105
DEMO_DOMAIN = "demo.eagov.example"

# (code, name, kind, parent code)
UNITS = [
    ("NWG", "Northwind Group", "enterprise", None),
    ("RB", "Retail Banking", "division", "NWG"),
    ("CB", "Corporate Banking", "division", "NWG"),
    ("TO", "Technology & Operations", "division", "NWG"),
    ("GF", "Group Functions", "division", "NWG"),
    ("RB-CARDS", "Cards & Payments", "product_line", "RB"),
    ("RB-MORT", "Mortgages", "product_line", "RB"),
    ("RB-APAC", "Retail Asia Pacific", "region", "RB"),
    ("CB-TRADE", "Trade Finance", "product_line", "CB"),
    ("CB-SME", "SME Clients", "customer_segment", "CB"),
    ("EAO", "Enterprise Architecture Office", "function", "TO"),
    ("EAO-SOL", "Solution Architecture", "team", "EAO"),
    ("EAO-GOV", "Architecture Governance", "team", "EAO"),
    ("EAO-TSG", "Technical Support & Solution Engineering", "team", "EAO"),
    ("PLAT", "Platform Engineering", "function", "TO"),
    ("DATA", "Data & Analytics", "function", "TO"),
    ("SEC", "Information Security", "function", "TO"),
    ("FIN", "Finance", "function", "GF"),
    ("LEGAL", "Legal & Compliance", "function", "GF"),
    ("GAB", "Group Architecture Board", "board", "EAO"),
    ("RAB", "Retail Architecture Board", "board", "RB"),
]

MATRIX = [
    ("DATA", "RB", "Analytics squads embedded in retail product lines"),
    ("EAO-SOL", "CB", "Solution architects assigned to corporate banking programmes"),
    ("SEC", "EAO", "Security architecture reviews"),
    ("EAO-TSG", "PLAT", "Solution engineering works with the platform teams"),
]

FIRST = [
    "Alice",
    "Bo",
    "Chen",
    "Daniel",
    "Elena",
    "Farah",
    "Gustav",
    "Hana",
    "Ivan",
    "Jia",
    "Kofi",
    "Lena",
    "Marco",
    "Nadia",
    "Omar",
    "Priya",
    "Quentin",
    "Rosa",
    "Sven",
    "Tara",
    "Uma",
    "Victor",
    "Wei",
    "Xavier",
    "Yuki",
    "Zoe",
]
LAST = [
    "Andersen",
    "Brown",
    "Chowdhury",
    "Dubois",
    "Estrada",
    "Fischer",
    "Gao",
    "Haddad",
    "Ito",
    "Jensen",
    "Kowalski",
    "Li",
    "Moreau",
    "Nakamura",
    "Okafor",
    "Petrov",
    "Quinn",
    "Rossi",
    "Schmidt",
    "Tanaka",
    "Wang",
    "Zhang",
]

# One login per role: (role, local part, name, unit code)
LOGINS = [
    (Role.ADMIN, "admin", "Ada Admin", "EAO-GOV"),
    (Role.BOARD_CHAIR, "chair", "Charles Chen", "EAO"),
    (Role.BOARD_MEMBER, "member", "Mei Lin", "SEC"),
    (Role.REVIEW_COORDINATOR, "coordinator", "Rita Ortega", "EAO-GOV"),
    (Role.ARCHITECT, "architect", "Arjun Patel", "EAO-SOL"),
    (Role.SPONSOR, "sponsor", "Sofia Novak", "RB"),
    (Role.CONTRIBUTOR, "contributor", "Tom Keller", "RB-CARDS"),
    (Role.VIEWER, "viewer", "Vera Holm", "FIN"),
]

PEOPLE_UNITS = [
    "RB",
    "RB-CARDS",
    "RB-MORT",
    "RB-APAC",
    "CB",
    "CB-TRADE",
    "CB-SME",
    "EAO-SOL",
    "EAO-GOV",
    "EAO-TSG",
    "PLAT",
    "DATA",
    "SEC",
    "FIN",
    "LEGAL",
]


def load_demo(session: Session, people: int = 44) -> list[tuple[str, str]]:
    """Create the demo organisation through the services (so the audit trail records it)."""
    units: dict[str, int] = {}
    for code, name, kind, parent in UNITS:
        unit = org.create_unit(
            session,
            SYSTEM,
            OrgUnitIn(
                name=name,
                code=code,
                kind=kind,
                parent_id=units[parent] if parent else None,
            ),
        )
        units[code] = unit.id  # type: ignore[assignment]
    for a, b, note in MATRIX:
        org.add_link(
            session, SYSTEM, OrgLinkIn(from_unit_id=units[a], to_unit_id=units[b], note=note)
        )

    logins: list[tuple[str, str]] = []
    person_ids: dict[str, int] = {}
    for role, local, name, unit_code in LOGINS:
        email = f"{local}@{DEMO_DOMAIN}"
        user, _ = accounts.create_user(
            session,
            SYSTEM,
            UserCreate(email=email, name=name, roles=[role], password=DEMO_PASSWORD),
        )
        person = org.create_person(
            session,
            SYSTEM,
            PersonIn(name=name, email=email, org_unit_id=units[unit_code], user_id=user.id),
        )
        person_ids[local] = person.id  # type: ignore[assignment]
        logins.append((role.value, email))

    names = itertools.islice(
        ((f, last) for last in LAST for f in FIRST[LAST.index(last) % 7 :: 3]), people
    )
    staff: list[int] = []
    for i, (first, last) in enumerate(names):
        p = org.create_person(
            session,
            SYSTEM,
            PersonIn(
                name=f"{first} {last}",
                email=f"{first}.{last}{i}@{DEMO_DOMAIN}".lower(),
                org_unit_id=units[PEOPLE_UNITS[i % len(PEOPLE_UNITS)]],
            ),
        )
        staff.append(p.id)  # type: ignore[arg-type]

    chief = org.create_position(
        session,
        SYSTEM,
        PositionIn(
            title="Chief Architect",
            org_unit_id=units["EAO"],
            holder_id=person_ids["chair"],
            architecture_role="ea_manager",
            duties="Leads the architecture function; chairs the Group Architecture Board.",
            requirements="15 years in IT, 5 leading architecture teams.",
            performance_criteria="Share of projects passing compliance review; board cycle time.",
        ),
    )
    for title, unit_code, holder, arch_role in [
        ("Lead Solution Architect", "EAO-SOL", person_ids["architect"], "ea_applications"),
        ("Architecture Governance Manager", "EAO-GOV", person_ids["coordinator"], "ea_manager"),
        ("Security Architect", "SEC", person_ids["member"], "ea_technology"),
        ("Data Architect", "DATA", staff[0], "ea_data"),
        ("Business Architect", "EAO-SOL", staff[1], "ea_business"),
        ("Solution Engineer", "EAO-TSG", staff[2], "it_designer"),
    ]:
        org.create_position(
            session,
            SYSTEM,
            PositionIn(
                title=title,
                org_unit_id=units[unit_code],
                holder_id=holder,
                reports_to_id=chief.id,
                architecture_role=arch_role,
                duties=f"Owns the {title.lower()} practice and its standards.",
            ),
        )

    start = date.today() - timedelta(days=400)
    group = org.create_board(
        session,
        SYSTEM,
        BoardIn(
            name="Group Architecture Board",
            level="global",
            org_unit_id=units["GAB"],
            quorum=4,
            description=(
                "Sets group-wide architecture direction, approves contracts and dispensations."
            ),
        ),
    )
    retail = org.create_board(
        session,
        SYSTEM,
        BoardIn(
            name="Retail Architecture Board",
            level="local",
            parent_board_id=group.id,
            org_unit_id=units["RAB"],
            quorum=3,
            description="Reviews retail banking solutions against group standards.",
        ),
    )
    group_members = [
        (person_ids["chair"], "chair"),
        (person_ids["member"], "member"),
        (person_ids["architect"], "member"),
        (staff[0], "member"),
        (staff[3], "member"),
        (person_ids["coordinator"], "secretary"),
    ]
    assert group.id is not None and retail.id is not None
    for i, (pid, board_role) in enumerate(group_members):
        org.add_member(
            session,
            SYSTEM,
            group.id,
            BoardMemberIn(
                person_id=pid,
                role=board_role,
                term_start=start + timedelta(days=30 * i),
                term_end=start + timedelta(days=365 * (2 + i % 2)),
            ),
        )
    for i, pid in enumerate([staff[4], staff[5], staff[6], person_ids["sponsor"]]):
        org.add_member(
            session,
            SYSTEM,
            retail.id,
            BoardMemberIn(
                person_id=pid,
                role="chair" if i == 0 else "member",
                term_start=start,
                term_end=start + timedelta(days=730),
            ),
        )
    from .demo_contracts import load_demo_contracts

    load_demo_contracts(session, DEMO_PASSWORD)
    from .demo_reviews import load_demo_reviews

    load_demo_reviews(session)
    from .demo_requests import load as load_demo_requests

    load_demo_requests(session, datetime.now(UTC))
    from .demo_meetings import load as load_demo_meetings

    load_demo_meetings(session, datetime.now(UTC))
    from .demo_maturity import load as load_demo_maturity

    load_demo_maturity(session, datetime.now(UTC))
    from .demo_skills import load as load_demo_skills

    load_demo_skills(session, datetime.now(UTC))
    _reminders(session, datetime.now(UTC))
    return logins


def _reminders(session: Session, now: datetime) -> None:
    """The shipped reminder rules, this quarter's contract audits, and the reminders of the
    last two weeks in everyone's inbox (e-mail stays off until SMTP is configured)."""
    from .services import contract_audits, reminders

    reminders.ensure_default_rules(session)
    contract_audits.run_audits(session, now)
    reminders.sweep(session, now, lookback_from=now - timedelta(days=14))
