"""GET /api/v1/kpis: the report as JSON with the filters, validation as problem documents,
the CSV/XLSX exports with the same numbers, permissions and the OpenAPI description."""

from __future__ import annotations

import csv
import io

import pytest
from apihelp import as_role, assert_problem
from openpyxl import load_workbook
from test_kpis import build

PERIOD = {"from": "2026-01-01", "to": "2026-03-31"}


@pytest.fixture
def data(session):
    return build(session)


@pytest.fixture
def api(client, api_token):
    return as_role(client, api_token, "viewer")


def by_key(body):
    return {m["key"]: m for m in body["measures"]}


def test_report_as_json(api, data):
    resp = api.get("/kpis", query_string=PERIOD)
    assert resp.status_code == 200, resp.text
    body = resp.json
    assert body["period_start"] == "2026-01-01" and body["period_end"] == "2026-03-31"
    m = by_key(body)
    share = m["reviews_compliant_share"]
    assert (share["value"], share["numerator"], share["denominator"]) == (75.0, 3, 4)
    assert share["unit"] == "percent" and share["definition"]
    assert m["review_cycle_median_days"]["value"] == 25.0
    assert (m["satisfaction_average"]["value"], m["satisfaction_average"]["sample"]) == (4.0, 3)
    assert [x["month"] for x in body["months"]] == ["2026-01", "2026-02", "2026-03"]
    assert body["months"][1]["reviews_signed_off"] == 2
    assert body["pending"] == []


def test_filters(api, data):
    board = api.get("/kpis", query_string=PERIOD | {"board_id": data.board_a}).json
    assert board["board_name"] == "Board A"
    assert by_key(board)["reviews_compliant_share"]["value"] == 66.7
    unit = api.get("/kpis", query_string=PERIOD | {"org_unit_id": data.unit_1}).json
    assert by_key(unit)["reviews_compliant_share"]["denominator"] == 2
    assert by_key(unit)["decisions_taken"]["by_unit"] is False
    preset = api.get("/kpis", query_string={"preset": "last_30_days"})
    assert preset.status_code == 200


def test_bad_input_is_a_problem(api, data):
    assert (
        "to"
        in assert_problem(
            api.get("/kpis", query_string={"from": "2026-03-01", "to": "2026-01-01"}), 422
        )["errors"]
    )
    assert "from" in assert_problem(api.get("/kpis", query_string={"from": "x"}), 422)["errors"]
    assert (
        "preset" in assert_problem(api.get("/kpis", query_string={"preset": "ever"}), 422)["errors"]
    )
    assert (
        "board_id"
        in assert_problem(api.get("/kpis", query_string={"board_id": 99999}), 422)["errors"]
    )
    assert_problem(api.get("/kpis", query_string={"colour": "red"}), 422)


def test_exports_carry_the_same_numbers(api, data):
    body = api.get("/kpis", query_string=PERIOD).json
    values = [m["value"] for m in body["measures"]]
    resp = api.get("/kpis/export.csv", query_string=PERIOD)
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(resp.data.decode("utf-8-sig"))))
    assert [r[2] for r in rows[1:]] == ["" if v is None else str(v) for v in values]
    months = api.get("/kpis/export.csv", query_string=PERIOD | {"part": "months"})
    assert [r[0] for r in csv.reader(io.StringIO(months.data.decode("utf-8-sig")))][1:] == [
        "2026-01",
        "2026-02",
        "2026-03",
    ]
    xlsx = api.get("/kpis/export.xlsx", query_string=PERIOD | {"locale": "en"})
    wb = load_workbook(io.BytesIO(xlsx.data))
    cells = [r[2] for r in wb["Summary"].iter_rows(min_row=2, values_only=True)]
    assert [None if c is None else float(c) for c in cells] == [
        None if v is None else float(v) for v in values
    ]
    assert_problem(api.get("/kpis/export.csv", query_string={"part": "all"}), 422)


def test_contributors_are_refused(client, api_token):
    assert_problem(as_role(client, api_token, "contributor").get("/kpis"), 403)
    assert_problem(as_role(client, api_token, "contributor").get("/kpis/export.xlsx"), 403)


def test_described_in_openapi(api):
    spec = api.get("/openapi.json").json
    op = spec["paths"]["/kpis"]["get"]
    names = {p["name"] for p in op["parameters"]}
    assert {"from", "to", "preset", "board_id", "org_unit_id"} <= names
    assert "/kpis/export.{fmt}" in spec["paths"]
