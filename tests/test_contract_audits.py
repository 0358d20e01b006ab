"""The periodic contract audit: each check on known data, exactly-once records and mail."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from conftest import count_statements
from contract_factory import Cast, activate, make_cast, make_contract
from flask import Flask
from sqlmodel import Session, col, select

from eagov.models import (
    AuditEvent,
    Contract,
    ContractAudit,
    ContractMetric,
    ContractVersion,
    Deliverable,
    Dispensation,
    Notification,
    Review,
    Signature,
)
from eagov.permissions import SYSTEM
from eagov.services import contract_audits
from eagov.services.contract_audits import period_of, run_audits

NOW = datetime.combine(date.today(), datetime.min.time(), tzinfo=UTC) + timedelta(hours=2)
TODAY = NOW.date()


def _version(session: Session, contract: Contract) -> ContractVersion:
    return session.exec(
        select(ContractVersion).where(
            ContractVersion.contract_id == contract.id,
            ContractVersion.number == contract.effective_version,
        )
    ).one()


def _measure_all(session: Session, contract: Contract) -> None:
    version = _version(session, contract)
    for metric in session.exec(
        select(ContractMetric).where(ContractMetric.version_id == version.id)
    ).all():
        metric.measured_value = "42"
        session.add(metric)
    session.commit()


def healthy(session: Session, cast: Cast) -> Contract:
    """An active contract that passes every check."""
    contract = activate(session, cast, make_contract(session, cast))
    _measure_all(session, contract)
    return contract


def _checks(audit: ContractAudit) -> dict[str, dict]:  # type: ignore[type-arg]
    return {c["check"]: c for c in audit.checks}


def _failed(audit: ContractAudit) -> set[str]:
    return {c["check"] for c in audit.checks if not c["passed"]}


def test_period_names() -> None:
    assert period_of(date(2026, 11, 26)) == "2026-Q4"
    assert period_of(date(2026, 1, 1), 3) == "2026-Q1"
    assert period_of(date(2026, 7, 1), 6) == "2026-H2"
    assert period_of(date(2026, 7, 1), 12) == "2026"
    assert period_of(date(2026, 7, 1), 1) == "2026-07"
    # A cadence that does not divide the year is counted from January 2000.
    assert period_of(date(2000, 6, 30), 5) == "2000-06/5m"
    assert period_of(date(2000, 5, 31), 5) == "2000-01/5m"
    assert contract_audits.next_period_start(date(2026, 11, 26)) == date(2027, 1, 1)


def test_a_healthy_contract_passes_without_notifying(session: Session) -> None:
    cast = make_cast(session)
    contract = healthy(session, cast)
    [audit] = run_audits(session, NOW)
    assert audit.contract_id == contract.id
    assert audit.period == period_of(TODAY)
    assert audit.audited_on == TODAY
    assert audit.passed
    assert set(_checks(audit)) == set(contract_audits.CHECKS)
    assert session.exec(select(Notification)).all() == []


def test_only_active_contracts_are_audited(session: Session) -> None:
    cast = make_cast(session)
    make_contract(session, cast)  # a draft
    assert run_audits(session, NOW) == []


def test_overdue_deliverables(session: Session) -> None:
    cast = make_cast(session)
    contract = healthy(session, cast)
    version = _version(session, contract)
    items = session.exec(
        select(Deliverable)
        .where(Deliverable.version_id == version.id)
        .order_by(col(Deliverable.id))
    ).all()
    items[0].due_date = TODAY - timedelta(days=3)  # overdue
    items[1].due_date = TODAY - timedelta(days=3)
    items[1].status = "accepted"  # late but accepted: fine
    session.add_all(items)
    session.commit()
    [audit] = run_audits(session, NOW)
    assert not audit.passed
    assert _failed(audit) == {"overdue_deliverables"}
    check = _checks(audit)["overdue_deliverables"]
    assert check["items"] == [
        {"title": items[0].title, "due_date": (TODAY - timedelta(days=3)).isoformat()}
    ]


def test_missing_signatures(session: Session) -> None:
    cast = make_cast(session)
    contract = healthy(session, cast)
    version = _version(session, contract)
    sponsor_signature = session.exec(
        select(Signature).where(Signature.version_id == version.id, Signature.capacity == "sponsor")
    ).one()
    session.delete(sponsor_signature)
    session.commit()
    [audit] = run_audits(session, NOW)
    assert _failed(audit) == {"missing_signatures"}
    assert _checks(audit)["missing_signatures"]["items"] == [{"capacity": "sponsor"}]


@pytest.mark.parametrize(
    ("start", "end", "problem"),
    [
        (-30, 10, "ending_soon"),
        (-30, -1, "ended"),
        (5, 200, "not_started"),
    ],
)
def test_time_window(session: Session, start: int, end: int, problem: str) -> None:
    cast = make_cast(session)
    contract = healthy(session, cast)
    version = _version(session, contract)
    version.window_start = TODAY + timedelta(days=start)
    version.window_end = TODAY + timedelta(days=end)
    session.add(version)
    session.commit()
    [audit] = run_audits(session, NOW)
    assert _failed(audit) == {"time_window"}
    assert _checks(audit)["time_window"]["items"][0]["problem"] == problem


def test_dispensations_about_to_expire(session: Session) -> None:
    cast = make_cast(session)
    contract = healthy(session, cast)
    review = Review(
        reference="REV-2099-001",
        year=2099,
        number=1,
        title="Payments hub",
        project="Payments",
        board_id=cast.board_id,
        checkpoint="initial_design",
        contract_id=contract.id,
    )
    session.add(review)
    session.commit()

    def dispensation(n: int, days: int, state: str = "granted") -> None:
        expires = TODAY + timedelta(days=days)
        session.add(
            Dispensation(
                reference=f"DSP-2099-{n:04d}",
                year=2099,
                number=n,
                review_id=review.id,  # type: ignore[arg-type]
                justification="Vendor constraint.",
                requested_expiry=expires,
                expires_on=expires,
                state=state,
            )
        )

    dispensation(1, 20)  # expiring soon
    dispensation(2, 90)  # far away
    dispensation(3, 5, state="refused")  # not in force
    session.commit()
    [audit] = run_audits(session, NOW)
    assert _failed(audit) == {"expiring_dispensations"}
    assert _checks(audit)["expiring_dispensations"]["items"] == [
        {"reference": "DSP-2099-0001", "expires_on": (TODAY + timedelta(days=20)).isoformat()}
    ]


def test_metrics_without_a_measured_value(session: Session) -> None:
    cast = make_cast(session)
    activate(session, cast, make_contract(session, cast))
    [audit] = run_audits(session, NOW)
    assert _failed(audit) == {"unmeasured_metrics"}
    assert _checks(audit)["unmeasured_metrics"]["items"][0]["name"] == (
        "Systems on the target platform"
    )


def test_failure_notifies_owners_exactly_once(session: Session) -> None:
    cast = make_cast(session)
    contract = activate(session, cast, make_contract(session, cast))  # metric unmeasured
    [audit] = run_audits(session, NOW)
    assert not audit.passed
    # Running again in the same period (a restart, a second scheduler) adds nothing.
    assert run_audits(session, NOW + timedelta(hours=1)) == []
    assert len(session.exec(select(ContractAudit)).all()) == 1
    notes = session.exec(select(Notification)).all()
    assert {n.user_id for n in notes} == {cast.lead.id, cast.sponsor.id, cast.chair.id}
    assert len(notes) == 3
    for note in notes:
        assert note.kind == "contract_audit"
        assert note.subject_type == "contract" and note.subject_id == contract.id
        assert note.occurrence == f"audit:{period_of(TODAY)}"
        assert note.status == "pending" and note.email and note.in_app
        assert contract.reference in note.title
        assert "Metrics without a measured value" in note.body
        assert note.link == f"/contracts/{contract.id}"
    events = session.exec(
        select(AuditEvent).where(AuditEvent.entity_type == "contract_audit")
    ).all()
    assert len(events) == 1 and events[0].changes["failed"] == [contract.reference]


def test_next_period_audits_again(session: Session) -> None:
    cast = make_cast(session)
    activate(session, cast, make_contract(session, cast))
    first = run_audits(session, NOW, months=1)
    later = run_audits(session, NOW + timedelta(days=32), months=1)
    assert len(first) == len(later) == 1
    assert first[0].period != later[0].period
    assert len(session.exec(select(Notification)).all()) == 6


def test_audits_of_lists_the_latest_first_and_at_most_the_limit(session: Session) -> None:
    # Visibility is the caller's get_contract (tests/api/test_api_reminders.py: 404 for
    # an outsider); audits_of lists what the contract has.
    cast = make_cast(session)
    contract = activate(session, cast, make_contract(session, cast))
    for months in range(3):
        run_audits(session, NOW + timedelta(days=100 * months))
    found = contract_audits.audits_of(session, contract, limit=2)
    assert len(found) == 2
    assert found[0].audited_on > found[1].audited_on


def test_statements_do_not_grow_with_contracts(app: Flask, session: Session) -> None:
    def run(count: int, tag: str, when: datetime) -> int:
        cast = make_cast(session, tag)
        for _ in range(count):
            activate(session, cast, make_contract(session, cast))
        with count_statements(app) as seen:
            created = run_audits(session, when, months=1)
        assert len(created) >= count
        return len(seen)

    small = run(1, "a", NOW)
    large = run(10, "b", NOW + timedelta(days=40))
    assert large == small


def test_the_rule_decides_recipients_channel_and_whether_to_notify(session: Session) -> None:
    from eagov.schemas.reminders import RuleCreate
    from eagov.services import reminders

    cast = make_cast(session)
    activate(session, cast, make_contract(session, cast))
    rule = reminders.create_rule(
        session,
        SYSTEM,
        RuleCreate(
            kind="contract_audit",
            name="Audit",
            offsets=[7],
            recipients=["lead_architect", "coordinator"],
            channel="in_app",
            settings={"months": 1},
        ),
    )
    [audit] = run_audits(session, NOW)
    assert audit.period == period_of(TODAY, 1)  # the rule's cadence
    notes = session.exec(select(Notification)).all()
    owners = {cast.lead.id, cast.sponsor.id, cast.chair.id}
    assert {n.user_id for n in notes} == owners | {cast.coordinator.id}
    assert all(n.rule_id == rule.id and n.status == "in_app_only" and not n.email for n in notes)
    # Switched off: the audit is still kept, nobody is told.
    reminders.set_enabled(session, SYSTEM, rule.id, False, rule.version)  # type: ignore[arg-type]
    [later] = run_audits(session, NOW + timedelta(days=40))
    assert not later.passed
    assert len(session.exec(select(Notification)).all()) == len(notes)
