"""Reminder rules and the sweep that turns them into notifications.

An occurrence is one moment a rule reminds about one subject. Its key names the kind of
moment, the number of days (or hours) and the subject's anchor at the time, e.g.
``before:7:2026-12-01`` (7 days before an anchor of 1 December), ``hours:4:2026-12-01T09:00Z``,
``overdue:14:2026-12-01`` (14 days after it, still open) and ``escalate:2026-12-01``. A moved
due date therefore makes new occurrences, and the old pending ones are cancelled as stale.

A date anchor counts from 00:00 UTC of its day; the delivery side shows it in the recipient's
own time zone and language. The sweep covers the due moments in (covered_until, now] and
inserts one notification per occurrence and recipient with ``ON CONFLICT DO NOTHING`` on the
unique key, so a second sweep over the same span, a second scheduler or a restart after a
crash can never make a second row. ``covered_until`` only moves once everything up to ``now``
is in; a crash in between loses nothing (the next sweep starts from the old mark).

The sweep and the preview share ``plan``: the preview is the sweep without the insert.
Notifications are not audit events (there would be thousands); the rules are audited.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Iterator, Mapping
from contextlib import AbstractContextManager, nullcontext
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from flask import current_app, has_app_context
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from ..errors import Invalid, Message
from ..models import (
    Channel,
    Notification,
    NotificationPreference,
    NotificationStatus,
    ReminderKind,
    ReminderRule,
    SchedulerState,
    User,
)
from ..permissions import SYSTEM, Actor, require
from ..schemas.reminders import (
    ASSIGNEE,
    ATTENDEES,
    COORDINATOR,
    FACILITATOR,
    LEAD_ARCHITECT,
    MANAGER,
    OWNER,
    PERSON,
    SPONSOR,
    RuleCreate,
    RuleFields,
    RuleUpdate,
    kind_problems,
)
from . import audit, common
from .reminder_sources import Anchor, AnchorSpan, Subject, aware, subjects

K = ReminderKind
SWEEP_JOB = "sweep"
LATE_AFTER = timedelta(hours=1)
BATCH = 500
FIRST_LOOKBACK_DAYS = 1
CATCH_UP_MAX_DAYS = 31

# --- rules -----------------------------------------------------------------------------------


def _rule(kind: str, name: str, recipients: list[str], **values: Any) -> ReminderRule:
    return ReminderRule(kind=kind, name=name, recipients=recipients, **values)


def default_rules() -> list[ReminderRule]:
    """The rules a new installation starts with: one per kind, all on, e-mail and in-app."""
    return [
        _rule(
            K.DELIVERABLE_DUE,
            "Deliverable due",
            [OWNER, LEAD_ARCHITECT],
            offsets=[30, 7, 1, 0],
            overdue_every_days=7,
            escalate_after_days=14,
        ),
        _rule(
            K.CONTRACT_ENDING,
            "Contract ending",
            [SPONSOR, LEAD_ARCHITECT, COORDINATOR],
            offsets=[60, 30, 7],
        ),
        _rule(
            K.CONTRACT_AUDIT,
            "Quarterly contract audit",
            [LEAD_ARCHITECT, COORDINATOR],
            offsets=[7, 0],
            settings={"months": 3},
        ),
        _rule(
            K.REVIEW_STEP_DUE, "Review step due", [LEAD_ARCHITECT, COORDINATOR], offsets=[7, 1, 0]
        ),
        _rule(
            K.DISPENSATION_EXPIRING,
            "Dispensation expiring",
            [OWNER, LEAD_ARCHITECT],
            offsets=[30, 7, 0],
        ),
        _rule(
            K.ACTION_DUE,
            "Board action due",
            [OWNER],
            offsets=[7, 1, 0],
            overdue_every_days=7,
            escalate_after_days=14,
        ),
        _rule(K.MEETING_UPCOMING, "Board meeting upcoming", [ATTENDEES], offsets=[7, 1]),
        _rule(
            K.MATURITY_REASSESSMENT,
            "Maturity reassessment due",
            [COORDINATOR, FACILITATOR],
            offsets=[30, 0],
            overdue_every_days=30,
            settings={"months": 12},
        ),
        # Requests live in hours: 4 hours before the resolution target and on breach, then
        # daily; the assignee's manager (else the board chair) hears after 2 days.
        _rule(
            K.REQUEST_TARGET,
            "Request resolution target",
            [ASSIGNEE],
            offsets=[0],
            overdue_every_days=1,
            escalate_after_days=2,
            settings={"hours_before": 4},
        ),
        _rule(
            K.SKILLS_REASSESSMENT,
            "Skills reassessment due",
            [PERSON, MANAGER],
            offsets=[30, 0],
            overdue_every_days=30,
            settings={"months": 12},
        ),
    ]


def ensure_default_rules(session: Session) -> list[ReminderRule]:
    """Add the default rule of every kind that has no rule yet (idempotent). A kind is
    silenced by switching its rule off: a kind left without any rule gets its default back."""
    have = set(session.exec(select(ReminderRule.kind).distinct()).all())
    added = []
    for rule in default_rules():
        if rule.kind not in have:
            session.add(rule)
            common.flush(session)
            audit.record(session, SYSTEM, "create", "reminder_rule", rule.id, audit.snapshot(rule))
            added.append(rule)
    if added:
        common.commit(session)
    return added


def list_rules(session: Session, actor: Actor) -> list[ReminderRule]:
    require(actor, "reminders.read")
    return list(
        session.exec(select(ReminderRule).order_by(col(ReminderRule.kind), col(ReminderRule.id)))
    )


def get_rule(session: Session, actor: Actor, rule_id: int) -> ReminderRule:
    require(actor, "reminders.read")
    return common.get_or_404(session, ReminderRule, rule_id)


def _check(kind: str, data: RuleFields) -> None:
    problems = kind_problems(kind, data)
    if problems:
        raise Invalid(errors=problems)


def create_rule(session: Session, actor: Actor, data: RuleCreate) -> ReminderRule:
    require(actor, "reminders.manage")
    _check(data.kind, data)
    rule = ReminderRule(**data.model_dump(mode="json"))
    return common.create(session, actor, rule)


def update_rule(
    session: Session, actor: Actor, rule_id: int, data: RuleUpdate, expected_version: int | None
) -> ReminderRule:
    require(actor, "reminders.manage")
    rule = common.get_or_404(session, ReminderRule, rule_id)
    common.check_version(rule, expected_version)
    _check(rule.kind, data)
    return common.update(session, actor, rule, data.model_dump(mode="json"), expected_version)


def set_enabled(
    session: Session,
    actor: Actor,
    rule_id: int,
    enabled: bool,
    expected_version: int | None = None,
) -> ReminderRule:
    require(actor, "reminders.manage")
    rule = common.get_or_404(session, ReminderRule, rule_id)
    return common.update(session, actor, rule, {"enabled": enabled}, expected_version)


def delete_rule(
    session: Session, actor: Actor, rule_id: int, expected_version: int | None = None
) -> None:
    """Delete a rule; its notifications stay (their rule becomes empty)."""
    require(actor, "reminders.manage")
    rule = common.get_or_404(session, ReminderRule, rule_id)
    common.delete(session, actor, rule, expected_version)


# --- planning ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlannedNotification:
    """A notification the sweep creates (or, in the preview, would create)."""

    rule_id: int
    rule_name: str
    kind: str
    subject_type: str
    subject_id: int
    occurrence: str
    user_id: int
    user_name: str
    due_at: datetime
    late: bool
    escalation: bool
    title: str
    body: str
    link: str
    email: bool
    in_app: bool
    status: str

    @property
    def key(self) -> tuple[int, str, int, str, int]:
        return (self.rule_id, self.subject_type, self.subject_id, self.occurrence, self.user_id)

    def row(self) -> dict[str, Any]:
        values = asdict(self)
        del values["rule_name"], values["user_name"]
        return values


@dataclass
class SweepResult:
    started_at: datetime
    covered_from: datetime
    covered_until: datetime
    planned: int = 0
    created: int = 0
    late: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "covered_from": self.covered_from.isoformat(),
            "covered_until": self.covered_until.isoformat(),
            "planned": self.planned,
            "created": self.created,
            "late": self.late,
            "by_kind": self.by_kind,
        }


@dataclass(frozen=True)
class _Occurrence:
    rule: ReminderRule
    subject: Subject
    key: str
    due_at: datetime
    escalation: bool
    mode: str  # before | hours | overdue | escalate
    amount: int  # days before or overdue, hours before
    users: frozenset[int]


def _moment(anchor: Anchor) -> datetime:
    if isinstance(anchor, datetime):
        return aware(anchor)
    return datetime.combine(anchor, time(0), tzinfo=UTC)


def _anchor_key(anchor: Anchor) -> str:
    if isinstance(anchor, datetime):
        return aware(anchor).astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ")
    return anchor.isoformat()


def occurrence_anchor(occurrence: str) -> str:
    """The anchor part of an occurrence key (everything after the mode and amount)."""
    mode, _, rest = occurrence.partition(":")
    return rest if mode == "escalate" else rest.partition(":")[2]


def _occurrences(
    rule: ReminderRule, subject: Subject, lo: datetime, hi: datetime, lo_inclusive: bool
) -> Iterator[_Occurrence]:
    def inside(moment: datetime) -> bool:
        return (lo <= moment if lo_inclusive else lo < moment) and moment <= hi

    base = _moment(subject.anchor)
    anchor = _anchor_key(subject.anchor)
    users = frozenset(subject.users(rule.recipients))
    for days in rule.offsets:
        due = base - timedelta(days=days)
        if inside(due):
            yield _Occurrence(
                rule, subject, f"before:{days}:{anchor}", due, False, "before", days, users
            )
    hours = (rule.settings or {}).get("hours_before")
    if hours and rule.kind == K.REQUEST_TARGET:
        due = base - timedelta(hours=int(hours))
        if inside(due):
            yield _Occurrence(
                rule, subject, f"hours:{hours}:{anchor}", due, False, "hours", int(hours), users
            )
    if not subject.open:
        return
    step = rule.overdue_every_days
    if step:
        # The first multiple of ``step`` days after the anchor that can fall in the window.
        k = max(1, (lo - base) // timedelta(days=step))
        while (due := base + timedelta(days=k * step)) <= hi:
            if inside(due):
                yield _Occurrence(
                    rule,
                    subject,
                    f"overdue:{k * step}:{anchor}",
                    due,
                    False,
                    "overdue",
                    k * step,
                    users,
                )
            k += 1
    if rule.escalate_after_days:
        due = base + timedelta(days=rule.escalate_after_days)
        if inside(due):
            yield _Occurrence(
                rule,
                subject,
                f"escalate:{anchor}",
                due,
                True,
                "escalate",
                rule.escalate_after_days,
                subject.escalation,
            )


def anchor_span(rules: Iterable[ReminderRule], start: datetime, end: datetime) -> AnchorSpan:
    """The anchors for which ``_occurrences`` can find a moment of ``rules`` in (start, end]:
    reminders before the anchor reach ahead by the largest offset; escalation reaches back by
    its delay; overdue reminders repeat without end, so any past anchor can still be due."""
    ahead, back = timedelta(0), timedelta(0)
    endless = False
    for rule in rules:
        ahead = max(ahead, timedelta(days=max(rule.offsets, default=0)))
        hours = (rule.settings or {}).get("hours_before")
        if hours and rule.kind == K.REQUEST_TARGET:
            ahead = max(ahead, timedelta(hours=int(hours)))
        endless = endless or bool(rule.overdue_every_days)
        back = max(back, timedelta(days=rule.escalate_after_days or 0))
    return AnchorSpan(None if endless else start - back, end + ahead)


def _settings_key(settings: Mapping[str, Any] | None) -> str:
    return json.dumps(settings or {}, sort_keys=True)


def plan(
    session: Session,
    start: datetime,
    end: datetime,
    *,
    now: datetime,
    start_inclusive: bool = False,
    rules: Iterable[ReminderRule] | None = None,
) -> list[PlannedNotification]:
    """Every notification the enabled rules make for due moments in (start, end] (or
    [start, end) for the preview), without writing anything."""
    if rules is None:
        rules = session.exec(
            select(ReminderRule)
            .where(col(ReminderRule.enabled).is_(True))
            .order_by(col(ReminderRule.id))
        ).all()
    hi = end if not start_inclusive else end - timedelta(microseconds=1)
    # Rules of one kind and settings share their subjects: one read for the group, over the
    # anchors any of them can reach.
    groups: dict[tuple[str, str], list[ReminderRule]] = {}
    for rule in rules:
        groups.setdefault((rule.kind, _settings_key(rule.settings)), []).append(rule)
    found: list[_Occurrence] = []
    for group in groups.values():
        kind = group[0].kind
        span = anchor_span(group, start, end)
        for subject in subjects(session, kind, max(end, now), group[0].settings, span=span):
            for rule in group:
                found.extend(_occurrences(rule, subject, start, hi, start_inclusive))
    user_ids = {u for o in found for u in o.users}
    if not user_ids:
        return []
    users = {
        u.id: u
        for u in session.exec(
            select(User).where(col(User.id).in_(user_ids), col(User.is_active).is_(True))
        ).all()
    }
    muted = {
        (p.user_id, p.kind)
        for p in session.exec(
            select(NotificationPreference).where(
                col(NotificationPreference.user_id).in_(user_ids),
                col(NotificationPreference.email_enabled).is_(False),
            )
        ).all()
    }
    texts = _Texts()
    planned = []
    for o in found:
        channel = o.rule.channel
        for user_id in sorted(o.users):
            user = users.get(user_id)
            if user is None:
                continue
            email = channel in (Channel.EMAIL, Channel.BOTH) and (user_id, o.rule.kind) not in muted
            in_app = channel in (Channel.IN_APP, Channel.BOTH)
            if not (email or in_app):
                continue  # an e-mail-only rule for someone who unsubscribed: nothing to do
            title, body = texts.render(o, user)
            planned.append(
                PlannedNotification(
                    rule_id=o.rule.id,  # type: ignore[arg-type]
                    rule_name=o.rule.name,
                    kind=o.rule.kind,
                    subject_type=o.subject.subject_type,
                    subject_id=o.subject.subject_id,
                    occurrence=o.key,
                    user_id=user_id,
                    user_name=user.name,
                    due_at=o.due_at,
                    late=o.due_at < now - LATE_AFTER,
                    escalation=o.escalation,
                    title=title[:300],
                    body=body,
                    link=o.subject.link,
                    email=email,
                    in_app=in_app,
                    status=NotificationStatus.PENDING if email else NotificationStatus.IN_APP_ONLY,
                )
            )
    planned.sort(key=lambda p: (p.due_at, p.rule_id, p.subject_id, p.user_id))
    return planned


def preview(
    session: Session, actor: Actor, start: datetime, days: int = 30
) -> list[PlannedNotification]:
    """What the sweep would create for due moments in [start, start + days)."""
    require(actor, "reminders.read")
    start = aware(start)
    return plan(session, start, start + timedelta(days=days), now=start, start_inclusive=True)


# --- texts -------------------------------------------------------------------------------------

EVENTS: dict[str, Message] = {
    K.DELIVERABLE_DUE: _l("Deliverable due"),
    K.CONTRACT_ENDING: _l("Contract ends"),
    K.CONTRACT_AUDIT: _l("Contract audit due"),
    K.REVIEW_STEP_DUE: _l("Review step due"),
    K.DISPENSATION_EXPIRING: _l("Dispensation expires"),
    K.ACTION_DUE: _l("Action due"),
    K.MEETING_UPCOMING: _l("Board meeting"),
    K.MATURITY_REASSESSMENT: _l("Maturity reassessment due"),
    K.REQUEST_TARGET: _l("Resolution target"),
    K.SKILLS_REASSESSMENT: _l("Skills reassessment due"),
}


class _Texts:
    """Titles and bodies in the recipient's language, dates in their time zone."""

    def __init__(self) -> None:
        self.translate = has_app_context()
        self.default_locale = current_app.config["DEFAULT_LOCALE"] if self.translate else "en"
        self.default_zone = current_app.config["DEFAULT_TIMEZONE"] if self.translate else "UTC"

    def _locale(self, user: User) -> AbstractContextManager[Any]:
        return force_locale(user.locale or self.default_locale) if self.translate else nullcontext()

    def _(self, message: str, **values: Any) -> str:
        return _(message, **values) if self.translate else message % values

    def _n(self, one: str, many: str, num: int, **values: Any) -> str:
        if self.translate:
            return ngettext(one, many, num, **values)
        return (one if num == 1 else many) % {"num": num, **values}

    def render(self, o: _Occurrence, user: User) -> tuple[str, str]:
        with self._locale(user):
            locale = user.locale or self.default_locale
            event = str(EVENTS[o.rule.kind]) if self.translate else EVENTS[o.rule.kind]._args[0]  # type: ignore[union-attr]
            anchor = o.subject.anchor
            if isinstance(anchor, datetime):
                try:
                    zone = ZoneInfo(user.timezone or self.default_zone)
                except (KeyError, ValueError):
                    zone = ZoneInfo("UTC")
                when = format_datetime(aware(anchor), "medium", tzinfo=zone, locale=locale)
            else:
                when = format_date(anchor, "medium", locale=locale)
            subject = o.subject.title
            if o.mode == "before" and o.amount == 0:
                title = self._("%(event)s today: %(subject)s", event=event, subject=subject)
            elif o.mode == "before":
                title = self._n(
                    "%(event)s in %(num)s day: %(subject)s",
                    "%(event)s in %(num)s days: %(subject)s",
                    o.amount,
                    event=event,
                    subject=subject,
                )
            elif o.mode == "hours":
                title = self._n(
                    "%(event)s in %(num)s hour: %(subject)s",
                    "%(event)s in %(num)s hours: %(subject)s",
                    o.amount,
                    event=event,
                    subject=subject,
                )
            elif o.mode == "overdue":
                title = self._n(
                    "Overdue by %(num)s day: %(subject)s",
                    "Overdue by %(num)s days: %(subject)s",
                    o.amount,
                    subject=subject,
                )
            else:
                title = self._n(
                    "Escalated, overdue by %(num)s day: %(subject)s",
                    "Escalated, overdue by %(num)s days: %(subject)s",
                    o.amount,
                    subject=subject,
                )
            lines = [subject, self._("%(event)s: %(when)s", event=event, when=when)]
            if o.escalation:
                lines.append(
                    self._(
                        "You receive this because it is overdue and you are next up in the "
                        "organisation, or chair its board."
                    )
                )
            return title, "\n".join(lines)


# --- the sweep ---------------------------------------------------------------------------------


def _config(name: str, default: int) -> int:
    return int(current_app.config.get(name, default)) if has_app_context() else default


def _state(session: Session, job: str) -> SchedulerState:
    state = session.get(SchedulerState, job)
    if state is None:
        state = SchedulerState(job=job)
        session.add(state)
        try:
            session.commit()
        except IntegrityError:  # another scheduler made it meanwhile
            session.rollback()
            state = session.get(SchedulerState, job)
            assert state is not None
    return state


def _insert(session: Session) -> Any:
    dialect = session.get_bind().dialect.name
    module: Any = postgresql if dialect == "postgresql" else sqlite
    table: Any = Notification.__table__  # type: ignore[attr-defined]
    return (
        module.insert(table)
        .on_conflict_do_nothing(
            index_elements=["rule_id", "subject_type", "subject_id", "occurrence", "user_id"]
        )
        .returning(table.c.id)
    )


def sweep(session: Session, now: datetime, *, lookback_from: datetime | None = None) -> SweepResult:
    """Create the notifications due in (covered_until, now]; see the module docstring."""
    now = aware(now)
    state = _state(session, SWEEP_JOB)
    first = now - timedelta(days=_config("REMINDER_FIRST_LOOKBACK_DAYS", FIRST_LOOKBACK_DAYS))
    oldest = now - timedelta(days=_config("REMINDER_CATCH_UP_MAX_DAYS", CATCH_UP_MAX_DAYS))
    start = lookback_from or (aware(state.covered_until) if state.covered_until else first)
    start = min(max(aware(start), oldest), now)
    state.last_started_at = now
    session.add(state)
    session.commit()

    result = SweepResult(started_at=now, covered_from=start, covered_until=now)
    planned = plan(session, start, now, now=now)
    result.planned = len(planned)
    stmt = _insert(session)
    for i in range(0, len(planned), BATCH):
        batch = planned[i : i + BATCH]
        created_at = datetime.now(UTC)
        rows = [{**p.row(), "created_at": created_at} for p in batch]
        # RETURNING counts what was really inserted on both databases (the rowcount of a
        # batched insert is not reliable on PostgreSQL); a duplicate returns nothing.
        inserted = session.execute(stmt, rows).all()
        session.commit()
        result.created += len(inserted)
    for p in planned:
        result.late += p.late
        result.by_kind[p.kind] = result.by_kind.get(p.kind, 0) + 1

    state = _state(session, SWEEP_JOB)
    session.refresh(state)
    # Another scheduler may have covered further meanwhile: never move the mark back.
    if state.covered_until is None or aware(state.covered_until) < now:
        state.covered_until = now
    state.last_finished_at = datetime.now(UTC)
    state.last_error = ""
    state.last_result = result.as_dict()
    session.add(state)
    session.commit()
    return result


# --- cancellation ------------------------------------------------------------------------------


def cancel_stale(session: Session, now: datetime, *, ids: Collection[int] | None = None) -> int:
    """Cancel pending notifications (all, or those in ``ids``) whose subject is closed, gone,
    rescheduled (another anchor) or whose recipient no longer has the relation. Returns how
    many were cancelled. The delivery side calls it right before sending."""
    now = aware(now)
    stmt = select(Notification).where(col(Notification.status) == NotificationStatus.PENDING)
    if ids is not None:
        stmt = stmt.where(col(Notification.id).in_(ids))
    pending = session.exec(stmt).all()
    if not pending:
        return 0
    rule_ids = {n.rule_id for n in pending if n.rule_id is not None}
    rules = (
        {
            r.id: r
            for r in session.exec(select(ReminderRule).where(col(ReminderRule.id).in_(rule_ids)))
        }
        if rule_ids
        else {}
    )
    wanted: dict[tuple[str, str], set[int]] = {}
    for n in pending:
        rule = rules.get(n.rule_id)
        wanted.setdefault((n.kind, _settings_key(rule.settings if rule else {})), set()).add(
            n.subject_id
        )
    found: dict[tuple[str, str, int], Subject] = {}
    for (kind, settings), subject_ids in wanted.items():
        for s in subjects(session, kind, now, json.loads(settings), ids=subject_ids):
            found[(kind, settings, s.subject_id)] = s
    stale = []
    for n in pending:
        rule = rules.get(n.rule_id)
        settings = _settings_key(rule.settings if rule else {})
        subject = found.get((n.kind, settings, n.subject_id))
        if (
            subject is None
            or subject.subject_type != n.subject_type
            or not _still_due(n, subject, rule)
        ):
            stale.append(n.id)
    for i in range(0, len(stale), BATCH):
        session.execute(
            Notification.__table__.update()  # type: ignore[attr-defined]
            .where(
                Notification.__table__.c.id.in_(stale[i : i + BATCH]),  # type: ignore[attr-defined]
                Notification.__table__.c.status == NotificationStatus.PENDING,  # type: ignore[attr-defined]
            )
            .values(status=NotificationStatus.CANCELLED)
        )
    session.commit()
    return len(stale)


def _still_due(n: Notification, subject: Subject, rule: ReminderRule | None) -> bool:
    if occurrence_anchor(n.occurrence) != _anchor_key(subject.anchor):
        return False  # rescheduled: the new anchor has its own occurrences
    if n.escalation:
        return subject.open and n.user_id in subject.escalation
    relations = rule.recipients if rule else list(subject.recipients)
    if n.user_id not in subject.users(relations):
        return False
    # Once closed (accepted, done, expired, resolved) nobody needs to hear about it.
    return subject.open
