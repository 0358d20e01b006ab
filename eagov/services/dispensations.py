"""Dispensations (waivers): always time-bound, scoped to named items or standards, with
conditions. requested -> granted | refused; granted -> expired | revoked. On expiry the
subject re-enters the compliance cycle: a new review is requested."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlmodel import Session, col, select

from ..errors import Conflict, Invalid, NotFound
from ..labels import label
from ..models import (
    Dispensation,
    DispensationState,
    Finding,
    Review,
    ReviewDecision,
    ReviewState,
    utcnow,
)
from ..permissions import Actor, require
from ..schemas.reviews import DispensationDecision, DispensationRequest, ReviewRequest
from . import audit, reviews
from .common import add_numbered, check_version, commit, flush

D = DispensationState
DEFAULT_MAX_MONTHS = 12


def latest_expiry(start: date, months: int) -> date:
    """``start`` plus ``months`` calendar months (the last day of a shorter month)."""
    month = start.month - 1 + months
    year, month = start.year + month // 12, month % 12 + 1
    for day in (start.day, 30, 29, 28):
        try:
            return date(year, month, day)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def request(
    session: Session,
    actor: Actor,
    data: DispensationRequest,
    *,
    today: date | None = None,
    max_months: int = DEFAULT_MAX_MONTHS,
    renewal_of_id: int | None = None,
) -> Dispensation:
    """Ask the board to waive named items or standards of a review, until a date."""
    today = today or utcnow().date()
    review = reviews.get_review(session, actor, data.review_id)
    reviews.require_act(session, actor, review, "reviewer")
    from_rejection = review.state in (ReviewState.SIGNED_OFF, ReviewState.CLOSED) and (
        review.decision in (ReviewDecision.REJECTED, ReviewDecision.ACCEPTED_WITH_CONDITIONS)
    )
    if data.finding_id is not None:
        finding = session.get(Finding, data.finding_id)
        if finding is None or finding.review_id != review.id:
            raise Invalid(errors={"finding_id": _l("The finding is not part of this review.")})
    elif not from_rejection:
        raise Conflict(
            _l(
                "A dispensation is requested from a finding, or from a review that was rejected "
                "or accepted with conditions."
            )
        )
    if not data.item_references and not data.standards:
        raise Invalid(errors={"item_references": _l("Name the items or standards to waive.")})
    known = {i.reference for i in reviews.items_of(session, review.id)}  # type: ignore[arg-type]
    unknown = [r for r in data.item_references if r not in known]
    if unknown:
        raise Invalid(
            errors={
                "item_references": _l(
                    "Not items of this review: %(refs)s.", refs=", ".join(unknown)
                )
            }
        )
    _check_expiry(data.requested_expiry, today, max_months, "requested_expiry")
    now = utcnow()
    item = add_numbered(
        session,
        Dispensation,
        now.year,
        lambda number: Dispensation(
            reference=f"DSP-{now.year}-{number:04d}",
            year=now.year,
            number=number,
            requested_by_id=actor.user_id,
            renewal_of_id=renewal_of_id,
            **data.model_dump(),
        ),
    )
    audit.record(session, actor, "request", "dispensation", item.id, audit.snapshot(item))
    commit(session)
    return item


def _check_expiry(expiry: date | None, today: date, max_months: int, field: str) -> date:
    if expiry is None:
        raise Invalid(errors={field: _l("A dispensation always has an expiry date.")})
    if expiry <= today:
        raise Invalid(errors={field: _l("The expiry date must lie in the future.")})
    limit = latest_expiry(today, max_months)
    if expiry > limit:
        raise Invalid(
            errors={
                field: _l(
                    "At most %(months)s months ahead: %(limit)s at the latest.",
                    months=max_months,
                    limit=limit.isoformat(),
                )
            }
        )
    return expiry


def get(session: Session, actor: Actor, dispensation_id: int) -> Dispensation:
    require(actor, "reviews.read")
    item = session.get(Dispensation, dispensation_id)
    if item is None:
        raise NotFound(_l("There is no dispensation with the id %(id)s.", id=dispensation_id))
    return item


def grant(
    session: Session,
    actor: Actor,
    dispensation_id: int,
    data: DispensationDecision,
    expected: int | None,
    *,
    today: date | None = None,
    max_months: int = DEFAULT_MAX_MONTHS,
) -> Dispensation:
    """The board grants, with a mandatory expiry within the allowed maximum."""
    require(actor, "dispensations.decide")
    today = today or utcnow().date()
    item = _in_state(session, actor, dispensation_id, D.REQUESTED, expected)
    expiry = _check_expiry(data.expires_on, today, max_months, "expires_on")
    return _decide(session, actor, item, D.GRANTED, data.note, expires_on=expiry)


def refuse(
    session: Session,
    actor: Actor,
    dispensation_id: int,
    data: DispensationDecision,
    expected: int | None,
) -> Dispensation:
    require(actor, "dispensations.decide")
    item = _in_state(session, actor, dispensation_id, D.REQUESTED, expected)
    if not data.note.strip():
        raise Invalid(errors={"note": _l("Say why the dispensation is refused.")})
    return _decide(session, actor, item, D.REFUSED, data.note)


def revoke(
    session: Session,
    actor: Actor,
    dispensation_id: int,
    data: DispensationDecision,
    expected: int | None,
) -> Dispensation:
    require(actor, "dispensations.decide")
    item = _in_state(session, actor, dispensation_id, D.GRANTED, expected)
    if not data.note.strip():
        raise Invalid(errors={"note": _l("Say why the dispensation is revoked.")})
    return _decide(session, actor, item, D.REVOKED, data.note)


def _in_state(
    session: Session, actor: Actor, dispensation_id: int, state: str, expected: int | None
) -> Dispensation:
    item = get(session, actor, dispensation_id)
    check_version(item, expected)
    if item.state != state:
        raise Conflict(
            _l("Dispensation %(ref)s is %(state)s.", ref=item.reference, state=label(item.state))
        )
    return item


def _decide(
    session: Session, actor: Actor, item: Dispensation, state: str, note: str, **values: Any
) -> Dispensation:
    before = audit.snapshot(item)
    item.state = state
    item.decision_note = note
    item.decided_by_id, item.decided_at = actor.user_id, utcnow()
    for key, value in values.items():
        setattr(item, key, value)
    session.add(item)
    flush(session)
    audit.record(
        session, actor, state, "dispensation", item.id, audit.diff(before, audit.snapshot(item))
    )
    review = session.get(Review, item.review_id)
    if review is not None:
        reviews.store_level(session, review)  # waived items leave the roll-up
    commit(session)
    return item


def expire_due(session: Session, actor: Actor, today: date | None = None) -> list[str]:
    """Granted dispensations past their expiry become expired, and for each one a new review
    of the same subject is requested: it re-enters the compliance cycle."""
    today = today or utcnow().date()
    due = session.exec(
        select(Dispensation).where(
            Dispensation.state == D.GRANTED, col(Dispensation.expires_on) < today
        )
    ).all()
    refs = []
    for item in due:
        old = session.get(Review, item.review_id)
        assert old is not None
        follow_up = reviews.request_review(
            session,
            actor,
            ReviewRequest(
                title=old.title,
                project=old.project,
                board_id=old.board_id,
                checkpoint="ad_hoc",
                contract_id=old.contract_id,
                org_unit_id=old.org_unit_id,
                scope=str(
                    _l(
                        "Follow-up of expired dispensation %(ref)s: %(items)s",
                        ref=item.reference,
                        items=", ".join(item.item_references + item.standards),
                    )
                ),
            ),
            previous_review_id=old.id,
        )
        before = audit.snapshot(item)
        item.state = D.EXPIRED
        item.follow_up_review_id = follow_up.id
        session.add(item)
        flush(session)
        audit.record(
            session,
            actor,
            "expired",
            "dispensation",
            item.id,
            audit.diff(before, audit.snapshot(item)),
        )
        reviews.store_level(session, old)
        commit(session)
        refs.append(item.reference)
    return refs


def renew(
    session: Session,
    actor: Actor,
    dispensation_id: int,
    requested_expiry: date,
    justification: str,
    *,
    today: date | None = None,
    max_months: int = DEFAULT_MAX_MONTHS,
) -> Dispensation:
    """A renewal is a new request linked to the old one, decided afresh by the board."""
    old = get(session, actor, dispensation_id)
    if old.state not in (D.GRANTED, D.EXPIRED):
        raise Conflict(_l("Only a granted or expired dispensation can be renewed."))
    data = DispensationRequest(
        review_id=old.review_id,
        finding_id=old.finding_id,
        item_references=old.item_references,
        standards=old.standards,
        justification=justification,
        conditions=old.conditions,
        requested_expiry=requested_expiry,
    )
    return request(session, actor, data, today=today, max_months=max_months, renewal_of_id=old.id)


@dataclass
class Recurring:
    kind: str  # "item" or "standard"
    key: str
    count: int
    references: list[str]


def recurring(session: Session, actor: Actor, minimum: int = 2) -> list[Recurring]:
    """Items and standards waived again and again: the signal that a policy should change.
    Refused requests do not count; renewals count once per request."""
    require(actor, "reviews.read")
    rows = session.exec(
        select(Dispensation).where(col(Dispensation.state).not_in([D.REFUSED]))
    ).all()
    items: Counter[str] = Counter()
    standards: Counter[str] = Counter()
    refs: dict[tuple[str, str], list[str]] = {}
    for d in rows:
        for ref in set(d.item_references):
            items[ref] += 1
            refs.setdefault(("item", ref), []).append(d.reference)
        for std in set(d.standards):
            standards[std] += 1
            refs.setdefault(("standard", std), []).append(d.reference)
    out = [Recurring("item", k, n, refs[("item", k)]) for k, n in items.items() if n >= minimum]
    out += [
        Recurring("standard", k, n, refs[("standard", k)])
        for k, n in standards.items()
        if n >= minimum
    ]
    return sorted(out, key=lambda r: (-r.count, r.kind, r.key))


def expiring_within(
    session: Session,
    actor: Actor,
    days: int,
    today: date | None = None,
) -> list[Dispensation]:
    require(actor, "reviews.read")
    today = today or utcnow().date()
    horizon = date.fromordinal(today.toordinal() + days)
    return list(
        session.exec(
            select(Dispensation)
            .where(
                Dispensation.state == D.GRANTED,
                col(Dispensation.expires_on) >= today,
                col(Dispensation.expires_on) <= horizon,
            )
            .order_by(col(Dispensation.expires_on))
        ).all()
    )
