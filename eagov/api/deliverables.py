"""Deliverables and metrics of contracts: commitments (added and changed in a draft) and
progress (status, evidence and measured values, on the version in force)."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Response, request, send_file, url_for
from flask_babel import lazy_gettext as _l
from pydantic import Field, field_validator
from pydantic_core.core_schema import ValidationInfo
from sqlmodel import Session, col

from ..auth import current_actor
from ..db import get_session
from ..errors import Invalid, NotFound
from ..models import (
    AdmPhase,
    Contract,
    ContractMetric,
    ContractVersion,
    Deliverable,
    DeliverableStatus,
    utcnow,
)
from ..permissions import Actor
from ..schemas.api_read import ContractRef, DeliverableRead, MetricRead, Page
from ..schemas.common import Schema
from ..schemas.contracts import DeliverableIn, DeliverableProgress, MetricIn, MetricMeasure
from ..services import contracts as svc
from ..services import deliverables as dsvc
from ..uploads import upload_root
from . import bp
from .listing import Id, ListQuery, page_of, sort_by
from .responses import no_content, read_from, respond, respond_page
from .spec import endpoint

TAG = "Deliverables"


# --- reading -----------------------------------------------------------------------------------


def contract_ref(contract: Contract) -> ContractRef:
    return ContractRef.model_validate(contract)


def deliverable_read(
    item: Deliverable, contract: Contract, version_number: int, today: date | None = None
) -> DeliverableRead:
    return read_from(
        DeliverableRead,
        item,
        contract=contract_ref(contract),
        version_number=version_number,
        overdue=dsvc.is_overdue(item, today),
    )


def metric_read(metric: ContractMetric, contract: Contract) -> MetricRead:
    return read_from(MetricRead, metric, contract=contract_ref(contract))


def _version_and_contract(
    session: Session, actor: Actor, version_id: int
) -> tuple[ContractVersion, Contract]:
    version = session.get(ContractVersion, version_id)
    assert version is not None  # the foreign key cascades
    return version, svc.get_contract(session, actor, version.contract_id)


def _visible_deliverable(session: Session, actor: Actor, deliverable_id: int) -> DeliverableRead:
    """The deliverable as read; 404 when it does not exist or its contract is not visible."""
    item = session.get(Deliverable, deliverable_id)
    if item is None:
        raise NotFound(_l("Deliverable %(id)s not found.", id=deliverable_id))
    version, contract = _version_and_contract(session, actor, item.version_id)
    return deliverable_read(item, contract, version.number)


def _visible_metric(session: Session, actor: Actor, metric_id: int) -> MetricRead:
    metric = session.get(ContractMetric, metric_id)
    if metric is None:
        raise NotFound(_l("Metric %(id)s not found.", id=metric_id))
    _version, contract = _version_and_contract(session, actor, metric.version_id)
    return metric_read(metric, contract)


# --- the list across contracts -------------------------------------------------------------------


class DeliverableQuery(ListQuery):
    phase: AdmPhase | None = Field(default=None, description="Only deliverables of this phase.")
    owner_id: Id | None = Field(default=None, description="Only deliverables this person owns.")
    status: DeliverableStatus | None = Field(default=None, description="Only in this status.")
    due_from: date | None = Field(default=None, description="Due on or after this day.")
    due_to: date | None = Field(default=None, description="Due on or before this day.")
    overdue: bool = Field(
        default=False, description="Only deliverables past due and neither accepted nor waived."
    )
    contract_id: Id | None = Field(default=None, description="Only this contract's deliverables.")
    sort: str = sort_by("due_date", "title", "status", "id", default="due_date")

    @field_validator("due_to")
    @classmethod
    def _not_before_from(cls, value: date | None, info: ValidationInfo) -> date | None:
        start = info.data.get("due_from")
        if value is not None and start is not None and value < start:
            raise ValueError(_l("due_to cannot be before due_from."))
        return value


@endpoint(
    bp,
    "/deliverables",
    summary="List deliverables",
    tag=TAG,
    query=DeliverableQuery,
    response=Page[DeliverableRead],
)
def list_deliverables(query: DeliverableQuery) -> Response:
    """Deliverables of the version in force of each contract you may see (or of the draft,
    for contracts not yet in force)."""
    session = get_session()
    today = utcnow().date()
    where = dsvc.DeliverableFilter(
        phase=query.phase,
        owner_id=query.owner_id,
        status=query.status,
        due_from=query.due_from,
        due_to=query.due_to,
        overdue=query.overdue,
        contract_id=query.contract_id,
    )
    stmt = dsvc.deliverables_query(session, current_actor(), where, today).add_columns(
        col(ContractVersion.number)
    )
    key = query.sort.lstrip("-")
    column = col(getattr(Deliverable, key))
    stmt = stmt.order_by(None).order_by(
        column.desc() if query.sort.startswith("-") else column.asc()
    )
    if key != "id":
        stmt = stmt.order_by(col(Deliverable.id).asc())
    page: Any = page_of(session, stmt, query)  # type: ignore[arg-type]  # rows, not scalars
    return respond_page(page, lambda row: deliverable_read(row[0], row[1], row[2], today))


# --- commitments (draft versions) ----------------------------------------------------------------


@endpoint(
    bp,
    "/contracts/<id:contract_id>/deliverables",
    method="POST",
    summary="Add a deliverable to the draft",
    tag=TAG,
    body=DeliverableIn,
    response=DeliverableRead,
    status=201,
)
def create_deliverable(contract_id: int, body: DeliverableIn) -> Response:
    """Only while the newest version is a draft (409 otherwise)."""
    session, actor = get_session(), current_actor()
    item = dsvc.add_deliverable(session, actor, contract_id, body)
    location = url_for(".get_deliverable", deliverable_id=item.id)
    return respond(_visible_deliverable(session, actor, item.id), 201, location)  # type: ignore[arg-type]


@endpoint(
    bp,
    "/deliverables/<id:deliverable_id>",
    summary="Get a deliverable",
    tag=TAG,
    response=DeliverableRead,
)
def get_deliverable(deliverable_id: int) -> Response:
    return respond(_visible_deliverable(get_session(), current_actor(), deliverable_id))


@endpoint(
    bp,
    "/deliverables/<id:deliverable_id>",
    method="PUT",
    summary="Replace a deliverable of the draft",
    tag=TAG,
    body=DeliverableIn,
    response=DeliverableRead,
    if_match=True,
)
def update_deliverable(deliverable_id: int, body: DeliverableIn, version: int) -> Response:
    """Only deliverables of a draft version change (409 otherwise); progress is recorded with
    POST .../progress."""
    session, actor = get_session(), current_actor()
    dsvc.update_deliverable(session, actor, deliverable_id, body, version)
    return respond(_visible_deliverable(session, actor, deliverable_id))


@endpoint(
    bp,
    "/deliverables/<id:deliverable_id>",
    method="DELETE",
    summary="Remove a deliverable from the draft",
    tag=TAG,
    if_match=True,
)
def delete_deliverable(deliverable_id: int, version: int) -> Response:
    """Only deliverables of a draft version are removed (409 otherwise)."""
    dsvc.remove_deliverable(get_session(), current_actor(), deliverable_id, version)
    return no_content()


# --- progress (the version in force of an active contract) --------------------------------------


@endpoint(
    bp,
    "/deliverables/<id:deliverable_id>/progress",
    method="POST",
    summary="Record progress on a deliverable",
    tag=TAG,
    body=DeliverableProgress,
    response=DeliverableRead,
    if_match=True,
)
def progress_deliverable(deliverable_id: int, body: DeliverableProgress, version: int) -> Response:
    """Moves the status along planned → in_progress → submitted → accepted | rejected (or
    waived). Accepting and rejecting are for the lead architect or the board, waiving for the
    board chair, the rest for the owner and contract editors. Only on the version in force of
    an active contract (409 otherwise)."""
    session, actor = get_session(), current_actor()
    dsvc.progress(session, actor, deliverable_id, body, version)
    return respond(_visible_deliverable(session, actor, deliverable_id))


class EvidenceUpload(Schema):
    """The evidence file, as the part named ``file`` of a multipart/form-data body."""

    file: bytes = Field(
        description="PDF, Word, Excel, PowerPoint, PNG, JPEG or UTF-8 text (.txt, .csv, .md); "
        "the type is checked from the content."
    )


@endpoint(
    bp,
    "/deliverables/<id:deliverable_id>/evidence",
    method="PUT",
    summary="Upload the evidence file of a deliverable",
    tag=TAG,
    form=EvidenceUpload,
    response=DeliverableRead,
    if_match=True,
)
def upload_evidence(deliverable_id: int, version: int) -> Response:
    """Replaces any earlier file. Only on the version in force of an active contract."""
    upload = request.files.get("file")
    if upload is None:
        raise Invalid(errors={"file": _l("Send the file as the form part named file.")})
    data = upload.stream.read()
    session, actor = get_session(), current_actor()
    dsvc.attach_evidence(
        session, actor, deliverable_id, upload.filename or "", data, upload_root(), version
    )
    return respond(_visible_deliverable(session, actor, deliverable_id))


@endpoint(
    bp,
    "/deliverables/<id:deliverable_id>/evidence",
    summary="Download the evidence file of a deliverable",
    tag=TAG,
    produces="*/*",
)
def download_evidence(deliverable_id: int) -> Response:
    """Sent as an attachment with the type found when it was uploaded; 404 when the
    deliverable has no file (or you may not see its contract)."""
    evidence = dsvc.evidence_for_download(
        get_session(), current_actor(), deliverable_id, upload_root()
    )
    resp = send_file(
        evidence.path,
        mimetype=evidence.content_type,
        as_attachment=True,
        download_name=evidence.name,
        max_age=0,
    )
    resp.headers["Cache-Control"] = "private, no-store"
    return resp


# --- metrics -----------------------------------------------------------------------------------


@endpoint(
    bp,
    "/contracts/<id:contract_id>/metrics",
    method="POST",
    summary="Add a metric to the draft",
    tag=TAG,
    body=MetricIn,
    response=MetricRead,
    status=201,
)
def create_metric(contract_id: int, body: MetricIn) -> Response:
    """Only while the newest version is a draft (409 otherwise)."""
    session, actor = get_session(), current_actor()
    metric = dsvc.add_metric(session, actor, contract_id, body)
    location = url_for(".get_metric", metric_id=metric.id)
    return respond(_visible_metric(session, actor, metric.id), 201, location)  # type: ignore[arg-type]


@endpoint(bp, "/metrics/<id:metric_id>", summary="Get a metric", tag=TAG, response=MetricRead)
def get_metric(metric_id: int) -> Response:
    return respond(_visible_metric(get_session(), current_actor(), metric_id))


@endpoint(
    bp,
    "/metrics/<id:metric_id>",
    method="DELETE",
    summary="Remove a metric from the draft",
    tag=TAG,
)
def delete_metric(metric_id: int) -> Response:
    """Only metrics of a draft version (409 otherwise). A metric of a draft is never edited,
    only added and removed, so this takes no If-Match."""
    dsvc.remove_metric(get_session(), current_actor(), metric_id)
    return no_content()


@endpoint(
    bp,
    "/metrics/<id:metric_id>/measure",
    method="POST",
    summary="Record a measured value",
    tag=TAG,
    body=MetricMeasure,
    response=MetricRead,
)
def measure_metric(metric_id: int, body: MetricMeasure) -> Response:
    """Replaces the last measured value. Only on the version in force of an active contract."""
    session, actor = get_session(), current_actor()
    dsvc.measure(session, actor, metric_id, body)
    return respond(_visible_metric(session, actor, metric_id))
