"""The contract forms: new contract (type first), edit draft, deliverables and metrics of a
draft, measured values; field problems (422) and stale edits (409) keep what was typed."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from contract_factory import activate, make_cast, make_contract
from sqlmodel import select
from test_contracts_support import client_for, send, text_of

from eagov.contract_types import spec
from eagov.models import Contract, ContractMetric, Deliverable
from eagov.schemas.contracts import DeliverableIn, VersionContent
from eagov.services import contracts, deliverables


@pytest.fixture
def cast(session):
    return make_cast(session)


@pytest.fixture
def coordinator(app, cast):
    return client_for(app, cast.coordinator)


def content_form(cast, contract_type="soaw", **over):
    today = date.today()
    data = {
        "type": contract_type,
        "board_id": str(cast.board_id),
        "title": "Integration platform",
        "architecture_unit_id": str(cast.unit_id),
        "counterparty_unit_id": str(cast.business_unit_id),
        "partner_name": "",
        "sponsor_id": str(cast.person["sponsor"]),
        "lead_architect_id": str(cast.person["lead"]),
        "representative_id": "",
        "window_start": today.isoformat(),
        "window_end": (today + timedelta(days=200)).isoformat(),
        "conformance_requirements": "Follow the API standard.",
        "principles": "Reuse before buy\n\nData is an asset\n",
        "standards": "ISO 27001",
        "risks": "Skills gap | high | medium | Training\nBudget cut",
    }
    for s in spec(contract_type).sections:
        data[f"section-{s.key}"] = f"About *{s.key}*."
    data.update(over)
    return data


def test_new_contract_starts_with_the_type(coordinator):
    page = coordinator.get("/contracts/new").text
    assert 'name="type"' in page and "Statement of Architecture Work" in page
    assert "Request and background" not in page  # no sections before the type is known
    page = coordinator.get("/contracts/new?type=business_stakeholders").text
    # The sections of that type, as textareas titled with the section titles.
    for title in ("Architecture adopters", "Service levels (SLA)", "Business metrics"):
        assert re.search(rf'<label class="form-label" for="f-section-\w+">{re.escape(title)}', page)
    assert "Request and background" not in page
    # Changing the type without JavaScript: a GET form with ?type=.
    assert re.search(r'<form method="get"[^>]*>.*?name="type"', page, re.S)
    soaw = coordinator.get("/contracts/new?type=soaw").text
    assert "Request and background" in soaw and "Architecture adopters" not in soaw


def test_only_editors_create_contracts(app, cast):
    viewer = client_for(app, cast.viewer)
    assert viewer.get("/contracts/new?type=soaw").status_code == 403
    assert "New contract" not in viewer.get("/contracts/").text


def test_create_contract(session, cast, coordinator):
    resp = send(coordinator, "/contracts/new", content_form(cast))
    assert resp.status_code == 302, text_of(resp.text)[-2000:]
    contract = session.exec(select(Contract)).one()
    assert resp.headers["Location"].endswith(f"/contracts/{contract.id}")
    version = contracts.get_version(session, contract)
    assert version.title == "Integration platform"
    assert version.principles == ["Reuse before buy", "Data is an asset"]
    assert version.risks == [
        {
            "description": "Skills gap",
            "likelihood": "high",
            "impact": "medium",
            "mitigation": "Training",
        },
        {"description": "Budget cut", "likelihood": "medium", "impact": "medium", "mitigation": ""},
    ]
    assert version.sections["vision_overview"] == "About *vision_overview*."
    assert version.counterparty_unit_id == cast.business_unit_id
    assert version.representative_id is None
    page = coordinator.get(resp.headers["Location"]).text
    assert f"Contract {contract.reference} created as a draft." in page


def test_create_with_problems_keeps_the_input_and_shows_field_messages(session, cast, coordinator):
    data = content_form(
        cast,
        title="ab",
        window_end=(date.today() - timedelta(days=1)).isoformat(),
        risks="Fine risk | low | low\nBad one | sometimes | high",
        **{"section-scope": "ignored"},
    )
    resp = send(coordinator, "/contracts/new", data)
    assert resp.status_code == 422
    html = resp.text
    assert 'value="ab"' in html  # the title as typed
    assert "Bad one | sometimes | high</textarea>" in html
    assert "About *vision_overview*.</textarea>" in html
    assert re.search(r'id="e-title">[^<]+', html)
    assert re.search(r'id="f-e-risks">Line 2 \(Bad one \| sometimes \| high\)', html)
    assert session.exec(select(Contract)).all() == []
    # The time window rule (across two fields) is shown next to the window end.
    resp = send(
        coordinator,
        "/contracts/new",
        content_form(cast, window_end=(date.today() - timedelta(days=1)).isoformat()),
    )
    assert resp.status_code == 422 and re.search(r'id="e-window_end">[^<]*window', resp.text)
    # A required choice left empty says so.
    resp = send(coordinator, "/contracts/new", content_form(cast, board_id=""))
    assert resp.status_code == 422
    assert 'id="e-board_id">This field is required.' in resp.text
    # A service rule: a party that does not exist.
    resp = send(coordinator, "/contracts/new", content_form(cast, sponsor_id="999999"))
    assert resp.status_code == 422 and 'id="e-sponsor_id"' in resp.text


def test_edit_draft_and_stale_edits(app, session, cast, coordinator):
    contract = make_contract(session, cast)
    url = f"/contracts/{contract.id}/edit"
    page = coordinator.get(url).text
    version = contracts.get_version(session, contract)
    assert f'name="version" value="{version.version}"' in page
    assert "Vendor lock-in | medium | high</textarea>" in page
    assert "Data is an asset</textarea>" in page
    form = content_form(cast, title="Customer data platform v2", version=str(version.version))
    form.pop("type"), form.pop("board_id")
    resp = send(coordinator, url, form)
    assert resp.status_code == 302
    session.refresh(version)
    assert version.title == "Customer data platform v2"
    assert version.standards == ["ISO 27001"]
    # Someone else saves meanwhile: the old version number is refused with 409.
    fields = {k: getattr(version, k) for k in VersionContent.model_fields}
    contracts.update_draft(
        session,
        cast.actor("lead"),
        contract.id,
        VersionContent(**(fields | {"title": "Their title"})),
        version.version,
    )
    stale = content_form(cast, title="My title", version=str(version.version - 1))
    resp = send(coordinator, url, stale)
    assert resp.status_code == 409
    assert 'value="My title"' in resp.text  # the input is kept
    assert "Someone else changed" in resp.text
    session.refresh(version)
    assert version.title == "Their title"
    assert f'name="version" value="{version.version}"' in resp.text  # saving again is possible


def test_editing_a_frozen_version_is_refused(app, session, cast, coordinator):
    contract = make_contract(session, cast)
    contracts.submit(session, cast.actor("coordinator"), contract.id)
    version = contracts.get_version(session, contract)
    assert coordinator.get(f"/contracts/{contract.id}/edit").status_code == 409
    form = content_form(cast, version=str(version.version))
    resp = send(coordinator, f"/contracts/{contract.id}/edit", form)
    assert resp.status_code == 409 and "in review" in resp.text
    assert 'value="Integration platform"' in resp.text


def test_deliverables_of_a_draft(app, session, cast, coordinator):
    contract = make_contract(session, cast, deliverables_count=0)
    url = f"/contracts/{contract.id}/deliverables/new"
    page = coordinator.get(url).text
    assert "A. Architecture Vision" in page and "Architecture Roadmap" in page
    due = (date.today() + timedelta(days=40)).isoformat()
    resp = send(coordinator, url, {"title": "Vi", "phase": "a_vision", "kind": "X", "due_date": ""})
    assert resp.status_code == 422
    assert (
        'value="Vi"' in resp.text and 'id="e-title"' in resp.text and 'id="e-due_date"' in resp.text
    )
    data = {
        "title": "Architecture Vision",
        "phase": "a_vision",
        "kind": "Architecture Vision",
        "owner_id": str(cast.person["lead"]),
        "due_date": due,
        "acceptance_criteria": "Accepted by the **board**.",
    }
    resp = send(coordinator, url, data)
    assert resp.status_code == 302
    item = session.exec(select(Deliverable)).one()
    assert item.owner_id == cast.person["lead"] and item.due_date.isoformat() == due
    page = coordinator.get(f"/contracts/{contract.id}").text
    assert "Architecture Vision" in page and "<strong>board</strong>" in page

    edit = f"/contracts/deliverables/{item.id}/edit"
    assert f'name="version" value="{item.version}"' in coordinator.get(edit).text
    resp = send(coordinator, edit, data | {"title": "Vision v2", "version": str(item.version)})
    assert resp.status_code == 302
    session.refresh(item)
    assert item.title == "Vision v2"
    resp = send(
        coordinator, edit, data | {"title": "Stale title", "version": str(item.version - 1)}
    )
    assert resp.status_code == 409 and 'value="Stale title"' in resp.text

    remove = f"/contracts/deliverables/{item.id}/remove"
    resp = send(coordinator, remove, {"version": str(item.version - 1)})
    assert resp.status_code == 409
    resp = send(coordinator, remove, {"version": str(item.version)})
    assert resp.status_code == 302
    assert session.exec(select(Deliverable)).all() == []


def test_deliverables_cannot_change_after_submission(app, session, cast, coordinator):
    contract = make_contract(session, cast)
    contracts.submit(session, cast.actor("coordinator"), contract.id)
    item = contracts.deliverables_of(session, contracts.get_version(session, contract).id)[0]
    data = {
        "title": "Another one",
        "phase": "a_vision",
        "kind": "Other",
        "due_date": date.today().isoformat(),
    }
    resp = send(coordinator, f"/contracts/{contract.id}/deliverables/new", data)
    assert resp.status_code == 409 and 'value="Another one"' in resp.text
    resp = send(coordinator, f"/contracts/deliverables/{item.id}/remove", {})
    assert resp.status_code == 409
    assert "Add deliverable" not in coordinator.get(f"/contracts/{contract.id}").text


def test_metrics_added_removed_and_measured(app, session, cast, coordinator):
    contract = make_contract(session, cast)
    resp = send(coordinator, f"/contracts/{contract.id}/metrics/new", {"name": "x", "target": ""})
    assert resp.status_code == 422 and 'value="x"' in resp.text
    resp = send(
        coordinator,
        f"/contracts/{contract.id}/metrics/new",
        {"name": "Lead time", "target": "30", "unit": "days"},
    )
    assert resp.status_code == 302
    metric = session.exec(select(ContractMetric).where(ContractMetric.name == "Lead time")).one()
    metric_id = metric.id
    # Measuring belongs to the active contract.
    resp = send(coordinator, f"/contracts/metrics/{metric.id}/measure", {"measured_value": "12"})
    assert resp.status_code == 409
    resp = send(coordinator, f"/contracts/metrics/{metric.id}/remove", {})
    assert resp.status_code == 302
    session.expire_all()
    assert session.exec(select(ContractMetric).where(ContractMetric.id == metric_id)).all() == []

    activate(session, cast, contract)
    other = contracts.metrics_of(session, contracts.get_version(session, contract).id)[0]
    resp = send(coordinator, f"/contracts/metrics/{other.id}/measure", {"measured_value": ""})
    assert resp.status_code == 422 and 'id="measure-' in resp.text
    resp = send(coordinator, f"/contracts/metrics/{other.id}/measure", {"measured_value": "64"})
    assert resp.status_code == 302
    page = text_of(coordinator.get(f"/contracts/{contract.id}").text)
    assert "64 %" in page
    resp = send(coordinator, f"/contracts/metrics/{other.id}/remove", {})
    assert resp.status_code == 409  # commitments of a signed version stay
    viewer = client_for(app, cast.viewer)
    assert (
        send(viewer, f"/contracts/metrics/{other.id}/measure", {"measured_value": "1"}).status_code
        == 403
    )


def test_add_deliverable_needs_an_editor(app, session, cast):
    contract = make_contract(session, cast)
    viewer = client_for(app, cast.viewer)
    assert viewer.get(f"/contracts/{contract.id}/deliverables/new").status_code == 403
    assert viewer.get(f"/contracts/{contract.id}/metrics/new").status_code == 403
    item = contracts.deliverables_of(session, contracts.get_version(session, contract).id)[0]
    assert viewer.get(f"/contracts/deliverables/{item.id}/edit").status_code == 403
    deliverables.update_deliverable(
        session,
        cast.actor("coordinator"),
        item.id,
        DeliverableIn(title="Renamed", phase="a_vision", kind="Other", due_date=item.due_date),
        None,
    )
