"""/api/v1 reminders: the reminder rules, the scheduler's status, "sweep now", failed e-mails,
the preview of the next days, and the periodic audits of a contract."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Response, current_app, url_for
from pydantic import Field

from ..auth import current_actor
from ..db import get_session
from ..models import ContractAudit, ReminderRule, utcnow
from ..permissions import require
from ..schemas.api_read import Page, UtcDateTime
from ..schemas.common import Schema
from ..schemas.reminders import RuleCreate, RuleRead, RuleUpdate
from ..services import contract_audits, delivery, scheduler_admin
from ..services import reminders as svc
from ..services.contracts import get_contract
from ..web.pagination import Page as PageOf
from . import bp
from .listing import ListQuery
from .responses import no_content, read_from, respond, respond_page
from .reviews import NoInput
from .spec import endpoint

TAG = "Reminders"


def rule_read(rule: ReminderRule) -> RuleRead:
    return read_from(RuleRead, rule)


class RuleList(Schema):
    items: list[RuleRead]


class EnabledIn(Schema):
    enabled: bool


# --- rules -------------------------------------------------------------------------------------


@endpoint(bp, "/reminder-rules", summary="List reminder rules", tag=TAG, response=RuleList)
def list_reminder_rules() -> Response:
    """Every rule, by kind (there are a handful per kind at most). Needs reminders.read."""
    rules = svc.list_rules(get_session(), current_actor())
    return respond(RuleList(items=[rule_read(r) for r in rules]))


@endpoint(
    bp,
    "/reminder-rules",
    method="POST",
    summary="Create a reminder rule",
    tag=TAG,
    body=RuleCreate,
    response=RuleRead,
    status=201,
)
def create_reminder_rule(body: RuleCreate) -> Response:
    """Recipients must be relations the kind knows, overdue reminders and escalation only
    for kinds that can be overdue, settings only those of the kind (422 otherwise). Needs
    reminders.manage."""
    rule = svc.create_rule(get_session(), current_actor(), body)
    location = url_for(".get_reminder_rule", rule_id=rule.id)
    return respond(rule_read(rule), 201, location)


@endpoint(
    bp,
    "/reminder-rules/defaults",
    method="POST",
    summary="Restore the default reminder rules",
    tag=TAG,
    body=NoInput,
    response=RuleList,
)
def restore_default_rules(body: NoInput) -> Response:
    """Adds the shipped default rule of every kind that has no rule at all; returns the
    rules added (none when every kind has one). Needs reminders.manage. Send {}."""
    session, actor = get_session(), current_actor()
    require(actor, "reminders.manage")
    return respond(RuleList(items=[rule_read(r) for r in svc.ensure_default_rules(session)]))


@endpoint(
    bp,
    "/reminder-rules/<id:rule_id>",
    summary="Get a reminder rule",
    tag=TAG,
    response=RuleRead,
)
def get_reminder_rule(rule_id: int) -> Response:
    return respond(rule_read(svc.get_rule(get_session(), current_actor(), rule_id)))


@endpoint(
    bp,
    "/reminder-rules/<id:rule_id>",
    method="PUT",
    summary="Change a reminder rule",
    tag=TAG,
    body=RuleUpdate,
    response=RuleRead,
    if_match=True,
)
def update_reminder_rule(rule_id: int, body: RuleUpdate, version: int) -> Response:
    """Replaces everything but the kind, which a rule keeps for life."""
    rule = svc.update_rule(get_session(), current_actor(), rule_id, body, version)
    return respond(rule_read(rule))


@endpoint(
    bp,
    "/reminder-rules/<id:rule_id>/enabled",
    method="PUT",
    summary="Switch a reminder rule on or off",
    tag=TAG,
    body=EnabledIn,
    response=RuleRead,
    if_match=True,
)
def set_reminder_rule_enabled(rule_id: int, body: EnabledIn, version: int) -> Response:
    rule = svc.set_enabled(get_session(), current_actor(), rule_id, body.enabled, version)
    return respond(rule_read(rule))


@endpoint(
    bp,
    "/reminder-rules/<id:rule_id>",
    method="DELETE",
    summary="Delete a reminder rule",
    tag=TAG,
    status=204,
    if_match=True,
)
def delete_reminder_rule(rule_id: int, version: int) -> Response:
    """Notifications already created by the rule stay. A kind left without any rule gets its
    default back on "restore defaults"; to silence a kind, switch its rule off instead."""
    svc.delete_rule(get_session(), current_actor(), rule_id, version)
    return no_content()


# --- the scheduler -----------------------------------------------------------------------------


class JobRead(Schema):
    job: str
    every: str = Field(description="How often it runs, as configured.")
    next_run: UtcDateTime | None = Field(
        description="When it runs next (interval jobs: null before their first run, as they "
        "run at the scheduler's start)."
    )
    last_started_at: UtcDateTime | None
    last_finished_at: UtcDateTime | None
    last_result: dict[str, Any]
    last_error: str
    lease_owner: str | None = Field(description="The scheduler running it now, if any.")
    lease_until: UtcDateTime | None


class SchedulerRead(Schema):
    jobs: list[JobRead]


def job_read(job: scheduler_admin.JobStatus) -> JobRead:
    s = job.state
    return JobRead(
        job=job.job,
        every=job.every,
        next_run=job.next_run,
        last_started_at=s.last_started_at if s else None,
        last_finished_at=s.last_finished_at if s else None,
        last_result=s.last_result if s else {},
        last_error=s.last_error if s else "",
        lease_owner=s.lease_owner if s and job.leased else None,
        lease_until=s.lease_until if s and job.leased else None,
    )


@endpoint(bp, "/scheduler", summary="The scheduler's jobs", tag=TAG, response=SchedulerRead)
def scheduler_status() -> Response:
    """Each job's last run, result, error and lease, and its next run. Needs scheduler.admin."""
    found = scheduler_admin.job_statuses(
        get_session(), current_actor(), utcnow(), current_app.config
    )
    return respond(SchedulerRead(jobs=[job_read(j) for j in found]))


class SweepRead(Schema):
    result: dict[str, Any] = Field(
        description="What the sweep created and the delivery sent, as the scheduler records it."
    )


@endpoint(
    bp,
    "/scheduler/sweep",
    method="POST",
    summary="Sweep now",
    tag=TAG,
    body=NoInput,
    response=SweepRead,
)
def sweep_now(body: NoInput) -> Response:
    """Creates the reminders that are due and e-mails what is waiting, now, under the lease
    of the scheduler's sweep job: 409 while the scheduler (or someone else) is sweeping.
    Needs scheduler.admin. Send {}."""
    owner = scheduler_admin.manual_owner()
    result = scheduler_admin.sweep_now(get_session(), current_actor(), utcnow(), owner)
    return respond(SweepRead(result=result))


class PreviewQuery(Schema):
    days: int = Field(default=30, ge=1, le=90, description="How many days ahead (default 30).")


class PreviewItem(Schema):
    due_at: UtcDateTime
    kind: str
    rule_id: int
    rule_name: str
    subject_type: str
    subject_id: int
    occurrence: str
    user_id: int
    user_name: str
    title: str
    link: str
    escalation: bool
    late: bool
    email: bool
    in_app: bool


class PreviewRead(Schema):
    items: list[PreviewItem]


@endpoint(
    bp,
    "/scheduler/preview",
    summary="What the reminders would send",
    tag=TAG,
    query=PreviewQuery,
    response=PreviewRead,
)
def scheduler_preview(query: PreviewQuery) -> Response:
    """The reminders the enabled rules would create from now on for the given number of days,
    with today's data, in date order. Nothing is sent. Needs scheduler.admin."""
    actor = current_actor()
    require(actor, "scheduler.admin")
    items = svc.preview(get_session(), actor, utcnow(), days=query.days)
    rows = sorted(items, key=lambda p: (p.due_at, p.kind, p.subject_id, p.user_id))
    return respond(
        PreviewRead(items=[PreviewItem.model_validate(p, from_attributes=True) for p in rows])
    )


class FailedRead(Schema):
    id: int
    kind: str
    title: str
    user_id: int
    user_email: str | None
    due_at: UtcDateTime
    attempts: int
    last_error: str


def failed_read(row: delivery.FailedRow) -> FailedRead:
    n = row.notification
    return FailedRead(
        id=n.id,
        kind=n.kind,
        title=n.title,
        user_id=n.user_id,
        user_email=row.user.email if row.user else None,
        due_at=n.due_at,
        attempts=n.attempts,
        last_error=n.last_error,
    )


class FailedQuery(ListQuery):
    pass


@endpoint(
    bp,
    "/scheduler/failed",
    summary="Failed e-mails",
    tag=TAG,
    query=FailedQuery,
    response=Page[FailedRead],
)
def failed_emails(query: FailedQuery) -> Response:
    """E-mails given up after the last retry, newest first. Needs scheduler.admin."""
    per_page = min(query.per_page, current_app.config["MAX_PAGE_SIZE"])
    found: PageOf[Any] = delivery.failed_notifications(
        get_session(), current_actor(), query.page, per_page
    )
    return respond_page(found, failed_read)


@endpoint(
    bp,
    "/scheduler/failed/<id:notification_id>/retry",
    method="POST",
    summary="Send a failed e-mail again",
    tag=TAG,
    body=NoInput,
    response=FailedRead,
)
def retry_failed_email(notification_id: int, body: NoInput) -> Response:
    """Queues it again with a fresh set of retries; 409 if it is not (or no longer) failed.
    Send {}."""
    item = delivery.retry(get_session(), current_actor(), notification_id)
    return respond(failed_read(delivery.FailedRow(item, None)))


# --- contract audits ---------------------------------------------------------------------------


class AuditCheck(Schema):
    check: str = Field(
        description="overdue_deliverables, missing_signatures, time_window, "
        "expiring_dispensations or unmeasured_metrics."
    )
    passed: bool
    detail: str
    items: list[dict[str, Any]]


class ContractAuditRead(Schema):
    id: int
    contract_id: int
    period: str
    audited_on: date
    passed: bool
    checks: list[AuditCheck]


class AuditList(Schema):
    items: list[ContractAuditRead]


def audit_read(row: ContractAudit) -> ContractAuditRead:
    return ContractAuditRead(
        id=row.id,
        contract_id=row.contract_id,
        period=row.period,
        audited_on=row.audited_on,
        passed=row.passed,
        checks=[AuditCheck.model_validate(c) for c in row.checks],
    )


@endpoint(
    bp,
    "/contracts/<id:contract_id>/audits",
    summary="A contract's periodic audits",
    tag=TAG,
    response=AuditList,
)
def contract_audit_list(contract_id: int) -> Response:
    """The latest audits, newest first, for whoever may read the contract (404 otherwise)."""
    session = get_session()
    contract = get_contract(session, current_actor(), contract_id)
    rows = contract_audits.audits_of(session, contract)
    return respond(AuditList(items=[audit_read(r) for r in rows]))
