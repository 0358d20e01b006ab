"""The KPIs page: figures with definitions and links, filters, charts inline and safe, exports
that carry exactly the numbers shown, refusal for contributors, bounded statements."""

from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ET

import pytest
from conftest import count_statements
from openpyxl import load_workbook
from test_kpis import build

from eagov.models import Board

PERIOD = {"from": "2026-01-01", "to": "2026-03-31"}
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def data(session):
    return build(session)


def shown(html: str) -> dict[str, str]:
    """measure key -> the value shown on its card."""
    return dict(re.findall(r'data-measure="([^"]+)">.*?data-value="([^"]*)"', html, re.S))


def svgs(html: str) -> list[str]:
    return re.findall(r"<svg\b.*?</svg>", html, re.S)


def parse(text: str) -> ET.Element:
    return ET.fromstring(text)  # noqa: S314 - our own output, parsed to prove it is valid XML


def test_dashboard_shows_figures_definitions_and_links(client, login_as, data):
    login_as("viewer")
    resp = client.get("/kpis/", query_string=PERIOD)
    assert resp.status_code == 200
    values = shown(resp.text)
    assert values["reviews_compliant_share"] == "75.0"
    assert values["review_cycle_median_days"] == "25.0"
    assert values["deliverables_on_time_share"] == "66.7"
    assert values["satisfaction_average"] == "4.0"
    assert values["actions_overdue"] == "2"
    assert 'data-counts="3/4"' in resp.text
    assert "Of the reviews signed off in the period" in resp.text  # the definition
    assert "/reviews/?state=signed_off" in resp.text
    assert 'data-measure="maturity_units_improving"' in resp.text
    assert 'data-measure="skills_coverage_share"' in resp.text
    assert "data-pending" not in resp.text
    assert 'data-month="2026-02"' in resp.text


def test_filters_change_the_figures(client, login_as, data):
    login_as("board_chair")
    by_board = client.get("/kpis/", query_string=PERIOD | {"board_id": data.board_a})
    assert shown(by_board.text)["reviews_compliant_share"] == "66.7"
    assert f"/reviews/?board={data.board_a}&amp;state=signed_off" in by_board.text
    by_unit = client.get("/kpis/", query_string=PERIOD | {"org_unit_id": data.unit_1})
    assert shown(by_unit.text)["reviews_compliant_share"] == "100.0"
    assert 'data-all-units="1"' in by_unit.text  # board activity is not narrowed by unit
    january = client.get("/kpis/", query_string={"from": "2026-01-01", "to": "2026-01-31"})
    assert 'data-counts="1/1"' in january.text


def test_bad_filters_keep_the_input_and_say_why(client, login_as, data):
    login_as("viewer")
    resp = client.get("/kpis/", query_string={"from": "2026-03-01", "to": "2026-01-01"})
    assert resp.status_code == 422
    assert 'id="e-to"' in resp.text and 'value="2026-01-01"' in resp.text
    resp = client.get("/kpis/", query_string={"from": "yesterday"})
    assert resp.status_code == 422 and 'id="e-from"' in resp.text
    assert client.get("/kpis/", query_string={"board_id": "999999"}).status_code == 422


def test_presets(client, login_as, data):
    login_as("viewer")
    resp = client.get("/kpis/", query_string={"preset": "year_to_date"})
    assert resp.status_code == 200
    assert "preset=last_30_days" in resp.text


def test_charts_are_inline_svg_and_escape_user_text(client, session, login_as, data):
    board = session.get(Board, data.board_a)
    board.name = "<script>alert(1)</script> & $x$"
    session.add(board)
    session.commit()
    login_as("viewer")
    resp = client.get("/kpis/", query_string=PERIOD | {"board_id": data.board_a})
    assert "<script>alert(1)" not in resp.text
    charts = svgs(resp.text)
    assert len(charts) == 3
    for text in charts:
        root = parse(text)
        assert root.get("role") == "img"
        assert root.find(f"{SVG}title") is not None
    labels = " ".join(t.text or "" for t in parse(charts[0]).iter(f"{SVG}text"))
    assert "Reviews signed off" in labels
    assert "Jan 2026" in labels
    # Unique ids across the charts of one page.
    ids = re.findall(r'\sid="([^"]+)"', resp.text)
    assert len(ids) == len(set(ids))


def test_exports_match_the_page(client, login_as, data):
    login_as("viewer")
    args = PERIOD | {"board_id": data.board_a}
    page = shown(client.get("/kpis/", query_string=args).text)

    resp = client.get("/kpis/export.csv", query_string=args | {"part": "summary"})
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    assert "kpis-2026-01-01-2026-03-31-summary.csv" in resp.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(resp.data.decode("utf-8-sig"))))
    assert rows[0][:4] == ["Area", "Measure", "Value", "Unit"]
    assert [r[2] for r in rows[1:]] == list(page.values())

    months = client.get("/kpis/export.csv", query_string=args | {"part": "months"})
    rows = list(csv.reader(io.StringIO(months.data.decode("utf-8-sig"))))
    assert [r[0] for r in rows[1:]] == ["2026-01", "2026-02", "2026-03"]

    xlsx = client.get("/kpis/export.xlsx", query_string=args)
    assert xlsx.status_code == 200
    wb = load_workbook(io.BytesIO(xlsx.data))
    assert wb.sheetnames == ["Summary", "Monthly series", "Filters"]
    values = [row[2] for row in wb["Summary"].iter_rows(min_row=2, values_only=True)]
    assert [None if v is None else float(v) for v in values] == [
        float(v) if v else None for v in page.values()
    ]
    month_rows = list(wb["Monthly series"].iter_rows(min_row=2, values_only=True))
    assert [r[1] for r in month_rows] == [1, 1, 1]  # board A: reviews signed off per month
    filters = dict(wb["Filters"].iter_rows(min_row=2, values_only=True))
    assert filters["Architecture Board"] == "Board A"
    assert client.get("/kpis/export.csv", query_string={"part": "other"}).status_code == 404


def test_contributors_are_refused(client, login_as):
    login_as("contributor")
    assert client.get("/kpis/").status_code == 403
    assert client.get("/kpis/export.xlsx").status_code == 403


def test_needs_sign_in(client):
    assert client.get("/kpis/").status_code == 302


def test_statements_do_not_grow_with_the_data(app, client, session, login_as):
    login_as("viewer")
    small = build(session, tag=" s")
    with count_statements(app) as few:
        resp = client.get("/kpis/", query_string=PERIOD | {"board_id": small.board_a})
        assert resp.status_code == 200
    large = build(session, copies=10, tag=" l")
    with count_statements(app) as many:
        resp = client.get("/kpis/", query_string=PERIOD | {"board_id": large.board_a})
        assert resp.status_code == 200
    assert len(many) == len(few)
