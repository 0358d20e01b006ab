"""Architecture contracts: the register, versions and their content, the lifecycle (submit,
return, approve, sign, amend, complete, terminate) and the Word document of a version."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Literal

from flask import Response, request, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from pydantic import Field
from sqlalchemy import and_, func, or_
from sqlmodel import Session, col, select

from ..auth import current_actor
from ..db import get_session
from ..errors import Conflict, Invalid
from ..labels import label
from ..models import (
    Contract,
    ContractStatus,
    ContractType,
    ContractVersion,
    utcnow,
)
from ..permissions import Actor, require
from ..schemas.api_read import (
    ActionRead,
    ContractDetail,
    ContractRead,
    ContractVersionDetail,
    ContractVersionRead,
    DocumentCheckRead,
    Page,
    RiskRead,
    SignatoryRead,
    SignatureRead,
)
from ..schemas.common import Schema
from ..schemas.contracts import AmendIn, CloseIn, ContractCreate, SignIn, VersionContent
from ..services import contracts as svc
from . import bp
from .deliverables import deliverable_read, metric_read
from .listing import Id, ListQuery, Search, page_of, sort_by
from .responses import attachment, read_from, respond, respond_page
from .spec import endpoint

TAG = "Contracts"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


# --- reading -----------------------------------------------------------------------------------


def _current_version_join() -> Any:
    """Join condition: the version in force, or the newest before any is in force."""
    return and_(
        col(ContractVersion.contract_id) == Contract.id,
        col(ContractVersion.number)
        == func.coalesce(Contract.effective_version, Contract.latest_version),
    )


def contract_read(contract: Contract, headline: ContractVersion) -> ContractRead:
    return read_from(
        ContractRead,
        contract,
        title=headline.title,
        sponsor_id=headline.sponsor_id,
        window_start=headline.window_start,
        window_end=headline.window_end,
    )


def version_read(version: ContractVersion) -> ContractVersionRead:
    return read_from(ContractVersionRead, version)


def contract_detail(session: Session, actor: Actor, contract: Contract) -> ContractDetail:
    latest = svc.get_version(session, contract)
    in_force = None
    if contract.effective_version is not None:
        in_force = (
            latest
            if contract.effective_version == latest.number
            else svc.get_version(session, contract, contract.effective_version)
        )
    signatories = [
        SignatoryRead(
            capacity=slot.capacity,
            person_id=slot.person.id if slot.person else None,
            person_name=slot.person.name if slot.person else None,
            signature=read_from(SignatureRead, slot.signature) if slot.signature else None,
        )
        for slot in svc.signatories(session, contract, latest)
    ]
    base = contract_read(contract, in_force or latest)
    return ContractDetail(
        **base.model_dump(),
        latest=version_read(latest),
        in_force=version_read(in_force) if in_force else None,
        actions=[
            ActionRead(name=a.name, allowed=a.allowed, reason=str(a.reason))
            for a in svc.available_actions(session, actor, contract, latest)
        ],
        signatories=signatories,
    )


def _detail_of(contract_id: int) -> ContractDetail:
    session, actor = get_session(), current_actor()
    return contract_detail(session, actor, svc.get_contract(session, actor, contract_id))


def version_detail(
    session: Session, contract: Contract, version: ContractVersion
) -> ContractVersionDetail:
    assert version.id is not None
    today = utcnow().date()
    return read_from(
        ContractVersionDetail,
        version,
        content_hash=svc.version_hash(session, contract, version),
        hash_frozen=version.content_hash is not None,
        risks=[RiskRead.model_validate(r) for r in version.risks],
        deliverables=[
            deliverable_read(d, contract, version.number, today)
            for d in svc.deliverables_of(session, version.id)
        ],
        metrics=[metric_read(m, contract) for m in svc.metrics_of(session, version.id)],
        signatures=[read_from(SignatureRead, s) for s in svc.signatures_of(session, version.id)],
    )


# --- the register --------------------------------------------------------------------------------

# sort key -> columns; references sort by year and number (AC-2025-10000 after -9999).
_SORT_COLUMNS: dict[str, list[Any]] = {
    "reference": [col(Contract.year), col(Contract.number)],
    "title": [func.lower(col(ContractVersion.title))],
    "status": [col(Contract.status)],
    "type": [col(Contract.type)],
    "window_end": [col(ContractVersion.window_end)],
    "created_at": [col(Contract.created_at)],
    "id": [col(Contract.id)],
}


class ContractQuery(ListQuery):
    type: ContractType | None = Field(default=None, description="Only contracts of this type.")
    status: ContractStatus | None = Field(default=None, description="Only in this status.")
    board_id: Id | None = Field(default=None, description="Only contracts governed by this board.")
    sponsor_id: Id | None = Field(
        default=None, description="Only contracts this person sponsors (in the current version)."
    )
    unit_id: Id | None = Field(
        default=None,
        description="Only contracts with this unit as architecture or counterparty unit.",
    )
    expiring_within_days: int | None = Field(
        default=None,
        ge=0,
        le=3660,
        description="Only active contracts whose time window ends within this many days "
        "(0: today).",
    )
    q: Search = Field(default=None, description="Searches the title and the reference.")
    sort: str = sort_by(*_SORT_COLUMNS, default="reference")


@endpoint(
    bp,
    "/contracts",
    summary="List contracts",
    tag=TAG,
    query=ContractQuery,
    response=Page[ContractRead],
)
def list_contracts(query: ContractQuery) -> Response:
    """Only the contracts you may see: sponsors and contributors see those they take part
    in. Title, sponsor, units and window are those of the version in force, or of the newest
    version before any is in force."""
    session = get_session()
    stmt = select(Contract, ContractVersion).join(ContractVersion, _current_version_join())
    where = svc.visible_filter(session, current_actor())
    if where is not None:
        stmt = stmt.where(where)
    if query.type:
        stmt = stmt.where(Contract.type == query.type)
    if query.status:
        stmt = stmt.where(Contract.status == query.status)
    if query.board_id is not None:
        stmt = stmt.where(Contract.board_id == query.board_id)
    if query.sponsor_id is not None:
        stmt = stmt.where(ContractVersion.sponsor_id == query.sponsor_id)
    if query.unit_id is not None:
        stmt = stmt.where(
            or_(
                col(ContractVersion.architecture_unit_id) == query.unit_id,
                col(ContractVersion.counterparty_unit_id) == query.unit_id,
            )
        )
    if query.expiring_within_days is not None:
        today = utcnow().date()
        stmt = stmt.where(
            Contract.status == ContractStatus.ACTIVE,
            col(ContractVersion.window_end) >= today,
            col(ContractVersion.window_end) <= today + timedelta(days=query.expiring_within_days),
        )
    if query.q:
        stmt = stmt.where(
            or_(
                col(ContractVersion.title).icontains(query.q, autoescape=True),
                col(Contract.reference).icontains(query.q, autoescape=True),
            )
        )
    descending = query.sort.startswith("-")
    for column in _SORT_COLUMNS[query.sort.lstrip("-")]:
        stmt = stmt.order_by(column.desc() if descending else column.asc())
    if query.sort.lstrip("-") != "id":
        stmt = stmt.order_by(col(Contract.id).asc())
    page: Any = page_of(session, stmt, query)  # type: ignore[arg-type]  # rows, not scalars
    return respond_page(page, lambda row: contract_read(row[0], row[1]))


@endpoint(
    bp,
    "/contracts",
    method="POST",
    summary="Create a contract",
    tag=TAG,
    body=ContractCreate,
    response=ContractDetail,
    status=201,
)
def create_contract(body: ContractCreate) -> Response:
    """Creates the contract with its first version as a draft; the reference (AC-<year>-<n>)
    is given by eagov. sections takes the keys of the contract type (see the user guide)."""
    session, actor = get_session(), current_actor()
    contract = svc.create_contract(session, actor, body)
    location = url_for(".get_contract", contract_id=contract.id)
    return respond(contract_detail(session, actor, contract), 201, location)


@endpoint(
    bp,
    "/contracts/<id:contract_id>",
    summary="Get a contract",
    tag=TAG,
    response=ContractDetail,
)
def get_contract(contract_id: int) -> Response:
    """With the newest version and the one in force, what you may do now (and why not), and
    the signatures. 404 also when you may not see the contract."""
    return respond(_detail_of(contract_id))


# --- versions ----------------------------------------------------------------------------------


class VersionQuery(ListQuery):
    sort: str = sort_by("number", default="number")


@endpoint(
    bp,
    "/contracts/<id:contract_id>/versions",
    summary="List a contract's versions",
    tag=TAG,
    query=VersionQuery,
    response=Page[ContractVersionRead],
)
def list_contract_versions(contract_id: int, query: VersionQuery) -> Response:
    session = get_session()
    contract = svc.get_contract(session, current_actor(), contract_id)
    column = col(ContractVersion.number)
    stmt = (
        select(ContractVersion)
        .where(ContractVersion.contract_id == contract.id)
        .order_by(column.desc() if query.sort.startswith("-") else column.asc())
    )
    return respond_page(page_of(session, stmt, query), version_read)


@endpoint(
    bp,
    "/contracts/<id:contract_id>/versions/<id:number>",
    summary="Get a version with its content",
    tag=TAG,
    response=ContractVersionDetail,
)
def get_contract_version(contract_id: int, number: int) -> Response:
    """Sections, lists, deliverables, metrics, signatures and the content hash. The ETag is
    the version's own (send it back to change the draft)."""
    session = get_session()
    contract = svc.get_contract(session, current_actor(), contract_id)
    version = svc.get_version(session, contract, number)
    return respond(version_detail(session, contract, version))


@endpoint(
    bp,
    "/contracts/<id:contract_id>/versions/<id:number>",
    method="PUT",
    summary="Replace the content of the draft",
    tag=TAG,
    body=VersionContent,
    response=ContractVersionDetail,
    if_match=True,
)
def update_contract_version(
    contract_id: int, number: int, body: VersionContent, version: int
) -> Response:
    """Only the newest version, while it is a draft. An approved, signed or superseded
    version never changes (409): amend the contract to change it. A version in review is
    returned to draft first."""
    session, actor = get_session(), current_actor()
    contract = svc.get_contract(session, actor, contract_id)
    target = svc.get_version(session, contract, number)
    if target.number != contract.latest_version:
        require(actor, "contracts.edit")
        raise Conflict(
            _l(
                "Version %(number)s of %(reference)s is %(state)s and cannot be changed; only "
                "the newest version, while it is a draft, can.",
                number=target.number,
                reference=contract.reference,
                state=label(target.state),
            )
        )
    updated = svc.update_draft(session, actor, contract_id, body, version)
    return respond(version_detail(session, contract, updated))


class DocumentQuery(Schema):
    locale: Literal["en", "zh_Hans"] | None = Field(
        default=None,
        description="Language of the document; default: from Accept-Language (English "
        "when absent).",
    )


@endpoint(
    bp,
    "/contracts/<id:contract_id>/versions/<id:number>/document",
    summary="Download the Word document of a version",
    tag=TAG,
    query=DocumentQuery,
    produces=DOCX,
)
def get_contract_document(contract_id: int, number: int, query: DocumentQuery) -> Response:
    """The contract as a .docx file. An approved or signed version is built from the content
    frozen at approval."""
    from ..documents.contract_docx import build_contract_docx

    session = get_session()
    contract = svc.get_contract(session, current_actor(), contract_id)
    version = svc.get_version(session, contract, number)
    locale = query.locale or str(get_locale() or "en")
    data = build_contract_docx(session, contract, version, locale=locale)
    return attachment(data, DOCX, f"{contract.reference}-v{version.number}.docx")


class DocumentUpload(Schema):
    """The document, as the part named ``file`` of a multipart/form-data body."""

    file: bytes = Field(description="A contract document (.docx) made by eagov.")


@endpoint(
    bp,
    "/contracts/verify-document",
    method="POST",
    summary="Check a contract document",
    tag=TAG,
    form=DocumentUpload,
    response=DocumentCheckRead,
)
def verify_contract_document() -> Response:
    """Is a Word document made by eagov unaltered, and is its version signed? The text is
    compared with a document freshly built from the database for the version it names.
    422 when the file is not such a document, or names a contract you may not see."""
    from ..services.contract_documents import verify_docx

    upload = request.files.get("file")
    if upload is None:
        raise Invalid(errors={"file": _l("Send the file as the form part named file.")})
    check = verify_docx(get_session(), current_actor(), upload.stream.read())
    return respond(
        DocumentCheckRead(
            matches=check.matches,
            signed=check.signed,
            reasons=[str(r) for r in check.reasons],
            notes=[str(n) for n in check.notes],
            reference=check.reference,
            contract_id=check.contract_id,
            version_number=check.version,
            state=check.state,
            title=check.title,
            locale=check.locale,
            document_hash=check.document_hash,
            version_hash=check.version_hash,
            signers=[str(s) for s in check.signers],
            signature_hashes_match=check.signature_hashes_match,
            generated_at=check.generated_at,
        )
    )


# --- the lifecycle -----------------------------------------------------------------------------


class NoInput(Schema):
    """Nothing to say: send an empty object, {}."""


def _transition(
    summary: str, action: str, body: type[Schema], description: str
) -> Any:  # the decorator
    return endpoint(
        bp,
        f"/contracts/<id:contract_id>/{action}",
        method="POST",
        summary=summary,
        tag=TAG,
        body=body,
        response=ContractDetail,
        description=description,
    )


@_transition(
    "Submit the draft for review",
    "submit",
    NoInput,
    "Only a complete draft (every section, at least one deliverable, the parties who sign): "
    "otherwise 422 with what is missing. Send {}.",
)
def submit_contract(contract_id: int, body: NoInput) -> Response:
    svc.submit(get_session(), current_actor(), contract_id)
    return respond(_detail_of(contract_id))


@_transition(
    "Return the version in review to draft",
    "return-to-draft",
    CloseIn,
    "The board sends the version back for changes; reason says why (at least 10 characters).",
)
def return_contract_to_draft(contract_id: int, body: CloseIn) -> Response:
    svc.return_to_draft(get_session(), current_actor(), contract_id, body)
    return respond(_detail_of(contract_id))


@_transition(
    "Approve the version in review",
    "approve",
    NoInput,
    "The board chair approves: the content is frozen and its hash fixed, ready for the "
    "signatures. Send {}.",
)
def approve_contract(contract_id: int, body: NoInput) -> Response:
    svc.approve(get_session(), current_actor(), contract_id)
    return respond(_detail_of(contract_id))


@_transition(
    "Sign the approved version",
    "sign",
    SignIn,
    "Sign in one capacity, as the person named for it, confirming with your password "
    "(422 when it is wrong). The last signature makes the version the one in force and the "
    "contract active.",
)
def sign_contract(contract_id: int, body: SignIn) -> Response:
    svc.sign(get_session(), current_actor(), contract_id, body)
    return respond(_detail_of(contract_id))


@_transition(
    "Amend the active contract",
    "amend",
    AmendIn,
    "Opens a new draft version copied from the one in force, which stays in force until the "
    "amendment is signed; change_summary says what changes and why.",
)
def amend_contract(contract_id: int, body: AmendIn) -> Response:
    svc.amend(get_session(), current_actor(), contract_id, body)
    return respond(_detail_of(contract_id))


@_transition(
    "Complete the active contract",
    "complete",
    CloseIn,
    "Only when every deliverable of the version in force is accepted or waived (409 "
    "otherwise); reason is kept with the contract.",
)
def complete_contract(contract_id: int, body: CloseIn) -> Response:
    svc.complete(get_session(), current_actor(), contract_id, body)
    return respond(_detail_of(contract_id))


@_transition(
    "Terminate the contract",
    "terminate",
    CloseIn,
    "Ends the contract early, at any stage before it is closed; reason is kept with it.",
)
def terminate_contract(contract_id: int, body: CloseIn) -> Response:
    svc.terminate(get_session(), current_actor(), contract_id, body)
    return respond(_detail_of(contract_id))
