"""The Word report of a maturity assessment, for senior management.

Layout: a cover (unit, model, date of the assessment, reference, facilitator, state, date of
the report), the contents (a TOC field Word fills in on open), then

1. Executive summary: the facilitator's summary, then generated sentences: the overall level
   and score against the previous assessment and the target, and the largest gaps.
2. Overall maturity: level and score, how the model's method reaches them, the share of
   elements per level, and a radar of the elements (current, target, previous).
3. Elements: per element the consolidated level and what it looks like (the model's
   descriptor), the target and what it looks like, the gap.
4. Gaps and recommendations: the elements below their target, the largest gap first, with
   the reason for the target and the recommendation; then the elements the assessors
   disagreed on.
5. Trend: the unit's published assessments of the model, as a chart and a table.
6. Skills: coverage of the role profiles in the unit and its largest skill gaps, or a note
   that the skills picture is not available.
Appendix: every assessor's score per element, then their evidence and comments.

Header: "Maturity assessment <reference>" and the state, with a DRAFT mark and watermark
while the assessment is not published; footer: "Page X of Y" from PAGE and NUMPAGES fields.
Texts come in English or Simplified Chinese (the UI strings through flask_babel, element
names and descriptors from the model's per-language texts, English where a text is missing).
The builder is a pure function of a :class:`~eagov.exports.maturity_exports.MaturityReport`.
"""

from __future__ import annotations

import io
import textwrap
from datetime import datetime
from typing import TYPE_CHECKING

from flask_babel import force_locale
from flask_babel import gettext as _

from ..exports.maturity_exports import (
    DASH,
    MaturityReport,
    largest_gaps,
    level_label,
    localized,
    max_level,
    score_text,
)
from ..labels import label
from ..models import utcnow
from . import ooxml, style
from .contract_docx import _Builder, _long_date, _split_placeholders, as_utc
from .ooxml import Cell, Para, Run, Table

if TYPE_CHECKING:
    from ..services.maturity_results import AssessmentResults, ElementOutcome

# Cell shades per level: from a muted red (0) through amber to green (5); a gap is shaded
# by its size. Text on every shade stays black, so the meaning never rests on colour alone.
LEVEL_FILLS = {0: "F4CCCC", 1: "F8DDC4", 2: "FFF2CC", 3: "E2EFDA", 4: "C6E0B4", 5: "A9D08E"}
GAP_FILLS = {1: "FFF2CC", 2: "F8DDC4"}  # 3 or more: the strongest
GAP_FILL_LARGE = "F4CCCC"
CHART_WIDTH_CM = 15.0
RADAR_WIDTH_CM = 14.0


def build_maturity_docx(
    report: MaturityReport,
    *,
    locale: str = "en",
    now: datetime | None = None,
) -> bytes:
    """The .docx report in ``locale`` (en or zh_Hans)."""
    locale = locale if locale in style.LANGUAGES else "en"
    now = now or utcnow()
    with force_locale(locale):
        builder = _MaturityBuilder(style.new_document(locale), locale, report)
        builder.report_body(now)
        builder.flush()
        builder.page_header_footer()
        builder.report_properties(now)
    out = io.BytesIO()
    builder.doc.save(out)
    return out.getvalue()


def _num(value: int | None) -> float | None:
    return None if value is None else float(value)


class _MaturityBuilder(_Builder):
    def __init__(self, doc: object, locale: str, report: MaturityReport) -> None:
        super().__init__(doc, locale)  # type: ignore[arg-type]
        self.report = report
        self.found: AssessmentResults = report.results
        self.draft = report.draft

    # -- small helpers

    def loc(self, texts: dict[str, str] | None) -> str:
        return localized(texts, self.locale)

    def level(self, value: int | None) -> str:
        return level_label(self.found.model, value, self.locale)

    def element_name(self, e: ElementOutcome) -> str:
        return self.loc(e.name) or e.key

    def table_of(self, widths: tuple[int, ...], header: list[str]) -> Table:
        return Table(
            widths=widths,
            header=header,
            header_style=style.TABLE_HEADING,
            cell_style=style.TABLE_TEXT,
            header_fill=style.HEADER_FILL,
        )

    @staticmethod
    def cell(
        text: str, *, bold: bool = False, fill: str | None = None, align: str | None = None
    ) -> Cell:
        return Cell([Para([Run(text, bold=bold)], align=align)], fill=fill)

    def texts_cell(self, text: str) -> Cell:
        return Cell(self.cell_paras(text) if text.strip() else [Para([Run(DASH)])])

    def picture(self, png: bytes, caption: str, width_cm: float = CHART_WIDTH_CM) -> None:
        """A centred picture and its caption (python-docx adds the image part)."""
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.shared import Cm

        self.flush()
        para = self.doc.add_paragraph()
        para.alignment = WD_ALIGN_PARAGRAPH.CENTER
        para.paragraph_format.keep_with_next = True
        para.add_run().add_picture(io.BytesIO(png), width=Cm(width_cm))
        self.add(Para([Run(caption)], style=style.NOTE, align="center"))

    # -- the document

    def report_body(self, now: datetime) -> None:
        self.report_cover(now)
        self.text(_("Contents"), style.TOC_HEADING)
        self.parts.append(
            ooxml.toc_xml(_("Right-click to update the table of contents"), style="TOC1")
        )
        self.executive_summary()
        self.overall()
        self.elements()
        self.gaps()
        self.trend()
        self.skills()
        self.appendix()

    def report_cover(self, now: datetime) -> None:
        found = self.found
        assessment, model = found.assessment, found.model
        self.text(_("Architecture maturity assessment"), style.COVER_KICKER)
        self.text(_("Architecture maturity report"), style.TITLE)
        self.text(assessment.title or found.unit_name, style.SUBTITLE)
        rows = [
            (_("Organisation unit"), found.unit_name),
            (_("Maturity model"), f"{self.loc(model.name) or model.key} ({model.version})"),
            (_("Date of the assessment"), _long_date(assessment.assessed_on, self.locale)),
            (_("Reference"), assessment.reference),
            (_("Facilitator"), found.facilitator_name or DASH),
            (_("State"), label(assessment.state)),
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
        if self.draft:
            self.add(
                Para(
                    [
                        Run(
                            _("Draft: this assessment is not published yet."),
                            bold=True,
                            color=style.PRIMARY,
                        )
                    ],
                    style=style.COVER_VALUE,
                )
            )
        self.parts.append(ooxml.page_break_xml())

    # -- 1. executive summary

    def executive_summary(self) -> None:
        found = self.found
        self.heading("1. " + _("Executive summary"))
        if found.assessment.summary.strip():
            self.rich(found.assessment.summary)
        for sentence in self.summary_sentences():
            self.add(Para([Run(sentence)], style=style.LIST, num=(style.BULLET_NUM, 0)))

    def summary_sentences(self) -> list[str]:
        found = self.found
        out: list[str] = []
        if found.overall_level is None:
            out.append(_("The overall level is not determined yet: some elements have no level."))
        else:
            out.append(
                _(
                    "The overall maturity level is %(level)s, with a score of %(score)s "
                    "(scoring method: %(method)s).",
                    level=self.level(found.overall_level),
                    score=score_text(found.overall_score),
                    method=label(found.method),
                )
            )
        previous = found.previous
        if previous is None:
            out.append(_("This is the unit's first published assessment with this model."))
        elif previous.score is not None and found.overall_score is not None:
            change = round(found.overall_score - previous.score, 2)
            values = {
                "previous": score_text(previous.score),
                "reference": previous.reference,
                "date": _long_date(previous.assessed_on, self.locale),
                "change": f"{abs(change):.2f}",
            }
            if change > 0:
                out.append(
                    _(
                        "The score rose by %(change)s from %(previous)s in the previous "
                        "assessment (%(reference)s, %(date)s).",
                        **values,
                    )
                )
            elif change < 0:
                out.append(
                    _(
                        "The score fell by %(change)s from %(previous)s in the previous "
                        "assessment (%(reference)s, %(date)s).",
                        **values,
                    )
                )
            else:
                out.append(
                    _(
                        "The score is unchanged since the previous assessment (%(reference)s, "
                        "%(date)s).",
                        **values,
                    )
                )
        if found.target_score is not None:
            out.append(
                _(
                    "The targets add up to a score of %(score)s.",
                    score=score_text(found.target_score),
                )
            )
        gaps = largest_gaps(found.elements)
        if gaps:
            listed = _("; ").join(
                _(
                    "%(element)s (level %(level)s, target %(target)s)",
                    element=self.element_name(e),
                    level=e.level,
                    target=e.target,
                )
                for e in gaps
            )
            out.append(_("The largest gaps: %(list)s.", list=listed))
        elif any(e.target is not None for e in found.elements):
            out.append(_("Every element has reached its target."))
        disagreed = sum(1 for e in found.elements if e.disagreement)
        if disagreed:
            out.append(
                _(
                    "The assessors' scores differed by two levels or more on %(count)s "
                    "element(s); section 4 lists them.",
                    count=disagreed,
                )
            )
        return out

    # -- 2. overall maturity

    def overall(self) -> None:
        found = self.found
        # A page of its own: the figures, the radar and the shares read together.
        self.add(
            Para(
                [Run("2. " + _("Overall maturity"))],
                style=style.HEADING_1,
                page_break_before=True,
            )
        )
        self.add(
            Para(
                [
                    Run(_("Overall level:") + " ", bold=True),
                    Run(
                        self.level(found.overall_level)
                        if found.overall_level is not None
                        else _("Not determined yet")
                    ),
                ]
            )
        )
        self.add(
            Para(
                [
                    Run(_("Overall score:") + " ", bold=True),
                    Run(score_text(found.overall_score)),
                    Run("    " + _("Target score:") + " ", bold=True),
                    Run(score_text(found.target_score)),
                    Run("    " + _("Previous score:") + " ", bold=True),
                    Run(score_text(found.previous.score) if found.previous else DASH),
                ]
            )
        )
        self.note(self.method_text())
        if found.provisional:
            self.note(_("Provisional: some elements have no agreed level yet."))
        self.radar()
        self.heading(_("Share of elements per level"), 2)
        table = self.table_of((4072, 2500, 2500), [_("Level"), _("Elements"), _("Share")])
        counts: dict[int, int] = {}
        for e in found.elements:
            if e.level is not None:
                counts[e.level] = counts.get(e.level, 0) + 1
        for level in found.model.levels:
            value = int(level["value"])
            share = found.level_shares.get(value, 0.0)
            table.rows.append(
                [
                    self.cell(self.level(value), fill=LEVEL_FILLS.get(value) if share else None),
                    self.cell(str(counts.get(value, 0)), align="right"),
                    self.cell(f"{share * 100:.0f} %", align="right"),
                ]
            )
        self.table(table)

    def radar(self) -> None:
        from ..charts import GRID_COLOUR, radar_chart

        found = self.found
        elements = found.elements
        series: dict[str, list[float | None]] = {
            _("Current level"): [_num(e.level) for e in elements],
            _("Target"): [_num(e.target) for e in elements],
        }
        if found.previous is not None:
            series[_("Previous assessment")] = [_num(e.previous_level) for e in elements]
        top = max_level(found.model)
        chart = radar_chart(
            # Long element names wrap (Chinese ones, without spaces, by length).
            [
                "\n".join(textwrap.wrap(self.element_name(e), 16, break_long_words=True))
                for e in elements
            ],
            series,
            title=_("Maturity per element"),
            key="maturity-radar",
            max_value=top,
            ticks=[(v, str(v)) for v in range(1, top + 1)],
            empty_text=_("No levels yet"),
            size=(6.4, 5.6),
        )
        # On paper the names need air off the rim, and a light rim does not cross them.
        for ax in chart.figure.axes:
            if "polar" in ax.spines:
                ax.tick_params(axis="x", pad=9)
                ax.spines["polar"].set_color(GRID_COLOUR)
        self.picture(
            chart.png(dpi=200),
            _("Figure 1: current level, target and previous level per element (0 at the centre)."),
            RADAR_WIDTH_CM,
        )

    def method_text(self) -> str:
        method = self.found.method
        if method == "weighted_mean":
            return _(
                "Weighted mean: the score is the mean of the elements' levels, each counted "
                "with its weight in the model; the overall level is the score rounded down."
            )
        if method == "lowest":
            return _(
                "Gated: the overall level is the lowest level of any element, so every element "
                "has to reach a level before the unit does."
            )
        if method == "high_water":
            return _(
                "High-water mark: the overall level is the highest level any element has "
                "reached; read it together with the share of elements per level."
            )
        return label(method)

    # -- 3. elements

    def elements(self) -> None:
        self.add(Para([Run("3. " + _("Elements"))], style=style.HEADING_1, page_break_before=True))
        self.text(
            _(
                "For each element: the level agreed by the facilitator and what the element "
                "looks like at that level; the target and what it looks like there; the gap "
                "between them."
            )
        )
        table = self.table_of(
            (1650, 1350, 2136, 1350, 1986, 600),
            [
                _("Element"),
                _("Level"),
                _("What it looks like"),
                _("Target"),
                _("At the target"),
                _("Gap"),
            ],
        )
        for e in self.found.elements:
            gap = e.gap
            table.rows.append(
                [
                    self.cell(self.element_name(e), bold=True),
                    self.cell(
                        self.level(e.level),
                        fill=LEVEL_FILLS.get(e.level) if e.level is not None else None,
                    ),
                    self.texts_cell(self.loc(e.descriptor)),
                    self.cell(self.level(e.target)),
                    self.texts_cell(self.loc(e.target_descriptor) if e.target is not None else ""),
                    self.cell(
                        DASH if gap is None else str(gap),
                        bold=bool(gap),
                        align="center",
                        fill=(GAP_FILLS.get(gap, GAP_FILL_LARGE) if gap else None),
                    ),
                ]
            )
        self.table(table)

    # -- 4. gaps and recommendations

    def gaps(self) -> None:
        found = self.found
        self.heading("4. " + _("Gaps and recommendations"))
        short = largest_gaps(found.elements, top=len(found.elements))
        if not short:
            self.note(_("No element is below its target."))
        else:
            table = self.table_of(
                (1900, 1200, 2486, 3486),
                [_("Element"), _("Level and target"), _("Why this target"), _("Recommendation")],
            )
            for e in short:
                table.rows.append(
                    [
                        self.cell(self.element_name(e), bold=True),
                        Cell(
                            [
                                Para([Run(f"{e.level} \u2192 {e.target}", bold=True)]),
                                Para([Run(_("gap %(gap)s", gap=e.gap), color=style.MUTED)]),
                            ]
                        ),
                        self.texts_cell(e.target_rationale),
                        self.texts_cell(e.recommendation),
                    ]
                )
            self.table(table)
        disputed = [e for e in found.elements if e.disagreement]
        if disputed:
            self.heading(_("Where the assessors disagreed"), 2)
            self.text(
                _(
                    "The assessors' scores of these elements were two levels or more apart; "
                    "the facilitator's note says how the level was agreed."
                ),
                keep_next=True,
            )
            table = self.table_of(
                (2200, 1400, 1400, 4072),
                [_("Element"), _("Scores"), _("Agreed level"), _("Consolidation note")],
            )
            for e in disputed:
                spread = f"{e.spread[0]}\u2013{e.spread[1]}" if e.spread else DASH
                table.rows.append(
                    [
                        self.cell(self.element_name(e), bold=True),
                        self.cell(spread, align="center"),
                        self.cell(self.level(e.level)),
                        self.texts_cell(e.consolidation_note),
                    ]
                )
            self.table(table)

    # -- 5. trend

    def trend(self) -> None:
        from ..charts import trend_line

        found = self.found
        self.heading("5. " + _("Trend"))
        points = list(found.trend)
        if not any(p.assessment_id == found.assessment.id for p in points):
            # A draft is not in the published trend yet; show where it would stand.
            from ..services.maturity_results import TrendPoint

            assert found.assessment.id is not None
            points.append(
                TrendPoint(
                    found.assessment.id,
                    found.assessment.reference,
                    found.assessment.assessed_on,
                    found.overall_score,
                    found.overall_level,
                )
            )
            points.sort(key=lambda p: p.assessed_on)
        if len(points) < 2:
            self.note(_("The trend needs at least two assessments of the unit with this model."))
        else:
            top = max_level(found.model)
            chart = trend_line(
                [(p.assessed_on.isoformat(), p.score) for p in points],
                title=_("Overall score over time"),
                key="maturity-trend",
                y_max=top,
                series_name=_("Overall score"),
                ticks=[(v, self.level(v)) for v in range(top + 1)],
                empty_text=_("No scores yet"),
                size=(6.4, 2.8),
            )
            self.picture(
                chart.png(dpi=200), _("Figure 2: the unit's overall score per assessment.")
            )
        table = self.table_of(
            (2200, 2400, 1800, 2672), [_("Reference"), _("Date"), _("Score"), _("Level")]
        )
        for p in points:
            current = p.assessment_id == found.assessment.id
            table.rows.append(
                [
                    self.cell(p.reference, bold=current),
                    self.cell(_long_date(p.assessed_on, self.locale), bold=current),
                    self.cell(score_text(p.score), bold=current, align="right"),
                    self.cell(self.level(p.level), bold=current),
                ]
            )
        self.table(table)

    # -- 6. skills

    def skills(self) -> None:
        picture = self.report.skills
        self.heading("6. " + _("Architecture skills"))
        if picture is None:
            self.note(_("The skills picture of the unit is not available."))
            return
        self.text(
            _(
                "On %(date)s the unit has %(people)s people, %(assessed)s of them with assessed "
                "skills.",
                date=_long_date(picture.as_of, self.locale),
                people=picture.people,
                assessed=picture.assessed_people,
            )
        )
        self.heading(_("Coverage of the role profiles"), 2)
        if not picture.roles:
            self.note(_("Nobody in the unit holds or targets a role of the skills framework."))
        else:
            table = self.table_of(
                (3872, 1600, 2000, 1600),
                [_("Role"), _("People"), _("Meet the profile"), _("Share")],
            )
            for role in picture.roles:
                share = role.share
                table.rows.append(
                    [
                        self.cell(self.loc(role.role_name) or role.role_key, bold=True),
                        self.cell(str(role.people), align="right"),
                        self.cell(str(role.meeting), align="right"),
                        self.cell(DASH if share is None else f"{share * 100:.0f} %", align="right"),
                    ]
                )
            self.table(table)
        self.heading(_("Largest skill gaps"), 2)
        if not picture.largest_gaps:
            self.note(_("No skill gaps against the role profiles."))
        else:
            table = self.table_of(
                (3072, 2600, 1700, 1700),
                [_("Skill"), _("Category"), _("People short"), _("Levels missing")],
            )
            for gap in picture.largest_gaps:
                table.rows.append(
                    [
                        self.cell(self.loc(gap.skill_name) or gap.skill_key, bold=True),
                        self.cell(self.loc(gap.category_name)),
                        self.cell(str(gap.people_short), align="right"),
                        self.cell(str(gap.total_gap), align="right"),
                    ]
                )
            self.table(table)

    # -- appendix

    def appendix(self) -> None:
        found = self.found
        self.add(
            Para(
                [Run(_("Appendix: assessors' scores"))],
                style=style.HEADING_1,
                page_break_before=True,
            )
        )
        names = list(found.assessor_names)
        if not names or not any(e.marks for e in found.elements):
            self.note(_("No assessor has submitted scores yet."))
            return
        # Element x assessor: the first column keeps room for the names; the rest share.
        shown = names[:8]
        first, last = 2400, 1000
        each = (style.TEXT_WIDTH - first - last) // len(shown)
        widths = (first, *([each] * len(shown)), style.TEXT_WIDTH - first - each * len(shown))
        table = self.table_of(widths, [_("Element"), *shown, _("Agreed")])
        for e in found.elements:
            by_name = {m.assessor_name: m.level for m in e.marks}
            row = [self.cell(self.element_name(e), bold=True)]
            for name in shown:
                value = by_name.get(name)
                row.append(
                    self.cell(
                        DASH if value is None else str(value),
                        align="center",
                        fill=LEVEL_FILLS.get(value) if value is not None else None,
                    )
                )
            row.append(
                self.cell(DASH if e.level is None else str(e.level), bold=True, align="center")
            )
            table.rows.append(row)
        self.table(table)
        if len(names) > len(shown):
            self.note(_("Scores of further assessors are in the detail below."))
        self.heading(_("Evidence and comments"), 2)
        table = self.table_of(
            (1700, 1500, 700, 2886, 2286),
            [_("Element"), _("Assessor"), _("Level"), _("Evidence"), _("Comment")],
        )
        for e in found.elements:
            for index, mark in enumerate(e.marks):
                table.rows.append(
                    [
                        self.cell(self.element_name(e) if index == 0 else "", bold=True),
                        self.cell(mark.assessor_name),
                        self.cell(str(mark.level), align="center"),
                        self.texts_cell(mark.evidence),
                        self.texts_cell(mark.comment),
                    ]
                )
        self.table(table)

    # -- header, footer, properties

    def page_header_footer(self) -> None:
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.shared import Pt, RGBColor

        assessment = self.found.assessment
        section = self.doc.sections[0]
        section.different_first_page_header_footer = True  # the cover stays clean
        head = section.header.paragraphs[0]
        head.style = self.doc.styles["Header"]
        head.add_run(
            _("Maturity assessment %(reference)s", reference=assessment.reference)
            + " \u00b7 "
            + self.found.unit_name
        )
        head.add_run("\t\t")
        if self.draft:
            mark = head.add_run(_("DRAFT"))
            mark.bold = True
            mark.font.size = Pt(20)
            mark.font.color.rgb = RGBColor.from_string(style.DRAFT)
            font = style.EAST_ASIAN_FONT if self.locale == "zh_Hans" else style.LATIN_FONT
            ooxml.add_watermark(head, _("DRAFT"), font)
            first = section.first_page_header.paragraphs[0]
            ooxml.add_watermark(first, _("DRAFT"), font)
        else:
            head.add_run(label(assessment.state))
        for foot in (section.footer.paragraphs[0], section.first_page_footer.paragraphs[0]):
            foot.style = self.doc.styles["Footer"]
            foot.alignment = WD_ALIGN_PARAGRAPH.CENTER
            for piece, instr in _split_placeholders(_("Page %(page)s of %(pages)s")):
                if piece:
                    foot.add_run(piece)
                if instr:
                    ooxml.add_field(foot, instr, "1")

    def report_properties(self, now: datetime) -> None:
        found = self.found
        assessment = found.assessment
        core = self.doc.core_properties
        core.title = ooxml.clean(
            _("Architecture maturity report") + ": " + (assessment.title or found.unit_name)
        )
        core.subject = ooxml.clean(found.unit_name)
        core.author = ooxml.clean(found.facilitator_name) if found.facilitator_name else "eagov"
        core.last_modified_by = "eagov"
        core.keywords = assessment.reference
        core.category = _("Architecture maturity report")
        core.identifier = assessment.reference
        core.content_status = _("Draft") if self.draft else label(assessment.state)
        core.language = style.LANGUAGES[self.locale]
        moment = as_utc(now).replace(tzinfo=None, microsecond=0)
        core.created = core.modified = moment
