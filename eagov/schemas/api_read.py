"""What the JSON API returns: one Read model per resource, the list envelope, the problem."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any, Generic, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from ..conformance import Level
from ..models import (
    AdmPhase,
    ArchitectureRole,
    BoardLevel,
    BoardRole,
    Capacity,
    Checkpoint,
    ContractStatus,
    ContractType,
    DeliverableStatus,
    DispensationState,
    FindingStatus,
    ReviewDecision,
    ReviewRole,
    ReviewState,
    UnitKind,
    VersionState,
)
from .accounts import TokenRead, UserRead

T = TypeVar("T")


def _utc(value: datetime) -> datetime:
    # SQLite hands timestamps back naive; everything stored is UTC, so say so in the output.
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


UtcDateTime = Annotated[datetime, AfterValidator(_utc)]


class ReadModel(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class OrgUnitRead(ReadModel):
    id: int
    name: str
    code: str | None
    kind: UnitKind
    parent_id: int | None
    description: str
    created_at: UtcDateTime
    updated_at: UtcDateTime
    version: int


class OrgLinkRead(ReadModel):
    id: int
    from_unit_id: int
    to_unit_id: int
    note: str


class PersonRead(ReadModel):
    id: int
    name: str
    email: str
    phone: str
    org_unit_id: int | None
    user_id: int | None
    created_at: UtcDateTime
    version: int


class PositionRead(ReadModel):
    id: int
    title: str
    org_unit_id: int
    reports_to_id: int | None
    holder_id: int | None
    architecture_role: ArchitectureRole | None
    duties: str
    requirements: str
    performance_criteria: str
    version: int


class BoardRead(ReadModel):
    id: int
    name: str
    level: BoardLevel
    parent_board_id: int | None
    org_unit_id: int | None
    quorum: int
    description: str
    version: int


class BoardMemberRead(ReadModel):
    id: int
    board_id: int
    person_id: int
    role: BoardRole
    term_start: date
    term_end: date | None


class AuditEventRead(ReadModel):
    seq: int
    at: UtcDateTime
    actor_id: int | None
    actor_label: str
    action: str
    entity_type: str
    entity_id: str
    changes: dict[str, Any]
    prev_hash: str
    hash: str


class UserCreated(UserRead):
    invite_url: str | None = Field(
        description="Link the new user opens to set a password; null when a password was given."
    )


class TokenCreated(TokenRead):
    secret: str = Field(description="The token itself. Shown once: only its hash is stored.")


class Page(BaseModel, Generic[T]):
    """One page of a collection; the ``Link`` header carries the neighbouring pages."""

    items: list[T]
    page: int
    per_page: int
    total: int = Field(
        description="Matching items, counted up to 1,000 (or to the end of the page asked "
        "for); when there are more, total_exact is false and the Link header has no last page."
    )
    total_exact: bool = True


class Problem(BaseModel):
    """RFC 9457 problem document, with ``errors`` for invalid fields."""

    model_config = ConfigDict(extra="allow")

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    errors: dict[str, str] | None = Field(
        default=None, description="Field name (dotted for nested fields) -> message (422 only)."
    )
    current_version: int | None = Field(
        default=None, description="The version the resource has now (412 only)."
    )


# --- contracts, deliverables, metrics, signatures --------------------------------------------


class ActionRead(ReadModel):
    """A lifecycle action on a contract: whether you may take it now and, if not, why."""

    name: str = Field(
        description="edit, submit, return_to_draft, approve, sign:<capacity>, amend, complete "
        "or terminate."
    )
    allowed: bool
    reason: str = Field(description="Why not, when allowed is false; empty otherwise.")


class SignatureRead(ReadModel):
    id: int
    version_id: int
    capacity: Capacity
    signer_user_id: int | None
    signer_person_id: int | None
    signer_name: str
    signed_at: UtcDateTime
    version_hash: str = Field(description="The content hash of the version the signature binds.")


class SignatoryRead(ReadModel):
    """A signature the version needs: who signs in which capacity, and whether they have."""

    capacity: Capacity
    person_id: int | None = Field(description="Null while nobody holds the capacity.")
    person_name: str | None
    signature: SignatureRead | None = Field(description="Null until signed.")


class ContractRef(ReadModel):
    """The contract a deliverable or metric belongs to."""

    id: int
    reference: str
    type: ContractType
    status: ContractStatus


class ContractVersionRead(ReadModel):
    """A version of a contract without its long texts and lists."""

    id: int
    contract_id: int
    number: int
    state: VersionState
    title: str
    architecture_unit_id: int
    counterparty_unit_id: int | None
    partner_name: str
    sponsor_id: int
    lead_architect_id: int | None
    representative_id: int | None
    window_start: date
    window_end: date
    change_summary: str
    content_hash: str | None = Field(
        description="SHA-256 of the canonical content, frozen at approval (null before)."
    )
    created_at: UtcDateTime
    submitted_at: UtcDateTime | None
    approved_at: UtcDateTime | None
    approved_by_id: int | None
    signed_at: UtcDateTime | None
    version: int


class ContractRead(ReadModel):
    """A contract with the headline of its version in force (or, before any, its newest)."""

    id: int
    reference: str
    type: ContractType
    status: ContractStatus
    board_id: int
    effective_version: int | None = Field(
        description="Number of the version in force (the last fully signed); null before."
    )
    latest_version: int = Field(description="Number of the newest version (maybe a draft).")
    title: str
    sponsor_id: int
    window_start: date
    window_end: date
    created_at: UtcDateTime
    created_by_id: int | None
    closed_at: UtcDateTime | None
    closed_by_id: int | None
    close_reason: str
    version: int


class ContractDetail(ContractRead):
    latest: ContractVersionRead = Field(description="The newest version.")
    in_force: ContractVersionRead | None = Field(
        description="The version in force; null before the first is fully signed."
    )
    actions: list[ActionRead] = Field(
        description="Every lifecycle action, with whether you may take it now."
    )
    signatories: list[SignatoryRead] = Field(
        description="The signatures the newest version needs, and those it has."
    )


class RiskRead(ReadModel):
    description: str
    likelihood: str
    impact: str
    mitigation: str = ""


class DeliverableRead(ReadModel):
    id: int
    contract: ContractRef
    version_id: int
    version_number: int = Field(description="The number of the contract version it belongs to.")
    lineage: str = Field(description="The same deliverable across versions of the contract.")
    position: int
    title: str
    phase: AdmPhase
    kind: str
    owner_id: int | None
    due_date: date
    acceptance_criteria: str
    status: DeliverableStatus
    status_note: str
    overdue: bool = Field(description="Past its due date and neither accepted nor waived.")
    accepted_by_id: int | None
    accepted_at: UtcDateTime | None
    evidence_link: str
    evidence_name: str | None = Field(description="Name of the uploaded evidence file, if any.")
    evidence_type: str | None
    evidence_size: int | None
    version: int


class MetricRead(ReadModel):
    id: int
    contract: ContractRef
    version_id: int
    lineage: str
    position: int
    name: str
    target: str
    unit: str
    measured_value: str | None
    measured_at: UtcDateTime | None
    version: int


class ContractVersionDetail(ContractVersionRead):
    """A version with its full content, deliverables, metrics and signatures."""

    content_hash: str | None = Field(
        description="SHA-256 of the canonical content: frozen at approval, or for a version "
        "not yet approved what its content hashes to now (see hash_frozen)."
    )
    hash_frozen: bool = Field(
        description="True when content_hash was frozen at approval; false when it is what the "
        "draft's content hashes to now."
    )
    sections: dict[str, str]
    conformance_requirements: str
    principles: list[str]
    standards: list[str]
    risks: list[RiskRead]
    deliverables: list[DeliverableRead]
    metrics: list[MetricRead]
    signatures: list[SignatureRead]


class DocumentCheckRead(ReadModel):
    """The outcome of checking a contract document: is it unaltered, and is it signed?"""

    matches: bool = Field(
        description="The document's text is that of the version as recorded (unaltered)."
    )
    signed: bool = Field(description="Every required signature is recorded for the version.")
    reasons: list[str] = Field(description="Why it matches or not, for people.")
    notes: list[str] = Field(
        description="Differences that are not alterations (progress, signatures added since)."
    )
    reference: str
    contract_id: int | None
    version_number: int = Field(description="The version the document names.")
    state: VersionState = Field(description="The state of that version in eagov now.")
    title: str
    locale: str
    document_hash: str = Field(description="The content hash the document states.")
    version_hash: str = Field(description="The version's content hash in eagov now.")
    signers: list[str]
    signature_hashes_match: bool | None = Field(
        description="Whether the recorded signatures bind the hash the document states; null "
        "when there are none."
    )
    generated_at: str = Field(description="When the document was made, as it states.")


# --- checklist libraries, compliance reviews, findings, dispensations ------------------------

Texts = dict[str, str]


class ChecklistLibraryRead(ReadModel):
    """One imported version of a checklist library. Libraries never change once imported
    (a newer version is a new library row), so they carry no ETag."""

    id: int
    identifier: str
    version: str = Field(description="The library's own version, e.g. 1.0.0 (not an ETag).")
    languages: list[str]
    title: Texts = Field(description="Language code -> text.")
    imported_at: UtcDateTime
    imported_by_id: int | None


class ChecklistItemRead(ReadModel):
    id: int
    reference: str
    position: int
    weight: int = Field(description="1 = minor, 2 = normal, 3 = major.")
    question: Texts
    guidance: Texts
    principle: dict[str, Any]


class ChecklistCategoryRead(ReadModel):
    id: int
    key: str
    position: int
    title: Texts
    items: list[ChecklistItemRead]


class ChecklistLibraryDetail(ChecklistLibraryRead):
    description: Texts
    categories: list[ChecklistCategoryRead]


class ReviewRead(ReadModel):
    id: int
    reference: str
    title: str
    project: str
    contract_id: int | None
    board_id: int
    org_unit_id: int | None
    checkpoint: Checkpoint
    state: ReviewState
    scope: str
    due_date: date | None
    meeting_at: UtcDateTime | None
    requested_by_id: int | None
    requested_at: UtcDateTime
    level: Level | None = Field(
        description="The overall level: the lead architect's override, else the computed one."
    )
    computed_level: Level | None = Field(description="The level rolled up from the items.")
    level_override: Level | None
    override_justification: str
    override_by_id: int | None
    report_summary: str
    decision: ReviewDecision | None
    decision_conditions: str
    signed_off_at: UtcDateTime | None
    signed_off_by_id: int | None
    closed_at: UtcDateTime | None
    previous_review_id: int | None = Field(description="The review this one re-reviews.")
    version: int


class RollUpRead(ReadModel):
    """How the items roll up into the computed level, and which items decided it."""

    level: Level | None = Field(description="Null while no answered item counts.")
    explanation: str
    deciding: list[str] = Field(description="References of the items that set the level.")
    counted: int
    left_out_irrelevant: int
    left_out_waived: int = Field(description="Items covered by a granted dispensation.")
    unanswered: int
    provisional: bool = Field(description="Some items are unanswered: it can only get weaker.")


class ReviewStepRead(ReadModel):
    """One step of the workflow: who takes it, and whether you may take it now."""

    action: str = Field(
        description="scope, tailor, schedule, interview, analyse, draft_report, present, "
        "sign_off or close."
    )
    title: str
    source: ReviewState
    target: ReviewState
    actor: str = Field(description="coordinator, lead (lead architect or co-ordinator), board.")
    done: bool
    current: bool
    allowed: bool = Field(description="The step is the current one and you may take it.")


class CategoryProgressRead(ReadModel):
    key: str
    title: Texts
    answered: int
    total: int


class ParticipantRead(ReadModel):
    id: int
    person_id: int
    person_name: str
    role: ReviewRole


class ReviewDetail(ReviewRead):
    roll_up: RollUpRead
    steps: list[ReviewStepRead]
    progress: list[CategoryProgressRead] = Field(description="Answered items per category.")
    participants: list[ParticipantRead]


class ReviewItemRead(ReadModel):
    id: int
    review_id: int
    library_item_id: int | None = Field(description="Null for a custom item.")
    category_key: str
    category_title: Texts
    reference: str
    position: int
    weight: int
    question: Texts
    guidance: Texts
    principle: dict[str, Any]
    answer: str
    level: Level | None
    evidence_link: str
    evidence_date: date | None
    notes: str
    answered_by_id: int | None
    answered_at: UtcDateTime | None
    waived: bool = Field(description="Covered by a granted dispensation that has not expired.")
    version: int


class TailorResult(ReadModel):
    added: list[ReviewItemRead] = Field(description="The items copied into the review.")


class LevelChangeRead(ReadModel):
    reference: str
    before: Level | None
    after: Level | None


class TrendPointRead(ReadModel):
    reference: str = Field(description="A review's reference.")
    level: Level | None


class ComparisonRead(ReadModel):
    """A re-review against the review it follows."""

    previous_review_id: int
    new: list[str] = Field(description="Items not in the previous review.")
    changed: list[LevelChangeRead]
    resolved: list[str] = Field(description="Non-conformant before, better now.")
    removed: list[str] = Field(description="Items of the previous review left out now.")
    trend: list[TrendPointRead] = Field(
        description="The overall level of each review, oldest first."
    )


class FindingRead(ReadModel):
    id: int
    review_id: int
    number: int
    severity: str = Field(description="low, medium, high or critical.")
    description: str
    recommendation: str
    item_references: list[str]
    owner_id: int | None
    due_date: date | None
    status: FindingStatus
    verified_by_id: int | None
    verified_at: UtcDateTime | None
    created_at: UtcDateTime
    version: int


class DispensationRead(ReadModel):
    id: int
    reference: str
    review_id: int
    finding_id: int | None
    item_references: list[str]
    standards: list[str]
    justification: str
    conditions: str
    requested_expiry: date
    expires_on: date | None = Field(description="Set when granted.")
    state: DispensationState
    requested_by_id: int | None
    requested_at: UtcDateTime
    decided_by_id: int | None
    decided_at: UtcDateTime | None
    decision_note: str
    renewal_of_id: int | None = Field(description="The dispensation this one renews.")
    follow_up_review_id: int | None = Field(
        description="The review requested when it expired: the subject re-enters the cycle."
    )
    version: int


class RecurringRead(ReadModel):
    """An item or standard waived again and again: a sign that a policy should change."""

    kind: str = Field(description="item or standard.")
    key: str = Field(description="The item reference or the standard's name.")
    count: int
    references: list[str] = Field(description="The dispensations that waive it.")
