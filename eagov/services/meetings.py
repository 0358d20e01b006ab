"""Architecture Board meetings: scheduling (the board's current members are invited), the
life of a meeting (planned -> in session -> closed, or cancelled), attendance and quorum,
papers (generated from their subject when downloaded, or uploaded) and the minutes.

The agenda lives in ``services.agenda`` and the decision log in ``services.decisions``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func
from sqlmodel import Session, col, select

from .. import storage
from ..errors import Conflict, Forbidden, Invalid, NotFound
from ..labels import label
from ..models import (
    Action,
    AgendaItem,
    Attendance,
    AttendanceStatus,
    Board,
    Decision,
    Meeting,
    MeetingPaper,
    MeetingState,
    PaperKind,
    Person,
    utcnow,
)
from ..permissions import Actor, require
from ..schemas.meetings import GuestIn, MeetingIn, MeetingUpdate, PaperIn
from . import audit
from .common import add_numbered, check_version, commit, flush, get_or_404, stage_delete
from .org import current_members

M = MeetingState
A = AttendanceStatus
# Replies before the meeting; what the secretary records during it.
BEFORE = (A.INVITED, A.CONFIRMED, A.DECLINED)
DURING = (A.PRESENT, A.APOLOGIES, A.ABSENT)
OPEN_STATES = (M.PLANNED, M.IN_SESSION)


# --- reading -------------------------------------------------------------------------------------


def get_meeting(session: Session, actor: Actor, meeting_id: int) -> Meeting:
    require(actor, "meetings.read")
    meeting = session.get(Meeting, meeting_id)
    if meeting is None:
        raise NotFound(_l("There is no board meeting with the id %(id)s.", id=meeting_id))
    return meeting


@dataclass
class MeetingFilter:
    board_id: int | None = None
    state: str | None = None
    when: str | None = None  # "upcoming" or "past"
    q: str = ""


@dataclass
class Listing:
    items: list[Any]
    total: int
    page: int
    per_page: int


@dataclass
class MeetingRow:
    meeting: Meeting
    board_name: str
    items: int
    decisions: int


def meeting_where(f: MeetingFilter, now: datetime) -> list[Any]:
    where: list[Any] = []
    if f.board_id is not None:
        where.append(Meeting.board_id == f.board_id)
    if f.state:
        where.append(Meeting.state == f.state)
    if f.when == "upcoming":
        where.append(col(Meeting.starts_at) >= now)
    elif f.when == "past":
        where.append(col(Meeting.starts_at) < now)
    if f.q:
        pattern = f"%{f.q.lower()}%"
        where.append(
            func.lower(Meeting.title).like(pattern) | func.lower(Meeting.reference).like(pattern)
        )
    return where


def meetings_page(
    session: Session,
    actor: Actor,
    f: MeetingFilter,
    page: int = 1,
    per_page: int = 25,
    *,
    now: datetime | None = None,
) -> Listing:
    """One page of meetings (upcoming ones soonest first, past ones latest first), with
    their board and how many agenda items and decisions they have: three statements."""
    require(actor, "meetings.read")
    now = now or utcnow()
    where = meeting_where(f, now)
    total = session.exec(select(func.count()).select_from(Meeting).where(*where)).one()
    order = col(Meeting.starts_at).asc() if f.when == "upcoming" else col(Meeting.starts_at).desc()
    items = func.count(col(AgendaItem.id).distinct())
    stmt = (
        select(Meeting, Board.name, items)
        .join(Board, col(Board.id) == Meeting.board_id)
        .outerjoin(AgendaItem, col(AgendaItem.meeting_id) == Meeting.id)
        .where(*where)
        .group_by(col(Meeting.id), col(Board.name))
        .order_by(order, col(Meeting.id))
        .limit(per_page)
        .offset((max(1, page) - 1) * per_page)
    )
    rows = session.exec(stmt).all()
    ids = [m.id for m, _name, _n in rows]
    decided = dict(
        session.exec(
            select(Decision.meeting_id, func.count())
            .where(col(Decision.meeting_id).in_(ids))
            .group_by(col(Decision.meeting_id))
        ).all()
    )
    out = [MeetingRow(m, name, int(n), int(decided.get(m.id, 0))) for m, name, n in rows]
    return Listing(out, int(total), max(1, page), per_page)


@dataclass
class Quorum:
    present: int
    required: int

    @property
    def met(self) -> bool:
        return self.present >= self.required


def quorum(session: Session, meeting: Meeting) -> Quorum:
    """Board members (not guests) marked present, against the board's quorum."""
    board = session.get(Board, meeting.board_id)
    assert board is not None
    present = session.exec(
        select(func.count()).where(
            Attendance.meeting_id == meeting.id,
            Attendance.status == A.PRESENT,
            col(Attendance.board_role).is_not(None),
        )
    ).one()
    return Quorum(int(present), board.quorum)


def attendance_of(session: Session, meeting_id: int) -> list[tuple[Attendance, Person]]:
    role_order = {"chair": 0, "member": 1, "secretary": 2}
    rows = session.exec(
        select(Attendance, Person)
        .join(Person, col(Person.id) == Attendance.person_id)
        .where(Attendance.meeting_id == meeting_id)
    ).all()
    return sorted(
        rows,
        key=lambda r: (role_order.get(r[0].board_role or "", 9), r[1].name),
    )


def papers_of(session: Session, meeting_id: int) -> list[MeetingPaper]:
    return list(
        session.exec(
            select(MeetingPaper)
            .where(MeetingPaper.meeting_id == meeting_id)
            .order_by(col(MeetingPaper.id))
        ).all()
    )


@dataclass
class MeetingDetail:
    meeting: Meeting
    board: Board
    quorum: Quorum
    agenda: list[AgendaItem]
    papers: list[MeetingPaper]
    attendance: list[tuple[Attendance, Person]]
    decisions: list[Decision]
    actions: list[Action]
    subjects: dict[tuple[str, int], str] = field(default_factory=dict)
    people: dict[int, str] = field(default_factory=dict)


def meeting_detail(session: Session, actor: Actor, meeting_id: int) -> MeetingDetail:
    """Everything the meeting page shows, in a fixed number of statements."""
    from .agenda import items_of, subject_references

    meeting = get_meeting(session, actor, meeting_id)
    board = session.get(Board, meeting.board_id)
    assert board is not None
    agenda = items_of(session, meeting_id)
    decisions = list(
        session.exec(
            select(Decision)
            .where(Decision.meeting_id == meeting_id)
            .order_by(col(Decision.number), col(Decision.id))
        ).all()
    )
    actions = list(
        session.exec(
            select(Action).where(Action.meeting_id == meeting_id).order_by(col(Action.id))
        ).all()
    )
    papers = papers_of(session, meeting_id)
    pairs = {(i.subject_type, i.subject_id) for i in agenda if i.subject_type and i.subject_id}
    person_ids = {i.presenter_id for i in agenda} | {a.owner_id for a in actions}
    people = dict(
        session.exec(
            select(Person.id, Person.name).where(col(Person.id).in_(person_ids - {None}))
        ).all()
    )
    return MeetingDetail(
        meeting=meeting,
        board=board,
        quorum=quorum(session, meeting),
        agenda=agenda,
        papers=papers,
        attendance=attendance_of(session, meeting_id),
        decisions=decisions,
        actions=actions,
        subjects=subject_references(session, pairs),
        people=people,  # type: ignore[arg-type]
    )


def previous_closed(session: Session, board_id: int, before: datetime) -> Meeting | None:
    return session.exec(
        select(Meeting)
        .where(
            Meeting.board_id == board_id,
            Meeting.state == M.CLOSED,
            col(Meeting.starts_at) < before,
        )
        .order_by(col(Meeting.starts_at).desc())
        .limit(1)
    ).first()


def next_planned(session: Session, meeting: Meeting) -> Meeting | None:
    return session.exec(
        select(Meeting)
        .where(
            Meeting.board_id == meeting.board_id,
            Meeting.state == M.PLANNED,
            col(Meeting.starts_at) > meeting.starts_at,
            Meeting.id != meeting.id,
        )
        .order_by(col(Meeting.starts_at))
        .limit(1)
    ).first()


# --- scheduling and the state of a meeting -------------------------------------------------------


def schedule(
    session: Session, actor: Actor, data: MeetingIn, *, now: datetime | None = None
) -> Meeting:
    """A new planned meeting of a board; the members whose term covers its date are invited."""
    require(actor, "meetings.manage")
    if session.get(Board, data.board_id) is None:
        raise Invalid(errors={"board_id": _l("The board does not exist.")})
    now = now or utcnow()
    year = data.starts_at.year
    meeting = add_numbered(
        session,
        Meeting,
        year,
        lambda number: Meeting(
            reference=f"MTG-{year}-{number:03d}",
            year=year,
            number=number,
            created_by_id=actor.user_id,
            created_at=now,
            **data.model_dump(),
        ),
    )
    invited = []
    for member in current_members(session, data.board_id, data.starts_at.date()):
        session.add(
            Attendance(meeting_id=meeting.id, person_id=member.person_id, board_role=member.role)  # type: ignore[arg-type]
        )
        invited.append(member.person_id)
    flush(session)
    audit.record(
        session,
        actor,
        "create",
        "meeting",
        meeting.id,
        audit.snapshot(meeting) | {"invited": invited},
        now=now,
    )
    commit(session)
    return meeting


def _in_state(meeting: Meeting, *states: str) -> None:
    if meeting.state not in states:
        raise Conflict(
            _l(
                "Meeting %(ref)s is %(state)s; that cannot be done now.",
                ref=meeting.reference,
                state=label(meeting.state),
            )
        )


def _change(
    session: Session,
    actor: Actor,
    meeting: Meeting,
    action: str,
    values: dict[str, Any],
    now: datetime | None = None,
) -> Meeting:
    before = audit.snapshot(meeting)
    for key, value in values.items():
        setattr(meeting, key, value)
    session.add(meeting)
    flush(session)
    audit.record(
        session,
        actor,
        action,
        "meeting",
        meeting.id,
        audit.diff(before, audit.snapshot(meeting)),
        now=now,
    )
    commit(session)
    return meeting


def update(
    session: Session, actor: Actor, meeting_id: int, data: MeetingUpdate, expected: int | None
) -> Meeting:
    """Change the title, time or place of a meeting that has not started."""
    require(actor, "meetings.manage")
    meeting = get_meeting(session, actor, meeting_id)
    check_version(meeting, expected)
    _in_state(meeting, M.PLANNED)
    values = data.model_dump(exclude_unset=True)
    starts = values.get("starts_at", meeting.starts_at)
    ends = values.get("ends_at", meeting.ends_at)
    if ends is not None and audit.as_utc(ends) <= audit.as_utc(starts):
        raise Invalid(errors={"ends_at": _l("The meeting must end after it starts.")})
    values = {k: v for k, v in values.items() if v is not None or k == "ends_at"}
    return _change(session, actor, meeting, "update", values)


def cancel(session: Session, actor: Actor, meeting_id: int, expected: int | None) -> Meeting:
    require(actor, "meetings.manage")
    meeting = get_meeting(session, actor, meeting_id)
    check_version(meeting, expected)
    _in_state(meeting, M.PLANNED)
    return _change(session, actor, meeting, "cancel", {"state": M.CANCELLED})


def open_meeting(
    session: Session,
    actor: Actor,
    meeting_id: int,
    expected: int | None,
    *,
    now: datetime | None = None,
) -> Meeting:
    """The chair (or the secretary) opens the session: attendance is now taken."""
    require(actor, "meetings.run")
    meeting = get_meeting(session, actor, meeting_id)
    check_version(meeting, expected)
    _in_state(meeting, M.PLANNED)
    now = now or utcnow()
    return _change(session, actor, meeting, "open", {"state": M.IN_SESSION, "opened_at": now}, now)


def save_minutes(
    session: Session, actor: Actor, meeting_id: int, minutes: str, expected: int | None
) -> Meeting:
    """The minutes are written during the session and may be finished until it is closed."""
    require(actor, "meetings.run")
    meeting = get_meeting(session, actor, meeting_id)
    check_version(meeting, expected)
    _in_state(meeting, M.IN_SESSION)
    return _change(session, actor, meeting, "minutes", {"minutes": minutes})


def close(
    session: Session,
    actor: Actor,
    meeting_id: int,
    expected: int | None,
    *,
    minutes: str | None = None,
    now: datetime | None = None,
) -> Meeting:
    """Close the session; a meeting is closed only with its minutes written."""
    require(actor, "meetings.run")
    meeting = get_meeting(session, actor, meeting_id)
    check_version(meeting, expected)
    _in_state(meeting, M.IN_SESSION)
    text = meeting.minutes if minutes is None else minutes
    if not text.strip():
        raise Invalid(errors={"minutes": _l("Write the minutes before closing the meeting.")})
    now = now or utcnow()
    values = {"state": M.CLOSED, "closed_at": now, "minutes": text}
    return _change(session, actor, meeting, "close", values, now)


def circulate_papers(
    session: Session,
    actor: Actor,
    meeting_id: int,
    expected: int | None,
    *,
    now: datetime | None = None,
) -> Meeting:
    """Record that the papers went out to the board (again, if they change)."""
    require(actor, "meetings.manage")
    meeting = get_meeting(session, actor, meeting_id)
    check_version(meeting, expected)
    _in_state(meeting, M.PLANNED)
    if not papers_of(session, meeting_id):
        raise Conflict(_l("There are no papers to circulate yet."))
    now = now or utcnow()
    return _change(session, actor, meeting, "circulate", {"papers_circulated_at": now}, now)


# --- attendance ----------------------------------------------------------------------------------


def person_id_of(session: Session, actor: Actor) -> int | None:
    if actor.user_id is None:
        return None
    return session.exec(select(Person.id).where(Person.user_id == actor.user_id)).first()


def _may_record_attendance(
    session: Session, actor: Actor, meeting: Meeting, person_id: int
) -> None:
    if meeting.state == M.PLANNED:
        # Invitees answer for themselves; the co-ordinator keeps the list.
        if not actor.can("meetings.manage") and person_id_of(session, actor) != person_id:
            raise Forbidden(_l("Only the invitee or the meeting's organisers reply to this."))
    elif meeting.state == M.IN_SESSION:
        require(actor, "meetings.run")
    else:
        _in_state(meeting, M.PLANNED, M.IN_SESSION)


def set_attendance(
    session: Session,
    actor: Actor,
    meeting_id: int,
    person_id: int,
    status: str,
    note: str = "",
) -> Attendance:
    """Confirm or decline before the meeting; present, apologies or absent during it. A
    person not yet listed is added as a guest (guests do not count towards the quorum)."""
    meeting = get_meeting(session, actor, meeting_id)
    _may_record_attendance(session, actor, meeting, person_id)
    allowed = BEFORE if meeting.state == M.PLANNED else DURING
    if status not in allowed:
        raise Invalid(
            errors={
                "status": _l(
                    "Now one of: %(choices)s.", choices=", ".join(str(label(s)) for s in allowed)
                )
            }
        )
    row = session.exec(
        select(Attendance).where(
            Attendance.meeting_id == meeting_id, Attendance.person_id == person_id
        )
    ).first()
    if row is None:
        get_or_404(session, Person, person_id)
        row = Attendance(meeting_id=meeting_id, person_id=person_id)
    before = {"status": row.status, "note": row.note}
    row.status, row.note = status, note
    session.add(row)
    flush(session)
    audit.record(
        session,
        actor,
        "attendance",
        "meeting",
        meeting_id,
        {"person_id": person_id} | audit.diff(before, {"status": status, "note": note}),
    )
    commit(session)
    return row


def add_guest(session: Session, actor: Actor, meeting_id: int, data: GuestIn) -> Attendance:
    """Invite someone who is not on the board (a presenter, an expert)."""
    require(actor, "meetings.manage")
    meeting = get_meeting(session, actor, meeting_id)
    _in_state(meeting, *OPEN_STATES)
    get_or_404(session, Person, data.person_id)
    exists = session.exec(
        select(Attendance.id).where(
            Attendance.meeting_id == meeting_id, Attendance.person_id == data.person_id
        )
    ).first()
    if exists:
        raise Invalid(errors={"person_id": _l("This person is already on the list.")})
    status = A.INVITED if meeting.state == M.PLANNED else A.PRESENT
    row = Attendance(meeting_id=meeting_id, person_id=data.person_id, status=status, note=data.note)
    session.add(row)
    flush(session)
    audit.record(session, actor, "add_guest", "meeting", meeting_id, {"person_id": data.person_id})
    commit(session)
    return row


# --- papers --------------------------------------------------------------------------------------


def _subject_title(session: Session, actor: Actor, kind: str, subject_id: int) -> str:
    """The default title of a generated paper; also checks that the actor may see it."""
    from . import contracts, reviews

    if kind == PaperKind.REVIEW_REPORT:
        review = reviews.get_review(session, actor, subject_id)
        return str(_l("Review report %(ref)s", ref=review.reference))
    contract = contracts.get_contract(session, actor, subject_id)
    return str(_l("Contract document %(ref)s", ref=contract.reference))


PAPER_KIND = {"review": PaperKind.REVIEW_REPORT, "contract": PaperKind.CONTRACT_DOCUMENT}


def stage_generated_paper(
    session: Session,
    actor: Actor,
    meeting: Meeting,
    subject_type: str,
    subject_id: int,
    *,
    agenda_item_id: int | None = None,
    title: str = "",
) -> MeetingPaper | None:
    """Add (without committing) the generated paper of a review or contract, unless the
    meeting already has it. Returns the new paper, or None when it was there."""
    kind = PAPER_KIND[subject_type]
    exists = session.exec(
        select(MeetingPaper.id).where(
            MeetingPaper.meeting_id == meeting.id,
            MeetingPaper.subject_type == subject_type,
            MeetingPaper.subject_id == subject_id,
        )
    ).first()
    if exists:
        return None
    paper = MeetingPaper(
        meeting_id=meeting.id,  # type: ignore[arg-type]
        agenda_item_id=agenda_item_id,
        kind=kind,
        title=title or _subject_title(session, actor, kind, subject_id),
        subject_type=subject_type,
        subject_id=subject_id,
        added_by_id=actor.user_id,
    )
    session.add(paper)
    flush(session)
    audit.record(session, actor, "create", "meeting_paper", paper.id, audit.snapshot(paper))
    return paper


def _check_item(session: Session, meeting_id: int, agenda_item_id: int | None) -> None:
    if agenda_item_id is None:
        return
    item = session.get(AgendaItem, agenda_item_id)
    if item is None or item.meeting_id != meeting_id:
        raise Invalid(errors={"agenda_item_id": _l("The item is not on this meeting's agenda.")})


def add_paper(session: Session, actor: Actor, meeting_id: int, data: PaperIn) -> MeetingPaper:
    """Attach the report of a review or the document of a contract, built when downloaded
    (so it always shows the subject as it is)."""
    require(actor, "meetings.manage")
    meeting = get_meeting(session, actor, meeting_id)
    _in_state(meeting, *OPEN_STATES)
    _check_item(session, meeting_id, data.agenda_item_id)
    paper = stage_generated_paper(
        session,
        actor,
        meeting,
        data.subject_type,
        data.subject_id,
        agenda_item_id=data.agenda_item_id,
        title=data.title,
    )
    if paper is None:
        raise Invalid(errors={"subject_id": _l("This paper is already attached.")})
    commit(session)
    return paper


def upload_paper(
    session: Session,
    actor: Actor,
    meeting_id: int,
    filename: str,
    data: bytes,
    upload_root: Path,
    *,
    title: str = "",
    agenda_item_id: int | None = None,
) -> MeetingPaper:
    """Keep an uploaded paper (checked by content like evidence; a failure leaves no file)."""
    require(actor, "meetings.manage")
    meeting = get_meeting(session, actor, meeting_id)
    _in_state(meeting, *OPEN_STATES)
    _check_item(session, meeting_id, agenda_item_id)
    stored = storage.accept(upload_root, filename, data)
    paper = MeetingPaper(
        meeting_id=meeting_id,
        agenda_item_id=agenda_item_id,
        kind=PaperKind.UPLOADED,
        title=(title.strip() or stored.name)[:300],
        stored_name=stored.file,
        file_name=stored.name,
        content_type=stored.content_type,
        size=stored.size,
        added_by_id=actor.user_id,
    )
    try:
        session.add(paper)
        flush(session)
        audit.record(session, actor, "create", "meeting_paper", paper.id, audit.snapshot(paper))
        commit(session)
    except BaseException:
        storage.discard(upload_root, stored)
        raise
    return paper


def remove_paper(session: Session, actor: Actor, paper_id: int, upload_root: Path) -> int:
    """Take a paper off a meeting that is not over; returns the meeting id."""
    require(actor, "meetings.manage")
    paper = get_or_404(session, MeetingPaper, paper_id)
    meeting = get_meeting(session, actor, paper.meeting_id)
    _in_state(meeting, *OPEN_STATES)
    stored = paper.stored_name
    stage_delete(session, actor, paper)
    commit(session)
    if stored:
        path = storage.path_of(upload_root, stored)
        path.unlink(missing_ok=True)
    return meeting.id  # type: ignore[return-value]


@dataclass
class PaperFile:
    name: str
    content_type: str
    data: bytes | None = None
    path: Path | None = None


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def paper_file(
    session: Session, actor: Actor, paper_id: int, upload_root: Path, *, locale: str = "en"
) -> PaperFile:
    """The paper to download. A generated one is built now, for a reader who may see its
    subject (a contract hidden from them is a 404, as on the contract's own page)."""
    from . import contracts, reviews

    paper = get_or_404(session, MeetingPaper, paper_id)
    get_meeting(session, actor, paper.meeting_id)
    if paper.kind == PaperKind.REVIEW_REPORT and paper.subject_id is not None:
        from ..documents.review_docx import build_review_docx

        review = reviews.get_review(session, actor, paper.subject_id)
        data = build_review_docx(session, review, locale=locale)
        return PaperFile(f"{review.reference}-report.docx", DOCX, data=data)
    if paper.kind == PaperKind.CONTRACT_DOCUMENT and paper.subject_id is not None:
        from ..documents.contract_docx import build_contract_docx

        contract = contracts.get_contract(session, actor, paper.subject_id)
        version = contracts.get_version(session, contract)
        data = build_contract_docx(session, contract, version, locale=locale)
        return PaperFile(f"{contract.reference}-v{version.number}.docx", DOCX, data=data)
    if not paper.stored_name:
        raise NotFound(_l("This paper has no file."))
    path = storage.path_of(upload_root, paper.stored_name)
    if not path.is_file():
        raise NotFound(_l("The file of this paper is missing from storage."))
    return PaperFile(
        paper.file_name or "paper", paper.content_type or "application/octet-stream", path=path
    )


def people_names(session: Session, ids: Sequence[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = session.exec(select(Person.id, Person.name).where(col(Person.id).in_(wanted))).all()
    return dict(rows)  # type: ignore[arg-type]


def meeting_date(meeting: Meeting) -> date:
    return audit.as_utc(meeting.starts_at).date()
