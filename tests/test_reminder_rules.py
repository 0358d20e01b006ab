"""Reminder rules: the shipped defaults, validation per kind, CRUD with permissions, audit."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError
from sqlmodel import Session, select

from eagov.errors import Conflict, Forbidden, Invalid
from eagov.models import AuditEvent, ReminderKind, ReminderRule
from eagov.permissions import SYSTEM, Actor
from eagov.schemas.reminders import RuleCreate, RuleFields, RuleUpdate, kind_problems
from eagov.services import reminders

K = ReminderKind


def data(**over: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "kind": "action_due",
        "name": "Actions, gently",
        "offsets": [3, 0],
        "overdue_every_days": 2,
        "recipients": ["owner", "board_chair"],
        "escalate_after_days": 10,
        "channel": "in_app",
    }
    values.update(over)
    return values


def test_the_defaults_cover_every_kind_and_pass_their_own_validation() -> None:
    rules = reminders.default_rules()
    assert sorted(r.kind for r in rules) == sorted(K)
    for rule in rules:
        fields = RuleCreate.model_validate(
            {k: v for k, v in rule.model_dump().items() if k in RuleCreate.model_fields}
        )
        assert kind_problems(rule.kind, fields) == {}, rule.kind
        assert rule.enabled and rule.channel == "both"


def test_defaults_are_added_once_and_audited(session: Session) -> None:
    added = reminders.ensure_default_rules(session)
    assert len(added) == len(K)
    assert reminders.ensure_default_rules(session) == []
    assert len(session.exec(select(ReminderRule)).all()) == len(K)
    events = session.exec(select(AuditEvent).where(AuditEvent.entity_type == "reminder_rule")).all()
    assert len(events) == len(K) and {e.actor_label for e in events} == {"system"}
    deliverable = next(r for r in added if r.kind == K.DELIVERABLE_DUE)
    assert (
        deliverable.offsets,
        deliverable.overdue_every_days,
        deliverable.escalate_after_days,
    ) == (
        [30, 7, 1, 0],
        7,
        14,
    )


@pytest.mark.parametrize(
    "over",
    [
        {"offsets": [7, 7]},
        {"offsets": [366]},
        {"offsets": [-1]},
        {"overdue_every_days": 0},
        {"overdue_every_days": 91},
        {"escalate_after_days": 366},
        {"channel": "fax"},
        {"recipients": []},
        {"recipients": ["janitor"]},
        {"kind": "birthday"},
        {"name": ""},
    ],
)
def test_the_schema_refuses_out_of_range_input(over: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        RuleCreate.model_validate(data(**over))


def test_offsets_are_kept_largest_first() -> None:
    assert RuleCreate.model_validate(data(offsets=[0, 30, 7])).offsets == [30, 7, 0]


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"recipients": ["facilitator"]}, "recipients"),
        ({"kind": "skills_reassessment_due", "recipients": ["coordinator"]}, "recipients"),
        ({"kind": "contract_ending", "recipients": ["sponsor"]}, "overdue_every_days"),
        (
            {"kind": "meeting_upcoming", "recipients": ["attendees"], "overdue_every_days": None},
            "escalate_after_days",
        ),
        ({"settings": {"months": 3}}, "settings"),
        (
            {"kind": "contract_audit", "recipients": ["sponsor"], "settings": {"months": 0}},
            "settings",
        ),
        ({"offsets": [], "overdue_every_days": None}, "offsets"),
    ],
)
def test_what_does_not_fit_the_kind_is_refused_per_field(
    session: Session, over: dict[str, Any], field: str
) -> None:
    with pytest.raises(Invalid) as err:
        reminders.create_rule(session, SYSTEM, RuleCreate.model_validate(data(**over)))
    assert field in err.value.errors
    assert session.exec(select(ReminderRule)).all() == []


def test_requests_may_remind_in_hours_only(session: Session) -> None:
    rule = reminders.create_rule(
        session,
        SYSTEM,
        RuleCreate.model_validate(
            data(
                kind="request_target_breach",
                offsets=[],
                overdue_every_days=None,
                recipients=["assignee"],
                settings={"hours_before": 2},
            )
        ),
    )
    assert rule.settings == {"hours_before": 2}


def test_coordinators_manage_rules_others_only_read(session: Session, make_user: Any) -> None:
    coordinator = Actor.of(make_user("review_coordinator"))
    architect = Actor.of(make_user("architect"))
    viewer = Actor.of(make_user("viewer"))
    rule = reminders.create_rule(session, coordinator, RuleCreate.model_validate(data()))
    assert [r.id for r in reminders.list_rules(session, architect)] == [rule.id]
    assert reminders.get_rule(session, architect, rule.id).name == "Actions, gently"  # type: ignore[arg-type]
    with pytest.raises(Forbidden):
        reminders.create_rule(session, architect, RuleCreate.model_validate(data()))
    with pytest.raises(Forbidden):
        reminders.set_enabled(session, architect, rule.id, False)  # type: ignore[arg-type]
    with pytest.raises(Forbidden):
        reminders.list_rules(session, viewer)
    created = session.exec(
        select(AuditEvent).where(
            AuditEvent.entity_type == "reminder_rule", AuditEvent.action == "create"
        )
    ).one()
    assert created.actor_id == coordinator.user_id


def test_update_checks_the_version_and_the_kind(session: Session) -> None:
    rule = reminders.create_rule(session, SYSTEM, RuleCreate.model_validate(data()))
    fields = {k: v for k, v in data().items() if k != "kind"}
    updated = reminders.update_rule(
        session,
        SYSTEM,
        rule.id,
        RuleUpdate.model_validate({**fields, "offsets": [1]}),
        1,  # type: ignore[arg-type]
    )
    assert (updated.offsets, updated.version) == ([1], 2)
    with pytest.raises(Conflict):
        reminders.update_rule(session, SYSTEM, rule.id, RuleUpdate.model_validate(fields), 1)  # type: ignore[arg-type]
    with pytest.raises(Invalid) as err:
        reminders.update_rule(
            session,
            SYSTEM,
            rule.id,
            RuleUpdate.model_validate({**fields, "recipients": ["person"]}),
            2,  # type: ignore[arg-type]
        )
    assert "recipients" in err.value.errors
    assert isinstance(RuleUpdate.model_validate(fields), RuleFields)


def test_switch_off_and_delete(session: Session) -> None:
    rule = reminders.create_rule(session, SYSTEM, RuleCreate.model_validate(data()))
    off = reminders.set_enabled(session, SYSTEM, rule.id, False, 1)  # type: ignore[arg-type]
    assert (off.enabled, off.version) == (False, 2)
    with pytest.raises(Conflict):
        reminders.delete_rule(session, SYSTEM, rule.id, 1)  # type: ignore[arg-type]
    reminders.delete_rule(session, SYSTEM, rule.id, 2)  # type: ignore[arg-type]
    assert session.get(ReminderRule, rule.id) is None
    actions = [
        e.action
        for e in session.exec(select(AuditEvent).where(AuditEvent.entity_type == "reminder_rule"))
    ]
    assert actions == ["create", "update", "delete"]
