"""Governance KPIs: how well the architecture function performs over a period, for all boards
and units or for one board and/or one unit (with the units below it).

``compute`` returns a :class:`KpiReport`: one :class:`Measure` per figure (value, the counts
behind it and its definition) and a monthly series for the charts. The page, the API and the
CSV/XLSX exports all show this one report, so they never disagree.

Counting is done in SQL where the databases agree on it (counts, sums and averages; months
are bucketed with a CASE over UTC month boundaries, which behaves the same on SQLite and
PostgreSQL whatever the session time zone). Medians and date-against-timestamp comparisons
read the few columns they need and finish in Python. Either way the number of statements is
fixed, whatever the amount of data.

Each group of measures is one function in ``MEASURE_GROUPS``; ``PENDING`` names measures that
wait for data from an area not in use yet (none at the moment). The maturity trend per unit
reads published maturity assessments; the skills coverage per role reads the skills tables
directly (held roles, role requirements and the latest agreed skill assessments), so it
needs no acting user's view of people's skills and stays one fixed set of statements.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, func, literal, or_
from sqlmodel import Session, col, select

from ..conformance import Level
from ..errors import Invalid, Message
from ..i18n import in_language
from ..models import (
    Action,
    ActionStatus,
    AssessmentState,
    Board,
    Contract,
    ContractVersion,
    Decision,
    Deliverable,
    DeliverableStatus,
    Dispensation,
    DispensationState,
    GovernanceRequest,
    MaturityAssessment,
    MaturityModel,
    OrgUnit,
    Person,
    PersonRole,
    RequestState,
    Review,
    ReviewState,
    RoleRelation,
    RoleRequirement,
    Signature,
    SkillAssessment,
    SkillRole,
    SurveyInvitation,
    utcnow,
)
from ..permissions import Actor, require
from ..schemas.kpis import KpiQuery, Preset
from . import service_targets
from .org_queries import subtree_ids

Unit = Literal["percent", "days", "count", "rating", "levels"]

# Levels that count as "compliant or better".
GOOD_LEVELS = (Level.COMPLIANT.value, Level.CONFORMANT.value, Level.FULLY_CONFORMANT.value)
EXPIRING_DAYS = 30
RECURRING_MINIMUM = 2
MAX_PERIOD_DAYS = 3660
_OPEN_REQUEST_STATES = (
    RequestState.NEW.value,
    RequestState.ASSIGNED.value,
    RequestState.IN_PROGRESS.value,
    RequestState.ESCALATED.value,
)
_GRANTED = (DispensationState.GRANTED.value, DispensationState.EXPIRED.value)


# --- the report ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Measure:
    """One figure. ``numerator``/``denominator`` explain a share; ``sample`` is the number of
    cases an average or median is taken over. ``by_unit`` is False for figures the unit
    filter does not narrow (they then cover every unit)."""

    key: str
    group: str
    title: Message
    definition: Message
    unit: Unit
    value: float | int | None
    numerator: int | None = None
    denominator: int | None = None
    sample: int | None = None
    by_unit: bool = True


@dataclass(frozen=True)
class Month:
    start: date  # the first day of the month
    reviews_signed_off: int = 0
    reviews_compliant: int = 0
    requests_received: int = 0
    requests_resolved: int = 0
    dispensations_granted: int = 0

    @property
    def share_compliant(self) -> float | None:
        return _percent(self.reviews_compliant, self.reviews_signed_off)


@dataclass(frozen=True)
class Pending:
    key: str
    title: Message
    note: Message


@dataclass(frozen=True)
class KpiReport:
    period_start: date
    period_end: date
    # Stock figures (active, expiring, overdue) are counted on this day: the period's end,
    # or today when the period ends in the future.
    as_of: date
    board_id: int | None
    board_name: str | None
    org_unit_id: int | None
    org_unit_name: str | None
    measures: list[Measure]
    months: list[Month]
    pending: list[Pending] = field(default_factory=list)

    def measure(self, key: str) -> Measure:
        return next(m for m in self.measures if m.key == key)

    def groups(self) -> list[tuple[str, list[Measure]]]:
        out: dict[str, list[Measure]] = {}
        for m in self.measures:
            out.setdefault(m.group, []).append(m)
        return list(out.items())


GROUP_TITLES: dict[str, Message] = {
    "reviews": _l("Compliance reviews"),
    "dispensations": _l("Dispensations"),
    "contracts": _l("Contracts"),
    "requests": _l("Governance requests"),
    "board": _l("Board activity"),
    "maturity": _l("Maturity trend per unit"),
    "skills": _l("Skills coverage per role"),
}

PENDING: list[Pending] = []


# --- the period ----------------------------------------------------------------------------------


def _first_of_month(day: date, back: int = 0) -> date:
    index = day.year * 12 + day.month - 1 - back
    return date(index // 12, index % 12 + 1, 1)


def preset_period(preset: Preset, today: date) -> tuple[date, date]:
    if preset == Preset.LAST_30_DAYS:
        return today - timedelta(days=29), today
    if preset == Preset.QUARTER_TO_DATE:
        return date(today.year, (today.month - 1) // 3 * 3 + 1, 1), today
    if preset == Preset.YEAR_TO_DATE:
        return date(today.year, 1, 1), today
    return _first_of_month(today, 11), today


def resolve_period(query: KpiQuery, today: date) -> tuple[date, date]:
    """The period a query asks for; Invalid (on ``from``/``to``) when it makes no sense."""
    if query.period_from is None and query.period_to is None:
        return preset_period(query.preset or Preset.LAST_12_MONTHS, today)
    end = query.period_to or today
    start = query.period_from or _first_of_month(end, 11)
    if end < start:
        raise Invalid(errors={"to": _l("The end of the period must not lie before its start.")})
    if (end - start).days >= MAX_PERIOD_DAYS:
        raise Invalid(errors={"from": _l("Choose a period of at most ten years.")})
    return start, end


def _utc(day: date) -> datetime:
    return datetime.combine(day, time(), UTC)


@dataclass(frozen=True)
class Scope:
    """What every measure is computed over: the period (as UTC instants), the filters."""

    session: Session
    start: date
    end: date
    as_of: date
    now: datetime
    board_id: int | None
    unit_ids: frozenset[int] | None  # the unit and the units below it; None: all units
    months: tuple[date, ...]

    @property
    def lower(self) -> datetime:
        return _utc(self.start)

    @property
    def upper(self) -> datetime:  # exclusive
        return _utc(self.end + timedelta(days=1))

    def within(self, column: Any) -> list[Any]:
        return [col(column) >= self.lower, col(column) < self.upper]

    def month_of(self, column: Any) -> Any:
        """The index of the month a timestamp in the period falls in (0 = the first)."""
        bounds = [_utc(_first_of_month(m, -1)) for m in self.months[:-1]]
        if not bounds:
            return literal(0)
        return case(*[(col(column) < b, i) for i, b in enumerate(bounds)], else_=len(bounds))

    def board(self, column: Any) -> list[Any]:
        return [] if self.board_id is None else [col(column) == self.board_id]

    def unit(self, *columns: Any) -> list[Any]:
        if self.unit_ids is None:
            return []
        return [or_(*(col(c).in_(self.unit_ids) for c in columns))]

    def monthly(self, month: Any, *where: Any, extra: Any = None) -> dict[int, tuple[int, int]]:
        """Counts per month index (and the sum of ``extra`` per month, when given)."""
        columns = [month.label("m"), (extra if extra is not None else literal(0)).label("x")]
        sub = select(*columns).where(*where).subquery()
        rows = self.session.exec(
            select(sub.c.m, func.count(), func.sum(sub.c.x)).group_by(sub.c.m)
        ).all()
        return {int(m): (int(n), int(x or 0)) for m, n, x in rows}


def _percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _days(delta: timedelta) -> float:
    return delta.total_seconds() / 86400


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _median(values: Sequence[float]) -> float | None:
    return round(statistics.median(values), 1) if values else None


def _mean(values: Sequence[float]) -> float | None:
    return round(statistics.fmean(values), 1) if values else None


# --- the measures --------------------------------------------------------------------------------

Series = dict[str, dict[int, int]]


def _reviews(scope: Scope, series: Series) -> list[Measure]:
    level = func.coalesce(col(Review.level_override), col(Review.computed_level))
    where = [
        col(Review.state).in_([ReviewState.SIGNED_OFF.value, ReviewState.CLOSED.value]),
        *scope.within(Review.signed_off_at),
        *scope.board(Review.board_id),
        *scope.unit(Review.org_unit_id),
    ]
    good = case((level.in_(GOOD_LEVELS), 1), else_=0)
    counts = scope.monthly(scope.month_of(Review.signed_off_at), *where, extra=good)
    series["reviews_signed_off"] = {m: n for m, (n, _ok) in counts.items()}
    series["reviews_compliant"] = {m: ok for m, (_n, ok) in counts.items()}
    total = sum(n for n, _ok in counts.values())
    compliant = sum(ok for _n, ok in counts.values())
    spans = [
        _days(_aware(signed) - _aware(asked))
        for asked, signed in scope.session.exec(
            select(Review.requested_at, Review.signed_off_at).where(*where)
        ).all()
        if signed is not None
    ]
    return [
        Measure(
            "reviews_compliant_share",
            "reviews",
            _l("Reviews compliant or better"),
            _l(
                "Of the reviews signed off in the period, the share whose overall level (the "
                "override, else the computed level) is compliant, conformant or fully "
                "conformant."
            ),
            "percent",
            _percent(compliant, total),
            numerator=compliant,
            denominator=total,
        ),
        Measure(
            "review_cycle_median_days",
            "reviews",
            _l("Review cycle time (median)"),
            _l(
                "Median number of days from the request to the sign-off, over the reviews "
                "signed off in the period."
            ),
            "days",
            _median(spans),
            sample=len(spans),
        ),
        Measure(
            "review_cycle_mean_days",
            "reviews",
            _l("Review cycle time (mean)"),
            _l(
                "Mean number of days from the request to the sign-off, over the reviews "
                "signed off in the period."
            ),
            "days",
            _mean(spans),
            sample=len(spans),
        ),
    ]


def _dispensations(scope: Scope, series: Series) -> list[Measure]:
    in_scope = [*scope.board(Review.board_id), *scope.unit(Review.org_unit_id)]
    joined = col(Review.id) == Dispensation.review_id
    as_of_end = _utc(scope.as_of + timedelta(days=1))
    active = and_(
        col(Dispensation.state).in_(_GRANTED),
        col(Dispensation.decided_at) < as_of_end,
        col(Dispensation.expires_on) >= scope.as_of,
    )
    expiring = and_(
        active, col(Dispensation.expires_on) <= scope.as_of + timedelta(days=EXPIRING_DAYS)
    )
    n_active, n_expiring = scope.session.exec(
        select(
            func.coalesce(func.sum(case((active, 1), else_=0)), 0),
            func.coalesce(func.sum(case((expiring, 1), else_=0)), 0),
        )
        .select_from(Dispensation)
        .join(Review, joined)
        .where(*in_scope)
    ).one()
    month = scope.month_of(Dispensation.decided_at)
    sub = (
        select(month.label("m"))
        .select_from(Dispensation)
        .join(Review, joined)
        .where(
            col(Dispensation.state).in_(_GRANTED),
            *scope.within(Dispensation.decided_at),
            *in_scope,
        )
        .subquery()
    )
    granted = {
        int(m): int(n)
        for m, n in scope.session.exec(select(sub.c.m, func.count()).group_by(sub.c.m)).all()
    }
    series["dispensations_granted"] = granted
    waived: Counter[tuple[str, str]] = Counter()
    for items, standards in scope.session.exec(
        select(Dispensation.item_references, Dispensation.standards)
        .join(Review, joined)
        .where(
            col(Dispensation.state) != DispensationState.REFUSED.value,
            col(Dispensation.requested_at) < scope.upper,
            *in_scope,
        )
    ).all():
        waived.update(("item", ref) for ref in set(items or []))
        waived.update(("standard", std) for std in set(standards or []))
    recurring = sum(1 for n in waived.values() if n >= RECURRING_MINIMUM)
    return [
        Measure(
            "dispensations_active",
            "dispensations",
            _l("Active dispensations"),
            _l(
                "Dispensations granted on or before the end of the period that had not expired "
                "by then (revoked ones are left out)."
            ),
            "count",
            int(n_active),
        ),
        Measure(
            "dispensations_expiring",
            "dispensations",
            _l("Dispensations expiring within 30 days"),
            _l("Active dispensations that expire within 30 days after the end of the period."),
            "count",
            int(n_expiring),
        ),
        Measure(
            "dispensations_recurring",
            "dispensations",
            _l("Recurring dispensations"),
            _l(
                "Review items and standards waived by at least two dispensation requests up "
                "to the end of the period (refused requests do not count): the signal that "
                "a policy or standard should change."
            ),
            "count",
            recurring,
        ),
        Measure(
            "dispensations_granted",
            "dispensations",
            _l("Dispensations granted"),
            _l("Dispensations granted by the board in the period (still granted or expired)."),
            "count",
            sum(granted.values()),
        ),
    ]


def _current_version() -> Any:
    return and_(
        col(ContractVersion.contract_id) == Contract.id,
        col(ContractVersion.number)
        == func.coalesce(col(Contract.effective_version), col(Contract.latest_version)),
    )


def _contracts(scope: Scope, series: Series) -> list[Measure]:
    units = scope.unit(ContractVersion.architecture_unit_id, ContractVersion.counterparty_unit_id)
    # The version in force carries the acceptance over from earlier versions: counting only
    # it counts each deliverable once.
    accepted = scope.session.exec(
        select(col(Deliverable.accepted_at), col(Deliverable.due_date))
        .join(ContractVersion, col(ContractVersion.id) == Deliverable.version_id)
        .join(Contract, _current_version())
        .where(
            Deliverable.status == DeliverableStatus.ACCEPTED.value,
            *scope.within(Deliverable.accepted_at),
            *scope.board(Contract.board_id),
            *units,
        )
    ).all()
    on_time = sum(1 for at, due in accepted if at is not None and _aware(at).date() <= due)
    last_signature = func.max(Signature.signed_at)
    signed = scope.session.exec(
        select(ContractVersion.approved_at, last_signature)
        .join(Contract, col(Contract.id) == ContractVersion.contract_id)
        .join(Signature, col(Signature.version_id) == ContractVersion.id)
        .where(
            *scope.within(ContractVersion.signed_at),
            col(ContractVersion.approved_at).is_not(None),
            *scope.board(Contract.board_id),
            *units,
        )
        .group_by(col(ContractVersion.id), col(ContractVersion.approved_at))
    ).all()
    leads = [
        _days(_aware(last) - _aware(approved)) for approved, last in signed if last and approved
    ]
    return [
        Measure(
            "deliverables_on_time_share",
            "contracts",
            _l("Deliverables accepted on time"),
            _l(
                "Of the contract deliverables accepted in the period, the share accepted on or "
                "before their due date."
            ),
            "percent",
            _percent(on_time, len(accepted)),
            numerator=on_time,
            denominator=len(accepted),
        ),
        Measure(
            "signature_lead_median_days",
            "contracts",
            _l("Contract signature lead time (median)"),
            _l(
                "Median number of days from the approval of a contract version to its last "
                "signature, over the versions that came into force in the period."
            ),
            "days",
            _median(leads),
            sample=len(leads),
        ),
    ]


def _requests(scope: Scope, series: Series) -> list[Measure]:
    session = scope.session
    in_scope = [
        *scope.board(GovernanceRequest.board_id),
        *scope.unit(GovernanceRequest.org_unit_id),
    ]
    targets = service_targets.targets(session)
    received = scope.monthly(
        scope.month_of(GovernanceRequest.submitted_at),
        *scope.within(GovernanceRequest.submitted_at),
        *in_scope,
    )
    series["requests_received"] = {m: n for m, (n, _x) in received.items()}
    resolved = scope.monthly(
        scope.month_of(GovernanceRequest.resolved_at),
        *scope.within(GovernanceRequest.resolved_at),
        *in_scope,
    )
    series["requests_resolved"] = {m: n for m, (n, _x) in resolved.items()}
    met = total = 0
    for request in session.exec(
        select(GovernanceRequest).where(*scope.within(GovernanceRequest.resolved_at), *in_scope)
    ).all():
        standing = service_targets.standing(
            request, targets.get(request.priority) or targets["normal"], scope.now
        )
        # A request resolved without a separate first response was answered by its resolution.
        responded = standing.response_met
        if responded is None and request.resolved_at is not None:
            responded = _aware(request.resolved_at) <= standing.response_due
        total += 1
        met += bool(responded and standing.resolution_met)
    breached = session.exec(
        select(func.count())
        .select_from(GovernanceRequest)
        .where(
            col(GovernanceRequest.state).in_(_OPEN_REQUEST_STATES),
            service_targets.breached_clause(session, scope.now),
            *in_scope,
        )
    ).one()
    rating_count, rating_avg = session.exec(
        select(func.count(), func.avg(SurveyInvitation.rating))
        .select_from(SurveyInvitation)
        .join(GovernanceRequest, col(GovernanceRequest.id) == SurveyInvitation.request_id)
        .where(
            col(SurveyInvitation.rating).is_not(None),
            *scope.within(SurveyInvitation.answered_at),
            *in_scope,
        )
    ).one()
    return [
        Measure(
            "requests_targets_met_share",
            "requests",
            _l("Requests within service targets"),
            _l(
                "Of the requests resolved in the period, the share that met both the "
                "first-response and the resolution target of their priority (a resolution "
                "without an earlier response counts as the response)."
            ),
            "percent",
            _percent(met, total),
            numerator=met,
            denominator=total,
        ),
        Measure(
            "requests_breached",
            "requests",
            _l("Open requests past a service target"),
            _l(
                "Requests still open now whose first-response or resolution target has "
                "passed (not limited to the period)."
            ),
            "count",
            int(breached),
        ),
        Measure(
            "satisfaction_average",
            "requests",
            _l("Satisfaction (average rating)"),
            _l("Mean rating (1 to 5) of the satisfaction surveys answered in the period."),
            "rating",
            round(float(rating_avg), 2) if rating_count else None,
            sample=int(rating_count),
        ),
    ]


def _board(scope: Scope, series: Series) -> list[Measure]:
    decisions = scope.session.exec(
        select(func.count())
        .select_from(Decision)
        .where(
            col(Decision.decided_on) >= scope.start,
            col(Decision.decided_on) <= scope.end,
            *scope.board(Decision.board_id),
        )
    ).one()
    overdue = scope.session.exec(
        select(func.count())
        .select_from(Action)
        .where(
            col(Action.due_on) < scope.as_of,
            col(Action.status) != ActionStatus.CANCELLED.value,
            or_(col(Action.resolved_on).is_(None), col(Action.resolved_on) > scope.as_of),
            col(Action.raised_on) <= scope.as_of,
            *scope.board(Action.board_id),
        )
    ).one()
    return [
        Measure(
            "decisions_taken",
            "board",
            _l("Decisions taken"),
            _l("Decisions recorded in the decision log with a decision date in the period."),
            "count",
            int(decisions),
            by_unit=False,
        ),
        Measure(
            "actions_overdue",
            "board",
            _l("Actions overdue"),
            _l(
                "Board actions past their due date at the end of the period and not done by "
                "then (cancelled actions are left out)."
            ),
            "count",
            int(overdue),
            by_unit=False,
        ),
    ]


def _maturity(scope: Scope, series: Series) -> list[Measure]:
    """Per unit, the model of its latest published assessment (published by the end of the
    period); with an earlier published assessment of that model, the change of the overall
    score from that one to the latest."""
    rows = scope.session.exec(
        select(
            MaturityAssessment.org_unit_id,
            MaturityModel.key,
            MaturityAssessment.overall_score,
        )
        .join(MaturityModel, col(MaturityModel.id) == MaturityAssessment.model_id)
        .where(
            MaturityAssessment.state == AssessmentState.PUBLISHED.value,
            col(MaturityAssessment.published_at) < scope.upper,
            col(MaturityAssessment.overall_score).is_not(None),
            *scope.unit(MaturityAssessment.org_unit_id),
        )
        .order_by(
            col(MaturityAssessment.assessed_on),
            col(MaturityAssessment.published_at),
            col(MaturityAssessment.id),
        )
    ).all()
    by_unit: dict[int, list[tuple[str, float]]] = {}  # oldest first
    for unit, key, score in rows:
        if score is not None:
            by_unit.setdefault(unit, []).append((key, score))
    changes: list[float] = []
    for history in by_unit.values():
        latest_key, latest_score = history[-1]
        same_model = [score for key, score in history[:-1] if key == latest_key]
        if same_model:
            changes.append(float(latest_score) - float(same_model[-1]))
    compared = len(changes)
    up = sum(1 for c in changes if c > 0)
    down = sum(1 for c in changes if c < 0)
    return [
        Measure(
            "maturity_units_improving",
            "maturity",
            _l("Units improving"),
            _l(
                "Units whose latest published maturity assessment (by the end of the period) "
                "scores higher overall than their previous published assessment of the same "
                "model; out of the units with two such assessments."
            ),
            "count",
            up,
            numerator=up,
            denominator=compared,
        ),
        Measure(
            "maturity_units_declining",
            "maturity",
            _l("Units declining"),
            _l(
                "Units whose latest published maturity assessment scores lower overall than "
                "their previous published assessment of the same model."
            ),
            "count",
            down,
            numerator=down,
            denominator=compared,
        ),
        Measure(
            "maturity_mean_change",
            "maturity",
            _l("Mean change of the maturity score"),
            _l(
                "Mean change of the overall maturity score (in levels) from the previous to "
                "the latest published assessment of the same model, over the units that have "
                "both."
            ),
            "levels",
            round(statistics.fmean(changes), 2) if changes else None,
            sample=compared,
        ),
    ]


def _skills(scope: Scope, series: Series) -> list[Measure]:
    """For every role people hold (on the counting day), the share of its holders who meet
    every requirement of its profile with their latest agreed assessment by that day."""
    session = scope.session
    held_where = [
        PersonRole.relation == RoleRelation.HELD.value,
        or_(col(PersonRole.since).is_(None), col(PersonRole.since) <= scope.as_of),
        *scope.unit(Person.org_unit_id),
    ]
    held = session.exec(
        select(PersonRole.person_id, PersonRole.role_id, SkillRole.key, SkillRole.name)
        .join(Person, col(Person.id) == PersonRole.person_id)
        .join(SkillRole, col(SkillRole.id) == PersonRole.role_id)
        .where(*held_where)
        .order_by(col(SkillRole.position), col(SkillRole.id))
    ).all()
    held_roles = (
        select(PersonRole.role_id)
        .join(Person, col(Person.id) == PersonRole.person_id)
        .where(*held_where)
    )
    held_people = (
        select(PersonRole.person_id)
        .join(Person, col(Person.id) == PersonRole.person_id)
        .where(*held_where)
    )
    profile: dict[int, dict[int, int]] = {}
    for role_id, skill_id, level in session.exec(
        select(RoleRequirement.role_id, RoleRequirement.skill_id, RoleRequirement.level).where(
            col(RoleRequirement.role_id).in_(held_roles)
        )
    ).all():
        profile.setdefault(role_id, {})[skill_id] = level
    current: dict[tuple[int, int], int] = {}
    for person_id, skill_id, level in session.exec(
        select(SkillAssessment.person_id, SkillAssessment.skill_id, SkillAssessment.level)
        .where(
            col(SkillAssessment.agreed).is_(True),
            col(SkillAssessment.assessed_on) <= scope.as_of,
            col(SkillAssessment.person_id).in_(held_people),
        )
        .order_by(
            col(SkillAssessment.assessed_on),
            col(SkillAssessment.created_at),
            col(SkillAssessment.id),
        )
    ).all():
        current[(person_id, skill_id)] = level  # the latest wins
    roles: dict[int, tuple[str, dict[str, str], set[int], set[int]]] = {}
    for person_id, role_id, key, name in held:
        required = profile.get(role_id)
        if not required:
            continue  # a role without a profile has nothing to meet
        entry = roles.setdefault(role_id, (key, dict(name or {}), set(), set()))
        entry[2].add(person_id)
        if all(current.get((person_id, skill), 0) >= lv for skill, lv in required.items()):
            entry[3].add(person_id)
    holders = sum(len(e[2]) for e in roles.values())
    meeting = sum(len(e[3]) for e in roles.values())
    out = [
        Measure(
            "skills_coverage_share",
            "skills",
            _l("Role holders meeting their profile"),
            _l(
                "Of the people holding a role of the skills framework at the end of the period "
                "(each person counted once per role), the share whose latest agreed skill "
                "levels by then meet every requirement of the role's profile."
            ),
            "percent",
            _percent(meeting, holders),
            numerator=meeting,
            denominator=holders,
        )
    ]
    for key, name, people, met in roles.values():
        out.append(
            Measure(
                f"skills_coverage_{key}",
                "skills",
                LazyString(in_language, name) if name else key,
                _l("Holders of this role who meet its profile, as above."),
                "percent",
                _percent(len(met), len(people)),
                numerator=len(met),
                denominator=len(people),
            )
        )
    return out


MEASURE_GROUPS: list[Callable[[Scope, Series], list[Measure]]] = [
    _reviews,
    _dispensations,
    _contracts,
    _requests,
    _board,
    _maturity,
    _skills,
]


# --- the use case --------------------------------------------------------------------------------


def compute(
    session: Session,
    actor: Actor,
    period_start: date,
    period_end: date,
    board_id: int | None = None,
    org_unit_id: int | None = None,
    today: date | None = None,
    now: datetime | None = None,
) -> KpiReport:
    """Every measure for the period (both days included) and the filters."""
    require(actor, "kpis.read")
    if period_end < period_start:
        raise Invalid(errors={"to": _l("The end of the period must not lie before its start.")})
    now = now or (utcnow() if today is None else datetime.combine(today, time.max, UTC))
    today = today or now.date()
    board_name = unit_name = None
    if board_id is not None:
        board_name = session.exec(select(Board.name).where(Board.id == board_id)).first()
        if board_name is None:
            raise Invalid(errors={"board_id": _l("There is no such board.")})
    unit_ids = None
    if org_unit_id is not None:
        unit_name = session.exec(select(OrgUnit.name).where(OrgUnit.id == org_unit_id)).first()
        if unit_name is None:
            raise Invalid(errors={"org_unit_id": _l("There is no such organisation unit.")})
        unit_ids = frozenset(subtree_ids(session, org_unit_id))
    months, month = [], _first_of_month(period_start)
    while month <= period_end:
        months.append(month)
        month = _first_of_month(month, -1)
    scope = Scope(
        session=session,
        start=period_start,
        end=period_end,
        as_of=min(period_end, today),
        now=now,
        board_id=board_id,
        unit_ids=unit_ids,
        months=tuple(months),
    )
    series: Series = {}
    measures = [m for group in MEASURE_GROUPS for m in group(scope, series)]

    def at(name: str, index: int) -> int:
        return series.get(name, {}).get(index, 0)

    return KpiReport(
        period_start=period_start,
        period_end=period_end,
        as_of=scope.as_of,
        board_id=board_id,
        board_name=board_name,
        org_unit_id=org_unit_id,
        org_unit_name=unit_name,
        measures=measures,
        months=[
            Month(
                start=start,
                reviews_signed_off=at("reviews_signed_off", i),
                reviews_compliant=at("reviews_compliant", i),
                requests_received=at("requests_received", i),
                requests_resolved=at("requests_resolved", i),
                dispensations_granted=at("dispensations_granted", i),
            )
            for i, start in enumerate(months)
        ],
        pending=list(PENDING),
    )


def compute_for(
    session: Session, actor: Actor, query: KpiQuery, today: date | None = None
) -> KpiReport:
    """``compute`` for a parsed query (the page and the API use this)."""
    require(actor, "kpis.read")
    today = today or utcnow().date()
    start, end = resolve_period(query, today)
    return compute(session, actor, start, end, query.board_id, query.org_unit_id, today=today)
