"""The hash-chained audit trail: one event per write, in the write's transaction; what
``verify_chain`` detects (and, documented here, what it cannot); the CLI; concurrent writers."""

from __future__ import annotations

import itertools
import threading
import time
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session, col, func, select

from eagov.db import make_engine
from eagov.errors import Conflict, Forbidden, Invalid
from eagov.models import AuditEvent, OrgUnit
from eagov.permissions import SYSTEM, Actor
from eagov.schemas.org import OrgUnitIn
from eagov.services import audit, org
from eagov.services.audit import GENESIS, event_hash, verify_chain


def unit_in(name: str, code: str | None = None, **extra: Any) -> OrgUnitIn:
    return OrgUnitIn(name=name, code=code, kind="division", **extra)  # type: ignore[arg-type]


def events(session: Session) -> list[AuditEvent]:
    session.expire_all()
    return list(session.exec(select(AuditEvent).order_by(col(AuditEvent.seq))).all())


def count(session: Session) -> int:
    return int(session.exec(select(func.count()).select_from(AuditEvent)).one())


def chain(session: Session, n: int = 5) -> list[OrgUnit]:
    """A trail of ``n`` events (one unit created per event), seq 1..n."""
    assert count(session) == 0
    return [
        org.create_unit(session, SYSTEM, unit_in(f"Unit {i}", f"U{i}")) for i in range(1, n + 1)
    ]


def sql(session: Session, statement: str, **params: Any) -> None:
    """What someone with write access to the database could do, bypassing the services."""
    stmt = sa.text(statement)
    if "changes" in params:
        stmt = stmt.bindparams(sa.bindparam("changes", type_=sa.JSON))
    session.execute(stmt, params)
    session.commit()


def forged(session: Session, seq: int, prev_hash: str, **fields: Any) -> dict[str, Any]:
    """An event row with a hash computed the way the application computes it."""
    values: dict[str, Any] = {
        "seq": seq,
        "prev_hash": prev_hash,
        "at": audit.utcnow(),
        "actor_id": None,
        "actor_label": "system",
        "action": "create",
        "entity_type": "org_unit",
        "entity_id": "999",
        "changes": {"name": "Forged"},
    } | fields
    return values | {"hash": event_hash(**values)}


def insert(session: Session, row: dict[str, Any]) -> None:
    table = sa.inspect(AuditEvent).local_table
    session.execute(sa.insert(table).values(**row))
    session.commit()


def shift_seqs(session: Session, start: int, by: int) -> None:
    """Renumber events from ``start`` on (two steps, so the unique seq never collides)."""
    sql(session, "UPDATE audit_event SET seq = -seq WHERE seq >= :s", s=start)
    sql(session, "UPDATE audit_event SET seq = -seq + :by WHERE seq < 0", by=by)


# --- one event per write, in the same transaction --------------------------------------------


def test_create_writes_one_event_with_actor_and_fields(session: Session, make_user) -> None:  # type: ignore[no-untyped-def]
    user = make_user("admin")
    actor = Actor.of(user)
    before = events(session)
    unit = org.create_unit(session, actor, unit_in("Finance", "FIN"))

    after = events(session)
    assert len(after) == len(before) + 1
    ev = after[-1]
    assert (ev.action, ev.entity_type, ev.entity_id) == ("create", "org_unit", str(unit.id))
    assert (ev.actor_id, ev.actor_label) == (user.id, user.email)
    assert ev.changes["name"] == "Finance"
    assert ev.changes["code"] == "FIN"
    assert ev.changes["kind"] == "division"
    assert "version" not in ev.changes
    assert ev.seq == before[-1].seq + 1
    assert ev.prev_hash == before[-1].hash


def test_update_records_only_changed_fields(session: Session) -> None:
    unit = org.create_unit(session, SYSTEM, unit_in("Finance", "FIN", description="Money"))
    n = count(session)

    org.update_unit(
        session, SYSTEM, unit.id, unit_in("Finance & Control", "FIN", description="Money"), 1
    )
    ev = events(session)[-1]
    assert count(session) == n + 1
    assert ev.action == "update"
    assert ev.changes == {"name": ["Finance", "Finance & Control"]}

    # Saving the same values again is no change: no event.
    org.update_unit(
        session, SYSTEM, unit.id, unit_in("Finance & Control", "FIN", description="Money"), 2
    )
    assert count(session) == n + 1


def test_delete_records_the_removed_row(session: Session) -> None:
    unit = org.create_unit(session, SYSTEM, unit_in("Temp", "TMP"))
    org.delete_unit(session, SYSTEM, unit.id, unit.version)
    ev = events(session)[-1]
    assert (ev.action, ev.entity_id) == ("delete", str(unit.id))
    assert ev.changes["name"] == "Temp"


def test_refused_writes_leave_no_event(session: Session) -> None:
    org.create_unit(session, SYSTEM, unit_in("Root", "ROOT"))
    n = count(session)
    with pytest.raises(Invalid):
        org.create_unit(session, SYSTEM, unit_in("Orphan", parent_id=9999))
    with pytest.raises(Invalid):
        org.update_unit(session, SYSTEM, 1, unit_in("Root", "ROOT", parent_id=1), None)
    with pytest.raises(Forbidden):
        org.create_unit(
            session, Actor(5, "viewer@example.com", frozenset({"viewer"})), unit_in("X")
        )
    with pytest.raises(Conflict):  # stale version
        org.update_unit(session, SYSTEM, 1, unit_in("Renamed", "ROOT"), 7)
    assert count(session) == n
    assert verify_chain(session).ok


def test_event_and_change_commit_or_roll_back_together(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The event is flushed in the write's transaction: when the commit fails, both go."""
    org.create_unit(session, SYSTEM, unit_in("Root", "ROOT"))
    n = count(session)

    def failing_commit() -> None:
        raise IntegrityError("COMMIT", {}, Exception("UNIQUE constraint failed (simulated)"))

    monkeypatch.setattr(session, "commit", failing_commit)
    with pytest.raises(Conflict):
        org.create_unit(session, SYSTEM, unit_in("Lost", "LOST"))
    monkeypatch.undo()

    assert count(session) == n
    assert session.exec(select(OrgUnit).where(OrgUnit.name == "Lost")).first() is None
    # The next write continues the chain without a gap.
    org.create_unit(session, SYSTEM, unit_in("Kept", "KEPT"))
    assert [e.seq for e in events(session)] == list(range(1, n + 2))
    assert verify_chain(session).ok


def test_record_holds_the_chain_lock_until_commit(session: Session) -> None:
    """A second writer waits for the first to commit and then extends the new tip."""
    org.create_unit(session, SYSTEM, unit_in("Root", "ROOT"))
    eng = session.get_bind()
    done = threading.Event()
    errors: list[BaseException] = []

    def second_writer() -> None:
        try:
            with Session(eng) as other:
                audit.record(other, SYSTEM, "note", "org_unit", 1, {"n": 2})
                other.commit()
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            done.set()

    with Session(eng) as first:
        audit.record(first, SYSTEM, "note", "org_unit", 1, {"n": 1})  # lock taken, not committed
        thread = threading.Thread(target=second_writer)
        thread.start()
        assert not done.wait(0.5), "the second writer did not wait for the chain lock"
        first.commit()
    thread.join(30)
    assert not errors, errors
    evs = events(session)
    assert [e.changes for e in evs[-2:]] == [{"n": 1}, {"n": 2}]
    assert verify_chain(session).ok


# --- what verify_chain detects ----------------------------------------------------------------


def test_empty_chain_verifies(session: Session) -> None:
    report = verify_chain(session)
    assert (report.ok, report.checked, report.tip) == (True, 0, GENESIS)


def test_untouched_chain_verifies_in_small_batches(session: Session) -> None:
    chain(session, 7)
    evs = events(session)
    report = verify_chain(session, batch=3)
    assert report.ok
    assert report.checked == 7
    assert report.tip == evs[-1].hash
    assert evs[0].prev_hash == GENESIS
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(evs))


def test_verify_does_not_touch_the_callers_objects(session: Session) -> None:
    units = chain(session, 3)
    verify_chain(session, batch=1)
    assert units[0] in session  # nothing expunged from the caller's session


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("changes", {"name": "Innocent"}),
        ("actor_label", "someone-else@example.com"),
        ("action", "update"),
        ("entity_id", "42"),
    ],
)
def test_detects_an_altered_event(session: Session, column: str, value: Any) -> None:
    chain(session, 5)
    params = {"changes": value} if column == "changes" else {"v": value}
    placeholder = ":changes" if column == "changes" else ":v"
    sql(session, f"UPDATE audit_event SET {column} = {placeholder} WHERE seq = 3", **params)  # noqa: S608

    report = verify_chain(session)
    assert not report.ok
    assert (report.seq, report.kind, report.checked) == (3, "altered", 2)
    assert "event 3" in (report.problem or "")
    assert report.tip == events(session)[1].hash  # the last good event


def test_detects_an_altered_timestamp(session: Session) -> None:
    chain(session, 4)
    table = sa.inspect(AuditEvent).local_table
    session.execute(
        sa.update(table).where(table.c.seq == 2).values(at=audit.utcnow().replace(year=2001))
    )
    session.commit()
    report = verify_chain(session)
    assert (report.ok, report.seq, report.kind) == (False, 2, "altered")


def test_detects_an_altered_event_whose_hash_was_recomputed(session: Session) -> None:
    """Rewriting an event and its hash breaks the link from the next event."""
    chain(session, 5)
    ev = events(session)[2]
    row = forged(
        session,
        3,
        ev.prev_hash,
        at=ev.at,
        entity_id=ev.entity_id,
        changes={"name": "Rewritten"},
    )
    sql(
        session,
        "UPDATE audit_event SET changes = :changes, at = :at, hash = :hash WHERE seq = 3",
        changes=row["changes"],
        at=row["at"],
        hash=row["hash"],
    )
    report = verify_chain(session)
    assert (report.ok, report.seq, report.kind) == (False, 4, "relinked")
    assert "event 3 was rewritten" in (report.problem or "")


def test_detects_a_removed_event(session: Session) -> None:
    chain(session, 5)
    sql(session, "DELETE FROM audit_event WHERE seq = 3")
    report = verify_chain(session)
    assert (report.ok, report.seq, report.kind, report.checked) == (False, 4, "removed", 2)
    assert "event(s) 3 removed before event 4" in (report.problem or "")


def test_detects_removed_events_even_when_the_rest_is_renumbered(session: Session) -> None:
    chain(session, 6)
    sql(session, "DELETE FROM audit_event WHERE seq IN (3, 4)")
    shift_seqs(session, 5, -2)  # 5, 6 -> 3, 4: no gap any more
    report = verify_chain(session)
    # The seq is part of each hash, so a renumbered event no longer matches its hash.
    assert (report.ok, report.seq, report.kind) == (False, 3, "altered")


def test_detects_an_inserted_event_with_a_made_up_hash(session: Session) -> None:
    chain(session, 5)
    shift_seqs(session, 3, 1)  # make room at 3
    prev = events(session)[1].hash
    insert(session, forged(session, 3, prev) | {"hash": "f" * 64})
    report = verify_chain(session)
    assert (report.ok, report.seq, report.kind) == (False, 3, "altered")


def test_detects_an_inserted_event_with_a_correct_hash(session: Session) -> None:
    """The forger knows the algorithm, so the new event itself verifies; the event pushed
    down the chain does not (its seq moved), nor would it point at the forged one."""
    chain(session, 5)
    shift_seqs(session, 3, 1)
    prev = events(session)[1].hash
    insert(session, forged(session, 3, prev))
    report = verify_chain(session)
    assert (report.ok, report.seq, report.kind, report.checked) == (False, 4, "altered", 3)


def test_detects_an_event_inserted_without_renumbering(session: Session) -> None:
    """Squeezed in as a new last-but-one link: the real last event no longer follows it."""
    chain(session, 3)
    sql(session, "UPDATE audit_event SET seq = 4 WHERE seq = 3")
    prev = events(session)[1].hash
    insert(session, forged(session, 3, prev))
    report = verify_chain(session)
    assert not report.ok
    assert report.seq == 4


# --- the limits: what only an external anchor (the tip hash) shows ---------------------------


def test_limit_a_cut_off_tail_needs_the_recorded_tip(session: Session) -> None:
    chain(session, 5)
    anchor = verify_chain(session).tip  # what `eagov audit verify` prints; keep it elsewhere
    sql(session, "DELETE FROM audit_event WHERE seq >= 4")

    alone = verify_chain(session)
    assert alone.ok and alone.checked == 3  # the shorter chain is self-consistent

    anchored = verify_chain(session, anchor=anchor)
    assert (anchored.ok, anchored.kind, anchored.checked) == (False, "anchor_missing", 3)


def test_limit_a_rewritten_tail_needs_the_recorded_tip(session: Session) -> None:
    """Someone who can write the table can rewrite the tail and recompute every hash after it;
    the chain is consistent again, only an older tip hash kept elsewhere no longer matches."""
    chain(session, 5)
    anchor = verify_chain(session).tip
    evs = events(session)
    prev = evs[2].hash
    sql(session, "DELETE FROM audit_event WHERE seq >= 4")
    for seq in (4, 5):
        row = forged(session, seq, prev, changes={"name": f"Rewritten {seq}"})
        insert(session, row)
        prev = row["hash"]

    assert verify_chain(session).ok
    assert verify_chain(session, anchor=anchor).kind == "anchor_missing"
    # An anchor from before the rewritten part still verifies: the prefix is intact.
    assert verify_chain(session, anchor=evs[2].hash).ok


def test_limit_appended_events_verify(session: Session) -> None:
    """No secret goes into the hash: a well-formed event appended at the end is not detected.
    Restricting database write access is what prevents it (see the user guide)."""
    chain(session, 3)
    insert(session, forged(session, 4, events(session)[-1].hash))
    assert verify_chain(session).ok


def test_anchor_is_accepted_in_any_case_and_with_spaces(session: Session) -> None:
    chain(session, 2)
    tip = verify_chain(session).tip
    assert verify_chain(session, anchor=f"  {tip.upper()} ").ok


# --- the command line ------------------------------------------------------------------------


def test_cli_verify_ok_and_broken(app: Flask, session: Session) -> None:
    chain(session, 4)
    tip = events(session)[-1].hash
    runner = app.test_cli_runner()

    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "OK: 4 events, chain intact." in result.output
    assert tip in result.output

    sql(session, "UPDATE audit_event SET actor_label = 'x' WHERE seq = 2")
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "BROKEN after 1 good events: event 2 was altered" in result.output


def test_cli_verify_with_an_anchor_detects_a_cut_tail(app: Flask, session: Session) -> None:
    chain(session, 4)
    tip = events(session)[-1].hash
    runner = app.test_cli_runner()
    assert runner.invoke(args=["audit", "verify", "--anchor", tip]).exit_code == 0
    sql(session, "DELETE FROM audit_event WHERE seq = 4")
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0  # the cut is invisible alone
    result = runner.invoke(args=["audit", "verify", "--anchor", tip])
    assert result.exit_code == 1, result.output


# --- concurrent writers -----------------------------------------------------------------------


def _writers(url_or_engine: Any, writers: int, writes: int) -> tuple[int, list[BaseException]]:
    """``writers`` threads, each on its own session (and engine when given a URL), each
    creating ``writes`` units through the service. Returns (successes, errors)."""
    barrier = threading.Barrier(writers)
    lock = threading.Lock()
    ok: list[int] = []
    errors: list[BaseException] = []

    def work(w: int) -> None:
        eng = make_engine(url_or_engine) if isinstance(url_or_engine, str) else url_or_engine
        try:
            barrier.wait()
            for i in range(writes):
                with Session(eng, expire_on_commit=False) as s:
                    try:
                        org.create_unit(s, SYSTEM, unit_in(f"W{w} unit {i}", f"W{w}-{i}"))
                    except (OperationalError, Conflict) as exc:
                        with lock:
                            errors.append(exc)
                    else:
                        with lock:
                            ok.append(1)
        finally:
            if isinstance(url_or_engine, str):
                eng.dispose()

    threads = [threading.Thread(target=work, args=(w,)) for w in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(300)
    return len(ok), errors


def _assert_linear(session: Session, expected: int) -> None:
    evs = events(session)
    assert len(evs) == expected
    assert [e.seq for e in evs] == list(range(1, expected + 1))
    prev = GENESIS
    for e in evs:
        assert e.prev_hash == prev, f"fork at seq {e.seq}"
        prev = e.hash
    report = verify_chain(session)
    assert report.ok, report.problem
    assert report.checked == expected


def test_concurrent_writers_on_sqlite_never_fork(session: Session) -> None:
    """SQLite lets one writer at a time in; the other waits (busy timeout). A write may at
    worst fail cleanly (locked / conflict), never extend an old tip."""
    eng = session.get_bind()
    if eng.dialect.name != "sqlite":
        pytest.skip("the PostgreSQL variant is below")
    started = time.monotonic()
    successes, errors = _writers(eng, writers=2, writes=25)
    assert time.monotonic() - started < 120
    assert successes + len(errors) == 50
    assert not errors, f"{len(errors)} writes failed, first: {errors[0]!r}"
    _assert_linear(session, successes)
    assert session.exec(select(func.count()).select_from(OrgUnit)).one() == successes


@pytest.mark.postgres
def test_concurrent_writers_on_postgres_never_fork(database_url: str, session: Session) -> None:
    """Two engines (two connection pools, as two app processes would have) write at once."""
    successes, errors = _writers(database_url, writers=2, writes=50)
    assert not errors, f"{len(errors)} writes failed, first: {errors[0]!r}"
    assert successes == 100
    _assert_linear(session, 100)
    assert session.exec(select(func.count()).select_from(OrgUnit)).one() == 100
