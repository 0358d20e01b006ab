"""The scheduler seen by administrators: each job's state and next run, and "sweep now".

"Sweep now" runs the reminder sweep and the e-mail delivery in the web request, under the
same lease on the ``sweep`` job that the scheduler process takes, so the two never sweep at
the same time: when the lease is held, the administrator is told so and nothing runs.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlmodel import Session, col, select

from .. import scheduler as jobs
from ..errors import Conflict
from ..models import SchedulerState, utcnow
from ..permissions import Actor, require
from . import audit, contract_audits
from .common import commit

# A manual sweep holds the lease no longer than this if the web process dies mid-way.
LEASE = timedelta(minutes=15)

SWEEP_JOB = jobs.SWEEP
# Rows of the digest bookkeeping share the table; they are not jobs.
NOT_JOBS = ("digest:",)


@dataclass
class JobStatus:
    job: str
    every: str  # how often it runs, for people
    next_run: datetime | None
    state: SchedulerState | None

    @property
    def leased(self) -> bool:
        s = self.state
        return bool(s and s.lease_owner and s.lease_until and _aware(s.lease_until) > utcnow())


def _every(seconds: float) -> str:
    # Plural forms stay simple: a single unit is said in the smaller one ("60 seconds").
    if seconds >= 7200 and seconds % 3600 == 0:
        return str(_l("every %(n)s hours", n=int(seconds // 3600)))
    if seconds >= 120 and seconds % 60 == 0:
        return str(_l("every %(n)s minutes", n=int(seconds // 60)))
    return str(_l("every %(n)s seconds", n=int(seconds)))


def _next_at(now: datetime, hour: int, minute: int) -> datetime:
    today_at = datetime.combine(now.date(), time(hour, minute), tzinfo=now.tzinfo or UTC)
    return today_at if today_at > now else today_at + timedelta(days=1)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def job_statuses(
    session: Session, actor: Actor, now: datetime, config: Mapping[str, Any]
) -> list[JobStatus]:
    """Every job of the scheduler process (eagov.scheduler) with its last run and, from the
    configured timing, its next one; then any other job the table knows."""
    require(actor, "scheduler.admin")
    states = {
        s.job: s
        for s in session.exec(select(SchedulerState).order_by(col(SchedulerState.job))).all()
        if not s.job.startswith(NOT_JOBS)
    }
    intervals = {
        jobs.SWEEP: float(config.get("SCHEDULER_SWEEP_MINUTES", 5)) * 60,
        jobs.DELIVER: float(config.get("SCHEDULER_DELIVER_SECONDS", 60)),
        jobs.DIGEST: float(config.get("SCHEDULER_DIGEST_CHECK_SECONDS", 3600)),
    }
    out: list[JobStatus] = []
    for job, seconds in intervals.items():
        state = states.pop(job, None)
        last = state.last_started_at if state else None
        every = timedelta(seconds=seconds)
        # The scheduler runs interval jobs at start-up too: never run means "at start-up".
        next_run = max(now, _aware(last) + every) if last else None
        out.append(JobStatus(job, _every(seconds), next_run, state))
    hour = int(config.get("SCHEDULER_DAILY_HOUR_UTC", 2))
    months = contract_audits.configured_months(contract_audits.audit_rule(session))
    for job, minute, text in (
        (jobs.EXPIRE, 0, _l("daily at %(time)s UTC", time=f"{hour:02d}:00")),
        (
            jobs.CONTRACT_AUDIT,
            15,
            _l(
                "daily at %(time)s UTC (an audit every %(n)s months)",
                time=f"{hour:02d}:15",
                n=months,
            ),
        ),
    ):
        out.append(JobStatus(job, str(text), _next_at(now, hour, minute), states.pop(job, None)))
    out += [JobStatus(job, "", None, state) for job, state in states.items()]
    return out


# --- sweep now -----------------------------------------------------------------------------------


def manual_owner() -> str:
    """Who holds the lease during a manual sweep: this web process, recognisably."""
    return f"web:{socket.gethostname()}:{os.getpid()}"


def sweep_now(session: Session, actor: Actor, now: datetime, owner: str) -> dict[str, Any]:
    """Run the scheduler's sweep job (create due reminders, then e-mail them) in this
    request, as the system, under the job's lease. Refused (409) while the scheduler or
    another administrator holds it."""
    require(actor, "scheduler.admin")
    if not jobs.acquire_lease(session, SWEEP_JOB, owner, now, LEASE):
        state = session.get(SchedulerState, SWEEP_JOB, populate_existing=True)
        until = state.lease_until if state else None
        raise Conflict(
            _l(
                "The scheduler is sweeping right now (%(owner)s, lease until %(until)s). "
                "Try again in a few minutes.",
                owner=state.lease_owner if state else "?",
                until=_aware(until).strftime("%Y-%m-%d %H:%M UTC") if until else "?",
            )
        )
    try:
        result = jobs._summary(jobs.job_sweep(session, now))
    except Exception as exc:
        session.rollback()
        jobs.release_lease(
            session, SWEEP_JOB, owner, utcnow(), error=f"{type(exc).__name__}: {exc}"
        )
        raise
    result = {**result, "manual": True}
    jobs.release_lease(session, SWEEP_JOB, owner, utcnow(), result=result)
    audit.record(session, actor, "sweep_now", "scheduler_state", SWEEP_JOB, result, now=now)
    commit(session)
    return result
