"""Downloading a maturity report from the pages: every format for a published assessment,
the draft rule (facilitator and maturity managers only, marked DRAFT), sign-in, unknown ids.
The assessments are made through the services (tests/maturity_factory.py)."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest
from conftest import login
from docx import Document
from maturity_factory import create_assessment, make_setup, published
from openpyxl import load_workbook

from eagov.permissions import SYSTEM
from eagov.services.maturity_results import results

URL = "/maturity/assessments/{}/report.{}"


@pytest.fixture
def st(session):
    return make_setup(session)


@pytest.fixture
def two_published(session, st):
    published(session, st, [[1, 1, 2], [1, 2, 2], [1, 1, 2]], on=date(2024, 3, 1))
    return published(
        session, st, [[2, 3, 3], [2, 3, 4], [2, 3, 3]], on=date(2025, 3, 1), targets=[3, 4, 4]
    )


def test_a_reader_downloads_the_word_report_of_a_published_assessment(
    client, session, st, two_published
):
    expected = results(session, SYSTEM, two_published)
    login(client, st.outsider.email)
    resp = client.get(URL.format(two_published, "docx"))
    assert resp.status_code == 200
    assert resp.mimetype.endswith("wordprocessingml.document")
    ref = expected.assessment.reference
    assert f"filename={ref}-maturity-report.docx" in resp.headers["Content-Disposition"]
    assert "no-store" in resp.headers["Cache-Control"]
    doc = Document(io.BytesIO(resp.data))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "Architecture maturity report" in text
    assert f"Overall score: {expected.overall_score:.2f}" in text
    cover = {r.cells[0].text: r.cells[1].text for r in doc.tables[0].rows}
    assert cover["Organisation unit"] == expected.unit_name
    assert cover["Reference"] == ref
    table = next(t for t in doc.tables if t.rows[0].cells[-1].text == "Gap")
    got = [[c.text for c in row.cells] for row in table.rows[1:]]
    assert [r[5] for r in got] == [str(e.gap) for e in expected.elements]
    assert [r[0] for r in got] == [e.name["en"] for e in expected.elements]
    assert len(doc.inline_shapes) == 2  # radar and trend
    assert "The skills picture of the unit is not available." in text  # no framework here


def test_every_format_downloads(client, session, st, two_published):
    expected = results(session, SYSTEM, two_published)
    login(client, st.outsider.email)
    xlsx = client.get(URL.format(two_published, "xlsx"))
    assert xlsx.status_code == 200
    wb = load_workbook(io.BytesIO(xlsx.data))
    assert wb.sheetnames == ["Summary", "Raw scores"]
    assert len(list(wb["Raw scores"].iter_rows())) == 1 + 3 * 3
    csv_resp = client.get(URL.format(two_published, "csv"))
    assert csv_resp.status_code == 200 and csv_resp.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(csv_resp.data.decode("utf-8-sig"))))
    assert [r[3] for r in rows[1:]] == [str(e.level) for e in expected.elements]
    body = json.loads(client.get(URL.format(two_published, "json")).data)
    assert body["overall"]["score"] == expected.overall_score
    assert [p["reference"] for p in body["trend"]] == [p.reference for p in expected.trend]
    assert body["draft"] is False
    assert client.get(URL.format(two_published, "pdf")).status_code == 404


def signed_in(app, user):
    client = app.test_client()
    login(client, user.email)
    return client


def test_a_draft_is_for_the_facilitator_and_managers_and_says_draft(app, session, st):
    aid = create_assessment(session, st)
    assert signed_in(app, st.outsider).get(URL.format(aid, "docx")).status_code == 403
    resp = signed_in(app, st.facilitator).get(URL.format(aid, "docx"))
    assert resp.status_code == 200
    assert "-maturity-report-draft.docx" in resp.headers["Content-Disposition"]
    header = Document(io.BytesIO(resp.data)).sections[0].header._element.xml
    assert "DRAFT" in header
    coordinator = signed_in(app, st.coordinator)
    assert json.loads(coordinator.get(URL.format(aid, "json")).data)["draft"] is True


def test_sign_in_needed_and_unknown_ids(client, st, two_published):
    resp = client.get(URL.format(two_published, "docx"))
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]
    login(client, st.outsider.email)
    assert client.get(URL.format(99999, "docx")).status_code == 404


def test_the_assessment_page_offers_the_downloads_to_who_may_have_them(
    app, session, st, two_published
):
    page = signed_in(app, st.outsider).get(f"/maturity/{two_published}").text
    assert 'id="report-downloads"' in page and URL.format(two_published, "xlsx") in page
    draft = create_assessment(session, st)
    assert 'id="report-downloads"' not in (
        signed_in(app, st.outsider).get(f"/maturity/{draft}").text
    )
    assert URL.format(draft, "docx") in (
        signed_in(app, st.facilitator).get(f"/maturity/{draft}").text
    )
