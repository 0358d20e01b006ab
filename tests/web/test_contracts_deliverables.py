"""Deliverables while a contract runs: status forms, evidence upload and download, the list
across contracts with filters and pagination, and its CSV and Excel exports."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta

import pytest
from contract_factory import activate, make_cast, make_contract
from openpyxl import load_workbook
from test_contracts_support import client_for, send, text_of

from eagov.schemas.contracts import DeliverableIn
from eagov.services import contracts, deliverables

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def cast(session):
    return make_cast(session)


@pytest.fixture
def running(session, cast):
    """An active contract; its first deliverable is owned by the lead architect."""
    contract = activate(session, cast, make_contract(session, cast))
    item = contracts.deliverables_of(session, contracts.get_version(session, contract).id)[0]
    return contract, item


def test_owner_moves_the_status_and_the_lead_accepts(app, session, cast, running):
    contract, item = running
    lead = client_for(app, cast.lead)
    page = lead.get(f"/contracts/{contract.id}").text
    assert f'action="/contracts/deliverables/{item.id}/progress"' in page
    url = f"/contracts/deliverables/{item.id}/progress"
    resp = send(lead, url, {"status": "in_progress", "note": "Started", "version": item.version})
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"#deliverable-{item.id}")
    session.refresh(item)
    assert item.status == "in_progress" and item.status_note == "Started"
    resp = send(
        lead,
        url,
        {"status": "submitted", "evidence_link": "ftp://x", "version": item.version},
    )
    assert resp.status_code == 422
    assert 'value="ftp://x"' in resp.text and "https://" in resp.text
    resp = send(
        lead,
        url,
        {
            "status": "submitted",
            "evidence_link": "https://wiki.example/vision",
            "version": item.version,
        },
    )
    assert resp.status_code == 302
    session.refresh(item)
    # The co-ordinator may not accept; the choice is not even offered.
    coordinator = client_for(app, cast.coordinator)
    page = coordinator.get(f"/contracts/{contract.id}").text
    form = page[page.index(f'id="status-{item.id}"') :].split("</select>")[0]
    assert 'value="accepted"' not in form and 'value="in_progress"' in form
    resp = send(coordinator, url, {"status": "accepted", "version": item.version})
    assert resp.status_code == 403
    assert "accepts or rejects" in text_of(resp.text)
    # A stale form is refused.
    resp = send(lead, url, {"status": "accepted", "version": item.version - 1})
    assert resp.status_code == 409
    resp = send(lead, url, {"status": "accepted", "version": item.version})
    assert resp.status_code == 302
    page = client_for(app, cast.viewer).get(f"/contracts/{contract.id}").text
    assert "1 of 2 accepted or waived" in page and 'aria-valuenow="50"' in page
    assert "https://wiki.example/vision" in page and "Accepted on" in page
    # Accepted is final: no form any more.
    assert (
        f'action="/contracts/deliverables/{item.id}/progress"'
        not in lead.get(f"/contracts/{contract.id}").text
    )


def test_jumping_in_the_flow_is_a_conflict(app, session, cast, running):
    _contract, item = running
    lead = client_for(app, cast.lead)
    resp = send(
        lead,
        f"/contracts/deliverables/{item.id}/progress",
        {"status": "accepted", "version": item.version},
    )
    assert resp.status_code == 409
    assert 'id="status-' in resp.text  # the form is shown again, open
    assert re.search(r"<details class=\"mt-2\" open>\s*<summary class=\"small\">Update", resp.text)


def test_no_progress_on_a_draft(app, session, cast):
    contract = make_contract(session, cast)
    item = contracts.deliverables_of(session, contracts.get_version(session, contract).id)[0]
    lead = client_for(app, cast.lead)
    assert "/progress" not in lead.get(f"/contracts/{contract.id}").text
    resp = send(lead, f"/contracts/deliverables/{item.id}/progress", {"status": "in_progress"})
    assert resp.status_code == 409


def test_evidence_upload_and_download(app, session, cast, running):
    contract, item = running
    lead = client_for(app, cast.lead)
    url = f"/contracts/deliverables/{item.id}/evidence"
    page = lead.get(f"/contracts/{contract.id}").text
    assert 'enctype="multipart/form-data"' in page and 'type="file"' in page

    def upload(data, name, **extra):
        return send(
            lead,
            url,
            {"file": (io.BytesIO(data), name), **extra},
            content_type="multipart/form-data",
        )

    resp = upload(b"MZ\x90\x00binary", "tool.exe")
    assert resp.status_code == 422
    assert re.search(r'id="e-file">Accepted evidence', resp.text)
    resp = upload(b"", "empty.pdf")
    assert resp.status_code == 422 and "empty" in resp.text
    resp = send(lead, url, {}, content_type="multipart/form-data")
    assert resp.status_code == 422 and "Choose a file to upload." in resp.text
    resp = upload(PDF, "Vision report.pdf", version=str(item.version - 1))
    assert resp.status_code == 409
    resp = upload(PDF, "Vision report.pdf", version=str(item.version))
    assert resp.status_code == 302
    page = lead.get(f"/contracts/{contract.id}").text
    assert f'href="{url}">Vision report.pdf</a>' in page

    # Everyone who may see the contract may download; the file comes as an attachment.
    with client_for(app, cast.viewer).get(url) as got:  # a file response: close it
        assert got.status_code == 200 and got.data == PDF
        assert got.mimetype == "application/pdf"
        assert got.headers["Content-Disposition"].startswith("attachment")
        assert "Vision report.pdf" in got.headers["Content-Disposition"]
    # An outsider learns nothing: 404.
    assert client_for(app, cast.outsider).get(url).status_code == 404
    # Someone who may see but not update: refused.
    resp = send(
        client_for(app, cast.sponsor),
        url,
        {"file": (io.BytesIO(PDF), "x.pdf")},
        content_type="multipart/form-data",
    )
    assert resp.status_code == 403


def test_download_without_evidence_is_404(app, session, cast, running):
    _contract, item = running
    assert (
        client_for(app, cast.viewer).get(f"/contracts/deliverables/{item.id}/evidence").status_code
        == 404
    )


def test_overdue_badge(app, session, cast):
    contract = make_contract(session, cast, deliverables_count=0)
    deliverables.add_deliverable(
        session,
        cast.actor("coordinator"),
        contract.id,
        DeliverableIn(
            title="Late vision",
            phase="a_vision",
            kind="Architecture Vision",
            due_date=date.today() - timedelta(days=3),
        ),
    )
    page = client_for(app, cast.viewer).get(f"/contracts/{contract.id}").text
    assert page.count('data-overdue="1"') == 1


# --- the list across contracts -------------------------------------------------------------


def rows_on_page(html: str) -> list[dict[str, str]]:
    """The table rows as the page shows them (due date from the <time> element)."""
    out = []
    for row in re.findall(r'<tr data-row="\d+">(.*?)</tr>', html, re.S):
        cells = dict(re.findall(r'data-col="(\w+)">(.*?)</td>', row, re.S))
        out.append(
            {
                "reference": re.search(r">(AC-\d{4}-\d{4})<", cells["contract"]).group(1),
                "title": text_of(cells["title"]).strip(),
                "phase": text_of(cells["phase"]).strip(),
                "kind": text_of(cells["kind"]).strip(),
                "owner": text_of(cells["owner"]).strip(),
                "due": re.search(r'datetime="([\d-]+)"', cells["due"]).group(1),
                "status": re.search(r'data-status="\w+">([^<]+)<', cells["status"]).group(1),
                "overdue": "yes" if "data-overdue" in cells["status"] else "no",
            }
        )
    return out


@pytest.fixture
def spread(session, cast):
    """Three contracts: one active (one deliverable accepted), two drafts; one overdue item."""
    active = activate(session, cast, make_contract(session, cast, deliverables_count=2))
    first = contracts.deliverables_of(session, contracts.get_version(session, active).id)[0]
    from eagov.schemas.contracts import DeliverableProgress

    for status in ("in_progress", "submitted", "accepted"):
        deliverables.progress(
            session, cast.actor("lead"), first.id, DeliverableProgress(status=status), None
        )
    draft = make_contract(session, cast, deliverables_count=1)
    deliverables.add_deliverable(
        session,
        cast.actor("coordinator"),
        draft.id,
        DeliverableIn(
            title="Overdue roadmap",
            phase="f_migration",
            kind="Architecture Roadmap",
            owner_id=cast.person["sponsor"],
            due_date=date.today() - timedelta(days=2),
        ),
    )
    hidden = make_contract(
        session, cast, deliverables_count=1, sponsor_id=cast.person["lead"], representative_id=None
    )
    return active, draft, hidden


def test_deliverables_list_filters(app, session, cast, spread):
    viewer = client_for(app, cast.viewer)

    def titles(**args):
        resp = viewer.get("/contracts/deliverables", query_string=args)
        assert resp.status_code == 200
        return sorted(r["title"] for r in rows_on_page(resp.text))

    assert len(titles()) == 5
    assert titles(phase="f_migration") == ["Overdue roadmap"]
    assert titles(owner=cast.person["sponsor"]) == ["Overdue roadmap"]
    assert titles(status="accepted") == ["Deliverable 1"]
    assert titles(overdue="1") == ["Overdue roadmap"]
    soon = (date.today() + timedelta(days=30)).isoformat()
    assert titles(due_to=soon) == [
        "Deliverable 1",
        "Deliverable 1",
        "Deliverable 1",
        "Overdue roadmap",
    ]
    assert titles(due_from=date.today().isoformat(), due_to=soon) == ["Deliverable 1"] * 3
    assert titles(contract=spread[0].id) == ["Deliverable 1", "Deliverable 2"]
    # A bad date is said, not ignored silently.
    resp = viewer.get("/contracts/deliverables?due_from=tomorrow")
    assert resp.status_code == 422 and "YYYY-MM-DD" in resp.text
    # Paginated in the database.
    page = viewer.get("/contracts/deliverables?per_page=2&page=3").text
    assert len(rows_on_page(page)) == 1 and "Page 3 of 3" in page
    # The sponsor sees the deliverables of their contracts only.
    sponsor = client_for(app, cast.sponsor)
    sponsor_rows = rows_on_page(sponsor.get("/contracts/deliverables").text)
    assert spread[2].reference not in {r["reference"] for r in sponsor_rows}
    assert len(sponsor_rows) == 4


def test_exports_match_the_filtered_rows(app, session, cast, spread):
    viewer = client_for(app, cast.viewer)
    args = {"due_to": (date.today() + timedelta(days=60)).isoformat(), "per_page": 200}
    page = viewer.get("/contracts/deliverables", query_string=args).text
    shown = rows_on_page(page)
    assert len(shown) == 5
    assert "export.csv?due_to=" in page and "export.xlsx?due_to=" in page

    resp = viewer.get("/contracts/deliverables/export.csv", query_string=args)
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    assert resp.data.startswith(b"\xef\xbb\xbf")  # a BOM, for Excel
    assert "attachment" in resp.headers["Content-Disposition"]
    table = list(csv.reader(io.StringIO(resp.data.decode("utf-8-sig"), newline="")))
    header, body = table[0], table[1:]
    assert header[:9] == [
        "Contract",
        "Contract title",
        "Deliverable",
        "ADM phase",
        "Kind",
        "Owner",
        "Due date",
        "Status",
        "Overdue",
    ]
    from_csv = [
        {
            "reference": r[0],
            "title": r[2],
            "phase": r[3],
            "kind": r[4],
            "owner": r[5],
            "due": r[6],
            "status": r[7],
            "overdue": r[8],
        }
        for r in body
    ]
    assert from_csv == shown

    resp = viewer.get("/contracts/deliverables/export.xlsx", query_string=args)
    assert resp.status_code == 200
    assert resp.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    ws = load_workbook(io.BytesIO(resp.data)).active
    assert ws.freeze_panes == "A2" and all(c.font.bold for c in ws[1])
    assert [c.value for c in ws[1]][:3] == ["Contract", "Contract title", "Deliverable"]
    from_xlsx = []
    for r in ws.iter_rows(min_row=2, values_only=True):
        assert hasattr(r[6], "year")  # a real date, not text
        from_xlsx.append(
            {
                "reference": r[0],
                "title": r[2],
                "phase": r[3],
                "kind": r[4],
                "owner": r[5] or "",
                "due": r[6].date().isoformat(),
                "status": r[7],
                "overdue": r[8],
            }
        )
    assert from_xlsx == shown
    # The accepted deliverable carries its acceptance time as a date-time.
    accepted = [r for r in ws.iter_rows(min_row=2, values_only=True) if r[7] == "Accepted"]
    assert len(accepted) == 1 and hasattr(accepted[0][9], "hour")
    # The filters apply to the export as on the page.
    only = viewer.get("/contracts/deliverables/export.csv?overdue=1").data.decode("utf-8-sig")
    assert only.count("\r\n") == 2 and "Overdue roadmap" in only
