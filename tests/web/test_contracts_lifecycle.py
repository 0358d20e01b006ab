"""Every lifecycle transition through the pages, and every refusal: the page says why, keeps
what was typed and answers with the status of the problem (403, 409, 422)."""

from __future__ import annotations

import pytest
from contract_factory import PASSWORD, activate, make_cast, make_contract
from sqlmodel import select
from test_contracts_support import client_for, send, text_of

from eagov.models import ContractStatus, ContractVersion, VersionState
from eagov.schemas.contracts import DeliverableProgress
from eagov.services import contracts, deliverables


@pytest.fixture
def cast(session):
    return make_cast(session)


@pytest.fixture
def clients(app, cast):
    made = {}

    def get(name):
        if name not in made:
            made[name] = client_for(app, getattr(cast, name))
        return made[name]

    return get


def status_of(session, contract):
    session.expire_all()
    session.refresh(contract)
    return contract.status


def test_submit_approve_sign_to_active(session, cast, clients):
    contract = make_contract(session, cast)
    url = f"/contracts/{contract.id}"
    resp = send(clients("coordinator"), f"{url}/submit")
    assert resp.status_code == 302 and resp.headers["Location"].endswith(url)
    assert status_of(session, contract) == ContractStatus.IN_REVIEW
    page = clients("coordinator").get(url).text
    assert "Submitted for review by the Architecture Board." in page
    assert 'aria-current="step" data-step="in_review"' in page

    resp = send(clients("chair"), f"{url}/approve")
    assert resp.status_code == 302
    assert status_of(session, contract) == ContractStatus.APPROVED
    version = contracts.get_version(session, contract)
    assert version.state == VersionState.APPROVED and version.content_hash

    # The sponsor sees a sign form for their capacity only, with the frozen hash.
    page = clients("sponsor").get(url).text
    assert 'id="sign"' in page and version.content_hash in page
    assert '<option value="sponsor"' in page and '<option value="board_chair"' not in page
    resp = send(clients("sponsor"), f"{url}/sign", {"capacity": "sponsor", "password": PASSWORD})
    assert resp.status_code == 302
    assert status_of(session, contract) == ContractStatus.APPROVED  # the chair has not signed
    resp = send(clients("chair"), f"{url}/sign", {"capacity": "board_chair", "password": PASSWORD})
    assert resp.status_code == 302
    assert status_of(session, contract) == ContractStatus.ACTIVE
    page = clients("viewer").get(url).text
    assert page.count('badge text-bg-success">signed<') == 2
    assert 'data-status="active"' in page and "Version in force" in page


def test_incomplete_draft_cannot_be_submitted_and_the_page_says_why(session, cast, clients):
    contract = make_contract(session, cast, deliverables_count=0, sections={})
    url = f"/contracts/{contract.id}"
    page = clients("coordinator").get(url).text
    # The button is there, disabled, with the reason.
    assert 'data-refused="submit"' in page and "Not complete yet" in page
    resp = send(clients("coordinator"), f"{url}/submit")
    assert resp.status_code == 422
    text = text_of(resp.text)
    assert "The contract is not complete yet." in text
    assert "Add at least one deliverable." in text and "Fill in every section" in text
    assert status_of(session, contract) == ContractStatus.DRAFT


def test_roles_are_checked_and_the_refusal_is_shown(session, cast, clients):
    contract = make_contract(session, cast)
    url = f"/contracts/{contract.id}"
    page = clients("viewer").get(url).text
    assert 'data-refused="edit"' in page and "Your roles do not allow this." in page
    resp = send(clients("viewer"), f"{url}/submit")
    assert resp.status_code == 403
    assert "Your roles do not allow this" in resp.text
    contracts.submit(session, cast.actor("coordinator"), contract.id)
    resp = send(clients("coordinator"), f"{url}/approve")  # only the chair approves
    assert resp.status_code == 403
    assert status_of(session, contract) == ContractStatus.IN_REVIEW


def test_return_to_draft_needs_a_reason(session, cast, clients):
    contract = make_contract(session, cast)
    url = f"/contracts/{contract.id}"
    contracts.submit(session, cast.actor("coordinator"), contract.id)
    resp = send(clients("chair"), f"{url}/return", {"reason": "Too short"})
    assert resp.status_code == 422
    assert ">Too short</textarea>" in resp.text  # what was typed is kept
    assert "at least 10 characters" in resp.text
    assert 'id="action-error-return_to_draft"' in resp.text
    resp = send(clients("chair"), f"{url}/return", {"reason": "Scope section is unclear."})
    assert resp.status_code == 302
    assert status_of(session, contract) == ContractStatus.DRAFT
    # Returning again is a conflict: the version is no longer in review.
    resp = send(clients("chair"), f"{url}/return", {"reason": "Scope section is unclear."})
    assert resp.status_code == 409
    assert "Only a version in review can be returned to draft." in resp.text


def test_approving_twice_is_a_conflict(session, cast, clients):
    contract = make_contract(session, cast)
    contracts.submit(session, cast.actor("coordinator"), contract.id)
    url = f"/contracts/{contract.id}"
    assert send(clients("chair"), f"{url}/approve").status_code == 302
    resp = send(clients("chair"), f"{url}/approve")
    assert resp.status_code == 409
    assert "Only a version in review can be approved." in resp.text


def test_signing_refusals(session, cast, clients):
    contract = make_contract(session, cast)
    url = f"/contracts/{contract.id}"
    # Nothing to sign before approval.
    resp = send(clients("sponsor"), f"{url}/sign", {"capacity": "sponsor", "password": PASSWORD})
    assert resp.status_code == 409 and "only an approved version is signed" in resp.text
    contracts.submit(session, cast.actor("coordinator"), contract.id)
    contracts.approve(session, cast.actor("chair"), contract.id)
    # A wrong password: 422, the message next to the password, the capacity kept.
    resp = send(clients("sponsor"), f"{url}/sign", {"capacity": "sponsor", "password": "nope"})
    assert resp.status_code == 422
    assert "The password is not correct." in resp.text
    assert '<option value="sponsor" selected>' in resp.text
    # Someone else cannot sign in the sponsor's place.
    resp = send(clients("lead"), f"{url}/sign", {"capacity": "sponsor", "password": PASSWORD})
    assert resp.status_code == 403
    assert "can sign in that capacity" in text_of(resp.text)
    # An unknown capacity is a field problem.
    resp = send(clients("sponsor"), f"{url}/sign", {"capacity": "emperor", "password": PASSWORD})
    assert resp.status_code == 422
    assert (
        send(
            clients("sponsor"), f"{url}/sign", {"capacity": "sponsor", "password": PASSWORD}
        ).status_code
        == 302
    )
    resp = send(clients("sponsor"), f"{url}/sign", {"capacity": "sponsor", "password": PASSWORD})
    assert resp.status_code == 409 and "already signed" in resp.text.lower()
    page = clients("sponsor").get(url).text
    assert 'id="sign"' not in page  # nothing left for the sponsor to sign


def test_amend_opens_a_new_draft_version(session, cast, clients):
    contract = activate(session, cast, make_contract(session, cast))
    url = f"/contracts/{contract.id}"
    resp = send(clients("coordinator"), f"{url}/amend", {"change_summary": "Short"})
    assert resp.status_code == 422 and ">Short</textarea>" in resp.text
    resp = send(
        clients("coordinator"), f"{url}/amend", {"change_summary": "Add the payments domain."}
    )
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"{url}?v=2")
    page = clients("coordinator").get(url + "?v=2").text
    assert "Version 2 opened as a draft amendment." in page
    assert "Add the payments domain." in page
    assert "Version 1 is the one in force" in text_of(page)
    # The contract stays active on version 1 while the amendment is a draft.
    assert status_of(session, contract) == ContractStatus.ACTIVE
    assert contract.effective_version == 1 and contract.latest_version == 2
    resp = send(
        clients("coordinator"), f"{url}/amend", {"change_summary": "Another change entirely."}
    )
    assert resp.status_code == 409 and "already open as an amendment" in resp.text
    # The draft amendment goes through the same steps; signing it supersedes version 1.
    assert send(clients("coordinator"), f"{url}/submit").status_code == 302
    assert send(clients("chair"), f"{url}/approve").status_code == 302
    for name, capacity in (("sponsor", "sponsor"), ("chair", "board_chair")):
        resp = send(clients(name), f"{url}/sign", {"capacity": capacity, "password": PASSWORD})
        assert resp.status_code == 302
    session.expire_all()
    states = dict(
        session.exec(
            select(ContractVersion.number, ContractVersion.state).where(
                ContractVersion.contract_id == contract.id
            )
        ).all()
    )
    assert states == {1: "superseded", 2: "signed"}


def test_complete_needs_every_deliverable_done(session, cast, clients):
    contract = activate(session, cast, make_contract(session, cast, deliverables_count=1))
    url = f"/contracts/{contract.id}"
    resp = send(clients("chair"), f"{url}/complete", {"reason": "All the work is delivered."})
    assert resp.status_code == 409
    assert "neither accepted nor waived" in resp.text
    assert "All the work is delivered.</textarea>" in resp.text
    item = contracts.deliverables_of(session, contracts.get_version(session, contract).id)[0]
    deliverables.progress(
        session, cast.actor("chair"), item.id, DeliverableProgress(status="waived"), None
    )
    resp = send(clients("coordinator"), f"{url}/complete", {"reason": "All the work is done."})
    assert resp.status_code == 403
    resp = send(clients("chair"), f"{url}/complete", {"reason": "All the work is delivered."})
    assert resp.status_code == 302
    assert status_of(session, contract) == ContractStatus.COMPLETED
    page = text_of(clients("viewer").get(url).text)
    assert "All the work is delivered." in page and "Completed on" in page


def test_terminate_with_reason(session, cast, clients):
    contract = activate(session, cast, make_contract(session, cast))
    url = f"/contracts/{contract.id}"
    assert send(clients("coordinator"), f"{url}/terminate", {"reason": "x" * 12}).status_code == 403
    resp = send(clients("chair"), f"{url}/terminate", {"reason": "No"})
    assert resp.status_code == 422
    resp = send(clients("chair"), f"{url}/terminate", {"reason": "The programme was cancelled."})
    assert resp.status_code == 302
    assert status_of(session, contract) == ContractStatus.TERMINATED
    resp = send(clients("chair"), f"{url}/terminate", {"reason": "The programme was cancelled."})
    assert resp.status_code == 409 and "already terminated" in resp.text.lower()
    page = clients("viewer").get(url).text
    assert 'aria-current="step" data-step="terminated"' in page


def test_posts_need_the_csrf_token(session, cast, clients):
    contract = make_contract(session, cast)
    resp = clients("coordinator").post(f"/contracts/{contract.id}/submit")
    assert resp.status_code == 400
    assert status_of(session, contract) == ContractStatus.DRAFT
