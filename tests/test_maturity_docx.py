"""The Word maturity report, read back with python-docx: cover, executive summary, overall
level, the element table against the results, gaps, trend, skills, the appendix of assessor
scores, the charts, header and footer fields, the DRAFT mark, Chinese, and a LibreOffice
conversion to PDF (skipped where LibreOffice is not installed)."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from docx import Document
from flask_babel import force_locale, gettext
from test_maturity_exports import ASSESSORS, ELEMENTS, LEVELS, NOW, sample_report

from eagov.documents.maturity_docx import build_maturity_docx

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield


def build(report=None, locale="en"):
    data = build_maturity_docx(report or sample_report(), locale=locale, now=NOW)
    return data, Document(io.BytesIO(data))


def headings(doc, level=1):
    return [p.text for p in doc.paragraphs if p.style.name == f"Heading {level}"]


def body_text(doc):
    return "\n".join(p.text for p in doc.paragraphs)


def table_after(doc, header_first):
    return [t for t in doc.tables if t.rows[0].cells[0].text == header_first]


def table_headed(doc, *header):
    return next(t for t in doc.tables if tuple(c.text for c in t.rows[0].cells) == header)


def rows(table):
    return [[c.text for c in row.cells] for row in table.rows]


def test_cover_names_the_unit_model_date_reference_facilitator_and_state(ctx):
    _data, doc = build()
    texts = [p.text for p in doc.paragraphs[:3]]
    assert texts == [
        "Architecture maturity assessment",
        "Architecture maturity report",
        "Annual maturity review 2026",
    ]
    cover = dict(tuple(r) for r in rows(doc.tables[0]))
    assert cover == {
        "Organisation unit": "Group IT",
        "Maturity model": "Architecture capability maturity model (1.0)",
        "Date of the assessment": "20 April 2026",
        "Reference": "MA-2026-003",
        "Facilitator": "Margaret Hamilton",
        "State": "Published",
        "Date of this report": "4 May 2026",
    }


def test_sections_in_order_with_the_toc_field(ctx):
    _data, doc = build()
    assert headings(doc) == [
        "1. Executive summary",
        "2. Overall maturity",
        "3. Elements",
        "4. Gaps and recommendations",
        "5. Trend",
        "6. Architecture skills",
        "Appendix: assessors' scores",
    ]
    xml = doc.element.xml
    assert 'TOC \\o "1-2"' in xml or "TOC \\o" in xml
    settings = doc.settings.element.xml
    assert "updateFields" in settings


def test_executive_summary_has_the_summary_and_generated_sentences(ctx):
    _data, doc = build()
    text = body_text(doc)
    assert "The unit has made progress since last year." in text
    assert (
        "The overall maturity level is 2 Under development, with a score of 2.22 "
        "(scoring method: Weighted mean level)." in text
    )
    assert (
        "The score rose by 0.55 from 1.67 in the previous assessment (MA-2025-002, "
        "15 April 2025)." in text
    )
    assert (
        "The largest gaps: Architecture development (level 2, target 4); Senior management "
        "involvement (level 1, target 3); Architecture governance (level 2, target 4)." in text
    )
    assert "on 2 element(s)" in text


def test_a_first_assessment_and_a_fall_are_told_as_such(ctx):
    report = sample_report()
    report.results.previous = None
    assert "first published assessment" in body_text(build(report)[1])
    report = sample_report()
    report.results.overall_score = 1.5
    assert "The score fell by 0.17 from 1.67" in body_text(build(report)[1])


def test_overall_level_and_level_shares(ctx):
    _data, doc = build()
    text = body_text(doc)
    assert "Overall level: 2 Under development" in text
    assert "Overall score: 2.22" in text and "Target score: 3.40" in text
    shares = rows(table_after(doc, "Level")[0])
    assert shares[0] == ["Level", "Elements", "Share"]
    assert shares[1:] == [
        ["0 None", "0", "0 %"],
        ["1 Initial", "2", "22 %"],
        ["2 Under development", "4", "44 %"],
        ["3 Defined", "2", "22 %"],
        ["4 Managed", "1", "11 %"],
        ["5 Measured", "0", "0 %"],
    ]


def test_element_table_matches_the_results(ctx):
    report = sample_report()
    _data, doc = build(report)
    table = table_headed(
        doc, "Element", "Level", "What it looks like", "Target", "At the target", "Gap"
    )
    got = rows(table)
    assert got[0] == ["Element", "Level", "What it looks like", "Target", "At the target", "Gap"]
    assert len(got) == 1 + len(ELEMENTS)
    for row, e in zip(got[1:], report.results.elements, strict=True):
        assert row[0] == e.name["en"]
        assert row[1] == f"{e.level} {LEVELS[e.level][1]}"
        assert row[2] == e.descriptor["en"]
        assert row[3] == f"{e.target} {LEVELS[e.target][1]}"
        assert row[4] == e.target_descriptor["en"]
        assert row[5] == str(e.gap)
    # The header row repeats on every page and is shaded.
    tr_pr = table.rows[0]._tr.trPr
    assert tr_pr.find(f"{{{W}}}tblHeader") is not None
    assert "D9E2F3" in table.rows[0].cells[0]._tc.xml


def test_gaps_and_disagreements(ctx):
    report = sample_report()
    _data, doc = build(report)
    gaps = rows(
        table_headed(doc, "Element", "Level and target", "Why this target", "Recommendation")
    )
    assert [r[0] for r in gaps[1:4]] == [
        "Architecture development",
        "Senior management involvement",
        "Architecture governance",
    ]
    assert gaps[1][1] == "2 \u2192 4\ngap 2"
    assert gaps[1][3] == "Do more about development"
    assert len(gaps) == 1 + sum(1 for e in report.results.elements if e.gap)
    disputed = table_headed(doc, "Element", "Scores", "Agreed level", "Consolidation note")
    assert [r[0] for r in rows(disputed)[1:]] == ["Business linkage", "Architecture governance"]
    assert rows(disputed)[2][3] == "Agreed after discussion"


def test_trend_table_and_both_charts_are_there(ctx):
    _data, doc = build()
    trend = next(t for t in doc.tables if t.rows[0].cells[0].text == "Reference")
    assert [r[0] for r in rows(trend)[1:]] == ["MA-2024-001", "MA-2025-002", "MA-2026-003"]
    assert rows(trend)[3][2] == "2.22"
    images = [rel.target_part for rel in doc.part.rels.values() if rel.reltype.endswith("/image")]
    assert len(images) == 2
    assert all(part.blob.startswith(b"\x89PNG") for part in images)
    assert len(doc.inline_shapes) == 2


def test_a_single_assessment_has_no_trend_chart(ctx):
    report = sample_report()
    report.results.trend = report.results.trend[-1:]
    report.results.previous = None
    _data, doc = build(report)
    assert len(doc.inline_shapes) == 1  # the radar only
    assert "The trend needs at least two assessments" in body_text(doc)


def test_skills_picture_and_its_absence(ctx):
    _data, doc = build()
    coverage = next(t for t in doc.tables if t.rows[0].cells[0].text == "Role")
    assert rows(coverage)[1:] == [
        ["EA manager", "2", "1", "50 %"],
        ["Data architect", "4", "3", "75 %"],
    ]
    gaps = next(t for t in doc.tables if t.rows[0].cells[0].text == "Skill")
    assert rows(gaps)[1] == ["Data design", "Enterprise architecture", "3", "5"]
    assert "the unit has 12 people, 9 of them with assessed skills" in body_text(doc)

    _data, doc = build(sample_report(skills=False))
    assert "The skills picture of the unit is not available." in body_text(doc)
    assert not [t for t in doc.tables if t.rows[0].cells[0].text == "Role"]


def test_appendix_has_every_assessor_score_with_evidence(ctx):
    report = sample_report()
    _data, doc = build(report)
    matrix = table_headed(doc, "Element", *ASSESSORS, "Agreed")
    got = rows(matrix)
    assert got[0] == ["Element", *ASSESSORS, "Agreed"]
    for row, (_key, en, _zh, level, _t, _p, scores) in zip(got[1:], ELEMENTS, strict=True):
        assert row == [en, *(str(s) for s in scores), str(level)]
    detail = table_headed(doc, "Element", "Assessor", "Level", "Evidence", "Comment")
    got = rows(detail)
    assert len(got) == 1 + len(ELEMENTS) * len(ASSESSORS)
    assert got[1] == [
        "Architecture process",
        "Ada Lovelace",
        "3",
        "Evidence process 0",
        "Comment 0",
    ]
    assert got[2][0] == ""  # the element is named once per group


def test_header_footer_and_properties_of_a_published_report(ctx):
    _data, doc = build()
    section = doc.sections[0]
    assert section.header.paragraphs[0].text == (
        "Maturity assessment MA-2026-003 \u00b7 Group IT\t\tPublished"
    )
    footer = section.footer.paragraphs[0]._p.xml
    assert "PAGE" in footer and "NUMPAGES" in footer
    assert "DRAFT" not in section.header._element.xml
    core = doc.core_properties
    assert core.identifier == "MA-2026-003"
    assert core.title == "Architecture maturity report: Annual maturity review 2026"
    assert core.author == "Margaret Hamilton"
    assert core.language == "en-GB"
    assert "Noto Sans CJK SC" in doc.styles.element.xml  # East Asian font in the styles


def test_a_draft_is_marked_on_the_cover_header_and_watermark(ctx):
    _data, doc = build(sample_report(draft=True))
    section = doc.sections[0]
    header = section.header._element.xml
    assert ("DRAFT" in header and "v:shape" in header) or "textpath" in header
    assert "Draft: this assessment is not published yet." in body_text(doc)
    assert doc.core_properties.content_status == "Draft"
    # A draft's own score is shown in the trend where it would stand.
    trend = next(t for t in doc.tables if t.rows[0].cells[0].text == "Reference")
    assert rows(trend)[-1][0] == "MA-2026-003"


def test_chinese_report(ctx):
    _data, doc = build(locale="zh_Hans")
    with force_locale("zh_Hans"):
        unit_label = gettext("Organisation unit")
        published = gettext("Published")
    cover = dict(tuple(r) for r in rows(doc.tables[0]))
    assert cover[unit_label] == "Group IT"
    assert cover[gettext_zh("Date of the assessment")] == "2026年4月20日"
    assert gettext_zh("Maturity model") in cover
    assert "架构能力成熟度模型" in cover[gettext_zh("Maturity model")]
    element_table = next(t for t in doc.tables if len(t.columns) == 6)
    assert rows(element_table)[1][0] == "架构流程"
    assert rows(element_table)[1][1] == "3 已定义"
    assert rows(element_table)[1][2] == "process 第3级"
    assert published in doc.sections[0].header.paragraphs[0].text
    assert doc.core_properties.language == "zh-CN"
    # A language missing from a name falls back to English.
    coverage = [r for t in doc.tables for r in rows(t) if r and r[0] == "Data architect"]
    assert coverage


def gettext_zh(text):
    with force_locale("zh_Hans"):
        return gettext(text)


def _soffice():
    return shutil.which("soffice") or shutil.which("libreoffice")


def _page_count(pdf: Path) -> int:
    if shutil.which("pdfinfo"):
        out = subprocess.run(
            ["pdfinfo", str(pdf)], capture_output=True, text=True, timeout=60, check=True
        ).stdout
        return int(re.search(r"^Pages:\s+(\d+)", out, re.MULTILINE).group(1))
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf.read_bytes()))


@pytest.mark.parametrize("locale", ["en", "zh_Hans"])
def test_libreoffice_renders_the_report_as_pdf(ctx, tmp_path, locale):
    soffice = _soffice()
    if soffice is None:
        pytest.skip(
            "LibreOffice (soffice) is not installed: apt-get install libreoffice-writer-nogui"
        )
    source = tmp_path / f"maturity-{locale}.docx"
    source.write_bytes(build(sample_report(draft=locale == "zh_Hans"), locale=locale)[0])
    profile = tmp_path / "lo-profile"
    result = subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    pdf = tmp_path / f"maturity-{locale}.pdf"
    assert pdf.exists(), f"no PDF: {result.returncode} {result.stdout} {result.stderr}"
    assert pdf.read_bytes().startswith(b"%PDF")
    # Cover, summary, overall with the radar, elements, trend, skills, appendix.
    assert _page_count(pdf) >= 5
