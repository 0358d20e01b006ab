"""Demonstration compliance reviews: the baseline checklist library, reviews in several
states and levels, findings (some verified) and dispensations (one granted and expiring
soon, one expired with its follow-up review).

Built through the services, as the demo users themselves (the co-ordinator scopes, the
lead architect tailors and answers, the board chair signs off and grants), so the audit
trail is genuine.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from sqlmodel import Session, select

from .models import Board, OrgUnit, Person, Review, User
from .permissions import SYSTEM, Actor
from .schemas.reviews import (
    AdvanceIn,
    AnswerIn,
    DispensationDecision,
    DispensationRequest,
    FindingIn,
    FindingMove,
    ParticipantIn,
    ReviewRequest,
    TailorIn,
)
from .services import checklists, dispensations, reviews

BASELINE = Path(__file__).resolve().parent / "library" / "checklists" / "baseline.yaml"
DOMAIN = "demo.eagov.example"

# The level given to each answered item, in turn, by plan (cycled over the items).
GOOD = ("fully_conformant", "conformant", "conformant", "fully_conformant", "irrelevant")
MIXED = ("conformant", "compliant", "consistent", "conformant", "irrelevant", "compliant")
BAD = ("conformant", "non_conformant", "compliant", "non_conformant", "consistent")


@dataclass
class Plan:
    title: str
    project: str
    unit: str
    checkpoint: str
    scope: str
    target: str  # the state the review is walked to
    categories: tuple[str, ...] = ()
    levels: tuple[str, ...] = GOOD
    answered: float = 1.0  # share of items answered
    decision: str | None = None
    conditions: str = ""


PLANS = [
    Plan(
        "Branch network refresh: initiation review",
        "Branch network refresh",
        "RB",
        "initiation",
        "Network, devices and branch applications in scope of the refresh.",
        "requested",
    ),
    Plan(
        "Cloud landing zone: initial design review",
        "Cloud landing zone",
        "PLAT",
        "initial_design",
        "The landing zone's **account structure**, identity, networking and guardrails.",
        "scoped",
    ),
    Plan(
        "SME onboarding journey: design review",
        "SME onboarding journey",
        "CB-SME",
        "initial_design",
        "The onboarding journey's applications, data flows and security controls.",
        "interviewing",
        ("applications", "information-management"),
        MIXED,
        answered=0.5,
    ),
    Plan(
        "Payments modernisation: major design change",
        "Payments modernisation",
        "RB-CARDS",
        "major_design_change",
        "The move of card authorisation to the new payments hub.",
        "presented",
        ("software-middleware", "security"),
        MIXED,
    ),
    Plan(
        "Customer data platform: periodic review",
        "Customer data platform",
        "RB",
        "periodic",
        "The customer data platform one year after go-live.",
        "signed_off",
        ("information-management", "system-management"),
        GOOD,
        decision="accepted",
    ),
    Plan(
        "Mobile banking app rebuild: design review",
        "Mobile banking app rebuild",
        "RB",
        "initial_design",
        "The rebuilt mobile app: **authentication**, APIs and release engineering.",
        "signed_off",
        ("security", "engineering-methods"),
        BAD,
        decision="rejected",
    ),
]

ORDER = [
    "requested",
    "scoped",
    "tailored",
    "scheduled",
    "interviewing",
    "analysing",
    "report_drafted",
    "presented",
    "signed_off",
]


class _Cast:
    def __init__(self, session: Session) -> None:
        self.session = session

    def actor(self, local: str) -> Actor:
        user = self.session.exec(select(User).where(User.email == f"{local}@{DOMAIN}")).one()
        return Actor.of(user)

    def person(self, local: str) -> int:
        found = self.session.exec(
            select(Person.id).where(Person.email == f"{local}@{DOMAIN}")
        ).one()
        assert found is not None
        return found


def load_demo_reviews(session: Session) -> list[str]:
    """Create the demo reviews; returns their references."""
    library = checklists.import_library(session, SYSTEM, BASELINE.read_bytes())
    assert library.id is not None
    cast = _Cast(session)
    board = session.exec(select(Board).where(Board.name == "Group Architecture Board")).one()
    today = datetime.now(UTC).date()
    made: dict[str, Review] = {}
    for i, plan in enumerate(PLANS):
        made[plan.project] = _walk(session, cast, library.id, board.id, plan, today, i)  # type: ignore[arg-type]
    _findings(session, cast, made, today)
    _dispensations(session, cast, made["Mobile banking app rebuild"], today)
    return [r.reference for r in made.values()]


def _walk(
    session: Session,
    cast: _Cast,
    library_id: int,
    board_id: int,
    plan: Plan,
    today: date,
    index: int,
) -> Review:
    unit = session.exec(select(OrgUnit.id).where(OrgUnit.code == plan.unit)).one()
    requester = ("sponsor", "contributor", "architect")[index % 3]
    review = reviews.request_review(
        session,
        cast.actor(requester),
        ReviewRequest(
            title=plan.title,
            project=plan.project,
            board_id=board_id,
            checkpoint=plan.checkpoint,
            org_unit_id=unit,
            scope=plan.scope,
            due_date=today + timedelta(days=30 + 7 * index),
        ),
    )
    assert review.id is not None
    if plan.target == "requested":
        return review
    coordinator, lead, chair = (
        cast.actor("coordinator"),
        cast.actor("architect"),
        cast.actor("chair"),
    )
    for local, role in (
        ("architect", "lead_architect"),
        ("member", "architect"),
        ("sponsor", "customer"),
        ("contributor", "principal"),
    ):
        reviews.add_participant(
            session, coordinator, review.id, ParticipantIn(person_id=cast.person(local), role=role)
        )
    meeting = datetime.combine(today + timedelta(days=index * 3 - 10), time(9, 30), tzinfo=UTC)
    target = ORDER.index(plan.target)
    for state in ORDER[1 : target + 1]:
        if state == "tailored":
            reviews.tailor(
                session,
                lead,
                review.id,
                TailorIn(library_id=library_id, categories=list(plan.categories)),
            )
        if state in ("analysing", "report_drafted") or (
            state == "interviewing" and plan.target == "interviewing"
        ):
            _answer(session, lead, review, plan, today)
        data = AdvanceIn()
        actor = lead
        if state in ("scoped", "scheduled"):
            actor = coordinator
            if state == "scheduled":
                data = AdvanceIn(meeting_at=meeting)
        elif state == "report_drafted":
            data = AdvanceIn(
                report_summary=(
                    f"The design of {plan.project} was reviewed against the tailored "
                    "checklists with the project principals. See the findings for the gaps."
                )
            )
        elif state == "signed_off":
            actor = chair
            data = AdvanceIn(decision=plan.decision, conditions=plan.conditions)
        reviews.advance(session, actor, review.id, data)
    return review


def _answer(session: Session, lead: Actor, review: Review, plan: Plan, today: date) -> None:
    assert review.id is not None
    items = [i for i in reviews.items_of(session, review.id) if i.level is None]
    if plan.answered < 1:
        items = items[: int(len(items) * plan.answered)]
    for n, item in enumerate(items):
        level = plan.levels[n % len(plan.levels)]
        assert item.id is not None
        reviews.answer_item(
            session,
            lead,
            item.id,
            AnswerIn(
                answer=_ANSWERS[level],
                level=level,
                evidence_link=f"https://wiki.{DOMAIN}/{review.reference}/{item.reference}",
                evidence_date=today - timedelta(days=5 + n % 20),
                notes="Confirmed in the interview." if n % 3 == 0 else "",
            ),
            item.version,
        )


_ANSWERS = {
    "fully_conformant": "Exactly as the standard describes; nothing outside it.",
    "conformant": "All of the standard is implemented, plus local extensions.",
    "compliant": "What is built follows the standard; parts of it are not built yet.",
    "consistent": "Partly follows the standard; some features lie outside it.",
    "non_conformant": "Implemented against the standard; see the findings.",
    "irrelevant": "Does not apply to this solution.",
}


def _findings(session: Session, cast: _Cast, made: dict[str, Review], today: date) -> None:
    lead = cast.actor("architect")
    plans = {
        "Payments modernisation": [
            ("medium", "Message broker version leaves vendor support within a year.", "open"),
            ("low", "Runbooks for the hub are drafts.", "in_progress"),
        ],
        "Customer data platform": [
            ("low", "Retention rules for archived profiles are not automated.", "verified"),
            ("medium", "Capacity report is two quarters old.", "verified"),
        ],
        "Mobile banking app rebuild": [
            ("critical", "Session tokens do not expire on the server side.", "open"),
            ("high", "Release pipeline skips the dependency scan.", "resolved"),
            ("medium", "No threat model for the new payments API.", "in_progress"),
        ],
    }
    owners = ("contributor", "sponsor", "member")
    for project, rows in plans.items():
        review = made[project]
        assert review.id is not None
        items = reviews.items_of(session, review.id)
        failing = [i.reference for i in items if i.level == "non_conformant"]
        for n, (severity, text, status) in enumerate(rows):
            refs = failing[n : n + 1] or [items[n].reference]
            finding = reviews.raise_finding(
                session,
                lead,
                review.id,
                FindingIn(
                    severity=severity,
                    description=text,
                    recommendation="Agree a remediation plan with the lead architect.",
                    item_references=refs,
                    owner_id=cast.person(owners[n % len(owners)]),
                    due_date=today + timedelta(days=30 * (n + 1)),
                ),
            )
            assert finding.id is not None
            path = {
                "open": [],
                "in_progress": ["in_progress"],
                "resolved": ["resolved"],
                "verified": ["resolved", "verified"],
            }[status]
            for step in path:
                finding = reviews.move_finding(
                    session, lead, finding.id, FindingMove(status=step), finding.version
                )


def _dispensations(session: Session, cast: _Cast, review: Review, today: date) -> None:
    """On the rejected review: one dispensation granted, expiring in 20 days; one granted
    three months ago that ran out ten days ago, then expired (which opens a follow-up
    review)."""
    assert review.id is not None
    lead, chair = cast.actor("architect"), cast.actor("chair")
    failing = [
        i.reference for i in reviews.items_of(session, review.id) if i.level == "non_conformant"
    ]
    for refs, standards, days, conditions in (
        (
            failing[1:2],
            ["Group secure SDLC standard 2.1"],
            -10,
            "Manual dependency review before each release.",
        ),
        (
            failing[:1],
            [],
            20,
            "Tokens revoked by the gateway on logout; weekly report of long sessions.",
        ),
    ):
        # The one already run out was asked for and granted in the past (the clock is injected).
        as_of = today - timedelta(days=90) if days < 0 else today
        asked = dispensations.request(
            session,
            lead,
            DispensationRequest(
                review_id=review.id,
                item_references=refs,
                standards=standards,
                justification=(
                    "The release date is fixed by regulation; the fix needs a new gateway."
                ),
                conditions=conditions,
                requested_expiry=today + timedelta(days=days),
            ),
            today=as_of,
        )
        assert asked.id is not None
        dispensations.grant(
            session,
            chair,
            asked.id,
            DispensationDecision(
                expires_on=today + timedelta(days=days), note="Granted with the conditions."
            ),
            asked.version,
            today=as_of,
        )
        if days < 0:
            dispensations.expire_due(session, SYSTEM, today=today)
