"""The read side of the audit trail: permission, filters, and how stored changes are read."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlmodel import Session

from eagov.errors import Forbidden
from eagov.models import AuditEvent
from eagov.permissions import SYSTEM, Actor
from eagov.services import audit, audit_query
from eagov.services.audit_query import EventFilter, changed_fields, local_day_range

VIEWER = Actor(7, "viewer@example.com", frozenset({"viewer"}))
CHAIR = Actor(8, "chair@example.com", frozenset({"board_chair"}))


def test_every_read_needs_audit_read(session: Session) -> None:
    for call in (
        lambda: audit_query.search_events(session, VIEWER, EventFilter()),
        lambda: audit_query.filter_choices(session, VIEWER),
        lambda: audit_query.chain_tip(session, VIEWER),
        lambda: audit_query.verify(session, VIEWER),
        lambda: audit_query.events_query(VIEWER, EventFilter()),
    ):
        with pytest.raises(Forbidden):
            call()
    assert audit_query.search_events(session, CHAIR, EventFilter()) == ([], 0)
    assert audit_query.chain_tip(session, CHAIR) is None


def test_filters_combine(session: Session) -> None:
    alice = Actor(1, "alice@example.com", frozenset())
    bob = Actor(2, "bob_100%@example.com", frozenset())
    audit.record(session, alice, "create", "org_unit", 1, {"name": "A"})
    audit.record(session, bob, "update", "org_unit", 1, {"name": ["A", "B"]})
    audit.record(session, bob, "create", "person", 1, {"name": "P"})
    session.commit()

    def seqs(**kw: str) -> list[int]:
        items, total = audit_query.search_events(session, SYSTEM, EventFilter(**kw))
        assert total == len(items)
        return [e.seq for e in items]

    assert seqs() == [3, 2, 1]
    assert seqs(entity_type="org_unit") == [2, 1]
    assert seqs(entity_type="org_unit", entity_id=" 1 ") == [2, 1]
    assert seqs(entity_type="person", entity_id="1") == [3]
    assert seqs(actor="BOB") == [3, 2]
    assert seqs(actor="100%") == [3, 2]
    assert seqs(actor="_100") == [3, 2]
    assert seqs(actor="b_b") == []  # "_" is a literal, not a wildcard
    assert seqs(action="create") == [3, 1]
    assert seqs(actor="bob", action="create") == [3]
    assert audit_query.filter_choices(session, SYSTEM) == (
        ["org_unit", "person"],
        ["create", "update"],
    )
    assert audit_query.chain_tip(session, SYSTEM) == (3, audit.verify_chain(session).tip)


def test_time_bounds_are_half_open(session: Session) -> None:
    for hour in (9, 10, 11):
        audit.record(
            session, SYSTEM, "note", "x", hour, {}, now=datetime(2024, 1, 1, hour, tzinfo=UTC)
        )
    session.commit()
    f = EventFilter(
        since=datetime(2024, 1, 1, 10, tzinfo=UTC), until=datetime(2024, 1, 1, 11, tzinfo=UTC)
    )
    items, total = audit_query.search_events(session, SYSTEM, f)
    assert (total, [e.entity_id for e in items]) == (1, ["10"])


def test_paging(session: Session) -> None:
    for i in range(7):
        audit.record(session, SYSTEM, "note", "x", i, {})
    session.commit()
    items, total = audit_query.search_events(session, SYSTEM, EventFilter(), page=2, per_page=3)
    assert total == 7
    assert [e.seq for e in items] == [4, 3, 2]
    items, _ = audit_query.search_events(session, SYSTEM, EventFilter(), page=0, per_page=0)
    assert [e.seq for e in items] == [7]


def test_local_day_range() -> None:
    since, until = local_day_range(date(2024, 3, 2), date(2024, 3, 2), "Asia/Shanghai")
    assert since == datetime(2024, 3, 1, 16, tzinfo=UTC)
    assert until == datetime(2024, 3, 2, 16, tzinfo=UTC)
    # Across a daylight-saving change: 31 March 2024 has 23 hours in Berlin.
    since, until = local_day_range(date(2024, 3, 31), date(2024, 3, 31), "Europe/Berlin")
    assert until - since == (
        datetime(2024, 3, 31, 22, tzinfo=UTC) - datetime(2024, 3, 30, 23, tzinfo=UTC)
    )
    assert local_day_range(None, None, "UTC") == (None, None)
    assert local_day_range(date(2024, 1, 1), None, "No/Such_Zone")[0] == datetime(
        2024, 1, 1, tzinfo=UTC
    )


def test_filter_active() -> None:
    assert not EventFilter().active
    assert EventFilter(actor="x").active
    assert EventFilter(since=datetime(2024, 1, 1, tzinfo=UTC)).active


def ev(action: str, changes: object) -> AuditEvent:
    return AuditEvent(action=action, changes=changes)  # type: ignore[arg-type]


def test_changed_fields_reads_each_shape() -> None:
    update = changed_fields(ev("update", {"name": ["A", "B"], "code": [None, "X"]}))
    assert [(c.field, c.before, c.after) for c in update] == [
        ("code", None, "X"),
        ("name", "A", "B"),
    ]
    assert all(c.has_before and c.has_after for c in update)

    create = changed_fields(ev("create", {"name": "A", "roles": ["admin", "viewer"]}))
    assert [(c.field, c.has_before, c.after) for c in create] == [
        ("name", False, "A"),
        ("roles", False, ["admin", "viewer"]),
    ]
    # A create whose only value happens to be a pair is still a snapshot, not a change.
    (roles,) = changed_fields(ev("create", {"roles": ["admin", "viewer"]}))
    assert not roles.has_before and roles.after == ["admin", "viewer"]

    delete = changed_fields(ev("delete", {"name": "A"}))
    assert [(c.field, c.before, c.has_after) for c in delete] == [("name", "A", False)]

    context = changed_fields(ev("revoke", {"user_id": 3}))
    assert [(c.field, c.has_before, c.after) for c in context] == [("user_id", False, 3)]

    assert changed_fields(ev("change_password", {})) == []
    (odd,) = changed_fields(ev("note", ["not", "a", "dict"]))
    assert odd.after == ["not", "a", "dict"]
