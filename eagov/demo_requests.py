"""Demonstration governance requests: every type and state, some past their service targets,
one turned into a compliance review and one into a dispensation request, with notes and
five answered satisfaction surveys.

Built through the services as the demo users (the co-ordinator triages, the architect works
and resolves, requesters file, withdraw and rate), with moments in the past so the service
targets have something to show. Runs after the demo organisation and reviews exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app, has_app_context
from sqlmodel import Session, col, select

from .models import Board, Finding, OrgUnit, User
from .permissions import Actor
from .schemas.requests import (
    ConvertToReviewIn,
    EscalateIn,
    NoteIn,
    ReasonIn,
    RequestIn,
    ResolveIn,
    SurveyAnswerIn,
    TriageIn,
)
from .schemas.reviews import DispensationRequest
from .services import requests, surveys

DOMAIN = "demo.eagov.example"


@dataclass
class Plan:
    type: str
    priority: str
    title: str
    description: str
    requester: str
    age: timedelta  # how long ago it was filed
    target: str  # the state it is walked to
    rating: int | None = None
    outcome: str = ""
    late: bool = False  # resolved after its resolution target


H, D = timedelta(hours=1), timedelta(days=1)

PLANS = [
    Plan(
        "architecture_question",
        "normal",
        "Which API gateway for partner integrations?",
        "Cards wants to expose three APIs to a fintech partner next quarter. Which gateway "
        "product and which security profile are the standard?",
        "contributor",
        2 * H,
        "new",
    ),
    Plan(
        "complaint",
        "high",
        "No answer on our integration pattern question",
        "We asked about event streaming patterns three weeks ago by e-mail and heard "
        "nothing; the design freeze is next week.",
        "sponsor",
        3 * D,
        "new",
    ),
    Plan(
        "change_request",
        "normal",
        "Allow managed Kafka in the technology standards",
        "The standard lists only the on-premises broker. Please add the managed service "
        "for cloud workloads.",
        "architect",
        2 * D,
        "assigned",
    ),
    Plan(
        "architecture_question",
        "urgent",
        "Can the branch app store customer photos locally?",
        "The branch tablet app caches ID photos for offline use. Is that allowed under the "
        "data classification standard?",
        "contributor",
        6 * H,
        "in_progress",
    ),
    Plan(
        "change_request",
        "high",
        "Retire the legacy SOAP integration standard",
        "Three new projects asked for exceptions this year. Time to retire SOAP for new "
        "integrations.",
        "member",
        5 * D,
        "escalated",
    ),
    Plan(
        "review_request",
        "normal",
        "Review of the loyalty points platform design",
        "The loyalty points platform has finished its initial design; please review it "
        "before we order infrastructure.",
        "sponsor",
        10 * D,
        "review",
        rating=5,
    ),
    Plan(
        "dispensation_request",
        "high",
        "Waiver for TLS 1.0 on the card terminal link",
        "The terminal vendor ships TLS 1.2 only in the next firmware release, due in four "
        "months. We need to keep the current link until then.",
        "contributor",
        8 * D,
        "dispensation",
        rating=4,
    ),
    Plan(
        "architecture_question",
        "low",
        "Reference architecture for batch reporting?",
        "Is there a reference architecture for overnight batch reporting on the data platform?",
        "viewer",
        20 * D,
        "resolved",
        rating=3,
        late=True,
        outcome="Yes: the data platform reference architecture, section 4; we walked the "
        "team through it.",
    ),
    Plan(
        "complaint",
        "normal",
        "Review report arrived after the go-live decision",
        "The compliance review report came two days after the steering committee had to "
        "decide; it could not be used.",
        "sponsor",
        30 * D,
        "closed",
        rating=2,
        outcome="Agreed: review dates are now planned back from the decision date.",
    ),
    Plan(
        "architecture_question",
        "normal",
        "Do we need a review for a UI-only change?",
        "We are restyling the customer portal; no new components.",
        "contributor",
        4 * D,
        "withdrawn",
        outcome="Clarified with our lead architect; not needed.",
    ),
    Plan(
        "change_request",
        "low",
        "Make the architecture board meet weekly",
        "Monthly meetings are too slow for our release cadence.",
        "viewer",
        6 * D,
        "rejected",
        outcome="The board already offers out-of-cycle reviews for urgent "
        "items; a weekly meeting is not planned.",
    ),
    Plan(
        "architecture_question",
        "high",
        "Approved container base images?",
        "Which container base images are approved for production?",
        "member",
        3 * D,
        "resolved",
        outcome="The hardened images in the group registry; list linked in the note.",
    ),
    Plan(
        "complaint",
        "normal",
        "Checklist questions unclear for SaaS products",
        "Taken by phone: several checklist questions make no sense for a SaaS purchase.",
        "phone",
        15 * D,
        "closed",
        rating=5,
        outcome="A SaaS variant of the checklist was added to the library.",
    ),
]


def _secret() -> str:
    return str(current_app.config["SECRET_KEY"]) if has_app_context() else "demo"


def load(session: Session, now: datetime) -> list[str]:
    """Create the demo requests as of ``now``; returns their references."""
    people = {
        u.email.split("@")[0]: u
        for u in session.exec(select(User).where(col(User.email).endswith(f"@{DOMAIN}"))).all()
    }

    def actor(local: str) -> Actor:
        return Actor.of(people[local])

    desk, architect = actor("coordinator"), actor("architect")
    architect_id = people["architect"].id
    board = session.exec(select(Board).where(Board.name == "Group Architecture Board")).one()
    unit = session.exec(select(OrgUnit.id).where(OrgUnit.code == "RB")).first()
    survey = requests.SurveyConfig(secret=_secret())
    refs = []
    for plan in PLANS:
        filed = now - plan.age
        on_behalf = plan.requester == "phone"
        req = requests.file(
            session,
            desk if on_behalf else actor(plan.requester),
            RequestIn(
                type=plan.type,
                priority=plan.priority,
                channel="phone" if on_behalf else "web_form",
                title=plan.title,
                description=plan.description,
                requested_outcome="A clear answer we can plan with.",
                org_unit_id=unit,
                requester_name="Lena Brooks" if on_behalf else "",
                requester_email="lena.brooks@partner.example" if on_behalf else "",
            ),
            now=filed,
        )
        refs.append(req.reference)
        assert req.id is not None
        rid = req.id
        if plan.target == "new":
            continue
        if plan.target == "withdrawn":
            requests.withdraw(
                session,
                actor(plan.requester),
                rid,
                ReasonIn(reason=plan.outcome),
                None,
                now=filed + 3 * H,
            )
            continue
        if plan.target == "rejected":
            requests.withdraw(
                session, desk, rid, ReasonIn(reason=plan.outcome), None, now=filed + 5 * H
            )
            continue
        if plan.target == "review":
            requests.convert_to_review(
                session,
                desk,
                rid,
                ConvertToReviewIn(
                    board_id=board.id,
                    project="Loyalty points platform",
                    checkpoint="initial_design",
                    org_unit_id=unit,
                ),
                None,
                survey=survey,
                now=filed + 6 * H,
            )
            _rate(session, rid, plan, survey, filed + 2 * D)
            continue
        if plan.target == "dispensation":
            finding = session.exec(select(Finding).order_by(col(Finding.id))).first()
            if finding is not None:
                requests.convert_to_dispensation(
                    session,
                    desk,
                    rid,
                    DispensationRequest(
                        review_id=finding.review_id,
                        finding_id=finding.id,
                        standards=["TLS 1.2 minimum for external links"],
                        justification=plan.description,
                        conditions="The link stays on the dedicated terminal network.",
                        requested_expiry=(now + 120 * D).date(),
                    ),
                    None,
                    survey=survey,
                    now=filed + 20 * H,
                    today=now.date(),
                )
                _rate(session, rid, plan, survey, filed + 3 * D)
            continue
        requests.triage(
            session,
            desk,
            rid,
            TriageIn(assignee_id=architect_id),
            None,
            now=filed + (30 * H if plan.priority == "high" else 4 * H),
        )
        if plan.target == "assigned":
            continue
        if plan.target == "escalated":
            requests.escalate(
                session,
                desk,
                rid,
                EscalateIn(
                    board_id=board.id,
                    note="On the agenda of the next Group Architecture Board meeting.",
                ),
                None,
                now=filed + D,
            )
            continue
        requests.start(session, architect, rid, None, now=filed + 5 * H)
        requests.add_note(
            session,
            architect,
            rid,
            NoteIn(
                body="Discussed with the security architects; waiting for their view.",
                internal=True,
                with_unit_id=unit,
            ),
            now=filed + 6 * H,
        )
        requests.add_note(
            session,
            architect,
            rid,
            NoteIn(body="We are looking into it and will come back to you this week."),
            now=filed + 7 * H,
        )
        if plan.target == "in_progress":
            continue
        done = filed + (11 * D if plan.late else D)
        requests.resolve(
            session, architect, rid, ResolveIn(outcome=plan.outcome), None, survey=survey, now=done
        )
        _rate(session, rid, plan, survey, done + D)
        if plan.target == "closed":
            requests.close(session, desk, rid, None, now=done + 2 * D)
    return refs


def _rate(
    session: Session, request_id: int, plan: Plan, survey: requests.SurveyConfig, at: datetime
) -> None:
    if plan.rating is None:
        return
    invitation = surveys.of_request(session, request_id)
    token = surveys.link_token(invitation, survey.secret) if invitation else None
    if token:
        comment = {5: "Fast and helpful.", 4: "Good, a little slow.", 3: "Fine."}.get(
            plan.rating, "The answer came too late for us."
        )
        surveys.answer(session, token, SurveyAnswerIn(rating=plan.rating, comment=comment), now=at)
