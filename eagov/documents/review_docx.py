"""The Word report of a compliance review.

Layout: a cover (title, reference, project, checkpoint, board, date, state), the summary
(overall level with the roll-up that explains it, the lead architect's override and its
justification, the decision and its conditions), project progress and scope, one table per
checklist category (reference, question, level shaded by its colour, evidence, notes), the
findings and recommendations, the dispensations, and the board chair's sign-off. Header:
the review's reference; footer: "Page X of Y" from PAGE and NUMPAGES fields.

Waived items (covered by a granted dispensation) stay in their category table, marked
"Waived" on a neutral shade. Texts are in English or Simplified Chinese; the questions come
from the item's own texts (``item.question[locale]``, else English).
"""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlmodel import Session, col, select

from ..labels import label
from ..models import Board, Dispensation, Person, Review, ReviewItem, ReviewRole, User, utcnow
from . import ooxml, style
from .contract_docx import BLANK, _Builder, _long_date, _split_placeholders, as_utc
from .ooxml import Cell, Para, Run, Table

DASH = "\u2014"

# Cell shades of the levels: greens for (fully) conformant, ambers for compliant and
# consistent, red for non-conformant, grey for irrelevant, a neutral blue-grey for waived.
LEVEL_FILLS: dict[str, str] = {
    "fully_conformant": "A9D08E",
    "conformant": "C6EFCE",
    "compliant": "FFD966",
    "consistent": "FFF2CC",
    "non_conformant": "F4B6B6",
    "irrelevant": "D9D9D9",
}
WAIVED_FILL = "DDE3EA"


def build_review_docx(
    session: Session,
    review: Review,
    *,
    locale: str = "en",
    now: datetime | None = None,
) -> bytes:
    """The .docx report of ``review`` in ``locale`` (en or zh_Hans)."""
    locale = locale if locale in style.LANGUAGES else "en"
    now = now or utcnow()
    with force_locale(locale):
        builder = _ReviewBuilder(style.new_document(locale), locale)
        builder.report(session, review, now)
        builder.page_header_footer(review)
        builder.report_properties(session, review, now)
        builder.flush()
    out = io.BytesIO()
    builder.doc.save(out)
    return out.getvalue()


def level_text(level: str | None) -> str:
    """The label of a level, or "Not answered" (call inside ``force_locale``)."""
    return label(level) if level else _("Not answered")


class _ReviewBuilder(_Builder):
    def localized(self, texts: dict[str, Any]) -> str:
        value = texts.get(self.locale) or texts.get("en") or ""
        return str(value)

    def report(self, session: Session, review: Review, now: datetime) -> None:
        from ..services import reviews

        assert review.id is not None
        items = reviews.items_of(session, review.id)
        waived = reviews.waived_references(session, review.id, as_utc(now).date())
        people = reviews.participants(session, review.id)
        findings = reviews.findings_of(session, review.id)
        dispensations = list(
            session.exec(
                select(Dispensation)
                .where(Dispensation.review_id == review.id)
                .order_by(col(Dispensation.year), col(Dispensation.number))
            ).all()
        )
        self.review_cover(session, review, now)
        self.summary(session, review)
        self.progress(review, reviews.progress(session, review.id), people)
        self.checklists(items, waived)
        self.findings(session, findings)
        self.dispensations(dispensations)
        self.sign_off(session, review)

    # -- cover

    def review_cover(self, session: Session, review: Review, now: datetime) -> None:
        board = session.get(Board, review.board_id)
        self.text(_("Compliance reviews"), style.COVER_KICKER)
        self.text(_("Compliance review report"), style.TITLE)
        self.text(review.title, style.SUBTITLE)
        rows = [
            (_("Reference"), review.reference),
            (_("Project"), review.project),
            (_("Checkpoint"), label(review.checkpoint)),
            (_("Architecture Board"), board.name if board else DASH),
            (_("State"), label(review.state)),
            (_("Date of this report"), _long_date(as_utc(now).date(), self.locale)),
        ]
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

    # -- summary

    def summary(self, session: Session, review: Review) -> None:
        from ..services import reviews

        rollup = reviews.overall(session, review)
        self.heading("1. " + _("Summary"))
        overall = review.level_override or (rollup.level.value if rollup.level else None)
        self.add(
            Para(
                [
                    Run(_("Overall level:") + " ", bold=True),
                    Run(level_text(overall) if overall else _("Not determined yet")),
                ]
            )
        )
        self.heading(_("How the overall level is reached"), 2)
        self.text(
            _(
                "Items covered by a granted dispensation (waived) and items answered "
                "irrelevant are left out. Any non-conformant item makes the review "
                "non-conformant; otherwise the review takes the weakest level among the "
                "remaining items (consistent, compliant, conformant, fully conformant)."
            )
        )
        computed = level_text(rollup.level.value) if rollup.level else _("Not determined yet")
        self.add(Para([Run(_("Computed level:") + " ", bold=True), Run(computed)]))
        self.text(str(rollup.reason))
        if rollup.deciding:
            self.text(_("Deciding items: %(refs)s", refs=", ".join(rollup.deciding)))
        self.note(
            _(
                "Counted: %(counted)s; irrelevant: %(irrelevant)s; waived: %(waived)s; "
                "not answered: %(unanswered)s.",
                counted=rollup.counted,
                irrelevant=rollup.left_out_irrelevant,
                waived=rollup.left_out_waived,
                unanswered=rollup.unanswered,
            )
        )
        if rollup.provisional:
            self.note(_("Provisional: some items are not answered yet."))
        if review.level_override:
            self.add(
                Para(
                    [
                        Run(_("Level set by the lead architect:") + " ", bold=True),
                        Run(level_text(review.level_override)),
                    ]
                )
            )
            self.add(
                Para(
                    [
                        Run(_("Justification:") + " ", bold=True),
                        Run(review.override_justification),
                    ]
                )
            )
        self.heading(_("Decision"), 2)
        if review.decision:
            self.add(Para([Run(_("Decision:") + " ", bold=True), Run(label(review.decision))]))
            if review.decision_conditions.strip():
                self.add(Para([Run(_("Conditions:"), bold=True)]))
                self.rich(review.decision_conditions)
        else:
            self.note(_("The board has not decided yet."))

    # -- progress and scope

    def progress(self, review: Review, progress: list[Any], people: list[Any]) -> None:
        self.heading("2. " + _("Project progress and scope"))
        self.add(Para([Run(_("State:") + " ", bold=True), Run(label(review.state))]))
        if review.meeting_at:
            self.add(
                Para(
                    [
                        Run(_("Review meeting:") + " ", bold=True),
                        Run(as_utc(review.meeting_at).strftime("%Y-%m-%d %H:%M UTC")),
                    ]
                )
            )
        self.heading(_("Scope"), 2)
        if review.scope.strip():
            self.rich(review.scope)
        else:
            self.note(_("No scope described yet."))
        self.heading(_("Overview of the design"), 2)
        if review.report_summary.strip():
            self.rich(review.report_summary)
        else:
            self.note(_("The report summary is not written yet."))
        self.heading(_("Checklist progress"), 2)
        if progress:
            table = Table(
                widths=(6072, 3000),
                header=[_("Category"), _("Answered")],
                header_style=style.TABLE_HEADING,
                cell_style=style.TABLE_TEXT,
                header_fill=style.HEADER_FILL,
            )
            for entry in progress:
                table.rows.append(
                    [
                        Cell([Para([Run(self.localized(entry.title) or entry.key)])]),
                        Cell([Para([Run(f"{entry.answered} / {entry.total}")])]),
                    ]
                )
            self.table(table)
        else:
            self.note(_("No checklist items tailored yet."))
        self.heading(_("Participants"), 2)
        if people:
            table = Table(
                widths=(3500, 5572),
                header=[_("Role"), _("Name")],
                header_style=style.TABLE_HEADING,
                cell_style=style.TABLE_TEXT,
                header_fill=style.HEADER_FILL,
            )
            for participant, person in people:
                table.rows.append(
                    [
                        Cell([Para([Run(label(participant.role))])]),
                        Cell([Para([Run(person.name)])]),
                    ]
                )
            self.table(table)
        else:
            self.note(_("No participants named yet."))

    # -- the checklists

    def checklists(self, items: list[ReviewItem], waived: set[str]) -> None:
        self.heading("3. " + _("Completed checklists"))
        if not items:
            self.note(_("No checklist items tailored yet."))
            return
        categories: dict[str, list[ReviewItem]] = {}
        for item in items:
            categories.setdefault(item.category_key, []).append(item)
        for number, (key, group) in enumerate(categories.items(), start=1):
            self.heading(f"3.{number} " + (self.localized(group[0].category_title) or key), 2)
            table = Table(
                widths=(900, 3072, 1500, 1800, 1800),
                header=[_("Item"), _("Question"), _("Level"), _("Evidence"), _("Notes")],
                header_style=style.TABLE_HEADING,
                cell_style=style.TABLE_TEXT,
                header_fill=style.HEADER_FILL,
            )
            for item in group:
                table.rows.append(self.item_row(item, item.reference in waived))
            self.table(table)

    def item_row(self, item: ReviewItem, waived: bool) -> list[Cell]:
        level = [Para([Run(level_text(item.level))])]
        fill = LEVEL_FILLS.get(item.level or "")
        if waived:
            level.append(Para([Run(_("Waived"), bold=True)]))
            fill = WAIVED_FILL
        question = [Para([Run(self.localized(item.question))])]
        if item.answer.strip():
            question += self.cell_paras(item.answer)
            for para in question[1:]:
                para.runs = [Run(r.text, r.bold, True, r.code) for r in para.runs]
        evidence: list[Para] = []
        if item.evidence_link:
            evidence.append(Para([Run(item.evidence_link, color=style.ACCENT)]))
        if item.evidence_date:
            evidence.append(Para([Run(item.evidence_date.isoformat())]))
        return [
            Cell([Para([Run(item.reference, bold=True)])]),
            Cell(question),
            Cell(level, fill=fill),
            Cell(evidence or [Para([Run(DASH)])]),
            Cell(self.cell_paras(item.notes) if item.notes.strip() else [Para([Run(DASH)])]),
        ]

    # -- findings and dispensations

    def findings(self, session: Session, findings: list[Any]) -> None:
        self.heading("4. " + _("Findings and recommendations"))
        if not findings:
            self.note(_("No findings."))
            return
        table = Table(
            widths=(500, 1000, 2436, 2436, 1200, 900, 600),
            header=[
                _("No."),
                _("Severity"),
                _("Description"),
                _("Recommendation"),
                _("Owner"),
                _("Due"),
                _("Status"),
            ],
            header_style=style.TABLE_HEADING,
            cell_style=style.TABLE_TEXT,
            header_fill=style.HEADER_FILL,
        )
        for finding in findings:
            owner = session.get(Person, finding.owner_id) if finding.owner_id else None
            description = self.cell_paras(finding.description)
            if finding.item_references:
                description.append(
                    Para(
                        [
                            Run(
                                _("Items: %(refs)s", refs=", ".join(finding.item_references)),
                                italic=True,
                                color=style.MUTED,
                            )
                        ]
                    )
                )
            table.rows.append(
                [
                    Cell([Para([Run(str(finding.number))])]),
                    Cell([Para([Run(label(finding.severity))])]),
                    Cell(description),
                    Cell(
                        self.cell_paras(finding.recommendation)
                        if finding.recommendation.strip()
                        else [Para([Run(DASH)])]
                    ),
                    Cell([Para([Run(owner.name if owner else DASH)])]),
                    Cell([Para([Run(finding.due_date.isoformat() if finding.due_date else DASH)])]),
                    Cell([Para([Run(label(finding.status))])]),
                ]
            )
        self.table(table)

    def dispensations(self, dispensations: list[Dispensation]) -> None:
        self.heading("5. " + _("Dispensations"))
        if not dispensations:
            self.note(_("No dispensations."))
            return
        table = Table(
            widths=(1400, 2000, 3072, 1400, 1200),
            header=[
                _("Reference"),
                _("Items and standards"),
                _("Conditions"),
                _("Expiry"),
                _("State"),
            ],
            header_style=style.TABLE_HEADING,
            cell_style=style.TABLE_TEXT,
            header_fill=style.HEADER_FILL,
        )
        for item in dispensations:
            scope = [Para([Run(ref)]) for ref in item.item_references]
            scope += [Para([Run(std, italic=True)]) for std in item.standards]
            expiry = item.expires_on or item.requested_expiry
            table.rows.append(
                [
                    Cell([Para([Run(item.reference, bold=True)])]),
                    Cell(scope or [Para([Run(DASH)])]),
                    Cell(
                        self.cell_paras(item.conditions)
                        if item.conditions.strip()
                        else [Para([Run(DASH)])]
                    ),
                    Cell([Para([Run(expiry.isoformat())])]),
                    Cell([Para([Run(label(item.state))])]),
                ]
            )
        self.table(table)

    # -- sign-off

    def sign_off(self, session: Session, review: Review) -> None:
        from ..services import reviews

        self.heading("6. " + _("Sign-off"))
        self.text(_("Chair of the Architecture Board"), style.SIGNATORY)
        if review.decision and review.signed_off_at:
            user = session.get(User, review.signed_off_by_id) if review.signed_off_by_id else None
            lines = [
                _("Decision:") + "\t" + label(review.decision),
                _("Name:") + "\t" + (user.name if user and user.name else DASH),
                _("Date:") + "\t" + _long_date(as_utc(review.signed_off_at).date(), self.locale),
            ]
        else:
            lines = [
                _("Decision:") + "\t" + BLANK,
                _("Name:") + "\t" + BLANK,
                _("Date:") + "\t" + BLANK,
                _("Signature:") + "\t" + BLANK,
            ]
        for j, line in enumerate(lines):
            self.add(Para([Run(line)], style=style.SIGNATURE_LINE, keep_next=j < len(lines) - 1))
        assert review.id is not None
        customers = [
            person
            for participant, person in reviews.participants(session, review.id)
            if participant.role == ReviewRole.CUSTOMER
        ]
        for person in customers:
            self.text(label(ReviewRole.CUSTOMER) + ": " + person.name, style.SIGNATORY)
            for j, line in enumerate([_("Date:") + "\t" + BLANK, _("Signature:") + "\t" + BLANK]):
                self.add(Para([Run(line)], style=style.SIGNATURE_LINE, keep_next=j == 0))

    # -- header, footer, properties

    def page_header_footer(self, review: Review) -> None:
        from docx.enum.text import WD_ALIGN_PARAGRAPH

        section = self.doc.sections[0]
        head = section.header.paragraphs[0]
        head.style = self.doc.styles["Header"]
        head.add_run(
            _("Compliance review %(reference)s", reference=review.reference)
            + "\t\t"
            + label(review.state)
        )
        foot = section.footer.paragraphs[0]
        foot.style = self.doc.styles["Footer"]
        foot.alignment = WD_ALIGN_PARAGRAPH.CENTER
        for piece, instr in _split_placeholders(_("Page %(page)s of %(pages)s")):
            if piece:
                foot.add_run(piece)
            if instr:
                ooxml.add_field(foot, instr, "1")

    def report_properties(self, session: Session, review: Review, now: datetime) -> None:
        requester = session.get(User, review.requested_by_id) if review.requested_by_id else None
        core = self.doc.core_properties
        core.title = ooxml.clean(review.title)
        core.subject = ooxml.clean(review.project)
        core.author = ooxml.clean(requester.name) if requester and requester.name else "eagov"
        core.last_modified_by = "eagov"
        core.keywords = review.reference
        core.category = _("Compliance review report")
        core.identifier = review.reference
        core.content_status = label(review.state)
        core.language = style.LANGUAGES[self.locale]
        moment = as_utc(now).replace(tzinfo=None, microsecond=0)
        core.created = core.modified = moment
