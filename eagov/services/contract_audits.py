"""The periodic audit of active contracts.

Once per period (a quarter by default) every active contract is checked against its
effective version: overdue deliverables, missing signatures, the time window, dispensations
about to expire and metrics without a measured value. The result is kept as one
``ContractAudit`` per contract and period; a failed audit notifies the contract's owners.

Both the audit rows and the notifications are inserted with "on conflict do nothing" on
their unique keys, and notifications are only created for the audits this run actually
inserted: running again, after a crash or beside a second scheduler, adds nothing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence, Sized
from datetime import date, datetime, timedelta
from typing import Any

from flask import current_app, has_app_context
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import Insert, and_, or_
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from ..contract_types import spec
from ..models import (
    Board,
    BoardMember,
    BoardRole,
    Contract,
    ContractAudit,
    ContractMetric,
    ContractStatus,
    ContractVersion,
    Deliverable,
    DeliverableStatus,
    Dispensation,
    DispensationState,
    Person,
    ReminderKind,
    ReminderRule,
    Review,
    Role,
    Signature,
    User,
    UserRole,
)
from ..models.reminders import Channel, Notification, NotificationStatus
from ..permissions import SYSTEM
from . import audit
from .common import commit

# How far ahead a window end or a dispensation expiry counts as "about to".
SOON_DAYS = 30
DEFAULT_MONTHS = 3
# Whom a failed audit always notifies: the contract's owners.
DEFAULT_RECIPIENTS = ("lead_architect", "sponsor", "board_chair")
CHECKS = (
    "overdue_deliverables",
    "missing_signatures",
    "time_window",
    "expiring_dispensations",
    "unmeasured_metrics",
)
DONE = (DeliverableStatus.ACCEPTED, DeliverableStatus.WAIVED)


# --- periods ---------------------------------------------------------------------------------


def period_of(day: date, months: int = DEFAULT_MONTHS) -> str:
    """The name of the audit period containing ``day``: "2026-Q4" for quarters, "2026-H2"
    for half years, "2026" for years, "2026-11" for months; other cadences are counted from
    January 2000 and named by their first month ("2026-11/5m")."""
    if months < 1:
        raise ValueError("an audit period is at least one month")
    if months == 12:
        return f"{day.year}"
    if months == 3:
        return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    if months == 6:
        return f"{day.year}-H{(day.month - 1) // 6 + 1}"
    if months == 1:
        return f"{day.year}-{day.month:02d}"
    start = period_start(day, months)
    return f"{start.year}-{start.month:02d}/{months}m"


def period_start(day: date, months: int = DEFAULT_MONTHS) -> date:
    if 12 % months == 0:
        return date(day.year, (day.month - 1) // months * months + 1, 1)
    index = ((day.year - 2000) * 12 + day.month - 1) // months * months
    return date(2000 + index // 12, index % 12 + 1, 1)


def next_period_start(day: date, months: int = DEFAULT_MONTHS) -> date:
    """The first day of the period after the one containing ``day`` (when the next audit is due)."""
    start = period_start(day, months)
    index = start.year * 12 + start.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def audit_rule(session: Session) -> ReminderRule | None:
    return session.exec(
        select(ReminderRule)
        .where(ReminderRule.kind == ReminderKind.CONTRACT_AUDIT)
        .order_by(col(ReminderRule.enabled).desc(), col(ReminderRule.id))
        .limit(1)
    ).first()


def configured_months(rule: ReminderRule | None = None) -> int:
    """The cadence: the contract-audit rule's ``months`` setting (edited in the UI), else
    SCHEDULER_CONTRACT_AUDIT_MONTHS."""
    if rule is not None:
        months = rule.settings.get("months")
        if isinstance(months, int) and months >= 1:
            return months
    if has_app_context():
        return int(current_app.config.get("SCHEDULER_CONTRACT_AUDIT_MONTHS") or DEFAULT_MONTHS)
    return DEFAULT_MONTHS


# --- running ---------------------------------------------------------------------------------


def run_audits(
    session: Session, now: datetime, *, months: int | None = None
) -> list[ContractAudit]:
    """Audit every active contract not yet audited in the current period; returns the audits
    this call created (none when the period was done already)."""
    rule = audit_rule(session)
    months = months or configured_months(rule)
    today = now.date()
    period = period_of(today, months)
    rows = session.exec(
        select(Contract, ContractVersion)
        .join(
            ContractVersion,
            and_(
                col(ContractVersion.contract_id) == Contract.id,
                col(ContractVersion.number) == Contract.effective_version,
            ),
        )
        .where(
            Contract.status == ContractStatus.ACTIVE,
            ~select(ContractAudit.id)
            .where(ContractAudit.contract_id == Contract.id, ContractAudit.period == period)
            .exists(),
        )
        .order_by(col(Contract.id))
    ).all()
    if not rows:
        return []
    checks = _check_all(session, [(c, v) for c, v in rows], today)
    values = [
        {
            "contract_id": contract.id,
            "period": period,
            "audited_on": today,
            "passed": all(c["passed"] for c in checks[contract.id]),  # type: ignore[index]
            "checks": checks[contract.id],  # type: ignore[index]
            "created_at": now,
        }
        for contract, _version in rows
    ]
    stmt = _insert_ignore(session, ContractAudit, values, ["contract_id", "period"])
    inserted_ids = [r[0] for r in session.execute(stmt.returning(col(ContractAudit.id))).all()]
    created = list(
        session.exec(
            select(ContractAudit)
            .where(col(ContractAudit.id).in_(inserted_ids))
            .order_by(col(ContractAudit.contract_id))
        ).all()
    )
    by_id = {contract.id: (contract, version) for contract, version in rows}
    failed = [a for a in created if not a.passed]
    if failed and (rule is None or rule.enabled):
        _notify(session, rule, period, [(a, *by_id[a.contract_id]) for a in failed], now)
    if created:
        # One event per run keeps the audit trail (and the statement count) independent of
        # the number of contracts; the audit rows themselves are the per-contract record.
        audit.record(
            session,
            SYSTEM,
            "audit",
            "contract_audit",
            period,
            {
                "period": period,
                "passed": [by_id[a.contract_id][0].reference for a in created if a.passed],
                "failed": [by_id[a.contract_id][0].reference for a in failed],
            },
            now=now,
        )
    commit(session)
    return created


def _insert_ignore(
    session: Session, model: Any, values: list[dict[str, Any]], keys: list[str]
) -> Insert:
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(model).values(values).on_conflict_do_nothing(index_elements=keys)
    return sqlite.insert(model).values(values).on_conflict_do_nothing(index_elements=keys)


def _check_all(
    session: Session, rows: Sequence[tuple[Contract, ContractVersion]], today: date
) -> dict[int, list[dict[str, Any]]]:
    """Every check for every contract, loading each kind of row once for all of them."""
    version_ids = [v.id for _c, v in rows]
    contract_ids = [c.id for c, _v in rows]
    soon = today + timedelta(days=SOON_DAYS)

    overdue: dict[int, list[Deliverable]] = defaultdict(list)
    for d in session.exec(
        select(Deliverable)
        .where(
            col(Deliverable.version_id).in_(version_ids),
            col(Deliverable.due_date) < today,
            col(Deliverable.status).not_in(DONE),
        )
        .order_by(col(Deliverable.due_date), col(Deliverable.position), col(Deliverable.id))
    ).all():
        overdue[d.version_id].append(d)

    signed: dict[int, set[str]] = defaultdict(set)
    for version_id, capacity in session.exec(
        select(Signature.version_id, Signature.capacity).where(
            col(Signature.version_id).in_(version_ids)
        )
    ).all():
        signed[version_id].add(capacity)

    unmeasured: dict[int, list[ContractMetric]] = defaultdict(list)
    for m in session.exec(
        select(ContractMetric)
        .where(
            col(ContractMetric.version_id).in_(version_ids),
            or_(
                col(ContractMetric.measured_value).is_(None),
                col(ContractMetric.measured_value) == "",
            ),
        )
        .order_by(col(ContractMetric.position), col(ContractMetric.id))
    ).all():
        unmeasured[m.version_id].append(m)

    expiring: dict[int, list[Dispensation]] = defaultdict(list)
    for contract_id, dispensation in session.exec(
        select(Review.contract_id, Dispensation)
        .join(Review, col(Review.id) == Dispensation.review_id)
        .where(
            col(Review.contract_id).in_(contract_ids),
            Dispensation.state == DispensationState.GRANTED,
            col(Dispensation.expires_on).is_not(None),
            col(Dispensation.expires_on) <= soon,
        )
        .order_by(col(Dispensation.expires_on), col(Dispensation.id))
    ).all():
        expiring[contract_id].append(dispensation)  # type: ignore[index]

    result: dict[int, list[dict[str, Any]]] = {}
    for contract, version in rows:
        vid: int = version.id  # type: ignore[assignment]
        late = overdue[vid]
        missing = [c.value for c in spec(contract.type).signatories if c not in signed[vid]]
        window = _window_check(version, today, soon)
        disp = expiring[contract.id]  # type: ignore[index]
        metrics = unmeasured[vid]
        result[contract.id] = [  # type: ignore[index]
            _check(
                "overdue_deliverables",
                late,
                f"{len(late)} deliverable(s) overdue",
                [{"title": d.title, "due_date": d.due_date.isoformat()} for d in late],
            ),
            _check(
                "missing_signatures",
                missing,
                f"{len(missing)} signature(s) missing",
                [{"capacity": c} for c in missing],
            ),
            window,
            _check(
                "expiring_dispensations",
                disp,
                f"{len(disp)} dispensation(s) expiring within {SOON_DAYS} days",
                [
                    {"reference": d.reference, "expires_on": d.expires_on.isoformat()}  # type: ignore[union-attr]
                    for d in disp
                ],
            ),
            _check(
                "unmeasured_metrics",
                metrics,
                f"{len(metrics)} metric(s) without a measured value",
                [{"name": m.name, "target": m.target, "unit": m.unit} for m in metrics],
            ),
        ]
    return result


def _check(name: str, problems: Sized, detail: str, items: list[dict[str, Any]]) -> dict[str, Any]:
    failed = len(problems) > 0
    return {"check": name, "passed": not failed, "detail": detail if failed else "", "items": items}


def _window_check(version: ContractVersion, today: date, soon: date) -> dict[str, Any]:
    problem = ""
    if today < version.window_start:
        problem = "not_started"
    elif today > version.window_end:
        problem = "ended"
    elif version.window_end <= soon:
        problem = "ending_soon"
    detail = {
        "not_started": f"the window starts on {version.window_start.isoformat()}",
        "ended": f"the window ended on {version.window_end.isoformat()}",
        "ending_soon": f"the window ends on {version.window_end.isoformat()}",
    }.get(problem, "")
    item = {
        "problem": problem,
        "window_start": version.window_start.isoformat(),
        "window_end": version.window_end.isoformat(),
    }
    return {
        "check": "time_window",
        "passed": not problem,
        "detail": detail,
        "items": [item] if problem else [],
    }


# --- notifying -------------------------------------------------------------------------------


def _notify(
    session: Session,
    rule: ReminderRule | None,
    period: str,
    failed: list[tuple[ContractAudit, Contract, ContractVersion]],
    now: datetime,
) -> None:
    # The contract's owners always hear of a failed audit; the rule may add others (the
    # review co-ordinators) and decides the channel.
    relations = set(DEFAULT_RECIPIENTS) | set(rule.recipients if rule else ())
    channel = rule.channel if rule else Channel.BOTH
    chairs = _chairs(session, {c.board_id for _a, c, _v in failed}, now.date())
    wanted: dict[int, set[int]] = {}  # contract id -> person ids
    for _audit, contract, version in failed:
        people: set[int | None] = set()
        if "lead_architect" in relations:
            people.add(version.lead_architect_id)
        if "sponsor" in relations or "owner" in relations:
            people.add(version.sponsor_id)
        if "board_chair" in relations:
            people.add(chairs.get(contract.board_id))
        wanted[contract.id] = {p for p in people if p is not None}  # type: ignore[index]
    users = _users_of(session, set().union(*wanted.values()))
    coordinators = _coordinators(session) if "coordinator" in relations else []
    recipients: dict[int, dict[int, User]] = {}  # contract id -> user id -> user
    for contract_id, person_ids in wanted.items():
        found = {u.id: u for p in person_ids if (u := users.get(p)) is not None}
        found.update({u.id: u for u in coordinators})
        recipients[contract_id] = found  # type: ignore[assignment]
    email = channel in (Channel.EMAIL, Channel.BOTH)
    values = []
    for audit_row, contract, version in failed:
        failures = [c for c in audit_row.checks if not c["passed"]]
        for _user_id, user in sorted(recipients[contract.id].items()):  # type: ignore[index]
            title, body = _message(user, contract, version, period, failures)
            values.append(
                {
                    "rule_id": rule.id if rule else None,
                    "kind": ReminderKind.CONTRACT_AUDIT.value,
                    "subject_type": "contract",
                    "subject_id": contract.id,
                    "occurrence": f"audit:{period}",
                    "user_id": user.id,
                    "due_at": now,
                    "late": False,
                    "escalation": False,
                    "title": title[:300],
                    "body": body,
                    "link": f"/contracts/{contract.id}",
                    "email": email,
                    "in_app": channel in (Channel.IN_APP, Channel.BOTH),
                    "status": (
                        NotificationStatus.PENDING if email else NotificationStatus.IN_APP_ONLY
                    ).value,
                    "attempts": 0,
                    "last_error": "",
                    "created_at": now,
                }
            )
    if values:
        keys = ["rule_id", "subject_type", "subject_id", "occurrence", "user_id"]
        session.execute(_insert_ignore(session, Notification, values, keys))


def _chairs(session: Session, board_ids: Iterable[int], today: date) -> dict[int, int]:
    """The current chair (person id) of each board."""
    chairs: dict[int, int] = {}
    for board_id, person_id in session.exec(
        select(BoardMember.board_id, BoardMember.person_id)
        .join(Board, col(Board.id) == BoardMember.board_id)
        .where(
            col(BoardMember.board_id).in_(list(board_ids)),
            BoardMember.role == BoardRole.CHAIR,
            col(BoardMember.term_start) <= today,
            or_(col(BoardMember.term_end).is_(None), col(BoardMember.term_end) >= today),
        )
        .order_by(col(BoardMember.id))
    ).all():
        chairs.setdefault(board_id, person_id)
    return chairs


def _coordinators(session: Session) -> list[User]:
    return list(
        session.exec(
            select(User)
            .join(UserRole, col(UserRole.user_id) == User.id)
            .where(UserRole.role == Role.REVIEW_COORDINATOR, col(User.is_active).is_(True))
            .distinct()
        ).all()
    )


def _users_of(session: Session, person_ids: set[int]) -> dict[int, User]:
    """The active user account of each person that has one."""
    if not person_ids:
        return {}
    return {
        person_id: user
        for person_id, user in session.exec(
            select(Person.id, User)
            .join(User, col(User.id) == Person.user_id)
            .where(col(Person.id).in_(person_ids), col(User.is_active).is_(True))
        ).all()
        if person_id is not None
    }


def _message(
    user: User,
    contract: Contract,
    version: ContractVersion,
    period: str,
    failures: list[dict[str, Any]],
) -> tuple[str, str]:
    """Title and plain-text body in the recipient's language (when the app is there to
    translate; the scheduler always runs inside it)."""

    def build() -> tuple[str, str]:
        title = _(
            "Contract audit %(period)s: %(ref)s needs attention",
            period=period,
            ref=contract.reference,
        )
        lines = [
            _(
                "The periodic audit of %(ref)s %(title)s found problems:",
                ref=contract.reference,
                title=version.title,
            )
        ]
        lines += [f"- {check_label(c['check'])}: {c['detail']}" for c in failures]
        return title, "\n".join(lines)

    if not has_app_context():
        return build()
    cfg = current_app.config
    locale = user.locale if user.locale in cfg["LANGUAGES"] else str(cfg["DEFAULT_LOCALE"])
    with force_locale(locale):
        return build()


def check_label(code: str) -> str:
    return {
        "overdue_deliverables": _("Overdue deliverables"),
        "missing_signatures": _("Missing signatures"),
        "time_window": _("Time window"),
        "expiring_dispensations": _("Dispensations about to expire"),
        "unmeasured_metrics": _("Metrics without a measured value"),
    }.get(code, code)


# --- reading ---------------------------------------------------------------------------------


def audits_of(session: Session, contract: Contract, limit: int = 8) -> list[ContractAudit]:
    """The latest audits, newest first, of a contract the caller has read with
    ``get_contract`` (which checks that the actor may see it)."""
    return list(
        session.exec(
            select(ContractAudit)
            .where(ContractAudit.contract_id == contract.id)
            .order_by(col(ContractAudit.audited_on).desc(), col(ContractAudit.id).desc())
            .limit(limit)
        ).all()
    )
