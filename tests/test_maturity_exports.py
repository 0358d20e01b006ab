"""The maturity report as a workbook, CSV and JSON, read back; the draft rule of
``load_report``. The results are built in memory (``sample_report``), so these tests do not
depend on how ``maturity_results.results`` computes them; the Word tests reuse the sample.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime

import pytest
from flask_babel import force_locale, gettext
from openpyxl import load_workbook

from eagov.exports import maturity_exports as mx
from eagov.models import AssessmentState, MaturityAssessment, MaturityModel
from eagov.services.maturity_results import (
    AssessmentResults,
    AssessorMark,
    ElementOutcome,
    TrendPoint,
)
from eagov.services.skills_gaps import RoleCoverage, SkillShortfall, UnitSkillsPicture

NOW = datetime(2026, 5, 4, 8, 0, tzinfo=UTC)

LEVELS = [
    (0, "None", "无"),
    (1, "Initial", "初始"),
    (2, "Under development", "开发中"),
    (3, "Defined", "已定义"),
    (4, "Managed", "已管理"),
    (5, "Measured", "已度量"),
]
# key, English, Chinese, level, target, previous level, assessors' scores
ELEMENTS = [
    ("process", "Architecture process", "架构流程", 3, 4, 2, (3, 3, 4)),
    ("development", "Architecture development", "架构开发", 2, 4, 2, (2, 2, 2)),
    ("business_linkage", "Business linkage", "业务关联", 2, 3, 1, (1, 2, 3)),
    ("senior_management", "Senior management involvement", "高层管理参与", 1, 3, 1, (1, 1, 2)),
    ("participation", "Operating unit participation", "业务单元参与", 2, 2, 2, (2, 2, 2)),
    ("communication", "Architecture communication", "架构沟通", 3, 3, 2, (3, 3, 3)),
    ("security", "IT security", "IT 安全", 4, 4, 3, (4, 4, 4)),
    ("governance", "Architecture governance", "架构治理", 2, 4, 1, (0, 2, 2)),
    (
        "investment",
        "IT investment and acquisition strategy",
        "IT 投资与采购策略",
        1,
        2,
        1,
        (1, 1, 1),
    ),
]
ASSESSORS = ["Ada Lovelace", "Grace Hopper", "Edsger Dijkstra"]


def make_model() -> MaturityModel:
    return MaturityModel(
        id=1,
        key="acmm",
        version="1.0",
        name={"en": "Architecture capability maturity model", "zh_Hans": "架构能力成熟度模型"},
        method="weighted_mean",
        levels=[{"value": v, "name": {"en": en, "zh_Hans": zh}} for v, en, zh in LEVELS],
    )


def descriptor(key: str, level: int | None) -> dict[str, str]:
    if level is None:
        return {}
    return {
        "en": f"At level {level}, {key} is {LEVELS[level][1].lower()}.",
        "zh_Hans": f"{key} 第{level}级",
    }


def make_results(
    *,
    state: str = AssessmentState.PUBLISHED,
    summary: str = "The unit has **made progress** since last year.\n\n- keep going",
) -> AssessmentResults:
    model = make_model()
    assessment = MaturityAssessment(
        id=7,
        reference="MA-2026-003",
        year=2026,
        number=3,
        model_id=1,
        org_unit_id=4,
        assessed_on=date(2026, 4, 20),
        title="Annual maturity review 2026",
        state=state,
        facilitator_id=11,
        summary=summary,
        overall_score=2.22,
        overall_level=2,
    )
    elements = []
    for i, (key, en, zh, level, target, prev, scores) in enumerate(ELEMENTS, start=1):
        elements.append(
            ElementOutcome(
                element_id=i,
                key=key,
                name={"en": en, "zh_Hans": zh},
                weight=2.0 if key == "governance" else 1.0,
                level=level,
                target=target,
                target_rationale=f"Why {key} should reach {target}",
                recommendation=f"Do more about {key}" if target > level else "",
                consolidation_note="Agreed after discussion" if key == "governance" else "",
                previous_level=prev,
                spread=(min(scores), max(scores)),
                disagreement=max(scores) - min(scores) >= 2,
                marks=[
                    AssessorMark(name, score, f"Evidence {key} {n}", f"Comment {n}")
                    for n, (name, score) in enumerate(zip(ASSESSORS, scores, strict=True))
                ],
                descriptor=descriptor(key, level),
                target_descriptor=descriptor(key, target),
            )
        )
    counts: dict[int, int] = {}
    for e in elements:
        counts[e.level] = counts.get(e.level, 0) + 1  # type: ignore[index]
    previous = TrendPoint(5, "MA-2025-002", date(2025, 4, 15), 1.67, 1)
    trend = [TrendPoint(2, "MA-2024-001", date(2024, 4, 10), 1.2, 1), previous]
    if state == AssessmentState.PUBLISHED:
        trend.append(TrendPoint(7, "MA-2026-003", date(2026, 4, 20), 2.22, 2))
    return AssessmentResults(
        assessment=assessment,
        model=model,
        unit_name="Group IT",
        facilitator_name="Margaret Hamilton",
        method="weighted_mean",
        overall_score=2.22,
        overall_level=2,
        target_score=3.4,
        level_shares={v: counts.get(v, 0) / len(elements) for v, _en, _zh in LEVELS},
        elements=elements,
        previous=previous,
        trend=trend,
        assessor_names=list(ASSESSORS),
    )


def make_skills() -> UnitSkillsPicture:
    return UnitSkillsPicture(
        org_unit_id=4,
        as_of=date(2026, 4, 20),
        people=12,
        assessed_people=9,
        roles=[
            RoleCoverage("ea_manager", {"en": "EA manager", "zh_Hans": "企业架构经理"}, 2, 1),
            RoleCoverage("ea_data", {"en": "Data architect"}, 4, 3),
        ],
        largest_gaps=[
            SkillShortfall(
                "data_design",
                {"en": "Data design", "zh_Hans": "数据设计"},
                {"en": "Enterprise architecture", "zh_Hans": "企业架构"},
                5,
                3,
            ),
        ],
    )


def sample_report(*, draft: bool = False, skills: bool = True, **kw) -> mx.MaturityReport:
    state = AssessmentState.SCORING if draft else AssessmentState.PUBLISHED
    return mx.MaturityReport(
        make_results(state=state, **kw), make_skills() if skills else None, draft
    )


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield


# --- CSV -----------------------------------------------------------------------------------------


def read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_csv_has_one_row_per_element_with_the_results_numbers(ctx):
    report = sample_report()
    rows = read_csv(mx.elements_csv(report))
    assert rows[0][:8] == [
        "Element key",
        "Element",
        "Weight",
        "Level",
        "Level name",
        "Target",
        "Target level name",
        "Gap",
    ]
    assert len(rows) == 1 + len(ELEMENTS)
    by_key = {r[0]: r for r in rows[1:]}
    for e in report.results.elements:
        row = by_key[e.key]
        assert row[1] == e.name["en"]
        assert (row[3], row[5], row[7]) == (str(e.level), str(e.target), str(e.gap))
        assert row[4] == f"{e.level} {LEVELS[e.level][1]}"
        assert row[8] == str(e.previous_level)
        assert (row[9], row[10]) == tuple(str(v) for v in e.spread)
    assert by_key["governance"][11] == "yes" and by_key["process"][11] == "no"
    assert by_key["governance"][2] == "2.0"


def test_csv_in_chinese_uses_the_chinese_names(ctx):
    rows = read_csv(mx.elements_csv(sample_report(), locale="zh_Hans"))
    assert rows[1][1] == "架构流程"
    assert rows[1][4] == "3 已定义"


def test_csv_text_is_never_a_formula(ctx):
    report = sample_report()
    report.results.elements[0].recommendation = '=HYPERLINK("http://evil")'
    rows = read_csv(mx.elements_csv(report))
    assert rows[1][13].startswith("'=")


# --- XLSX ----------------------------------------------------------------------------------------


def facts(ws) -> dict[str, object]:
    return {
        row[0].value: row[1].value
        for row in ws.iter_rows(min_row=1, max_col=2)
        if isinstance(row[0].value, str)
    }


def test_workbook_has_a_summary_and_the_raw_scores(ctx):
    report = sample_report()
    wb = load_workbook(io.BytesIO(mx.report_xlsx(report, now=NOW)))
    assert wb.sheetnames == ["Summary", "Raw scores"]
    summary = wb["Summary"]
    got = facts(summary)
    assert got["Reference"] == "MA-2026-003"
    assert got["Organisation unit"] == "Group IT"
    assert got["Maturity model"] == "Architecture capability maturity model (1.0)"
    assert got["Date of the assessment"].date() == date(2026, 4, 20)
    assert got["Overall score"] == pytest.approx(2.22)
    assert got["Overall level"] == "2 Under development"
    assert got["Target score"] == pytest.approx(3.4)
    assert got["Previous score"] == pytest.approx(1.67)
    assert "DRAFT" not in got

    cells = [[c.value for c in row] for row in summary.iter_rows()]
    shares_head = next(i for i, r in enumerate(cells) if r[0] == "Share of elements per level")
    shares = {r[0]: r[2] for r in cells[shares_head + 2 : shares_head + 8]}
    assert shares == pytest.approx(report.results.level_shares)
    assert sum(shares.values()) == pytest.approx(1.0)

    head = next(i for i, r in enumerate(cells) if r[0] == "Element" and r[2] == "Level")
    elements = cells[head + 1 : head + 1 + len(ELEMENTS)]
    for row, e in zip(elements, report.results.elements, strict=True):
        assert row[0] == e.name["en"]
        assert (row[1], row[2], row[4], row[5], row[6]) == (
            e.weight,
            e.level,
            e.target,
            e.gap,
            e.previous_level,
        )

    raw = list(wb["Raw scores"].iter_rows(values_only=True))
    assert raw[0] == ("Element", "Assessor", "Level", "Evidence", "Comment")
    assert len(raw) == 1 + len(ELEMENTS) * len(ASSESSORS)
    assert raw[1] == ("Architecture process", "Ada Lovelace", 3, "Evidence process 0", "Comment 0")
    assert wb["Raw scores"].freeze_panes == "A2"


def test_workbook_text_cells_never_become_formulas(ctx):
    report = sample_report()
    report.results.elements[0].marks[0] = AssessorMark(
        "=cmd|' /C calc'!A0", 3, "+SUM(A1:A2)", "@evil"
    )
    wb = load_workbook(io.BytesIO(mx.report_xlsx(report, now=NOW)))
    row = next(wb["Raw scores"].iter_rows(min_row=2, max_row=2))
    assert [c.data_type for c in row] == ["s", "s", "n", "s", "s"]
    assert row[1].value == "=cmd|' /C calc'!A0"
    assert row[3].value == "+SUM(A1:A2)"


def test_workbook_of_a_draft_says_draft_and_chinese_sheets(ctx):
    wb = load_workbook(
        io.BytesIO(mx.report_xlsx(sample_report(draft=True), locale="zh_Hans", now=NOW))
    )
    with force_locale("zh_Hans"):
        names = [gettext("Summary"), gettext("Raw scores")]
        draft = gettext("DRAFT")
    assert wb.sheetnames == names
    assert wb.worksheets[0]["A2"].value == draft
    assert "架构流程" in [c.value for c in wb.worksheets[1]["A"]]


# --- JSON ----------------------------------------------------------------------------------------


def test_json_holds_the_full_results_under_stable_keys(ctx):
    report = sample_report()
    data = json.loads(mx.report_json(report, now=NOW))
    assert list(data) == [
        "format",
        "format_version",
        "generated_at",
        "draft",
        "assessment",
        "model",
        "overall",
        "previous",
        "trend",
        "elements",
        "skills",
    ]
    assert data["format"] == "eagov.maturity-report" and data["format_version"] == 1
    assert data["generated_at"] == "2026-05-04T08:00:00+00:00"
    assert data["draft"] is False
    assert data["assessment"]["reference"] == "MA-2026-003"
    assert data["assessment"]["assessed_on"] == "2026-04-20"
    assert data["assessment"]["assessors"] == ASSESSORS
    assert data["model"]["levels"][3] == {
        "value": 3,
        "name": {"en": "Defined", "zh_Hans": "已定义"},
    }
    assert data["overall"] == {
        "score": 2.22,
        "level": 2,
        "target_score": 3.4,
        "level_shares": {str(k): v for k, v in report.results.level_shares.items()},
    }
    assert data["previous"]["reference"] == "MA-2025-002"
    assert [p["reference"] for p in data["trend"]] == ["MA-2024-001", "MA-2025-002", "MA-2026-003"]
    governance = next(e for e in data["elements"] if e["key"] == "governance")
    assert governance["level"] == 2 and governance["target"] == 4 and governance["gap"] == 2
    assert governance["spread"] == [0, 2] and governance["disagreement"] is True
    assert governance["name"]["zh_Hans"] == "架构治理"
    assert governance["marks"][0] == {
        "assessor": "Ada Lovelace",
        "level": 0,
        "evidence": "Evidence governance 0",
        "comment": "Comment 0",
    }
    assert data["skills"]["roles"][0] == {
        "key": "ea_manager",
        "name": {"en": "EA manager", "zh_Hans": "企业架构经理"},
        "people": 2,
        "meeting": 1,
        "share": 0.5,
    }
    assert data["skills"]["largest_gaps"][0]["total_gap"] == 5


def test_json_without_skills_and_as_draft(ctx):
    data = json.loads(mx.report_json(sample_report(draft=True, skills=False), now=NOW))
    assert data["draft"] is True
    assert data["skills"] is None
    assert data["assessment"]["state"] == "scoring"


# --- rendering and names -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "mimetype", "magic"),
    [
        ("docx", mx.DOCX_MIMETYPE, b"PK"),
        ("xlsx", mx.XLSX_MIMETYPE, b"PK"),
        ("csv", mx.CSV_MIMETYPE, b"\xef\xbb\xbf"),
        ("json", mx.JSON_MIMETYPE, b"{"),
    ],
)
def test_render_gives_bytes_type_and_name(ctx, fmt, mimetype, magic):
    data, got_type, name = mx.render(sample_report(), fmt, now=NOW)
    assert data.startswith(magic)
    assert got_type == mimetype
    assert name == f"MA-2026-003-maturity-report.{fmt}"
    assert mx.filename(sample_report(draft=True), fmt) == f"MA-2026-003-maturity-report-draft.{fmt}"


def test_largest_gaps_orders_by_gap_then_model_order():
    gaps = mx.largest_gaps(make_results().elements)
    assert [e.key for e in gaps] == ["development", "senior_management", "governance"]


# --- the CLI -------------------------------------------------------------------------------------


def test_cli_writes_the_report_in_each_format(app, session, tmp_path):
    from docx import Document
    from maturity_factory import create_assessment, make_setup, published

    st = make_setup(session)
    aid = published(session, st, [[2, 3, 3], [2, 3, 4], [2, 3, 3]], targets=[3, 4, 4])
    runner = app.test_cli_runner()
    for fmt in ("docx", "xlsx", "csv", "json"):
        out = tmp_path / f"report.{fmt}"
        result = runner.invoke(
            args=["export", "maturity", str(aid), "--format", fmt, "-o", str(out)]
        )
        assert result.exit_code == 0, result.output
        assert f"to {out}." in result.output
        assert out.stat().st_size > 0
    data = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert data["assessment"]["id"] == aid and data["draft"] is False
    doc = Document(str(tmp_path / "report.docx"))
    assert doc.paragraphs[1].text == "Architecture maturity report"

    draft = create_assessment(session, st, on=date(2026, 1, 10))
    out = tmp_path / "draft.docx"
    result = runner.invoke(
        args=["export", "maturity", str(draft), "-o", str(out), "--locale", "zh_Hans"]
    )
    assert result.exit_code == 0, result.output
    assert "(DRAFT)" in result.output
    assert Document(str(out)).core_properties.language == "zh-CN"

    missing = runner.invoke(args=["export", "maturity", "99999", "-o", str(tmp_path / "x.docx")])
    assert missing.exit_code == 1
    assert "Error" in missing.output
    bad = runner.invoke(args=["export", "maturity", str(aid), "--format", "pdf"])
    assert bad.exit_code == 2
