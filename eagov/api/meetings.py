"""/api/v1/meetings: board meetings with their agenda, papers, attendance and minutes.
planned -> in_session (open) -> closed (needs minutes); planned -> cancelled."""

from __future__ import annotations

from io import BytesIO
from typing import Literal

from flask import Response, request, send_file, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from pydantic import Field
from sqlmodel import select

from ..auth import current_actor
from ..db import get_session
from ..errors import Invalid, NotFound
from ..models import AgendaItem, Meeting, MeetingState, utcnow
from ..permissions import require
from ..schemas.api_read import Page
from ..schemas.common import Schema
from ..schemas.meetings import (
    AgendaItemEdit,
    AgendaItemIn,
    AgendaItemRead,
    AgendaMove,
    AttendanceIn,
    AttendanceRead,
    CloseIn,
    MeetingDetailRead,
    MeetingIn,
    MeetingRead,
    MeetingUpdate,
    MinutesIn,
    PaperIn,
    PaperRead,
    QuorumRead,
)
from ..services import agenda as agenda_svc
from ..services import meetings as svc
from ..uploads import upload_root
from . import bp
from .listing import Id, ListQuery, Search, ordered, page_of, sort_by
from .responses import attachment, no_content, read_from, respond, respond_page
from .reviews import NoInput
from .spec import endpoint

TAG = "Meetings"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def meeting_read(meeting: Meeting) -> MeetingRead:
    return read_from(MeetingRead, meeting)


def _detail(meeting_id: int) -> MeetingDetailRead:
    session, actor = get_session(), current_actor()
    meeting = svc.get_meeting(session, actor, meeting_id)
    q = svc.quorum(session, meeting)
    return read_from(
        MeetingDetailRead,
        meeting,
        quorum=QuorumRead(present=q.present, required=q.required, met=q.met),
        agenda=[AgendaItemRead.model_validate(i) for i in agenda_svc.items_of(session, meeting_id)],
        attendance=_attendance(meeting_id),
    )


def _attendance(meeting_id: int) -> list[AttendanceRead]:
    return [
        read_from(AttendanceRead, a, person_name=person.name)
        for a, person in svc.attendance_of(get_session(), meeting_id)
    ]


class MeetingQuery(ListQuery):
    board_id: Id | None = Field(default=None, description="Only the meetings of this board.")
    state: MeetingState | None = Field(default=None, description="Only in this state.")
    when: Literal["upcoming", "past"] | None = Field(
        default=None, description="Starting from now on, or before now."
    )
    q: Search = None
    sort: str = sort_by("starts_at", "reference", "id", default="-starts_at")


@endpoint(
    bp,
    "/meetings",
    summary="List meetings",
    tag=TAG,
    query=MeetingQuery,
    response=Page[MeetingRead],
)
def list_meetings(query: MeetingQuery) -> Response:
    session, actor = get_session(), current_actor()
    f = svc.MeetingFilter(
        board_id=query.board_id,
        state=query.state.value if query.state else None,
        when=query.when,
        q=query.q or "",
    )
    require(actor, "meetings.read")
    stmt = select(Meeting).where(*svc.meeting_where(f, utcnow()))
    return respond_page(page_of(session, ordered(stmt, Meeting, query.sort), query), meeting_read)


@endpoint(
    bp,
    "/meetings",
    method="POST",
    summary="Schedule a meeting",
    tag=TAG,
    body=MeetingIn,
    response=MeetingDetailRead,
    status=201,
)
def create_meeting(body: MeetingIn) -> Response:
    """A planned meeting with a reference MTG-<year>-<n>; the board members whose term covers
    its date are invited. Needs meetings.manage."""
    meeting = svc.schedule(get_session(), current_actor(), body)
    assert meeting.id is not None
    location = url_for(".get_meeting", meeting_id=meeting.id)
    return respond(_detail(meeting.id), 201, location)


@endpoint(
    bp,
    "/meetings/<id:meeting_id>",
    summary="Get a meeting with its agenda, attendance and quorum",
    tag=TAG,
    response=MeetingDetailRead,
)
def get_meeting(meeting_id: int) -> Response:
    return respond(_detail(meeting_id))


@endpoint(
    bp,
    "/meetings/<id:meeting_id>",
    method="PATCH",
    summary="Change a planned meeting",
    tag=TAG,
    body=MeetingUpdate,
    response=MeetingDetailRead,
    if_match=True,
)
def patch_meeting(meeting_id: int, body: MeetingUpdate, version: int) -> Response:
    """Fields left out keep their value. Only while planned (409 otherwise)."""
    svc.update(get_session(), current_actor(), meeting_id, body, version)
    return respond(_detail(meeting_id))


def _step(name: str, summary: str, doc: str) -> None:
    use_case = {
        "open": svc.open_meeting,
        "cancel": svc.cancel,
        "circulate": svc.circulate_papers,
    }[name]

    def view(meeting_id: int, body: NoInput, version: int) -> Response:
        use_case(get_session(), current_actor(), meeting_id, version)
        return respond(_detail(meeting_id))

    view.__name__ = f"{name}_meeting"
    view.__doc__ = doc
    endpoint(
        bp,
        f"/meetings/<id:meeting_id>/{name}",
        method="POST",
        summary=summary,
        tag=TAG,
        body=NoInput,
        response=MeetingDetailRead,
        if_match=True,
    )(view)


_step(
    "open",
    "Open a meeting",
    "planned -> in_session; attendance is now taken as present, apologies or absent. "
    "Needs meetings.run (the chair or the secretary). Send {}.",
)
_step("cancel", "Cancel a meeting", "planned -> cancelled. Needs meetings.manage. Send {}.")
_step(
    "circulate",
    "Record that the papers were circulated",
    "Sets papers_circulated_at; only while planned and with at least one paper (409). Send {}.",
)


@endpoint(
    bp,
    "/meetings/<id:meeting_id>/close",
    method="POST",
    summary="Close a meeting",
    tag=TAG,
    body=CloseIn,
    response=MeetingDetailRead,
    if_match=True,
)
def close_meeting(meeting_id: int, body: CloseIn, version: int) -> Response:
    """in_session -> closed. minutes (Markdown) may be sent along; a meeting without minutes
    is not closed (422)."""
    svc.close(get_session(), current_actor(), meeting_id, version, minutes=body.minutes)
    return respond(_detail(meeting_id))


@endpoint(
    bp,
    "/meetings/<id:meeting_id>/minutes",
    method="PUT",
    summary="Save the minutes",
    tag=TAG,
    body=MinutesIn,
    response=MeetingDetailRead,
    if_match=True,
)
def put_minutes(meeting_id: int, body: MinutesIn, version: int) -> Response:
    """Markdown; while the meeting is in session (409 otherwise)."""
    svc.save_minutes(get_session(), current_actor(), meeting_id, body.minutes, version)
    return respond(_detail(meeting_id))


# --- agenda --------------------------------------------------------------------------------------


class AgendaList(Schema):
    items: list[AgendaItemRead]


def _item_read(item: AgendaItem) -> AgendaItemRead:
    return AgendaItemRead.model_validate(item)


@endpoint(
    bp,
    "/meetings/<id:meeting_id>/agenda",
    summary="The agenda of a meeting",
    tag=TAG,
    response=AgendaList,
)
def list_agenda(meeting_id: int) -> Response:
    session = get_session()
    svc.get_meeting(session, current_actor(), meeting_id)
    return respond(
        AgendaList(items=[_item_read(i) for i in agenda_svc.items_of(session, meeting_id)])
    )


@endpoint(
    bp,
    "/meetings/<id:meeting_id>/agenda",
    method="POST",
    summary="Add an agenda item",
    tag=TAG,
    body=AgendaItemIn,
    response=AgendaItemRead,
    status=201,
)
def add_agenda_item(meeting_id: int, body: AgendaItemIn) -> Response:
    """Placed after the last item of its section (the standard order). A subject already on
    the agenda is refused (422)."""
    item = agenda_svc.add_item(get_session(), current_actor(), meeting_id, body)
    location = url_for(".get_agenda_item", item_id=item.id)
    return respond(_item_read(item), 201, location)


@endpoint(
    bp,
    "/meetings/<id:meeting_id>/agenda/propose",
    method="POST",
    summary="Propose the agenda from pending business",
    tag=TAG,
    body=NoInput,
    response=AgendaList,
)
def propose_agenda(meeting_id: int, body: NoInput) -> Response:
    """Adds what awaits the board and is not on the agenda yet (see the user guide for the
    rules) and attaches the papers of its reviews and contracts; returns the items added.
    Only while planned (409 otherwise). Send {}."""
    added = agenda_svc.apply_proposal(get_session(), current_actor(), meeting_id)
    return respond(AgendaList(items=[_item_read(i) for i in added]))


def _visible_item(item_id: int) -> AgendaItem:
    session = get_session()
    item = session.get(AgendaItem, item_id)
    if item is None:
        raise NotFound(_l("There is no agenda item with the id %(id)s.", id=item_id))
    svc.get_meeting(session, current_actor(), item.meeting_id)
    return item


@endpoint(
    bp, "/agenda-items/<id:item_id>", summary="Get an agenda item", tag=TAG, response=AgendaItemRead
)
def get_agenda_item(item_id: int) -> Response:
    return respond(_item_read(_visible_item(item_id)))


@endpoint(
    bp,
    "/agenda-items/<id:item_id>",
    method="PATCH",
    summary="Change an agenda item",
    tag=TAG,
    body=AgendaItemEdit,
    response=AgendaItemRead,
    if_match=True,
)
def patch_agenda_item(item_id: int, body: AgendaItemEdit, version: int) -> Response:
    """Text, presenter, status and notes; fields left out keep their value."""
    item = agenda_svc.edit_item(get_session(), current_actor(), item_id, body, version)
    return respond(_item_read(item))


@endpoint(
    bp,
    "/agenda-items/<id:item_id>/move",
    method="POST",
    summary="Move an agenda item up or down",
    tag=TAG,
    body=AgendaMove,
    response=AgendaList,
    if_match=True,
)
def move_agenda_item(item_id: int, body: AgendaMove, version: int) -> Response:
    """Swaps the item with its neighbour; returns the whole agenda in its new order."""
    session, actor = get_session(), current_actor()
    item = agenda_svc.move_item(session, actor, item_id, body.direction, version)
    items = agenda_svc.items_of(session, item.meeting_id)
    return respond(AgendaList(items=[_item_read(i) for i in items]))


@endpoint(
    bp,
    "/agenda-items/<id:item_id>",
    method="DELETE",
    summary="Remove an agenda item",
    tag=TAG,
    if_match=True,
    status=204,
)
def delete_agenda_item(item_id: int, version: int) -> Response:
    """Not an item a decision was recorded on (409)."""
    agenda_svc.remove_item(get_session(), current_actor(), item_id, version)
    return no_content()


# --- papers --------------------------------------------------------------------------------------


class PaperList(Schema):
    items: list[PaperRead]


@endpoint(
    bp,
    "/meetings/<id:meeting_id>/papers",
    summary="The papers of a meeting",
    tag=TAG,
    response=PaperList,
)
def list_papers(meeting_id: int) -> Response:
    session = get_session()
    svc.get_meeting(session, current_actor(), meeting_id)
    papers = svc.papers_of(session, meeting_id)
    return respond(PaperList(items=[read_from(PaperRead, p) for p in papers]))


@endpoint(
    bp,
    "/meetings/<id:meeting_id>/papers",
    method="POST",
    summary="Attach a review report or contract document",
    tag=TAG,
    body=PaperIn,
    response=PaperRead,
    status=201,
)
def add_paper(meeting_id: int, body: PaperIn) -> Response:
    """The Word file is built when downloaded, so it shows the subject as it is then."""
    paper = svc.add_paper(get_session(), current_actor(), meeting_id, body)
    location = url_for(".download_paper", paper_id=paper.id)
    return respond(read_from(PaperRead, paper), 201, location)


class PaperUpload(Schema):
    """The paper, as the part named ``file`` of a multipart/form-data body, and its title."""

    file: bytes = Field(
        description="PDF, Word, Excel, PowerPoint, PNG, JPEG or UTF-8 text (.txt, .csv, .md); "
        "the type is checked from the content."
    )
    title: str = Field(default="", max_length=300)


@endpoint(
    bp,
    "/meetings/<id:meeting_id>/papers/upload",
    method="POST",
    summary="Upload a paper",
    tag=TAG,
    form=PaperUpload,
    response=PaperRead,
    status=201,
)
def upload_paper(meeting_id: int) -> Response:
    upload = request.files.get("file")
    if upload is None:
        raise Invalid(errors={"file": _l("Send the file as the form part named file.")})
    paper = svc.upload_paper(
        get_session(),
        current_actor(),
        meeting_id,
        upload.filename or "",
        upload.stream.read(),
        upload_root(),
        title=request.form.get("title", "")[:300],
    )
    location = url_for(".download_paper", paper_id=paper.id)
    return respond(read_from(PaperRead, paper), 201, location)


@endpoint(
    bp,
    "/meeting-papers/<id:paper_id>/file",
    summary="Download a paper",
    tag=TAG,
    produces="*/*",
)
def download_paper(paper_id: int) -> Response:
    """A generated paper is built now (404 when you may not see its subject)."""
    got = svc.paper_file(
        get_session(), current_actor(), paper_id, upload_root(), locale=str(get_locale() or "en")
    )
    if got.data is not None:
        return attachment(got.data, got.content_type, got.name)
    resp = send_file(
        got.path or BytesIO(b""),
        mimetype=got.content_type,
        as_attachment=True,
        download_name=got.name,
        max_age=0,
    )
    resp.headers["Cache-Control"] = "private, no-store"
    return resp


@endpoint(
    bp,
    "/meeting-papers/<id:paper_id>",
    method="DELETE",
    summary="Remove a paper",
    tag=TAG,
    status=204,
)
def delete_paper(paper_id: int) -> Response:
    svc.remove_paper(get_session(), current_actor(), paper_id, upload_root())
    return no_content()


# --- attendance ----------------------------------------------------------------------------------


class AttendanceList(Schema):
    items: list[AttendanceRead]
    quorum: QuorumRead


@endpoint(
    bp,
    "/meetings/<id:meeting_id>/attendance",
    summary="Attendance and quorum",
    tag=TAG,
    response=AttendanceList,
)
def list_attendance(meeting_id: int) -> Response:
    return _attendance_list(meeting_id)


def _attendance_list(meeting_id: int) -> Response:
    session = get_session()
    meeting = svc.get_meeting(session, current_actor(), meeting_id)
    q = svc.quorum(session, meeting)
    return respond(
        AttendanceList(
            items=_attendance(meeting_id),
            quorum=QuorumRead(present=q.present, required=q.required, met=q.met),
        )
    )


@endpoint(
    bp,
    "/meetings/<id:meeting_id>/attendance/<id:person_id>",
    method="PUT",
    summary="Record one person's attendance",
    tag=TAG,
    body=AttendanceIn,
    response=AttendanceList,
)
def put_attendance(meeting_id: int, person_id: int, body: AttendanceIn) -> Response:
    """Before the meeting: invited, confirmed or declined (the invitee or an organiser); in
    session: attended, apologies or absent (the chair or the secretary). A person not on the
    list is added as a guest; guests do not count towards the quorum."""
    svc.set_attendance(
        get_session(), current_actor(), meeting_id, person_id, body.status, body.note
    )
    return _attendance_list(meeting_id)


# --- Word documents ------------------------------------------------------------------------------


@endpoint(
    bp,
    "/meetings/<id:meeting_id>/pack",
    summary="Download the meeting pack (Word)",
    tag=TAG,
    produces=DOCX,
)
def get_meeting_pack(meeting_id: int) -> Response:
    from ..services import meeting_documents

    data, filename = meeting_documents.meeting_pack(get_session(), current_actor(), meeting_id)
    return attachment(data, DOCX, filename)


@endpoint(
    bp,
    "/meetings/<id:meeting_id>/minutes-document",
    summary="Download the minutes (Word)",
    tag=TAG,
    produces=DOCX,
)
def get_meeting_minutes(meeting_id: int) -> Response:
    from ..services import meeting_documents

    data, filename = meeting_documents.minutes(get_session(), current_actor(), meeting_id)
    return attachment(data, DOCX, filename)
