"""GET /api/v1/maturity-assessments/{id}/report.{docx|xlsx|csv|json}: the files, the
language, the draft rule, problems for unknown ids and formats, the OpenAPI entry."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest
from apihelp import PREFIX, Api, assert_problem
from docx import Document
from maturity_factory import create_assessment, make_setup, published

from eagov.permissions import SYSTEM
from eagov.schemas.accounts import TokenCreate
from eagov.services import accounts
from eagov.services.maturity_results import results


def api_for(client, session, user) -> Api:
    _tok, secret = accounts.create_token(session, SYSTEM, TokenCreate(name="t"), user_id=user.id)
    return Api(client, {"Authorization": f"Bearer {secret}"})


@pytest.fixture
def st(session):
    return make_setup(session)


@pytest.fixture
def aid(session, st):
    return published(session, st, [[2, 3, 3], [2, 3, 4], [2, 3, 3]], targets=[3, 4, 4])


def test_json_report_of_a_published_assessment(client, session, st, aid):
    expected = results(session, SYSTEM, aid)
    resp = api_for(client, session, st.outsider).get(f"/maturity-assessments/{aid}/report.json")
    assert resp.status_code == 200
    assert resp.mimetype == "application/json"
    assert "no-store" in resp.headers["Cache-Control"]
    body = json.loads(resp.data)
    assert body["format"] == "eagov.maturity-report"
    assert body["assessment"]["reference"] == expected.assessment.reference
    assert [e["level"] for e in body["elements"]] == [e.level for e in expected.elements]
    assert [e["gap"] for e in body["elements"]] == [e.gap for e in expected.elements]


def test_word_in_chinese_and_the_tables(client, session, st, aid):
    api = api_for(client, session, st.outsider)
    resp = api.get(f"/maturity-assessments/{aid}/report.docx?locale=zh_Hans")
    assert resp.status_code == 200
    assert resp.mimetype.endswith("wordprocessingml.document")
    doc = Document(io.BytesIO(resp.data))
    assert doc.core_properties.language == "zh-CN"
    xlsx = api.get(f"/maturity-assessments/{aid}/report.xlsx")
    assert xlsx.status_code == 200 and xlsx.data.startswith(b"PK")
    rows = list(
        csv.reader(
            io.StringIO(api.get(f"/maturity-assessments/{aid}/report.csv").data.decode("utf-8-sig"))
        )
    )
    assert len(rows) == 1 + 3


def test_draft_rule_and_problems(client, session, st, aid):
    draft = create_assessment(session, st, on=date(2026, 1, 10))
    outsider = api_for(client, session, st.outsider)
    assert_problem(outsider.get(f"/maturity-assessments/{draft}/report.json"), 403)
    facilitator = api_for(client, session, st.facilitator)
    resp = facilitator.get(f"/maturity-assessments/{draft}/report.json")
    assert resp.status_code == 200 and json.loads(resp.data)["draft"] is True
    assert "draft.json" in resp.headers["Content-Disposition"]
    assert_problem(outsider.get("/maturity-assessments/999999/report.json"), 404)
    assert outsider.get(f"/maturity-assessments/{aid}/report.pdf").status_code == 404
    assert_problem(outsider.get(f"/maturity-assessments/{aid}/report.docx?locale=fr"), 422)
    assert client.get(f"{PREFIX}/maturity-assessments/{aid}/report.json").status_code == 401


def test_the_operation_is_in_the_openapi_document(client):
    spec = client.get(f"{PREFIX}/openapi.json").json
    paths = [
        p for p in spec["paths"] if p.startswith("/maturity-assessments/{assessment_id}/report")
    ]
    assert paths
    op = spec["paths"][paths[0]]["get"]
    assert op["tags"] == ["Maturity assessments"]
