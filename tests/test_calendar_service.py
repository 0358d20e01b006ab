"""The governance calendar's events: one kind per source, only live ones (not cancelled,
closed, done or refused), only what the actor may see, days in the viewer's time zone, a
fixed number of statements whatever the data, and the month and week layouts.

The builders at the top are shared by the page, feed and API tests."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from conftest import count_statements
from contract_factory import Cast, make_cast, make_contract
from sqlmodel import Session, select

from eagov.errors import Forbidden
from eagov.models import (
    Action,
    Contract,
    ContractVersion,
    Deliverable,
    Dispensation,
    Meeting,
    Review,
)
from eagov.permissions import ANONYMOUS
from eagov.services import calendar as cal

_numbers = itertools.count(1)
TODAY = date.today()


def _next() -> int:
    return next(_numbers)


def add_meeting(
    session: Session,
    board_id: int,
    starts_at: datetime,
    *,
    state: str = "planned",
    ends_at: datetime | None = None,
    title: str = "Board meeting",
) -> Meeting:
    n = _next()
    row = Meeting(
        reference=f"MTG-2099-{n:03d}",
        year=2099,
        number=n,
        board_id=board_id,
        title=title,
        starts_at=starts_at,
        ends_at=ends_at,
        location="Room 4, Tower B",
        state=state,
    )
    return _save(session, row)


def add_review(
    session: Session, board_id: int, meeting_at: datetime | None, title: str = "Payments hub"
) -> Review:
    n = _next()
    row = Review(
        reference=f"REV-2099-{n:03d}",
        year=2099,
        number=n,
        title=title,
        project="Payments",
        board_id=board_id,
        checkpoint="initial_design",
        state="scheduled",
        meeting_at=meeting_at,
    )
    return _save(session, row)


def add_dispensation(
    session: Session, review_id: int, expires_on: date, state: str = "granted"
) -> Dispensation:
    n = _next()
    row = Dispensation(
        reference=f"DSP-2099-{n:04d}",
        year=2099,
        number=n,
        review_id=review_id,
        standards=["TLS 1.3"],
        justification="The vendor ships TLS 1.2 only until the next release.",
        requested_expiry=expires_on,
        expires_on=expires_on,
        state=state,
    )
    return _save(session, row)


def add_action(
    session: Session,
    board_id: int | None,
    due_on: date,
    status: str = "open",
    description: str = "Circulate the minutes",
) -> Action:
    n = _next()
    row = Action(
        reference=f"ACT-2099-{n:03d}",
        year=2099,
        number=n,
        board_id=board_id,
        description=description,
        raised_on=due_on - timedelta(days=14),
        due_on=due_on,
        status=status,
        priority="high",
    )
    return _save(session, row)


def _save(session: Session, row):  # type: ignore[no-untyped-def]
    session.add(row)
    session.commit()
    session.refresh(row)
    return row


def deliverables_of(session: Session, contract: Contract) -> list[Deliverable]:
    return list(
        session.exec(
            select(Deliverable)
            .join(ContractVersion, ContractVersion.id == Deliverable.version_id)
            .where(ContractVersion.contract_id == contract.id)
            .order_by(Deliverable.id)
        ).all()
    )


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


def one_of_each(session: Session, cast: Cast, day: date) -> Contract:
    """A live event of every kind on ``day`` (UTC), on the cast's board."""
    add_meeting(session, cast.board_id, at(day, 9), ends_at=at(day, 11))
    review = add_review(session, cast.board_id, at(day, 14))
    add_dispensation(session, review.id, day)  # type: ignore[arg-type]
    add_action(session, cast.board_id, day)
    contract = make_contract(session, cast, deliverables_count=1, window_end=day)
    item = deliverables_of(session, contract)[0]
    item.due_date = day
    _save(session, item)
    return contract


@pytest.fixture
def cast(session):
    return make_cast(session)


def window(session, actor, day: date, **kw):  # type: ignore[no-untyped-def]
    return cal.events(session, actor, day, day + timedelta(days=1), **kw)


# --- the sources -------------------------------------------------------------------------------


def test_every_source_gives_its_events(session, cast):
    day = TODAY + timedelta(days=40)
    contract = one_of_each(session, cast, day)
    items = window(session, cast.actor("viewer"), day)
    assert [e.kind for e in items] == [
        "deliverable",
        "dispensation",
        "contract",
        "action",
        "meeting",
        "review",
    ]  # all-day events first, then by time
    by_kind = {e.kind: e for e in items}
    meeting = by_kind["meeting"]
    assert meeting.start == at(day, 9) and meeting.end == at(day, 11)
    assert not meeting.all_day and meeting.location == "Room 4, Tower B"
    assert meeting.board == "Board" and meeting.board_id == cast.board_id
    assert meeting.uid == f"meeting-{meeting.id}@eagov"
    assert by_kind["review"].start == at(day, 14)
    for kind in ("deliverable", "dispensation", "contract", "action"):
        assert by_kind[kind].all_day and by_kind[kind].start == day
    assert by_kind["contract"].reference == contract.reference
    assert by_kind["contract"].args == (("contract_id", contract.id),)
    assert by_kind["deliverable"].anchor.startswith("deliverable-")
    assert by_kind["dispensation"].detail == "TLS 1.3"


def test_cancelled_closed_done_and_refused_ones_stay_off(session, cast):
    day = TODAY + timedelta(days=40)
    contract = one_of_each(session, cast, day)
    add_meeting(session, cast.board_id, at(day, 10), state="cancelled")
    add_meeting(session, cast.board_id, at(day, 12), state="closed")  # held: it stays
    review = add_review(session, cast.board_id, None)  # not scheduled: no session
    for state in ("requested", "refused", "expired", "revoked"):
        add_dispensation(session, review.id, day, state=state)  # type: ignore[arg-type]
    for status in ("done", "cancelled"):
        add_action(session, cast.board_id, day, status=status)
    add_action(session, cast.board_id, day, status="in_progress")
    for status in ("accepted", "waived"):
        other = make_contract(session, cast, deliverables_count=1, window_end=day + timedelta(1))
        item = deliverables_of(session, other)[0]
        item.due_date, item.status = day, status
        _save(session, item)
    items = window(session, cast.actor("viewer"), day)
    counts = {kind: sum(1 for e in items if e.kind == kind) for kind in cal.KINDS}
    assert counts == {
        "meeting": 2,
        "review": 1,
        "deliverable": 1,
        "dispensation": 1,
        "contract": 1,
        "action": 2,
    }
    contract.status = "terminated"
    _save(session, contract)
    items = window(session, cast.actor("viewer"), day)
    assert not [e for e in items if e.kind in ("contract", "deliverable")]


def test_the_window_is_days_in_the_viewers_zone(session, cast):
    shanghai = ZoneInfo("Asia/Shanghai")  # UTC+8, no daylight saving
    day = date(2099, 3, 1)
    late = add_meeting(session, cast.board_id, at(day, 16, 30))  # 00:30 on 2 March there
    early = add_meeting(session, cast.board_id, at(day - timedelta(1), 16, 0))  # 00:00, 1 March
    actor = cast.actor("viewer")
    in_utc = window(session, actor, day, kinds=["meeting"])
    assert [e.id for e in in_utc] == [late.id]
    there = window(session, actor, day, kinds=["meeting"], tz=shanghai)
    assert [e.id for e in there] == [early.id]
    assert there[0].day(shanghai) == day
    assert window(session, actor, day + timedelta(1), tz=shanghai)[0].id == late.id
    assert cal.events(session, actor, day, day) == []  # an empty window


def test_kinds_and_board_filter(session, cast):
    day = TODAY + timedelta(days=40)
    one_of_each(session, cast, day)
    other = make_cast(session, tag="2")
    add_meeting(session, other.board_id, at(day, 8))
    add_action(session, None, day)  # an action of no board
    actor = cast.actor("viewer")
    kinds = window(session, actor, day, kinds=["meeting", "action", "bogus"])
    assert {e.kind for e in kinds} == {"meeting", "action"} and len(kinds) == 4
    mine = window(session, actor, day, board_id=cast.board_id)
    assert len(mine) == 6 and {e.board_id for e in mine} == {cast.board_id}
    assert [e.kind for e in window(session, actor, day, board_id=other.board_id)] == ["meeting"]
    assert window(session, actor, day, kinds=[]) == []


def test_a_sponsor_sees_only_the_contracts_they_take_part_in(session, cast):
    day = TODAY + timedelta(days=40)
    mine = one_of_each(session, cast, day)
    other_cast = make_cast(session, tag="2")
    theirs = make_contract(session, other_cast, deliverables_count=1, window_end=day)
    item = deliverables_of(session, theirs)[0]
    item.due_date = day
    _save(session, item)

    def contracts_seen(actor) -> set[str]:  # type: ignore[no-untyped-def]
        return {e.reference for e in window(session, actor, day, kinds=["deliverable", "contract"])}

    assert contracts_seen(cast.actor("sponsor")) == {mine.reference}
    assert contracts_seen(other_cast.actor("sponsor")) == {theirs.reference}
    assert contracts_seen(cast.actor("outsider")) == set()
    assert contracts_seen(cast.actor("viewer")) == {mine.reference, theirs.reference}
    # The rest of the calendar is open to everyone.
    assert {e.kind for e in window(session, cast.actor("outsider"), day)} == {
        "meeting",
        "review",
        "dispensation",
        "action",
    }


def test_the_draft_of_an_amendment_does_not_move_the_dates_in_force(session, cast):
    from contract_factory import activate

    from eagov.schemas.contracts import AmendIn
    from eagov.services import contracts

    day = TODAY + timedelta(days=40)
    contract = make_contract(session, cast, deliverables_count=1, window_end=day)
    activate(session, cast, contract)
    contracts.amend(
        session, cast.actor("coordinator"), contract.id, AmendIn(change_summary="Longer window")
    )
    draft = contracts.get_version(session, contract)
    draft.window_end = day + timedelta(days=100)
    _save(session, draft)
    items = cal.events(
        session, cast.actor("viewer"), day, day + timedelta(days=200), kinds=["contract"]
    )
    assert [(e.reference, e.start) for e in items] == [(contract.reference, day)]


def test_the_anonymous_actor_sees_nothing(session):
    with pytest.raises(Forbidden):
        cal.events(session, ANONYMOUS, TODAY, TODAY + timedelta(days=1))


def test_a_fixed_number_of_statements_whatever_the_data(app, session, cast):
    day = TODAY + timedelta(days=40)
    actor = cast.actor("sponsor")  # the visibility filter adds its own look-up

    def statements() -> int:
        with count_statements(app) as seen:
            items = cal.events(session, actor, day, day + timedelta(days=7))
        assert items
        return len(seen)

    one_of_each(session, cast, day)
    few = statements()
    for i in range(10):
        one_of_each(session, cast, day + timedelta(days=i % 7))
    assert statements() == few
    assert few <= 8  # one per source, and the sponsor's person once per contract source


def test_kind_names_are_parsed_from_lists_and_commas():
    assert cal.parse_kinds(["action,meeting", "review", " bogus "]) == [
        "meeting",
        "review",
        "action",
    ]
    assert cal.unknown_kinds(["action,bogus", "x"]) == ["bogus", "x"]


# --- layouts -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("year", "month", "first", "last", "weeks"),
    [
        (2026, 2, date(2026, 1, 26), date(2026, 3, 1), 5),  # starts on a Sunday
        (2024, 2, date(2024, 1, 29), date(2024, 3, 3), 5),  # leap year: 29 February
        (2021, 2, date(2021, 2, 1), date(2021, 2, 28), 4),  # Monday to Sunday exactly
        (2026, 8, date(2026, 7, 27), date(2026, 9, 6), 6),  # needs six rows
        (2025, 12, date(2025, 12, 1), date(2026, 1, 4), 5),  # into the next year
    ],
)
def test_month_weeks(year, month, first, last, weeks):
    grid = cal.month_weeks(year, month)
    assert len(grid) == weeks and all(len(w) == 7 for w in grid)
    assert grid[0][0] == first and grid[-1][-1] == last
    assert all(d.weekday() == 0 for d in (w[0] for w in grid))
    days = [d for w in grid for d in w]
    assert days == [first + timedelta(days=i) for i in range(len(days))]
    in_month = [d for d in days if d.month == month]
    assert in_month[0].day == 1 and in_month[-1] == (
        date(year, month + 1, 1) if month < 12 else date(year + 1, 1, 1)
    ) - timedelta(1)


def test_week_days_run_monday_to_sunday():
    days = cal.week_days(date(2024, 2, 29))  # a Thursday
    assert days[0] == date(2024, 2, 26) and days[-1] == date(2024, 3, 3)
    assert cal.week_days(date(2024, 2, 26)) == days
