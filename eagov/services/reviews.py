"""Compliance reviews: request, the twelve-step workflow, tailoring, answers and the overall
level, findings, and re-reviews. Dispensations live in ``services.dispensations``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func
from sqlmodel import Session, col, select

from .. import storage
from ..conformance import Answer, Level, RollUp, roll_up
from ..errors import Conflict, Forbidden, Invalid, NotFound
from ..labels import label
from ..models import (
    Board,
    ChecklistItem,
    ChecklistLibrary,
    Dispensation,
    DispensationState,
    Finding,
    FindingStatus,
    Person,
    Review,
    ReviewDecision,
    ReviewItem,
    ReviewParticipant,
    ReviewRole,
    ReviewState,
    utcnow,
)
from ..permissions import Actor, require
from ..schemas.reviews import (
    AdvanceIn,
    AnswerIn,
    CustomItemIn,
    FindingIn,
    FindingMove,
    OverrideIn,
    ParticipantIn,
    ReviewRequest,
    TailorIn,
)
from . import audit, checklists
from .common import add_numbered, check_version, commit, flush, get_or_404

S = ReviewState


@dataclass(frozen=True)
class Step:
    """One move of the workflow: from which state, to which, and who acts."""

    action: str
    source: str
    target: str
    actor: str  # "coordinator", "lead" (lead architect or co-ordinator), "board"
    title: Any


STEPS: tuple[Step, ...] = (
    Step(
        "scope",
        S.REQUESTED,
        S.SCOPED,
        "coordinator",
        _l("Identify the organisation, principals and architects; set the scope"),
    ),
    Step("tailor", S.SCOPED, S.TAILORED, "lead", _l("Tailor the checklists")),
    Step("schedule", S.TAILORED, S.SCHEDULED, "coordinator", _l("Schedule the review meeting")),
    Step("interview", S.SCHEDULED, S.INTERVIEWING, "lead", _l("Interview the principals")),
    Step(
        "analyse",
        S.INTERVIEWING,
        S.ANALYSING,
        "lead",
        _l("Analyse the checklists, resolve issues, form recommendations"),
    ),
    Step("draft_report", S.ANALYSING, S.REPORT_DRAFTED, "lead", _l("Prepare the report")),
    Step(
        "present",
        S.REPORT_DRAFTED,
        S.PRESENTED,
        "lead",
        _l("Present to the customer and the board"),
    ),
    Step(
        "sign_off", S.PRESENTED, S.SIGNED_OFF, "board", _l("Board and customer accept and sign off")
    ),
    Step("close", S.SIGNED_OFF, S.CLOSED, "coordinator", _l("File the report")),
)
STEP_BY_SOURCE = {s.source: s for s in STEPS}
# Answers are taken from tailoring until the report is drafted.
ANSWERING = (S.TAILORED, S.SCHEDULED, S.INTERVIEWING, S.ANALYSING)
TAILORING = (S.REQUESTED, S.SCOPED, S.TAILORED)


# --- request and details -------------------------------------------------------------------------


def request_review(
    session: Session,
    actor: Actor,
    data: ReviewRequest,
    *,
    now: datetime | None = None,
    previous_review_id: int | None = None,
) -> Review:
    """Anyone may ask for a review of a project."""
    require(actor, "reviews.request")
    now = now or utcnow()
    if session.get(Board, data.board_id) is None:
        raise Invalid(errors={"board_id": _l("The board does not exist.")})
    review = add_numbered(
        session,
        Review,
        now.year,
        lambda number: Review(
            reference=f"CR-{now.year}-{number:04d}",
            year=now.year,
            number=number,
            requested_by_id=actor.user_id,
            requested_at=now,
            previous_review_id=previous_review_id,
            **data.model_dump(),
        ),
    )
    audit.record(session, actor, "request", "review", review.id, audit.snapshot(review), now=now)
    commit(session)
    return review


def get_review(session: Session, actor: Actor, review_id: int) -> Review:
    require(actor, "reviews.read")
    review = session.get(Review, review_id)
    if review is None:
        raise NotFound(_l("There is no review with the id %(id)s.", id=review_id))
    return review


def add_participant(session: Session, actor: Actor, review_id: int, data: ParticipantIn) -> None:
    require(actor, "reviews.coordinate")
    review = _open(session, actor, review_id)
    get_or_404(session, Person, data.person_id)
    exists = session.exec(
        select(ReviewParticipant.id).where(
            ReviewParticipant.review_id == review.id,
            ReviewParticipant.person_id == data.person_id,
            ReviewParticipant.role == data.role,
        )
    ).first()
    if exists:
        raise Invalid(errors={"person_id": _l("This person already has that role here.")})
    row = ReviewParticipant(review_id=review.id, **data.model_dump())  # type: ignore[arg-type]
    session.add(row)
    flush(session)
    audit.record(session, actor, "add_participant", "review", review.id, data.model_dump())
    commit(session)


def participants(session: Session, review_id: int) -> list[tuple[ReviewParticipant, Person]]:
    return list(
        session.exec(
            select(ReviewParticipant, Person)
            .join(Person, col(Person.id) == ReviewParticipant.person_id)
            .where(ReviewParticipant.review_id == review_id)
            .order_by(col(ReviewParticipant.role), col(Person.name))
        ).all()
    )


def _roles_of(session: Session, actor: Actor, review_id: int) -> set[str]:
    """The review roles the actor's person holds in this review."""
    if actor.user_id is None:
        return set()
    rows = session.exec(
        select(ReviewParticipant.role)
        .join(Person, col(Person.id) == ReviewParticipant.person_id)
        .where(ReviewParticipant.review_id == review_id, Person.user_id == actor.user_id)
    ).all()
    return set(rows)


def _open(session: Session, actor: Actor, review_id: int) -> Review:
    review = get_review(session, actor, review_id)
    if review.state in (S.SIGNED_OFF, S.CLOSED):
        raise Conflict(
            _l(
                "Review %(ref)s is %(state)s; it no longer changes.",
                ref=review.reference,
                state=label(review.state),
            )
        )
    return review


# --- who acts -----------------------------------------------------------------------------------


def may_act(session: Session, actor: Actor, review: Review, who: str) -> bool:
    if who == "coordinator":
        return actor.can("reviews.coordinate")
    if who == "board":
        return actor.can("reviews.sign_off")
    roles = _roles_of(session, actor, review.id)  # type: ignore[arg-type]
    if who == "lead":
        return ReviewRole.LEAD_ARCHITECT in roles or actor.can("reviews.coordinate")
    # "reviewer": anyone doing the review work
    return bool(roles & {ReviewRole.LEAD_ARCHITECT, ReviewRole.ARCHITECT}) or actor.can(
        "reviews.coordinate"
    )


def require_act(session: Session, actor: Actor, review: Review, who: str) -> None:
    if not may_act(session, actor, review, who):
        messages = {
            "coordinator": _l("Only the review co-ordinator takes this step."),
            "lead": _l(
                "Only the lead architect of this review (or the co-ordinator) takes this step."
            ),
            "board": _l("Only the chair of the Architecture Board signs a review off."),
            "reviewer": _l("Only the architects of this review answer its checklists."),
        }
        raise Forbidden(messages[who])


# --- the workflow -------------------------------------------------------------------------------


def advance(
    session: Session,
    actor: Actor,
    review_id: int,
    data: AdvanceIn,
    *,
    now: datetime | None = None,
) -> Review:
    """Take the next step of the workflow; each step checks who acts and what it needs."""
    review = get_review(session, actor, review_id)
    step = STEP_BY_SOURCE.get(review.state)
    if step is None:
        raise Conflict(_l("Review %(ref)s is closed.", ref=review.reference))
    require_act(session, actor, review, step.actor)
    missing = _missing_for(session, review, step, data)
    if missing:
        raise Invalid(_l("This step needs more information."), errors=missing)
    now = now or utcnow()
    before = audit.snapshot(review)
    if step.action == "schedule":
        review.meeting_at = data.meeting_at
    elif step.action == "draft_report":
        review.report_summary = data.report_summary
    elif step.action == "sign_off":
        review.decision = data.decision
        review.decision_conditions = data.conditions
        review.signed_off_at, review.signed_off_by_id = now, actor.user_id
    elif step.action == "close":
        review.closed_at = now
    review.state = step.target
    session.add(review)
    flush(session)
    audit.record(
        session,
        actor,
        step.action,
        "review",
        review.id,
        audit.diff(before, audit.snapshot(review)),
        now=now,
    )
    commit(session)
    return review


def _missing_for(session: Session, review: Review, step: Step, data: AdvanceIn) -> dict[str, Any]:
    missing: dict[str, Any] = {}
    if step.action == "scope":
        if review.org_unit_id is None:
            missing["org_unit_id"] = _l("Name the organisation responsible for the project.")
        if not review.scope.strip():
            missing["scope"] = _l("Describe the scope of the review.")
        roles = {p.role for p, _ in participants(session, review.id)}  # type: ignore[arg-type]
        if ReviewRole.LEAD_ARCHITECT not in roles:
            missing["participants"] = _l("Name the lead architect.")
    elif step.action == "tailor":
        if not items_of(session, review.id):  # type: ignore[arg-type]
            missing["items"] = _l("Choose at least one checklist item.")
    elif step.action == "schedule" and data.meeting_at is None:
        missing["meeting_at"] = _l("Set the date and time of the review meeting.")
    elif step.action == "draft_report":
        unanswered = [
            i.reference
            for i in items_of(session, review.id)  # type: ignore[arg-type]
            if i.level is None
        ]
        if unanswered:
            missing["items"] = _l(
                "Every item needs a level first; missing: %(refs)s.",
                refs=", ".join(unanswered[:10]),
            )
        if not data.report_summary.strip():
            missing["report_summary"] = _l("Write the summary of the report.")
    elif step.action == "sign_off":
        if data.decision is None:
            missing["decision"] = _l("Record the decision.")
        elif (
            data.decision == ReviewDecision.ACCEPTED_WITH_CONDITIONS and not data.conditions.strip()
        ):
            missing["conditions"] = _l("State the conditions of the acceptance.")
    return missing


def step_states(session: Session, actor: Actor, review: Review) -> list[dict[str, Any]]:
    """The whole workflow for the page: each step, who acts, done/current/next, may I."""
    order = [s.source for s in STEPS] + [S.CLOSED]
    here = order.index(review.state)
    out = []
    for i, step in enumerate(STEPS):
        out.append(
            {
                "step": step,
                "done": i < here,
                "current": i == here,
                "allowed": i == here and may_act(session, actor, review, step.actor),
            }
        )
    return out


# --- tailoring ----------------------------------------------------------------------------------


def items_of(session: Session, review_id: int) -> list[ReviewItem]:
    return list(
        session.exec(
            select(ReviewItem)
            .where(ReviewItem.review_id == review_id)
            .order_by(col(ReviewItem.position), col(ReviewItem.id))
        ).all()
    )


def tailor(session: Session, actor: Actor, review_id: int, data: TailorIn) -> list[ReviewItem]:
    """Copy chosen categories or items of a library version into the review. The texts are
    copied, so a newer library version never changes a review under way."""
    review = get_review(session, actor, review_id)
    require_act(session, actor, review, "lead")
    if review.state not in TAILORING:
        raise Conflict(_l("Checklists are tailored before the review meeting is scheduled."))
    library = session.get(ChecklistLibrary, data.library_id)
    if library is None:
        raise Invalid(errors={"library_id": _l("The library does not exist.")})
    existing = {i.reference for i in items_of(session, review.id)}  # type: ignore[arg-type]
    position = len(existing)
    added: list[ReviewItem] = []
    for category, items in checklists.contents(session, library.id):  # type: ignore[arg-type]
        if (
            data.categories is not None
            and category.key not in data.categories
            and data.references is None
        ):
            continue
        for item in items:
            if data.references is not None and item.reference not in data.references:
                continue
            if item.reference in existing:
                continue
            position += 1
            added.append(_copy_item(review, category.key, category.title, item, position))
    if not added:
        raise Invalid(errors={"items": _l("Nothing new to add from that selection.")})
    session.add_all(added)
    flush(session)
    audit.record(
        session,
        actor,
        "tailor",
        "review",
        review.id,
        {
            "library": f"{library.identifier} {library.version}",
            "added": [i.reference for i in added],
        },
    )
    commit(session)
    return added


def _copy_item(
    review: Review, key: str, title: dict[str, str], item: ChecklistItem, position: int
) -> ReviewItem:
    return ReviewItem(
        review_id=review.id,  # type: ignore[arg-type]
        library_item_id=item.id,
        category_key=key,
        category_title=dict(title),
        reference=item.reference,
        position=position,
        weight=item.weight,
        question=dict(item.question),
        guidance=dict(item.guidance),
        principle=dict(item.principle),
    )


def add_custom_item(
    session: Session, actor: Actor, review_id: int, data: CustomItemIn
) -> ReviewItem:
    review = get_review(session, actor, review_id)
    require_act(session, actor, review, "lead")
    if review.state not in TAILORING:
        raise Conflict(_l("Checklists are tailored before the review meeting is scheduled."))
    items = items_of(session, review.id)  # type: ignore[arg-type]
    customs = [i for i in items if i.reference.startswith("CUS-")]
    item = ReviewItem(
        review_id=review.id,  # type: ignore[arg-type]
        category_key=data.category_key,
        category_title={"en": data.category_title, "zh_Hans": data.category_title},
        reference=f"CUS-{len(customs) + 1:02d}",
        position=len(items) + 1,
        weight=data.weight,
        question={"en": data.question, "zh_Hans": data.question},
        guidance={"en": data.guidance, "zh_Hans": data.guidance},
        principle={"en": data.principle, "zh_Hans": data.principle},
    )
    session.add(item)
    flush(session)
    audit.record(session, actor, "add_item", "review", review.id, {"reference": item.reference})
    commit(session)
    return item


# --- answers and the overall level ----------------------------------------------------------------


def answer_item(
    session: Session,
    actor: Actor,
    item_id: int,
    data: AnswerIn,
    expected_version: int | None,
    *,
    now: datetime | None = None,
) -> ReviewItem:
    """Save one item. The version check means two reviewers never overwrite each other."""
    item = get_or_404(session, ReviewItem, item_id)
    review = get_review(session, actor, item.review_id)
    require_act(session, actor, review, "reviewer")
    if review.state not in ANSWERING:
        raise Conflict(_l("Answers are recorded between tailoring and the report."))
    check_version(item, expected_version)
    before = audit.snapshot(item)
    for key, value in data.model_dump().items():
        setattr(item, key, value)
    changes = audit.diff(before, audit.snapshot(item))
    if not changes:
        return item
    item.answered_by_id, item.answered_at = actor.user_id, now or utcnow()
    session.add(item)
    flush(session)
    audit.record(session, actor, "answer", "review_item", item.id, changes, now=now)
    store_level(session, review)
    commit(session)
    return item


def attach_item_evidence(
    session: Session,
    actor: Actor,
    item_id: int,
    filename: str,
    data: bytes,
    upload_root: Path,
    expected_version: int | None = None,
) -> ReviewItem:
    """Keep a file as the evidence of one answer (checked by content, stored outside the
    web root; a failure leaves no file behind)."""
    item = get_or_404(session, ReviewItem, item_id)
    review = get_review(session, actor, item.review_id)
    require_act(session, actor, review, "reviewer")
    if review.state not in ANSWERING:
        raise Conflict(_l("Answers are recorded between tailoring and the report."))
    check_version(item, expected_version)
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
            "review_item",
            item.id,
            audit.diff(before, audit.snapshot(item)),
        )
        commit(session)
    except BaseException:
        storage.discard(upload_root, stored)
        raise
    return item


def item_evidence(
    session: Session, actor: Actor, item_id: int, upload_root: Path
) -> tuple[Path, str, str]:
    """(path, download name, content type) of an answer's evidence file."""
    item = get_or_404(session, ReviewItem, item_id)
    get_review(session, actor, item.review_id)
    if not item.evidence_file:
        raise NotFound(_l("This answer has no evidence file."))
    path = storage.path_of(upload_root, item.evidence_file)
    if not path.is_file():
        raise NotFound(_l("The evidence file is missing from storage."))
    return path, item.evidence_name or "evidence", item.evidence_type or "application/octet-stream"


def waived_references(session: Session, review_id: int, today: date | None = None) -> set[str]:
    """Items covered by a granted dispensation that has not expired."""
    today = today or utcnow().date()
    rows = session.exec(
        select(Dispensation).where(
            Dispensation.review_id == review_id,
            Dispensation.state == DispensationState.GRANTED,
        )
    ).all()
    return {
        ref for d in rows if d.expires_on and d.expires_on >= today for ref in d.item_references
    }


def overall(session: Session, review: Review) -> RollUp:
    waived = waived_references(session, review.id)  # type: ignore[arg-type]
    return roll_up(
        Answer(i.reference, Level(i.level) if i.level else None, i.reference in waived)
        for i in items_of(session, review.id)  # type: ignore[arg-type]
    )


def store_level(session: Session, review: Review) -> None:
    level = overall(session, review).level
    value = level.value if level else None
    if review.computed_level != value:
        review.computed_level = value
        session.add(review)
        flush(session)


def override_level(session: Session, actor: Actor, review_id: int, data: OverrideIn) -> Review:
    """The lead architect may set the overall level against the roll-up, saying why: the
    person named lead architect of this review, holding a role that works on reviews (a
    viewer named by mistake cannot)."""
    require(actor, "reviews.work")
    review = _open(session, actor, review_id)
    if ReviewRole.LEAD_ARCHITECT not in _roles_of(session, actor, review.id):  # type: ignore[arg-type]
        raise Forbidden(_l("Only the lead architect of this review may override its level."))
    before = {
        "level_override": review.level_override,
        "override_justification": review.override_justification,
    }
    review.level_override = data.level.value
    review.override_justification = data.justification
    review.override_by_id = actor.user_id
    session.add(review)
    flush(session)
    audit.record(
        session,
        actor,
        "override_level",
        "review",
        review.id,
        audit.diff(
            before,
            {"level_override": review.level_override, "override_justification": data.justification},
        )
        | {"computed_level": [review.computed_level, review.computed_level]},
    )
    commit(session)
    return review


@dataclass
class CategoryProgress:
    key: str
    title: dict[str, str]
    answered: int
    total: int


def progress(session: Session, review_id: int) -> list[CategoryProgress]:
    out: dict[str, CategoryProgress] = {}
    for item in items_of(session, review_id):
        entry = out.setdefault(
            item.category_key, CategoryProgress(item.category_key, item.category_title, 0, 0)
        )
        entry.total += 1
        entry.answered += item.level is not None
    return list(out.values())


# --- findings -----------------------------------------------------------------------------------

FINDING_FLOW: dict[str, set[str]] = {
    FindingStatus.OPEN: {FindingStatus.IN_PROGRESS, FindingStatus.RESOLVED},
    FindingStatus.IN_PROGRESS: {FindingStatus.RESOLVED},
    FindingStatus.RESOLVED: {FindingStatus.VERIFIED, FindingStatus.IN_PROGRESS},
    FindingStatus.VERIFIED: set(),
}


def raise_finding(session: Session, actor: Actor, review_id: int, data: FindingIn) -> Finding:
    review = get_review(session, actor, review_id)
    require_act(session, actor, review, "reviewer")
    if review.state == S.CLOSED:
        raise Conflict(_l("Review %(ref)s is closed.", ref=review.reference))
    known = {i.reference for i in items_of(session, review.id)}  # type: ignore[arg-type]
    unknown = [r for r in data.item_references if r not in known]
    if unknown:
        raise Invalid(
            errors={
                "item_references": _l(
                    "Not items of this review: %(refs)s.", refs=", ".join(unknown)
                )
            }
        )
    if data.owner_id is not None:
        get_or_404(session, Person, data.owner_id)
    number = (
        session.exec(select(func.max(Finding.number)).where(Finding.review_id == review.id)).one()
        or 0
    ) + 1
    finding = Finding(review_id=review.id, number=number, **data.model_dump())  # type: ignore[arg-type]
    session.add(finding)
    flush(session)
    audit.record(session, actor, "create", "finding", finding.id, audit.snapshot(finding))
    commit(session)
    return finding


def move_finding(
    session: Session,
    actor: Actor,
    finding_id: int,
    data: FindingMove,
    expected: int | None,
    *,
    now: datetime | None = None,
) -> Finding:
    """Findings go open -> in progress -> resolved -> verified; only the lead architect or the
    board verifies a resolution (a resolved finding can also go back to work)."""
    finding = get_or_404(session, Finding, finding_id)
    review = get_review(session, actor, finding.review_id)
    check_version(finding, expected)
    if data.status not in FINDING_FLOW[finding.status]:
        raise Conflict(
            _l(
                "A finding cannot go from %(old)s to %(new)s.",
                old=label(finding.status),
                new=label(data.status),
            )
        )
    if data.status == FindingStatus.VERIFIED:
        if not (may_act(session, actor, review, "lead") or actor.can("reviews.sign_off")):
            raise Forbidden(
                _l("Only the lead architect or the board verifies a finding's closure.")
            )
    else:
        me = _person_id(session, actor)
        if not (me is not None and me == finding.owner_id) and not may_act(
            session, actor, review, "reviewer"
        ):
            raise Forbidden(
                _l("Only the owner of the finding or the review's architects update it.")
            )
    before = audit.snapshot(finding)
    finding.status = data.status
    if data.status == FindingStatus.VERIFIED:
        finding.verified_by_id, finding.verified_at = actor.user_id, now or utcnow()
    session.add(finding)
    flush(session)
    audit.record(
        session,
        actor,
        "progress",
        "finding",
        finding.id,
        audit.diff(before, audit.snapshot(finding)),
        now=now,
    )
    commit(session)
    return finding


def findings_of(session: Session, review_id: int) -> list[Finding]:
    return list(
        session.exec(
            select(Finding).where(Finding.review_id == review_id).order_by(col(Finding.number))
        ).all()
    )


def _person_id(session: Session, actor: Actor) -> int | None:
    if actor.user_id is None:
        return None
    return session.exec(select(Person.id).where(Person.user_id == actor.user_id)).first()


# --- re-review ----------------------------------------------------------------------------------


def start_rereview(session: Session, actor: Actor, review_id: int) -> Review:
    """A new review of the same subject from a previous one: items and answers are kept, their
    levels reset, so the architects confirm or change each one."""
    require(actor, "reviews.coordinate")
    old = get_review(session, actor, review_id)
    if old.state not in (S.SIGNED_OFF, S.CLOSED):
        raise Conflict(_l("A re-review starts from a review that has been signed off."))
    new = request_review(
        session,
        actor,
        ReviewRequest(
            title=old.title,
            project=old.project,
            board_id=old.board_id,
            checkpoint="periodic",
            contract_id=old.contract_id,
            org_unit_id=old.org_unit_id,
            scope=old.scope,
        ),
        previous_review_id=old.id,
    )
    assert old.id is not None and new.id is not None
    for item in items_of(session, old.id):
        copy = item.model_dump(
            exclude={"id", "review_id", "version", "level", "answered_by_id", "answered_at"}
        )
        session.add(ReviewItem(**copy, review_id=new.id))
    for participant, _person in participants(session, old.id):
        session.add(
            ReviewParticipant(
                review_id=new.id,
                person_id=participant.person_id,
                role=participant.role,
            )
        )
    flush(session)
    audit.record(session, actor, "rereview", "review", new.id, {"previous": old.reference})
    commit(session)
    return new


@dataclass
class Comparison:
    new: list[str]
    changed: list[tuple[str, str | None, str | None]]  # reference, old level, new level
    resolved: list[str]  # non-conformant before, better now
    removed: list[str]
    trend: list[tuple[str, str | None]]  # (reference, overall level), oldest first


def compare_with_previous(session: Session, actor: Actor, review_id: int) -> Comparison | None:
    review = get_review(session, actor, review_id)
    if review.previous_review_id is None:
        return None
    old_items = {i.reference: i for i in items_of(session, review.previous_review_id)}
    new_items = {i.reference: i for i in items_of(session, review.id)}  # type: ignore[arg-type]
    changed: list[tuple[str, str | None, str | None]] = []
    resolved: list[str] = []
    for ref, item in new_items.items():
        before = old_items.get(ref)
        if before is None or item.level is None:
            continue
        if before.level != item.level:
            changed.append((ref, before.level, item.level))
            if before.level == Level.NON_CONFORMANT:
                resolved.append(ref)
    trend: list[tuple[str, str | None]] = []
    cursor: Review | None = review
    seen: set[int] = set()
    while cursor is not None and cursor.id not in seen:
        seen.add(cursor.id)  # type: ignore[arg-type]
        trend.append((cursor.reference, cursor.level))
        cursor = (
            session.get(Review, cursor.previous_review_id) if cursor.previous_review_id else None
        )
    return Comparison(
        new=[r for r in new_items if r not in old_items],
        changed=changed,
        resolved=resolved,
        removed=[r for r in old_items if r not in new_items],
        trend=list(reversed(trend)),
    )
