"""The reminder sweep with an injected clock: occurrences and recipients per kind, exactly
once across re-runs and downtime, the catch-up cap, preferences, cancellation, preview."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlmodel import Session, select
from test_reminder_sources import (
    World,
    add_action,
    add_contract,
    add_deliverable,
    add_dispensation,
    add_maturity,
    add_meeting,
    add_request,
    add_review,
    add_skills,
    build_world,
)

from eagov.errors import Forbidden
from eagov.models import (
    Notification,
    NotificationPreference,
    ReminderKind,
    ReminderRule,
    SchedulerState,
)
from eagov.permissions import SYSTEM, Actor
from eagov.services import reminders

K = ReminderKind
START = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def at(day: date, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


def run_daily(app: Flask, session: Session, first: datetime, days: int) -> list[Any]:
    with app.app_context():
        return [reminders.sweep(session, first + timedelta(days=i)) for i in range(days + 1)]


def rows(session: Session, kind: str | None = None) -> list[Notification]:
    stmt = select(Notification)
    if kind:
        stmt = stmt.where(Notification.kind == kind)
    return list(session.exec(stmt).all())


def keys(found: Iterable[Notification]) -> set[tuple[str, int]]:
    return {(n.occurrence, n.user_id) for n in found}


def expect(occurrences: Iterable[str], users: Iterable[int]) -> set[tuple[str, int]]:
    return {(o, u) for o in occurrences for u in users}


@pytest.fixture
def world(session: Session, make_user: Any) -> World:
    w = build_world(session, make_user)
    reminders.ensure_default_rules(session)
    return w


def test_a_deliverable_is_reminded_before_on_the_day_overdue_and_escalated(
    app: Flask, session: Session, world: World
) -> None:
    w = world
    contract, version = add_contract(session, w, ends=date(2027, 6, 30))
    add_deliverable(session, version, w, date(2026, 12, 8))
    # Sweeping at midnight, when date reminders fall due: all on time.
    run_daily(app, session, at(date(2026, 11, 25)), 44)  # to 8 January

    found = rows(session, K.DELIVERABLE_DUE)
    a = "2026-12-08"
    assert keys(n for n in found if not n.escalation) == expect(
        [f"before:7:{a}", f"before:1:{a}", f"before:0:{a}"]
        + [f"overdue:{d}:{a}" for d in (7, 14, 21, 28)],
        [w.uid("owner"), w.uid("lead")],
    )
    # 14 days overdue: the owner's manager hears of it.
    assert keys(n for n in found if n.escalation) == {(f"escalate:{a}", w.uid("boss"))}
    seven = next(
        n for n in found if n.occurrence == f"before:7:{a}" and n.user_id == w.uid("owner")
    )
    assert seven.title == f"Deliverable due in 7 days: {contract.reference} · Vision"
    assert seven.due_at.replace(tzinfo=UTC) == at(date(2026, 12, 1))
    assert seven.link == f"/contracts/{contract.id}"
    assert (seven.email, seven.in_app, seven.status, seven.late) == (True, True, "pending", False)
    assert "Dec 8, 2026" in seven.body


def test_every_kind_reaches_its_recipients_once_per_occurrence(
    app: Flask, session: Session, world: World
) -> None:
    w = world
    add_contract(session, w, ends=date(2026, 12, 31), signed=date(2026, 9, 10))
    review = add_review(session, w, date(2026, 12, 10))
    add_dispensation(session, w, review, date(2026, 12, 31))
    add_action(session, w, date(2026, 12, 5))
    add_meeting(session, w, datetime(2026, 12, 9, 9, 30, tzinfo=UTC))
    add_maturity(session, w, date(2025, 12, 20))
    add_request(session, w, datetime(2026, 11, 28, 10, 0, tzinfo=UTC))
    add_skills(session, w, "owner", date(2025, 12, 15))
    run_daily(app, session, START, 45)  # to 9 January, 12:00
    u = w.uid

    def got(kind: str) -> set[tuple[str, int]]:
        return keys(rows(session, kind))

    assert got(K.CONTRACT_ENDING) == expect(
        ["before:30:2026-12-31", "before:7:2026-12-31"], [u("sponsor"), u("lead"), u("coordinator")]
    )
    assert got(K.CONTRACT_AUDIT) == expect(
        ["before:7:2026-12-10", "before:0:2026-12-10"], [u("lead"), u("coordinator")]
    )
    assert got(K.REVIEW_STEP_DUE) == expect(
        [f"before:{d}:2026-12-10" for d in (7, 1, 0)], [u("lead"), u("coordinator")]
    )
    assert got(K.DISPENSATION_EXPIRING) == expect(
        [f"before:{d}:2026-12-31" for d in (30, 7, 0)], [u("owner"), u("lead")]
    )
    a = "2026-12-05"
    assert got(K.ACTION_DUE) == expect(
        [f"before:7:{a}", f"before:1:{a}", f"before:0:{a}"]
        + [f"overdue:{d}:{a}" for d in (7, 14, 21, 28, 35)],
        [u("owner")],
    ) | {(f"escalate:{a}", u("boss"))}
    m = "2026-12-09T09:30Z"
    assert got(K.MEETING_UPCOMING) == expect([f"before:7:{m}", f"before:1:{m}"], [u("attendee")])
    assert got(K.MATURITY_REASSESSMENT) == expect(
        ["before:0:2026-12-20"], [u("coordinator"), u("facilitator")]
    )
    r = "2026-12-03T10:00Z"
    assert got(K.REQUEST_TARGET) == expect(
        [f"hours:4:{r}", f"before:0:{r}"] + [f"overdue:{d}:{r}" for d in range(1, 38)],
        [u("assignee")],
    ) | {(f"escalate:{r}", u("chair"))}  # the assignee has no manager: the board chair
    assert got(K.SKILLS_REASSESSMENT) == expect(["before:0:2026-12-15"], [u("owner"), u("boss")])


def test_running_a_sweep_again_over_the_same_span_creates_nothing(
    app: Flask, session: Session, world: World
) -> None:
    _, version = add_contract(session, world, ends=date(2027, 6, 30))
    add_deliverable(session, version, world, date(2026, 12, 8))
    with app.app_context():
        first = reminders.sweep(
            session, at(date(2026, 12, 20)), lookback_from=at(date(2026, 11, 30))
        )
        before = len(rows(session))
        again = reminders.sweep(
            session, at(date(2026, 12, 20)), lookback_from=at(date(2026, 11, 30))
        )
    assert first.created == before > 0
    assert (again.planned, again.created) == (first.planned, 0)
    assert len(rows(session)) == before


def test_catch_up_after_a_week_down_creates_each_missed_occurrence_once_marked_late(
    app: Flask, session: Session, world: World
) -> None:
    w = world
    _, version = add_contract(session, w, ends=date(2027, 6, 30))
    add_deliverable(session, version, w, date(2026, 12, 8))
    run_daily(app, session, START, 5)  # up to 30 November, 12:00
    assert keys(rows(session)) == set()
    # Down from 30 November 12:00 until 9 December 18:00.
    back = datetime(2026, 12, 9, 18, 0, tzinfo=UTC)
    with app.app_context():
        result = reminders.sweep(session, back)
        again = reminders.sweep(session, back + timedelta(minutes=5))
    found = rows(session)
    a = "2026-12-08"
    assert keys(found) == expect(
        [f"before:7:{a}", f"before:1:{a}", f"before:0:{a}"], [w.uid("owner"), w.uid("lead")]
    )
    assert all(n.late for n in found)
    assert (result.created, result.late, again.created) == (6, 6, 0)
    state = session.get(SchedulerState, "sweep")
    assert state is not None and state.last_result["created"] == 0
    assert state.covered_until.replace(tzinfo=UTC) == back + timedelta(minutes=5)  # type: ignore[union-attr]


def test_catch_up_never_reaches_further_back_than_the_cap(
    app: Flask, session: Session, world: World
) -> None:
    _, version = add_contract(session, world, ends=date(2027, 6, 30))
    add_deliverable(session, version, world, date(2026, 12, 8))
    session.add(SchedulerState(job="sweep", covered_until=at(date(2026, 10, 1))))
    session.commit()
    app.config["REMINDER_CATCH_UP_MAX_DAYS"] = 3
    now = at(date(2026, 12, 9), 12)
    with app.app_context():
        result = reminders.sweep(session, now)
    assert result.covered_from == now - timedelta(days=3)
    # before:7 (1 December) lies beyond the cap; 7 and 8 December are inside it.
    assert {n.occurrence for n in rows(session)} == {"before:1:2026-12-08", "before:0:2026-12-08"}


def test_the_first_sweep_looks_back_the_configured_days(
    app: Flask, session: Session, world: World
) -> None:
    add_action(session, world, date(2026, 12, 5))
    app.config["REMINDER_FIRST_LOOKBACK_DAYS"] = 2
    with app.app_context():
        result = reminders.sweep(session, at(date(2026, 12, 5), 12))
    assert result.covered_from == at(date(2026, 12, 3), 12)
    assert {n.occurrence for n in rows(session)} == {"before:1:2026-12-05", "before:0:2026-12-05"}


def test_preferences_and_channel_decide_email_and_in_app(
    app: Flask, session: Session, world: World
) -> None:
    w = world
    review = add_review(session, w, date(2026, 12, 10))
    session.add(
        NotificationPreference(user_id=w.uid("lead"), kind=K.REVIEW_STEP_DUE, email_enabled=False)
    )
    # An e-mail-only rule: the lead, who unsubscribed, gets nothing from it.
    mail_only = ReminderRule(
        kind=K.REVIEW_STEP_DUE,
        name="Mail",
        offsets=[2],
        recipients=["lead_architect", "coordinator"],
        channel="email",
    )
    in_app = ReminderRule(
        kind=K.REVIEW_STEP_DUE,
        name="Inbox",
        offsets=[3],
        recipients=["coordinator"],
        channel="in_app",
    )
    session.add_all([mail_only, in_app])
    session.commit()
    with app.app_context():
        reminders.sweep(session, at(date(2026, 12, 10), 1), lookback_from=at(date(2026, 12, 1)))
    got = {(n.occurrence, n.user_id): (n.email, n.in_app, n.status) for n in rows(session)}
    a = "2026-12-10"
    assert got[(f"before:7:{a}", w.uid("lead"))] == (False, True, "in_app_only")
    assert got[(f"before:7:{a}", w.uid("coordinator"))] == (True, True, "pending")
    assert got[(f"before:2:{a}", w.uid("coordinator"))] == (True, False, "pending")
    assert (f"before:2:{a}", w.uid("lead")) not in got
    assert got[(f"before:3:{a}", w.uid("coordinator"))] == (False, True, "in_app_only")
    assert review.id is not None


def test_texts_follow_the_recipients_language(app: Flask, session: Session, world: World) -> None:
    w = world
    w.users["owner"].locale = "zh_Hans"
    session.add(w.users["owner"])
    session.commit()
    add_action(session, w, date(2026, 12, 8))
    with app.app_context():
        reminders.sweep(session, at(date(2026, 12, 8), 1))
    (n,) = rows(session)
    assert "2026年12月8日" in n.body


def test_disabled_rules_make_nothing(app: Flask, session: Session, world: World) -> None:
    add_action(session, world, date(2026, 12, 8))
    rule = session.exec(select(ReminderRule).where(ReminderRule.kind == K.ACTION_DUE)).one()
    reminders.set_enabled(session, SYSTEM, rule.id, False)  # type: ignore[arg-type]
    with app.app_context():
        result = reminders.sweep(session, at(date(2026, 12, 8), 1))
    assert result.created == 0


# --- cancellation ----------------------------------------------------------------------------


def test_completing_the_subject_cancels_its_pending_reminders(
    app: Flask, session: Session, world: World
) -> None:
    w = world
    _, version = add_contract(session, w, ends=date(2027, 6, 30))
    done = add_deliverable(session, version, w, date(2026, 12, 8))
    other = add_deliverable(session, version, w, date(2026, 12, 8))
    with app.app_context():
        reminders.sweep(session, at(date(2026, 12, 1), 1))
    sent = next(n for n in rows(session) if n.subject_id == other.id)
    sent.status = "sent"
    session.add(sent)
    done.status = "accepted"
    session.add(done)
    session.commit()

    assert reminders.cancel_stale(session, at(date(2026, 12, 2))) == 2
    status = {(n.subject_id, n.user_id): n.status for n in rows(session)}
    assert status[(done.id, w.uid("owner"))] == status[(done.id, w.uid("lead"))] == "cancelled"
    assert status[(other.id, sent.user_id)] == "sent"  # already gone out: left alone
    assert "pending" in status.values()  # the other deliverable's remaining one


def test_reassigning_cancels_the_former_owners_reminder_only(
    app: Flask, session: Session, world: World
) -> None:
    w = world
    action = add_action(session, w, date(2026, 12, 8))
    add_request(session, w, datetime(2026, 11, 28, 10, 0, tzinfo=UTC))
    with app.app_context():
        reminders.sweep(session, at(date(2026, 12, 3), 8), lookback_from=at(date(2026, 11, 30)))
    assert {n.user_id for n in rows(session)} == {w.uid("owner"), w.uid("assignee")}
    action.owner_id = w.people["lead"].id
    session.add(action)
    session.commit()
    assert reminders.cancel_stale(session, at(date(2026, 12, 3), 9)) == 1
    status = {n.kind: n.status for n in rows(session)}
    assert status == {K.ACTION_DUE: "cancelled", K.REQUEST_TARGET: "pending"}


def test_a_moved_due_date_cancels_the_old_occurrences(
    app: Flask, session: Session, world: World
) -> None:
    action = add_action(session, world, date(2026, 12, 8))
    with app.app_context():
        reminders.sweep(session, at(date(2026, 12, 1), 1))
    action.due_on = date(2026, 12, 20)
    session.add(action)
    session.commit()
    (n,) = rows(session)
    assert reminders.cancel_stale(session, at(date(2026, 12, 1), 2), ids=[n.id]) == 1  # type: ignore[list-item]


# --- preview ---------------------------------------------------------------------------------


def test_preview_shows_what_the_sweeps_then_create_and_writes_nothing(
    app: Flask, session: Session, world: World
) -> None:
    w = world
    _, version = add_contract(session, w, ends=date(2026, 12, 31), signed=date(2026, 9, 10))
    add_deliverable(session, version, w, date(2026, 12, 8))
    add_action(session, w, date(2026, 12, 5))
    add_meeting(session, w, datetime(2026, 12, 9, 9, 30, tzinfo=UTC))
    add_request(session, w, datetime(2026, 11, 28, 10, 0, tzinfo=UTC))
    start = at(date(2026, 11, 26), 12)
    with app.app_context():
        planned = reminders.preview(session, Actor.of(w.users["coordinator"]), start, days=20)
    assert planned and rows(session) == []

    session.add(SchedulerState(job="sweep", covered_until=start))
    session.commit()
    run_daily(app, session, start + timedelta(days=1), 19)

    def shape(items: Iterable[Any]) -> set[tuple[Any, ...]]:
        return {
            (p.rule_id, p.subject_type, p.subject_id, p.occurrence, p.user_id, p.title, p.email)
            for p in items
        }

    assert shape(planned) == shape(rows(session))


def test_preview_needs_the_read_permission(app: Flask, session: Session, make_user: Any) -> None:
    viewer = make_user("viewer")
    with app.app_context(), pytest.raises(Forbidden):
        reminders.preview(session, Actor.of(viewer), START)


def test_planning_runs_the_same_statements_whatever_the_data(
    app: Flask, session: Session, world: World
) -> None:
    from conftest import count_statements
    from test_reminder_sources import _fill

    coordinator = Actor.of(world.users["coordinator"])

    def count() -> tuple[int, int]:
        with app.app_context(), count_statements(app) as seen:
            found = len(reminders.preview(session, coordinator, START, days=40))
        return len(seen), found

    _fill(session, world, 2)
    small, found_small = count()
    _fill(session, world, 20)
    large, found_large = count()
    assert found_large > found_small * 5
    assert large == small


def _spread(session: Session, w: World) -> None:
    """Subjects of every kind with anchors every third day from four months before ``START``
    to eight months after, open and closed: with daily windows on three consecutive days,
    every edge of every rule's reach has a subject on it."""
    from eagov.models import ContractAudit, OrgUnit, Person

    first = START.date() - timedelta(days=130)
    for i in range(0, 380, 3):
        day = first + timedelta(days=i)
        contract, version = add_contract(
            session, w, ends=day, signed=day - timedelta(days=92 - i % 4)
        )
        add_deliverable(session, version, w, day)
        add_deliverable(session, version, w, day, status="accepted")
        if i % 2:
            session.add(
                ContractAudit(
                    contract_id=contract.id,  # type: ignore[arg-type]
                    period=f"P{i}",
                    audited_on=day - timedelta(days=90),
                    passed=True,
                )
            )
        review = add_review(session, w, day, state="scoped" if i % 5 else "closed")
        add_dispensation(session, w, review, day)
        add_action(session, w, day, status="open" if i % 4 else "done")
        add_meeting(session, w, at(day, 9, 30))
        add_request(session, w, at(day, 10) - timedelta(hours=120))  # due on ``day``
        # Reassessments are per unit and per person: one of each per anchor.
        unit = OrgUnit(name=f"Unit {i}", kind="team")
        person = Person(name=f"Person {i}", email=f"p{i}@people.test")
        session.add_all([unit, person])
        session.flush()
        w.ids["unit"], w.people[f"p{i}"] = unit.id, person  # type: ignore[assignment]
        add_maturity(session, w, day - timedelta(days=365))
        add_skills(session, w, f"p{i}", day - timedelta(days=365))
    session.commit()


def _planned(session: Session, start: datetime, end: datetime, inclusive: bool) -> list[Any]:
    found = reminders.plan(session, start, end, now=start, start_inclusive=inclusive)
    return sorted((p.rule_id, p.subject_id, p.occurrence, p.user_id) for p in found)


@pytest.mark.parametrize("overdue", [True, False], ids=["with overdue", "escalation only"])
def test_the_sql_filter_on_anchors_never_drops_a_reminder(
    app: Flask, session: Session, world: World, monkeypatch: pytest.MonkeyPatch, overdue: bool
) -> None:
    """The sweep reads only the subjects whose anchor its rules can reach in the window; the
    same plan must come out as when every open subject is read."""
    _spread(session, world)
    if not overdue:  # without repeats, the reach backwards is bounded by escalation
        for rule in session.exec(select(ReminderRule)).all():
            rule.overdue_every_days = None
            rule.escalate_after_days = rule.escalate_after_days or 3
        session.commit()
    windows = [
        (START + timedelta(days=d), START + timedelta(days=d + 1), False) for d in (0, 1, 2, 180)
    ] + [(START, START + timedelta(days=40), True), (at(START.date()), at(START.date()), False)]
    with app.app_context():
        filtered = [_planned(session, *w) for w in windows]
        everything = reminders.AnchorSpan(None, datetime.max.replace(tzinfo=UTC))
        monkeypatch.setattr(reminders, "anchor_span", lambda *_: everything)
        unfiltered = [_planned(session, *w) for w in windows]
    assert [len(f) for f in filtered] == [len(u) for u in unfiltered]
    assert filtered == unfiltered
    assert filtered[0] and filtered[4], "the windows have reminders to compare"


def test_the_sweep_reads_what_can_fall_due_not_everything_open(
    app: Flask, session: Session, world: World
) -> None:
    from eagov.services.reminder_sources import subjects

    _, version = add_contract(session, world, ends=date(2028, 1, 1))
    near = add_deliverable(session, version, world, START.date() + timedelta(days=5))
    for _ in range(3):
        add_deliverable(session, version, world, START.date() + timedelta(days=400))
    rules = session.exec(select(ReminderRule).where(ReminderRule.kind == K.DELIVERABLE_DUE)).all()
    span = reminders.anchor_span(rules, START, START + timedelta(days=1))
    assert span.latest == START + timedelta(days=31)  # the furthest offset ahead: 30 days
    assert span.earliest is None  # overdue reminders repeat: any past anchor can be due
    found = subjects(session, K.DELIVERABLE_DUE, START, span=span)
    assert [s.subject_id for s in found] == [near.id]
