"""Demonstration Architecture Board operations: three past meetings of the Group board (two
with a quorum and decisions, one inquorate), a decision settled by correspondence, actions
raised at the meetings and on their own (done, open, overdue, cancelled), and the coming
meetings: the Group and Retail boards' next ones with their proposed agendas, and a
cancelled extraordinary meeting.

Built through the services as the demo users (the co-ordinator organises and keeps the
minutes, the chair runs the meetings and records the decisions), with the clock injected
wherever a service takes it. Runs last: the past meetings refer to the demo contracts,
reviews and requests. The subjects still awaiting the board (the presented review, the
contracts in review, the escalated change request) are left for the next meeting, whose
agenda is proposed from them; the one effect applied in the past is the grant of the
dispensation requested a week ago.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlmodel import Session, col, select

from . import richtext
from .models import (
    Action,
    AgendaItem,
    Board,
    ContractVersion,
    Decision,
    Dispensation,
    Meeting,
    Person,
    User,
)
from .permissions import Actor
from .schemas.actions import ActionCreate, ActionMove
from .schemas.meetings import AgendaItemEdit, AgendaItemIn, DecisionIn, GuestIn, MeetingIn, PaperIn
from .services import actions, agenda, decisions, meetings
from .services.org import current_members

DOMAIN = "demo.eagov.example"
GROUP, RETAIL = "Group Architecture Board", "Retail Architecture Board"
ROOM = "Head office, room 12.01, and video call"


@dataclass
class _Cast:
    """Who acts and who is who, looked up once."""

    session: Session
    now: datetime
    actors: dict[str, Actor] = field(default_factory=dict)
    person: dict[str, int] = field(default_factory=dict)
    names: dict[int, str] = field(default_factory=dict)
    boards: dict[str, int] = field(default_factory=dict)
    contracts: dict[str, int] = field(default_factory=dict)

    @property
    def desk(self) -> Actor:
        return self.actors["coordinator"]

    @property
    def chair(self) -> Actor:
        return self.actors["chair"]

    def day(self, days: int) -> date:
        return self.now.date() + timedelta(days=days)

    def at(self, days: int, hour: int = 9, minute: int = 30) -> datetime:
        return datetime.combine(self.day(days), time(hour, minute), tzinfo=UTC)


def _cast(session: Session, now: datetime) -> _Cast:
    c = _Cast(session, now)
    users = session.exec(select(User).where(col(User.email).endswith(f"@{DOMAIN}"))).all()
    c.actors = {u.email.split("@")[0]: Actor.of(u) for u in users}
    people = session.exec(select(Person).where(col(Person.email).endswith(f"@{DOMAIN}"))).all()
    c.names = {p.id: p.name for p in people if p.id is not None}
    c.person = {p.email.split("@")[0]: p.id for p in people if p.user_id and p.id}
    c.boards = {b.name: b.id for b in session.exec(select(Board)).all() if b.id}
    first_versions = select(ContractVersion.title, ContractVersion.contract_id).where(
        ContractVersion.number == 1
    )
    c.contracts = dict(session.exec(first_versions).all())
    # The board members without a demo login, in the order they joined.
    logins = set(c.person.values())
    members = current_members(session, c.boards[GROUP], c.day(-90))
    others = [m.person_id for m in members if m.role == "member" and m.person_id not in logins]
    c.person["data_architect"], c.person["other_member"] = others[0], others[1]
    retail = current_members(session, c.boards[RETAIL], c.day(0))
    c.person["retail_chair"] = next(m.person_id for m in retail if m.role == "chair")
    return c


def load(session: Session, now: datetime) -> list[str]:
    """Create the demo meetings, decisions and actions as of ``now``; returns the meeting
    references."""
    c = _cast(session, now)
    first = _first_meeting(c)
    second = _inquorate_meeting(c, first)
    _by_correspondence(c)
    third = _third_meeting(c, first)
    _direct_actions(c)
    coming = _coming_meetings(c)
    return [m.reference for m in (first, second, third, *coming)]


# --- steps shared by every meeting ------------------------------------------------------------


def _schedule(
    c: _Cast, board: str, title: str, starts: datetime, *, hours: int = 2, location: str = ROOM
) -> Meeting:
    # Meetings are put in the calendar three weeks ahead (or today, for the coming ones).
    booked = min(c.now, starts - timedelta(days=21))
    return meetings.schedule(
        c.session,
        c.desk,
        MeetingIn(
            board_id=c.boards[board],
            title=title,
            starts_at=starts,
            ends_at=starts + timedelta(hours=hours),
            location=location,
        ),
        now=booked,
    )


def _item(
    c: _Cast,
    meeting: Meeting,
    section: str,
    title: str,
    description: str = "",
    subject: tuple[str, int] | None = None,
    presenter: str | None = None,
) -> AgendaItem:
    return agenda.add_item(
        c.session,
        c.desk,
        _id(meeting),
        AgendaItemIn(
            section=section,
            title=title,
            description=description,
            subject_type=subject[0] if subject else None,
            subject_id=subject[1] if subject else None,
            presenter_id=c.person[presenter] if presenter else None,
        ),
    )


def _paper(c: _Cast, meeting: Meeting, kind: str, subject_id: int, item: AgendaItem) -> None:
    meetings.add_paper(
        c.session,
        c.desk,
        _id(meeting),
        PaperIn(subject_type=kind, subject_id=subject_id, agenda_item_id=item.id),
    )


def _open(c: _Cast, meeting: Meeting, attendance: dict[str, str]) -> None:
    """Open the meeting at its start and mark the attendance; members not named attended."""
    meetings.open_meeting(c.session, c.chair, _id(meeting), None, now=meeting.starts_at)
    by_person = {c.person[k]: status for k, status in attendance.items()}
    for row, _person in meetings.attendance_of(c.session, _id(meeting)):
        status = by_person.get(row.person_id, "attended")
        note = "On leave." if status == "apologies" else ""
        meetings.set_attendance(c.session, c.desk, _id(meeting), row.person_id, status, note)


def _note(c: _Cast, item: AgendaItem, status: str, notes: str) -> None:
    agenda.edit_item(c.session, c.desk, _id(item), AgendaItemEdit(status=status, notes=notes), None)


def _decide(
    c: _Cast,
    meeting: Meeting,
    item: AgendaItem | None,
    kind: str,
    title: str,
    rationale: str,
    **extra: Any,
) -> Decision:
    at = meeting.starts_at + timedelta(minutes=20 + 10 * (item.position if item else 0))
    return decisions.record(
        c.session,
        c.chair,
        DecisionIn(
            kind=kind,
            title=title,
            rationale=rationale,
            decided_on=at.date(),
            meeting_id=meeting.id,
            agenda_item_id=item.id if item else None,
            **extra,
        ),
        today=at.date(),
        now=at,
    )


def _close(c: _Cast, meeting: Meeting, minutes: str) -> None:
    end = meeting.ends_at or meeting.starts_at + timedelta(hours=2)
    text = richtext.clean(minutes)
    meetings.close(c.session, c.chair, _id(meeting), None, minutes=text, now=end)


def _action(
    c: _Cast,
    description: str,
    owner: str,
    raised: date,
    due_in: int,
    *,
    meeting: Meeting | None = None,
    decision: Decision | None = None,
    board: str | None = None,
    priority: str = "medium",
    type: str = "follow_up",
    details: str = "",
) -> Any:
    return actions.raise_action(
        c.session,
        c.desk,
        ActionCreate(
            description=description,
            details=details,
            owner_id=c.person[owner],
            due_on=raised + timedelta(days=due_in),
            priority=priority,
            type=type,
            board_id=c.boards[board] if board else None,
            meeting_id=meeting.id if meeting else None,
            decision_id=decision.id if decision else None,
        ),
        today=raised,
    )


def _move(c: _Cast, action: Any, status: str, on: date, resolution: str = "") -> None:
    actions.move(
        c.session,
        c.desk,
        _id(action),
        ActionMove(status=status, resolution=resolution),
        None,
        today=on,
    )


# --- the past --------------------------------------------------------------------------------


def _first_meeting(c: _Cast) -> Meeting:
    """Two months ago: quorate, three decisions (one by vote), four actions."""
    starts = c.at(-63)
    m = _schedule(c, GROUP, _monthly(starts), starts)
    cr = _item(
        c,
        m,
        "change_requests",
        "Add PostgreSQL 16 to the database standards",
        "Platform Engineering asks to list PostgreSQL 16 as a strategic database for new "
        "applications.",
        presenter="architect",
    )
    strategy = _item(
        c,
        m,
        "strategy",
        "Container platform for cloud workloads",
        "Choice between the cloud provider's managed container service and a self-run cluster.",
        presenter="architect",
    )
    cdp = c.contracts["Customer data platform"]
    reuse = _item(
        c,
        m,
        "contract_documentation",
        "Customer data platform: re-use of the consent service",
        "Can the SME onboarding journey use the platform's consent service instead of its own?",
        ("contract", cdp),
        presenter="data_architect",
    )
    landing = _item(
        c,
        m,
        "contract_documentation",
        "Cloud landing zone: statement of architecture work",
        "Progress of the approved statement of work; signatures outstanding.",
        ("contract", c.contracts["Cloud landing zone"]),
    )
    aob = _item(c, m, "other_business", "Any other business")
    _paper(c, m, "contract", cdp, reuse)
    _paper(c, m, "contract", c.contracts["Cloud landing zone"], landing)
    meetings.circulate_papers(c.session, c.desk, _id(m), None, now=starts - timedelta(days=5))
    _open(c, m, {"other_member": "apologies"})

    product = _decide(
        c,
        m,
        strategy,
        "product_selection",
        "Managed container service of the primary cloud provider, one region",
        "The managed service removes cluster upgrades from our teams and meets the platform "
        "security baseline. One region is enough for the first workloads.",
    )
    postgres = _decide(
        c,
        m,
        cr,
        "change_request_evaluation",
        "PostgreSQL 16 becomes a strategic database",
        "Mature, supported by the platform team's operators and already used in two "
        "pilots. Approved for new applications; existing databases are not migrated.",
    )
    consent = _decide(
        c,
        m,
        reuse,
        "reuse_assessment",
        "SME onboarding re-uses the customer data platform's consent service",
        "The service already holds consent for retail customers and meets the retention "
        "rules. A second consent store would split the customer's record.",
        method="vote",
        votes_for=4,
        votes_against=1,
        abstentions=0,
    )
    _note(c, landing, "discussed", "Sponsor signature expected next week.")
    _note(c, aob, "discussed", "None.")

    day = starts.date()
    done = _action(
        c,
        "Publish the container platform standard on the architecture portal",
        "architect",
        day,
        21,
        decision=product,
        type="document",
    )
    _move(c, done, "done", day + timedelta(days=18), "Published as version 1.0.")
    done = _action(
        c,
        "Add PostgreSQL 16 to the technology reference model",
        "data_architect",
        day,
        14,
        decision=postgres,
        type="implement_decision",
    )
    _move(c, done, "done", day + timedelta(days=9), "Listed as strategic from this month.")
    _action(
        c,
        "Estimate the licence savings of re-using the consent service",
        "sponsor",
        day,
        42,
        decision=consent,
        type="investigate",
        priority="low",
    )
    keys = _action(
        c,
        "Agree the key management pattern for the container platform with Security",
        "member",
        day,
        28,
        meeting=m,
        priority="high",
        type="investigate",
    )
    _move(c, keys, "in_progress", day + timedelta(days=7))

    names = c.names
    _close(
        c,
        m,
        f"""
The chair opened the meeting at 09:30. Five board members were present, so the quorum of
four was met. Apologies: {names[c.person["other_member"]]}.

## Requests for change

Platform Engineering asked to add **PostgreSQL 16** to the database standards. The board
agreed for new applications ({postgres.reference}); existing databases stay as they are.

## Strategy

The lead solution architect compared the managed container service with a self-run cluster.
The board chose the **managed service, in one region** ({product.reference}). Security will
propose how keys are managed on the platform.

## Contract documentation

- *Customer data platform*: the SME onboarding journey re-uses the consent service
  ({consent.reference}, by vote, 4 for and 1 against: the objection was the extra load on
  the platform team).
- *Cloud landing zone*: the statement of work is approved; the sponsor signs next week.

## Any other business

None. The meeting closed at 11:20.
""",
    )
    return m


def _inquorate_meeting(c: _Cast, previous: Meeting) -> Meeting:
    """A month later: only three members come, so nothing is decided."""
    starts = c.at(-35)
    m = _schedule(c, GROUP, _monthly(starts), starts)
    minutes = _item(
        c,
        m,
        "previous_minutes",
        f"Minutes of {previous.reference}",
        subject=("meeting", _id(previous)),
    )
    strategy = _item(
        c,
        m,
        "strategy",
        "Integration strategy: events or APIs first?",
        "Whether new integrations publish events by default, with APIs for queries only.",
        presenter="architect",
    )
    gateway = c.contracts["API gateway rollout"]
    _paper(c, m, "contract", gateway, strategy)
    keys = c.session.exec(
        select(Action).where(Action.meeting_id == previous.id, Action.status == "in_progress")
    ).one()
    follow_up = _item(
        c,
        m,
        "actions",
        f"Action {keys.reference}: {keys.description}",
        subject=("action", _id(keys)),
        presenter="member",
    )
    aob = _item(c, m, "other_business", "Any other business")
    meetings.circulate_papers(c.session, c.desk, _id(m), None, now=starts - timedelta(days=6))
    _open(
        c,
        m,
        {"architect": "apologies", "data_architect": "apologies", "other_member": "absent"},
    )
    for item in (minutes, strategy, follow_up, aob):
        _note(c, item, "deferred", "Deferred to the next meeting: no quorum.")
    chase = _action(
        c,
        "Confirm the attendance of every member two days before each meeting",
        "coordinator",
        starts.date(),
        7,
        meeting=m,
        type="communicate",
    )
    _move(c, chase, "done", starts.date() + timedelta(days=3), "Reminder added to the calendar.")
    _close(
        c,
        m,
        """
**The meeting was not quorate**: three board members were present and four are needed.
Apologies from two members; one did not attend.

No decision was taken. The minutes of the previous meeting, the integration strategy and
the key management action are deferred to the next meeting. The chair asked the secretary
to confirm attendance two days ahead from now on, and to settle the Java lifecycle question
by correspondence.
""",
    )
    return m


def _by_correspondence(c: _Cast) -> None:
    """Settled outside a meeting after the inquorate one."""
    on = c.at(-28, 16, 0)
    decisions.record(
        c.session,
        c.chair,
        DecisionIn(
            kind="standards_lifecycle",
            title="Java 11 moves to 'retiring' in the technology standards",
            rationale="Vendor support ends next year. New applications start on Java 21; "
            "existing ones move at their next major release. Agreed by e-mail by five members.",
            decided_on=on.date(),
            board_id=c.boards[GROUP],
        ),
        today=on.date(),
        now=on,
    )


def _third_meeting(c: _Cast, first: Meeting) -> Meeting:
    """Two days ago: agenda proposed from what awaited the board; the requested
    dispensation is granted, the container choice of the first meeting is superseded and a
    deviation from the standards is accepted; the rest waits for the next meeting."""
    starts = c.at(-2)
    m = _schedule(c, GROUP, _monthly(starts), starts, hours=3)
    agenda.apply_proposal(c.session, c.desk, _id(m), today=starts.date() - timedelta(days=1))
    mortgage = c.contracts["Mortgage origination platform adoption"]
    batch = _item(
        c,
        m,
        "other_business",
        "Mortgage origination: nightly file interface to core lending",
        "The platform cannot use the event interface until core lending is migrated.",
        ("contract", mortgage),
        presenter="sponsor",
    )
    meetings.circulate_papers(
        c.session, c.desk, _id(m), None, now=starts - timedelta(days=1, hours=1)
    )
    _open(c, m, {"other_member": "apologies"})
    meetings.add_guest(
        c.session,
        c.desk,
        _id(m),
        GuestIn(person_id=c.person["contributor"], note="Presents the terminal link waiver."),
    )

    items = agenda.items_of(c.session, _id(m))
    by_subject = {(i.subject_type, i.subject_id): i for i in items}
    by_section = {i.section: i for i in items}
    requested = c.session.exec(
        select(Dispensation).where(Dispensation.state == "requested").order_by(col(Dispensation.id))
    ).first()
    granted = None
    if requested is not None and ("dispensation", requested.id) in by_subject:
        granted = _decide(
            c,
            m,
            by_subject[("dispensation", requested.id)],
            "dispensation_grant",
            f"Dispensation {requested.reference} granted: TLS 1.0 on the card terminal link",
            "The vendor's firmware with TLS 1.2 ships within four months and the link runs on "
            "the dedicated terminal network only.",
            expires_on=requested.requested_expiry,
        )
    first_choice = c.session.exec(
        select(Decision).where(
            Decision.meeting_id == first.id, Decision.kind == "product_selection"
        )
    ).one()
    regions = _decide(
        c,
        m,
        by_section["strategy"],
        "product_selection",
        "Managed container service of the primary cloud provider, two regions",
        f"Replaces {first_choice.reference}: the payments hub needs a second region to meet "
        "its recovery time objective of one hour.",
        supersedes_id=first_choice.id,
    )
    deviation = _decide(
        c,
        m,
        batch,
        "standards_deviation",
        "Mortgage origination keeps a nightly file interface until core lending migrates",
        "The event interface of core lending arrives with its migration next year. The file "
        "transfer is encrypted and monitored; the deviation ends with the migration.",
        method="vote",
        votes_for=4,
        votes_against=0,
        abstentions=1,
    )
    deferred = {
        "change_requests": "The board wants the list of projects still building on SOAP first.",
        "compliance_assessments": "Presented next time with the plan for the broker finding.",
        "contract_documentation": "The papers arrived late; on the next agenda.",
    }
    for item in items:
        if item.status == "decided":
            continue
        if item.section in deferred:
            _note(c, item, "deferred", deferred[item.section])
        else:
            _note(c, item, "discussed", "")

    day = starts.date()
    if granted is not None:
        _action(
            c,
            "Confirm the terminal firmware rollout plan with the vendor",
            "contributor",
            day,
            30,
            decision=granted,
            priority="high",
        )
    soap = _action(
        c,
        "List the projects still building new SOAP integrations",
        "architect",
        day,
        10,
        meeting=m,
        type="investigate",
    )
    _move(c, soap, "in_progress", day + timedelta(days=1))
    _action(
        c,
        "Update the landing zone design for the second region",
        "data_architect",
        day,
        28,
        decision=regions,
        type="implement_decision",
    )
    _action(
        c,
        "Record the end date of the file interface in the contract's risks",
        "sponsor",
        day,
        14,
        decision=deviation,
        type="document",
        priority="low",
    )
    briefing = _action(
        c,
        "Arrange a vendor briefing on the message broker roadmap",
        "member",
        day,
        21,
        meeting=m,
        type="communicate",
    )
    _move(c, briefing, "cancelled", day, "The procurement review already covers the roadmap.")

    grant_line = (
        f"- **{requested.reference}** (TLS 1.0 on the card terminal link) is granted until "
        f"{requested.requested_expiry} ({granted.reference}); the vendor confirms the firmware "
        "plan.\n"
        if requested is not None and granted is not None
        else ""
    )
    _close(
        c,
        m,
        f"""
The chair opened the meeting at 09:30 with five board members present (quorum met) and
{c.names[c.person["contributor"]]} as guest. The minutes of the last two meetings were
approved.

## Dispensations

{grant_line}- The mobile app's token dispensation expires soon; the gateway fix is on track.

## Strategy

The container platform decision of {first.reference} is extended to **two regions**
({regions.reference}), for the payments hub's recovery target.

## Deferred

The SOAP retirement request, the payments modernisation review and the two contracts in
review go to the next meeting.

## Any other business

Mortgage origination may keep its nightly file interface until core lending migrates
({deviation.reference}, by vote, one abstention).
""",
    )
    return m


def _direct_actions(c: _Cast) -> None:
    """Actions raised on their own, outside any meeting."""
    brief = _action(
        c,
        "Brief the new Data & Analytics lead on how the board works",
        "coordinator",
        c.day(-30),
        14,
        board=GROUP,
        type="communicate",
    )
    _move(c, brief, "done", c.day(-20), "Walked through the procedures and the decision log.")
    portal = _action(
        c,
        "Refresh the architecture principles page on the intranet",
        "architect",
        c.day(-20),
        14,
        board=GROUP,
        type="document",
    )
    _move(c, portal, "in_progress", c.day(-12))
    _action(
        c,
        "Collect the retail projects that need a design review next quarter",
        "retail_chair",
        c.day(-4),
        16,
        board=RETAIL,
        details="Ask each product line for its release plans; flag those touching payments.",
    )


# --- the coming meetings ---------------------------------------------------------------------


def _coming_meetings(c: _Cast) -> list[Meeting]:
    extra = _schedule(
        c, GROUP, "Extraordinary meeting: payments hub recovery target", c.at(6, 16, 0), hours=1
    )
    meetings.cancel(c.session, c.desk, _id(extra), None)

    retail = _schedule(c, RETAIL, "Retail board, quarterly meeting", c.at(8, 14, 0))
    agenda.apply_proposal(c.session, c.desk, _id(retail), today=c.day(0))
    branch = c.contracts["Branch network refresh"]
    item = _item(
        c,
        retail,
        "contract_documentation",
        "Branch network refresh: first draft of the statement of work",
        "For comment before it is submitted for approval.",
        ("contract", branch),
        presenter="sponsor",
    )
    _paper(c, retail, "contract", branch, item)

    starts = c.at(13)
    group = _schedule(c, GROUP, _monthly(starts), starts)
    agenda.apply_proposal(c.session, c.desk, _id(group), today=c.day(0))
    meetings.circulate_papers(c.session, c.desk, _id(group), None, now=c.now)
    for who, status in (("member", "confirmed"), ("architect", "confirmed")):
        meetings.set_attendance(c.session, c.desk, _id(group), c.person[who], status)
    meetings.set_attendance(
        c.session, c.desk, _id(group), c.person["other_member"], "declined", "On leave."
    )
    return [extra, retail, group]


def _monthly(starts: datetime) -> str:
    return f"Monthly meeting, {starts.day} {starts:%B %Y}"


def _id(row: Any) -> int:
    """The primary key of a stored row (typed as optional on the model)."""
    assert row.id is not None
    return int(row.id)
