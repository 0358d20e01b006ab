"""Contracts: lifecycle transitions and refusals, signatures bound to the content hash,
immutability, amendments, visibility, deliverable progress and expiry."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from contract_factory import PASSWORD, activate, contract_data, make_cast, make_contract
from sqlmodel import select

from eagov.errors import Conflict, Forbidden, Invalid, NotFound
from eagov.models import AuditEvent, ContractStatus, Deliverable, VersionState
from eagov.permissions import SYSTEM
from eagov.schemas.contracts import (
    AmendIn,
    CloseIn,
    DeliverableIn,
    DeliverableProgress,
    MetricMeasure,
    SignIn,
    VersionContent,
)
from eagov.services import contracts, deliverables


@pytest.fixture
def cast(session):
    return make_cast(session)


def content_of(session, contract, **changes) -> VersionContent:
    version = contracts.get_version(session, contract)
    fields = {k: getattr(version, k) for k in VersionContent.model_fields}
    return VersionContent(**(fields | changes))


def test_reference_codes_count_per_year(session, cast):
    first = make_contract(session, cast)
    second = make_contract(session, cast)
    year = date.today().year
    assert first.reference == f"AC-{year}-0001"
    assert second.reference == f"AC-{year}-0002"


def test_only_editors_create_contracts(session, cast):
    with pytest.raises(Forbidden):
        contracts.create_contract(session, cast.actor("viewer"), contract_data(cast))


def test_unknown_sections_and_parties_are_refused(session, cast):
    data = contract_data(cast, sections={"no_such_section": "x"}, sponsor_id=99999)
    with pytest.raises(Invalid) as exc:
        contracts.create_contract(session, cast.actor("coordinator"), data)
    assert set(exc.value.errors) == {"sections", "sponsor_id"}


def test_rich_text_is_sanitised_on_the_way_in(session, cast):
    contract = make_contract(
        session, cast, sections={"request_background": "Hi <script>alert(1)</script><b>there</b>"}
    )
    version = contracts.get_version(session, contract)
    assert version.sections["request_background"] == "Hi there"


def test_incomplete_contract_cannot_be_submitted(session, cast):
    contract = make_contract(session, cast, deliverables_count=0, sections={})
    with pytest.raises(Invalid) as exc:
        contracts.submit(session, cast.actor("coordinator"), contract.id)
    assert {"sections", "deliverables"} <= set(exc.value.errors)
    actions = {
        a.name: a for a in contracts.available_actions(session, cast.actor("coordinator"), contract)
    }
    assert not actions["submit"].allowed and "Not complete" in actions["submit"].reason


def test_full_lifecycle_to_active_with_hash_bound_signatures(session, cast):
    contract = make_contract(session, cast)
    contracts.submit(session, cast.actor("coordinator"), contract.id)
    assert contract.status == ContractStatus.IN_REVIEW
    contracts.approve(session, cast.actor("chair"), contract.id)
    version = contracts.get_version(session, contract)
    assert version.state == VersionState.APPROVED and len(version.content_hash) == 64
    assert version.content_hash == contracts.hash_content(version.snapshot)

    contracts.sign(
        session, cast.actor("sponsor"), contract.id, SignIn(capacity="sponsor", password=PASSWORD)
    )
    assert contract.status == ContractStatus.APPROVED  # one signature is missing
    contracts.sign(
        session, cast.actor("chair"), contract.id, SignIn(capacity="board_chair", password=PASSWORD)
    )
    session.refresh(contract)
    assert contract.status == ContractStatus.ACTIVE and contract.effective_version == 1
    sigs = contracts.signatures_of(session, version.id)
    assert {s.capacity for s in sigs} == {"sponsor", "board_chair"}
    assert all(s.version_hash == version.content_hash for s in sigs)
    actions = [
        e.action
        for e in session.exec(select(AuditEvent).where(AuditEvent.entity_type == "contract"))
    ]
    assert actions == ["create", "submit", "approve", "sign", "sign", "activate"]


def test_each_transition_needs_the_right_role(session, cast):
    contract = make_contract(session, cast)
    with pytest.raises(Forbidden):
        contracts.submit(session, cast.actor("viewer"), contract.id)
    contracts.submit(session, cast.actor("coordinator"), contract.id)
    with pytest.raises(Forbidden):
        contracts.approve(session, cast.actor("coordinator"), contract.id)
    with pytest.raises(Forbidden):
        contracts.approve(session, cast.actor("lead"), contract.id)
    contracts.approve(session, cast.actor("chair"), contract.id)
    with pytest.raises(Forbidden):  # the chair cannot sign as sponsor
        contracts.sign(
            session, cast.actor("chair"), contract.id, SignIn(capacity="sponsor", password=PASSWORD)
        )
    with pytest.raises(Forbidden):
        contracts.terminate(
            session, cast.actor("sponsor"), contract.id, CloseIn(reason="Not wanted any more.")
        )


def test_signing_asks_for_the_password_again(session, cast):
    contract = make_contract(session, cast)
    contracts.submit(session, cast.actor("coordinator"), contract.id)
    contracts.approve(session, cast.actor("chair"), contract.id)
    with pytest.raises(Invalid) as exc:
        contracts.sign(
            session,
            cast.actor("sponsor"),
            contract.id,
            SignIn(capacity="sponsor", password="wrong"),
        )
    assert "password" in exc.value.errors
    contracts.sign(
        session, cast.actor("sponsor"), contract.id, SignIn(capacity="sponsor", password=PASSWORD)
    )
    with pytest.raises(Conflict):  # not twice
        contracts.sign(
            session,
            cast.actor("sponsor"),
            contract.id,
            SignIn(capacity="sponsor", password=PASSWORD),
        )


def test_design_contract_is_signed_by_partner_lead_and_chair(session, cast):
    contract = make_contract(session, cast, "design_development")
    contracts.submit(session, cast.actor("coordinator"), contract.id)
    contracts.approve(session, cast.actor("chair"), contract.id)
    slots = contracts.signatories(session, contract, contracts.get_version(session, contract))
    assert [s.capacity for s in slots] == [
        "partner_representative",
        "lead_architect",
        "board_chair",
    ]
    assert [s.person.id for s in slots] == [
        cast.person["partner"],
        cast.person["lead"],
        cast.person["chair"],
    ]


def test_approved_and_signed_versions_are_immutable(session, cast):
    contract = make_contract(session, cast)
    contracts.submit(session, cast.actor("coordinator"), contract.id)
    with pytest.raises(Conflict):  # in review: return it to draft first
        contracts.update_draft(
            session, cast.actor("coordinator"), contract.id, content_of(session, contract), None
        )
    contracts.approve(session, cast.actor("chair"), contract.id)
    with pytest.raises(Conflict, match="amendment"):
        contracts.update_draft(
            session,
            cast.actor("coordinator"),
            contract.id,
            content_of(session, contract, title="Changed"),
            None,
        )
    activate_rest(session, cast, contract)
    version = contracts.get_version(session, contract)
    item = contracts.deliverables_of(session, version.id)[0]
    with pytest.raises(Conflict):
        deliverables.update_deliverable(
            session,
            cast.actor("coordinator"),
            item.id,
            DeliverableIn(title="Sneaky", phase="a_vision", kind="Other", due_date=date.today()),
            None,
        )
    with pytest.raises(Conflict):
        deliverables.add_deliverable(
            session,
            cast.actor("coordinator"),
            contract.id,
            DeliverableIn(title="Extra", phase="a_vision", kind="Other", due_date=date.today()),
        )


def activate_rest(session, cast, contract):
    version = contracts.get_version(session, contract)
    for slot in contracts.signatories(session, contract, version):
        if slot.signature is None:
            signer = next(n for n, pid in cast.person.items() if pid == slot.person.id)
            contracts.sign(
                session,
                cast.actor(signer),
                contract.id,
                SignIn(capacity=slot.capacity, password=PASSWORD),
            )


def test_hash_changes_with_content_and_not_with_progress(session, cast):
    contract = make_contract(session, cast)
    version = contracts.get_version(session, contract)
    before = contracts.version_hash(session, contract, version)
    contracts.update_draft(
        session,
        cast.actor("coordinator"),
        contract.id,
        content_of(session, contract, title="Renamed platform"),
        version.version,
    )
    assert contracts.version_hash(session, contract, version) != before
    activate(session, cast, contract)
    signed_hash = version.content_hash
    item = contracts.deliverables_of(session, version.id)[0]
    deliverables.progress(
        session, cast.actor("lead"), item.id, DeliverableProgress(status="in_progress"), None
    )
    assert (
        contracts.hash_content(contracts.canonical_content(session, contract, version))
        == signed_hash
    )


def test_return_to_draft_needs_a_reason_and_reopens_editing(session, cast):
    contract = make_contract(session, cast)
    contracts.submit(session, cast.actor("coordinator"), contract.id)
    contracts.return_to_draft(
        session, cast.actor("chair"), contract.id, CloseIn(reason="Scope is unclear.")
    )
    assert contract.status == ContractStatus.DRAFT
    contracts.update_draft(
        session,
        cast.actor("coordinator"),
        contract.id,
        content_of(session, contract, title="Clearer scope"),
        None,
    )


def test_amendment_opens_a_new_version_and_keeps_the_signed_one(session, cast):
    contract = activate(session, cast, make_contract(session, cast))
    v1 = contracts.get_version(session, contract, 1)
    first = contracts.deliverables_of(session, v1.id)[0]
    deliverables.progress(
        session, cast.actor("lead"), first.id, DeliverableProgress(status="in_progress"), None
    )
    draft = contracts.amend(
        session,
        cast.actor("coordinator"),
        contract.id,
        AmendIn(change_summary="Add a data migration deliverable."),
    )
    assert draft.number == 2 and draft.state == VersionState.DRAFT
    assert contract.status == ContractStatus.ACTIVE and contract.effective_version == 1
    with pytest.raises(Conflict):  # one open amendment at a time
        contracts.amend(
            session,
            cast.actor("coordinator"),
            contract.id,
            AmendIn(change_summary="Another change."),
        )
    contracts.update_draft(
        session,
        cast.actor("coordinator"),
        contract.id,
        content_of(session, contract, title="Platform, amended"),
        None,
    )
    session.refresh(v1)
    assert v1.title == "Customer data platform" and v1.state == VersionState.SIGNED
    # progress made under v1 while v2 is drafted carries over when v2 is signed
    deliverables.progress(
        session, cast.actor("lead"), first.id, DeliverableProgress(status="submitted"), None
    )
    activate(session, cast, contract)
    session.refresh(v1)
    assert contract.effective_version == 2 and v1.state == VersionState.SUPERSEDED
    v2_items = contracts.deliverables_of(session, contracts.get_version(session, contract, 2).id)
    assert {d.lineage: d.status for d in v2_items}[first.lineage] == "submitted"


def test_deliverable_flow_and_who_accepts(session, cast):
    contract = activate(session, cast, make_contract(session, cast))
    version = contracts.get_version(session, contract)
    item = contracts.deliverables_of(session, version.id)[0]
    with pytest.raises(Conflict):  # planned cannot jump to accepted
        deliverables.progress(
            session, cast.actor("lead"), item.id, DeliverableProgress(status="accepted"), None
        )
    deliverables.progress(
        session, cast.actor("lead"), item.id, DeliverableProgress(status="in_progress"), None
    )
    deliverables.progress(
        session, cast.actor("lead"), item.id, DeliverableProgress(status="submitted"), None
    )
    with pytest.raises(Forbidden):
        deliverables.progress(
            session,
            cast.actor("coordinator"),
            item.id,
            DeliverableProgress(status="accepted"),
            None,
        )
    done = deliverables.progress(
        session, cast.actor("lead"), item.id, DeliverableProgress(status="accepted"), None
    )
    assert done.accepted_by_id == cast.lead.id and done.accepted_at is not None
    with pytest.raises(Conflict):
        deliverables.progress(
            session, cast.actor("lead"), item.id, DeliverableProgress(status="in_progress"), None
        )


def test_overdue_flag(session, cast):
    contract = make_contract(session, cast)
    item = contracts.deliverables_of(session, contracts.get_version(session, contract).id)[0]
    assert not deliverables.is_overdue(item, date.today())
    assert deliverables.is_overdue(item, item.due_date + timedelta(days=1))


def test_completion_needs_every_deliverable_done(session, cast):
    contract = activate(session, cast, make_contract(session, cast, deliverables_count=1))
    with pytest.raises(Conflict, match="neither accepted nor waived"):
        contracts.complete(
            session, cast.actor("chair"), contract.id, CloseIn(reason="All work delivered.")
        )
    item = contracts.deliverables_of(session, contracts.get_version(session, contract).id)[0]
    deliverables.progress(
        session,
        cast.actor("chair"),
        item.id,
        DeliverableProgress(status="waived", note="Out of scope"),
        None,
    )
    contracts.complete(
        session, cast.actor("chair"), contract.id, CloseIn(reason="All work delivered.")
    )
    assert contract.status == ContractStatus.COMPLETED


def test_termination_records_who_when_why_and_freezes(session, cast):
    contract = activate(session, cast, make_contract(session, cast))
    contracts.terminate(
        session, cast.actor("chair"), contract.id, CloseIn(reason="The programme was cancelled.")
    )
    assert contract.status == ContractStatus.TERMINATED
    assert contract.closed_by_id == cast.chair.id and contract.closed_at is not None
    assert contract.close_reason == "The programme was cancelled."
    with pytest.raises(Conflict):
        contracts.amend(
            session, cast.actor("coordinator"), contract.id, AmendIn(change_summary="Too late now.")
        )


def test_expiry_after_the_time_window(session, cast):
    contract = activate(session, cast, make_contract(session, cast))
    end = contracts.get_version(session, contract).window_end
    assert contracts.expire_due(session, SYSTEM, end) == []
    assert contracts.expire_due(session, SYSTEM, end + timedelta(days=1)) == [contract.reference]
    session.refresh(contract)
    assert contract.status == ContractStatus.EXPIRED


def test_sponsors_and_contributors_see_only_their_contracts(session, cast):
    contract = make_contract(session, cast)
    assert contracts.get_contract(session, cast.actor("sponsor"), contract.id).id == contract.id
    assert contracts.get_contract(session, cast.actor("viewer"), contract.id).id == contract.id
    with pytest.raises(NotFound):
        contracts.get_contract(session, cast.actor("outsider"), contract.id)


def test_metric_measured_while_active(session, cast):
    contract = make_contract(session, cast)
    metric = contracts.metrics_of(session, contracts.get_version(session, contract).id)[0]
    with pytest.raises(Conflict):
        deliverables.measure(
            session, cast.actor("coordinator"), metric.id, MetricMeasure(measured_value="10")
        )
    activate(session, cast, contract)
    measured = deliverables.measure(
        session, cast.actor("coordinator"), metric.id, MetricMeasure(measured_value="42")
    )
    assert measured.measured_value == "42" and measured.measured_at is not None


def test_deliverables_list_filters(session, cast):
    make_contract(session, cast, deliverables_count=3)
    rows = session.exec(
        deliverables.deliverables_query(
            session, cast.actor("viewer"), deliverables.DeliverableFilter()
        )
    ).all()
    assert len(rows) == 3
    soon = deliverables.DeliverableFilter(due_to=date.today() + timedelta(days=30))
    assert (
        len(
            session.exec(deliverables.deliverables_query(session, cast.actor("viewer"), soon)).all()
        )
        == 1
    )
    mine = deliverables.DeliverableFilter(owner_id=cast.person["sponsor"])
    assert (
        session.exec(deliverables.deliverables_query(session, cast.actor("viewer"), mine)).all()
        == []
    )
    assert session.exec(select(Deliverable)).all()


def test_cli_expires_contracts_past_their_window(app, session, cast):
    contract = activate(
        session,
        cast,
        make_contract(
            session,
            cast,
            window_start=date.today() - timedelta(days=40),
            window_end=date.today() - timedelta(days=1),
        ),
    )
    result = app.test_cli_runner().invoke(args=["contracts", "expire-due"])
    assert result.exit_code == 0 and contract.reference in result.output
    session.refresh(contract)
    assert contract.status == ContractStatus.EXPIRED


@pytest.mark.parametrize("state", ["draft", "approved"])
def test_what_the_page_read_gives_the_same_answers_as_reading_again(session, cast, state):
    """contract_detail hands the services what it read (VersionParts): the hash of the draft,
    what is missing, the signatories and the actions must be those of a fresh read."""
    from eagov.services.contract_queries import contract_detail

    contract = make_contract(session, cast)
    if state == "approved":
        contracts.submit(session, cast.actor("coordinator"), contract.id)
        contracts.approve(session, cast.actor("chair"), contract.id)
    actor = cast.actor("chair")
    d = contract_detail(session, actor, contract.id)
    v = d.version
    assert contracts.version_hash(session, contract, v, d.parts) == contracts.hash_content(
        contracts.canonical_content(session, contract, v)
    )
    assert contracts.completeness(session, contract, v, d.parts) == contracts.completeness(
        session, contract, v
    )
    assert [
        (s.capacity, s.person and s.person.id, s.signature)
        for s in contracts.signatories(session, contract, v, d.parts)
    ] == [
        (s.capacity, s.person and s.person.id, s.signature)
        for s in contracts.signatories(session, contract, v)
    ]
    with_parts = contracts.available_actions(session, actor, contract, d.latest, d.parts)
    assert with_parts == contracts.available_actions(session, actor, contract)
    if state == "approved":  # the chair signs in person: "mine" without looking the person up
        assert any(a.name == "sign:board_chair" and a.allowed for a in with_parts)
