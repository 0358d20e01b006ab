"""The contract page: header, lifecycle strip, actions with reasons, content, hash, signatures,
versions with a side-by-side comparison, history, the Word document and the document check."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from contract_factory import activate, make_cast, make_contract
from test_contracts_support import client_for, send, text_of

from eagov.schemas.contracts import AmendIn, DeliverableIn, VersionContent
from eagov.services import contracts, deliverables

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture
def cast(session):
    return make_cast(session)


def test_header_lifecycle_and_content_of_a_draft(app, session, cast):
    contract = make_contract(
        session,
        cast,
        title="Customer data platform",
        sections={"request_background": "Why: **growth**.\n\n- one\n- two"},
        principles=["Data is an asset", "Reuse before buy"],
        risks=[
            {
                "description": "Vendor lock-in",
                "likelihood": "high",
                "impact": "medium",
                "mitigation": "Open standards",
            }
        ],
    )
    page = client_for(app, cast.viewer).get(f"/contracts/{contract.id}")
    assert page.status_code == 200
    html, text = page.text, text_of(page.text)
    assert contract.reference in html and "Statement of Architecture Work" in html
    assert 'data-status="draft"' in html
    assert "Version in force: none yet" in text and "Newest version: v1 Draft" in text
    # The lifecycle strip marks where the contract is.
    assert 'aria-current="step" data-step="draft"' in html
    for step in ("in_review", "approved", "active", "completed", "terminated", "expired"):
        assert f'data-step="{step}"' in html
    # Sections through the rich-text renderer; lists, parties, window, risks, metrics.
    assert "<strong>growth</strong>" in html and "<li>one</li>" in html
    assert "Request and background" in html and "Not written yet." in html
    assert "Reuse before buy" in html and "Open standards" in html and "High" in html
    assert "Sponsor Person" in text and "Lead Person" in text and "EA Office" in text
    assert "Systems on the target platform" in html and "80 %" in text
    # The hash of the draft as it is now.
    version = contracts.get_version(session, contract)
    assert "Current draft hash" in html
    assert contracts.version_hash(session, contract, version) in html
    assert "Frozen at approval" not in html
    # Signatures required: sponsor and chair, not signed yet.
    assert "Architecture Sponsor" in text and "Chair of the Architecture Board" in text
    assert text.count("not signed") == 2


def test_refused_actions_are_shown_disabled_with_their_reason(app, session, cast):
    contract = make_contract(session, cast)
    html = client_for(app, cast.coordinator).get(f"/contracts/{contract.id}").text
    allowed = re.findall(r'data-action="([^"]+)"', html)
    assert "edit" in allowed and "submit" in allowed and "approve" not in allowed
    refused = dict(
        re.findall(
            r'data-refused="([^"]+)">.*?<span id="why-\d+" class="text-muted">([^<]+)</span>',
            html,
            re.S,
        )
    )
    assert set(refused) >= {"approve", "return_to_draft", "amend", "complete", "terminate"}
    assert all(reason.strip() for reason in refused.values())
    assert "review" in refused["approve"].lower()
    assert re.search(r'data-refused="approve">\s*<button type="button"[^>]*disabled', html)


def test_content_of_an_approved_version_is_frozen_and_signatures_show(app, session, cast):
    contract = activate(session, cast, make_contract(session, cast))
    version = contracts.get_version(session, contract)
    html = client_for(app, cast.viewer).get(f"/contracts/{contract.id}").text
    assert "Frozen at approval" in html and version.content_hash in html
    assert html.count(f'title="{version.content_hash}"') == 2  # each signature binds it
    assert "does not match the content" not in html
    assert "Version in force" in html and 'data-status="active"' in html


def test_outsiders_get_404_everywhere(app, session, cast):
    contract = make_contract(session, cast)
    outsider = client_for(app, cast.outsider)
    for url in (
        f"/contracts/{contract.id}",
        f"/contracts/{contract.id}?tab=versions",
        f"/contracts/{contract.id}/versions/1/document.docx",
    ):
        assert outsider.get(url).status_code == 404, url
    assert client_for(app, cast.viewer).get("/contracts/999999").status_code == 404


def test_versions_tab_and_side_by_side_comparison(app, session, cast):
    contract = activate(session, cast, make_contract(session, cast, deliverables_count=3))
    coordinator = cast.actor("coordinator")
    contracts.amend(
        session, coordinator, contract.id, AmendIn(change_summary="Add payments scope.")
    )
    v2 = contracts.get_version(session, contract)
    fields = {k: getattr(v2, k) for k in VersionContent.model_fields}
    sections = dict(v2.sections)
    sections["description_scope"] = "Customer data.\n\nPayments data."
    contracts.update_draft(
        session,
        coordinator,
        contract.id,
        VersionContent(**(fields | {"sections": sections, "standards": ["ISO 27001", "PCI DSS"]})),
        v2.version,
    )
    items = contracts.deliverables_of(session, v2.id)
    deliverables.remove_deliverable(session, coordinator, items[0].id, None)
    deliverables.update_deliverable(
        session,
        coordinator,
        items[1].id,
        DeliverableIn(
            title=items[1].title,
            phase="b_business",
            kind=items[1].kind,
            owner_id=items[1].owner_id,
            due_date=items[1].due_date + timedelta(days=7),
        ),
        None,
    )
    deliverables.add_deliverable(
        session,
        coordinator,
        contract.id,
        DeliverableIn(
            title="Payments roadmap",
            phase="f_migration",
            kind="Architecture Roadmap",
            due_date=date.today() + timedelta(days=60),
        ),
    )
    viewer = client_for(app, cast.viewer)
    html = viewer.get(f"/contracts/{contract.id}?tab=versions").text
    assert re.search(r'data-version="1">.*?in force.*?Signed', html, re.S)
    assert re.search(r'data-version="2">.*?Draft.*?not frozen', html, re.S)
    assert html.count("/document.docx") >= 2
    assert "Add payments scope." in html

    html = viewer.get(f"/contracts/{contract.id}?tab=versions&a=1&b=2").text
    diff = html[html.index('id="diff"') :]
    # Two columns, the changed lines highlighted.
    assert "Description and scope" in diff
    scope = diff[
        diff.index("Description and scope") : diff.index(
            "</table>", diff.index("Description and scope")
        )
    ]
    # The line "Text of description_scope." was replaced: old struck on the left, new on the right.
    assert re.search(r'data-tag="replace">\s*<td class="table-danger"[^>]*><del>Text of', scope)
    assert re.search(r'<td class="table-success"[^>]*><ins>Customer data\.</ins>', scope)
    assert re.search(
        r'data-tag="insert">.*?table-success.*?<ins>Payments data\.</ins>', scope, re.S
    )
    assert re.search(r'data-tag="equal">\s*<td class=""[^>]*>ISO 27001', diff)
    assert "<ins>PCI DSS</ins>" in diff
    # Unchanged sections are named, not repeated.
    assert re.search(r"Unchanged:.*Request and background", text_of(diff))
    # Deliverables matched by lineage.
    rows = re.findall(r'<tr data-change="(\w+)"[^>]*>\s*<td>([^<]+)</td>', diff)
    kinds = {title: kind for kind, title in rows}
    assert kinds == {
        "Deliverable 1": "removed",
        "Deliverable 2": "changed",
        "Deliverable 3": "unchanged",
        "Payments roadmap": "added",
    }
    assert "B. Business Architecture" in diff  # the changed phase, before and after
    # Comparing a version with itself is refused politely.
    same = viewer.get(f"/contracts/{contract.id}?tab=versions&a=1&b=1").text
    assert "Choose two different versions" in same


def test_history_tab(app, session, cast):
    contract = make_contract(session, cast)
    contracts.submit(session, cast.actor("coordinator"), contract.id)
    html = client_for(app, cast.viewer).get(f"/contracts/{contract.id}?tab=history").text
    assert 'id="audit-history-heading"' in html
    assert "submitted for review" in html and "created" in html


def test_word_document_of_any_version(app, session, cast):
    contract = make_contract(session, cast)
    resp = client_for(app, cast.sponsor).get(f"/contracts/{contract.id}/versions/1/document.docx")
    assert resp.status_code == 200
    assert resp.mimetype == DOCX
    assert resp.data.startswith(b"PK")
    disposition = resp.headers["Content-Disposition"]
    assert "attachment" in disposition and f"{contract.reference}-v1.docx" in disposition
    viewer = client_for(app, cast.viewer)
    assert viewer.get(f"/contracts/{contract.id}/versions/7/document.docx").status_code == 404


def test_check_a_document(app, session, cast):
    contract = activate(session, cast, make_contract(session, cast))
    viewer = client_for(app, cast.viewer)
    page = viewer.get("/contracts/verify")
    assert page.status_code == 200 and 'type="file"' in page.text
    doc = viewer.get(f"/contracts/{contract.id}/versions/1/document.docx").data
    import io

    resp = send(
        viewer,
        "/contracts/verify",
        {"file": (io.BytesIO(doc), f"{contract.reference}-v1.docx")},
        content_type="multipart/form-data",
    )
    assert resp.status_code == 200, text_of(resp.text)[-1500:]
    assert 'data-matches="yes"' in resp.text and 'data-signed="yes"' in resp.text
    assert contract.reference in resp.text
    # Not a Word document: a field message, 422.
    resp = send(
        viewer,
        "/contracts/verify",
        {"file": (io.BytesIO(b"hello"), "notes.docx")},
        content_type="multipart/form-data",
    )
    assert resp.status_code == 422 and 'id="e-file"' in resp.text
    resp = send(viewer, "/contracts/verify", {}, content_type="multipart/form-data")
    assert resp.status_code == 422 and "Choose a Word document" in resp.text


def test_the_page_runs_the_same_statements_for_2_and_20_deliverables(app, session, cast):
    from conftest import count_statements

    small = activate(session, cast, make_contract(session, cast, deliverables_count=2))
    large = activate(session, cast, make_contract(session, cast, deliverables_count=20))
    lead = client_for(app, cast.lead)  # owner of every deliverable: all the forms are shown
    lead.get(f"/contracts/{small.id}")  # warm up
    counts = []
    for contract in (small, large):
        with count_statements(app) as seen:
            assert lead.get(f"/contracts/{contract.id}").status_code == 200
        counts.append(len(seen))
    assert counts[0] == counts[1], counts


def test_the_page_runs_at_most_15_statements_in_every_state(app, session, cast):
    """Draft, in review, approved (signatures pending), active, and active with an amendment
    in draft (two versions): the page reads each thing once (issue 8's budget of 15)."""
    from conftest import count_statements

    from eagov.schemas.contracts import AmendIn
    from eagov.services import contracts as svc

    draft = make_contract(session, cast)
    in_review = make_contract(session, cast)
    svc.submit(session, cast.actor("coordinator"), in_review.id)
    approved = make_contract(session, cast)
    svc.submit(session, cast.actor("coordinator"), approved.id)
    svc.approve(session, cast.actor("chair"), approved.id)
    active = activate(session, cast, make_contract(session, cast))
    amended = activate(session, cast, make_contract(session, cast))
    svc.amend(
        session,
        cast.actor("coordinator"),
        amended.id,
        AmendIn(change_summary="The scope grows by a region."),
    )
    chair = client_for(app, cast.chair)  # a signatory: the signing forms are shown
    chair.get(f"/contracts/{draft.id}")  # warm up
    counts = {}
    for name, contract in [
        ("draft", draft),
        ("in review", in_review),
        ("approved", approved),
        ("active", active),
        ("amendment", amended),
    ]:
        with count_statements(app) as seen:
            assert chair.get(f"/contracts/{contract.id}").status_code == 200
        counts[name] = len(seen)
    assert max(counts.values()) <= 15, counts
