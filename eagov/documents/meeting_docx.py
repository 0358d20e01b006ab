"""The Word documents of a board meeting: the meeting pack and the minutes.

Meeting pack: a cover (board, reference, date and time in UTC, location, state), the agenda
(items numbered through the standard sections in order), the papers, then a summary of each
compliance review on the agenda (project, overall level, findings by severity, the decision
asked), each contract awaiting approval (type, title, sponsor, time window, deliverables) and
each dispensation request (what it waives, justification, conditions, requested expiry).

Minutes: a cover, attendance (present, apologies, absent, with board roles), the quorum line,
the minutes text, the decisions taken (kind, rationale, method and votes, subjects) and the
actions raised (owner, due date, priority).

Both in the house style (``style``), with a header naming the meeting, "Page X of Y" in the
footer and core properties; texts in the reader's language. The data comes loaded from
``services.meeting_documents``: builders here only lay it out.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from flask_babel import force_locale
from flask_babel import gettext as _

from ..labels import label
from ..models import Meeting, MeetingState, utcnow
from . import ooxml, style
from .contract_docx import _Builder, _long_date, _split_placeholders, as_utc
from .ooxml import Cell, Para, Run, Table

if TYPE_CHECKING:
    from ..services.meeting_documents import (
        AgendaEntry,
        AttendeeEntry,
        ContractSummary,
        DecisionEntry,
        DispensationSummary,
        MinutesData,
        PackData,
        PaperEntry,
        ReviewSummary,
    )

DASH = "\u2014"
# Attendance groups of the minutes, in order; replies before the meeting that were never
# updated count as what they said (a decline is an apology, a silence an absence).
GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("attended", ("attended",)),
    ("apologies", ("apologies", "declined")),
    ("absent", ("absent", "invited", "confirmed")),
)


def meeting_time(meeting: Meeting) -> str:
    """Start (and end) in UTC, in the same form whatever the language: 2026-05-04 09:00 UTC."""
    start = as_utc(meeting.starts_at)
    text = start.strftime("%Y-%m-%d %H:%M")
    if meeting.ends_at:
        end = as_utc(meeting.ends_at)
        same_day = end.date() == start.date()
        text += "\u2013" + end.strftime("%H:%M" if same_day else "%Y-%m-%d %H:%M")
    return text + " UTC"


def build_meeting_pack(data: PackData, *, locale: str = "en", now: datetime | None = None) -> bytes:
    """The .docx meeting pack in ``locale`` (en or zh_Hans)."""

    def write(builder: _MeetingBuilder, moment: datetime) -> str:
        builder.pack(data, moment)
        return _("Meeting pack")

    return _build(data.meeting, data.board.name, write, locale, now)


def build_minutes(data: MinutesData, *, locale: str = "en", now: datetime | None = None) -> bytes:
    """The .docx minutes in ``locale`` (en or zh_Hans)."""

    def write(builder: _MeetingBuilder, moment: datetime) -> str:
        builder.minutes(data, moment)
        return _("Minutes")

    return _build(data.meeting, data.board.name, write, locale, now)


def _build(
    meeting: Meeting,
    board_name: str,
    write: Callable[[_MeetingBuilder, datetime], str],
    locale: str,
    now: datetime | None,
) -> bytes:
    locale = locale if locale in style.LANGUAGES else "en"
    now = now or utcnow()
    with force_locale(locale):
        builder = _MeetingBuilder(style.new_document(locale), locale)
        title = write(builder, now)
        builder.meeting_header_footer(meeting, title)
        builder.properties(meeting, board_name, title, now)
        builder.flush()
    out = io.BytesIO()
    builder.doc.save(out)
    return out.getvalue()


class _MeetingBuilder(_Builder):
    def grid(self, widths: tuple[int, ...], header: list[str]) -> Table:
        """A table whose shaded header row repeats on every page."""
        return Table(
            widths=widths,
            header=header,
            header_style=style.TABLE_HEADING,
            cell_style=style.TABLE_TEXT,
            header_fill=style.HEADER_FILL,
        )

    @staticmethod
    def cell(text: str) -> Cell:
        return Cell([Para([Run(text or DASH)])])

    def rich_cell(self, text: str) -> Cell:
        return Cell(self.cell_paras(text) if text.strip() else [Para([Run(DASH)])])

    def labelled(self, name: str, value: str) -> None:
        self.add(Para([Run(name + " ", bold=True), Run(value)]))

    # -- cover

    def meeting_cover(self, meeting: Meeting, board_name: str, title: str, now: datetime) -> None:
        self.text(board_name, style.COVER_KICKER)
        self.text(title, style.TITLE)
        self.text(meeting.title, style.SUBTITLE)
        rows = [
            (_("Reference"), meeting.reference),
            (_("Architecture Board"), board_name),
            (_("Date and time"), meeting_time(meeting)),
            (_("Location"), meeting.location or DASH),
            (_("State"), label(meeting.state)),
        ]
        if meeting.papers_circulated_at:
            rows.append(
                (
                    _("Papers circulated"),
                    _long_date(as_utc(meeting.papers_circulated_at).date(), self.locale),
                )
            )
        rows.append((_("Date of this document"), _long_date(as_utc(now).date(), self.locale)))
        table = Table(widths=(2800, style.TEXT_WIDTH - 2800), borders=False)
        for name, value in rows:
            table.rows.append(
                [
                    Cell([Para([Run(name)], style=style.COVER_LABEL)]),
                    Cell([Para([Run(value)], style=style.COVER_VALUE)]),
                ]
            )
        self.table(table)
        self.parts.append(ooxml.page_break_xml())

    # -- the meeting pack

    def pack(self, data: PackData, now: datetime) -> None:
        self.meeting_cover(data.meeting, data.board.name, _("Meeting pack"), now)
        self.agenda("1. ", data.agenda)
        self.papers(data.papers)
        self.reviews(data.reviews)
        self.contracts(data.contracts)
        self.dispensations(data.dispensations)

    def agenda(self, prefix: str, agenda: list[AgendaEntry]) -> None:
        self.heading(prefix + _("Agenda"))
        if not agenda:
            self.note(_("The agenda is empty."))
            return
        section = None
        for entry in agenda:
            if entry.section != section:
                section = entry.section
                self.heading(label(section), 2)
            runs = [Run(f"{entry.number}. ", bold=True), Run(entry.title)]
            if entry.presenter:
                runs.append(
                    Run(
                        " (" + _("presented by %(name)s", name=entry.presenter) + ")",
                        italic=True,
                        color=style.MUTED,
                    )
                )
            self.add(Para(runs, keep_next=bool(entry.description.strip())))
            if entry.description.strip():
                for para in self.cell_paras(entry.description, style.NOTE):
                    self.add(para)

    def papers(self, papers: list[PaperEntry]) -> None:
        self.heading("2. " + _("Papers"))
        if not papers:
            self.note(_("No papers."))
            return
        table = self.grid((700, 4672, 2200, 1500), [_("No."), _("Paper"), _("Kind"), _("Item")])
        for n, paper in enumerate(papers, start=1):
            title = paper.title + (f" ({paper.file_name})" if paper.file_name else "")
            table.rows.append(
                [
                    self.cell(str(n)),
                    self.cell(title),
                    self.cell(label(paper.kind)),
                    self.cell(str(paper.agenda_number) if paper.agenda_number else DASH),
                ]
            )
        self.table(table)

    def reviews(self, reviews: list[ReviewSummary]) -> None:
        self.heading("3. " + _("Compliance assessments"))
        if not reviews:
            self.note(_("No compliance review on the agenda."))
            return
        table = self.grid(
            (500, 1300, 1500, 1300, 700, 700, 700, 700, 1672),
            [
                _("Item"),
                _("Reference"),
                _("Project"),
                _("Overall level"),
                label("critical"),
                label("high"),
                label("medium"),
                label("low"),
                _("Decision asked"),
            ],
        )
        for r in reviews:
            level = label(r.level) if r.level else _("Not determined yet")
            if r.provisional and r.level:
                level += " (" + _("provisional") + ")"
            table.rows.append(
                [
                    self.cell(str(r.agenda_number)),
                    Cell(
                        [
                            Para([Run(r.reference, bold=True)]),
                            Para([Run(r.title, italic=True, color=style.MUTED)]),
                        ]
                    ),
                    self.cell(r.project),
                    self.cell(level),
                    *(self.cell(str(r.findings.get(s, 0))) for s in SEVERITY_COLUMNS),
                    self.rich_cell(
                        r.decision_asked
                        or _("Accept the assessment, accept it with conditions, or reject it.")
                    ),
                ]
            )
        self.table(table)
        self.note(_("Findings are counted by severity: critical, high, medium, low."))

    def contracts(self, contracts: list[ContractSummary]) -> None:
        self.heading("4. " + _("Contracts awaiting approval"))
        if not contracts:
            self.note(_("No contract on the agenda."))
            return
        table = self.grid(
            (500, 1400, 1600, 1700, 1300, 1572, 1000),
            [
                _("Item"),
                _("Reference"),
                _("Type"),
                _("Title"),
                _("Sponsor"),
                _("Time window"),
                _("Deliverables"),
            ],
        )
        for c in contracts:
            table.rows.append(
                [
                    self.cell(str(c.agenda_number)),
                    Cell(
                        [
                            Para([Run(c.reference, bold=True)]),
                            Para(
                                [
                                    Run(
                                        _("Version %(num)s", num=c.version)
                                        + " \u00b7 "
                                        + label(c.status),
                                        italic=True,
                                        color=style.MUTED,
                                    )
                                ]
                            ),
                        ]
                    ),
                    self.cell(c.type),
                    self.cell(c.title),
                    self.cell(c.sponsor),
                    self.cell(f"{c.window_start.isoformat()} \u2013 {c.window_end.isoformat()}"),
                    self.cell(str(c.deliverables)),
                ]
            )
        self.table(table)

    def dispensations(self, dispensations: list[DispensationSummary]) -> None:
        self.heading("5. " + _("Dispensation requests"))
        if not dispensations:
            self.note(_("No dispensation request on the agenda."))
            return
        for d in dispensations:
            self.heading(
                _("Item %(num)s", num=d.agenda_number)
                + f": {d.reference} \u00b7 "
                + _("review %(ref)s", ref=d.review_reference),
                2,
            )
            waives = [Para([Run(ref)]) for ref in d.item_references]
            waives += [Para([Run(std, italic=True)]) for std in d.standards]
            table = Table(
                widths=(2400, style.TEXT_WIDTH - 2400),
                cell_style=style.TABLE_TEXT,
            )
            for name, value in (
                (_("Waives"), Cell(waives or [Para([Run(DASH)])])),
                (_("Justification"), self.rich_cell(d.justification)),
                (_("Conditions"), self.rich_cell(d.conditions)),
                (_("Requested expiry"), self.cell(d.requested_expiry.isoformat())),
                (_("State"), self.cell(label(d.state))),
            ):
                table.rows.append(
                    [
                        Cell(
                            [Para([Run(name)], style=style.TABLE_HEADING)],
                            fill=style.HEADER_FILL,
                        ),
                        value,
                    ]
                )
            self.table(table)

    # -- the minutes

    def minutes(self, data: MinutesData, now: datetime) -> None:
        self.meeting_cover(data.meeting, data.board.name, _("Minutes"), now)
        if data.meeting.state != MeetingState.CLOSED:
            self.note(_("Draft: the meeting is not closed yet, these minutes may still change."))
        self.attendance(data.attendees)
        self.heading("2. " + _("Quorum"))
        self.add(Para([Run(quorum_line(data), bold=True)]))
        self.heading("3. " + _("Minutes"))
        if data.meeting.minutes.strip():
            self.rich(data.meeting.minutes)
        else:
            self.note(_("No minutes recorded yet."))
        self.decisions(data.decisions)
        self.actions(data)

    def attendance(self, attendees: list[AttendeeEntry]) -> None:
        self.heading("1. " + _("Attendance"))
        if not attendees:
            self.note(_("No attendance recorded."))
            return
        for group, statuses in GROUPS:
            people = [a for a in attendees if a.status in statuses]
            self.heading(label(group) + f" ({len(people)})", 2)
            if not people:
                self.note(_("Nobody."))
                continue
            table = self.grid((3600, 2200, 3272), [_("Name"), _("Board role"), _("Note")])
            for a in people:
                table.rows.append(
                    [
                        self.cell(a.name),
                        self.cell(label(a.board_role) if a.board_role else _("Guest")),
                        self.cell(a.note),
                    ]
                )
            self.table(table)

    def decisions(self, decisions: list[DecisionEntry]) -> None:
        self.heading("4. " + _("Decisions"))
        if not decisions:
            self.note(_("No decision was recorded at this meeting."))
            return
        for d in decisions:
            self.heading(f"{d.reference} \u00b7 {d.title}", 2)
            self.labelled(_("Kind:"), label(d.kind))
            self.labelled(_("Decided on:"), _long_date(d.decided_on, self.locale))
            self.labelled(_("Method:"), method_text(d))
            self.labelled(_("Subjects:"), ", ".join(d.subjects) if d.subjects else DASH)
            self.add(Para([Run(_("Rationale:"), bold=True)], keep_next=True))
            self.rich(d.rationale)

    def actions(self, data: MinutesData) -> None:
        self.heading("5. " + _("Actions"))
        if not data.actions:
            self.note(_("No action was raised at this meeting."))
            return
        table = self.grid(
            (1400, 3072, 1600, 1100, 900, 1000),
            [_("Reference"), _("Description"), _("Owner"), _("Due on"), _("Priority"), _("Status")],
        )
        for a in data.actions:
            table.rows.append(
                [
                    Cell([Para([Run(a.reference, bold=True)])]),
                    self.cell(a.description),
                    self.cell(a.owner or ""),
                    self.cell(a.due_on.isoformat() if a.due_on else ""),
                    self.cell(label(a.priority)),
                    self.cell(label(a.status)),
                ]
            )
        self.table(table)

    # -- header, footer, properties

    def meeting_header_footer(self, meeting: Meeting, title: str) -> None:
        from docx.enum.text import WD_ALIGN_PARAGRAPH

        section = self.doc.sections[0]
        head = section.header.paragraphs[0]
        head.style = self.doc.styles["Header"]
        head.add_run(f"{title} {meeting.reference}\t\t{meeting_time(meeting)}")
        foot = section.footer.paragraphs[0]
        foot.style = self.doc.styles["Footer"]
        foot.alignment = WD_ALIGN_PARAGRAPH.CENTER
        for piece, instr in _split_placeholders(_("Page %(page)s of %(pages)s")):
            if piece:
                foot.add_run(piece)
            if instr:
                ooxml.add_field(foot, instr, "1")

    def properties(self, meeting: Meeting, board_name: str, title: str, now: datetime) -> None:
        core = self.doc.core_properties
        core.title = ooxml.clean(f"{title} {meeting.reference}: {meeting.title}")
        core.subject = ooxml.clean(board_name)
        core.author = core.last_modified_by = "eagov"
        core.keywords = meeting.reference
        core.category = title
        core.identifier = meeting.reference
        core.content_status = label(meeting.state)
        core.language = style.LANGUAGES[self.locale]
        moment = as_utc(now).replace(tzinfo=None, microsecond=0)
        core.created = core.modified = moment


SEVERITY_COLUMNS = ("critical", "high", "medium", "low")


def quorum_line(data: MinutesData) -> str:
    """E.g. "3 board members present; the quorum is 3: met." (call inside force_locale)."""
    if data.quorum_met:
        return _(
            "%(present)s board members present; the quorum is %(quorum)s: met.",
            present=data.present_members,
            quorum=data.quorum,
        )
    return _(
        "%(present)s board members present; the quorum is %(quorum)s: not met.",
        present=data.present_members,
        quorum=data.quorum,
    )


def method_text(d: DecisionEntry) -> str:
    if d.method != "vote":
        return label(d.method)
    return _(
        "Vote: %(yes)s for, %(no)s against, %(abstain)s abstentions",
        yes=d.votes_for or 0,
        no=d.votes_against or 0,
        abstain=d.abstentions or 0,
    )
