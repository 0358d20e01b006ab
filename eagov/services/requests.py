"""Governance requests, the service desk of the architecture function.

new -> assigned -> in_progress -> resolved -> closed; the desk may refer a request to a board
(escalated: change requests, complaints and questions go on that board's agenda), turn a
review or dispensation request into the real thing (the request is then resolved with a link
to it), or reject it; the requester may withdraw it. Resolved and closed requests may be
reopened by the desk.

The **first response** is the first thing the requester sees happen: triage (assignment, a
new priority, referral to a board, a conversion, a rejection), starting the work, a note
that is not internal, or the resolution. Internal notes and the requester's own notes do not
count. Service targets are measured from the submission (``services.service_targets``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from pydantic import ValidationError
from sqlalchemy import func, or_
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from ..errors import Conflict, Forbidden, Invalid, NotFound, field_errors
from ..labels import label
from ..models import (
    Board,
    Contract,
    Dispensation,
    GovernanceRequest,
    OrgUnit,
    RequestChannel,
    RequestNote,
    RequestState,
    RequestType,
    Review,
    Role,
    SurveyInvitation,
    User,
    UserRole,
    utcnow,
)
from ..permissions import Actor, require
from ..schemas.requests import (
    ConvertToReviewIn,
    EscalateIn,
    NoteIn,
    ReasonIn,
    RequestIn,
    ResolveIn,
    TriageIn,
)
from ..schemas.reviews import DispensationRequest, ReviewRequest
from . import audit, dispensations, reviews, service_targets, surveys
from .common import add_numbered, check_version, commit, flush, one_transaction
from .org_queries import like_pattern

S = RequestState
OPEN = (S.NEW, S.ASSIGNED, S.IN_PROGRESS, S.ESCALATED)
FINISHED = (S.RESOLVED, S.CLOSED, S.WITHDRAWN)
# Review and dispensation requests are converted, not referred: they have their own way to
# the board.
ESCALATABLE = (RequestType.QUESTION, RequestType.CHANGE, RequestType.COMPLAINT)
ASSIGNABLE_ROLES = (Role.ARCHITECT, Role.REVIEW_COORDINATOR)


@dataclass(frozen=True)
class SurveyConfig:
    """What resolving needs to invite the requester to the survey (from the app config)."""

    secret: str
    valid_days: int = surveys.DEFAULT_VALID_DAYS


# --- reading one ---------------------------------------------------------------------------------


def may_read(actor: Actor, req: GovernanceRequest) -> bool:
    return actor.can("requests.read_all") or (
        actor.user_id is not None and req.requester_id == actor.user_id
    )


def get_request(session: Session, actor: Actor, request_id: int) -> GovernanceRequest:
    """A request the actor may see: their own, or any for the desk."""
    req = session.get(GovernanceRequest, request_id)
    if req is None or not may_read(actor, req):
        # Someone else's request is not even confirmed to exist.
        raise NotFound(_l("There is no governance request with the id %(id)s.", id=request_id))
    return req


def is_requester(actor: Actor, req: GovernanceRequest) -> bool:
    return actor.user_id is not None and req.requester_id == actor.user_id


def may_work(actor: Actor, req: GovernanceRequest) -> bool:
    """Start, resolve: the assignee, or the desk."""
    return actor.can("requests.triage") or (
        actor.can("requests.work")
        and actor.user_id is not None
        and req.assignee_id == actor.user_id
    )


def assignable(session: Session) -> list[tuple[int, str]]:
    """Active users who can take a request: architects and co-ordinators."""
    rows = session.exec(
        select(User.id, User.name)
        .join(UserRole, col(UserRole.user_id) == User.id)
        .where(col(UserRole.role).in_([r.value for r in ASSIGNABLE_ROLES]), User.is_active)
        .distinct()
        .order_by(col(User.name), col(User.id))
    ).all()
    return [(uid, name) for uid, name in rows if uid is not None]


# --- filing ------------------------------------------------------------------------------------


def file(
    session: Session, actor: Actor, data: RequestIn, *, now: datetime | None = None
) -> GovernanceRequest:
    """Anyone files through the web form for themselves; the desk also records requests taken
    by e-mail, phone or in a meeting, naming the requester."""
    require(actor, "requests.file")
    now = now or utcnow()
    requester_id = actor.user_id
    name, email = data.requester_name, data.requester_email
    if data.channel != RequestChannel.WEB:
        if not actor.can("requests.triage"):
            raise Invalid(
                errors={
                    "channel": _l(
                        "Only the request desk records requests taken by e-mail, phone or in "
                        "a meeting; use the web form."
                    )
                }
            )
        if not name:
            raise Invalid(errors={"requester_name": _l("Name the person who made the request.")})
        # A requester who has an account sees the request under "My requests".
        requester_id = (
            session.exec(select(User.id).where(func.lower(User.email) == email.lower())).first()
            if email
            else None
        )
    else:
        name, email = "", ""
    _check_refs(session, data.org_unit_id, data.board_id, data.contract_id)
    values = data.model_dump(exclude={"requester_name", "requester_email"})
    req = add_numbered(
        session,
        GovernanceRequest,
        now.year,
        lambda number: GovernanceRequest(
            reference=f"GR-{now.year}-{number:04d}",
            year=now.year,
            number=number,
            requester_id=requester_id,
            requester_name=name,
            requester_email=email,
            submitted_at=now,
            **values,
        ),
    )
    audit.record(session, actor, "file", "governance_request", req.id, audit.snapshot(req), now=now)
    commit(session)
    return req


def _check_refs(
    session: Session, unit_id: int | None, board_id: int | None, contract_id: int | None
) -> None:
    errors: dict[str, Any] = {}
    if unit_id is not None and session.get(OrgUnit, unit_id) is None:
        errors["org_unit_id"] = _l("The org unit does not exist.")
    if board_id is not None and session.get(Board, board_id) is None:
        errors["board_id"] = _l("The board does not exist.")
    if contract_id is not None and session.get(Contract, contract_id) is None:
        errors["contract_id"] = _l("The contract does not exist.")
    if errors:
        raise Invalid(errors=errors)


# --- changing state ------------------------------------------------------------------------------


def _load(
    session: Session,
    actor: Actor,
    request_id: int,
    expected: int | None,
    states: tuple[str, ...],
) -> GovernanceRequest:
    req = get_request(session, actor, request_id)
    check_version(req, expected)
    if req.state not in states:
        raise Conflict(
            _l(
                "Request %(ref)s is %(state)s; that is not possible now.",
                ref=req.reference,
                state=label(req.state),
            )
        )
    return req


def _responded(req: GovernanceRequest, now: datetime, *, triage: bool = False) -> None:
    if req.first_response_at is None:
        req.first_response_at = now
    if triage and req.triaged_at is None:
        req.triaged_at = now


def _save(
    session: Session,
    actor: Actor,
    req: GovernanceRequest,
    before: dict[str, Any],
    action: str,
    now: datetime,
    **extra: Any,
) -> GovernanceRequest:
    session.add(req)
    flush(session)
    changes = audit.diff(before, audit.snapshot(req)) | extra
    audit.record(session, actor, action, "governance_request", req.id, changes, now=now)
    commit(session)
    return req


def triage(
    session: Session,
    actor: Actor,
    request_id: int,
    data: TriageIn,
    expected: int | None,
    *,
    now: datetime | None = None,
) -> GovernanceRequest:
    """Assign to an architect and/or set the priority."""
    require(actor, "requests.triage")
    now = now or utcnow()
    req = _load(session, actor, request_id, expected, OPEN)
    if data.assignee_id is None and data.priority is None:
        raise Invalid(errors={"assignee_id": _l("Choose an assignee or a priority.")})
    before = audit.snapshot(req)
    if data.assignee_id is not None:
        if data.assignee_id not in {uid for uid, _ in assignable(session)}:
            raise Invalid(
                errors={"assignee_id": _l("Assign to an architect or a review co-ordinator.")}
            )
        req.assignee_id = data.assignee_id
        if req.state == S.NEW:
            req.state = S.ASSIGNED
    if data.priority is not None:
        req.priority = data.priority
    _responded(req, now, triage=True)
    return _save(session, actor, req, before, "triage", now)


def escalate(
    session: Session,
    actor: Actor,
    request_id: int,
    data: EscalateIn,
    expected: int | None,
    *,
    now: datetime | None = None,
) -> GovernanceRequest:
    """Refer a change request, complaint or question to a board: it goes on its agenda."""
    require(actor, "requests.triage")
    now = now or utcnow()
    req = _load(session, actor, request_id, expected, (S.NEW, S.ASSIGNED, S.IN_PROGRESS))
    if req.type not in ESCALATABLE:
        raise Conflict(
            _l(
                "A %(type)s is turned into a review or a dispensation request, not referred.",
                type=label(req.type),
            )
        )
    if session.get(Board, data.board_id) is None:
        raise Invalid(errors={"board_id": _l("The board does not exist.")})
    before = audit.snapshot(req)
    req.state, req.board_id = S.ESCALATED, data.board_id
    _responded(req, now, triage=True)
    if data.note:
        _add_note(session, actor, req, data.note, internal=False, now=now)
    return _save(session, actor, req, before, "escalate", now)


def start(
    session: Session,
    actor: Actor,
    request_id: int,
    expected: int | None,
    *,
    now: datetime | None = None,
) -> GovernanceRequest:
    now = now or utcnow()
    req = _load(session, actor, request_id, expected, (S.ASSIGNED,))
    if not may_work(actor, req):
        raise Forbidden(_l("Only the assignee or the request desk starts the work."))
    before = audit.snapshot(req)
    req.state = S.IN_PROGRESS
    _responded(req, now)
    return _save(session, actor, req, before, "start", now)


def resolve(
    session: Session,
    actor: Actor,
    request_id: int,
    data: ResolveIn,
    expected: int | None,
    *,
    survey: SurveyConfig,
    now: datetime | None = None,
) -> GovernanceRequest:
    """Record the outcome; the requester is invited to rate the service."""
    now = now or utcnow()
    req = _load(session, actor, request_id, expected, (S.ASSIGNED, S.IN_PROGRESS, S.ESCALATED))
    if not may_work(actor, req):
        raise Forbidden(_l("Only the assignee or the request desk resolves a request."))
    before = audit.snapshot(req)
    _mark_resolved(session, req, data.outcome, now, survey)
    return _save(session, actor, req, before, "resolve", now)


def _mark_resolved(
    session: Session, req: GovernanceRequest, outcome: str, now: datetime, survey: SurveyConfig
) -> None:
    req.state, req.outcome, req.resolved_at, req.closed_at = S.RESOLVED, outcome, now, None
    _responded(req, now)
    session.add(req)
    flush(session)
    surveys.invite(session, req, secret=survey.secret, now=now, valid_days=survey.valid_days)


def reopen(
    session: Session,
    actor: Actor,
    request_id: int,
    data: ReasonIn,
    expected: int | None,
    *,
    now: datetime | None = None,
) -> GovernanceRequest:
    """The desk reopens a resolved or closed request; the reason becomes a note."""
    require(actor, "requests.triage")
    now = now or utcnow()
    req = _load(session, actor, request_id, expected, (S.RESOLVED, S.CLOSED))
    before = audit.snapshot(req)
    req.state = S.ASSIGNED if req.assignee_id else S.NEW
    req.resolved_at = req.closed_at = None
    req.outcome = ""
    _add_note(
        session,
        actor,
        req,
        str(_l("Reopened: %(reason)s", reason=data.reason)),
        internal=False,
        now=now,
    )
    return _save(session, actor, req, before, "reopen", now, reason=data.reason)


def close(
    session: Session,
    actor: Actor,
    request_id: int,
    expected: int | None,
    *,
    now: datetime | None = None,
) -> GovernanceRequest:
    """A resolved request is closed by the desk, or by its requester accepting the outcome."""
    now = now or utcnow()
    req = _load(session, actor, request_id, expected, (S.RESOLVED,))
    if not (actor.can("requests.triage") or is_requester(actor, req)):
        raise Forbidden(_l("Only the requester or the request desk closes a request."))
    before = audit.snapshot(req)
    req.state, req.closed_at = S.CLOSED, now
    return _save(session, actor, req, before, "close", now)


def withdraw(
    session: Session,
    actor: Actor,
    request_id: int,
    data: ReasonIn,
    expected: int | None,
    *,
    now: datetime | None = None,
) -> GovernanceRequest:
    """The requester withdraws their request, or the desk rejects it; either way with a
    reason, kept as the outcome."""
    now = now or utcnow()
    req = _load(session, actor, request_id, expected, OPEN)
    desk = actor.can("requests.triage")
    if not (desk or is_requester(actor, req)):
        raise Forbidden(_l("Only the requester withdraws a request, or the desk rejects it."))
    before = audit.snapshot(req)
    req.state, req.outcome, req.closed_at = S.WITHDRAWN, data.reason, now
    if desk and not is_requester(actor, req):
        _responded(req, now, triage=True)
    return _save(session, actor, req, before, "reject" if desk else "withdraw", now)


# --- turning a request into a review or a dispensation request ------------------------------


def _for_conversion(
    session: Session, actor: Actor, request_id: int, expected: int | None, kind: str
) -> GovernanceRequest:
    require(actor, "requests.triage")
    req = _load(session, actor, request_id, expected, (S.NEW, S.ASSIGNED, S.IN_PROGRESS))
    if req.type != kind:
        raise Conflict(
            _l("Request %(ref)s is a %(type)s.", ref=req.reference, type=label(req.type))
        )
    return req


def _begin_conversion(
    session: Session, req: GovernanceRequest, now: datetime, survey: SurveyConfig
) -> dict[str, Any]:
    """The request's side of a conversion, written first: a conversion that then fails must
    leave the request as it was (``one_transaction`` rolls both back)."""
    before = audit.snapshot(req)
    _responded(req, now, triage=True)
    _mark_resolved(session, req, "", now, survey)
    return before


def convert_to_review(
    session: Session,
    actor: Actor,
    request_id: int,
    data: ConvertToReviewIn,
    expected: int | None,
    *,
    survey: SurveyConfig,
    now: datetime | None = None,
) -> Review:
    """Request a compliance review from a review request, in one transaction with the
    request's resolution: if the review cannot be requested, nothing changes."""
    now = now or utcnow()
    req = _for_conversion(session, actor, request_id, expected, RequestType.REVIEW)
    scope = req.description + (
        "\n\n" + str(_l("Requested outcome: %(text)s", text=req.requested_outcome))
        if req.requested_outcome
        else ""
    )
    try:
        review_in = ReviewRequest.model_validate(
            data.model_dump() | {"title": req.title, "scope": scope}
        )
    except ValidationError as exc:
        raise Invalid(errors=field_errors(exc)) from None
    with one_transaction(session):
        before = _begin_conversion(session, req, now, survey)
        review = reviews.request_review(session, actor, review_in, now=now)
        req.review_id = review.id
        req.outcome = str(_l("Turned into compliance review %(ref)s.", ref=review.reference))
        _save(session, actor, req, before, "convert_to_review", now)
    return review


def convert_to_dispensation(
    session: Session,
    actor: Actor,
    request_id: int,
    data: DispensationRequest,
    expected: int | None,
    *,
    survey: SurveyConfig,
    now: datetime | None = None,
    today: date | None = None,
    max_months: int = dispensations.DEFAULT_MAX_MONTHS,
) -> Dispensation:
    """Ask the board for a dispensation from a dispensation request, in one transaction with
    the request's resolution: if the dispensation cannot be requested, nothing changes."""
    now = now or utcnow()
    req = _for_conversion(session, actor, request_id, expected, RequestType.DISPENSATION)
    with one_transaction(session):
        before = _begin_conversion(session, req, now, survey)
        item = dispensations.request(
            session, actor, data, today=today or now.date(), max_months=max_months
        )
        req.dispensation_id = item.id
        req.outcome = str(_l("Turned into dispensation request %(ref)s.", ref=item.reference))
        _save(session, actor, req, before, "convert_to_dispensation", now)
    return item


# --- notes -------------------------------------------------------------------------------------


def add_note(
    session: Session, actor: Actor, request_id: int, data: NoteIn, *, now: datetime | None = None
) -> RequestNote:
    """The architects and the desk write notes (internal ones only for themselves, optionally
    naming a unit they worked with); the requester may add to their own request."""
    now = now or utcnow()
    req = get_request(session, actor, request_id)
    desk = actor.can("requests.work")
    if not (desk or is_requester(actor, req)):
        raise Forbidden(_l("Only the architecture function and the requester add notes."))
    if not desk and (data.internal or data.with_unit_id is not None):
        raise Invalid(
            errors={"internal": _l("Only the architecture function writes internal notes.")}
        )
    if req.state in (S.CLOSED, S.WITHDRAWN):
        raise Conflict(
            _l("Request %(ref)s is %(state)s.", ref=req.reference, state=label(req.state))
        )
    if data.with_unit_id is not None and session.get(OrgUnit, data.with_unit_id) is None:
        raise Invalid(errors={"with_unit_id": _l("The org unit does not exist.")})
    before = audit.snapshot(req)
    note = _add_note(
        session, actor, req, data.body, internal=data.internal, now=now, unit=data.with_unit_id
    )
    if desk and not data.internal and not is_requester(actor, req):
        _responded(req, now)
    _save(session, actor, req, before, "add_note", now, note=note.id)
    return note


def _add_note(
    session: Session,
    actor: Actor,
    req: GovernanceRequest,
    body: str,
    *,
    internal: bool,
    now: datetime,
    unit: int | None = None,
) -> RequestNote:
    note = RequestNote(
        request_id=req.id,  # type: ignore[arg-type]
        author_id=actor.user_id,
        body=body,
        internal=internal,
        with_unit_id=unit,
        created_at=now,
    )
    session.add(note)
    flush(session)
    return note


# --- lists -------------------------------------------------------------------------------------


@dataclass
class RequestFilter:
    q: str = ""
    type: str | None = None
    state: str | None = None
    priority: str | None = None
    assignee_id: int | None = None
    breached: bool = False
    # Only the actor's own requests ("My requests"), whatever their permissions.
    mine: bool = False


@dataclass
class RequestRow:
    request: GovernanceRequest
    requester: str
    assignee: str
    standing: service_targets.Standing
    # The requester's survey: "open" (rate the service), "answered", or "" (none).
    survey: str = ""
    rating: int | None = None


@dataclass
class Listing:
    items: list[RequestRow]
    total: int
    page: int
    per_page: int


Requester = aliased(User)
Assignee = aliased(User)


def _where(session: Session, actor: Actor, f: RequestFilter, now: datetime) -> list[Any]:
    where: list[Any] = []
    if f.mine or not actor.can("requests.read_all"):
        where.append(col(GovernanceRequest.requester_id) == actor.user_id)
    if f.q:
        pattern = like_pattern(f.q)
        where.append(
            or_(
                col(GovernanceRequest.title).ilike(pattern, escape="\\"),
                col(GovernanceRequest.reference).ilike(pattern, escape="\\"),
                col(GovernanceRequest.description).ilike(pattern, escape="\\"),
                col(GovernanceRequest.requester_name).ilike(pattern, escape="\\"),
            )
        )
    for name in ("type", "state", "priority"):
        value = getattr(f, name)
        if value:
            where.append(col(getattr(GovernanceRequest, name)) == value)
    if f.assignee_id:
        where.append(col(GovernanceRequest.assignee_id) == f.assignee_id)
    if f.breached:
        where.append(service_targets.breached_clause(session, now))
    return where


def _rows(
    session: Session,
    where: list[Any],
    order: list[Any],
    limit: int | None,
    offset: int,
    now: datetime,
) -> list[RequestRow]:
    stmt = (
        select(  # type: ignore[call-overload]
            GovernanceRequest,
            col(Requester.name),
            col(Assignee.name),
            col(SurveyInvitation.answered_at),
            col(SurveyInvitation.expires_at),
            col(SurveyInvitation.rating),
        )
        .outerjoin(Requester, col(Requester.id) == GovernanceRequest.requester_id)
        .outerjoin(Assignee, col(Assignee.id) == GovernanceRequest.assignee_id)
        .outerjoin(SurveyInvitation, col(SurveyInvitation.request_id) == GovernanceRequest.id)
        .where(*where)
        .order_by(*order)
        .offset(offset)
    )
    if limit is not None:
        stmt = stmt.limit(limit)
    table = service_targets.targets(session)
    out = []
    for req, requester, assignee, answered, expires, rating in session.exec(stmt).all():
        target = table.get(req.priority) or table["normal"]
        survey = ""
        if answered is not None:
            survey = "answered"
        elif expires is not None and surveys.aware(expires) > now:
            survey = "open"
        out.append(
            RequestRow(
                req,
                requester or req.requester_name,
                assignee or "",
                service_targets.standing(req, target, now),
                survey,
                rating,
            )
        )
    return out


def _newest_first() -> list[Any]:
    return [col(GovernanceRequest.submitted_at).desc(), col(GovernanceRequest.id).desc()]


def requests_page(
    session: Session,
    actor: Actor,
    f: RequestFilter,
    page: int,
    per_page: int,
    *,
    now: datetime | None = None,
) -> Listing:
    """A page of requests, newest first: three statements whatever the number of rows
    (count, targets, rows with names and survey state joined)."""
    require(actor, "requests.file")
    now = now or utcnow()
    where = _where(session, actor, f, now)
    total = session.exec(select(func.count()).select_from(GovernanceRequest).where(*where)).one()
    page = max(1, page)
    rows = _rows(session, where, _newest_first(), per_page, (page - 1) * per_page, now)
    return Listing(rows, int(total), page, per_page)


def export_rows(
    session: Session, actor: Actor, f: RequestFilter, *, now: datetime | None = None
) -> list[RequestRow]:
    """Every request the filter matches, for a CSV or XLSX export."""
    require(actor, "requests.file")
    now = now or utcnow()
    return _rows(session, _where(session, actor, f, now), _newest_first(), None, 0, now)


def queue_page(
    session: Session, actor: Actor, page: int, per_page: int, *, now: datetime | None = None
) -> Listing:
    """The triage queue: open requests, new and unassigned ones first, then by the target
    that falls due next."""
    require(actor, "requests.triage")
    return _urgent(session, [col(GovernanceRequest.state).in_(OPEN)], page, per_page, now, True)


def work_page(
    session: Session, actor: Actor, page: int, per_page: int, *, now: datetime | None = None
) -> Listing:
    """The open requests assigned to the actor, the most urgent first."""
    require(actor, "requests.work")
    where = [
        col(GovernanceRequest.assignee_id) == actor.user_id,
        col(GovernanceRequest.state).in_(OPEN),
    ]
    return _urgent(session, where, page, per_page, now, False)


def _urgent(
    session: Session,
    where: list[Any],
    page: int,
    per_page: int,
    now: datetime | None,
    untriaged_first: bool,
) -> Listing:
    now = now or utcnow()
    order: list[Any] = []
    if untriaged_first:
        order.append(col(GovernanceRequest.assignee_id).is_not(None))
    order += [service_targets.next_due(session), col(GovernanceRequest.id)]
    total = session.exec(select(func.count()).select_from(GovernanceRequest).where(*where)).one()
    page = max(1, page)
    rows = _rows(session, where, order, per_page, (page - 1) * per_page, now)
    return Listing(rows, int(total), page, per_page)


# --- one request with everything its page shows ----------------------------------------------


@dataclass
class NoteRow:
    note: RequestNote
    author: str
    unit: str


@dataclass
class RequestDetail:
    request: GovernanceRequest
    standing: service_targets.Standing
    requester: str
    requester_email: str
    assignee: str
    unit: OrgUnit | None
    board: Board | None
    contract: Contract | None
    review: Review | None
    dispensation: Dispensation | None
    notes: list[NoteRow]
    survey: SurveyInvitation | None


def detail(
    session: Session, actor: Actor, request_id: int, *, now: datetime | None = None
) -> RequestDetail:
    """The request page: internal notes only for the architecture function."""
    req = get_request(session, actor, request_id)
    now = now or utcnow()
    table = service_targets.targets(session)
    users = {
        uid: (name, email)
        for uid, name, email in session.exec(
            select(User.id, User.name, User.email).where(
                col(User.id).in_([i for i in (req.requester_id, req.assignee_id) if i])
            )
        ).all()
    }
    stmt = (
        select(RequestNote, User.name, OrgUnit.name)
        .outerjoin(User, col(User.id) == RequestNote.author_id)
        .outerjoin(OrgUnit, col(OrgUnit.id) == RequestNote.with_unit_id)
        .where(RequestNote.request_id == req.id)
        .order_by(col(RequestNote.created_at), col(RequestNote.id))
    )
    if not actor.can("requests.read_all"):
        stmt = stmt.where(col(RequestNote.internal).is_(False))
    notes = [NoteRow(n, author or "", unit or "") for n, author, unit in session.exec(stmt).all()]
    requester, email = users.get(req.requester_id or 0, (req.requester_name, req.requester_email))
    return RequestDetail(
        request=req,
        standing=service_targets.standing(req, table.get(req.priority) or table["normal"], now),
        requester=requester or req.requester_name,
        requester_email=email or req.requester_email,
        assignee=users.get(req.assignee_id or 0, ("", ""))[0],
        unit=session.get(OrgUnit, req.org_unit_id) if req.org_unit_id else None,
        board=session.get(Board, req.board_id) if req.board_id else None,
        contract=session.get(Contract, req.contract_id) if req.contract_id else None,
        review=session.get(Review, req.review_id) if req.review_id else None,
        dispensation=session.get(Dispensation, req.dispensation_id)
        if req.dispensation_id
        else None,
        notes=notes,
        survey=surveys.of_request(session, req.id) if req.id else None,
    )
