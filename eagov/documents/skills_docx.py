"""Skills gap reports in Word, in the house style of the review report.

- A unit's report: cover (unit, date, filters), summary, coverage per role (table),
  the heatmap of people x skills (picture; the first ``HEATMAP_PEOPLE`` people, the rest
  in the spreadsheet), and the training needs (table).
- A person against a role: cover, summary (total gap, skills short), then per category a
  bullet chart and a table of required, current and gap.

The numbers are those of the pages (``services.skills_gaps``). Header: the report's title;
footer: "Page X of Y".
"""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _

from .. import skills_charts
from ..i18n import in_language
from ..models import utcnow
from ..services.skills_gaps import PersonGap, UnitGapReport
from . import ooxml, style
from .contract_docx import _Builder, _long_date, _split_placeholders, as_utc
from .ooxml import Cell, Para, Run, Table

HEATMAP_PEOPLE = 40
GAP_FILLS = {0: "C6EFCE", 1: "FFF2CC", 2: "FFD966", 3: "F4B6B6", 4: "F4B6B6"}


def _tr(texts: dict[str, str] | None, locale: str) -> str:
    return in_language(texts, locale)


class _SkillsBuilder(_Builder):
    def picture(self, png: bytes, width_cm: float = 16.0) -> None:
        from docx.shared import Cm

        self.flush()
        self.doc.add_picture(io.BytesIO(png), width=Cm(width_cm))

    def skills_cover(self, title: str, subtitle: str, rows: list[tuple[str, str]]) -> None:
        self.text(_("Architecture skills"), style.COVER_KICKER)
        self.text(title, style.TITLE)
        self.text(subtitle, style.SUBTITLE)
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

    def grid(
        self, widths: tuple[int, ...], header: list[str], rows: list[list[Any]], fills: Any = None
    ) -> None:
        table = Table(
            widths=widths,
            header=header,
            header_style=style.TABLE_HEADING,
            cell_style=style.TABLE_TEXT,
            header_fill=style.HEADER_FILL,
        )
        for r, row in enumerate(rows):
            table.rows.append(
                [
                    Cell(
                        [Para([Run("" if v is None else str(v))])],
                        fill=fills(r, c) if fills else None,
                    )
                    for c, v in enumerate(row)
                ]
            )
        self.table(table)

    def title_header_footer(self, title: str) -> None:
        from docx.enum.text import WD_ALIGN_PARAGRAPH

        section = self.doc.sections[0]
        head = section.header.paragraphs[0]
        head.style = self.doc.styles["Header"]
        head.add_run(title)
        foot = section.footer.paragraphs[0]
        foot.style = self.doc.styles["Footer"]
        foot.alignment = WD_ALIGN_PARAGRAPH.CENTER
        for piece, instr in _split_placeholders(_("Page %(page)s of %(pages)s")):
            if piece:
                foot.add_run(piece)
            if instr:
                ooxml.add_field(foot, instr, "1")

    def properties(self, title: str, now: datetime) -> None:
        core = self.doc.core_properties
        core.title = ooxml.clean(title)
        core.author = "eagov"
        core.last_modified_by = "eagov"
        core.category = _("Skills gap report")
        core.language = style.LANGUAGES[self.locale]
        moment = as_utc(now).replace(tzinfo=None, microsecond=0)
        core.created = core.modified = moment


def _save(builder: _SkillsBuilder) -> bytes:
    builder.flush()
    out = io.BytesIO()
    builder.doc.save(out)
    return out.getvalue()


def build_unit_docx(
    report: UnitGapReport, *, locale: str = "en", now: datetime | None = None
) -> bytes:
    locale = locale if locale in style.LANGUAGES else "en"
    now = now or utcnow()
    hm = report.heatmap
    with force_locale(locale):
        b = _SkillsBuilder(style.new_document(locale), locale)
        unit = report.unit_name or _("All units")
        title = _("Skills gap report")
        role = hm.view.role_by_id.get(hm.role_id) if hm.role_id else None
        category = next((c for c in hm.view.categories.values() if c.key == hm.category_key), None)
        b.skills_cover(
            title,
            unit,
            [
                (_("Organisation unit"), unit),
                (_("As of"), _long_date(report.as_of, locale)),
                (_("Category"), _tr(category.name, locale) if category else _("All categories")),
                (_("Role"), _tr(role.name, locale) if role else _("All roles")),
                (_("Date of this report"), _long_date(as_utc(now).date(), locale)),
            ],
        )
        b.heading("1. " + _("Summary"))
        holders = sum(c.people for c in report.coverage)
        meeting = sum(c.meeting for c in report.coverage)
        b.text(
            _(
                "%(people)s people hold or head for a role of the framework. Of %(holders)s "
                "role holders, %(meeting)s meet their role's profile.",
                people=hm.total,
                holders=holders,
                meeting=meeting,
            )
        )
        if report.needs:
            top = report.needs[0]
            b.text(
                _(
                    "The largest training need is %(skill)s (total gap %(gap)s over "
                    "%(people)s people).",
                    skill=_tr(top.skill_name, locale),
                    gap=top.total_gap,
                    people=top.people_short,
                )
            )
        b.note(
            _(
                "Current level: the latest agreed assessment (manager or board, or a "
                "confirmed self-assessment) on or before the date; never assessed counts as 0. "
                "Gap: required level minus current level, never below 0."
            )
        )
        b.heading("2. " + _("Coverage per role"))
        b.grid(
            (3372, 1140, 1140, 1140, 1140, 1140),
            [
                _("Role"),
                _("Holders"),
                _("Meet the profile"),
                _("Within one level"),
                _("Share meeting"),
                _("Heading for the role"),
            ],
            [
                [
                    _tr(c.role_name, locale),
                    c.people,
                    c.meeting,
                    c.within_one,
                    "–" if c.share is None else f"{c.share * 100:.0f} %",
                    c.targeting,
                ]
                for c in report.coverage
            ],
        )
        b.heading("3. " + _("Gaps of people and skills"))
        shown = hm.rows[:HEATMAP_PEOPLE]
        if shown and hm.columns:
            chart = skills_charts.gap_heatmap(
                [r.person.name for r in shown],
                [_tr(s.name, locale) for s in hm.columns],
                [[(c.required, c.current) if c else None for c in r.cells] for r in shown],
                title=_("Gap per person and skill"),
                key="skills-heatmap",
                colour_label=_("Gap"),
            )
            b.picture(chart.png())
            b.note(_("Each cell: gap (current level/required level); blank: not required."))
            if len(hm.rows) > HEATMAP_PEOPLE:
                b.note(
                    _(
                        "The first %(shown)s of %(total)s people are shown; the spreadsheet "
                        "has everyone.",
                        shown=HEATMAP_PEOPLE,
                        total=len(hm.rows),
                    )
                )
        else:
            b.note(_("Nobody in this unit holds or heads for a role yet."))
        b.heading("4. " + _("Training needs"))
        if report.needs:
            b.grid(
                (2600, 3872, 1300, 1300),
                [_("Category"), _("Skill"), _("Total gap"), _("People short")],
                [
                    [
                        _tr(n.category_name, locale),
                        _tr(n.skill_name, locale),
                        n.total_gap,
                        n.people_short,
                    ]
                    for n in report.needs
                ],
            )
        else:
            b.note(_("No skill gaps."))
        b.flush()
        b.title_header_footer(f"{title} · {unit}")
        b.properties(f"{title} · {unit}", now)
        return _save(b)


def build_person_docx(gap: PersonGap, *, locale: str = "en", now: datetime | None = None) -> bytes:
    locale = locale if locale in style.LANGUAGES else "en"
    now = now or utcnow()
    with force_locale(locale):
        b = _SkillsBuilder(style.new_document(locale), locale)
        role = _tr(gap.role.name, locale)
        title = _("Skills against a role")
        b.skills_cover(
            title,
            f"{gap.person.name} · {role}",
            [
                (_("Person"), gap.person.name),
                (_("Role"), role),
                (_("As of"), _long_date(gap.as_of, locale)),
                (_("Date of this report"), _long_date(as_utc(now).date(), locale)),
            ],
        )
        b.heading("1. " + _("Summary"))
        if gap.meets:
            b.text(_("%(person)s meets every requirement of the role.", person=gap.person.name))
        else:
            b.text(
                _(
                    "Total gap %(gap)s levels over %(short)s of %(skills)s skills.",
                    gap=gap.total_gap,
                    short=gap.skills_short,
                    skills=len(gap.rows),
                )
            )
        for index, (category, rows) in enumerate(gap.by_category(), start=2):
            b.heading(f"{index}. {_tr(category.name, locale)}")
            chart = skills_charts.gap_bullets(
                [(_tr(r.skill.name, locale), r.required, r.current) for r in rows],
                title=_tr(category.name, locale),
                key=f"gap-{category.key}",
                current_label=_("Current level"),
                required_label=_("Required level"),
                gap_text=_("gap %(gap)s"),
                none_text=_("not assessed"),
            )
            b.picture(chart.png(), 14.0)
            b.grid(
                (4272, 1600, 1600, 1600),
                [_("Skill"), _("Required level"), _("Current level"), _("Gap")],
                [
                    [
                        _tr(r.skill.name, locale),
                        r.required,
                        "–" if r.current is None else r.current,
                        r.gap,
                    ]
                    for r in rows
                ],
                fills=lambda r, c, rows=rows: (
                    GAP_FILLS.get(min(rows[r].gap, 4)) if c == 3 else None
                ),
            )
        b.flush()
        b.title_header_footer(f"{title} · {gap.person.name}")
        b.properties(f"{title} · {gap.person.name} · {role}", now)
        return _save(b)
